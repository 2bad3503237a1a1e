"""`/v1/admin/*`: the operator's integrity check and repair of the index (under the API key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import Authorized, ServicesDep
from api.integrity import PROBE_SAMPLE, check, run_repair

router = APIRouter(tags=["admin"], dependencies=Authorized)


@router.get("/v1/admin/check")
def admin_check(
    services: ServicesDep,
    sample: Annotated[int, Query(ge=0, le=1000)] = PROBE_SAMPLE,
) -> dict[str, Any]:
    """Ledger, Chroma and lexical index compared, and a sampled vector self-probe."""
    shown: dict[str, Any] = services.naming.value(check(services, sample=sample))
    return shown


@router.post("/v1/admin/repair")
def admin_repair(services: ServicesDep) -> dict[str, Any]:
    """Remove orphan chunks, re-ingest what Chroma lost, rebuild the lexical index (waits
    for a running ingest job; answers when done)."""
    shown: dict[str, Any] = services.naming.value(run_repair(services))
    return shown
