"""Where an English title's model name ends, read from the document (`as_used`).

A title runs on after the model: "2026 Subaru Crosstrek Buyer's Guide", "2026 MITSUBISHI
OUTLANDER PHEV SEL S-AWC" (a window sticker's trim and powertrain). The model is the words
after the make that the document itself keeps using: the longest start of them written
again outside the title ("Crosstrek" is, "Crosstrek Buyer" is not), else the first word
alone. A listed car (`data/specs/cars.toml`) is already exact and is left alone.
"""

from __future__ import annotations

import re

from ingest.document import ParsedDocument
from ingest.specs.cars import CarIndex

_MAKE_WORDS = 3  # "Land Rover", "Mercedes Benz", "Alfa Romeo": a make is at most this long


def as_used(
    index: CarIndex, candidate: tuple[str, str, str] | None, doc: ParsedDocument
) -> tuple[str, str, str] | None:
    """`candidate` (id, name, year) from a title, its model cut to the words the document
    repeats; unchanged when it is a listed car or its model is one word."""
    if candidate is None or candidate[0] in index.model_names:
        return candidate
    words = candidate[1].split()
    for j in range(min(_MAKE_WORDS, len(words) - 1), 0, -1):
        if index.brand_of(" ".join(words[:j])) is not None:
            make, model = " ".join(words[:j]), words[j:]
            break
    else:
        return candidate
    if len(model) < 2:
        return candidate
    body = "\n".join(s.text for s in doc.sections).replace(doc.title, " ").casefold()
    keep = 1
    for k in range(len(model), 1, -1):
        name = re.escape(" ".join(model[:k]).casefold())
        if re.search(rf"(?<![\w-]){name}(?![\w-])", body):
            keep = k
            break
    if keep == len(model):
        return candidate
    car_id, name = index.car(make, " ".join(model[:keep]))
    return car_id, name, candidate[2]
