"""Facts from `key: value` lines, and reading one label's value, which the other readers
(`tables.py`, `sheets.py`, `prose.py`) share.

All readers work on one section's folded text and return `Found` facts with offsets into it;
the caller decides the car (from the scope at that offset) and the chunk. `key: value` lines:
CSV records, "Length (inches): 188", "Power Output: 203 HP" (under a variant heading such as
"2.5L 4-Cylinder Gasoline Engine" or "**All-Wheel Drive (AWD):**").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.specs.bracket_cells import bracket_pairs
from ingest.specs.charging import CHARGING, LINE_LABELS, charging_cell
from ingest.specs.conditions import alternatives, narrows, qualified, without_asides
from ingest.specs.numbers import joined_list, quantities
from ingest.specs.ordered import economy_cell
from ingest.specs.row_labels import placed_label
from ingest.specs.units import MM, to_canonical
from ingest.specs.values import Value, read, rpm_value
from ingest.specs.vocabulary import (
    LWH,
    Attribute,
    DataSet,
    Hint,
    Vocabulary,
    unit_hint,
)

_PAGE_REFERENCE = re.compile(r"[^\n]*(?:\.{3,}|…+)[ \t]*\d{1,4}[ \t]*$")
# "Length: 188", and a window sticker's or dealer sheet's leader "FUEL TANK ....... 14.8 GAL"
KEY_VALUE = re.compile(
    r"^[ \t]*(?:[-*•]\s+|·\s*|\d\ufe0f?\u20e3\s*)?"  # "1️⃣价格：…", a keycap's number
    r"(?:\*\*)?(?P<label>(?:[^:\n|.…]|\.(?!\.\.)){1,70}?)(?:\*\*)?[ \t]*"
    r"(?::|\.{3,}|…+)[ \t]*(?:\*\*)?(?P<value>[^\n]*?)[ \t]*$",
    re.MULTILINE,
)


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
    matches = list(KEY_VALUE.finditer(text))
    units: dict[str, str] = {}
    columns: dict[str, str] = {}
    if data_sets:
        present = {m.group("label").strip() for m in matches}
        for data_set in data_sets:
            if data_set.columns <= present:
                units, columns = data_set.units, data_set.attributes
                break
    headings = [] if data_sets else _unlabelled(vocab, variant_headings(text))
    trim = row_trim(matches) if data_sets is not None else None
    if headings:
        out.extend(_heading_displacements(vocab, text, headings))
    for m in matches:
        if _PAGE_REFERENCE.match(m.group()):
            continue  # "Airbags ........ 17": a table of contents' page number
        label = m.group("label")
        key = columns.get(label.strip()) or _line_key(vocab, label, m.group("value"))
        qualifier = None
        placed = None if key else placed_label(vocab, label)  # "CARGO BEHIND 2ND ROW"
        if placed is not None:
            key, qualifier = placed
        if key is None and "," in label:  # "Maximum price, premium version (in $1,000)"
            head, _, qualifier = label.partition(",")
            key = vocab.lookup(head + "".join(re.findall(r"\([^)]*\)", qualifier)))
        if key is None:
            continue
        variant = _heading_at(headings, m.start()) or (
            qualifier if placed else _qualifier(key, label, qualifier)
        )
        variant = within(trim, variant) if trim else variant
        if label.strip() in units:
            label = f"{label} ({units[label.strip()]})"
        spans.append((m.start(), m.end()))
        pairs = _pairs(vocab, key, label, m)
        for key_of, label_of, a, b in pairs:
            out.extend(
                values_of(
                    vocab,
                    key_of,
                    label_of,
                    text,
                    a,
                    b,
                    m.start("label"),
                    m.end(),
                    variant,
                    single=True,
                )
            )
    return out, spans


# a line naming the car's motors or powertrain, whose value may say its drive
_POWERTRAIN_LABEL = re.compile(r"motors?|powertrain|drive ?train|layout", re.IGNORECASE)
_DRIVE_PHRASE = re.compile(
    r"\b(?:front|rear|all|four)[- ]wheel[- ]drive\b|\b(?:AWD|FWD|RWD|4WD)\b", re.IGNORECASE
)


def _line_key(vocab: Vocabulary, label: str, value: str) -> str | None:
    """The attribute a line's label names; a bare "Charging:" only over figures on its line
    (`charging.py` names each by its current or window), not as a heading of lines below."""
    key = vocab.lookup(label)
    if key is None and re.search(r"\d", value):
        key = LINE_LABELS.get(label.strip().lower())
    if key is None and _POWERTRAIN_LABEL.fullmatch(label.strip()) and _DRIVE_PHRASE.search(value):
        key = "drive"  # "Motor: single, front-mounted; front-wheel drive": its drive
    return key


def _pairs(
    vocab: Vocabulary, key: str, label: str, m: re.Match[str]
) -> list[tuple[str, str, int, int]]:
    """(key, label, value start, value end) of a `key: value` line, and of each further pair
    after a semicolon ("Length: 4,588 mm; wheelbase: 2,764 mm")."""
    drive = _DRIVE_PHRASE.search(m.string, m.start("value"), m.end("value"))
    if key == "drive" and drive and vocab.lookup(label) is None:  # the drive a "Motor:" names
        return [(key, label, drive.start(), drive.end())]
    pairs = [(key, label, m.start("value"), m.end("value"))]
    for more in _NEXT_PAIR.finditer(m.string, m.start("value"), m.end("value")):
        if (more_key := vocab.lookup(more.group("label"))) is not None:
            pairs[-1] = (*pairs[-1][:3], more.start())
            pairs.append((more_key, more.group("label"), more.start("value"), more.end()))
    return pairs


_NEXT_PAIR = re.compile(r";[ \t]*(?P<label>[A-Za-z][^:;\n]{1,30}):[ \t]*(?P<value>[^;\n]+)")


# A data row's column naming the row's trim or version ("Trim: LX", "Grade", "Variant")
TRIM_COLUMN = re.compile(
    r"(?:trim(?: level| name)?|grade|variant|version|edition|package|configuration|derivative"
    r"|版本|车款)",
    re.I,
)


def row_trim(matches: list[re.Match[str]]) -> str | None:
    """The trim a data row names in a column of its own: the variant of its figures."""
    named = (m for m in matches if TRIM_COLUMN.fullmatch(m.group("label").strip()))
    return next((v for m in named if (v := m.group("value").strip())), None)


# A line naming an engine, drive or trim that the `key: value` lines below it describe:
# "2.5L 4-Cylinder Gasoline Engine", "Hybrid Powertrain", "**Front-Wheel Drive (FWD):**".
# Chinese version names that need no 版: a drive, a motor count or a range class ("四驱",
# "双电机", "长续航"); the version-naming patterns of `around`, `respective`, `subjects`
ZH_VERSION_WORDS = "两驱|四驱|前驱|后驱|单电机|双电机|标准续航|长续航|超长续航"
VARIANT_CUE = re.compile(
    r"\d\.\d\s*-?\s*(?:l|liter|litre)\b(?!\s*/)|\b(?:hybrid|engine|powertrain|fwd|awd|rwd|4wd|2wd|"
    r"wheel drive|trim|edition|(?:dc|ac|fast|level\s*\d)\b[\w\s-]{0,12}charging)\b",
    re.IGNORECASE,
)
_HEADING_TEXT = re.compile(
    r"^[ \t]*(?:#+\s*)?(?:\*\*)?(?P<name>[^\n]{2,60}?)(?:\*\*)?:?(?:\*\*)?[ \t]*$"
)


# "Min.Price", "Midrange price": which of a car's prices a label means
_PRICE_RANK = re.compile(r"\b(min(?:imum)?|max(?:imum)?|mid-?range)\b", re.IGNORECASE)
_NAMES_VARIANT = re.compile(r"\b(?:version|model|trim|variant|edition)\b", re.IGNORECASE)


def _qualifier(key: str, label: str, qualifier: str | None) -> str | None:
    """The variant a label names after its attribute ("…, basic version"), or the rank of a
    price ("Min.Price" → "Min")."""
    if qualifier is not None:
        qualifier = re.sub(r"\([^)]*\)", "", qualifier).strip()
        if qualifier and _NAMES_VARIANT.search(qualifier):
            return qualifier
    rank = _PRICE_RANK.search(label) if key == "price" else None
    return rank.group(1) if rank else None


def variant_headings(text: str) -> list[tuple[int, str | None]]:
    """(offset, variant) where a variant's block starts, or None where a heading of
    something else ends the previous one ("Key Features")."""
    out: list[tuple[int, str | None]] = []
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if not line.strip() or (":" in line and not line.rstrip(" *").endswith(":")):
            continue  # blank, or a key: value line
        if "..." in line or "…" in line:
            continue  # a key ....... value line
        if re.match(r"\s*[-•|]\s|\s*\*\s", line):
            continue  # a list item describes, it does not name a variant; a table row's cells
        m = _HEADING_TEXT.match(line)
        if m is None or re.search(r"[.!?。]\s*$", m.group("name")):
            continue  # a sentence
        name = _SPECS_WORD.sub("", m.group("name").strip(" *:"))  # "Hybrid Specifications"
        cue = bool(name) and VARIANT_CUE.search(name) is not None and len(name.split()) <= 8
        if _TOPIC_ONLY.fullmatch(name.strip()):
            cue = False  # "POWERTRAIN", "Engine & Transmission": a form's topic, no variant
        if len(_SIZES.findall(name)) > 1:
            cue = False  # "Model/type 1.05L REVOTORQ 1.2L REVOTRON": a row of engines
        cue = cue or ZH_VERSION_HEAD.search(name) is not None
        out.append((start, name if cue else None))
    return out


# "智己LS6 后驱标准续航Pro版" over "售价：21.99万元" lines: a Chinese version's name alone on its
# line (a version word at its end, no clause of a sentence in it)
ZH_VERSION_HEAD = re.compile(r"^[^，,；;。:]{0,24}[\u4e00-\u9fffA-Za-z0-9)）](?:版本|版|车型|型)$")
_TOPIC_ONLY = re.compile(
    r"(?:engines?|powertrains?|trims?|editions?)(?:\s*(?:&|and|/)\s*[a-z]+)?", re.IGNORECASE
)
_SPECS_WORD = re.compile(r"\s+(?:specifications|specs|details|overview)$", re.IGNORECASE)
_SIZES = re.compile(r"(?<![\d.])\d\.\d{1,2}\s*-?\s*(?:l|litre|liter)(?![a-z])", re.I)
_DISPLACEMENT = re.compile(r"(?<![\d.])\d\.\d\s*-?\s*(?:l|litre|liter)(?![a-z])", re.I)


def _unlabelled(
    vocab: Vocabulary, headings: list[tuple[int, str | None]]
) -> list[tuple[int, str | None]]:
    """A heading-like line that starts with a label ("Displacement 1,498 cc (1.5 L)", "Fuel
    economy (WLTP combined) 5.9 L/100km": a PDF row whose colon the layout dropped) is a
    figure's row, not a variant's name."""
    return [
        (start, None if name and any(a == 0 for a, _ in vocab.find_labels(name)) else name)
        for start, name in headings
    ]


def _heading_displacements(
    vocab: Vocabulary, text: str, headings: list[tuple[int, str | None]]
) -> list[Found]:
    """ "2.5L 4-Cylinder Gasoline Engine" states the displacement of the variant it names."""
    out: list[Found] = []
    for start, name in headings:
        if name is None:
            continue
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        m = _DISPLACEMENT.search(text, start, line_end)
        if m is None:
            continue
        out.extend(
            values_of(
                vocab,
                "displacement",
                "",
                text,
                m.start(),
                m.end(),
                start,
                line_end,
                name,
                single=True,
            )
        )
    return out


_KEY_LINE = re.compile(r"[ \t]*[A-Z][^:\n]{1,30}:[ \t]")  # "Key Feature: Up to ~42 miles …"


def headed(text: str, found: list[Found]) -> list[Found]:
    """`found` (read from sentences) with the variant heading over a `key: value` line a
    figure of no variant is on ("Toyota Prius Prime (Plug-in Hybrid)" / "Key Feature: Up to
    ~42 miles of all-electric range"), as the block's labelled lines have it."""
    if not any(f.variant is None for f in found):
        return found
    headings: list[tuple[int, str | None]] | None = None
    out = []
    for f in found:
        line_start = text.rfind("\n", 0, f.start) + 1
        if f.variant is None and _KEY_LINE.match(text, line_start):
            headings = variant_headings(text) if headings is None else headings
            f = replace(f, variant=_heading_at(headings, line_start))
        out.append(f)
    return out


def _heading_at(headings: list[tuple[int, str | None]], offset: int) -> str | None:
    variant = None
    for start, name in headings:
        if start > offset:
            break
        variant = name
    return variant


def values_of(
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
    cache_key = (id(vocab), key, label, segment, single)
    cached = _CACHE.get(cache_key)
    if cached is None:
        cached = _read_cell(vocab, key, label, segment, single)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[cache_key] = cached
    return [
        Found(attribute, _shift(value, start), ev_start, ev_end, within(variant, qualifier))
        for attribute, value, qualifier in cached
    ]


def within(variant: str | None, qualifier: str | None) -> str | None:
    if qualifier is None:
        return variant
    return f"{variant} {qualifier}" if variant and not narrows(variant, qualifier) else qualifier


_CACHE: dict[tuple[int, str, str, str, bool], list[tuple[str, Value, str | None]]] = {}
_BARE_SIZE = re.compile(r"\s*\d\.\d\s*[LT]\s*", re.IGNORECASE)  # an engine cell that is its size
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
) -> list[tuple[str, Value, str | None]]:
    """The facts one label's cell holds, with offsets relative to the cell, each with the
    qualifier that tells it from the cell's other figures ("302 horsepower (2025)")."""
    hint = unit_hint(label)
    if key == "LWH":
        found = _lwh(vocab, segment, 0, len(segment), 0, 0, hint, None)
        return [(f.attribute, f.value, None) for f in found]
    attr = vocab.attributes.get(key)
    if attr is None:
        return []
    if key.startswith("fuel_economy"):
        economies = economy_cell(key, label, segment, hint)
        if economies:
            return economies
    if key in CHARGING:
        split = charging_cell(vocab, label, segment)
        if split:
            return split
    values = read(attr, segment, 0, len(segment), hint, group_spaces=single)
    if key == "engine" and not values and _BARE_SIZE.fullmatch(segment):
        return _read_cell(vocab, "displacement", label, segment, single)  # "| 发动机 | 1.5L |"
    values = without_asides(segment, values)  # "(2025)", "(as tested £29,090)"
    if (pairs := bracket_pairs(label, segment, values)) is not None:  # "150 (110)"
        return [(f.attribute, f.value, q) for v, q in pairs for f in with_rpm(attr, v, segment)]
    if attr.dimension == "text" and len(values) == 1:
        values = alternatives(key, values[0], segment)
        if len(values) > 1:
            return [(key, v, None) for v in values]
    qualifiers = qualified(values, segment, len(segment)) if len(values) > 1 else [None]
    if not values or (len(values) > 1 and None in qualifiers):
        return []  # several figures under one label: which is which is not said
    return [
        (f.attribute, f.value, qualifier)
        for value, qualifier in zip(values, qualifiers, strict=True)
        for f in with_rpm(attr, value, segment, 0, 0, None)
    ]


def with_rpm(
    attr: Attribute,
    value: Value,
    text: str,
    start: int = 0,
    end: int = 0,
    variant: str | None = None,
) -> list[Found]:
    found = [Found(attr.key, value, start, end, variant)]
    if value.rpm is not None and attr.key in ("power", "torque"):
        rpm = rpm_value(text, *value.rpm, bare=True)
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

    found = [q for q in quantities(text, start, end) if q.is_list and len(q.numbers) == 3]
    joined = None if found else joined_list(text, start, end)
    found = [joined] if joined is not None else found
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


def stripped_span(text: str, start: int, end: int) -> tuple[int, int]:
    """`text[start:end]`'s span without the whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
