"""Spec facts in the ledger's database: written with the document's ledger row, in the same
transaction, so a document's facts change exactly when its chunks do (and a run killed at any
instant converges like the chunks: the row and its facts commit together or not at all)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ingest.specs.model import CarRef, DocumentSpecs, Fact
from ingest.storage.tables import document_cars, facts


def replace(
    connection: Connection, doc_id: str, specs: DocumentSpecs, chunk_of: dict[int, str]
) -> None:
    """Make `specs` the facts of `doc_id`; `chunk_of` gives the id of the record that stores
    each chunk index (a repeated text is stored once: `ingest.pipeline.dedup`)."""
    delete(connection, doc_id)
    if specs.cars:
        connection.execute(
            sa.insert(document_cars),
            [
                {
                    "doc_id": doc_id,
                    "car_id": car.id,
                    "name": car.name,
                    "aliases": json.dumps(list(car.aliases), ensure_ascii=False),
                }
                for car in _unique_cars(specs.cars)
            ],
        )
    if specs.facts:
        connection.execute(sa.insert(facts), [_fact_row(doc_id, f, chunk_of) for f in specs.facts])


def delete(connection: Connection, doc_id: str) -> None:
    connection.execute(sa.delete(facts).where(facts.c.doc_id == doc_id))
    connection.execute(sa.delete(document_cars).where(document_cars.c.doc_id == doc_id))


def _unique_cars(cars: Iterable[CarRef]) -> list[CarRef]:
    found: dict[str, CarRef] = {}
    for car in cars:
        if car.id in found:
            known = found[car.id]
            aliases = tuple(dict.fromkeys(known.aliases + car.aliases))
            found[car.id] = CarRef(car.id, known.name, aliases)
        else:
            found[car.id] = car
    return list(found.values())


def _fact_row(doc_id: str, fact: Fact, by_index: dict[int, str]) -> dict[str, Any]:
    chunk_id = by_index.get(fact.chunk_index) if fact.chunk_index is not None else None
    return {
        "doc_id": doc_id,
        "car_id": fact.car,
        "attribute": fact.attribute,
        "variant": fact.variant,
        "value": fact.value,
        "numbers": json.dumps(list(fact.numbers)),
        "unit": fact.unit,
        "normalized": fact.normalized,
        "normalized_unit": fact.normalized_unit,
        "evidence": fact.evidence,
        "page": fact.page,
        "section": fact.section,
        "chunk_id": chunk_id,
    }
