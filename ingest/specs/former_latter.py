"""Figures a sentence gives "前者" and "后者" (`former_latter`).

"它只有两个版本：标准续航版和长续航版。前者电池45.5kWh，CLTC续航405km，指导价9.59万；后者电池
58.1kWh，续航505km，指导价10.99万": after a section names two versions, "前者" (the former) opens
the first one's figures and "后者" (the latter) the second's, up to the end of the sentence or
the next such word. A figure that already has a version keeps it, and with any other number of
versions named the words say nothing the reader can pair (the cars "前者" may mean are
`latter.referred_car`'s).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.shapes import Found

_WORD = re.compile(r"前者|后者")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def former_latter(
    text: str, found: list[tuple[Found, bool]], names: list[str]
) -> list[tuple[Found, bool]]:
    """`found` with each figure of no version that follows "前者"/"后者" in its sentence given
    the first or the second of the two versions `names`."""
    if len(names) != 2 or ("前者" not in text and "后者" not in text):
        return found
    words = list(_WORD.finditer(text))
    out = []
    for f, prose in found:
        before = [w for w in words if w.end() <= f.value.start]
        if f.variant is None and before:
            word = before[-1]
            if _SENTENCE_END.search(text, word.end(), f.value.start) is None:
                f = replace(f, variant=names[0] if word.group() == "前者" else names[1])
        out.append((f, prose))
    return out
