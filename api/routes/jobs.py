"""`GET /v1/jobs/{job_id}`: a background ingest job's status, progress and per-file errors."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Authorized, JobsDep
from api.errors import ApiError

router = APIRouter(tags=["jobs"], dependencies=Authorized)


class Progress(BaseModel):
    files_done: int
    files_total: int
    chunks_embedded: int


class FileError(BaseModel):
    path: str
    reason: str


class JobOut(BaseModel):
    id: str
    kind: Literal["ingest", "upload"]
    status: Literal["queued", "running", "done", "failed"]
    paths: list[str]
    prune: bool
    created_at: float
    started_at: float | None
    finished_at: float | None
    progress: Progress
    errors: list[FileError] = Field(description="files that failed, each with the reason")
    report: dict[str, Any] | None = Field(description="the ingest report once done")
    error: str | None = Field(description="why the job as a whole failed")


class JobAccepted(BaseModel):
    job: JobOut


@router.get("/v1/jobs/{job_id}")
def get_job(job_id: str, jobs: JobsDep) -> JobOut:
    """One job: queued, running, done or failed, with progress and the report."""
    found = jobs.get(job_id)
    if found is None:
        raise ApiError(404, "not_found", f"no job with id {job_id!r}")
    return JobOut.model_validate(found)
