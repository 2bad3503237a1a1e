"""What a run would do, file by file: add, update, skip or delete (reads files, changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.discover import Discovery, FileProblem, SourceFile, discover, sha256_of
from ingest.ledger import Ledger, Record
from ingest.specs import SpecConfig

# Bump when parsing, chunking or spec extraction changes what a file turns into: every file
# is then redone. 2: spec facts and the cars of each chunk.
PIPELINE_VERSION = "2"

Action = Literal["add", "update", "skip", "delete"]


@dataclass(frozen=True, slots=True)
class ChunkOptions:
    """What a file turns into: chunks of this size, and (unless None) its spec facts."""

    max_tokens: int = 256
    overlap: int = 32
    encoding: str = "cl100k_base"
    specs: SpecConfig | None = None


@dataclass(frozen=True, slots=True)
class PlanItem:
    action: Action
    path: str
    doc_id: str
    file: SourceFile | None = None
    sha256: str = ""
    record: Record | None = None


@dataclass(slots=True)
class Plan:
    items: list[PlanItem]
    discovery: Discovery

    def of(self, action: Action) -> list[PlanItem]:
        return [item for item in self.items if item.action == action]

    def summary(self) -> dict[str, int]:
        return {action: len(self.of(action)) for action in ("add", "update", "delete", "skip")}


def plan_files(
    paths: list[Path],
    *,
    ledger: Ledger,
    fingerprint: str,
    roots: list[Path],
    max_file_bytes: int,
    prune: bool = False,
) -> Plan:
    """What a run over `paths` would do, file by file. Reads files, changes nothing."""
    found = discover(paths, roots=roots, max_file_bytes=max_file_bytes)
    items: list[PlanItem] = []
    for source in found.files:
        try:
            digest = sha256_of(source.path)
        except OSError as e:
            found.failed.append(FileProblem(source.path, f"cannot read file: {e}"))
            continue
        record = ledger.get(source.doc_id)
        if record is None:
            action: Action = "add"
        elif (
            record.status == "ok" and record.sha256 == digest and record.fingerprint == fingerprint
        ):
            action = "skip"
        else:
            action = "update"
        items.append(PlanItem(action, source.path, source.doc_id, source, digest, record))
    if prune:
        present = {source.doc_id for source in found.files}
        for record in ledger.all():
            if record.doc_id not in present and _gone_from(record.source, found.scanned):
                items.append(PlanItem("delete", record.source, record.doc_id, record=record))
    return Plan(items, found)


def _gone_from(source: str, scanned: list[Path]) -> bool:
    """Was `source` inside what this run scanned, and is it no longer there?"""
    path = Path(source)
    inside = any(path == top or path.is_relative_to(top) for top in scanned if top.is_dir())
    return inside and not path.is_file()
