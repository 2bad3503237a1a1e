"""What drives the car, as its facts say: what a text may call its battery's range and what
kind of buyer its ending speaks to.

A car (or a version) with a battery and nothing that burns fuel is electric; one with both is
a plug-in hybrid, whose battery's range is its electric range ("80 km on electricity alone"),
never the car's range; one with neither battery fact is a petrol or diesel car.
"""

from __future__ import annotations

from collections.abc import Sequence

from generation.facts.sheet import SheetFact

# What only a battery has (a range alone may be a tank's), and what only a car with an engine
# has: a tank, an engine's size or cylinders (consumption in litres is checked by its unit).
_BATTERY = frozenset({"battery_capacity", "charging_time", "charging_power"})
_FUEL = frozenset({"fuel_tank", "displacement", "cylinders"})


def burns_fuel(fact: SheetFact) -> bool:
    """A fact only a car with an engine has: a fuel tank, a displacement, cylinders, or fuel
    consumed in litres."""
    if fact.attribute in _FUEL:
        return True
    return fact.attribute.startswith("fuel_economy") and fact.normalized_unit == "L/100km"


def plug_in(facts: Sequence[SheetFact], variant: str | None) -> bool:
    """Whether the car (`variant` None: its car-level facts) or the version (its own facts and
    the car's) has an engine beside its battery."""
    mine = [f for f in facts if f.variant in (variant, None)]
    return any(f.attribute in _BATTERY for f in mine) and any(burns_fuel(f) for f in mine)


def electric(facts: Sequence[SheetFact]) -> bool:
    """A battery and nothing, in any version, that burns fuel."""
    return any(f.attribute in _BATTERY for f in facts) and not any(burns_fuel(f) for f in facts)
