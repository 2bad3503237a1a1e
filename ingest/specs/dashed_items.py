"""The version a list item names before a spaced dash, for the figures of its item.

An offer or a range list gives each version one item: its name, a dash, then what it costs,
with the engine's figures on the item's indented lines below ("* Delta+ 1.2 AGS — ex-showroom
Rs 8.88 lakh" / "  The 1197cc four-cylinder petrol with 89 bhp …"). A name is a few words each
opening with a capital or a digit ("Zeta 1.0 Turbo AT"), and no label ("Towing — 3,500 lb"
names a quantity, not a version).
"""

from __future__ import annotations

import re

from ingest.specs.vocabulary import Vocabulary

_ITEM = re.compile(r"[ \t]*[-*•][ \t]+(?P<name>[^\n]{2,40}?)[ \t]+[-—–][ \t]+\S")  # text folded
_WORD = re.compile(r"[A-Z0-9][\w.+/-]*")
_WORDS = 5  # words of a version's name at most


def dashed_item(vocab: Vocabulary, text: str, at: int) -> str | None:
    """The version the list item holding offset `at` names before its dash, else None."""
    end = at
    while True:
        start = text.rfind("\n", 0, end) + 1
        line = text[start : text.find("\n", start) if "\n" in text[start:] else len(text)]
        item = _ITEM.match(line)
        if item is not None:
            return _name(vocab, item.group("name"))
        if not line.strip() or not line[:1].isspace() or start == 0:
            return None  # a blank line or one that is not the item's indented text
        end = start - 1


def _name(vocab: Vocabulary, name: str) -> str | None:
    words = name.split()
    if not 0 < len(words) <= _WORDS or not all(_WORD.fullmatch(w) for w in words):
        return None
    return None if vocab.lookup(name) is not None else name
