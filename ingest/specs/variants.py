"""One name per variant within a document.

A brochure names one engine several ways: "Kappa 1.0 l Turbo GDi" in its spec table's
header, "Kappa 1.0 l Turbo GDi petrol" over its performance page, "U2 1.5 l CRDi Diesel" and
"U2 1.5 l CRDi diesel" on two pages. A name that another name of the same car extends by a
fuel word, or that differs from it only in case, is that variant: every fact of the group
takes the name most of them use (the longer on a tie), so one engine is one variant.
Names that differ otherwise ("2.0T" and "2.0T AWD", "petrol" and "diesel") stay apart.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ingest.specs.model import Fact

_FUEL = re.compile(r"\b(?:petrol|diesel|gasoline|cng|lpg)\b", re.IGNORECASE)


def _core(name: str) -> str:
    return " ".join(_FUEL.sub(" ", name).casefold().split())


def unify_variants(facts: list[Fact]) -> list[Fact]:
    """`facts` with the variant names of one engine made one (see the module doc)."""
    names: dict[str, Counter[str]] = {}
    for fact in facts:
        if fact.variant:
            names.setdefault(fact.car, Counter())[fact.variant] += 1
    renamed: dict[tuple[str, str], str] = {}
    for car, counts in names.items():
        groups: dict[str, list[str]] = {}
        for name in counts:
            groups.setdefault(_root(name, counts), []).append(name)
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


def _root(name: str, counts: Counter[str]) -> str:
    """The shortest core among `name`'s and those of the names it extends by words after a
    fuel-named core ("u2 1.5 l crdi" for "U2 1.5 l CRDi VGT" beside "U2 1.5 l CRDi diesel")."""
    core = _core(name)
    if not core:
        return name.casefold()  # "petrol", "CNG": the fuel is the whole name
    best = core
    for other in counts:
        other_core = _core(other)
        if other == name or not other_core or len(other_core) >= len(best):
            continue
        if _fuels(other) and core.startswith(other_core + " "):
            best = other_core
    return best
