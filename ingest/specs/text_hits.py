"""The cars a section's text names, as the extraction reads them: the index's names, a make
named alone for the document's one car of it and a rival's line named as an owner
("The Ranger's V6 …") (`bare_makes`), the document's own name
(`scope.with_own_name`) and a named car's bare designation (`bare_names`)."""

from __future__ import annotations

from collections.abc import Iterable

from ingest.specs.bare_makes import with_bare_makes, with_rival_lines
from ingest.specs.bare_names import with_designations
from ingest.specs.cars import CarIndex, Hit
from ingest.specs.scope import DocCars, with_own_name


def text_hits(index: CarIndex, text: str, own_cars: Iterable[str], doc_cars: DocCars) -> list[Hit]:
    """Every car `text` names, left to right."""
    hits = with_bare_makes(index.find(text), index, own_cars, text)
    hits = with_rival_lines(
        hits, index, {*own_cars, *doc_cars.names}, text, doc_cars.parts
    )  # "The Ranger's V6 … is 184kW"
    return with_designations(with_own_name(hits, text, doc_cars), text, doc_cars, index.model_names)
