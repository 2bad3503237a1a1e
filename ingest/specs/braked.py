"""Trailer weights named by their brakes: "3500kg braked and 750kg unbraked" (`braked`).

A mass right before "braked" or "unbraked" is what the car may tow (only a trailer's weight
is said to be braked); the unbraked one is the towing capacity of version "unbraked", as a
spec sheet's "Towing (unbraked)" row is.
"""

from __future__ import annotations

import re

from ingest.specs.phrases import Covered
from ingest.specs.shapes import Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary

_BRAKED = re.compile(
    r"(?<![\d.,])(?P<fig>\d[\d,.]*\s*(?:kg|kilograms?|lbs?|pounds|tonnes?|t)\b)\s*"
    r"(?P<un>un)?braked\b",
    re.IGNORECASE,
)


def braked(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """The towing capacities "… kg braked" and "… kg unbraked" state in `text`, outside the
    spans other readers took."""
    attr = vocab.attributes.get("towing_capacity")
    if attr is None or "braked" not in text.lower():
        return []
    covered = Covered(skip)
    out = []
    for m in _BRAKED.finditer(text):
        if covered(m.start()):
            continue
        values = read(attr, text, m.start("fig"), m.end("fig"), None, bare=False)
        if values and values[0].start == m.start("fig"):
            variant = "unbraked" if m.group("un") else None
            out.append(Found(attr.key, values[0], m.start(), m.end(), variant))
    return out
