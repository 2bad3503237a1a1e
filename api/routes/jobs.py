"""`GET /v1/jobs` (newest first, by status) and `GET /v1/jobs/{job_id}`: background ingest
jobs' status, progress and per-file errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import Authorized, JobsDep, NamingDep
from api.errors import ApiError
from api.jobs import Status
from api.schemas import JobOut

router = APIRouter(tags=["jobs"], dependencies=Authorized)


class JobPage(BaseModel):
    total: int = Field(description="jobs matching the filter")
    offset: int
    jobs: list[JobOut] = Field(description="newest first")


@router.get("/v1/jobs")
def list_jobs(
    jobs: JobsDep,
    naming: NamingDep,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> JobPage:
    """The jobs the server keeps (the last 5,000), newest first; `status` keeps one kind."""
    total, found = jobs.recent(status=status, limit=limit, offset=offset)
    return JobPage(total=total, offset=offset, jobs=[JobOut.shown(j, naming) for j in found])


@router.get("/v1/jobs/{job_id}")
def get_job(job_id: str, jobs: JobsDep, naming: NamingDep) -> JobOut:
    """One job: queued, running, done or failed, with progress and the report."""
    found = jobs.get(job_id)
    if found is None:
        raise ApiError(404, "not_found", f"no job with id {job_id!r}")
    return JobOut.shown(found, naming)
