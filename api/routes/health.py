"""`/healthz` (the process answers) and `/readyz` (Chroma answers, the model is loaded)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ServicesDep
from api.errors import ApiError

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, Any]


@router.get("/healthz")
async def healthz() -> Health:
    """Liveness: the process is up and serving. On the event loop, so that requests filling
    the worker threads (deletes waiting for the ingest lock) never make it look dead."""
    return Health(status="ok")


@router.get("/readyz", responses={503: {"description": "a dependency is not ready"}})
def readyz(services: ServicesDep) -> Readiness:
    """Readiness: Chroma answers and the embedding model is loaded."""
    checks: dict[str, Any] = {}
    try:
        checks["chroma"] = {"ok": True, "chunks": services.store.count()}
    except Exception as e:  # any failure to answer means not ready; say which
        log.warning("readiness: Chroma does not answer: %s", e)
        checks["chroma"] = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    checks["model"] = {"ok": services.embedder.loaded, "name": services.embedder.name}
    if not all(check["ok"] for check in checks.values()):
        failing = ", ".join(name for name, check in checks.items() if not check["ok"])
        raise ApiError(503, "not_ready", f"not ready: {failing}", detail={"checks": checks})
    return Readiness(status="ready", checks=checks)
