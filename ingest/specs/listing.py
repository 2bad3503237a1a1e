"""Rows of a fixed-width listing, each about the car its model cell names (`listing_rows`).

A fleet guide, price list or inventory sets one car per line under a header and a ruler of
dashes ("-----  ---------------  -----"): each line's cells stand under the ruler's runs.
A cell that starts with a known make names the row's car; the car's name is the make and
the capitalised words after it ("Toyota Grand Highlander", not the listed "Highlander"),
up to the first word that names a version instead: a code ("LXS", "S", "XLE"), a
powertrain ("Hybrid") or a word with a digit ("2-Door"). The rest of the cell is the row's
trim, the variant of every figure on the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.specs.cars import CarIndex
from ingest.specs.counts import engine_parts
from ingest.specs.shapes import Found
from ingest.specs.values import Value
from ingest.specs.version_rows import row_cell
from ingest.specs.vocabulary import Vocabulary

_RULER = re.compile(r"^[ \t]*-{3,}(?:[ \t]+-{3,})+[ \t]*$", re.MULTILINE)
_RUN = re.compile(r"-{3,}")
_MODEL_WORD = re.compile(r"[A-Z][a-z]+")
# a row's cells: runs of text between commas or gaps of two spaces (a rate column after them)
_CELLS = re.compile(r"[^,\s](?:[^,\n]*?[^,\s])?(?=\s*,|\s{2,}|\s*$)", re.MULTILINE)
_LITRES = re.compile(r"(?<![\d.])\d\.\d\s*-?\s*(?:l|litres?|liters?)\b", re.IGNORECASE)
_POWERTRAIN = re.compile(r"hybrid|plug-in|phev|electric|diesel", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Row:
    start: int
    end: int
    car: str
    name: str
    trim: str | None
    after: int = 0  # where the model cell ends: the row's own figures follow


def listing_rows(index: CarIndex, text: str) -> list[Row]:
    """The rows of every ruled listing in `text` whose model cell names a car by its make."""
    out: list[Row] = []
    for ruler in _RULER.finditer(text):
        columns = [(m.start(), m.end()) for m in _RUN.finditer(ruler.group())]
        pos = ruler.end() + 1
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            line = text[pos:end]
            if not line.strip():
                break
            row = _row(index, line, columns)
            if row is not None:
                out.append(Row(pos, end, *row[:3], pos + row[3]))
            pos = end + 1
    return out


def _row(
    index: CarIndex, line: str, columns: list[tuple[int, int]]
) -> tuple[str, str, str | None, int] | None:
    for a, b in columns:
        while b < len(line) and not line[b].isspace():
            b += 1  # a name longer than its column runs on into the gap
        cell = line[a:b].strip()
        hits = [h for h in index.find(cell) if h.brand and h.start == 0]
        if not hits:
            continue
        make = cell[: hits[0].end] if hits[0].car is None else hits[0].name.split()[0]
        words = cell[len(make) :].split() if hits[0].car is None else cell.split()[1:]
        model: list[str] = []
        for word in words:
            if not _MODEL_WORD.fullmatch(word) or _POWERTRAIN.fullmatch(word):
                break
            model.append(word)
        if not model:
            return None
        car, name = index.car(make, " ".join(model))
        trim = " ".join(words[len(model) :]) or None
        return car, name, trim, b
    return None


def in_row(rows: list[Row], found: Found, names: dict[str, str]) -> tuple[Found, str | None]:
    """`found` with its row's trim when it names no variant, and its row's car (named in
    `names`), when it stands on a listing's row; else (`found`, None)."""
    row = next((r for r in rows if r.start <= found.start < r.end), None)
    if row is None:
        return found, None
    names.setdefault(row.car, row.name)
    return (replace(found, variant=row.trim) if found.variant is None else found), row.car


def row_cells(vocab: Vocabulary, text: str, rows: list[Row]) -> list[Found]:
    """The figures a row's comma list gives after its model cell ("2.0L 4cyl turbo, 201 hp,
    FWD, 28/37 mpg"): an engine's size and cylinders, and each cell a version row reads."""
    out: list[Found] = []
    for row in rows:
        for cell in _CELLS.finditer(text, row.after, row.end):
            a, b = cell.start(), cell.end()
            if _LITRES.search(text, a, b):
                engine = Found("engine", Value(a, b), row.start, row.end)
                out += engine_parts(vocab, text, engine)
            else:
                out += row_cell(vocab, text, a, b, (row.start, row.end), None)
    return out
