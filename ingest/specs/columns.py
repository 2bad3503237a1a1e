"""A table column headed by a car's name holds that car's figures (`column_car`).

A comparison article sets rivals side by side: "| Specification | 2026 Hyundai Tucson | 2026
Kia Sportage |". Each column's figures are the car its header names, not the car the text
around the table was about; what the header says besides the car and a model year ("Tucson
Hybrid") is the variant. A header naming the document's own single car is left as it was.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.cars import CarIndex
from ingest.specs.scope import DocCars
from ingest.specs.shapes import Found

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)(?:\s*(?:MY|model year))?", re.IGNORECASE)
_LEFT = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def column_car(index: CarIndex, found: Found, doc_cars: DocCars) -> tuple[Found, str | None]:
    """`found` without the car its variant (a column header) names, and that car, when the
    document is about several cars and the header names exactly one; else (`found`, None)."""
    if found.variant is None or not doc_cars.multi:
        return found, None
    hits = [h for h in index.find(found.variant) if h.car]
    if len({h.car for h in hits}) != 1:
        return found, None
    rest = found.variant
    for hit in sorted(hits, key=lambda h: h.start, reverse=True):
        rest = rest[: hit.start] + " " + rest[hit.end :]
    rest = _LEFT.sub("", " ".join(_YEAR.sub(" ", rest).split()))
    return replace(found, variant=rest or None), hits[0].car
