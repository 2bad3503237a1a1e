"""Grounding any text against one car's facts: `POST /v1/grounding/check` and
`specrag check --car CAR FILE` share this."""

from __future__ import annotations

from typing import Any

from generation.errors import CarHasNoFacts
from generation.facts.sheet import resolve_car as resolve_brief_car
from generation.grounding import GroundingReport, Reference, check
from generation.passages import Passage
from ingest.specs.registry import CarRegistry, CarSummary

# The passages about the car that may back a figure the facts missed: the best chunks about
# it for the text, one search (the text's head is enough to rank a car's chunks).
PASSAGES = 10
QUERY_CHARS = 1000


def resolve_car(registry: CarRegistry, wanted: str) -> CarSummary:
    """The car `wanted` names, as generation resolves a brief's (UnknownCar: 404 with close
    matches); a car without facts is still checked (other cars' facts and its passages)."""
    try:
        return resolve_brief_car(registry, wanted)
    except CarHasNoFacts as e:
        car = registry.car(e.car_id)
        assert car is not None
        return car


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
