"""A table cell with a second figure in brackets after its first (`bracket_pairs`).

- Under a label naming two units, the second in brackets ("Max power PS (kW)"), a cell
  "150 (110)" gives one figure in both: the first, in the first unit; the bracketed one
  restates it.
- A cell "1,511 (VZ 333PS: 1,490)" or "450 (e-HYBRID: 345)" (a dimensions table "for all
  versions unless stated") gives its first figure for every version and the bracketed one
  for the version named before it.
- A cell "455 L (后排座椅放倒后1490 L)" gives its first figure as the car's and the bracketed
  one under the other measure the words before it name (the seats folded, `measure_words`).
"""

from __future__ import annotations

import re

from ingest.specs.measure_words import CITY, DEPLETED, FOLDED
from ingest.specs.values import Value
from ingest.specs.vocabulary import two_units

# between the two figures: an opening bracket, and perhaps the name of a version and a colon
_BETWEEN = re.compile(r"\s*[(\[]\s*(?:(?P<name>[^()\[\]:;,]{1,30}?)\s*:\s*)?")
_CLOSE = re.compile(r"\s*[)\]]")
# …or the words of another measure before the bracketed figure: "(后排座椅放倒后1490 L)"
_MEASURED = re.compile(r"\s*[(\[]\s*(?P<words>[^()\[\]:;,\d]{1,20}?)\s*")
_MEASURE = re.compile("|".join(f"(?:{p.pattern})" for p in (CITY, FOLDED, DEPLETED)), re.I)


def bracket_pairs(
    label: str, segment: str, values: list[Value]
) -> list[tuple[Value, str | None]] | None:
    """(figure, version or None) of a cell of a figure and a bracketed second one, or None
    when the cell is not of that shape."""
    if len(values) != 2:
        return None
    first, second = values
    if _CLOSE.match(segment, second.end) is None:
        return None
    measured = _MEASURED.fullmatch(segment, first.end, second.start)
    if measured is not None and (words := _MEASURE.search(measured.group("words"))) is not None:
        return [(first, None), (second, words.group())]  # "455 L（后排座椅放倒后1490 L）"
    between = _BETWEEN.fullmatch(segment, first.end, second.start)
    if between is None:
        return None
    name = between.group("name")
    if name is None:
        return [(first, None)] if two_units(label) else None
    return [(first, None), (second, name.strip())]
