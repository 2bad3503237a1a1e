"""Response models more than one route module answers with: a background job
(`GET /v1/jobs/{id}`, `POST /v1/ingest`, `POST /v1/documents`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.naming import Naming


class Progress(BaseModel):
    files_done: int
    files_total: int
    chunks_embedded: int
    current_file: str | None = Field(
        default=None, description="the name of the file the running job has reached"
    )


class FileError(BaseModel):
    path: str
    reason: str


class JobOut(BaseModel):
    """A job; `paths`, error and report paths name files below their ingest root (uploads:
    the upload's name), never by the server's path."""

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

    @classmethod
    def shown(cls, job: dict[str, Any], naming: Naming) -> JobOut:
        """A job as responses show it: files named as their users gave them."""
        return cls.model_validate(naming.value(job))


class JobAccepted(BaseModel):
    job: JobOut
