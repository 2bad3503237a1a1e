"""Facts a sentence states without a label: the figure's unit or the phrase's own grammar
names the attribute.

- A figure whose unit belongs to one attribute only: horsepower and PS are engine power,
  Nm and lb-ft torque, km/L, mpg and L/100km fuel economy, kWh a battery ("a 1.5 litre
  engine producing around 115 horsepower", "搭载86kWh电池"). kW is not among them (power or
  charging), nor km (range or length).
- A transmission or drive phrase: "a 6-speed manual", "7-speed dual clutch automatic",
  "CVT变速箱", "dual-motor AWD". An "N-speed" gearbox names itself; a bare CVT/DCT/AMT counts
  only in a sentence about the gearbox or the powertrain; a drive only where the sentence
  offers it ("available in RWD only", "featuring AWD", "dual-motor AWD").

Changes ("adds 20 hp") and figures other readers took are left alone, as in `prose.py`.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ingest.specs.counts import (
    CYLINDERS,
    count_facts,
    engine_sizes,
    heading_cylinders,
    stated_counts,
)
from ingest.specs.drive_checks import ON_SOME, WHEELS, drive_ok
from ingest.specs.engine_output import engine_kw
from ingest.specs.numbers import quantities
from ingest.specs.prose import modified
from ingest.specs.seats import seat_counts
from ingest.specs.shapes import Found, variant_headings, with_rpm
from ingest.specs.sheets import column_names, label_prefix
from ingest.specs.values import Value, compared, read
from ingest.specs.vocabulary import Vocabulary

# unit symbol → the one attribute a figure in it can be
UNIT_ATTRIBUTE = {
    "hp": "power",
    "PS": "power",
    "Nm": "torque",
    "lb-ft": "torque",
    "km/L": "fuel_economy_combined",
    "mpg": "fuel_economy_combined",
    "L/100km": "fuel_economy_combined",
    "km/kg": "fuel_economy_combined",
    "kWh": "battery_capacity",
    "MPGe": "electric_consumption",
}
_PROSE_UNITS = {"cc": "displacement"}  # "1197cc, three cylinders": cc size nothing else
_UNIT_CUE = re.compile(
    r"\d(?:\s*|-(?=h))(?:kw\b|cc\b|hp|bhp|ps|horsepower|n\s*[·.]?\s*m|lb[\s.-]*ft|pound[\s-]*feet|kwh(?!\s*/)|"
    r"km\s*/\s*(?:l|kg)|kmpl|kilomet(?:re|er)s?\s+(?:per|a)\s+(?:lit|kilo)|mpge?|l\s*/\s*100\s*km|马力|牛)",
    re.IGNORECASE,
)
# "paired with a 48-horsepower electric motor": the figure sizes the noun after it
_OF_MOTOR = re.compile(r"\s+(?:electric\s+|traction\s+)?motors?\b", re.IGNORECASE)
# "adds 20 hp", "提升了10kW", "up 15 Nm on the old engine", "half a tank"
_CHANGE = re.compile(
    r"(?:\b(?:adds?|adding|gains?|extra|additional|another|by|increased?|decreased?|up|down|"
    r"more|less|than|over the|compared)\s*(?:about|around|nearly|roughly|some|up to)?\s*|"
    r"(?:提升|提高|增加|降低|减少|多出|相比|比)了?(?:约|近)?\s*)$",
    re.IGNORECASE,
)
# a sentence giving the spread over several variants, not any one's figure
_SPREAD = re.compile(
    r"\bdepending on\b|\branges?\s+from\b|\bvar(?:y|ies)\s+(?:from|between)\b|视[^，。]{0,8}而定",
    re.IGNORECASE,
)
_RANGE_LOW = re.compile(r"\d[\d.,]*\s*(?:-|–|to)\s*$")
_PAREN_AFTER = re.compile(r"\s*[(（][^()（）\n]{1,24}[)）]")
_RESTATED = re.compile(
    r"\d[\w.,/@ ]{0,16}?\s(?:or|/|[(（=])\s*(?:approx\.?|about|around|~)?\s*$"
    r"|\d\s*[A-Za-z]{1,3}\s*[(（]\s*$",
    re.IGNORECASE,
)
_CONSUMPTION = re.compile(r"\b(?:city|highway|hwy|urban|extra[- ]urban|市区|市郊|高速)\b", re.I)

_NUMBER_WORD = r"(?:\d{1,2}|four|five|six|seven|eight|nine|ten)"
_GEARBOX = re.compile(
    rf"\b{_NUMBER_WORD}\s*-?\s*speed\s+(?:(?:dual|twin|double)[- ]clutch(?:\s+automatic)?|"
    r"torque[- ]converter(?:\s+automatic)?|automatic|manual|DCT|DSG|AMT|CVT|sequential)\b"
    r"|\d{1,2}速(?:湿式|干式)?(?:手动|自动|双离合|手自一体)(?:变速箱|变速器)?"
    r"|(?<![A-Za-z0-9./])\d{1,2}(?:AT|MT|DCT|WDCT)(?![A-Za-z0-9/])(?:变速箱|变速器)?"  # "8AT"
    # "Direct Shift-CVT无级变速器": a maker's name joined to the gearbox is part of it
    r"|(?<![A-Za-z0-9/])(?:[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?-(?=CVT))?"
    r"(?:e-?CVT|CVT|IVT|DCT|DSG|AMT)(?![A-Za-z0-9/])(?:\s+automatic)?"
    r"(?:(?:电子)?无级变速(?:箱|器)?|变速箱|变速器)?",  # "E-CVT电子无级变速"
    re.IGNORECASE,
)
_GEAR_CUE = re.compile(
    r"transmission|gearbox|gear|mated|paired|coupled|powertrain|变速箱|变速器|无级变速|动力组合|"
    r"匹配|搭配",
    re.IGNORECASE,
)
_DRIVE = re.compile(
    r"\b(?:(?:single|dual|twin|tri)[- ]motor\s+)?(?:AWD|RWD|FWD|4WD|2WD)\b(?:-e\b)?"
    rf"(?:\s*\({WHEELS}\))?"
    rf"|\b{WHEELS}\b(?:\s+or\s+{WHEELS}\b)?",  # "front-wheel drive or all-wheel drive"
    re.IGNORECASE,
)
# "两驱、四驱各4个配置版本", "前置前驱单电机布局", "后置单电机后轮驱动", "双电机全轮驱动"
_ZH_DRIVE = re.compile(
    r"(?:前置|后置|中置)?(?:[单双三]电机)?(?:前驱|后驱|两驱|四驱|全驱|(?:前|后|四|全)轮驱动)"
)
# "四驱版", "四驱驭领版": a drive opening a version's name ("四驱两种版本" counts, names none)
_ZH_NAMING = re.compile(r"(?<=[\u4e00-\u9fff])(?:\d|的[两三四\d]款)")
_OWN_VERSION = re.compile(r"(?:(?![的是在让使和与及为种个款一二两三四五])\w){0,6}?(?:版|车型|型)")
_ZH_SOME = re.compile(r"(?P<v>(?:部分|高配|顶配)(?:车型|版本|配置))[^，,。；;！？]{0,8}$")
_CLAUSE_STOP = re.compile(r"[。；;!?]|\.(?:\s|$)|\n\s*\n")
_ON_VARIANTS = re.compile(
    r"\b(?:on|in|for|with)\s+(?:the\s+|all\s+)?(?P<v>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+"
    r"(?:variants?|versions?|trims?|models?)\b",
    re.IGNORECASE,
)
# "depending on the engine and trim chosen": words that name no variant
_NOT_NAME = re.compile(  # nor a count of versions: "standard on all four versions"
    r"\b(?:and|or|engine|engines|each|every|other|some|most|higher|lower|all|both|"
    r"two|three|four|five|six|seven|eight|nine|ten)\b",
    re.I,
)
_SENTENCE = re.compile(r"[。！？；;!?]|\.(?:\s|$)|\n\s*\n")
# "iVT (Intelligent variable transmission)", "DCT (Dual-clutch transmission)": a legend
_SPELLED_OUT = re.compile(r"\s*[(（][^)）]{0,40}(?:transmission|gearbox|clutch)[)）]", re.I)
_GEAR_WORD = re.compile(r"\s+(?:transmission|gearbox)\b", re.IGNORECASE)
_BOTH = re.compile(r"([A-Za-z]+)\s+(?:and|&)\s+([A-Za-z]+)")
# "a CVT automatic (petrol)": the variant a parenthesis after the phrase names
_PAREN_VARIANT = re.compile(r"\s*[(（](?P<v>[A-Za-z][A-Za-z .\-]{1,24}|[\u4e00-\u9fff]{1,8})[)）]")


class Covered:
    """Whether an offset lies in one of many spans (merged once, then a binary search)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __call__(self, at: int) -> bool:
        i = bisect_right(self.starts, at) - 1
        return i >= 0 and at < self.ends[i]


def phrase_facts(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """Unit-named figures and gearbox/drive phrases in the sentences of `text`, outside the
    spans other readers took."""
    out: list[Found] = []
    covered = Covered(skip)
    for m in _UNIT_CUE.finditer(text):
        if covered(m.start()) or any(f.value.start <= m.start() < f.value.end for f in out):
            continue  # taken, or the high end of a range read whole ("17 km/l to 24 km/l")
        found = _unit_figure(vocab, text, m.start(), m.end())
        if found is not None and not any(f.value.start == found.value.start for f in out):
            attr = vocab.attributes[found.attribute]
            out += with_rpm(attr, found.value, text, found.start, found.end, None)
    lowered = text.lower()  # cheap tests first: most texts hold none of these phrases

    def has(*words: str) -> bool:
        return any(w in lowered for w in words)

    if "transmission" in vocab.attributes and has("speed", "cvt", "dct", "dsg", "amt", "ivt", "速"):
        out += _phrases(text, covered, _GEARBOX, "transmission", _gearbox_ok)
    if "drive" in vocab.attributes and has("awd", "rwd", "fwd", "4wd", "2wd", "wheel drive"):
        out += _phrases(text, covered, _DRIVE, "drive", drive_ok)
    if "drive" in vocab.attributes and "驱" in text:
        out += _phrases(text, covered, _ZH_DRIVE, "drive", _zh_drive_ok)
    sized = ("engine", "liter", "litre", "发动机", "增程器", "t+", "t动力")
    if "displacement" in vocab.attributes and has(*sized):
        out += engine_sizes(vocab, text, covered)
    if "seats" in vocab.attributes and has("座", "seat"):
        out += seat_counts(text, covered)
    if "cylinders" in vocab.attributes and has("cylinder"):
        rows, spans = _cell_rows(text, covered, CYLINDERS, "cylinders", whole=False, count=True)
        out += rows
        heads = heading_cylinders(text, _count_headings(text))
        out += heads
        covered = Covered([*skip, *spans, *((f.start, f.end) for f in heads)])
    out += [f for f in count_facts(text, covered) if f.attribute in vocab.attributes]
    out += stated_counts(vocab, text, covered)
    fuels = ("petrol", "diesel", "gasoline", "hybrid", "electric", "cng", "lpg")
    if "fuel_type" in vocab.attributes and has(*fuels):
        out += _cell_rows(text, covered, _FUEL, "fuel_type", whole=True)[0]
    return out


_FUEL = re.compile(r"\b(?:petrol|diesel|gasoline|electric|cng|lpg|hybrid)\b", re.IGNORECASE)


def _cell_rows(
    text: str,
    covered: Covered,
    pattern: re.Pattern[str],
    key: str,
    *,
    whole: bool,
    count: bool = False,
) -> tuple[list[Found], list[tuple[int, int]]]:
    """Spec-sheet rows of text cells (PDF text): a line made of several phrases of one kind,
    "5 - speed manual 6 - speed manual 6 - speed manual", "Petrol Petrol Diesel", one per
    column of the nearest column header above. A line indented and one cell short continues
    the row above with its first column empty ("  7 - speed DCT 6 - speed automatic").
    Returns the cells and the spans of all such rows, also those no header explains."""
    out: list[Found] = []
    rows: list[tuple[int, int]] = []
    by_line: dict[int, list[re.Match[str]]] = {}
    for m in pattern.finditer(text):
        by_line.setdefault(text.rfind("\n", 0, m.start()) + 1, []).append(m)
    for start, cells in by_line.items():
        if len(cells) < 2 or covered(start):
            continue
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end]
        if len(re.findall(r"[^\W\d_]+", pattern.sub(" ", line))) > (0 if whole else 1):
            continue
        rows.append((start, end))
        names = column_names(text, start)
        if len(cells) == len(names) - 1 and line[:1].isspace():
            names = names[1:]
        if len(cells) != len(names):
            continue
        for m, name in zip(cells, names, strict=True):
            number = re.match(r"\d+", m.group()) if count else None
            numbers = (float(number.group()),) if number else ()
            if count and not numbers:
                continue
            span = (m.start(), m.start() + len(m.group().split(",")[0]))
            out.append(Found(key, Value(*span, numbers), start, end, name))
    return out, rows


def _figure_start(text: str, at: int) -> int:
    """Where the figure whose unit cue starts at `at` starts, a range's low end included
    ("12-14L/100km")."""
    start = at
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".,"):
        start -= 1
    low = _RANGE_LOW.search(text, max(0, start - 16), start)
    return low.start() if low is not None else start


def _unit_figure(vocab: Vocabulary, text: str, at: int, cue_end: int) -> Found | None:
    start = _figure_start(text, at)
    found = [q for q in quantities(text, start, min(len(text), cue_end + 24)) if q.start <= at]
    if not found or found[0].unit is None or found[0].is_list:
        return None
    q = found[0]
    key = {**UNIT_ATTRIBUTE, **_PROSE_UNITS}.get(q.unit.symbol) if q.unit else None
    if q.unit is not None and q.unit.symbol == "kW" and engine_kw(text, q.start, q.end):
        key = "power"  # kW is power or charging; an engine's "produces 85 kW" is power
    attr = vocab.attributes.get(key) if key else None
    if attr is None or _CHANGE.search(text[max(0, q.start - 24) : q.start]):
        return None
    if compared(text, q.start, q.end):
        return None
    if key == "power" and _OF_MOTOR.match(text, q.end):
        return None  # "a 48-horsepower electric motor": a part's output, not the car's
    if _RESTATED.search(text[max(0, q.start - 30) : q.start]):
        return None  # "66 kW@6000 rpm or 89.7 PS": the same figure again, in another unit
    line = text[text.rfind("\n", 0, q.start) + 1 : q.start]
    key_of_line, _, after = label_prefix(vocab, line)
    if key_of_line is not None and not re.search(r"[A-Za-z]{3}|[\u4e00-\u9fff]{2}", line[after:]):
        return None  # a spec-sheet row: the labelled readers' business (not a wrapped sentence)
    if any(modified(vocab, line, m) for m in vocab.find_labels(line)):
        return None  # "Tightening Torque - 25 Nm": the figure of another quantity
    a, b = _sentence(text, q.start)
    if key == "fuel_economy_combined" and _CONSUMPTION.search(text, a, b):
        return None  # city or highway: the labelled readers' business
    if len(q.numbers) == 1 and _SPREAD.search(text, a, b):
        return None  # "… depending on variant": one end of a spread (the whole range is one)
    # "85 kW (116 PS) at 4,000 rpm": the restatement and the speed belong to the figure
    # "12-14L/100km (17-20 MPG)": one figure in two units is one fact, in the first unit
    paren = _PAREN_AFTER.match(text, q.end)
    stop = b if key in ("power", "torque") else paren.end() if paren else q.end
    values = read(attr, text, q.start, min(stop, q.end + 40), None, bare=False)
    if not values or values[0].start != q.start:
        return None
    return Found(key or "", values[0], q.start, values[0].end)


def _phrases(
    text: str,
    covered: Covered,
    pattern: re.Pattern[str],
    key: str,
    ok: object,
) -> list[Found]:
    out, rows = _cell_rows(text, covered, pattern, key, whole=False)
    in_row = Covered(rows + _crowded_rows(text, pattern))
    for m in pattern.finditer(text):
        if covered(m.start()) or in_row(m.start()):
            continue
        if _SPELLED_OUT.match(text, m.end()):
            continue  # an abbreviation explained, not a car's gearbox
        a, b = _sentence(text, m.start())
        if not callable(ok) or not ok(text, m, a, b):
            continue
        some = _some_variants(text, m) if key == "drive" else None
        if some is not None:  # "AWD is available on select trims", "部分车型还提供四驱"
            out.append(Found(key, Value(m.start(), m.end()), some[1], some[2], some[0]))
            continue
        variant = None
        own = _OWN_VERSION.match(text, m.end()) if key == "drive" else None
        if own is not None or key == "drive" and _ZH_NAMING.match(text, m.end()):
            continue  # "四驱版搭载两台电机", "两驱8.2秒", "两驱的两款": versions' names, no drive
        after = _GEAR_WORD.match(text, m.end()) if key == "transmission" else None
        paren = _PAREN_VARIANT.match(text, after.end() if after else m.end())
        end = m.end()
        if paren is not None and not _DRIVE.search(paren.group("v")):
            variant, end = paren.group("v").strip(), paren.end()
            both = _BOTH.fullmatch(variant)
            if both is not None:  # "a 6-speed manual (petrol and diesel)": one for each
                out.append(Found(key, Value(m.start(), m.end()), m.start(), end, both.group(1)))
                variant = both.group(2)
        else:  # "a 6-speed manual or 6-speed AMT on diesel variants"
            clause = _CLAUSE_STOP.search(text, m.end(), min(len(text), m.end() + 160))
            on = _ON_VARIANTS.search(text, m.end(), clause.start() if clause else m.end() + 160)
            if on is not None and not _NOT_NAME.search(on.group("v")):
                variant = on.group("v")
        out.append(Found(key, Value(m.start(), m.end()), m.start(), end, variant))
    return out


def _count_headings(text: str) -> list[tuple[int, str | None]]:
    """The variant headings among the lines that name a cylinder count."""
    out = []
    for start in dict.fromkeys(
        text.rfind("\n", 0, m.start()) + 1 for m in CYLINDERS.finditer(text)
    ):
        end = text.find("\n", start)
        out += [
            (start, name)
            for _, name in variant_headings(text[start : len(text) if end < 0 else end])
        ]
    return out


def _crowded_rows(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Lines of three or more such phrases on a page with a column header: a table row whose
    cells pypdf ran together, which no reader can align with the columns."""
    by_line: dict[int, int] = {}
    for m in pattern.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        by_line[start] = by_line.get(start, 0) + 1
    out = []
    for start, n in by_line.items():
        if n >= 3 and len(column_names(text, start)) >= 2:
            end = text.find("\n", start)
            out.append((start, len(text) if end < 0 else end))
    return out


def _gearbox_ok(text: str, m: re.Match[str], a: int, b: int) -> bool:
    if re.search(r"speed", m.group(), re.I) or "速" in m.group():
        return True
    return bool(_GEAR_CUE.search(text, a, b))


def _some_variants(text: str, m: re.Match[str]) -> tuple[str, int, int] | None:
    """The versions a drive is offered on when the text names them only as some of them
    ("on select trims", "部分车型"), with the evidence's span; else None."""
    on = ON_SOME.match(text, m.end())
    if on is not None:
        return on.group("v"), m.start(), on.end()
    zh = _ZH_SOME.search(text, max(0, m.start() - 16), m.start())
    return (zh.group("v"), zh.start(), m.end()) if zh is not None else None


def _zh_drive_ok(text: str, m: re.Match[str], a: int, b: int) -> bool:
    return not compared(text, m.start()) and text[m.end() : m.end() + 1] != "的"  # "四驱的…"


def _sentence(text: str, at: int) -> tuple[int, int]:
    starts = [s.end() for s in _SENTENCE.finditer(text, max(0, at - 400), at)]
    end = _SENTENCE.search(text, at)
    return (starts[-1] if starts else max(0, at - 400)), (end.start() if end else len(text))
