"""Facts from Markdown tables (HTML tables arrive as Markdown rows from the parser).

Attributes as the header row: each row is a variant, named by its descriptive cells (an EPA
configuration table gives "2018 · 2.5 L SemiAuto-8", with the drive, fuel or row number added
only where rows would otherwise share a name). Attributes as the first column: each further
column is a variant named by its header cell (no variant when there is one value column).
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found, _values_of
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


def tables(vocab: Vocabulary, text: str, year: str) -> tuple[list[Found], list[tuple[int, int]]]:
    """Facts of every pipe table in `text`, and the spans of the table lines."""
    out: list[Found] = []
    spans: list[tuple[int, int]] = []
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in [*text.split("\n"), ""]:
        if line.lstrip().startswith("|"):
            lines.append((pos, line))
        elif lines:
            out.extend(_table(vocab, text, lines, year))
            spans.append((lines[0][0], lines[-1][0] + len(lines[-1][1])))
            lines = []
        pos += len(line) + 1
    return out, spans


def _table(vocab: Vocabulary, text: str, lines: list[tuple[int, str]], year: str) -> list[Found]:
    rows = [(pos, line, _cells(line)) for pos, line in lines if not _RULE.match(line.strip())]
    if len(rows) < 2:
        return []
    head_pos, head_line, head_cells = rows[0]
    labels = [head_line[a:b] for a, b in head_cells]
    keys = [vocab.lookup(label) for label in labels]
    if sum(k is not None for k in keys) >= 2:
        return _by_row(vocab, text, rows, labels, keys, year)
    return _by_column(vocab, text, rows, labels)


def _by_row(vocab, text, rows, labels, keys, year) -> list[Found]:  # type: ignore[no-untyped-def]
    body = rows[1:]
    names = _row_names(body, labels, keys, year)
    out: list[Found] = []
    for (pos, line, cells), name in zip(body, names, strict=True):
        for (a, b), label, key in zip(cells, labels, keys, strict=False):
            if key is None or a == b:
                continue
            out.extend(_values_of(vocab, key, label, text, pos + a, pos + b, pos,
                                  pos + len(line), name, single=True))
    return out


def _row_names(body, labels, keys, year) -> list[str | None]:  # type: ignore[no-untyped-def]
    def cell(row: tuple[int, str, list[tuple[int, int]]], key: str) -> str:
        if key not in keys:
            return ""
        i = keys.index(key)
        cells = row[2]
        return row[1][cells[i][0] : cells[i][1]].strip() if i < len(cells) else ""

    if "displacement" in keys and "transmission" in keys:
        base = []
        for row in body:
            displ = cell(row, "displacement")
            parts = [p for p in (year, f"{displ} L" if displ else "", cell(row, "transmission")) if p]
            base.append(" · ".join(parts[:1]) + (" · " + " ".join(parts[1:]) if len(parts) > 1 else ""))
        for extra in ("drive", "fuel_type"):
            if len(set(base)) == len(base):
                break
            counts = {b: base.count(b) for b in base}
            base = [b + (" " + cell(r, extra) if counts[b] > 1 and cell(r, extra) else "")
                    for b, r in zip(base, body, strict=True)]
        if len(set(base)) != len(base):
            first = labels[0].strip()
            base = [b + (f" · #{r[1][r[2][0][0]:r[2][0][1]].strip()}" if first == "#" else "")
                    for b, r in zip(base, body, strict=True)]
        return base if len(set(base)) == len(base) else [None] * len(body)
    if keys[0] is None:
        names = [row[1][row[2][0][0] : row[2][0][1]].strip() or None for row in body]
        return names if len(body) > 1 else [None]
    return [None] * len(body)


def _by_column(vocab, text, rows, labels) -> list[Found]:  # type: ignore[no-untyped-def]
    variants = [label.strip() or None for label in labels[1:]]
    out: list[Found] = []
    for pos, line, cells in rows[1:]:
        if not cells:
            continue
        label = line[cells[0][0] : cells[0][1]]
        key = vocab.lookup(label)
        if key is None:
            continue
        values = cells[1:]
        for i, (a, b) in enumerate(values):
            if a == b:
                continue
            variant = variants[i] if len(values) > 1 and i < len(variants) else None
            out.extend(_values_of(vocab, key, label, text, pos + a, pos + b, pos,
                                  pos + len(line), variant, single=True))
    return out
