"""One name per variant within a document.

A brochure names one engine several ways: "Kappa 1.0 l Turbo GDi" in its spec table's
header, "Kappa 1.0 l Turbo GDi petrol" over its performance page, "U2 1.5 l CRDi Diesel" and
"U2 1.5 l CRDi diesel" on two pages, "U2 1.5 l CRDi VGT" in the table. An engine name ending
in a fuel word is the same variant as that name without it, or with an engine code in its
place, or written in another case: every fact of the group takes the name most of them use
(the longer on a tie), so one engine is one variant; so are the names of a sized engine
that differ only in word order, hyphens or a bracketed engine code ("3.5L Twin-Turbo V6",
"3.5L V6 twin-turbo", "3.5L Twin-Turbo V6 (VR35DDTT)"). Names that differ otherwise ("2.0T" and
"2.0T AWD", "1.5 litre petrol" and "1.5 litre diesel", "GAS" and "GAS Diesel") stay apart.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ingest.specs.model import Fact

_FUEL = re.compile(r"\b(?:petrol|diesel|gasoline|cng|lpg)\b", re.IGNORECASE)
_CODE = re.compile(r"[A-Z0-9]{2,5}")  # "VGT": an engine code in capitals
_TRAILING_FUEL = re.compile(r"petrol|diesel|gasoline|cng|lpg")
_SIZED = re.compile(r"\d\.\d\s*l\b")  # "3.5l twin-turbo v6": a name that starts with a size
_BRACKET = re.compile(r"\([^)]*\)")


def unify_variants(facts: list[Fact]) -> list[Fact]:
    """`facts` with the variant names of one engine made one (see the module doc)."""
    names: dict[str, Counter[str]] = {}
    for fact in facts:
        if fact.variant:
            names.setdefault(fact.car, Counter())[fact.variant] += 1
    renamed: dict[tuple[str, str], str] = {}
    for car, counts in names.items():
        bases = {b for b in map(_base, counts) if b is not None}
        groups: dict[str, list[str]] = {}
        for name in counts:
            groups.setdefault(_root(name, bases), []).append(name)
        for members in groups.values():
            fuels = {_fuels(n) for n in members} - {frozenset()}
            if len(members) < 2 or len(fuels) > 1:
                continue  # "1.5 litre petrol", "1.5 litre diesel": two engines
            best = max(members, key=lambda n: (counts[n], len(n)))
            for name in members:
                if name != best:
                    renamed[(car, name)] = best
    if not renamed:
        return facts
    return [
        replace(f, variant=renamed[(f.car, f.variant)])
        if f.variant and (f.car, f.variant) in renamed
        else f
        for f in facts
    ]


def _fuels(name: str) -> frozenset[str]:
    return frozenset(m.group().casefold() for m in _FUEL.finditer(name))


def _base(name: str) -> str | None:
    """An engine name without the fuel word it ends with ("kappa 1.0 l turbo gdi" for
    "Kappa 1.0 l Turbo GDi petrol"), when at least two words are left."""
    words = name.casefold().split()
    if len(words) < 3 or not _TRAILING_FUEL.fullmatch(words[-1]):
        return None
    return " ".join(words[:-1])


def _root(name: str, bases: set[str]) -> str:
    """The name a variant is grouped under: its own (case folded), or an engine name (one of
    `bases`) it restates with its fuel ("…GDi petrol") or with an engine code in the fuel's
    place ("U2 1.5 l CRDi VGT" beside "U2 1.5 l CRDi diesel")."""
    base = _base(name)
    if base is not None:
        return base
    folded = " ".join(name.casefold().split())
    if not bases or _FUEL.search(name):
        return _word_set(folded)
    if folded in bases:
        return folded
    head, _, extra = folded.rpartition(" ")
    if head in bases and _CODE.fullmatch(name.split()[-1]):
        return head
    return _word_set(folded)


def _word_set(folded: str) -> str:
    """A sized engine's name as its words in any order, hyphens as spaces and an engine code
    in brackets left out: "3.5L Twin-Turbo V6 (VR35DDTT)" and "3.5L V6 twin-turbo" are one."""
    if not _SIZED.match(folded):
        return folded
    return " ".join(sorted(_BRACKET.sub(" ", folded).replace("-", " ").split()))
