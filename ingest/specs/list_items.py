"""One figure of a slash list read as its own fact ("长/宽/高：4560/1860/1680 mm": the length
is "4560", the width "1860"), as its value as written (`own_item`)."""

from __future__ import annotations

import re

from ingest.specs.numbers import fold, parse_number

_ITEM = r"\d[\d,.]*"
# bare figures joined by slashes (or ×, *), then at most a unit: "4560/1860/1680 mm"
_LIST = re.compile(rf"\s*{_ITEM}(?:\s*[/×*]\s*{_ITEM})+\s*[^\d/×*]{{0,12}}")


def own_item(text: str, start: int, end: int, numbers: tuple[float, ...]) -> tuple[int, int]:
    """The span of the one figure of the list `text[start:end]` that is `numbers`' (a fact of
    one number read from a list of bare figures); `start, end` for anything else."""
    if len(numbers) != 1 or _LIST.fullmatch(text, start, end) is None:
        return start, end
    items = [m for m in re.finditer(_ITEM, text[start:end]) if m.group()[-1].isdigit()]
    mine = [m for m in items if parse_number(fold(m.group())) == numbers[0]]
    if len(items) < 2 or not mine:
        return start, end
    return start + mine[0].start(), start + mine[0].end()
