"""Grounding any text against one car's facts: `POST /v1/grounding/check` and
`specrag check --car CAR FILE` share this."""

from __future__ import annotations

from api.errors import ApiError
from generation.grounding import GroundingReport, Reference, check
from ingest.specs.registry import CarRegistry, CarSummary, fold


def resolve_car(registry: CarRegistry, wanted: str) -> CarSummary:
    """The car `wanted` names: its id, or its name or an alias exactly (any case, spacing);
    else ApiError 404 with the closest names."""
    car = registry.car(wanted.strip())
    if car is not None:
        return car
    key = fold(wanted)
    for candidate in registry.search(wanted):
        if key in {fold(n) for n in (candidate.id, candidate.name, *candidate.aliases)}:
            return candidate
    close = registry.close_matches(wanted)
    hint = f"; did you mean {', '.join(c.id for c in close)}?" if close else ""
    raise ApiError(
        404,
        "unknown_car",
        f"no car {wanted!r}{hint}",
        detail={"close_matches": [{"id": c.id, "name": c.name} for c in close]},
    )


def check_text(registry: CarRegistry, car: CarSummary, text: str) -> GroundingReport:
    """Every figure of `text` judged against `car`'s facts and every other car's."""
    return check(text, Reference(registry, car.id))
