"""Another measure under a car's attribute, told by its label (`other_measures`).

A spec sheet gives, beside the car's figure, a figure of the same attribute measured another
way: a city cycle's range beside the WLTP range ("Range (WLTP): 320 km" / "Range (WLTP city):
410 km"), the boot with the rear seats folded beside the boot ("| Boot volume (seats folded) |
1,560 L |"), a plug-in's battery-depleted economy beside its weighted one ("加权百公里油耗：
1.3 L/100km" / "亏电百公里油耗：4.5 L/100km"). Each is the car's figure under that condition,
so its label's words become (part of) its variant, and it no longer conflicts with the car's
own figure. A depleted economy alone stays the car's combined economy (the gold's
convention): only beside a weighted one is it a condition.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.measure_words import CITY, DEPLETED, FOLDED, WEIGHTED
from ingest.specs.shapes import Found

_BY_ATTRIBUTE = {"electric_range": CITY, "boot_volume": FOLDED}


def _label(text: str, found: Found) -> str:
    """The words before `found`'s figure on its line."""
    return text[text.rfind("\n", 0, found.value.start) + 1 : found.value.start]


def _as_condition(found: Found, words: str) -> Found:
    words = " ".join(words.split())
    variant = f"{found.variant}, {words}" if found.variant else words
    return replace(found, variant=variant)


# a sentence's boot "with the rear seats up" ("… folded", "… in place"): measured so
_SEATS_AFTER = re.compile(
    r"[ \t]+with[ \t]+(?:the|all|both)[ \t]+(?P<c>(?:(?:rear|back|second-row|third-row|"
    r"2nd-row|3rd-row)[ \t]+)?seats?[ \t]+(?:up|upright|raised|in[ \t]+place|"
    r"folded(?:[ \t]+(?:down|flat))?|down))\b",
    re.IGNORECASE,
)


def other_measures(text: str, found: list[tuple[Found, bool]]) -> list[tuple[Found, bool]]:
    """`found` with each figure whose label names another measure of its attribute (a city
    cycle's range, a folded-seats boot, a depleted economy beside a weighted one) that
    measure's, as its variant."""
    weighted = any(
        f.attribute == "fuel_economy_combined" and WEIGHTED.search(_label(text, f))
        for f, prose in found
        if not prose
    )
    out: list[tuple[Found, bool]] = []
    for f, prose in found:
        if prose:  # a sentence's words before its figure may be another clause's
            seats = _SEATS_AFTER.match(text, f.value.end) if f.attribute == "boot_volume" else None
            out.append((_as_condition(f, seats.group("c")) if seats else f, prose))
            continue
        label = _label(text, f)
        words = _BY_ATTRIBUTE.get(f.attribute)
        hit = words.search(label) if words is not None else None
        if hit is None and weighted and f.attribute == "fuel_economy_combined":
            hit = DEPLETED.search(label)
        if hit is not None and (f.variant is None or hit.group() not in f.variant):
            f = _as_condition(f, hit.group())
        out.append((f, prose))
    return out


_MEASURES = "|".join(f"(?:{p.pattern})" for p in (CITY, FOLDED, DEPLETED))
_CONDITION = re.compile(rf"(?:^|,[ \t]*|[ \t]·[ \t])(?P<c>{_MEASURES})$", re.I)


def measured_under(variant: str) -> tuple[str, str | None]:
    """`variant` split into the version it names and the measure `other_measures` added to it
    ("1.5T / 2.0T, seats folded" → ("1.5T / 2.0T", "seats folded"); "WLTP city" → ("", "WLTP
    city")); (variant, None) when it names no other measure."""
    m = _CONDITION.search(variant)
    if m is None:
        return variant, None
    return variant[: m.start()].strip(" ,·"), m.group("c")
