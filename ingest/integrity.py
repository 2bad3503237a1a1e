"""Does the index hold what the ledger says? Ledger, Chroma and the lexical index compared.

The ledger records, per file, the chunk ids a committed ingest wrote; Chroma is where they
must be. Drift comes from outside specrag's own runs: a lost or restored `chroma.sqlite3`, a
Chroma server reset or restored from an older backup, a process killed between writing a
document's chunks and committing its ledger row. `audit` finds it (one read of Chroma's ids),
`self_probe` checks that stored vectors are reachable by vector search, and the pipeline's
`repair` (in `ingest.pipeline`) puts it right.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.document import split_chunk_id
from ingest.ledger import Record
from ingest.store import ChromaStore

PROBE_K = 10  # a stored vector must come back among the nearest PROBE_K to itself


@dataclass(slots=True)
class Audit:
    """What the ledger, Chroma and the lexical index hold, and where they disagree."""

    documents: int  # ledger rows
    chunks: int  # chunk ids in Chroma
    expected: int  # chunk ids the ledger lists
    lexical: int | None  # chunks in the lexical index (None: not asked or not built)
    missing: dict[str, list[str]] = field(default_factory=dict)  # doc id → ids Chroma lacks
    sources: dict[str, str] = field(default_factory=dict)  # doc id → source, for `missing`
    orphans: list[str] = field(default_factory=list)  # ids no committed ledger row lists

    @property
    def lexical_mismatch(self) -> bool:
        return self.lexical is not None and self.lexical != self.chunks

    @property
    def ok(self) -> bool:
        return not (self.missing or self.orphans or self.lexical_mismatch)

    def warnings(self) -> list[str]:
        """One line per kind of drift, saying what to do."""
        found = []
        if self.missing:
            lost = sum(len(ids) for ids in self.missing.values())
            found.append(
                f"{len(self.missing)} document(s) of the ledger miss {lost} chunk(s) in Chroma "
                "(index lost or restored from an older copy?): run `specrag repair` or "
                "`specrag ingest` on their folders"
            )
        if self.orphans:
            found.append(
                f"{len(self.orphans)} chunk(s) in Chroma belong to no committed document "
                "(an interrupted ingest?): `specrag repair` removes them"
            )
        if self.lexical_mismatch:
            found.append(
                f"the lexical index holds {self.lexical} chunk(s), Chroma {self.chunks}: "
                "`specrag repair` rebuilds it"
            )
        return found

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "documents": self.documents,
            "chunks": {"chroma": self.chunks, "ledger": self.expected, "lexical": self.lexical},
            "missing": [
                {"doc_id": d, "source": self.sources.get(d, ""), "chunks": len(ids)}
                for d, ids in sorted(self.missing.items())
            ],
            "orphans": len(self.orphans),
            "orphan_examples": sorted(self.orphans)[:10],
            "warnings": self.warnings(),
        }


def listed_ids(records: Iterable[Record]) -> set[str]:
    """Every chunk id a committed ledger row lists (a failed row keeps its last good chunks)."""
    return {chunk_id for record in records for chunk_id in record.chunk_ids}


def orphan_ids(held: Iterable[str], records: Iterable[Record]) -> list[str]:
    """The chunk ids in `held` that no ledger row lists: written by an ingest that never
    committed (killed mid-document), or left by a delete that did not finish."""
    listed = listed_ids(records)
    return sorted(chunk_id for chunk_id in held if chunk_id not in listed)


def audit(
    store: ChromaStore,
    records: list[Record],
    *,
    lexical: int | None = None,
    held: set[str] | None = None,
) -> Audit:
    """Compare the ledger's `records` with Chroma's ids (read once, unless given as `held`)
    and with the lexical index's chunk count."""
    held = store.all_ids() if held is None else held
    found = Audit(
        documents=len(records),
        chunks=len(held),
        expected=len(listed_ids(records)),
        lexical=lexical,
    )
    for record in records:
        if record.status != "ok":
            continue
        missing = [chunk_id for chunk_id in record.chunk_ids if chunk_id not in held]
        if missing:
            found.missing[record.doc_id] = missing
            found.sources[record.doc_id] = record.source
    found.orphans = orphan_ids(held, records)
    return found


@dataclass(slots=True)
class Probe:
    """A sampled vector self-probe: each sampled chunk queried with its own stored vector."""

    tried: int = 0
    found: int = 0
    lost: list[str] = field(default_factory=list)  # ids not among their own nearest
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.lost

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "k": PROBE_K, "seconds": round(self.seconds, 3)}


def self_probe(store: ChromaStore, held: set[str], *, sample: int, seed: int = 0) -> Probe:
    """Query `sample` stored chunks with their own vectors and expect each back among its
    nearest `PROBE_K` (filtered on its document, so a flood of equal vectors elsewhere does
    not hide it): a chunk that its own vector cannot find is unreachable by search."""
    began = time.perf_counter()
    chosen = sorted(held)
    if len(chosen) > sample:
        chosen = sorted(random.Random(seed).sample(chosen, sample))
    probe = Probe()
    for chunk_id, vector in store.vectors(chosen).items():
        doc_id = split_chunk_id(chunk_id)[0]
        hits = store.query(vector, k=PROBE_K, where={"doc_id": doc_id}, hydrate=False)
        probe.tried += 1
        if any(hit.id == chunk_id for hit in hits):
            probe.found += 1
        else:
            probe.lost.append(chunk_id)
    probe.seconds = time.perf_counter() - began
    return probe
