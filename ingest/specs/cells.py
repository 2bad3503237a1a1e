"""Spec-sheet rows whose cells pypdf keeps apart: "Label  cell  cell", one per column.

pypdf leaves a run of two or more spaces where a PDF table leaves a gap between cells
("Boot Space (L) 318*  -", "Kerb Weight (kg) 925-955 (MT), 940-960 (AMT)  1020-1035 (MT)").
When a row splits so into exactly as many cells as the column header above it names, each
cell is its column's: a dash is "not available" (nothing), a cell with several figures
gives each the qualifier in brackets after it ("(MT)", "(CNG Mode)") or the name before it
("Petrol: 37, CNG: 55"), and a unit written once at the cell's end covers its figures. An
indented line with no label of its own continues the row's last cell. A row that does not
split into one cell per column is left to the sheet reader; a cell whose figures cannot be
told apart gives nothing.
"""

from __future__ import annotations

import re

from ingest.specs.conditions import qualified
from ingest.specs.shapes import Found, stripped_span, with_rpm
from ingest.specs.values import Value, read
from ingest.specs.vocabulary import Attribute, Hint, read_hint, unit_hint

_GAP = re.compile(r"[ \t]{2,}")
# "Petrol: 37, CNG: 55": figures each after the name of what they are for
_NAMED = re.compile(r"(?P<name>[A-Za-z][A-Za-z .\-]{0,20}?)\s*:\s*")
_TRAILING_UNIT = re.compile(r"(?P<u>[A-Za-z][A-Za-z/]{0,8})[*^#]*\s*$")


def split_cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The cells of `text[start:end]` where runs of two or more spaces part them."""
    cells = []
    at = start
    for gap in _GAP.finditer(text, start, end):
        if text[at : gap.start()].strip():
            cells.append((at, gap.start()))
        at = gap.end()
    if text[at:end].strip():
        cells.append((at, end))
    return [stripped_span(text, a, b) for a, b in cells]


def cell_row(
    attr: Attribute,
    label: str,
    text: str,
    cells: list[tuple[int, int]],
    evidence: tuple[int, int],
    columns: list[str],
) -> list[Found]:
    """The facts of a row already split into one cell per column."""
    hint = unit_hint(label)
    out: list[Found] = []
    for (a, b), column in zip(cells, columns, strict=True):
        out += _cell(attr, text, a, b, hint, column, evidence)
    return out


def _cell(
    attr: Attribute,
    text: str,
    a: int,
    b: int,
    hint: Hint | None,
    column: str,
    evidence: tuple[int, int],
) -> list[Found]:
    if attr.dimension != "text" and not re.search(r"\d", text[a:b]):
        return []  # "-": not available in this column
    named = [
        m
        for m in _NAMED.finditer(text, a, b)
        if m.start() == a or text[a : m.start()].rstrip().endswith((",", ";", "/"))
    ]
    if named and named[0].start() == a and attr.dimension != "text":
        out: list[Found] = []
        for m, stop in zip(named, [*(n.start() for n in named[1:]), b], strict=True):
            values = _values(attr, text, m.end(), stop, hint)
            if len(values) != 1:
                return []
            variant = _joined(column, m.group("name"))
            out += with_rpm(attr, values[0], text, *evidence, variant)
        return out
    values = _values(attr, text, a, b, hint)
    if not values:
        return []
    if attr.dimension == "text":
        return [Found(attr.key, v, *evidence, column) for v in values[:1]]
    qualifiers = qualified(values, text, b)
    if len(values) > 1 and None in qualifiers:
        return []  # several figures in one cell, which is which unsaid
    out = []
    for value, qualifier in zip(values, qualifiers, strict=True):
        out += with_rpm(attr, value, text, *evidence, _joined(column, qualifier))
    return out


def _values(attr: Attribute, text: str, a: int, b: int, hint: Hint | None) -> list[Value]:
    """The cell's figures; a unit its last word names covers those written without one
    ("22.35 (MT), 22.94 (AMT) km/l")."""
    values = read(attr, text, a, b, hint)
    if attr.dimension == "text" or hint is not None or any(v.unit for v in values):
        return values
    tail = _TRAILING_UNIT.search(text, a, b)
    written = read_hint(tail.group("u")) if tail else None
    if tail is None or written is None:
        return values
    return [v for v in read(attr, text, a, b, written) if v.end <= tail.start()]


def _joined(column: str, name: str | None) -> str:
    """ "PETROL" and "MT" → "PETROL MT"; a name that repeats its column adds nothing."""
    if not name or name.casefold() in column.casefold():
        return column
    return f"{column} {name}"
