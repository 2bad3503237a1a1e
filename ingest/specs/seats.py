"""Seat counts a phrase names without a label: "两门两座", "潮流版（五座）", "a seven-seat SUV",
"5-seater", "seating for up to eight passengers" (of a listed variant), and seat as a verb:
"the cabin seats five adults", "All three seat seven in three rows"."""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.specs.shapes import Found
from ingest.specs.values import Value

# "两门两座", "潮流版（五座）", "采用5座布局", "a seven-seat SUV", "5-seater": a seat count
_SEATS = re.compile(
    r"(?<![\d一二三四五六七八九十第.])(?P<n>[2-9两二三四五六七八九])座(?![椅位舱])"
    r"|\b(?P<e>\d|two|four|five|six|seven|eight|nine)[- ]seat(?:er)?s?\b(?!\s*(?:belt|row))",
    re.IGNORECASE,
)
_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_COUNT |= {"two": 2, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def seat_counts(text: str, covered: Callable[[int], bool]) -> list[Found]:
    out = []
    for m in _SEATS.finditer(text):
        if covered(m.start()):
            continue
        word = (m.group("n") or m.group("e")).lower()
        n = float(word) if word.isdigit() else float(_COUNT[word])
        out.append(Found("seats", Value(m.start(), m.end(), (n,)), m.start(), m.end()))
    for m in _SEATING.finditer(text):  # "two rows of seating for up to five or six passengers"
        # "up to" is a model's most, so only of a variant a list item names ("- **Defender
        # 90**: …"), not a line of prose ("Large Families: seating for up to 8 passengers")
        if not covered(m.start("v")) and _BOLD_ITEM.match(text, text.rfind("\n", 0, m.start()) + 1):
            word = m.group("e").lower()
            n = float(word) if word.isdigit() else float(_COUNT[word])
            value = Value(m.start("v"), m.end("v"), (n,))
            out.append(Found("seats", value, m.start(), m.end()))
    for m in _SEATS_VERB.finditer(text):  # "the cabin seats five adults"
        if not covered(m.start("v")):
            word = m.group("v").lower()
            n = float(word) if word.isdigit() else float(_COUNT[word])
            out.append(Found("seats", Value(m.start("v"), m.end("v"), (n,)), m.start(), m.end()))
    return out


_BOLD_ITEM = re.compile(r"[ \t]*[-*•][ \t]+\*\*[^*\n]+\*\*")
_SEAT_WORD = r"(?:[2-9]|two|four|five|six|seven|eight|nine)"
# "the cabin seats five adults", "All three seat seven in three rows": seat as a verb
_SEATS_VERB = re.compile(
    rf"(?<![-\w])(?:seats|seat)\s+(?P<v>{_SEAT_WORD})(?![-\w]|[.,]\d)"
    r"(?:\s+(?:adults|passengers|people|occupants))?(?!\s*(?:inches|in\b|mm|cm|%))",
    re.IGNORECASE,
)
_SEATING = re.compile(
    rf"\b(?:seating|seats?|room)\s+for\s+(?P<v>(?:up\s+to\s+)?(?P<e>{_SEAT_WORD})"
    rf"(?:\s+or\s+{_SEAT_WORD})?\s+(?:passengers|people|occupants|adults))\b",
    re.IGNORECASE,
)
