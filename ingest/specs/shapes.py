"""Facts from structured text: `key: value` lines, spec-sheet rows and Markdown tables.

All readers work on one section's folded text and return `Found` facts with offsets into it;
the caller decides the car (from the scope at that offset) and the chunk.

- `key: value` lines: CSV records, "Length (inches): 188", "Power Output: 203 HP".
- spec-sheet rows as pypdf gives them: "Fuel tank capacity (l)  45", and rows with one figure
  per variant, "Max. Power  61 kW (83 PS) 88.3 kW (120 PS) 85 kW (116 PS)", matched to the
  engine header line above ("Kappa 1.2 l MPi Kappa 1.0 l Turbo GDi U2 1.5 l CRDi VGT").
- Markdown tables: attributes as the header row (one variant per row) or as the first column
  (one variant per column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.specs.numbers import quantities
from ingest.specs.values import Value, read, rpm_value
from ingest.specs.vocabulary import LWH, Attribute, DataSet, Hint, Vocabulary, unit_hint

_KEY_VALUE = re.compile(
    r"^[ \t]*(?:[-*•]\s+)?(?:\*\*)?(?P<label>[^:\n|]{1,70}?)(?:\*\*)?[ \t]*:[ \t]*(?:\*\*)?"
    r"(?P<value>[^\n]*?)[ \t]*$",
    re.MULTILINE,
)
_ENGINE = re.compile(r"(?<![\d.])\d\.\d\s*(?:l|litre|liter)(?![a-z])", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_MAX_LABEL_WORDS = 7


@dataclass(frozen=True, slots=True)
class Found:
    """A fact found in a section's folded text; `start:end` is its evidence."""

    attribute: str
    value: Value
    start: int
    end: int
    variant: str | None = None
    label: str = ""  # the label as written, for variant price lines


def key_values(
    vocab: Vocabulary, text: str, data_sets: list[DataSet] | None = None
) -> tuple[list[Found], list[tuple[int, int]]]:
    """`label: value` lines. Returns the facts and the spans of the lines they consumed.
    `data_sets`: known data files whose column units apply when a row has their columns."""
    out: list[Found] = []
    spans: list[tuple[int, int]] = []
    matches = list(_KEY_VALUE.finditer(text))
    units: dict[str, str] = {}
    if data_sets:
        present = {m.group("label").strip() for m in matches}
        for data_set in data_sets:
            if data_set.columns <= present:
                units = data_set.units
                break
    for m in matches:
        label = m.group("label")
        key = vocab.lookup(label)
        if key is None:
            continue
        if label.strip() in units:
            label = f"{label} ({units[label.strip()]})"
        spans.append((m.start(), m.end()))
        out.extend(
            _values_of(
                vocab,
                key,
                label,
                text,
                m.start("value"),
                m.end("value"),
                m.start("label"),
                m.end(),
                None,
                single=True,
            )
        )
    return out, spans


def _values_of(
    vocab: Vocabulary,
    key: str,
    label: str,
    text: str,
    start: int,
    end: int,
    ev_start: int,
    ev_end: int,
    variant: str | None,
    *,
    single: bool,
) -> list[Found]:
    # Data files repeat the same cells thousands of times: read each distinct one once.
    segment = text[start:end]
    cache_key = (key, label, segment, single)
    cached = _CACHE.get(cache_key)
    if cached is None:
        cached = _read_cell(vocab, key, label, segment, single)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[cache_key] = cached
    return [
        Found(attribute, _shift(value, start), ev_start, ev_end, variant)
        for attribute, value in cached
    ]


_CACHE: dict[tuple[str, str, str, bool], list[tuple[str, Value]]] = {}
_CACHE_SIZE = 20_000


def _shift(value: Value, offset: int) -> Value:
    rpm = (value.rpm[0] + offset, value.rpm[1] + offset) if value.rpm else None
    return Value(
        value.start + offset,
        value.end + offset,
        value.numbers,
        value.unit,
        value.normalized,
        value.normalized_unit,
        rpm,
    )


def _read_cell(
    vocab: Vocabulary, key: str, label: str, segment: str, single: bool
) -> list[tuple[str, Value]]:
    """The facts one label's cell holds, with offsets relative to the cell."""
    hint = unit_hint(label)
    if key == "LWH":
        return [
            (f.attribute, f.value) for f in _lwh(vocab, segment, 0, len(segment), 0, 0, hint, None)
        ]
    attr = vocab.attributes.get(key)
    if attr is None:
        return []
    values = read(attr, segment, 0, len(segment), hint, group_spaces=single)
    if len(values) != 1:
        return []  # several figures under one label: which is which is not said
    return [(f.attribute, f.value) for f in _with_rpm(attr, values[0], segment, 0, 0, None)]


def _with_rpm(
    attr: Attribute, value: Value, text: str, start: int, end: int, variant: str | None
) -> list[Found]:
    found = [Found(attr.key, value, start, end, variant)]
    if value.rpm is not None and attr.key in ("power", "torque"):
        rpm = rpm_value(text, *value.rpm)
        if rpm is not None:
            found.append(Found(f"{attr.key}_rpm", rpm, start, end, variant))
    return found


def _lwh(
    vocab: Vocabulary,
    text: str,
    start: int,
    end: int,
    ev_start: int,
    ev_end: int,
    hint: Hint | None,
    variant: str | None,
) -> list[Found]:
    from ingest.specs.units import MM, to_canonical

    found = [q for q in quantities(text, start, end) if q.is_list and len(q.numbers) == 3]
    if len(found) != 1:
        return []
    q = found[0]
    unit = q.unit or (hint.unit if hint else None) or MM
    out = []
    for key, number in zip(LWH, q.numbers, strict=True):
        attr = vocab.attributes[key]
        converted = to_canonical(number, unit, attr.dimension)
        if converted is None or not attr.plausible(converted[0]):
            return []
        value = Value(q.start, q.end, (number,), unit.symbol, round(converted[0], 4), converted[1])
        out.append(Found(key, value, ev_start, ev_end, variant))
    return out


def sheet_rows(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """Spec-sheet lines "Label  value [value …]" (PDF text), variants from the header above."""
    out: list[Found] = []
    variants: list[str] = []
    pending: tuple[str, str, int] | None = None  # a label alone on its line: (key, label, start)
    last: tuple[str, int] | None = None  # last power/torque row: (key, line start)
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if any(s <= start < e for s, e in skip) or not line.strip():
            continue
        header = _engine_header(line)
        if header:
            variants = header
            continue
        key, label, rest = _label_prefix(vocab, line)
        if key is None and pending is not None and not re.match(r"\s*@", line):
            key, label, ev_start = pending
            rest = start
        elif key is not None:
            rest, ev_start = start + rest, start
        else:
            if last is not None and re.match(r"\s*@", line):
                out.extend(_rpm_row(last[0], text, start, end, variants))
            pending = None
            continue
        was_pending, pending = rest == start, None
        if not re.search(r"\d", text[rest:end]):
            attr = vocab.attributes.get(key)
            if attr and attr.dimension != "text" and not text[rest:end].strip():
                pending = (key, label, start)  # "Max. Torque" alone; its figures follow
            continue
        if re.search(r"[A-Za-z\u4e00-\u9fff]", text[rest : rest + _lead(text, rest, end)]):
            continue  # words between label and figure: a sentence, not a sheet row
        if _wordy(text, rest, end):
            continue  # a sentence that starts with a label word, not a sheet row
        if was_pending and not re.search(r"\d\s*[A-Za-z/]", text[rest:end]):
            continue
        out.extend(_row(vocab, key, label, text, rest, end, ev_start, variants))
        last = (key, start) if key in ("power", "torque") else None
    return out


def _wordy(text: str, start: int, end: int) -> bool:
    """Whether more than a few letters are left once the figures are taken out."""
    rest = list(text[start:end])
    for q in quantities(text, start, end):
        rest[q.start - start : q.end - start] = [" "] * (q.end - q.start)
    return len(re.findall(r"[A-Za-z\u4e00-\u9fff]", "".join(rest))) > 6


def _lead(text: str, start: int, end: int) -> int:
    m = re.search(r"\d", text[start:end])
    return m.start() if m else end - start


def _row(
    vocab: Vocabulary,
    key: str,
    label: str,
    text: str,
    start: int,
    end: int,
    ev_start: int,
    variants: list[str],
) -> list[Found]:
    attr = vocab.attributes.get(key)
    if attr is None:
        return _values_of(vocab, key, label, text, start, end, ev_start, end, None, single=True)
    hint = unit_hint(label)
    if attr.dimension == "text":
        return []  # a text cell of a sheet row cannot be told from its neighbours
    values = read(attr, text, start, end, hint)
    if len(values) != max(len(variants), 1) and re.search(r"\d \d{3}(?!\d)", text[start:end]):
        cells = _spaced_cells(attr, text, start, end, hint, len(variants))
        values = cells or read(attr, text, start, end, hint, group_spaces=True)
    if len(values) == 1:
        return _with_rpm(attr, values[0], text, ev_start, end, None)
    rpms = _line_rpms(text, values[-1].end if values else end, end)
    if len(values) != len(variants) or not values:
        return []
    out: list[Found] = []
    for i, (value, variant) in enumerate(zip(values, variants, strict=True)):
        out.append(Found(attr.key, value, ev_start, end, variant))
        if len(rpms) == len(values) and attr.key in ("power", "torque"):
            out.append(Found(f"{attr.key}_rpm", rpms[i], ev_start, end, variant))
    return out


def _line_rpms(text: str, start: int, end: int) -> list[Value]:
    out = []
    for q in quantities(text, start, end):
        if q.unit is not None and q.unit.dimension == "rpm":
            value = rpm_value(text, q.start, q.end)
            if value is not None:
                out.append(value)
    return out


def _spaced_cells(
    attr: Attribute, text: str, start: int, end: int, hint: Hint | None, n: int
) -> list[Value]:
    """ "1 197 998 1 493" with three variants: the split into n plausible figures, if one."""
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", text[start:end])]
    if not groups or n < 2:
        return []
    best: list[list[tuple[int, int]]] = []

    def split(i: int, acc: list[tuple[int, int]]) -> None:
        if i == len(groups):
            if len(acc) == n:
                best.append(list(acc))
            return
        for j in range(i, len(groups)):
            if j > i and groups[j][1] - groups[j][0] != 3:
                break
            a, b = start + groups[i][0], start + groups[j][1]
            if j > i and text[start + groups[j - 1][1] : start + groups[j][0]] != " ":
                break
            acc.append((a, b))
            split(j + 1, acc)
            acc.pop()

    split(0, [])
    readings = []
    for spans in best:
        values = [read(attr, text, a, b, hint, group_spaces=True) for a, b in spans]
        if all(len(v) == 1 and v[0].normalized is not None for v in values):
            readings.append([v[0] for v in values])
    return readings[0] if len(readings) == 1 else []


def _rpm_row(key: str, text: str, start: int, end: int, variants: list[str]) -> list[Found]:
    rpms = [q for q in quantities(text, start, end) if q.unit and q.unit.dimension == "rpm"]
    names = variants if len(rpms) == len(variants) and len(rpms) > 1 else [None] * len(rpms)
    if len(rpms) != len(names) or (len(rpms) > 1 and names[0] is None):
        return []
    out = []
    for q, variant in zip(rpms, names, strict=True):
        value = rpm_value(text, q.start, q.end)
        if value is not None:
            out.append(Found(f"{key}_rpm", value, start, end, variant))
    return out


def _label_prefix(vocab: Vocabulary, line: str) -> tuple[str | None, str, int]:
    """The longest run of leading words that is a known label: (key, label, offset after)."""
    words = list(_WORD.finditer(line))
    for n in range(min(_MAX_LABEL_WORDS, len(words)), 0, -1):
        label = line[: words[n - 1].end()]
        if re.search(r"\d", label) and not re.search(r"[(\[][^)\]]*\d", label):
            # a label never holds a figure, except a unit hint "(cm3)", "(in $1,000)"
            if not re.fullmatch(r"0\s*-\s*(?:100|60)[^\d]*", label.strip()):
                continue
        key = vocab.lookup(label)
        if key is not None:
            return key, label, words[n - 1].end()
    return None, "", 0


def _engine_header(line: str) -> list[str]:
    """ "Kappa 1.2 l MPi Kappa 1.0 l Turbo GDi U2 1.5 l CRDi VGT" → the three engines."""
    matches = list(_ENGINE.finditer(line))
    if len(matches) < 2 or re.search(r"\d\s*(?:kw|nm|ps|mm|r/min|rpm)\b", line, re.I):
        return []
    cuts = []
    for m in matches:
        before = line[: m.start()].rstrip()
        word = re.search(r"(\S+)$", before)
        cuts.append(
            word.start() if word and not re.fullmatch(r"[\d.,]+", word.group()) else m.start()
        )
    if cuts[0] > 0 and line[: cuts[0]].strip():
        return []
    parts = [line[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True)]
    return parts if all(parts) else []
