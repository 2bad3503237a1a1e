"""Cars a table names in its model column: a maker's results release or price list sets
one model (or one model and powertrain) per row under a "Model" header ("| Model |
Powertrain | Power | …", then "| Kylaq | 1.0 turbo-petrol | …"), the make written once
in its title or prose ("… Motors reports Q2 results"). A first cell that is a line of a make
the document writes (the gazetteer, `ingest.specs.lines`) names that make's car, as a dated
heading does (`line_cars`); so does one the line's name starts, joined by a dot or a hyphen
("Kylaq.ev": that car's electric version). A table whose first column is headed otherwise
("Rival", "Trim") names no car this way, nor a model column of a make the text never writes.

A comparison table heads its columns (or its rows) with makes and model lines, trims after
them ("| Parameter | Renault Kiger RXT | Nissan Magnite XV |"): a header cell that opens with
a make (after a model year) and a line of that make (`header_cars`) names that car, whatever
the title says; the words after the line are its trim (`ingest.specs.columns`).
"""

from __future__ import annotations

import re

from ingest.specs.cars import GAP, CarIndex
from ingest.specs.lines import Line

_TABLE_LINE = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.MULTILINE)
_RULE = re.compile(r"^[\s|:-]+$")
_MODEL_HEAD = re.compile(r"(?:make\s*(?:and|&|/)\s*)?(?:model|car|vehicle)s?", re.IGNORECASE)
_JOINED = re.compile(r"([A-Za-z0-9]+)[.-][a-z]+$")  # "Kylaq.ev", "Kona-e"
_YEAR = re.compile(r"(?:19|20)\d\d[ \t]+")  # a header's model year before its make

Named = tuple[str, str, str]  # (brand id, make as the index names it, model as written)


def column_cars(index: CarIndex, texts: list[str]) -> list[Named]:
    """(brand, make, line's name) of the cars the model columns of the tables in `texts` name
    (see the module's docstring)."""
    out: list[Named] = []
    cells = [cell for text in texts if "|" in text for cell in _model_cells(text)]
    if not cells:
        return out
    brands = sorted({h.brand for t in texts for h in index.find(t) if h.brand and not h.car})
    for cell in cells:
        for brand in brands:
            line = _line(index, brand, cell)
            if line is not None:
                out.append((brand, index.brand_names[brand], line.name))
                break
    return out


def header_cars(index: CarIndex, texts: list[str]) -> list[Named]:
    """(brand, make as written, line's name) of the cars the header cells of the tables in
    `texts` name by make and line ("Nissan Magnite XV", "2026 Kia Seltos HTX")."""
    out: list[Named] = []
    for text in texts:
        if "|" in text:
            for cell in _header_cells(text):
                named = _made_line(index, cell)
                if named is not None and named not in out:
                    out.append(named)
    return out


def _made_line(index: CarIndex, cell: str) -> Named | None:
    """The make and line a header cell opens with, if it opens with a make of no listed car."""
    year = _YEAR.match(cell)
    at = year.end() if year else 0
    hits = index.find(cell)
    if not hits or hits[0].start != at or hits[0].car is not None:
        return None
    hit = hits[0]
    gap = GAP.match(cell, hit.end)
    start = gap.end() if gap else hit.end
    found = index.lines.after(hit.brand, cell, start)
    if found is None or start == hit.end:
        return None  # "Kia's": no line after the make
    # the line's own name: a "Pro" after it is a trim's word here ("VW ID.4 Pro S")
    return hit.brand, cell[hit.start : hit.end].strip(), found[1].name


def _header_cells(text: str) -> list[str]:
    """The cells of each table's header row but its first, and the first cells of its body."""
    cells: list[str] = []
    table: list[list[str]] = []
    for line in [*text.split("\n"), ""]:
        m = _TABLE_LINE.match(line)
        if m is not None:
            if not _RULE.match(m.group(1)):
                table.append([c.strip() for c in m.group(1).split("|")])
            continue
        if len(table) > 1:
            cells += table[0][1:] + [row[0] for row in table[1:]]
        table = []
    return cells


def _model_cells(text: str) -> list[str]:
    """The first cells of the body rows of each table headed by a model column."""
    cells: list[str] = []
    table: list[str] = []
    for line in [*text.split("\n"), ""]:
        m = _TABLE_LINE.match(line)
        if m is not None:
            if not _RULE.match(m.group(1)):
                table.append(m.group(1).split("|")[0].strip())
            continue
        if len(table) > 2 and _MODEL_HEAD.fullmatch(table[0]):
            cells += table[1:]
        table = []
    return cells


def _line(index: CarIndex, brand: str, cell: str) -> Line | None:
    """The line of `brand` the cell is, whole or joined to a suffix ("Kylaq.ev")."""
    found = index.lines.after(brand, cell, 0)
    if found is not None and found[0] == len(cell):
        return found[1]
    joined = _JOINED.fullmatch(cell)
    return index.lines.line(brand, joined.group(1)) if joined else None
