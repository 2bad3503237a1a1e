"""Facts from Markdown tables (HTML tables arrive as Markdown rows from the parser).

Attributes as the header row: each row is a variant, named by its descriptive cells (an EPA
configuration table gives "2018 · 2.5 L SemiAuto-8", with the drive, fuel or row number added
only where rows would otherwise share a name). Attributes as the first column: each further
column is a variant named by its header cell (no variant when there is one value column).
"""

from __future__ import annotations

import re

from ingest.specs.engine_rows import engine_row, newest_labels, newest_year, of_engine_row
from ingest.specs.row_labels import placed_label
from ingest.specs.shapes import Found, values_of, within
from ingest.specs.values import Value
from ingest.specs.vocabulary import Vocabulary

_RULE = re.compile(r"^\|?\s*:?-{2,}")


def _cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's text in a `| a | b |` line, relative to the line."""
    spans = []
    bars = [i for i, c in enumerate(line) if c == "|"]
    if len(bars) < 2:
        return []
    for a, b in zip(bars, bars[1:], strict=False):
        raw = line[a + 1 : b]
        lead = len(raw) - len(raw.lstrip())
        spans.append((a + 1 + lead, a + 1 + len(raw.rstrip())))
    return spans


def tables(vocab: Vocabulary, text: str) -> tuple[list[Found], list[tuple[int, int]]]:
    """Facts of every pipe table in `text`, and the spans of the table lines."""
    out: list[Found] = []
    spans: list[tuple[int, int]] = []
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in [*text.split("\n"), ""]:
        if line.lstrip().startswith("|"):
            lines.append((pos, line))
        elif lines:
            out.extend(_table(vocab, text, lines))
            spans.append((lines[0][0], lines[-1][0] + len(lines[-1][1])))
            lines = []
        pos += len(line) + 1
    return out, spans


def _table(vocab: Vocabulary, text: str, lines: list[tuple[int, str]]) -> list[Found]:
    rows = [(pos, line, _cells(line)) for pos, line in lines if not _RULE.match(line.strip())]
    if len(rows) < 2:
        return []
    _, head_line, head_cells = rows[0]
    labels = [head_line[a:b] for a, b in head_cells]
    dated, older = newest_labels(labels)  # "| Grade | 2026 price | 2025 price |": this year's
    keys = [None if i in older else vocab.lookup(label) for i, label in enumerate(dated)]
    if sum(k is not None for k in keys) >= 2 or (
        keys[0] is None and any(keys) and _named_rows(vocab, rows[1:])
    ):
        return _by_row(vocab, text, rows, dated, keys)
    return _by_column(vocab, text, rows, labels)


Row = tuple[int, str, list[tuple[int, int]]]  # line offset, line, cell spans


def _named_rows(vocab: Vocabulary, body: list[Row]) -> bool:
    """Whether each row's first cell names a row, none an attribute ("| Forester 2.5i |
    $37,490 |"): a table of rows under one attribute's column, not of attributes."""
    firsts = [line[c[0][0] : c[0][1]].strip() if c else "" for _, line, c in body]
    return len(body) > 1 and all(f and vocab.lookup(f) is None for f in firsts)


def _by_row(
    vocab: Vocabulary, text: str, rows: list[Row], labels: list[str], keys: list[str | None]
) -> list[Found]:
    body = rows[1:]
    names = _row_names(body, labels, keys)
    out: list[Found] = []
    for (pos, line, cells), name in zip(body, names, strict=True):
        if name is not None and len(cells) > 1 and keys[1] is None:
            out += _powertrain_cell(vocab, text, pos, line, cells[1], name)
        for (a, b), label, key in zip(cells, labels, keys, strict=False):
            if key is None or a == b:
                continue
            out.extend(
                values_of(
                    vocab,
                    key,
                    label,
                    text,
                    pos + a,
                    pos + b,
                    pos,
                    pos + len(line),
                    name,
                    single=True,
                )
            )
    return out


def _row_names(body: list[Row], labels: list[str], keys: list[str | None]) -> list[str | None]:
    rows = []
    for _, line, cells in body:
        row = {k: line[a:b].strip() for (a, b), k in zip(cells, keys, strict=False) if k}
        if labels[0].strip() == "#" and cells:
            row["#"] = line[cells[0][0] : cells[0][1]].strip()
        rows.append(row)
    firsts = [(line[c[0][0] : c[0][1]].strip() or None) if c else None for _, line, c in body]
    named = all(f and re.search(r"[^\W\d_]", f) for f in firsts)  # not a "#" column
    if keys[0] is None and len(body) > 1 and named and len(set(firsts)) == len(firsts):
        return firsts  # a column naming each row ("Aurora X5 1.5T") beats a made-up name
    if keys[0] is None and len(body) > 1 and named and (pairs := _with_second(body, keys)):
        return pairs  # "| Curvv | 1.2 turbo-petrol |", "| Curvv | 1.5 diesel |": the two cells
    names = configuration_names(rows)
    if names is not None:
        return names
    if keys[0] is None:
        return firsts if len(body) > 1 else [None]
    return [None] * len(body)


def _with_second(body: list[Row], keys: list[str | None]) -> list[str | None] | None:
    """Each row's first two cells as its name, where the first repeats over rows (a model
    with several powertrains) and the second, under no attribute's header, tells them apart
    with words ("1.2 Revotron turbo-petrol", "45 kWh"; not a column of counts)."""
    if len(keys) < 2 or keys[1] is not None:
        return None
    names: list[str | None] = []
    for _, line, cells in body:
        if len(cells) < 2:
            return None
        first, second = (line[a:b].strip() for a, b in cells[:2])
        if not re.search(r"[^\W\d_]", second):
            return None
        names.append(f"{first} {second}")
    return names if len(set(names)) == len(names) else None


# a powertrain cell opening with its engine's size ("1.2 Revotron turbo-petrol") or a battery
_SIZED = re.compile(r"(\d\.\d)(?:\s*(?:l|litres?|liters?))?\s+[A-Za-z]", re.IGNORECASE)
_BATTERY = re.compile(r"\d+(?:\.\d+)?\s*kWh\b")


def _powertrain_cell(
    vocab: Vocabulary, text: str, pos: int, line: str, cell: tuple[int, int], name: str
) -> list[Found]:
    """What a row's naming cell under no attribute's header says of its powertrain (the
    second cell `_with_second` names rows by): the engine size it opens with, or a battery's
    kWh, of the row's version."""
    a, b = cell
    written = line[a:b]
    found = []
    if (sized := _SIZED.match(written)) is not None and "displacement" in vocab.attributes:
        end = pos + a + sized.end(1)
        found += values_of(
            vocab, "displacement", "Displacement (L)", text, pos + a, end, pos, pos + len(line),
            name, single=True,
        )  # fmt: skip
    if (battery := _BATTERY.search(written)) is not None and "battery_capacity" in vocab.attributes:
        found += values_of(
            vocab, "battery_capacity", "Battery", text, pos + a + battery.start(),
            pos + a + battery.end(), pos, pos + len(line), name, single=True,
        )  # fmt: skip
    return found


def configuration_names(rows: list[dict[str, str]]) -> list[str | None] | None:
    """Names for engine configurations (rows with a displacement and a transmission):
    "2.5 L SemiAuto-8", plus the drive, the fuel or the row number only where needed to
    tell rows apart. None when the rows are not configurations."""
    if not rows or not all("displacement" in r and "transmission" in r for r in rows):
        return None
    names = [f"{r['displacement']} L {r['transmission']}".strip() for r in rows]
    for extra in ("drive", "fuel_type", "#"):
        groups: dict[str, set[tuple[tuple[str, str], ...]]] = {}
        values: dict[str, set[str]] = {}
        for name, row in zip(names, rows, strict=True):
            groups.setdefault(name, set()).add(tuple(sorted(row.items())))
            values.setdefault(name, set()).add(row.get(extra, ""))
        names = [
            n
            + (
                f" {'#' if extra == '#' else ''}{r[extra]}"
                if len(groups[n]) > 1 and len(values[n]) > 1 and r.get(extra)
                else ""
            )
            for n, r in zip(names, rows, strict=True)
        ]
    return list(names)


def _by_column(vocab: Vocabulary, text: str, rows: list[Row], labels: list[str]) -> list[Found]:
    variants, dropped = newest_year([label.strip() or None for label in labels[1:]])
    out: list[Found] = []
    engines: dict[str, list[str | None]] = {}  # an engine row's label → each column's engine
    for pos, line, cells in rows[1:]:
        if not cells:
            continue
        label = line[cells[0][0] : cells[0][1]]
        # "Cargo volume, behind 2nd row": a row label's head names its attribute, and the
        # row it names is the place of its figures
        placed = placed_label(vocab, label)
        key = placed[0] if placed else vocab.lookup(label) or vocab.lookup(label.split(",", 1)[0])
        values = cells[1:]
        named = engine_row(vocab, label, [line[a:b] for a, b in values])
        if named is not None:
            engines[" ".join(label.split()).casefold()] = named
            out += _engine_cells(vocab, text, pos, line, values, named, dropped)
            continue
        row_engines, key = of_engine_row(vocab, label, engines, key)
        if key is None:
            continue
        for i, (a, b) in enumerate(values):
            if a == b or i in dropped:
                continue
            variant = variants[i] if len(values) > 1 and i < len(variants) else None
            variant = within(variant, placed[1] if placed else None)
            if row_engines and i < len(row_engines) and row_engines[i]:
                variant = row_engines[i]
            out.extend(
                values_of(
                    vocab,
                    key,
                    label,
                    text,
                    pos + a,
                    pos + b,
                    pos,
                    pos + len(line),
                    variant,
                    single=True,
                )
            )
    return out


def _engine_cells(
    vocab: Vocabulary,
    text: str,
    pos: int,
    line: str,
    values: list[tuple[int, int]],
    names: list[str | None],
    dropped: set[int],
) -> list[Found]:
    """An engine row's cells ("3.0L Hurricane I6, 420 hp"): the engine, and the output its
    cell gives after the name, each of the engine its cell names."""
    out: list[Found] = []
    for i, ((a, b), name) in enumerate(zip(values, names, strict=False)):
        if name is None or i in dropped:
            continue
        end = pos + a + len(name)
        out.append(Found("engine", Value(pos + a, end, ()), pos, pos + len(line), name))
        for key in ("power", "torque"):
            out += values_of(
                vocab, key, key, text, end, pos + b, pos, pos + len(line), name, single=True
            )
    return out
