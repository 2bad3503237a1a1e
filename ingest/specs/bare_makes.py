"""A make named alone for the one car of that make a document is about: a twin test calls its
cars "the Renault" and "the Hyundai" once it has named the Renault 5 and the Hyundai Inster.
Only after "the" (English writing's way of naming a car by its maker), and only when the
document is about exactly one car of that make (`with_bare_makes`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ingest.specs.cars import CarIndex, Hit

_THE = re.compile(r"\bthe[ \t]+$", re.IGNORECASE)


def with_bare_makes(hits: list[Hit], index: CarIndex, cars: Iterable[str], text: str) -> list[Hit]:
    """`hits` with each "the <make>" named alone taken for the document's one car of it."""
    by_brand: dict[str, set[str]] = {}
    for car in cars:
        by_brand.setdefault(index.model_brand.get(car, ""), set()).add(car)
    out = []
    for hit in hits:
        own = by_brand.get(hit.brand, set())
        if hit.car is None and len(own) == 1 and _THE.search(text, 0, hit.start):
            car = next(iter(own))
            hit = Hit(hit.start, hit.end, car, index.model_names.get(car, hit.name), hit.brand)
        out.append(hit)
    return out
