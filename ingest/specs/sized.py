"""English engine names by their size that the counts readers take as an engine's
(`ingest.specs.counts`)."""

from __future__ import annotations

import re

# "a 2.0-liter four-cylinder", "a 2.4-litre bi-turbo diesel four-cylinder": an engine's size by
# its cylinders, where neither the word engine nor its output follows it
CYLINDER_SIZE = re.compile(
    r"(?<![\d.])(?P<size>\d\.\d)\s*-?\s*(?:l|litre|liter)\b"
    r"(?P<name>(?:[ \t]+(?!(?:and|or|with|an?)\b)[A-Za-z][\w-]*){0,2}?[ \t-]+"
    r"(?:\d{1,2}|three|four|five|six|eight|ten|twelve)[ \t-]?cylinder)(?![\w-])",
    re.IGNORECASE,
)
# "- **1.0 TSI petrol**: 999cc, three cylinders, …": a list item naming an engine, its size first
SIZED_ITEM = re.compile(
    r"[ \t]*(?:[-*•][ \t]+)?\*\*[^*\n]+\*\*[ \t]*:[ \t]*\d[\d,.]*\s*(?:cc|cm3|l|litres?|liters?)\b"
    r"[^\n]*$",
    re.IGNORECASE,
)
