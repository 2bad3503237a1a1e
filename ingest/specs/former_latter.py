"""Figures a sentence gives "前者" and "后者" (`former_latter`).

"它只有两个版本：标准续航版和长续航版。前者电池45.5kWh，CLTC续航405km，指导价9.59万；后者电池
58.1kWh，续航505km，指导价10.99万": after a section names two versions, "前者" (the former) opens
the first one's figures and "后者" (the latter) the second's, up to the end of the sentence or
the next such word, in a paragraph that names one of the two or counts them. A figure that
already has a version keeps it, and with any other number of versions named the words say
nothing the reader can pair (the cars "前者" may mean are `latter.referred_car`'s).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.numbers import quantities
from ingest.specs.shapes import Found, values_of
from ingest.specs.vocabulary import Vocabulary

_WORD = re.compile(r"前者|后者")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_TWO = re.compile(r"两(?:个|款|种)(?:版本|车型|配置)")


def _about_versions(text: str, at: int, names: list[str]) -> bool:
    """Whether the paragraph of the word at `at` is about the two versions: it names one or
    counts two ("它只有两个版本：…。前者…"); "拿它和Model Y比较，后者…" means a car."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    paragraph = text[start : len(text) if end < 0 else end]
    return any(n in paragraph for n in names) or _TWO.search(paragraph) is not None


def former_latter(
    text: str, found: list[tuple[Found, bool]], names: list[str]
) -> list[tuple[Found, bool]]:
    """`found` with each figure of no version that follows "前者"/"后者" in its sentence given
    the first or the second of the two versions `names`."""
    if len(names) != 2 or ("前者" not in text and "后者" not in text):
        return found
    words = [w for w in _WORD.finditer(text) if _about_versions(text, w.start(), names)]
    out = []
    for f, prose in found:
        before = [w for w in words if w.end() <= f.value.start]
        if f.variant is None and before:
            word = before[-1]
            if _SENTENCE_END.search(text, word.end(), f.value.start) is None:
                f = replace(f, variant=names[0] if word.group() == "前者" else names[1])
        out.append((f, prose))
    return out


# "前者1565千克，后者1490千克": the latter's figure of the same label, the label left out
_LATTER = re.compile(r"\s*[，,；;]\s*(?:而)?后者\s*(?:则)?(?:为|是)?\s*(?=\d)")


def latter_figures(
    vocab: Vocabulary, text: str, found: list[Found], names: list[str]
) -> list[Found]:
    """The figure a "，后者…" clause gives right after the former's, of the same attribute."""
    if len(names) != 2 or "后者" not in text:
        return []
    out = []
    have = {f.value.start for f in found}
    for f in found:
        m = _LATTER.match(text, f.value.end)
        if f.variant != names[0] or m is None or m.end() in have:
            continue
        figures = quantities(text[m.end() : m.end() + 20])
        if not figures or figures[0].start != 0:
            continue
        stop = m.end() + figures[0].end
        read = values_of(
            vocab, f.attribute, "", text, m.end(), stop, m.start(), stop, names[1], single=True
        )
        if len(read) == 1 and read[0].value.unit is not None:
            out.append(read[0])
    return out
