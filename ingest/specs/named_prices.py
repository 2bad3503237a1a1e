"""Prices an English sentence gives a named version with no price label: the version's name
with its price in the bracket right after it ("sold as the Elite Hybrid ($75,000) and the
Calligraphy Hybrid ($87,500)"), or a version named as the subject that "costs" a price ending
its clause ("The D50e Touring costs $73,000"; not "costs $550 a year to service", "costs $2,000
more"; not "it costs …": which version "it" is, is another reader's guess).
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found, values_of
from ingest.specs.vocabulary import Vocabulary

_MONEY = r"(?:A\$|US\$|\$|£|€)[ \t]?\d{1,3}(?:,\d{3})+"
_GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"  # a space, or a line's wrap
_NAME = rf"[A-Z][\w+-]*(?:{_GAP}(?:[A-Z][\w+-]*|\d[\w.+-]*)){{0,3}}"
_BRACKETED = re.compile(
    rf"(?<![\w-])the{_GAP}(?P<v>{_NAME})[ \t]*\([ \t]*(?P<fig>{_MONEY})[ \t]*\)"
)
_COSTS = re.compile(
    rf"(?<![\w-])[Tt]he{_GAP}(?P<v>{_NAME}){_GAP}"
    rf"(?:costs|sells{_GAP}for|retails{_GAP}(?:for|at)){_GAP}(?P<fig>{_MONEY})"
    r"(?=[ \t]*(?:[,.;)]|\band\b|$))",
    re.MULTILINE,
)


def named_prices(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """The prices of versions named beside them that no other reader took."""
    if "$" not in text and "£" not in text and "€" not in text:
        return []
    out: list[Found] = []
    for pattern in (_BRACKETED, _COSTS):
        for m in pattern.finditer(text):
            if any(a <= m.start("fig") < b for a, b in skip):
                continue
            name = " ".join(m.group("v").split())
            out += values_of(
                vocab,
                "price",
                "",
                text,
                m.start("fig"),
                m.end("fig"),
                m.start(),
                m.end(),
                name,
                single=True,
            )
            skip = [*skip, (m.start("fig"), m.end("fig"))]
    return out
