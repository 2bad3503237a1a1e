"""Prices read out version by version: "112KM领先型，13.58万；112KM超越型，14.58万；…".

A host reading a price list names a version as a clause of its own (a version word at its
end), then gives its price in 万 in the next clause, pair after pair; no price label is said.
Each such figure is that version's price. A clause that names a version and says more
("160KM卓越型还多一个直流快充") is no list's item.
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found, values_of
from ingest.specs.vocabulary import Vocabulary

_PAIR = re.compile(
    r"(?:^|(?<=[。；;:!！?？\n]))[ \t]*"
    r"(?P<v>[A-Za-z0-9\u4e00-\u9fff+.\- ]{1,20}?(?:型|版))[,，][ \t]*"
    r"(?P<fig>\d{1,3}(?:\.\d{1,2})?万(?:元)?)(?=[ \t]*(?:[。；;,，!！\n]|$))",
    re.M,
)
_MIN_PAIRS = 2  # one pair is a sentence, two or more a list


def spoken_prices(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """The prices of a list of `version，price` pairs that no other reader took."""
    if "万" not in text:
        return []
    pairs = [m for m in _PAIR.finditer(text) if not any(a <= m.start("fig") < b for a, b in skip)]
    if len(pairs) < _MIN_PAIRS:
        return []
    out: list[Found] = []
    for m in pairs:
        v = m.group("v").strip()
        out += values_of(
            vocab,
            "price",
            "",
            text,
            m.start("fig"),
            m.end("fig"),
            m.start("v"),
            m.end(),
            v,
            single=True,
        )
    return out
