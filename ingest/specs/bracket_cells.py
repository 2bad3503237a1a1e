"""A table cell with a second figure in brackets after its first (`bracket_pairs`).

- Under a label naming two units, the second in brackets ("Max power PS (kW)"), a cell
  "150 (110)" gives one figure in both: the first, in the first unit; the bracketed one
  restates it.
- A cell "1,511 (VZ 333PS: 1,490)" or "450 (e-HYBRID: 345)" (a dimensions table "for all
  versions unless stated") gives its first figure for every version and the bracketed one
  for the version named before it.
"""

from __future__ import annotations

import re

from ingest.specs.values import Value
from ingest.specs.vocabulary import two_units

# between the two figures: an opening bracket, and perhaps the name of a version and a colon
_BETWEEN = re.compile(r"\s*[(\[]\s*(?:(?P<name>[^()\[\]:;,]{1,30}?)\s*:\s*)?")
_CLOSE = re.compile(r"\s*[)\]]")


def bracket_pairs(
    label: str, segment: str, values: list[Value]
) -> list[tuple[Value, str | None]] | None:
    """(figure, version or None) of a cell of a figure and a bracketed second one, or None
    when the cell is not of that shape."""
    if len(values) != 2:
        return None
    first, second = values
    between = _BETWEEN.fullmatch(segment, first.end, second.start)
    if between is None or _CLOSE.match(segment, second.end) is None:
        return None
    name = between.group("name")
    if name is None:
        return [(first, None)] if two_units(label) else None
    return [(first, None), (second, name.strip())]
