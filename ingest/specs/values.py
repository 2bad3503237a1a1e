"""Reading the value of one attribute out of a piece of text: figures, units, conversions.

A figure is taken for an attribute only when its unit (written, or hinted by the label) is of
the attribute's dimension and its canonical value is plausible (`range` in the vocabulary);
a figure with no unit at all is kept as written with `unit=None`, never converted. "61 kW
(83 PS)" is one value: the parenthesised figure restates the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.specs.model import Fact
from ingest.specs.numbers import Quantity, quantities
from ingest.specs.units import (
    CANONICAL,
    CNY,
    KWH100,
    L100,
    SUFFIXES,
    Unit,
    dimension_of,
    to_canonical,
)
from ingest.specs.vocabulary import Attribute, Hint

_NO_VALUE = re.compile(r"^(?:n/?a|na|none|-+|—|/|null|nan|\?|tbd|tba|s|o|x|yes|no)$", re.I)
_TEXT_MAX = 60
# Letters right after a figure the units table does not know: its unit, not the attribute's
# glued to the figure ("60A", "12V") or a short capitalised symbol after it ("50 Ah")
_UNKNOWN_UNIT = re.compile(r"(?:[A-Za-z]{1,3}|[ \t][A-Z][A-Za-z]?)(?![A-Za-z])")
_RESTATE = re.compile(r"^\s*[(（]\s*$")


# A figure of the thing a sentence compares with, not of its subject: "后备厢容积比燃油版的520升
# 少65升", "比燃油版1.5T车型的130千瓦（177马力）提升明显", "more than the diesel's 250 Nm".
# 比 inside a word (比亚迪, 比例, 比较, 对比, 相比: handled as a change) does not count.
_COMPARED = re.compile(
    r"(?<![对相无好])比(?!亚迪|例|较|赛|如|率)[^，。；;！？!?\n]{0,30}$|\bthan\b[^.;,!?\n]{0,40}$",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"[，。；;！？!?,\n]")


# A difference, not a value: "its boot volume is 65 litres smaller", "10 mm lower than",
# "少65升" after the figure's unit: "小了65升" reads before it (a change, `prose._DELTA`).
_DIFFERENCE = re.compile(
    r"\s*(?:smaller|larger|bigger|lower|higher|shorter|longer|wider|narrower|heavier|lighter|"
    r"less|more|fewer|greater|quicker|faster|slower)\b|"
    r"\s*(?:更(?:少|多|小|大|低|高|短|长|轻|重)|(?:少|多|小|大|低|高|短|长|轻|重)了)",
    re.IGNORECASE,
)


def compared(text: str, at: int, end: int | None = None) -> bool:
    """Whether the figure at `at` (ending at `end`, when known) is what its clause compares
    the subject with, or a difference between two figures rather than one."""
    start = max(0, at - 40)
    cut = [m.end() for m in _CLAUSE_START.finditer(text, start, at)]
    if _COMPARED.search(text, cut[-1] if cut else start, at) is not None:
        return True
    return end is not None and _DIFFERENCE.match(text, end) is not None


@dataclass(frozen=True, slots=True)
class Value:
    """One value read for an attribute, at `start:end` of the (folded) text it came from."""

    start: int
    end: int
    numbers: tuple[float, ...] = ()
    unit: str | None = None
    normalized: float | None = None
    normalized_unit: str | None = None
    rpm: tuple[int, int] | None = None  # span of an "@ 6 000 r/min" that follows


def read(
    attr: Attribute,
    text: str,
    start: int,
    end: int,
    hint: Hint | None,
    *,
    group_spaces: bool = False,
    bare: bool = True,
) -> list[Value]:
    """Every value of `attr` in `text[start:end]`, in order. `bare`: figures with no unit
    (and no hint) count, as in a table cell or a `key: value` line."""
    if attr.dimension == "text":
        return _text_value(text, start, end)
    found = quantities(text, start, end, group_spaces=group_spaces)
    values: list[Value] = []
    i = 0
    while i < len(found):
        q = _per_100km(attr, found[i], text)
        value = _figure(attr, q, hint, bare)
        if value is None or (
            value.unit is None
            and attr.dimension != "count"
            and _UNKNOWN_UNIT.match(text, q.end, end)
        ):
            i += 1  # "60A" for a battery's capacity: a unit of something else
            continue
        if value.unit is None and group_spaces and " " in text[q.start : q.end].strip():
            if not _plausible_bare(attr, value.numbers[0]):
                return []  # "Ground clearance 170 170": two columns, not 170,170 mm
        stop = q.end
        # "61 kW (83 PS)": a parenthesised figure of the same dimension restates it
        if i + 1 < len(found) and _RESTATE.match(text[q.end : found[i + 1].start]):
            nxt = found[i + 1]
            if nxt.unit is not None and value.unit is not None and _same_dimension(q, nxt):
                close = re.match(r"\s*[)）]", text[nxt.end :])
                stop = nxt.end + (close.end() if close else 0)
                if nxt.unit == q.unit:  # "330 litres (1,050 litres with …)": another measure
                    stop = q.end
                i += 1
        rpm = _speed(found, i + 1, text, stop, hint)
        if rpm is not None:
            i += 1
        elif _toleranced(found, i + 1, text, stop):  # "70 PS @ 4000 +/-50 rpm"
            rpm = found[i + 1].start, found[i + 1].end
            i += 2
        i = _restated(found, i, text, q, value)
        values.append(
            Value(
                q.start,
                stop,
                value.numbers,
                value.unit,
                value.normalized,
                value.normalized_unit,
                rpm,
            )
        )
        i += 1
    return values


def _speed(
    found: list[Quantity], i: int, text: str, stop: int, hint: Hint | None
) -> tuple[int, int] | None:
    """The engine speed right after a figure ("@6000 rpm"; "113 @ 4400" under "(Nm@rpm)")."""
    if i >= len(found):
        return None
    nxt = found[i]
    if nxt.unit is None:
        bare = hint is not None and hint.at_rpm and re.fullmatch(r"\s*@\s*", text[stop : nxt.start])
        return (nxt.start, nxt.end) if bare and len(nxt.numbers) == 1 else None
    between = text[stop : nxt.start]
    if nxt.unit.dimension == "rpm" and _SPEED_LEAD.fullmatch(between):
        return nxt.start, nxt.end
    return None


def _toleranced(found: list[Quantity], i: int, text: str, stop: int) -> bool:
    """A bare engine speed with a tolerance in rpm after it: "@ 4000 +/-50 rpm"."""
    if i + 1 >= len(found) or found[i].unit is not None or len(found[i].numbers) != 1:
        return False
    after = found[i + 1]
    return (
        re.fullmatch(r"\s*@\s*", text[stop : found[i].start]) is not None
        and after.unit is not None
        and after.unit.dimension == "rpm"
        and _TOLERANCE.fullmatch(text, found[i].end, after.start) is not None
    )


_TOLERANCE = re.compile(r"\s*(?:\+/-|\+-|±)\s*")
_SPEED_LEAD = re.compile(r"[\s)）]*(?:@|at|/|between|from|in|at around)?\s*", re.I)
# "66 kW@6000 rpm or 89.7 PS@6000 rpm": the same figure again in another unit
_OR_AGAIN = re.compile(r"\s*(?:or|=)\s*(?:approx\.?|about|around|~)?\s*", re.I)


def _restated(found: list[Quantity], i: int, text: str, q: Quantity, value: Value) -> int:
    """The index of the last quantity of a restatement "or 89.7 PS@6000 rpm" after found[i]
    (i itself when none follows): a figure of the same dimension in another unit."""
    after = found[i].end
    nxt = found[i + 1] if i + 1 < len(found) else None
    if (
        nxt is None
        or nxt.unit is None
        or value.unit is None
        or not _same_dimension(q, nxt)
        or nxt.unit.symbol == value.unit
        or not _OR_AGAIN.fullmatch(text, after, nxt.start)
    ):
        return i
    i += 1
    if _speed(found, i + 1, text, nxt.end, None) is not None:
        i += 1
    return i


def _same_dimension(a: Quantity, b: Quantity) -> bool:
    """Whether two figures measure one quantity: the same dimension, one read in the other's
    ("185.8 in (4,720 mm)": inches are a length) or two currencies ("$30,500 (€28,100)")."""
    if a.unit is None or b.unit is None:
        return False
    x, y = a.unit.dimension, b.unit.dimension
    if x == y or (x.startswith("price") and y.startswith("price")):
        return True
    return dimension_of(a.unit, y) is not None or dimension_of(b.unit, x) is not None


def _count(attr: Attribute, q: Quantity, numbers: tuple[float, ...]) -> Value | None:
    """A count: one whole number, or a rising pair of them, the range of versions' counts
    ("7-8 passengers")."""
    if q.unit is not None or not all(n.is_integer() and attr.plausible(n) for n in numbers):
        return None
    if len(numbers) != 1 and (len(numbers) != 2 or numbers[0] >= numbers[1]):
        return None
    return Value(q.start, q.end, numbers)


def _figure(attr: Attribute, q: Quantity, hint: Hint | None, bare: bool) -> Value | None:
    if q.is_list:
        return None  # "28/39": several values under one label, which is which unsaid
    unit: Unit | None = q.unit
    if unit is None and q.wan and attr.dimension == "price":
        unit = CNY  # "售价区间在28.1-36万": 万 alone counts yuan
    numbers = q.numbers
    if unit is None and hint is not None:
        unit = hint.unit
        numbers = tuple(n * hint.multiplier for n in numbers)
    elif unit is not None and hint is not None and _PER_100KM.get(unit.dimension) == hint.unit:
        unit = hint.unit  # "百公里油耗为5.2升": litres (or kWh) under a per-100-km label
    if attr.dimension == "count":
        return _count(attr, q, numbers)
    if unit is None:
        if not bare:
            return None
        return Value(q.start, q.end, numbers)
    if dimension_of(unit, attr.dimension) is None:
        return None
    converted = to_canonical(numbers[0], unit, attr.dimension)
    if converted is None:
        return None
    normalized, canonical = converted
    if not attr.plausible(normalized) and attr.dimension != "fuel_consumption":
        return None
    # a plug-in hybrid's combined figure can be under 1 ("WLTC综合油耗为0.8L/100km")
    if attr.dimension == "fuel_consumption" and not 0.3 <= normalized <= 40.0:
        return None
    return Value(q.start, q.end, numbers, unit.symbol, round(normalized, 4), canonical)


_PER_100KM = {"volume": L100, "energy": KWH100}


def _per_100km(attr: Attribute, q: Quantity, text: str) -> Quantity:
    """Litres (kWh) read as a consumption are per 100 km ("综合油耗5.6L"), written as litres or
    升, not as an engine's "2.0T"."""
    per = _PER_100KM.get(q.unit.dimension) if q.unit is not None else None
    if per is None or per.dimension != attr.dimension or text[q.end - 1 : q.end] in "Tt":
        return q
    return replace(q, unit=per)


def _plausible_bare(attr: Attribute, number: float) -> bool:
    """Whether a figure with no unit could be the attribute's in some unit of its dimension:
    "Ground clearance 170 170" is two columns, not 170,170 mm."""
    if attr.low is None and attr.high is None:
        return True
    units = _DIMENSION_UNITS.get(attr.dimension)
    if not units:
        return True
    for unit in units:
        converted = to_canonical(number, unit, attr.dimension)
        if converted is not None and attr.plausible(converted[0]):
            return True
    return False


_DIMENSION_UNITS: dict[str, list[Unit]] = {}
for _, _unit in SUFFIXES:
    _DIMENSION_UNITS.setdefault(_unit.dimension, []).append(_unit)


def rpm_value(text: str, start: int, end: int, *, bare: bool = False) -> Value | None:
    """The engine speed in `text[start:end]`; `bare`: a figure with no unit counts (a span
    `read` found after "@" under an "(Nm@rpm)" label)."""
    for q in quantities(text, start, end, group_spaces=True):
        if q.unit is not None and q.unit.dimension == "rpm":
            return Value(q.start, q.end, q.numbers, q.unit.symbol, q.numbers[0], CANONICAL["rpm"])
        if bare and q.unit is None and len(q.numbers) == 1:
            return Value(q.start, q.end, q.numbers, "rpm", q.numbers[0], CANONICAL["rpm"])
    return None


def _text_value(text: str, start: int, end: int) -> list[Value]:
    segment = text[start:end]
    stripped = segment.strip(" \t*|:：-")
    if not stripped or len(stripped) > _TEXT_MAX or _NO_VALUE.match(stripped):
        return []
    if not re.search(r"[A-Za-z0-9\u4e00-\u9fff]", stripped):
        return []
    offset = start + segment.index(stripped)
    if _measured(text, offset, offset + len(stripped)):
        return []  # "1,750-4,000 rpm", "205 km/h": a figure of another row, not a text value
    return [Value(offset, offset + len(stripped))]


def _measured(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` is nothing but figures with units (and punctuation)."""
    found = quantities(text, start, end)
    if not found or found[0].start != start or any(q.unit is None for q in found):
        return False
    rest = list(text[start:end])
    for q in found:
        rest[q.start - start : q.end - start] = [" "] * (q.end - q.start)
    return not re.search(r"[A-Za-z\u4e00-\u9fff]", "".join(rest))


# A range on fuel, not on electricity: "with the 50-litre fuel tank the total range is about
# 1,190 km", "a range of about 880 km between fill-ups", "满箱续航可以达到约880公里"
_ON_FUEL = re.compile(
    r"\b(?:fuel|tank|fill-?ups?|refuel\w*|gasoline|petrol|diesel|total)\b|油箱|满箱|加满|满油|燃油",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r",\s|[;，；。！？!?]|\.(?:\s|$)|\n\s*\n|\n[ \t]*[-*•][ \t]")


def on_fuel(text: str, start: int, end: int) -> bool:
    """Whether the clause holding `text[start:end]` (a range) says it is driven on fuel."""
    back = max(0, start - 200)
    cuts = [m.end() for m in _CLAUSE.finditer(text, back, start)]
    stop = _CLAUSE.search(text, end, min(len(text), end + 200))
    return bool(_ON_FUEL.search(text, cuts[-1] if cuts else back, stop.start() if stop else end))


_PURE = re.compile(r"纯电|electric[- ]only|all[- ]electric|battery[- ]only", re.I)
_COMBINED = re.compile(r"综合")


def beside_pure_electric(facts: list[Fact]) -> list[Fact]:
    """Where a document gives a car a pure-electric range ("纯电续航里程：80 km"), its
    "combined" range ("综合续航里程：约1190 km") is the plug-in hybrid's range on fuel and
    battery together, no electric range: dropped."""
    pure = {f.car for f in facts if f.attribute == "electric_range" and _PURE.search(f.evidence)}
    if not pure:
        return facts
    return [
        f
        for f in facts
        if not (
            f.car in pure
            and f.attribute == "electric_range"
            and _COMBINED.search(f.evidence)
            and not _PURE.search(f.evidence)
        )
    ]


# "over 1,000 HP", "nearly 300 miles": a figure given as a bound, not exactly
_OVER = re.compile(r"(?:\b(?:over|more than|above|in excess of|upwards of)|超过|高于)\s*$", re.I)
_UNDER = re.compile(r"(?:\b(?:nearly|almost|close to|just under|under)|接近|将近)\s*$", re.I)


def bound_of(text: str, start: int) -> int:
    """+1 when the figure at `start` is given as a lower bound ("over 1,000 HP"), -1 as an
    upper one ("nearly 300 miles"), else 0."""
    before = text[max(0, start - 16) : start]
    return 1 if _OVER.search(before) else -1 if _UNDER.search(before) else 0


def without_rounder(facts: list[Fact], bounds: dict[tuple[str, str, str], int]) -> list[Fact]:
    """`facts` less the bounds that round an exact figure of the same car, attribute and
    variant: "over 1,000 HP" beside the Turbo GT's "1,019 HP" says nothing more (within
    5 %). `bounds` maps a fact's (car, attribute, evidence) to its bound's sign."""
    if not bounds:
        return facts
    exact: dict[tuple[str, str], list[Fact]] = {}
    for f in facts:
        if (f.car, f.attribute, f.evidence) not in bounds and f.normalized is not None:
            exact.setdefault((f.car, f.attribute), []).append(f)
    return [
        f
        for f in facts
        if not any(
            _rounds(f, e, bounds.get((f.car, f.attribute, f.evidence), 0))
            for e in exact.get((f.car, f.attribute), [])
        )
    ]


def _rounds(bound: Fact, exact: Fact, sign: int) -> bool:
    n, e = bound.normalized, exact.normalized
    if not sign or n is None or e is None or not 0 <= sign * (e - n) <= 0.05 * abs(n):
        return False
    if bound.variant is None:
        return True
    # the names in the bound's variant ("GT" of "track-focused GT") all name the exact's
    names = {w.casefold() for w in bound.variant.split() if re.search(r"[A-Z]", w)}
    said = set((exact.variant or "").casefold().split())
    return exact.variant is not None and bool(names) and names <= said


# "市场终端仍有着1万多的优惠": a sum off the price
_DISCOUNT = re.compile(
    r"\s*(?:多|余|左右)?\s*(?:元)?\s*的?\s*(?:现金)?(?:优惠|折扣|让利|降价|补贴)"
)


def discount(text: str, end: int) -> bool:
    """Whether the figure ending at `end` is a discount ("1万多的优惠"), not a price."""
    return _DISCOUNT.match(text, end) is not None


# "For comparison, … like the Ford F-150 (17-25 MPG combined)": a sentence about rivals
_RIVALS = re.compile(
    r"\bfor comparison\b|\b(?:competitors?|rivals?|competitive with)\b|竞品|竞争对手",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"[.!?]\s|\n|[。！？]")


def about_rivals(text: str, at: int) -> bool:
    """Whether the figure at `at` is in a sentence that turns to rival cars before it: their
    figures, not the document's car's."""
    back = max(0, at - 300)
    rivals = list(_RIVALS.finditer(text, back, at))
    if not rivals:  # the common case, one scan
        return False
    starts = [m.end() for m in _SENTENCE_START.finditer(text, rivals[-1].start(), at)]
    return not starts  # no sentence ends between the turn to rivals and the figure


def other_quantity(text: str, attribute: str, start: int, at: int, end: int) -> bool:
    """Whether a figure at `at:end` (its phrase from `start`) read as `attribute` measures
    something else: a rival's, a discount off the price ("终端仍有着1万多的优惠"), a range on
    a full tank (no electric range)."""
    if about_rivals(text, at):
        return True
    if attribute == "price":
        return discount(text, end)
    pure = "纯电" in text[max(0, at - 12) : at]  # "…增程器，…，纯电续航里程为200km": electric
    return attribute == "electric_range" and not pure and on_fuel(text, start, end)
