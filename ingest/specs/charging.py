"""A charging line's figures: each power and time of a cell, by the way of charging its label
names ("DC Fast Charging: 80% charge in ~30 minutes with a 150 kW charger") or by the current
and the window each figure is given with ("Charging: 100kW DC, 11kW AC; 10-80% in 30min")."""

from __future__ import annotations

import re

from ingest.specs.numbers import quantities
from ingest.specs.values import Value, read
from ingest.specs.vocabulary import Vocabulary

# "DC Fast Charging: 80% charge in ~30 minutes with a 150 kW charger": a way of charging,
# then a time and a power, each its own attribute by its unit; the label names the variant
CHARGING = {"charging_time": "time", "charging_power": "power"}
CHARGING_WAY = re.compile(r"\b(?:dc|ac|level\s*\d|fast|rapid)\b[\w\s-]{0,12}charg", re.IGNORECASE)
# labels a line names figures by that are no label elsewhere ("Charging:" heads lines too)
LINE_LABELS = {"charging": "charging_power"}
CHARGING_KEYS = {"time": "charging_time", "power": "charging_power"}


_CURRENT_AFTER = re.compile(r"\s*(DC|AC)\b")
_WINDOW_BEFORE = re.compile(r"(\d{1,3}\s*[-–]\s*\d{1,3}\s*(?:%|per\s*cent))\s*(?:in|:)?\s*$", re.I)


def _charging_ways(vocab: Vocabulary, segment: str) -> list[tuple[str, Value, str | None]]:
    """ "Charging: 100kW DC, 11kW AC; 10-80% in 30min": each power named by its current after
    it, a time by its window before it; nothing when a power or time is not so named."""
    out: list[tuple[str, Value, str | None]] = []
    for q in quantities(segment):
        dimension = q.unit.dimension if q.unit else None
        if dimension == "power" and (m := _CURRENT_AFTER.match(segment, q.end)):
            key, qualifier = "charging_power", m.group(1)
        elif dimension == "time" and (m := _WINDOW_BEFORE.search(segment, 0, q.start)):
            key, qualifier = "charging_time", "".join(m.group(1).split())
        elif dimension in ("power", "time"):
            return []
        else:
            continue
        values = read(vocab.attributes[key], segment, q.start, q.end, None, bare=False)
        out += [(key, values[0], qualifier)] if values else []
    return out


def charging_cell(
    vocab: Vocabulary, label: str, segment: str
) -> list[tuple[str, Value, str | None]]:
    way = CHARGING_WAY.search(label)
    if way is None:
        return _charging_ways(vocab, segment)
    out: list[tuple[str, Value, str | None]] = []
    for q in quantities(segment):
        key = next((k for k, d in CHARGING.items() if q.unit and q.unit.dimension == d), None)
        if key is None or key in {k for k, _, _ in out}:
            continue
        values = read(vocab.attributes[key], segment, q.start, q.end, None, bare=False)
        if values:
            out.append((key, values[0], label.strip()))
    return out
