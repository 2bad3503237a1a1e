"""Hard-wrapped text: where a line break is only a wrap inside a sentence.

Articles and notes are often wrapped at a fixed width, so one sentence runs over several
lines ("…as the Aurora X5\nHybrid, a plug-in hybrid …\n18.4 kWh battery"), while spec
pages put one row per line. The readers that look for a figure's car or engine name in
"its sentence" follow wraps, and stop at real line ends.
"""

from __future__ import annotations

import re

# A line break inside a hard-wrapped sentence: the line before ends mid-sentence and the
# next goes on in lower case or with a figure ("…as the Aurora X5\nHybrid, a plug-in hybrid
# …\n18.4 kWh battery" is one sentence)
_GOES_ON = re.compile(r"[ \t]*(?:[a-z0-9]|[A-Z][a-z]*,)")


def wrapped(text: str, at: int) -> bool:
    """Whether the line break at `at` wraps a sentence rather than ending a line."""
    if text[at] != "\n" or at == 0 or text[at - 1] in ".:;!?。！？：\n|":
        return False
    goes_on = _GOES_ON.match(text, at + 1)
    if goes_on is None:
        return False
    # a figure goes on a line that ends in a word ("…and an\n18.4 kWh battery"), not one
    # that ends in a figure or a code ("…_11.75x8.25\n6 AIRBAGS": two lines of a page)
    return (
        not goes_on.group().strip()[:1].isdigit() or text[at - 1].isalpha() or text[at - 1] in ",-"
    )


def line_start(text: str, at: int) -> int:
    """Where the line holding `at` starts, wrapped lines before it included."""
    start = text.rfind("\n", 0, at) + 1
    while start > 0 and wrapped(text, start - 1):
        start = text.rfind("\n", 0, start - 1) + 1
    return start
