"""The version a fixed-width card's row label names (`gap_label`).

A quick-reference card or a printed spec sheet sets its rows as a label, a gap of spaces and
the value, the value's further lines indented under it:

    Workmate 4x2 (2.4L)   2GD-FTV 2.4L 4-cylinder turbo-diesel
                          110 kW @ 3,400 rpm / 400 Nm @ 1,600-2,000 rpm
    SR5                   6-speed automatic only, part-time 4WD

A label that names no attribute ("Fuel tank" does) is the version the row's figures are
for. Only a text laid out so (three such rows at least) is read this way, and not a listing
whose columns stand under a ruler of dashes (`listing` reads its rows).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.specs.vocabulary import Vocabulary

_ROW = re.compile(r"^(?P<label>[A-Za-z][^\n]{0,40}?[^\s:])[ \t]{3,}(?P<value>\S[^\n]*)$", re.M)
_RULER = re.compile(r"^[ \t]*-{3,}(?:[ \t]+-{3,})+[ \t]*$", re.M)  # "-----  -------  ----"
_GOES_ON = re.compile(r"[ \t]{8,}\S")  # a value's further line, indented under it
_ROWS = 3  # rows of the layout at least
_WORDS = 5  # a version's label's words at most


@lru_cache(maxsize=16)
def _laid_out(text: str) -> bool:
    if _RULER.search(text):
        return False  # a listing under a ruler of columns: its cells are read by `listing`
    return sum(1 for _ in zip(range(_ROWS), _ROW.finditer(text), strict=False)) >= _ROWS


def gap_label(vocab: Vocabulary, text: str, at: int) -> str | None:
    """The label of the row whose value holds offset `at`, when it names a version (see the
    module's docstring), else None."""
    if "   " not in text or not _laid_out(text):
        return None
    start = text.rfind("\n", 0, at) + 1
    while True:
        end = text.find("\n", start)
        line = text[start : end if end >= 0 else len(text)]
        row = _ROW.match(line)
        if row is not None:
            break
        if start == 0 or not _GOES_ON.match(line):
            return None
        start = text.rfind("\n", 0, start - 1) + 1
    label = row.group("label").strip()
    if at < start + row.start("value") or len(label.split()) > _WORDS:
        return None  # a figure in the label, or a sentence's words
    return label if vocab.lookup(label) is None else None
