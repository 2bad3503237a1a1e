"""Recovery and repair: the index brought back in step with the ledger.

A document's chunks reach Chroma before its ledger row is committed, so a process killed in
between leaves chunks that no committed row lists: search would return them, the ledger
does not know them. Every run removes them first (`remove_orphans`), as the server does at
start-up. `repair` also re-ingests the documents whose chunks Chroma lost, from their files,
and rebuilds the derived indexes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.integrity import audit, orphan_ids
from ingest.ledger import Ledger
from ingest.store import ChromaStore

if TYPE_CHECKING:
    from ingest.pipeline import Pipeline

log = logging.getLogger(__name__)


def remove_orphans(
    store: ChromaStore, ledger: Ledger, *, grace: float = 0.0
) -> tuple[set[str], list[str]]:
    """Delete the chunks no committed ledger row lists; returns the ids Chroma holds after,
    and the ids removed. Call it holding the ingest lock.

    `grace` > 0 (a Chroma server that other instances write too) keeps orphans younger than
    `grace` seconds: they may be another instance's document between its chunks and its
    ledger row.
    """
    held = store.all_ids()
    orphans = orphan_ids(held, ledger.all())
    if orphans and grace > 0:
        cutoff = time.time() - grace
        orphans = [
            hit.id
            for hit in store.get(orphans)
            if float(hit.metadata.get("ingested_at", 0.0)) < cutoff
        ]
    if orphans:
        log.warning(
            "removing %d chunk(s) of documents with no committed ledger row (an interrupted "
            "ingest), e.g. %s",
            len(orphans),
            orphans[0],
        )
        store.delete(orphans)
        held.difference_update(orphans)
    return held, orphans


@dataclass(slots=True)
class Repaired:
    """What `repair` did."""

    orphans_removed: int = 0
    reingested: list[str] = field(default_factory=list)  # sources run again
    unrecoverable: list[dict[str, str]] = field(default_factory=list)  # source gone
    report: dict[str, Any] | None = None  # the re-ingest run's report
    derived_rebuilt: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "orphans_removed": self.orphans_removed,
            "reingested": list(self.reingested),
            "unrecoverable": list(self.unrecoverable),
            "report": self.report,
            "derived_rebuilt": self.derived_rebuilt,
        }


def repair(pipeline: Pipeline) -> Repaired:
    """Remove every orphan chunk, re-ingest from its file each document whose chunks Chroma
    lacks, and rebuild the derived indexes, whether or not they looked out of step."""
    done = Repaired()
    with pipeline.locked():
        pipeline.mark_dirty()
        held, removed = remove_orphans(pipeline.store, pipeline.ledger)
        done.orphans_removed = len(removed)
        found = audit(pipeline.store, pipeline.ledger.all(), held=held)
    for doc_id, source in sorted(found.sources.items()):
        if Path(source).is_file():
            done.reingested.append(source)
        else:
            reason = "its file is gone: delete it (specrag delete) or restore the file"
            done.unrecoverable.append({"doc_id": doc_id, "source": source, "reason": reason})
    if done.reingested:
        done.report = pipeline.run([Path(s) for s in done.reingested]).as_json()
    else:
        with pipeline.locked():
            pipeline.sync_derived()
    done.derived_rebuilt = pipeline.after_write is not None
    return done
