"""Figures a text only speculates about: "官方称未来还有可能配置2.0T的动力版本", "新车或许之后会
推出2.0T动力版本", "Nissan may later offer a 2.0-litre". An engine or figure a maker only may
offer is no spec of the car (tests/specs/README.md, "What is deliberately left out")."""

from __future__ import annotations

import re

_MAYBE = re.compile(
    r"可能|或许|也许|之后会|未来还|\b(?:may|might|could)\s+(?:later\s+|also\s+|eventually\s+|"
    r"one day\s+)?(?:offer|add|get|receive|gain|come|follow|arrive)\b|\bin the future\b|"
    r"\brumou?red\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[，,。；;！？!?\n]|\.(?:\s|$)")


def speculative(text: str, at: int) -> bool:
    """Whether the clause holding offset `at` only says the figure may come."""
    cuts = [m.end() for m in _CLAUSE.finditer(text, max(0, at - 120), at)]
    start = cuts[-1] if cuts else max(0, at - 120)
    return _MAYBE.search(text, start, at) is not None
