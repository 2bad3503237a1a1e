"""Figures as documents write them: "1 497", "3,995", "1 500-4 000 r/min", "6.98万－9.98万元".

Everything here works on *folded* text: full-width digits and punctuation mapped one
character to one character onto ASCII (`fold`), so a match's offsets are offsets in the
original text too and evidence can be quoted exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from ingest.specs.units import MULTIPLIERS, PREFIXES, SUFFIXES, Unit

# Full-width ASCII (U+FF01..U+FF5E) → ASCII, the ideographic space → a space; one char each.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20,
    0x00A0: 0x20,
    0x2009: 0x20,
    0x202F: 0x20,
    0x2013: 0x2D,  # en dash
    0x2014: 0x2D,  # em dash
    0x2212: 0x2D,  # minus sign
    0x3001: 0x2C,  # 、
}


_FOLDABLE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _FOLD) + "]")


def fold(text: str) -> str:
    """`text` with full-width forms as ASCII, the same length, offsets unchanged."""
    if text.isascii():
        return text
    return _FOLDABLE.sub(lambda m: chr(_FOLD[ord(m.group())]), text)


def _alternation(forms: list[tuple[str, Unit]], prefix: str) -> str:
    parts = []
    for i, (form, _) in enumerate(forms):
        # an ASCII unit must not run into a following letter ("l" of "litres" vs "lb")
        tail = r"(?![a-z])" if form[-1].isascii() and form[-1].isalnum() else ""
        parts.append(f"(?P<{prefix}{i}>{form}{tail})")
    return "|".join(parts)


_NUM = r"(?:\d{1,2}(?:,\d{2})+,\d{3}|\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+(?![\d,.])|\d+)(?:\.\d+)?"
_NUM_TIGHT = r"(?:\d{1,2}(?:,\d{2})+,\d{3}|\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"  # no spaces
_MULT = r"(?:万|亿|(?:lakhs?|crores?|million|mn)(?![a-z]))"
# "~" is a range only written tight ("252~228"); "~252 ~228" is two approximate figures.
# "4784*1831*1469mm", "4784 × 1831 × 1469 mm": a list of dimensions, as "/" makes one.
_SEP = r"(?:\s*(?:-|/|×|至|到|to(?![a-z]))\s*|~|\*(?=\d))"
_SUFFIX = _alternation(SUFFIXES, "u")
# "10.69万元—12.19万元": the unit written on both ends of a range
_YUAN = r"(?:元(?=\s*(?:-|~|至|到)\s*\d))?"
_PREFIX = _alternation(PREFIXES, "p")

# "a 296-horsepower 2.0L engine", "a 119-inch wheelbase", "a 318-mile range": a figure and
# its unit written as one word (only a label next to it makes it the car's: "a 12-inch
# touchscreen" sizes equipment and names no attribute)
_HYPHENED = r"-(?=(?:horsepower|hp|inch|foot|feet|mile|liter|litre|gallon|pound|kwh|kw)(?![a-z]))"

_QUANTITY = re.compile(
    rf"(?:(?<![a-z])(?P<prefix>{_PREFIX})\s*)?"
    rf"(?<![A-Za-z0-9_.])(?<!\d,)(?P<body>{_NUM}(?:\s*{_MULT})?{_YUAN}(?:{_SEP}{_NUM}(?:\s*{_MULT})?)*)"
    rf"(?:\s*(?P<mult>{_MULT}))?"
    # "1000+公里", "300+ miles": a lower bound's "+" may stand between figure and unit
    rf"(?:(?:\s*\+?\s*|{_HYPHENED})(?P<unit>{_SUFFIX}))?",
    re.IGNORECASE,
)
_PIECE = re.compile(
    rf"(?P<num>{_NUM})(?:\s*(?P<mult>{_MULT}))?{_YUAN}|(?P<sep>{_SEP})", re.IGNORECASE
)
_PIECE_TIGHT = re.compile(
    rf"(?P<num>{_NUM_TIGHT})(?:\s*(?P<mult>{_MULT}))?{_YUAN}|(?P<sep>{_SEP})", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """One figure (or range, or slash list) with its unit, at `start:end` of the folded text."""

    start: int
    end: int
    numbers: tuple[float, ...]  # multipliers (万, lakh) applied
    unit: Unit | None
    is_list: bool  # "4312/1760/1613": a list of figures, not a range
    wan: bool = False  # written with 万 or 亿: an amount of yuan when it is a price
    # half the last written digit of each number, multiplier applied: "1.5" → 0.05, "19.98万"
    # → 50; both ends of a rounding, for comparing figures (`ingest.specs.figures`)
    half_widths: tuple[float, ...] = ()


def parse_number(text: str) -> float | None:
    """One number as written: "3,995", "1 497", "11.98" (folded text); None if not one."""
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _half(written: str) -> float:
    """Half the last written digit: "1.5" → 0.05, "3 995" → 0.5."""
    decimals = written.split(".")[1] if "." in written else ""
    return 0.5 * 10.0 ** -len(decimals.strip())


def _multiplier(word: str | None) -> float:
    return MULTIPLIERS.get(word.lower(), 1.0) if word else 1.0


def quantities(
    text: str, start: int = 0, end: int | None = None, *, group_spaces: bool = False
) -> list[Quantity]:
    """Every figure in `text[start:end]` (folded text), with its unit when one follows.

    Spaces group thousands ("1 500-4 000 r/min") only when a unit follows the figure; in a
    bare row like "1 197 998 1 493" they separate cells, so each group is read alone, unless
    the caller knows the text holds one figure (`group_spaces`: "Length (mm)  3 995").
    """
    found: list[Quantity] = []
    for m in _matches(text, start, len(text) if end is None else end):
        unit_match = m.group("unit") or m.group("prefix")
        suffix_unit = _unit_suffix(m) if m.group("unit") else None
        prefix_unit = _unit_prefix(m) if m.group("prefix") else None
        unit = suffix_unit or prefix_unit
        body = m.group("body")
        spaced = (unit_match is not None or group_spaces) and " " in body.strip()
        pieces = list((_PIECE if spaced else _PIECE_TIGHT).finditer(body))
        if not spaced and re.search(r"\d \d{3}(?!\d)", body):
            # a bare space-grouped body: re-scan it as separate numbers
            found.extend(_separate(text, m.start("body"), m.end("body")))
            continue
        numbers: list[float] = []
        halves: list[float] = []
        is_list = False
        tail_mult = _multiplier(m.group("mult"))
        for piece in pieces:
            if piece.group("sep") is not None:
                is_list = is_list or any(c in piece.group("sep") for c in "/*×")
                continue
            value = parse_number(piece.group("num"))
            if value is not None:
                numbers.append(value * _multiplier(piece.group("mult")))
                halves.append(_half(piece.group("num")) * _multiplier(piece.group("mult")))
        if not numbers:
            continue
        if tail_mult != 1.0:
            numbers = [n * tail_mult for n in numbers]
            halves = [h * tail_mult for h in halves]
        elif len(numbers) > 1 and pieces[-1].group("mult"):
            # "6.98万－9.98万元" carries 万 on each; "6.98-9.98万元" only on the last
            last = _multiplier(pieces[-1].group("mult"))
            scaled = [n < 1000 for n in numbers[:-1]] + [False]
            numbers = [n * last if s else n for n, s in zip(numbers, scaled, strict=True)]
            halves = [h * last if s else h for h, s in zip(halves, scaled, strict=True)]
        wan = "万" in m.group() or "亿" in m.group()
        found.append(
            Quantity(m.start(), m.end(), tuple(numbers), unit, is_list, wan, tuple(halves))
        )
    return _ranges(text, found) if len(found) > 1 else found


_AND = re.compile(r"\s*(?:,|和|及|以及)\s*")


def joined_list(text: str, start: int, stop: int) -> Quantity | None:
    """ "4900mm、1860mm和1450mm" (folded: "、" is ","): three figures of one unit, joined as a
    list, starting at `start`, read as the one list "4900/1860/1450mm" would be."""
    found = _comma_list(text, start, stop) or quantities(text, start, stop)[:3]
    if len(found) != 3 or found[0].start != start or found[-1].unit is None:
        return None
    if any(q.unit not in (None, found[-1].unit) or len(q.numbers) != 1 for q in found):
        return None
    if any(_AND.fullmatch(text, a.end, b.start) is None for a, b in pairwise(found)):
        return None
    numbers = tuple(q.numbers[0] for q in found)
    halves = tuple(q.half_widths[0] for q in found)
    return Quantity(start, found[-1].end, numbers, found[-1].unit, True, False, halves)


# "4830、1900、1495毫米" (folded "4830,1900,1495毫米"): no thousands groups, each of 4+ digits
_COMMA_LIST = re.compile(r"\d{4,}(?:\.\d+)?(?:,\d{4,}(?:\.\d+)?){2}(?![\d,])")


def _comma_list(text: str, start: int, stop: int) -> list[Quantity]:
    """Three figures a "、" joins (the last with the unit), each read alone."""
    m = _COMMA_LIST.match(text, start, stop)
    if m is None:
        return []
    out: list[Quantity] = []
    at = start
    for part in m.group().split(","):
        piece = text[at:stop] if at == m.end() - len(part) else text[at : at + len(part)]
        read = quantities(piece, 0)[:1]
        out += [
            Quantity(q.start + at, q.end + at, q.numbers, q.unit, False, False, q.half_widths)
            for q in read
        ]
        at += len(part) + 1
    return out


# "from approximately 17 km/l up to 24.08 km/l", "between 9 and 11 seconds": a range whose
# ends each carry the unit (or the last one does), after "from" or "between"
_FROM = re.compile(r"\b(?:from|between)\s+(?:about|around|approximately|approx\.|~)?\s*$", re.I)
_TO = re.compile(r"\s*(?:to|up\s+to|and)\s+(?:about|around|approximately|approx\.|~)?\s*", re.I)


def _ranges(text: str, found: list[Quantity]) -> list[Quantity]:
    out: list[Quantity] = []
    for q in found:
        last = out[-1] if out else None
        if (
            last is not None
            and len(last.numbers) == 1
            and len(q.numbers) == 1
            and q.unit is not None
            and last.unit in (None, q.unit)
            and _TO.fullmatch(text, last.end, q.start)
            and _FROM.search(text, max(0, last.start - 24), last.start)
        ):
            halves = last.half_widths + q.half_widths
            out[-1] = Quantity(
                last.start, q.end, last.numbers + q.numbers, q.unit, False, q.wan, halves
            )
            continue
        out.append(q)
    return out


# Where a figure can start: a digit, or a currency sign or code before one. Trying the
# whole pattern only there (not at every character) keeps long texts linear and fast.
_START = re.compile(r"(?P<cur>us\$|usd|eur|gbp|rs\.?|inr|rmb|cny|[$€£₹¥])?\s*\d", re.IGNORECASE)


def _matches(text: str, start: int, end: int) -> list[re.Match[str]]:
    out: list[re.Match[str]] = []
    pos = start
    while pos < end:
        hint = _START.search(text, pos, end)
        if hint is None:
            break
        at = hint.start() if hint.group("cur") else hint.end() - 1
        m = _QUANTITY.match(text, at, end)
        if m is None and at != hint.end() - 1:
            m = _QUANTITY.match(text, hint.end() - 1, end)
        if m is None or m.end() == m.start():
            pos = hint.end()
            continue
        out.append(m)
        pos = m.end()
    return out


def _separate(text: str, start: int, end: int) -> list[Quantity]:
    out = []
    for m in re.finditer(r"\d+(?:\.\d+)?", text[start:end]):
        value = float(m.group())
        half = (_half(m.group()),)
        out.append(Quantity(start + m.start(), start + m.end(), (value,), None, False, False, half))
    return out


def _unit_suffix(m: re.Match[str]) -> Unit | None:
    for i, (_, unit) in enumerate(SUFFIXES):
        if m.group(f"u{i}") is not None:
            return unit
    return None


def _unit_prefix(m: re.Match[str]) -> Unit | None:
    for i, (_, unit) in enumerate(PREFIXES):
        if m.group(f"p{i}") is not None:
            return unit
    return None


_WORD = re.compile(r"[a-z0-9]+")
_GAP = re.compile(r"[\s\-.]*")


def first_words_re(grams: set[str]) -> re.Pattern[str]:
    """A regex finding the first words of `grams` (lowercase, space-separated words)."""
    firsts = sorted({g.split()[0] for g in grams if g}, key=len, reverse=True)
    if not firsts:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, firsts)) + r")(?![a-z0-9])")


def word_grams(
    lowered: str, first: re.Pattern[str], grams: set[str], longest: int
) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, gram) of the longest `grams` found in `lowered`, where
    words may be joined by spaces, hyphens or dots ("x-trail" is the gram "x trail")."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    for m in first.finditer(lowered):
        if m.start() < pos:
            continue
        words = [(m.start(), m.end(), m.group())]
        at = m.end()
        while len(words) < longest:
            gap = _GAP.match(lowered, at)
            nxt = _WORD.match(lowered, gap.end()) if gap else None
            if nxt is None or gap is None or gap.end() == at:
                break
            words.append((nxt.start(), nxt.end(), nxt.group()))
            at = nxt.end()
        for n in range(len(words), 0, -1):
            gram = " ".join(w for _, _, w in words[:n])
            if gram in grams:
                found.append((words[0][0], words[n - 1][1], gram))
                pos = words[n - 1][1]
                break
    return found
