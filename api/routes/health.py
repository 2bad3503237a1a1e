"""`/healthz` (the process answers) and `/readyz` (Chroma answers, the model is loaded).

`/readyz` answers 200 "degraded" when the server serves with a part missing: a lexical index
that failed its checks (hybrid answers from vectors while it is rebuilt), or a side store
(jobs, sessions, usage) that could not be opened (the routes that need it answer 503). Each
degraded part is named with its problem and what to do.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import QueueDep, ServicesDep
from api.errors import ApiError
from api.queue.jobs import QueueJobs
from api.services import Services

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Degraded(BaseModel):
    store: str
    path: str
    problem: str
    action: str


class Readiness(BaseModel):
    status: str = Field(description="ready, or degraded (serving with the parts below missing)")
    checks: dict[str, Any]
    degraded: list[Degraded] = Field(default_factory=list)


# What the routes that need each side store do while it is broken.
STORE_ROUTES = {
    "jobs": "uploads, POST /v1/ingest and GET /v1/jobs are refused (503, or 507 on a full disk)",
    "ledger": "document routes, uploads and ingest are refused; search goes on",
    "sessions": "chat is refused",
    "usage": "GET /v1/usage is refused; LLM calls go on, each one's cost logged as "
    "unrecorded and counted in specrag_usage_unrecorded_calls",
}


@router.get("/healthz")
async def healthz() -> Health:
    """Liveness: the process is up and serving. On the event loop, so that requests filling
    the worker threads (deletes waiting for the ingest lock) never make it look dead."""
    return Health(status="ok")


def _degraded(services: Services) -> list[Degraded]:
    found: list[Degraded] = []
    reader = services.lexical_reader
    problem = reader.problem if reader is not None else None
    if problem is not None:
        repair = (
            "it is being rebuilt from Chroma"
            if services.repairing
            else "its rebuild from Chroma did not finish"
        )
        found.append(
            Degraded(
                store="lexical index",
                path=str(services.lexical_dir),
                problem=problem,
                action=f"{repair}; hybrid search answers from vectors meanwhile. If this "
                "persists, run `specrag ingest` on the data dir (it rebuilds the index)",
            )
        )
    for name, fault in sorted(services.broken.items()):
        found.append(
            Degraded(
                store=name,
                path=fault.path,
                problem=fault.problem,
                action=f"{STORE_ROUTES.get(name, 'its routes refuse')}. To fix: {fault.action}",
            )
        )
    return found


def _queue(jobs: QueueJobs) -> dict[str, Any]:
    """The queue's check: Redis answers; its depth, the workers and their heartbeats."""
    try:
        return {"ok": True, **jobs.status()}
    except Exception as e:  # Redis or the jobs database does not answer
        log.warning("readiness: the queue does not answer: %s", e)
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}


@router.get("/readyz", responses={503: {"description": "a dependency is not ready"}})
def readyz(services: ServicesDep, queue: QueueDep) -> Readiness:
    """Readiness: Chroma answers and the embedding model is loaded; degraded parts named."""
    checks: dict[str, Any] = {}
    try:
        checks["chroma"] = {"ok": True, "chunks": services.store.count()}
    except Exception as e:  # any failure to answer means not ready; say which
        log.warning("readiness: Chroma does not answer: %s", e)
        checks["chroma"] = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    checks["model"] = {"ok": services.embedder.loaded, "name": services.embedder.name}
    if queue is not None:
        checks["queue"] = _queue(queue)
    if not all(check["ok"] for check in checks.values()):
        failing = ", ".join(name for name, check in checks.items() if not check["ok"])
        raise ApiError(503, "not_ready", f"not ready: {failing}", detail={"checks": checks})
    # unauthenticated: its paths name files below the data dir, never the server's folders
    degraded = [
        Degraded.model_validate(services.naming.value(d.model_dump())) for d in _degraded(services)
    ]
    if "queue" in checks and not checks["queue"]["workers_alive"]:
        degraded.append(
            Degraded(
                store="workers",
                # without its password, as the database URL is shown (SQLAlchemy's rendering)
                path=sa.make_url(str(services.settings.queue_url)).render_as_string(),
                problem="no worker has reported in the last 30 s",
                action="uploads and ingest jobs wait in the queue until a worker runs: start "
                "`specrag worker` with this server's SPECRAG_* settings",
            )
        )
    return Readiness(status="degraded" if degraded else "ready", checks=checks, degraded=degraded)
