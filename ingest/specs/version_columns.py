"""A configuration sheet whose columns are versions (`sheet_columns`, `version_cells`).

A maker's configuration table exported as CSV puts the parameter in the first column and one
column per version: `参数,2025款 1.5L 手动风尚版,2025款 1.5L 自动豪华版`. `parse_file` renders
each row as a record section, `参数: 最大功率(kW)` and then `version: cell` lines, so the keys
of those lines are versions, not attributes, and the record reader finds nothing in them.

The shape is read from the document, not from its words: a CSV whose rows all open with the
same first column, whose other column names are no attribute label, and whose first cells
name attributes in at least two rows. Then each row's cells are that row's attribute, each
the figure of the version its column names (the row label carries the unit: `排量(mL)`,
`厂商指导价(万元)`). A cell of marks (`●` standard, `○` optional, `-` none, `标配`, `选装`)
says whether a version has a feature: no figure. A row holding one value where the sheet has
several versions (a merged cell: the value written once for all) is the car's, no version's.
An option's price row (`运动套件选装价格(元)`) prices an option, not the car. A sheet whose rows
name no car is about the car its title (its file name) names (`sheet_car`).

The other way round, a CSV whose rows are versions (`车型,厂商指导价(万元),最大功率(kW)` with
`朗逸 1.5L 自动新逸版,11.39,83`) and no make or model column: each row's figures are the
version its first cell names (`row_named`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.document import ParsedDocument
from ingest.specs.cars import CarIndex
from ingest.specs.scope import DocCars
from ingest.specs.shapes import TRIM_COLUMN, Found, values_of
from ingest.specs.vocabulary import Vocabulary

_LINE = re.compile(r"^(?P<key>[^:\n]{1,80}): (?P<value>[^\n]*)$", re.MULTILINE)
# cells that only mark a feature as standard, optional or absent
_MARKS = re.compile(
    r"[\s●○◎•·\-–—/／✓✔✗✕]*|标配|选装|选配|无|有|不支持|支持|暂无|未公布|N/?A", re.IGNORECASE
)
_BOTH_AXLES = re.compile(r"^前\s*[/／、]?\s*后")  # "前/后轮胎规格": front and rear alike
_OPTION = re.compile(r"选装|选配|套件|option", re.IGNORECASE)  # an option's price, not the car's
_MIN_ATTRIBUTE_ROWS = 2


def sheet_columns(vocab: Vocabulary, doc: ParsedDocument) -> tuple[str, ...]:
    """The version column names of a CSV whose columns are versions, else ()."""
    if doc.file_type != "csv" or len(doc.sections) < _MIN_ATTRIBUTE_ROWS:
        return ()
    first = ""
    columns: dict[str, None] = {}
    labelled = 0
    for section in doc.sections:
        lines = list(_LINE.finditer(section.text))
        if section.kind != "record" or not lines or first not in ("", lines[0].group("key")):
            return ()  # rows that open with different columns: no such sheet
        first = lines[0].group("key")
        new = [m.group("key") for m in lines[1:] if m.group("key") not in columns]
        if any(vocab.lookup(name) is not None for name in new):
            return ()  # attributes as columns: a data file's rows, read as records
        columns.update(dict.fromkeys(new))
        labelled += len(lines) > 1 and row_key(vocab, lines[0].group("value")) is not None
    if len(columns) < 2 or labelled < _MIN_ATTRIBUTE_ROWS:
        return ()
    return tuple(columns)


def row_key(vocab: Vocabulary, label: str) -> str | None:
    """The attribute a sheet row's label names; none for an option's price."""
    key = vocab.lookup(label) or vocab.lookup(_BOTH_AXLES.sub("", label.strip()))
    if key == "price" and _OPTION.search(label):
        return None
    return key


def version_cells(vocab: Vocabulary, text: str, columns: tuple[str, ...]) -> list[Found]:
    """The figures of one row (`参数: label`, then `version: cell` lines) of a sheet whose
    columns are `columns` (`sheet_columns`), each of its column's version."""
    lines = list(_LINE.finditer(text))
    if not columns or len(lines) < 2:
        return []
    label = lines[0].group("value")
    key = row_key(vocab, label)
    if key is None:
        return []
    cells = [m for m in lines[1:] if m.group("key") in columns]
    shared = len(cells) == 1 and len(columns) > 1  # one value written for every version
    out: list[Found] = []
    for m in cells:
        if _MARKS.fullmatch(m.group("value").strip()):
            continue
        variant = None if shared else m.group("key")
        start, end = m.span("value")
        out += values_of(vocab, key, label, text, start, end, 0, len(text), variant, single=True)
    return out


def sheet_car(
    index: CarIndex, doc: ParsedDocument, columns: tuple[str, ...], cars: DocCars
) -> None:
    """A version sheet (of `columns`) whose rows name no car is about the car its title (its
    file name: "朗逸配置表") names: `cars` gets it as the document's car."""
    if not columns or any(hit.car for s in doc.sections[:1] for hit in index.find(s.text)):
        return
    named = index.from_title(doc.title)
    if named and named[0]:
        cars.car, cars.names[named[0]], cars.multi = named[0], named[1], False


def rows_named(vocab: Vocabulary, doc: ParsedDocument, columns: tuple[str, ...]) -> bool:
    """Whether `doc` is a CSV whose rows are versions named by their first cell, its other
    columns attributes (not a version sheet: `columns` is empty)."""
    if columns or doc.file_type != "csv" or len(doc.sections) < 2:
        return False
    first = doc.sections[0]
    lines = list(_LINE.finditer(first.text))
    if first.kind != "record" or len(lines) < 3 or not first.heading_path:
        return False
    keys = [m.group("key") for m in lines]
    if any(_MAKE_MODEL.fullmatch(k.strip()) for k in keys) or vocab.lookup(keys[0]) is not None:
        return False  # a data file's make and model columns name each row's car
    if _ROW_ID.search(keys[0]) or any(TRIM_COLUMN.fullmatch(k.strip()) for k in keys):
        return False  # a stock list's: its first column numbers rows, a version column names
    named = sum(vocab.lookup(k) is not None for k in keys[1:])
    return named >= 2 and lines[0].group("value") == first.heading_path[0]


# a column of row numbers or codes (a stock number, a VIN): no version's name
_ROW_ID = re.compile(
    r"(?<!型)号$|序号|编码|代码|VIN|^(?:id|no\.?|#|stock(?: no\.?| number)?|s/?n)$", re.I
)
_MAKE_MODEL = re.compile(r"make|model|manufacturer|brand|品牌|厂商|厂家|生产厂商", re.IGNORECASE)


def row_named(
    found: list[tuple[Found, bool]], section_path: tuple[str, ...], on: bool
) -> list[tuple[Found, bool]]:
    """`found` of a row (`rows_named`), each of no version given the row's first cell."""
    if not on or not section_path:
        return found
    return [(f if f.variant else replace(f, variant=section_path[0]), p) for f, p in found]
