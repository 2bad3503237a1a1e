"""Lines `topic：prose` read as prose, not as one figure for the line's label.

An owner's note numbers its topics ("1️⃣价格：增程版15.58万起，纯电版16.98万起", "2️⃣尺寸：车长
4915mm，宽1905mm…"): the line's value is a run of Chinese clauses, each with its own label or
version, not one figure for the topic. The parser calls a block of such lines a record, and
the `label: value` reader takes a line whose topic is a label ("价格", "续航") whole. A
Chinese line whose value holds two clauses or more with a figure is left to the prose
readers, and a record whose lines are mostly such runs is read as text.
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found

_LINE = re.compile(r"^[^:\n]{1,14}:(?P<value>[^\n]+)$", re.M)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CLAUSES = re.compile(r"[,，;；]")
_RUN_CLAUSE = re.compile(r"[\u4e00-\u9fff][^\d]*\d|\d[^,，;；]*[\u4e00-\u9fff]")


def _run(value: str) -> bool:
    return sum(1 for c in _CLAUSES.split(value) if _RUN_CLAUSE.search(c)) >= 2


def prose_lines(text: str) -> bool:
    """Whether most `key：value` lines of a record's (folded) `text` are runs of clauses."""
    if not _CJK.search(text):
        return False  # a data file's row
    lines = [m.group("value") for m in _LINE.finditer(text)]
    return len(lines) >= 3 and 2 * sum(map(_run, lines)) > len(lines)


def without_runs(
    text: str, found: list[Found], spans: list[tuple[int, int]]
) -> tuple[list[Found], list[tuple[int, int]]]:
    """The `label: value` facts and spans of `text` but those of lines that are runs of
    Chinese clauses."""
    runs = [(a, b) for a, b in spans if (m := _LINE.match(text, a, b)) and _run(m.group("value"))]
    if not runs:
        return found, spans
    kept = [f for f in found if not any(a <= f.start < b for a, b in runs)]
    return kept, [s for s in spans if s not in runs]
