"""What a run would do, file by file: add, update, skip or delete (reads files, changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.discover import Discovery, FileProblem, SourceFile, discover, sha256_of
from ingest.ledger import Ledger, Record
from ingest.specs import SpecConfig

# Bump when parsing, chunking or spec extraction changes what a file turns into: every file
# is then redone. 2: spec facts and the cars of each chunk. 3: a document's repeated chunk
# texts stored once (`ingest.pipeline.dedup`). 4: spec extraction's third to fifth rounds
# (stop 23: table cells by column, variant scoping, parts and rivals, hedges). 5: the sixth
# round (conditions, variant headings, Type rows, km/kg). 6: cars no alias file lists, found
# by a known make and the shape of the model name after it. 7: Chinese prose (a model's own
# figure, label words, clauses, comparisons). 8: an electric row's MPG figures are MPGe.
# 9: stop 25's rounds (English car names by shape; English new shapes; Chinese by class).
# 14: car finding with the model-line gazetteer (`data/specs/cars.toml` `[lines]`); trims a
# post's or paragraph's lead names; a data row's version and shared columns (stock lists),
# past generations' sections, versions led by a bold name, 前者/后者; the
# samples' sheets (a label's other measure, a plug-in's parts, slash-list figures).
# 15: a table's model column names its cars (rows of model × powertrain); an engine line of
# figures; a report's vehicle line's trim; readings left out; a bracket's folded-seats boot.
# 16: a Chinese section's declared version line, short version names read in full, bracketed
# and clause-opening versions, dimension runs opened by bare 长; Voyah and 风神 lines.
# 17: a version after a run of figures ("… with the manual"), a code before its tyres, a
# version's bracketed or "costs" price, kW paired with a torque, a rival's line as an owner,
# a title's dating year.
# 18: a table's header cells, a heading or a line's lead naming a make and a gazetteer line
# (a trim after it) name that car; a rival's column is the rival's; a letter's long question.
PIPELINE_VERSION = "18"

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
    sha256: str = ""  # as planned ("" for a new file: the worker hashes what it reads)
    record: Record | None = None
    reason: str = ""  # why an unchanged file is done again


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
    exclude: Sequence[str] = (),
    prune: bool = False,
    held: set[str] | None = None,
) -> Plan:
    """What a run over `paths` would do, file by file. Reads files, changes nothing.

    A file is skipped only when its bytes, the pipeline and, when `held` (the chunk ids the
    index holds) is given, its chunks are all as the ledger says; a new file is not hashed
    here (the worker hashes the bytes it parses).
    """
    found = discover(paths, roots=roots, max_file_bytes=max_file_bytes, exclude=exclude)
    items: list[PlanItem] = []
    for source in found.files:
        record = ledger.get(source.doc_id)
        if record is None:
            items.append(PlanItem("add", source.path, source.doc_id, source))
            continue
        try:
            digest = sha256_of(source.path)
        except OSError as e:
            found.failed.append(FileProblem(source.path, f"cannot read file: {e}"))
            continue
        action: Action = "update"
        reason = ""
        if record.status == "ok" and record.sha256 == digest and record.fingerprint == fingerprint:
            reason = missing_from_index(record, held)
            action = "update" if reason else "skip"
        items.append(PlanItem(action, source.path, source.doc_id, source, digest, record, reason))
    present = {source.doc_id for source in found.files}
    if prune:
        items.extend(_deletions(found, ledger))
    elif found.excluded:
        _name_kept(found, [r.source for r in ledger.all() if r.doc_id not in present])
    return Plan(items, found)


def plan_deletions(
    paths: list[Path],
    *,
    ledger: Ledger,
    roots: list[Path],
    max_file_bytes: int,
    exclude: Sequence[str] = (),
) -> list[PlanItem]:
    """The documents a `prune` run over `paths` would delete: gone from the folders scanned,
    or excluded now. Only lists the folders (no file is read or hashed)."""
    found = discover(paths, roots=roots, max_file_bytes=max_file_bytes, exclude=exclude)
    return _deletions(found, ledger)


def _deletions(found: Discovery, ledger: Ledger) -> list[PlanItem]:
    present = {source.doc_id for source in found.files}
    return [
        PlanItem("delete", record.source, record.doc_id, record=record)
        for record in ledger.all()
        if record.doc_id not in present
        and (_gone_from(record.source, found.scanned) or found.is_excluded(record.source))
    ]


def _name_kept(found: Discovery, indexed: list[str]) -> None:
    """Say so of an excluded file indexed before: it stays until a run with prune."""
    kept = "; indexed before, it stays in the index until a run with --prune"
    by_path = {problem.path: n for n, problem in enumerate(found.excluded)}
    for source in filter(found.is_excluded, indexed):
        if source in by_path:
            n = by_path[source]
            found.excluded[n] = FileProblem(source, found.excluded[n].reason + kept)
        else:  # inside an excluded folder
            found.excluded.append(FileProblem(source, "in an excluded folder" + kept))


def _gone_from(source: str, scanned: list[Path]) -> bool:
    """Was `source` inside what this run scanned, and is it no longer there?"""
    path = Path(source)
    inside = any(path == top or path.is_relative_to(top) for top in scanned if top.is_dir())
    return inside and not path.is_file()


def missing_from_index(record: Record, held: set[str] | None) -> str:
    """Why a ledger row's chunks cannot be trusted to be in the index ("" when they are)."""
    if held is None:
        return ""
    missing = sum(1 for chunk_id in record.chunk_ids if chunk_id not in held)
    if not missing:
        return ""
    return f"{missing} of {len(record.chunk_ids)} chunks missing from the index"
