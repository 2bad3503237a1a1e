"""Facts a document states twice: a sentence beside the table or labelled line that already
gives the figure, or another figure for what that table gives (a part's, a condition's)."""

from __future__ import annotations

import re

from ingest.specs.model import Fact

_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(_NUMBER_WORDS)})\b", re.IGNORECASE)


def _as_digits(value: str) -> str:
    """A text value with its number words as digits, case and spaces folded: "eight-speed
    automatic" restates "8-speed automatic"."""
    digits = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group().lower()], value)
    return " ".join(digits.casefold().split())


def drop_prose_repeats(facts: list[Fact], prose: list[bool], named: list[bool]) -> list[Fact]:
    """A sentence restating a table's figure ("29 MPG city" under the EPA table) adds no fact,
    and neither does a sentence giving another figure for what a table or a labelled line of
    the same document already states for that car and variant (or, naming no variant, for
    each of the car's variants): such a sentence is about a part or a condition ("the petrol
    engine produces 110 kW on its own" beside the Hybrid's 200 kW system output in the
    table), not a second spec. A figure naming no variant that one variant also has is that
    variant's, said again, unless its sentence names the car itself as what has it
    (`named`): "合创Z03……最大输出功率达到160kW" is the model's, beside "Z潮版搭载了160kW的电机"."""

    def key(f: Fact) -> tuple[str, str, object]:
        if f.normalized is not None:  # a range is its two ends, not its low end alone
            return f.car, f.attribute, (f.normalized, len(f.numbers) > 1 and f.numbers[1])
        counted = f.unit is None and len(f.numbers) == 1  # "4-cylinder" restating a "4" cell
        return f.car, f.attribute, f.numbers if counted else _as_digits(f.value)

    keys = [key(f) for f in facts]
    structured = {k for k, p in zip(keys, prose, strict=True) if not p}
    stated = {(f.car, f.attribute, f.variant) for f, p in zip(facts, prose, strict=True) if not p}
    by_variant = {(car, attribute) for car, attribute, variant in stated if variant}
    kept = [
        not (p and (k in structured or _stated(f, stated, by_variant)))
        for f, p, k in zip(facts, prose, keys, strict=True)
    ]
    # only a variant's figure that stays makes a variant-less one its restatement: a sentence
    # restating a labelled line ("delivers 124 kW" beside "Maximum power 124 kW") drops, and
    # the line it restates stays the car's
    with_variant = {k for k, f, s in zip(keys, facts, kept, strict=True) if _own_variant(f) and s}
    return [
        f
        for f, p, n, k, s in zip(facts, prose, named, keys, kept, strict=True)
        if s and ((_own_variant(f) if p else f.variant) or n or k not in with_variant)
    ]


# a variant that is only the document's model year ("2026"): the whole document's, no version
_YEAR_ONLY = re.compile(r"(?:19|20)\d\d")


def _own_variant(fact: Fact) -> bool:
    return bool(fact.variant) and _YEAR_ONLY.fullmatch(fact.variant or "") is None


def _stated(
    fact: Fact, stated: set[tuple[str, str, str | None]], by_variant: set[tuple[str, str]]
) -> bool:
    """Does a table or labelled line already give `fact`'s car and attribute for its variant,
    or, for a sentence that names no variant, for the car's variants one by one? Only
    quantities: a range naming no variant stays (it spans the variants, "售价区间为14.98-18.58
    万元"), and so do texts and counts."""
    if fact.unit is None:  # a text or a count: "7-speed DSG" beside a table's "DSG" adds to it
        return False
    if (fact.car, fact.attribute, fact.variant) in stated:
        return True
    spread = len(fact.numbers) > 1
    return fact.variant is None and not spread and (fact.car, fact.attribute) in by_variant


def dedupe(found: list[tuple[Fact, bool, bool]]) -> list[Fact]:
    """One fact per car, attribute, variant and value; sentences restating a table's figure,
    and variant-less restatements of a variant's figure, add nothing (`repeats`)."""
    seen: set[tuple[str, str, str | None, str]] = set()
    kept = []
    for fact, from_prose, by_name in found:
        key = (fact.car, fact.attribute, fact.variant, fact.value)
        if key not in seen:
            seen.add(key)
            kept.append((fact, from_prose, by_name))
    return drop_prose_repeats(
        [f for f, _, _ in kept], [p for _, p, _ in kept], [n for _, _, n in kept]
    )
