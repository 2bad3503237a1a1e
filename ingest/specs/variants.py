"""One name per variant: within a document, and across a car's documents.

A brochure names one engine several ways: "Kappa 1.0 l Turbo GDi" in its spec table's
header, "Kappa 1.0 l Turbo GDi petrol" over its performance page, "U2 1.5 l CRDi Diesel" and
"U2 1.5 l CRDi diesel" on two pages, "U2 1.5 l CRDi VGT" in the table. An engine name ending
in a fuel word is the same variant as that name without it, or with an engine code in its
place, or written in another case: every fact of the group takes the name most of them use
(the longer on a tie), so one engine is one variant; so are the names of a sized engine
that differ only in word order, hyphens or a bracketed engine code ("3.5L Twin-Turbo V6",
"3.5L V6 twin-turbo", "3.5L Twin-Turbo V6 (VR35DDTT)"). Names that differ otherwise ("2.0T" and
"2.0T AWD", "1.5 litre petrol" and "1.5 litre diesel", "GAS" and "GAS Diesel") stay apart.

Across a car's documents (`merge_variants`, on the facts a sheet publishes) those names are one
when their figures agree, and more: a name that extends another by words ("Kappa 1.0 l Turbo
GDi petrol" and the sheet's "Kappa 1.0 l Turbo GDi"), by the car's own name ("2025 · Aurora X5
1.5T" and "2025 · 1.5T") or by a model year ("2018 · 1.8 L Man-6" and "1.8 L Man-6") is that
variant when their figures agree, and a bare model year ("2025") is the car itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from ingest.specs.model import Fact

_FUEL = re.compile(r"\b(?:petrol|diesel|gasoline|cng|lpg)\b", re.IGNORECASE)
_CODE = re.compile(r"[A-Z0-9]{2,5}")  # "VGT": an engine code in capitals
_TRAILING_FUEL = re.compile(r"petrol|diesel|gasoline|cng|lpg")
_SIZED = re.compile(r"\d\.\d\s*l\b")  # "3.5l twin-turbo v6": a name that starts with a size
_BRACKET = re.compile(r"\([^)]*\)")
_MODEL_YEAR = re.compile(r"(?:19|20)\d\d")


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


class Variant(Protocol):
    """What `merge_variants` reads of a fact (ingest's `Fact`, a generation sheet's fact)."""

    @property
    def attribute(self) -> str: ...

    @property
    def variant(self) -> str | None: ...


V = TypeVar("V", bound=Variant)


def name_key(text: str) -> str:
    """A name as compared: NFKC, case-folded, without spaces, hyphens and punctuation (not
    `ingest.specs.numbers.fold`, which only turns full-width forms into ASCII)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def is_model_year(text: str) -> bool:
    """Whether a variant's name is a bare model year ("2025"): the car itself, that year."""
    return _MODEL_YEAR.fullmatch(text.strip()) is not None


def variant_key(variant: str, names: Sequence[str]) -> str:
    """A variant's name as compared: folded, without the car's own names ("2025 · Aurora X5
    1.5T" and "2025 · 1.5T" are one variant of the Aurora X5)."""
    folded = name_key(variant)
    for name in sorted((name_key(n) for n in names if name_key(n)), key=len, reverse=True):
        if len(name) >= 3:
            folded = folded.replace(name, "")
    return folded


def _yearless(variant: str) -> str:
    """A name without the model year a part of it states ("2018 · 1.8 L Man-6")."""
    parts = [p.strip() for p in variant.split("·")]
    return " · ".join(p for p in parts if not is_model_year(p)) or variant


def merge_variants(
    facts: list[V], names: Sequence[str], *, agree: Callable[[V, V], bool]
) -> list[V]:
    """One car's facts from all its documents with the names of one variant made one (see
    the module doc): a fact moves to the shorter name unless that one already has the
    attribute. `agree(a, b)`: two values of one attribute that agree; "Taycan Turbo GT"
    (1,019 hp) is not the "Taycan Turbo" (871 hp)."""
    variants = sorted({f.variant for f in facts if f.variant}, key=len)
    keys = {v: variant_key(v, names) for v in variants}
    own: dict[str, list[V]] = defaultdict(list)
    for fact in facts:
        own[fact.variant or ""].append(fact)

    def agreeing(name: str, other: str) -> bool:
        return all(agree(f, o) for f in own[name] for o in own[other] if o.attribute == f.attribute)

    bases = {b for b in map(_base, variants) if b is not None}
    roots = {v: _root(v, bases) for v in variants}  # the in-document rule, across documents
    target: dict[str, str] = {}
    for n, name in enumerate(variants):
        for shorter in variants[:n]:
            goal = target.get(shorter, shorter)
            extension = keys[name][len(keys[shorter]) :]
            same_name = keys[name].startswith(keys[shorter]) and not any(
                ch.isdigit() for ch in extension
            )  # "…petrol" extends an engine; "1.5t" + "2.0t" is another variant
            dated = variant_key(_yearless(name), names) == keys[shorter]
            if (
                any(ch.isalpha() for ch in keys[shorter])  # a bare model year absorbs nothing
                and (same_name or dated or roots[name] == roots[shorter])
                and agreeing(name, goal)
            ):
                target[name] = goal
                break
    for name in variants:  # a bare model year is the car as a whole
        if not any(ch.isalpha() for ch in keys[name]) and is_model_year(name):
            target[name] = ""
    # facts already under the target name win over the ones that move to it
    ranked = sorted(enumerate(facts), key=lambda item: (item[1].variant or "") in target)
    kept: dict[tuple[str, str], tuple[int, V]] = {}
    for n, fact in ranked:
        variant = target.get(fact.variant or "", fact.variant) or None
        ident = (fact.attribute, variant_key(variant or "", names))
        moved = fact if variant == fact.variant else replace(fact, variant=variant)  # type: ignore[type-var]
        kept.setdefault(ident, (n, moved))
    return [fact for _, fact in sorted(kept.values(), key=lambda item: item[0])]


def after_own_name(facts: list[Fact], names: dict[str, str]) -> list[Fact]:
    """`facts` whose variant holds its car's whole name ("Spec box: Audi Q4 e-tron Q4 40
    e-tron", from a heading about the car over a list of its versions) with only what
    follows the name: the heading was about the car, the words before its name the heading's
    topic, not a version's."""
    out = []
    versions: dict[tuple[str, str], set[tuple[str | None, tuple[float, ...]]]] = {}
    for fact in facts:
        versions.setdefault((fact.car, fact.attribute), set()).add((fact.variant, fact.numbers))
    for fact in facts:
        name = names.get(fact.car, "")
        # "(Q4 e-tron)" beside "(Sportback)" is no car itself; another reader's same figure
        # with no version ("The Nexon measures 3,995 mm …, 1,804 mm in width") is no other one
        others = versions[fact.car, fact.attribute] - {(fact.variant, fact.numbers)}
        alone = all(v is None and n == fact.numbers for v, n in others)
        if alone and fact.variant and _names_the_car(fact.variant.rpartition(" · ")[2], name):
            year = fact.variant.rpartition(" · ")[0]  # "The Corolla was 3,845 mm long"
            out.append(replace(fact, variant=year or None))
            continue
        at = fact.variant.find(name) if fact.variant and len(name.split()) > 1 else -1
        if fact.variant is None or at <= 0:
            out.append(fact)
            continue
        rest = fact.variant[at + len(name) :].strip(" ·:,-")
        out.append(replace(fact, variant=rest or None))
    return out


def _names_the_car(variant: str, name: str) -> bool:
    """Whether `variant` is the car's whole name or its model's, after a make of one or two
    words ("Corolla" of "Toyota Corolla"): a clause whose subject is the car names no
    version of it, unless the document sets it against another version of the figure."""
    words, own = variant.casefold().split(), name.casefold().split()
    return bool(words) and words in (own, own[1:], own[2:])
