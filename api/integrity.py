"""The operator's integrity commands, shared by the CLI (`status`, `check`, `repair`) and the
admin routes (`GET /v1/admin/check`, `POST /v1/admin/repair`): one place that compares the
ledger, Chroma and the lexical index of a data dir (`ingest.integrity`) and repairs them
(`ingest.pipeline.recover`)."""

from __future__ import annotations

from typing import Any

from api.services import Services
from ingest.errors import StoreUnavailable
from ingest.integrity import Audit, audit, self_probe
from ingest.pipeline.recover import repair
from ingest.segments import check_vector_segments, repair_hint
from retrieval.errors import RetrievalError
from retrieval.lexical import LexicalReader

PROBE_SAMPLE = 50  # chunks queried with their own vectors by `check`


def lexical_count(services: Services) -> tuple[int | None, str | None]:
    """Chunks in the lexical index (None when it is not built), or why it cannot be used (a
    file that fails its checksum, a garbled CURRENT)."""
    if not services.lexical_index.exists():
        return None, None
    try:
        reader = LexicalReader(services.lexical_dir)
        problem = reader.problem
    except (RetrievalError, OSError, ValueError) as e:
        return None, f"the lexical index cannot be read: {e}"
    if problem is not None:
        return None, f"the lexical index fails its checks ({problem})"
    return reader.count, None


def vector_damage(services: Services) -> None:
    """Raise StoreUnavailable naming a damaged HNSW segment of an embedded Chroma, before
    anything opens it (hnswlib would crash on it)."""
    chroma = services.store.path
    damaged = check_vector_segments(chroma) if chroma is not None else []
    if damaged and chroma is not None:
        raise StoreUnavailable(f"the vector index is damaged: {damaged[0]}. {repair_hint(chroma)}")


def drift(services: Services) -> Audit:
    """Where the ledger, Chroma and the lexical index disagree (one read of Chroma's ids)."""
    count, _ = lexical_count(services)
    return audit(services.store, services.ledger.all(), lexical=count)


def check(services: Services, *, sample: int = PROBE_SAMPLE) -> dict[str, Any]:
    """`drift`, a vector self-probe of `sample` stored chunks and the second collection's
    audit (None when it is off); `ok` when all hold."""
    vector_damage(services)
    held = services.store.all_ids()
    count, lexical_error = lexical_count(services)
    found = audit(services.store, services.ledger.all(), lexical=count, held=held)
    probe = self_probe(services.store, held, sample=sample)
    problems = found.warnings()
    if lexical_error:
        problems.append(lexical_error + ": `specrag repair` rebuilds it")
    if probe.lost:
        problems.append(
            f"{len(probe.lost)} of {probe.tried} sampled chunks are not found by their own "
            f"vector (e.g. {probe.lost[0]}): vector search cannot reach them"
        )
    second = services.second_collection
    derived = second.audit(services.store) if second is not None else None
    if derived is not None and not derived["ok"]:
        problems.append(
            f"the second collection ({derived['model']}, the mostly-Chinese chunks) lacks "
            f"{derived['missing']} of {derived['expected']} chunk(s), has {derived['outdated']} "
            f"outdated and {derived['stale']} stale: `specrag repair` (or the next ingest) "
            "syncs it"
        )
    return {
        **found.as_json(),
        "ok": not problems,
        "warnings": problems,
        "probe": probe.as_json(),
        "second": derived,
    }


def run_repair(services: Services) -> dict[str, Any]:
    """Remove orphan chunks, re-ingest what Chroma lost, rebuild the lexical index; then
    the drift that is left (none, unless a source file is gone)."""
    repaired = repair(services.pipeline)
    return {**repaired.as_json(), "after": drift(services).as_json()}
