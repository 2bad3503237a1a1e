"""What a run did (`Report`, the CLI's `--json` shape) and how it shows progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest.discover import FileProblem


@dataclass(slots=True)
class Report:
    """What a run did; `as_json()` is the CLI's `--json` shape."""

    ok: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[FileProblem] = field(default_factory=list)
    notes: list[FileProblem] = field(default_factory=list)  # unsupported files, page warnings
    added: int = 0
    updated: int = 0
    deleted: int = 0
    embedded: int = 0
    shared: int = 0  # chunks whose text another document stores (`ingest.pipeline.share`)
    documents_deleted: int = 0
    seconds: float = 0.0
    changed: list[str] = field(default_factory=list)  # files that changed while ingested
    orphans_removed: int = 0  # chunks of documents never committed (an interrupted run)
    # Where the time went, in seconds: plan (hashing), load (the model, beyond the first
    # files' parsing), wait (the encoder idle, waiting for parsed files), embed (the encoder
    # busy), store (Chroma writes), commit (stale ids, ledger), derived (the lexical index),
    # and parse_cpu (the workers' own time, spent alongside the rest). With more than one
    # encoder stream, store and commit run while the encoder is busy: the stages overlap.
    stages: dict[str, float] = field(default_factory=dict)

    def add_time(self, stage: str, seconds: float) -> None:
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds

    def as_json(self) -> dict[str, Any]:
        return {
            "files": {"ok": self.ok, "skipped": self.skipped, "failed": self.failed},
            "errors": [asdict(e) for e in self.errors],
            "skipped": [asdict(n) for n in self.notes],
            "chunks": {
                "added": self.added,
                "updated": self.updated,
                "deleted": self.deleted,
                "embedded": self.embedded,
                "shared": self.shared,
                "orphans_removed": self.orphans_removed,
            },
            "documents_deleted": self.documents_deleted,
            "changed_during_ingest": list(self.changed),
            "seconds": round(self.seconds, 3),
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
        }


# files done, files total, chunks embedded, the file the encoder has reached (None before any)
Progress = Callable[[int, int, int, str | None], None]


def terminal_progress() -> Progress | None:
    """A tqdm bar on a terminal; None elsewhere (the CLI logs plain lines instead)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", file=sys.stderr, dynamic_ncols=True)
    started = time.perf_counter()

    def update(done: int, total: int, chunks: int, current: str | None) -> None:
        bar.total = total
        bar.n = done
        rate = chunks / max(time.perf_counter() - started, 1e-9)
        on = f", {Path(current).name}" if current and done < total else ""
        bar.set_postfix_str(f"{chunks} chunks, {rate:.1f} chunks/s{on}", refresh=True)

    return update
