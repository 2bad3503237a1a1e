"""Versions a text lists after a colon, then opens a sentence with (`declared_subject`).

A tuner's, a dealer's or a reviewer's page names a car's versions in one list and then
describes each in a sentence of its own that opens with it: "We map two Leons: the 1.5 eTSI
and the 2.0 TSI VZ." … "The 1.5 eTSI is a 1498cc four-cylinder …" … "The 2.0 TSI VZ leaves
the factory with …". A figure no reader gave a version, in a paragraph where a sentence
opening with one of the listed names comes before it, is that version's: the sentence's
subject is the version, and the paragraph goes on about it. A name is listed when a colon is
followed by at least two of them, each after "the" and joined by commas, "and" or "or"; a
name is capitalised words, codes or an engine size ("1.5 eTSI", "GT-Line", "2.0 TSI VZ").
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = r"(?:\d\.\d|[A-Z0-9][\w+-]*(?:\.[\w+-]+)*|[a-z][A-Z][\w+-]*)"  # "1.5", "TSI", "eTSI"
_NAME = rf"(?:\d\.\d|[A-Z0-9][\w+-]*(?:\.[\w+-]+)*)(?:[ \t]+{_TOKEN}){{0,3}}"
_JOIN = r"(?:,|,?[ \t]+(?:and|or))[ \t]+the[ \t]+"
_LIST = re.compile(rf":[ \t]*the[ \t]+(?P<first>{_NAME})(?P<rest>(?:{_JOIN}{_NAME})+)")
_MORE = re.compile(rf"{_JOIN}(?P<n>{_NAME})")
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?])[ \t]+)(?=The[ \t])", re.MULTILINE)


@lru_cache(maxsize=16)
def _listed(text: str) -> tuple[str, ...]:
    names: list[str] = []
    for m in _LIST.finditer(text):
        names += [m.group("first"), *(n.group("n") for n in _MORE.finditer(m.group("rest")))]
    return tuple(sorted(set(names), key=len, reverse=True))


def declared_subject(text: str, at: int) -> str | None:
    """The listed version a sentence of the paragraph holding `at` opens with, the last one
    before `at`; None when there is none (the module's docstring)."""
    names = _listed(text)
    if len(names) < 2:
        return None
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    subject = None
    for m in _SENTENCE_START.finditer(text, start, at):
        opening = text[m.end() + 4 : m.end() + 4 + max(map(len, names)) + 1]
        subject = next(
            (n for n in names if opening.startswith(n) and not opening[len(n) :][:1].isalnum()),
            subject,
        )
    return subject
