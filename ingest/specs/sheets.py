"""Spec-sheet rows as pypdf gives them: "Label  value [value …]".

"Fuel tank capacity (l)  45" is one value; "Max. Power  61 kW (83 PS) 88.3 kW (120 PS) 85 kW
(116 PS)" is one value per variant, matched in order to the variant header line above it
("Kappa 1.2 l MPi Kappa 1.0 l Turbo GDi U2 1.5 l CRDi VGT", "Feature FWD Model AWD Model"),
or, on a page with no header above its rows, below them (pypdf may give a table's header
row last, as on the Creta brochure's spec page).
A row whose figures cannot be told apart gives nothing, and no sentence reader reads it again.
"""

from __future__ import annotations

import re

from ingest.specs.cells import cell_row, split_cells
from ingest.specs.numbers import quantities
from ingest.specs.shapes import Found, values_of, with_rpm
from ingest.specs.values import Value, read, rpm_value
from ingest.specs.vocabulary import Attribute, Hint, Vocabulary, unit_hint

_ENGINE = re.compile(r"(?<![\d.])\d\.\d\s*(?:l|litre|liter)(?![a-z])", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_FIRST = re.compile(r"\s*([A-Za-z0-9]+|[\u4e00-\u9fff]+)")
_MAX_LABEL_WORDS = 7


def sheet_rows(
    vocab: Vocabulary, text: str, skip: list[tuple[int, int]]
) -> tuple[list[Found], list[tuple[int, int]]]:
    """Spec-sheet lines "Label  value [value …]" (PDF text), variants from the header above.
    Returns the facts and the spans of the rows read, also those left unread because their
    figures could not be told apart: no sentence reader may take a figure from them."""
    out: list[Found] = []
    rows: list[tuple[int, int]] = []
    variants: list[str] = []
    below = _Below(text)  # header lines, for rows no header precedes
    pending: tuple[str, str, int] | None = None  # a label alone on its line: (key, label, start)
    last: tuple[str, int] | None = None  # last power/torque row: (key, line start)
    consumed = 0  # the end of the lines a row with cells continued onto
    topic: str | None = None  # the attribute a group heading line names ("DRIVE & TRANSMISSION")
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if start < consumed or any(s <= start < e for s, e in skip) or not line.strip():
            continue
        header, fuels = _header_line(vocab, line, start)
        if header:
            variants = header
            out.extend(fuels)
            continue
        key, label, rest = label_prefix(vocab, line)
        group, topic = _group_topic(vocab, line, key, topic)
        if group is not None:
            key, label, rest = group
        if key is None and pending is not None and not re.match(r"\s*@", line):
            key, label, ev_start = pending
            rest = start
        elif key is not None:
            rest, ev_start = start + rest, start
        else:
            if last is not None and re.match(r"\s*@", line):
                out.extend(_rpm_row(last[0], text, start, end, variants or below.names(start)))
                rows.append((start, end))
            pending = None
            continue
        was_pending, pending = rest == start, None
        names = variants or below.names(start)
        aligned = _aligned(vocab, key, label, text, rest, end, ev_start, names)
        if aligned is not None:
            found, until = aligned
            out.extend(found)
            rows.append((ev_start, until))
            consumed = until
            last = (key, start) if key in ("power", "torque") else None
            continue
        if not re.search(r"\d", text[rest:end]):
            attr = vocab.attributes.get(key)
            if attr and attr.dimension != "text" and not text[rest:end].strip():
                pending = (key, label, start)  # "Max. Torque" alone; its figures follow
            continue
        if _sentence(text, rest, end, was_pending=was_pending, counted=_counted(vocab, key)):
            continue
        out.extend(_row(vocab, key, label, text, rest, end, ev_start, names))
        rows.append((ev_start, end))
        last = (key, start) if key in ("power", "torque") else None
    return out, rows


# "Type  5MT/5AMT  5MT" under "DRIVE & TRANSMISSION": a row whose label only says which of
# the group's properties it gives; a group heading: a short line of words, no figure
_GENERIC_LABEL = re.compile(r"\s*type(?=\s)", re.IGNORECASE)
_GROUP_LINE = re.compile(r"\s*[A-Za-z][A-Za-z &/,-]{1,40}")
_GROUP_JOIN = re.compile(r"\s*(?:&|/|,|\band\b)\s*", re.IGNORECASE)
# what a "Type" row's cells look like for the text attributes a group heading may name
_SHAPES = {
    "transmission": re.compile(
        r"\d\s*-?\s*speed|\b\d*(?:A?MT|AT|CVT|e-?CVT|DCT|DSG|IVT)\b|manual|automatic", re.I
    ),
    "drive": re.compile(r"\b(?:[24]WD|AWD|FWD|RWD|4x[24])\b|wheel[- ]drive", re.I),
    "fuel_type": re.compile(r"\b(?:petrol|diesel|gasoline|electric|cng|lpg|hybrid)\b", re.I),
}
_ANY = re.compile(r"\S")


def _group_topic(
    vocab: Vocabulary, line: str, key: str | None, topic: str | None
) -> tuple[tuple[str, str, int] | None, str | None]:
    """The (key, label, offset after it) of a "Type" row under a group heading that names
    its attribute, and the group heading in force after `line`."""
    if key is None and topic is not None:
        generic = _GENERIC_LABEL.match(line)
        rest = line[generic.end() :] if generic is not None else ""
        fits = [k for k in topic.split() if _SHAPES.get(k, _ANY).search(rest)]
        if generic is not None and len(fits) == 1:
            return (fits[0], generic.group().strip(), generic.end()), topic
    if _GROUP_LINE.fullmatch(line) and len(line.split()) <= 4:
        keys = [vocab.lookup(part) for part in _GROUP_JOIN.split(line.strip())]
        named = [k for k in keys if k in vocab.attributes]
        return None, " ".join(named) or None  # "DRIVE & TRANSMISSION": either
    return None, topic if key is None else None


def _counted(vocab: Vocabulary, key: str) -> re.Pattern[str] | None:
    """The nouns a count attribute's figures may be followed by ("7-8 passengers")."""
    attr = vocab.attributes.get(key)
    if attr is None or attr.dimension != "count":
        return None
    nouns = [w for w, k in vocab.labels.items() if k == key and " " not in w]
    return re.compile(r"\b(?:" + "|".join(map(re.escape, nouns)) + r")\b", re.I) if nouns else None


def _sentence(
    text: str, rest: int, end: int, *, was_pending: bool, counted: re.Pattern[str] | None = None
) -> bool:
    """Whether what follows a line's label is prose rather than a row's figures."""
    if re.search(r"[A-Za-z\u4e00-\u9fff]", text[rest : rest + _lead(text, rest, end)]):
        return True  # words between label and figure: a sentence, not a sheet row
    if _wordy(text, rest, end, counted):
        return True  # a sentence that starts with a label word, not a sheet row
    return was_pending and not re.search(r"\d\s*[A-Za-z/]", text[rest:end])


def _aligned(
    vocab: Vocabulary,
    key: str,
    label: str,
    text: str,
    rest: int,
    end: int,
    ev_start: int,
    names: list[str],
) -> tuple[list[Found], int] | None:
    """A row whose cells gaps keep apart, one per column (`cells.py`): its facts and where
    it ends (after the indented lines that continue its last cell); None for other rows."""
    attr = vocab.attributes.get(key)
    if attr is None or len(names) < 2 or rest == ev_start:
        return None
    cells = split_cells(text, rest, end)
    if len(cells) != len(names) or not all(_CELL_START.match(text, a) for a, _ in cells):
        return None
    until = end
    while until < len(text):
        nxt = text.find("\n", until + 1)
        nxt = len(text) if nxt < 0 else nxt
        line = text[until + 1 : nxt]
        if not line[:1].isspace() or label_prefix(vocab, line)[0]:
            break
        if not any(v.unit for v in read(attr, text, until + 1, nxt, unit_hint(label))):
            break  # "@ 4 200 r/min …": the row's engine speeds, not more of its figures
        until = nxt
    cells[-1] = (cells[-1][0], until) if until > end else cells[-1]
    return cell_row(attr, label, text, cells, (ev_start, until), names), until


# a cell holds a figure, a dash for "not available", or names what its figures are for
_CELL_START = re.compile(r"\d|[-–—](?:\s|$)|[A-Za-z][A-Za-z ]{0,20}:\s*\d")


_FUEL_WORD = re.compile(r"(?i)(?:^|\s)(petrol|diesel|gasoline|cng|lpg)(?=\s|$|[A-Z])")


def _header_line(vocab: Vocabulary, line: str, start: int) -> tuple[list[str], list[Found]]:
    """A variant header line's names, and the fuels its engine names state."""
    engines = _engine_header(line)
    if engines and "fuel_type" in vocab.attributes:
        return engines, _header_fuels(line, start, engines)
    return engines or _column_header(line), []


def _header_fuels(line: str, start: int, names: list[str]) -> list[Found]:
    """ "1.5l MPi petrol 1.5l U2 CRDi diesel": an engine column's name states its fuel."""
    out = []
    at = 0
    for name in names:
        at = line.find(name, at)
        fuel = _FUEL_WORD.search(name)
        if at < 0 or fuel is None:
            at = max(at, 0)
            continue
        a = start + at + fuel.start(1)
        out.append(
            Found("fuel_type", Value(a, a + len(fuel.group(1))), start, start + len(line), name)
        )
        at += len(name)
    return out


class _Below:
    """The header lines of a text, read once and only when a row needs them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.headers: list[tuple[int, list[str]]] | None = None

    def names(self, at: int) -> list[str]:
        if self.headers is None:
            self.headers = _headers(self.text)
        return _next(self.headers, at)


def _headers(text: str) -> list[tuple[int, list[str]]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        header = _engine_header(line) or _column_header(line)
        if header:
            out.append((start, header))
    return out


def _next(headers: list[tuple[int, list[str]]], at: int) -> list[str]:
    """The names of the first header line below `at`."""
    return next((names for start, names in headers if start > at), [])


def _wordy(text: str, start: int, end: int, counted: re.Pattern[str] | None = None) -> bool:
    """Whether more than a few letters are left once the figures (and the nouns a count's
    figures name, `counted`) are taken out."""
    rest = list(text[start:end])
    for q in quantities(text, start, end):
        rest[q.start - start : q.end - start] = [" "] * (q.end - q.start)
    left = "".join(rest)
    left = counted.sub(" ", left) if counted else left
    return len(re.findall(r"[A-Za-z\u4e00-\u9fff]", left)) > 6


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
        return values_of(vocab, key, label, text, start, end, ev_start, end, None, single=True)
    hint = unit_hint(label)
    if attr.dimension == "text":
        return []  # a text cell of a sheet row cannot be told from its neighbours
    values = read(attr, text, start, end, hint)
    if len(values) != max(len(variants), 1) and re.search(r"\d \d{3}(?!\d)", text[start:end]):
        cells = _spaced_cells(attr, text, start, end, hint, len(variants))
        values = cells or read(attr, text, start, end, hint, group_spaces=True)
    if len(values) == 1:
        return with_rpm(attr, values[0], text, ev_start, end, None)
    rpms = _line_rpms(text, values[-1].end if values else end, end)
    if len(values) != len(variants) or not values:
        return []
    out: list[Found] = []
    own = all(v.rpm is not None for v in values)  # "70 PS @ 4000 rpm 85 PS @ 6000 rpm"
    for i, (value, variant) in enumerate(zip(values, variants, strict=True)):
        if own:
            out.extend(with_rpm(attr, value, text, ev_start, end, variant))
            continue
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


def label_prefix(vocab: Vocabulary, line: str) -> tuple[str | None, str, int]:
    """The longest run of leading words that is a known label: (key, label, offset after)."""
    first = _FIRST.match(line)
    if first is None or not vocab.may_start_label(first.group(1)):
        return None, "", 0
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


_COLUMNS_WORD = re.compile(
    r"^\s*(?:feature|features|specification|specifications|spec|variant|dimensions|"
    r"variants|trim|trims|version|items?|parameters?)\s+",
    re.IGNORECASE,
)


def _column_header(line: str) -> list[str]:
    """ "Feature FWD Model AWD Model" → ["FWD Model", "AWD Model"]."""
    m = _COLUMNS_WORD.match(line)
    if m is None or re.search(r"\d\s*(?:kw|nm|ps|mm|hp)\b", line, re.I):
        return []
    rest = line[m.end() :].strip()
    parts = [p for p in re.split(r"\s{2,}", rest) if p]
    if len(parts) >= 2:
        return parts
    fuels = rest.split()
    if len(fuels) >= 2 and all(_FUEL_WORD.fullmatch(" " + w) for w in fuels):
        return fuels  # "Parameter Diesel Petrol": one fuel per column
    words = rest.split()
    repeated = [w for w in dict.fromkeys(words) if words.count(w) >= 2 and w[0].isalpha()]
    if len(words) >= 4 and len(repeated) == 1:
        names: list[str] = []
        current: list[str] = []
        for word in words:
            if names and not current and word.startswith("("):
                names[-1] += " " + word  # "Hybrid Models (HEV)"
                continue
            current.append(word)
            if word == repeated[0]:
                names.append(" ".join(current))
                current = []
        return names if not current and len(names) >= 2 else []
    return []


def _engine_header(line: str) -> list[str]:
    """ "Kappa 1.2 l MPi Kappa 1.0 l Turbo GDi U2 1.5 l CRDi VGT" → the three engines."""
    matches = list(_ENGINE.finditer(line))
    if len(matches) < 2 or re.search(r"\d\s*(?:kw|nm|ps|mm|r/min|rpm)\b", line, re.I):
        return []
    cuts = []
    sized = matches[0].start() == 0  # "1.5l MPi petrol 1.5l U2 CRDi diesel": names open with a size
    for m in matches:
        if sized:
            cuts.append(m.start())
            continue
        before = line[: m.start()].rstrip()
        word = re.search(r"(\S+)$", before)
        cuts.append(
            word.start() if word and not re.fullmatch(r"[\d.,]+", word.group()) else m.start()
        )
    if cuts[0] > 0 and line[: cuts[0]].strip():
        return []
    parts = [line[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True)]
    parts = [_GLUED.sub("", part) for part in parts]
    return parts if all(parts) else []


# The table's corner cell glued to a name by pypdf: "1.5l MPi petrolItems"
_GLUED = re.compile(r"(?<=[a-z])(?:Items?|Features?|Specifications?|Variants?)$")


def column_names(text: str, before: int) -> list[str]:
    """The variant names of the nearest column header line above `before` in `text`, else
    of the first one below it (a header pypdf gave after its rows)."""
    end = before
    while end > 0:
        start = text.rfind("\n", 0, end - 1) + 1
        line = text[start : end - 1] if text[end - 1 : end] == "\n" else text[start:end]
        header = _engine_header(line) or _column_header(line)
        if header:
            return header
        end = start
    return _next(_headers(text), before)
