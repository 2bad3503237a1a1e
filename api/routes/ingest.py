"""`POST /v1/ingest`: index server-side files and folders, only below the configured roots."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Authorized, JobsDep, NamingDep, SettingsDep
from api.errors import ApiError
from api.naming import Naming
from api.schemas import JobAccepted, JobOut
from ingest.discover import within

MAX_PATHS = 100
MAX_PATH_CHARS = 4096
NO_ROOTS = (
    "server-side ingest is off: no ingest roots are configured. Set SPECRAG_ROOTS to a JSON "
    "list of the folders the server may read, e.g. SPECRAG_ROOTS='[\"/srv/specs\"]', and "
    "restart; or upload files with POST /v1/documents"
)

router = APIRouter(tags=["ingest"], dependencies=Authorized)


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(
        min_length=1,
        max_length=MAX_PATHS,
        description="absolute paths of files or folders below one of SPECRAG_ROOTS",
    )
    prune: bool = Field(
        False,
        description="delete indexed files that are gone from these folders or now excluded "
        "(SPECRAG_EXCLUDE, .specragignore)",
    )


def _checked(raw: str, roots: list[Path], naming: Naming) -> Path:
    """The resolved path, or an ApiError naming the path (below its root, once it is known
    to be under one) and why it is refused."""
    shown = repr(raw[:200])
    if not raw or len(raw) > MAX_PATH_CHARS or "\x00" in raw:
        raise ApiError(422, "invalid_path", f"path {shown} is empty, too long or holds a NUL")
    path = Path(raw)
    if not path.is_absolute():
        raise ApiError(422, "invalid_path", f"path {shown} is relative; give an absolute path")
    try:
        # A symlink anywhere along the path is followed before the check: no escape through one.
        target = path.resolve(strict=False)
    except (OSError, RuntimeError, ValueError) as e:  # a symlink loop, an unencodable name
        raise ApiError(422, "invalid_path", f"path {shown} cannot be resolved: {e}") from e
    if not within(target, roots):
        raise ApiError(
            403,
            "outside_roots",
            f"path {shown} is outside the allowed ingest roots",
            detail={"path": raw, "roots": [str(r) for r in roots]},
        )
    shown = repr(naming.document(str(target)))
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        raise ApiError(404, "not_found", f"path {shown}: no such file or directory") from None
    except (OSError, RuntimeError, ValueError) as e:
        raise ApiError(422, "invalid_path", f"path {shown} cannot be resolved: {e}") from e


@router.post(
    "/v1/ingest",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        403: {"description": "no roots configured, or a path outside them"},
        404: {"description": "a path does not exist"},
    },
)
def ingest(
    body: IngestRequest,
    settings: SettingsDep,
    jobs: JobsDep,
    naming: NamingDep,
    response: Response,
) -> JobAccepted:
    """Queue an ingest of server-side paths; poll `GET /v1/jobs/{id}` for progress."""
    if not settings.roots:
        raise ApiError(403, "ingest_roots_not_configured", NO_ROOTS)
    paths = [_checked(raw, settings.roots, naming) for raw in body.paths]
    job = jobs.submit(paths, kind="ingest", prune=body.prune)
    response.headers["Location"] = f"/v1/jobs/{job['id']}"
    return JobAccepted(job=JobOut.shown(job, naming))
