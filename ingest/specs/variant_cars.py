"""A version whose name makes a car the registry already knows is that car too.

A brochure about the "Aurora X5" gives its Hybrid's figures under the variant "Hybrid" (as
`tests/specs/README.md` has a plug-in version its document presents under its base model's
name); another document, about the "Aurora X5 Hybrid" alone, makes `aurora-x5-hybrid` a car
of its own. Asked about that car, the registry's sheet and retrieval's fact index read the
base car's facts whose variant starts with the rest of its id ("Hybrid", "2025 · Hybrid",
"Hybrid, seats folded") as that car's, the variant's other words kept as theirs. Only a car
some document is about is named so; no variant makes a car by itself.
"""

from __future__ import annotations

from collections.abc import Container

from ingest.specs.cars import slug

_YEAR_JOIN = " · "  # how a model year is set before a version ("2025 · Hybrid")
_WORDS = 3  # words of a version's name that may make a car ("Hybrid", "Long Range")


def bases(car_id: str) -> list[str]:
    """The ids `car_id` extends, longest first ("aurora-x5" for "aurora-x5-hybrid")."""
    parts = car_id.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]


def variant_car(
    car_id: str, variant: str | None, known: Container[str]
) -> tuple[str, str | None] | None:
    """(the known car, the variant left) when `car_id` and the variant's leading words make
    the id of a car in `known` ("aurora-x5" + "Hybrid, seats folded" → ("aurora-x5-hybrid",
    "seats folded")); else None."""
    if not variant:
        return None
    year, _, rest = variant.rpartition(_YEAR_JOIN)
    words = rest.split()
    for n in range(min(len(words), _WORDS), 0, -1):
        named = slug(" ".join(words[:n]))
        if named and f"{car_id}-{named}" in known:
            left = " ".join(words[n:]).strip(" ,;:-·") or None
            kept = _YEAR_JOIN.join(p for p in (year, left) if p)
            return f"{car_id}-{named}", kept or None
    return None
