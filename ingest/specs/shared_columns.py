"""A data row's column that holds one of several attributes, its cell's unit saying which
(`shared_cells`).

A dealer's stock list or a mixed model list puts fuel and electric cars in one sheet, so one
column serves two attributes: `综合油耗/CLTC续航` holds `6.4L/100km` in a fuel car's row and
`430km` in an electric car's, `动力` (powertrain) a displacement (`2.0L`) or a battery
(`50.03kWh`). The vocabulary knows no such label, and should not: which attribute a cell is
depends on the cell. A column counts when its name is parts parted by `/` that each name an
attribute (`油耗/续航`), or names the powertrain; a cell is read when exactly one of those
attributes reads it as one figure covering the whole cell. A cell that two attributes could
read, or none whole (`1.5T 169马力`), gives nothing: a column the reader cannot map with
confidence gives fewer facts, not wrong ones.
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found, row_trim, stripped_span, values_of
from ingest.specs.vocabulary import Vocabulary

_LINE = re.compile(r"^(?P<label>[^:\n]{1,40}): (?P<value>[^\n]+)$", re.MULTILINE)
# a column naming the powertrain: its cell is an engine's size, a battery's or a motor's power
_POWERTRAIN = re.compile(r"动力|动力总成|动力系统|powertrain|power ?unit", re.IGNORECASE)
_POWERTRAIN_KEYS = ("displacement", "battery_capacity", "power")
_PARTS = re.compile(r"\s*[/／]\s*")


def shared_cells(vocab: Vocabulary, text: str, taken: list[tuple[int, int]]) -> list[Found]:
    """The figures of a data row's (`text`'s) shared columns, outside the lines `taken` by
    the row's other readers, each of the version the row names in a column of its own."""
    out: list[Found] = []
    if "/" not in text and "／" not in text and _POWERTRAIN.search(text) is None:
        return out  # no shared column (most rows of most data files)
    lines = list(_LINE.finditer(text))
    variant = row_trim(lines)
    for m in lines:
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        keys = _candidates(vocab, m.group("label").strip())
        if not keys:
            continue
        cell = stripped_span(text, *m.span("value"))
        whole = [
            found
            for key, label in keys
            if (found := _whole(vocab, key, label, text, cell, m.span(), variant))
        ]
        if len(whole) == 1:
            out += whole[0]
    return out


def _candidates(vocab: Vocabulary, label: str) -> list[tuple[str, str]]:
    """(attribute, label part) pairs a shared column may hold: none for any other column."""
    if _POWERTRAIN.fullmatch(label):
        return [(key, "") for key in _POWERTRAIN_KEYS]
    parts = _PARTS.split(label)
    if len(parts) < 2:
        return []
    keys = [(vocab.lookup(part), part) for part in parts]
    named = [(key, part) for key, part in keys if key is not None]
    if len(named) < len(parts) or len({key for key, _ in named}) < len(named):
        return []  # a part that names nothing, or two parts one attribute: not such a column
    return named


def _whole(
    vocab: Vocabulary,
    key: str,
    label: str,
    text: str,
    cell: tuple[int, int],
    line: tuple[int, int],
    variant: str | None,
) -> list[Found]:
    """`key`'s reading of the cell when it is one figure spanning the whole cell, else []."""
    found = values_of(vocab, key, label, text, *cell, *line, variant, single=True)
    if len(found) != 1 or (found[0].value.start, found[0].value.end) != cell:
        return []
    return found
