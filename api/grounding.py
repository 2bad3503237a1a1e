"""Grounding any text against one car's facts: `POST /v1/grounding/check` and
`specrag check --car CAR FILE` share this."""

from __future__ import annotations

from typing import Any

from api.errors import ApiError
from generation.grounding import GroundingReport, Reference, check
from generation.passages import Passage
from ingest.specs.registry import CarRegistry, CarSummary, fold

# The passages about the car that may back a figure the facts missed: the best chunks about
# it for the text, one search (the text's head is enough to rank a car's chunks).
PASSAGES = 10
QUERY_CHARS = 1000


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


def check_text(
    registry: CarRegistry, car: CarSummary, text: str, searcher: Any = None
) -> GroundingReport:
    """Every figure of `text` judged against `car`'s facts and every other car's, and (with a
    `searcher`) the chunks about `car` retrieved for the text."""
    passages: list[Passage] = []
    if searcher is not None:
        query = text.strip()[:QUERY_CHARS]
        results = searcher.search(query, k=PASSAGES, filters={"car": car.id})
        passages = [_passage(n, r) for n, r in enumerate(results, 1)]
    return check(text, Reference(registry, car.id, passages))


def _passage(n: int, result: Any) -> Passage:
    c = result.citation
    return Passage(
        n=n,
        chunk_id=result.chunk_id,
        text=result.text,
        source=c.source,
        page=c.page,
        step="check",
        section=c.section,
        document=c.document,
        doc_id=c.doc_id,
        cars=tuple(c.cars),
    )
