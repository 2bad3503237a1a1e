"""`GET /v1/jobs/{job_id}`: a background ingest job's status, progress and per-file errors."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Authorized, JobsDep
from api.errors import ApiError
from api.schemas import JobOut

router = APIRouter(tags=["jobs"], dependencies=Authorized)


@router.get("/v1/jobs/{job_id}")
def get_job(job_id: str, jobs: JobsDep) -> JobOut:
    """One job: queued, running, done or failed, with progress and the report."""
    found = jobs.get(job_id)
    if found is None:
        raise ApiError(404, "not_found", f"no job with id {job_id!r}")
    return JobOut.model_validate(found)
