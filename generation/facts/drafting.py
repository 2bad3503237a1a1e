"""What the short businesses share (a push, a Weibo post, a review, a news comment): the step's
written fields, drafting sentences to measure them, and joining a lead to sentences.

A short text is fitted to its limit by measuring candidate sentences before any is said; they
are numbered in a draft space while measured (`draft`), so that no source of the request gets
a citation number the text then does not cite, and renumbered for real once chosen (`cited`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from generation.facts.realise import Sentence
from generation.facts.sheet import SheetFact
from generation.markers import uncited

if TYPE_CHECKING:
    from generation.facts.compose import Writer

_NUMBER = re.compile(r"(?<![A-Za-z\-\d.,])\d[\d,]*(?:\.\d+)?(?![A-Za-z\d])")


@dataclass
class Written:
    """One step's fields, the facts they state, and which fields are prose a model may polish."""

    fields: dict[str, Any]
    facts: list[SheetFact] = field(default_factory=list)
    prose: tuple[str, ...] = ()


def lower_first(lead: str, text: str) -> str:
    """ "Under the bonnet, " + "The engine…" → "Under the bonnet, the engine…"."""
    if not lead:
        return text
    first = text.split(" ", 1)[0]
    # "Official" → "official", "A 100 kWh battery" → "a 100 kWh battery" (not "NISMO", "I")
    if lead.isascii() and first[:1].isupper() and (first[1:].islower() or first == "A"):
        text = text[0].lower() + text[1:]
    return lead + text


def units(text: str, language: str) -> int:
    """How long `text` is as a brief's `length` counts it: words in English, characters in
    Chinese (spaces and citation markers left out)."""
    bare = uncited(text)
    if language == "zh":
        return len(re.sub(r"\s+", "", bare))
    return len(bare.split())


@contextmanager
def draft(w: Writer) -> Iterator[None]:
    """Sentences written inside are numbered in a draft space (1, 2… by source, as long as the
    request's numbers would be), so that measuring what fits gives no source of the request a
    number the text then does not cite; `cited` numbers a chosen sentence for real."""
    realiser, real = w.realiser, w.realiser.cite
    numbers: dict[str, int] = {}
    realiser.cite = lambda f: numbers.setdefault(f.citation.chunk_id or "", len(numbers) + 1)
    try:
        yield
    finally:
        realiser.cite = real


def cited(w: Writer, sentence: Sentence) -> Sentence:
    """A drafted sentence with the request's citation numbers, in the order the text says it."""
    text = uncited(sentence.text)
    return replace(sentence, text=w.realiser.cited(text, sentence.facts))


def numbers(text: str) -> set[str]:
    """The numbers a text states, citation markers and names' numbers left out: "€27,900 [1]"
    → {"27900"}; "RX-7", "G3i 460G" → none."""
    return {n.replace(",", "") for n in _NUMBER.findall(re.sub(r"\[\d+\]", " ", text))}


def states(sentences: Sequence[Sentence], attribute: str) -> bool:
    return any(f.attribute == attribute for s in sentences for f in s.facts)


def joined(w: Writer, lead: str, sentences: Sequence[str]) -> str:
    """`lead` then `sentences`: after a lead that ends in a colon or comma, the first word
    lower-cased in English ("Alex, one for Leeds: the Tata Nexon…")."""
    text = w.realiser.join(sentences)
    if not lead:
        return text
    if w.book.language == "zh":
        return lead + text
    if re.search(r"[:,]\s*$", lead):
        return lower_first(lead, text)
    return f"{lead.rstrip()} {text}".strip()


def listed(w: Writer, items: Sequence[str]) -> str:
    """ "a, b and c"; "甲、乙和丙"."""
    if len(items) <= 1:
        return "".join(items)
    if w.book.language == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]
