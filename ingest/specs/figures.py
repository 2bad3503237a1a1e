"""Every figure a text states, as grounding reads it: numbers with a unit, ranges and lists
(one figure per number), counts with the thing they count ("5 seats", "6 airbags", "7座",
"6个气囊"), number words ("five seats", 五座, 两万公里) and bare numbers specific enough to
claim something (at least 10, or with decimals).

Not figures: citation markers ([3]), years (2025, 2025款), the numbers inside the names a
caller passes (a car's name and aliases: "Zeekr 001", "X5"), ordinals (1st, 第一), list
numbering at the start of a line, the "0-100 km/h" of an acceleration's label, and numbers
written with a leading zero.

The numbers themselves are read by `ingest.specs.numbers.quantities` (the one figure parser,
shared with fact extraction); this module adds what a sentence around them says: the counted
noun, a unit split around the figure (百公里油耗4.5升, 耗电13.4度), a bare 万 price.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.specs.numbers import Quantity, fold, quantities
from ingest.specs.units import CNY, INR, KWH, KWH100, L100, LITRE, PREFIXES, SUFFIXES, Unit

UNITS: dict[str, Unit] = {u.symbol: u for _, u in SUFFIXES + PREFIXES}

# What a unitless count counts, by the words written after it (English and Chinese).
KINDS: dict[str, str] = {
    **dict.fromkeys(
        ("seat", "seats", "seater", "seaters", "passengers", "people", "座", "座位", "人座"),
        "seats",
    ),
    **dict.fromkeys(("airbag", "airbags", "气囊", "安全气囊"), "airbags"),
    **dict.fromkeys(("door", "doors", "门"), "doors"),
    **dict.fromkeys(("cylinder", "cylinders", "缸"), "cylinders"),
    **dict.fromkeys(("speed", "gear", "gears", "挡", "档", "速"), "gears"),
    **dict.fromkeys(("speaker", "speakers", "扬声器", "喇叭"), "speakers"),
    **dict.fromkeys(("year", "years", "年"), "years"),
    "%": "percent",
}
# The attribute whose unitless value is a count of that kind.
ATTRIBUTE_KINDS = {"seats": "seats", "airbags": "airbags", "cylinders": "cylinders"}

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_WORD_NUMBER = re.compile(r"(?<![a-z])(" + "|".join(_WORDS) + r")(?=[\s-]+[a-z])", re.IGNORECASE)
# an engine's layout written before its cylinder count: "inline-4", "straight 6"
LAYOUT = re.compile(r"(?<![a-z])(?:inline|in-line|straight)[\s-]?(\d{1,2})(?![\d.])", re.I)
_CN_DIGITS = {
    ch: n
    for n, chars in enumerate(("零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九"))
    for ch in chars
}
_CN_TENS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_COUNTERS = "座|个|款|门|缸|挡|档|速|年|种|项|位|人|台|英寸|寸|公里|千米|马力|匹|毫米|厘米|米|升|秒|元|千瓦|牛|公斤|千克|小时|分钟"  # noqa: E501
_CN_CHARS = "零〇一二两三四五六七八九十百千万亿"
# a run of Chinese numerals, not after 第 (an ordinal); starting with a digit or 十
_CN_NUMBER = re.compile(rf"(?<![第{_CN_CHARS}])[零〇一二两三四五六七八九十][{_CN_CHARS}]*")

_SPRINT = r"(?:km\s*/\s*h|kph|mph)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_MASKS = [
    re.compile(r"[\[【]\s*\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\s*[\]】]"),  # citation markers
    # dates: 10月23日, March 15, 15 March
    re.compile(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{1,2}\s*[日号](?![元本])"),
    re.compile(
        rf"(?<![a-z]){_MONTH}\s+\d{{1,2}}(?!\d)|(?<![\d.])\d{{1,2}}\s+{_MONTH}(?![a-z])", re.I
    ),
    re.compile(r"(?<![\w.])\d+(?:st|nd|rd|th)(?![a-z])", re.IGNORECASE),  # ordinals
    re.compile(r"第\s*\d+"),
    re.compile(r"(?<![\d.])\d+(?:\s*:\s*\d+)+(?![\d.])"),  # ratios: a 40:20:40 split
    re.compile(r"(?m)^\s*(?:\d{1,2}[.)、](?=\s)|[(（]\d{1,2}[)）])"),  # list numbering
    # the label of an acceleration figure, not a speed: "0-100 km/h in 11.2 s"
    re.compile(r"(?<![\d.])0\s*[-~至到]\s*(?:100|60|200)\s*(?:km\s*/\s*h|kph|mph|公里)", re.I),
    # and its other forms: "reaches 100 km/h in 8.9 s", "sprints to 60 mph"
    re.compile(
        rf"(?<![\d.])(?:100|60|200)\s*{_SPRINT}(?=\s+in\s)|(?<=to )(?:100|60|200)\s*{_SPRINT}", re.I
    ),
    re.compile(r"[零0]\s*[-~至到]\s*(?:100|60|200)\s*(?:英里|公里|千米)(?:\s*/\s*(?:小时|时))?"),
    # a tyre size is a code, not three figures: "205/65 R16", "P235/65R17"
    re.compile(r"(?<![\d.])[A-Z]{0,2}\d{3}\s*/\s*\d{2}\s*[A-Z]{0,2}R\s*\d{2}(?!\d)"),
    # a code's number: the 10 of the gearbox code "SemiAuto-10", "Man-6", "AM-S7"
    re.compile(r"(?<=[A-Za-z]-)\d+(?![\d.]*\s*(?:mm|km|kg|kw|hp|ps|nm|l\b|cc|mph))", re.I),
]
_FUEL_BEFORE = re.compile(
    r"(?:百公里|油耗|耗油|fuel\s+(?:consumption|economy)|consumption)[^\d\n，,。；;]{0,12}$", re.I
)
_ELECTRIC_BEFORE = re.compile(r"(?:百公里|耗电|电耗)[^\d\n]{0,12}$")
_PRICE_BEFORE = re.compile(r"(?:价|售|元)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_EN_NOUN = re.compile(r"[\s-]*([a-z]+)", re.IGNORECASE)
_CN_NOUN = re.compile(
    r"\s*(?:个|款|种|项|位|台)?\s*(安全气囊|气囊|人座|座位|座|门|缸|挡|档|速|扬声器|喇叭|年)"
)
_NOT_NOUNS = {"is", "was", "has", "gets", "makes", "does", "as", "its", "this", "plus", "less"}


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a text: a number, its unit or the thing it counts, where it was written."""

    text: str  # as written: "120 PS", "五座", "1 500 r/min" for one end of a range
    start: int  # offsets of the whole figure (a range's too) in the original text
    end: int
    value: float  # multiplier (万, lakh) applied
    half_width: float  # half the last written digit, multiplier applied: "1.5" → 0.05
    unit: Unit | None
    noun: str | None = None  # a unitless count's kind ("seats") or counted word ("variant")

    def canonical(self) -> list[tuple[float, float]]:
        """(value, half width) in the dimension's canonical unit, one pair per reading."""
        if self.unit is None:
            return [(self.value, self.half_width)]
        out = []
        for factor in self.unit.factors:
            centre = self.unit.convert(self.value, factor)
            ends = [
                self.unit.convert(v, factor)
                for v in (self.value - self.half_width, self.value + self.half_width)
                if v > 0 or not self.unit.inverse
            ]
            out.append((centre, max((abs(e - centre) for e in ends), default=0.0)))
        return out

    @property
    def dimension(self) -> str:
        """What the figure measures: the unit's dimension, a count's kind, or "number"."""
        if self.unit is not None:
            return self.unit.dimension
        return f"count:{self.noun}" if self.noun else "number"

    def agrees(self, other: Figure) -> bool:
        """The same dimension, and the rounding intervals overlap once converted: 120 PS and
        88.3 kW agree; 178 and 177 do not."""
        if self.dimension != other.dimension:
            return False
        for c, ch in self.canonical():
            for f, fh in other.canonical():
                if abs(c - f) < ch + fh - 1e-9 * max(abs(c), abs(f), 1.0):
                    return True
        return False


class _Rewritten:
    """The text with number words as digits and skipped spans masked, and where each of its
    characters came from in the original (`origin`, one longer than the text)."""

    def __init__(self, text: str, names: Iterable[str]) -> None:
        folded = fold(text)
        # "2.0-litre", "5-seater": a hyphen between a figure and its unit is a space
        folded = re.sub(r"(?<=\d)-(?=[a-z\u4e00-\u9fff])", " ", folded, flags=re.I)
        parts: list[tuple[int, int, str]] = []  # (start, end, replacement) in `folded`
        for m in _WORD_NUMBER.finditer(folded):
            parts.append((m.start(), m.end(), str(_WORDS[m.group(1).lower()])))
        for m in LAYOUT.finditer(folded):  # "inline-4" counts cylinders, as "4缸" does
            parts.append((m.start(), m.end(), f"{m.group(1)} cylinder"))
        for m in _CN_NUMBER.finditer(folded):
            value = _chinese_number(m.group())
            counted = _counted(folded, m.end())
            if value is not None and (value >= 10 or (counted and m.group() != "一")):
                parts.append((m.start(), m.end(), f"{value:g}"))
        self.words = {start for start, _, _ in parts}  # number words: figures only if counted
        pieces: list[str] = []
        self.origin: list[int] = []
        at = 0
        for start, end, new in sorted(parts):
            if start < at:
                continue
            pieces.append(folded[at:start])
            self.origin.extend(range(at, start))
            pieces.append(new)
            # its first character is where it starts, the rest where it ends: a figure that
            # ends inside it ("inline-4" read as "4 cylinder") spans the whole original
            self.origin.extend([start] + [end] * (len(new) - 1))
            at = end
        pieces.append(folded[at:])
        self.origin.extend(range(at, len(folded) + 1))
        self.text = "".join(pieces)
        self._word_starts = {self.origin.index(s) for s in self.words if s in self.origin}
        self.text = _mask(self.text, tuple(names))

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end]

    def from_word(self, start: int) -> bool:
        return start in self._word_starts


def _counted(text: str, end: int) -> bool:
    return bool(re.match(_CN_COUNTERS, text[end : end + 2]))


def _chinese_number(written: str) -> float | None:
    """五 → 5, 十二 → 12, 两万 → 20000, 一万五千 → 15000; None for a run that is no number."""
    total = section = 0
    digit: int | None = None
    for ch in written:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # 五五: not a number
            digit = _CN_DIGITS[ch]
        elif ch in _CN_TENS:
            section += (1 if digit is None else digit) * _CN_TENS[ch]
            digit = None
        else:
            total += (section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0, None
    return float(total + section + (digit or 0))


def _mask(text: str, names: tuple[str, ...]) -> str:
    for pattern in (*_MASKS, _names_pattern(names)):
        text = pattern.sub(lambda m: re.sub(r"\d", "_", m.group()), text)
    return text


@functools.lru_cache(maxsize=32)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every name holding a digit and a letter ("Zeekr 001", "X5", "极氪001"),
    as a whole token, its words joined by spaces or hyphens; a name of digits only ("001")
    would hide every such number, so it is left to the leading-zero rule."""
    forms = []
    for name in names:
        folded = fold(name).strip()
        if any(ch.isdigit() for ch in folded) and any(ch.isalpha() for ch in folded):
            words = [re.escape(w) for w in re.split(r"[\s\-]+", folded) if w]
            forms.append(r"[\s\-]*".join(words))
    if not forms:
        return re.compile(r"(?!x)x")
    forms.sort(key=len, reverse=True)
    alternation = "|".join(forms)
    return re.compile(rf"(?<![A-Za-z0-9.])(?:{alternation})(?![A-Za-z0-9])", re.IGNORECASE)


def figures(text: str, *, names: Iterable[str] = ()) -> list[Figure]:
    """Every figure in `text` in reading order; the numbers in `names` are not figures."""
    rewritten = _Rewritten(text, names)
    found: list[Figure] = []
    for q in quantities(rewritten.text):
        found.extend(_read(text, rewritten, q))
    return found


def _read(original: str, rw: _Rewritten, q: Quantity) -> list[Figure]:
    text = rw.text
    unit = _unit(text, q)
    if unit is LITRE and text[q.end - 1 : q.end] in "tT" and max(q.numbers) >= 10:
        return []  # "3500T" is no engine size
    noun, noun_end = _noun(text, q.end) if unit is None else (None, q.end)
    written = text[q.start : q.end]
    year = re.fullmatch(r"(?:19|20)\d\d", written.strip()) is not None
    if unit is None and year and noun not in KINDS.values() or noun == "years" and year:
        return []  # a year: 2025, 2025年, "2025 produces" (not a count of produces)
    if unit is None and noun is None and rw.from_word(q.start):
        return []  # a number word not counting anything
    start, end = rw.span(q.start, q.end)
    shown = original[start : rw.span(q.start, noun_end)[1]].strip()  # "6 airbags", "五座"
    halves = q.half_widths or tuple(0.5 for _ in q.numbers)
    out = []
    for value, half in zip(q.numbers, halves, strict=True):
        if value == 0:
            continue
        if unit is None and noun is None and not (value >= 10 or value != int(value)):
            continue  # a bare 3 claims nothing checkable
        if unit is None and noun is None and re.match(r"0\d", written.strip()):
            continue  # "001": a name
        label = shown if len(q.numbers) == 1 else f"{value:g} {unit.symbol if unit else ''}"
        out.append(Figure(label.strip(), start, end, value, half, unit, noun))
    return out


def _unit(text: str, q: Quantity) -> Unit | None:
    """The figure's unit, with what the words around it say."""
    unit = q.unit
    before = text[max(0, q.start - 16) : q.start]
    after = text[q.end : q.end + 1]
    body = text[q.start : q.end].lower()
    if unit is None and ("lakh" in body or "crore" in body):
        return INR
    if unit is None and q.wan and (not _HAN.match(after) or _PRICE_BEFORE.search(before[-8:])):
        return CNY  # 14.58万 ending a clause, or after 价/售; 1万辆 is a count
    if unit is LITRE and _FUEL_BEFORE.search(before):
        return L100  # 油耗4.5升: a consumption written like a volume
    if _ELECTRIC_BEFORE.search(before) and (unit is KWH or (unit is None and after == "度")):
        return KWH100  # 耗电13.4度, 百公里电耗13.4kWh: a consumption written like a charge
    return unit


def _noun(text: str, end: int) -> tuple[str | None, int]:
    """What a unitless figure counts, from the words right after it, and where they end."""
    rest = text[end : end + 24]
    if rest.lstrip().startswith("%"):
        return "percent", end + rest.index("%") + 1
    m = _CN_NOUN.match(rest)
    if m:
        return KINDS[m.group(1)], end + m.end()
    m = _EN_NOUN.match(rest)
    if m is None:
        return None, end
    word = m.group(1).lower()
    if word in KINDS:
        return KINDS[word], end + m.end()
    if len(word) > 3 and word.endswith("s") and word not in _NOT_NOUNS:
        return word[:-1], end + m.end()  # "3 variants": a count of variants
    return None, end


# A data set's gearbox codes (the EPA guide's "Man-6", "SemiAuto-10", "AM-S7", "AV-S6") and
# a placeholder for a figure it has not ("N/A L": an electric car's displacement).
_GEARBOX_CODES = (
    (re.compile(r"(?i)\bsemiauto-(\d+)\b"), "{n}-speed automatic", "{n}速手自一体"),
    (re.compile(r"(?i)\bauto-1\b"), "single-speed", "单速"),
    (re.compile(r"(?i)\bauto-(\d+)\b"), "{n}-speed automatic", "{n}速自动"),
    (re.compile(r"(?i)\bman-(\d+)\b"), "{n}-speed manual", "{n}速手动"),
    # the EPA guide's "AutoMan-7": an automated manual, like its "AMS-7" (selectable)
    (re.compile(r"(?i)\b(?:ams|am-s|automan)-?(\d+)\b"), "{n}-speed automated manual", "{n}速AMT"),
    # a CVT with steps to select: its step count is no gearbox's speeds
    (re.compile(r"(?i)\b(?:av-s|scv-)(\d+)\b"), "CVT with select shift", "手自一体CVT"),
)
_PLACEHOLDER = re.compile(r"(?i)(?<![\w/])n/a(?:\s*l\b)?(?![\w/])\s*")


def spelled_codes(text: str, language: str) -> str:
    """`text` (a value or a version's name) with a data set's gearbox codes spelled out as a
    sentence in `language` writes them ("Man-6" → "6-speed manual" / "6速手动") and its
    placeholders left out; grounding reads a code's gears from the same spelling."""
    for pattern, en, zh in _GEARBOX_CODES:
        form = zh if language == "zh" else en

        def spelled(m: re.Match[str], form: str = form) -> str:
            return form.format(n=m.group(1) if m.groups() else "")

        text = pattern.sub(spelled, text)
    return _PLACEHOLDER.sub("", text).strip() or text
