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


# "The Ranger's V6, for the record, is 184kW": a rival named by its model line alone, as the
# owner of what its sentence gives (a possessive after "The" opening the sentence; in an aside,
# "(the CX-90's base Turbo makes do with 280 hp)", it would take the whole sentence's figures)
_POSSESSED = re.compile(
    r"(?:^|(?<=[.!?][ \t])|(?<=[.!?][ \t]{2}))[ \t]*"
    r"The[ \t]+(?P<m>[A-Z][\w-]*(?:[ \t][A-Z0-9][\w-]*)?)'s\b",
    re.MULTILINE,
)


def with_rival_lines(
    hits: list[Hit], index: CarIndex, cars: Iterable[str], text: str, texts: list[str]
) -> list[Hit]:
    """`hits` with each sentence's opening "The <line>'s" whose line of the gazetteer (one
    make's only) is none of the cars the document names (`cars`, or its make and line anywhere
    in the document's `texts`: a listing's cars are taught later), taken for that line's car."""
    if "'s" not in text:
        return hits
    own = set(cars)
    whole: str | None = None
    added: list[Hit] = []
    for m in _POSSESSED.finditer(text):
        start, name = m.start("m"), m.group("m")
        line = index.lines.alone(name)
        if line is None and " " in name:
            name = name.split()[0]
            line = index.lines.alone(name)
        brand = index.brand_names.get(line.brand) if line is not None else None
        if line is None or brand is None or any(h.start < m.end() and start < h.end for h in hits):
            continue
        car, display = index.car(brand, line.name)
        if car in own:
            continue
        whole = "\n".join(texts).casefold() if whole is None else whole
        if display.casefold() not in whole:
            added.append(Hit(start, start + len(name), car, display, line.brand))
    return sorted([*hits, *added], key=lambda h: h.start) if added else hits
