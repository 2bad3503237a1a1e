"""An electric car's "MPG" is MPGe: miles per gallon of gasoline equivalent.

A data set with one set of MPG columns for every fuel (the EPA guide's `City MPG`, `Hwy MPG`,
`Cmb MPG`, and its rendered pages' tables) gives a car that runs on electricity alone the
miles it goes on the energy of a US gallon of gasoline (33.7 kWh), not on a gallon of fuel.
Read as mpg such a figure would convert to litres of fuel per 100 km; as MPGe it converts to
kWh/100km (`units.MPGE`). A plug-in hybrid's row ("Gasoline/Electricity") is not one fuel and
is left as read.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.model import Fact
from ingest.specs.shapes import Found
from ingest.specs.units import MPG, MPGE, to_canonical

# A fuel that is electricity alone: "Electricity" (EPA), "Electric", "纯电(动)"; never
# "Gasoline/Electricity" or "Hybrid Electric"
_ELECTRIC_ONLY = re.compile(r"\s*(?:electricity|electric|battery[- ]electric|纯电动?)\s*", re.I)


def runs_on_electricity(fuel: str) -> bool:
    """Does the fuel type `fuel`, as written, name electricity alone?"""
    return _ELECTRIC_ONLY.fullmatch(fuel) is not None


def electric_economy(text: str, found: list[tuple[Found, bool]]) -> list[tuple[Found, bool]]:
    """`found` (one section's facts, with their from-a-sentence flags) with the mpg economy
    figures of each variant whose fuel is electricity alone read as MPGe. A variant is a
    row: a CSV record is a section of its own, a table row names its configuration."""
    fuels: dict[str | None, set[bool]] = {}
    for f, _ in found:
        if f.attribute == "fuel_type":
            written = text[f.value.start : f.value.end]
            fuels.setdefault(f.variant, set()).add(runs_on_electricity(written))
    electric = {variant for variant, kinds in fuels.items() if kinds == {True}}
    if not electric:
        return found
    return [(_as_mpge(f) if f.variant in electric else f, prose) for f, prose in found]


def electric_cars(facts: list[Fact]) -> list[Fact]:
    """`facts` (one document's) with the mpg economy figures of each car whose every fuel
    type there is electricity alone read as MPGe, wherever they are stated: a sentence that
    restates a table row ("EPA fuel economy is 125 MPG city") names no fuel of its own."""
    fuels: dict[str, set[bool]] = {}
    for f in facts:
        if f.attribute == "fuel_type":
            fuels.setdefault(f.car, set()).add(runs_on_electricity(f.value))
    electric = {car for car, kinds in fuels.items() if kinds == {True}}
    if not electric:
        return facts
    out = []
    for f in facts:
        if f.car in electric and _economy_in_mpg(f.attribute, f.unit):
            normalized, canonical = _mpge(f.numbers)
            f = replace(f, unit=MPGE.symbol, normalized=normalized, normalized_unit=canonical)
        out.append(f)
    return out


def _as_mpge(found: Found) -> Found:
    value = found.value
    if not _economy_in_mpg(found.attribute, value.unit):
        return found
    normalized, canonical = _mpge(value.numbers)
    value = replace(value, unit=MPGE.symbol, normalized=normalized, normalized_unit=canonical)
    return replace(found, value=value)


def _economy_in_mpg(attribute: str, unit: str | None) -> bool:
    return attribute.startswith("fuel_economy") and unit == MPG.symbol


def _mpge(numbers: tuple[float, ...]) -> tuple[float | None, str | None]:
    """The first figure of `numbers`, in MPGe, in the canonical unit (kWh/100km), never as
    litres of fuel."""
    converted = to_canonical(numbers[0], MPGE, MPGE.dimension) if numbers else None
    return converted if converted is not None else (None, None)
