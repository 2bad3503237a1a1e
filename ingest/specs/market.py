"""The dollar a document's bare "$" is: an Australian price article writes "$37,490 before
on-road costs" or "drive-away" and means Australian dollars; elsewhere "$" stays the US
dollar. A document that also writes "US$" or "USD" keeps its bare "$" as written."""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.model import Fact

# Australian price words: on-road costs, drive-away prices, an "A$" or "AUD" elsewhere
_AUSTRALIAN = re.compile(r"\bon-road costs\b|\bdrive-?away\b|(?<![A-Za-z])A\$|\bAUD\b", re.I)
_US = re.compile(r"(?<![A-Za-z])US\$|\bUSD\b")


def local_dollars(text: str, facts: list[Fact]) -> list[Fact]:
    """`facts` with the bare-"$" prices of an Australian document in AUD."""
    if not _AUSTRALIAN.search(text) or _US.search(text):
        return facts
    return [
        replace(f, unit="AUD", normalized_unit="AUD")
        if f.unit == "USD" and f.value.lstrip().startswith("$")
        else f
        for f in facts
    ]
