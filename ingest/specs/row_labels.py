"""A label that names where in the car a figure is measured after its attribute: "Cargo
behind 2nd row", "Cargo volume behind 3rd row", "Legroom, 2nd row". The head names the
attribute; the place ("behind 2nd row") is the figure's variant, as the gold writes it."""

from __future__ import annotations

import re

from ingest.specs.vocabulary import Vocabulary

_ROW = r"(?:\d(?:st|nd|rd|th)|first|second|third|front|rear)"
# "behind 2nd row", "behind the third-row seats", ", 2nd row", "(behind front seats)"
_PLACE = re.compile(
    rf"\s*[,(]?\s*(?P<place>(?:behind|aft of|with)\s+(?:the\s+)?{_ROW}[\s-]+(?:row|seats?)"
    rf"(?:\s+seats?)?(?:\s+(?:up|down|folded|raised))?)\s*\)?\s*$",
    re.IGNORECASE,
)


def placed_label(vocab: Vocabulary, label: str) -> tuple[str, str] | None:
    """(attribute key, place) of a label whose head names an attribute and whose tail names
    a seat row ("Cargo behind 2nd row" → boot_volume, "behind 2nd row"), else None."""
    m = _PLACE.search(label)
    if m is None or m.start() == 0:
        return None
    key = vocab.lookup(label[: m.start()])
    return (key, " ".join(m.group("place").split()).lower()) if key else None


def only_place(variant: str) -> bool:
    """Whether a variant is only a seat row's place ("behind 2nd row"), no trim's name."""
    m = _PLACE.match(" " + variant)
    return m is not None and m.start() == 0
