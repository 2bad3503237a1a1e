"""Fuel economies written as one slash list whose order a label gives (`ordered_economy`).

US spec writing puts city, highway and combined figures in one cell and says their order
once, in the label: "EPA fuel economy (city/highway/combined) | 24/30/27 mpg", a CSV column
"MPG City/Hwy" over "28/32", a window sticker's "CITY / HWY .... 27 / 25 MPG", a spec box's
"Combined/city/highway: 44/46/41 mpg". Each figure is the economy its place in the label
names. A slash list of three miles-per-gallon figures with no order written is EPA's usual
city/highway/combined ("rated at 26/33/29 mpg").
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.numbers import Quantity, quantities
from ingest.specs.units import MPG, MPGE, Unit, to_canonical
from ingest.specs.values import Value
from ingest.specs.vocabulary import Hint, economy_order, read_hint, unit_hint

EPA_ORDER = ("fuel_economy_city", "fuel_economy_highway", "fuel_economy_combined")


def ordered_economy(label: str, segment: str) -> list[tuple[str, Value]]:
    """Each figure of the one slash list in `segment` as the economy the label's order gives
    it; [] when the label gives none or the cell does not hold one list of that length."""
    order = economy_order(label)
    if order is None:
        return []
    lists = [q for q in quantities(segment) if q.is_list and len(q.numbers) == len(order)]
    if len(lists) != 1:
        return []
    hint = unit_hint(label)
    unit = lists[0].unit or (hint.unit if hint else None)
    if unit is None and "mpg" in label.lower():
        unit = MPG
    return _assigned(lists[0], unit, order)


def epa_triples(segment: str, start: int, end: int) -> list[tuple[str, Value]]:
    """Each "26/33/29 mpg" in `segment[start:end]`: EPA's city/highway/combined, in order;
    a pair ("28/37 mpg") is city/highway, as US sheets write it, unless a cycle's word
    follows it ("43/113 MPG city": two fuels) or its figures are too far apart for one fuel."""
    return [
        pair
        for q in quantities(segment, start, end)
        if q.is_list
        and (len(q.numbers) == 3 or len(q.numbers) == 2 and _one_fuel(q, segment))
        and q.unit is not None
        and q.unit.symbol == "mpg"
        for pair in _assigned(q, q.unit, EPA_ORDER[: len(q.numbers)])
    ]


_CYCLE_AFTER = re.compile(r"\s*(?:city|highway|hwy|combined|cmb)\b", re.IGNORECASE)


def _one_fuel(q: Quantity, segment: str) -> bool:
    low, high = sorted(q.numbers)
    return _CYCLE_AFTER.match(segment, q.end) is None and low > 0 and high / low <= 1.7


def _assigned(q: Quantity, unit: Unit | None, order: tuple[str, ...]) -> list[tuple[str, Value]]:
    if unit is None or unit.dimension != "fuel_consumption":
        return []
    out = []
    for key, number in zip(order, q.numbers, strict=True):
        converted = to_canonical(number, unit, "fuel_consumption")
        if converted is None or not 0.3 <= converted[0] <= 40.0:
            return []
        value = Value(q.start, q.end, (number,), unit.symbol, round(converted[0], 4), converted[1])
        out.append((key, value))
    return out


# "41 city / 38 highway / 39 combined MPG": each figure says which economy it is
# (the unit may stand between the first figure and its word: "27 mpg city, 34 highway")
_ECONOMY_WORD = re.compile(
    r"(?<![/\d.])(?P<n>\d+(?:\.\d+)?)\s*(?P<u>mpg\s+)?(?P<k>city|highway|hwy|combined)\b", re.I
)
_ECONOMY_KEY = {"city": "city", "highway": "highway", "hwy": "highway", "combined": "combined"}


def economy_words(text: str, start: int, end: int) -> list[tuple[str, Value]]:
    """The economies "18 city / 24 highway / 20 combined MPG" in `text[start:end]` names, each
    by its own word, at their offsets in `text`."""
    return [
        (key, replace(v, start=v.start + start, end=v.end + start))
        for key, v in economy_word_list(text[start:end], None, around=text)
    ]


# a text that writes its economies in miles per gallon (and in no other unit of economy)
_MPG_WRITTEN = re.compile(r"\bmpg\b", re.IGNORECASE)
_OTHER_ECONOMY = re.compile(r"l\s*/\s*100\s*km|\bkm\s*/\s*l\b|\bkmpl\b", re.IGNORECASE)
_MPG_PLAUSIBLE = (10.0, 150.0)  # a figure outside this is no car's miles per gallon


def economy_word_list(
    segment: str, hint: Hint | None, *, around: str = ""
) -> list[tuple[str, Value]]:
    """The economies each figure's own word names; with no unit written in `segment`, the
    unit the text `around` it writes its economies in, when that is mpg alone ("EPA is 19
    city / 28 highway / 22 combined" in a post that says "30 mpg" elsewhere)."""
    found = list(_ECONOMY_WORD.finditer(segment))
    kinds = [_ECONOMY_KEY[m.group("k").lower()] for m in found]
    if len(found) < 2 or len(set(kinds)) != len(kinds):
        return []
    tail = re.match(r"\s*([A-Za-z][A-Za-z/]{1,8})", segment[found[-1].end() :])
    unit = hint.unit if hint else None
    if unit is None and tail is not None:
        written = read_hint(tail.group(1))
        unit = written.unit if written else None
    if unit is None and any(m.group("u") for m in found):
        unit = MPG
    if unit is None and _mpg_text(around):
        low, high = _MPG_PLAUSIBLE
        if all(low <= float(m.group("n")) <= high for m in found):
            unit = MPG
    if unit is None or unit.dimension != "fuel_consumption":
        return []
    out = []
    for m, kind in zip(found, kinds, strict=True):
        number = float(m.group("n"))
        converted = to_canonical(number, unit, "fuel_consumption")
        if converted is None:
            return []
        value = Value(m.start("n"), m.end("n"), (number,), unit.symbol, round(converted[0], 4))
        out.append((f"fuel_economy_{kind}", replace(value, normalized_unit=converted[1])))
    return out


def _mpg_text(text: str) -> bool:
    return bool(text) and _MPG_WRITTEN.search(text) is not None and not _OTHER_ECONOMY.search(text)


def city_highway(segment: str, hint: Hint | None) -> list[tuple[str, Value]]:
    """ "Fuel Efficiency (MPG) 28/39": US sheets write city/highway miles per gallon."""
    found = quantities(segment)
    if len(found) != 1 or not found[0].is_list or len(found[0].numbers) != 2:
        return []
    q = found[0]
    unit = q.unit or (hint.unit if hint else None)
    if unit is None or unit.symbol != "mpg":
        return []
    out = []
    for key, number in zip(("fuel_economy_city", "fuel_economy_highway"), q.numbers, strict=True):
        converted = to_canonical(number, unit, "fuel_consumption")
        if converted is None:
            return []
        value = Value(q.start, q.end, (number,), unit.symbol, round(converted[0], 4), converted[1])
        out.append((key, value))
    return out


# A plug-in's MPGe is over twice its gasoline mpg (43/113, 30/61); a flex-fuel car's E85
# figure is about three quarters of its gasoline one (14/19)
_ELECTRIC_OVER_GAS = 1.6


def two_fuels(
    key: str, says_kind: bool, segment: str, hint: Hint | None
) -> list[tuple[str, Value, str | None]]:
    """A plug-in hybrid's cell under one economy's label ("City MPG | 43/113", EPA's
    Gasoline/Electricity rows): gasoline's mpg, then electricity's MPGe (its qualifier).
    `says_kind`: the label names which economy it is, so the pair is no city/highway one."""
    if not key.startswith("fuel_economy") or not says_kind:
        return []
    found = quantities(segment)
    if len(found) != 1 or not found[0].is_list or len(found[0].numbers) != 2:
        return []
    q = found[0]
    unit = q.unit or (hint.unit if hint else None)
    gas, electric = q.numbers
    if unit is None or unit.symbol != "mpg" or electric < _ELECTRIC_OVER_GAS * gas:
        return []  # a flex-fuel row's E85/gasoline pair ("14/19") is no plug-in's
    out: list[tuple[str, Value, str | None]] = []
    for number, written, qualifier in ((gas, MPG, None), (electric, MPGE, "electricity")):
        converted = to_canonical(number, written, written.dimension)
        if converted is None:
            return []
        value = Value(
            q.start, q.end, (number,), written.symbol, round(converted[0], 4), converted[1]
        )
        out.append((key, value, qualifier))
    return out


_SAYS_COMBINED = re.compile(r"\b(?:combined|cmb)\b|综合", re.IGNORECASE)  # EPA's "Cmb MPG"


def economy_cell(
    key: str, label: str, segment: str, hint: Hint | None
) -> list[tuple[str, Value, str | None]]:
    """The economies one fuel-economy label's cell holds when it holds several: in the
    label's order (`ordered_economy`), a plug-in's two fuels (`two_fuels`), a US sheet's
    city/highway pair under a label that names no one economy ("Fuel Efficiency (MPG)
    28/39"; "Combined MPG 42/106" is no such pair), or figures each named by its word."""
    ordered = ordered_economy(label, segment)
    if ordered:
        return [(k, v, None) for k, v in ordered]
    says = key != "fuel_economy_combined" or _SAYS_COMBINED.search(label) is not None
    fuels = two_fuels(key, says, segment, hint)
    if fuels or says:
        return fuels
    pair = city_highway(segment, hint) or economy_word_list(segment, hint)
    return [(k, v, None) for k, v in pair]
