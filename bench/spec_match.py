"""When an extracted fact is a gold fact: the matching and tallying behind `bench.facts`.

A predicted fact matches a gold line of the same source when

- car and attribute are equal;
- the value agrees: for measured attributes the numbers (as many as the gold has: one, or
  two for a range) are equal: in the same unit exactly, in different units within 0.5 % once
  both sides are converted to one unit of the attribute's dimension (the units module's
  table, `ingest/specs/units.py` or else `generation/units.py`, plus a few US units it may
  lack); a side with no unit is compared as written. For text attributes (and counts
  without numbers) the values are equal after NFKC, case and whitespace folding, or one
  contains the other ("CVT" in "CVT变速箱");
- the variant agrees: both null, or their tokens overlap by >= 0.5 (shared tokens over the
  smaller token set; lowercase ASCII words and numbers, single CJK characters; filler such
  as "l", "engine", "cylinder", "version", "版" left out). A null gold variant also accepts
  any predicted variant when it is the only gold line for that car and attribute, and a
  predicted variant that is only a model year ("1993") when the gold line is null (a year
  that holds for the whole document is not a variant in the gold).

Among the gold lines a prediction matches, it takes the one whose variant is closest (an
unmatched one first). Predictions are de-duplicated first (the same fact quoted on two pages
is one fact, as in the gold). Precision = right predictions / predictions in scope (about a
gold car of the source, on an attribute the gold has for that source); recall = gold lines
matched / gold lines.
"""

from __future__ import annotations

import importlib
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from tests.specs.check_gold import ATTRIBUTES, GoldFact

if TYPE_CHECKING:
    from ingest.specs.model import Fact

TOLERANCE = 0.005  # for figures converted from one unit to another (120 PS = 88.26 kW)
EXACT = 1e-9  # figures in the same unit are equal or not: 3 993 mm is not 3 995 mm
VARIANT_OVERLAP = 0.5

# Units a module may not have, as a multiple of one it has (and a fallback dimension).
_DERIVED: dict[str, tuple[float, str, str]] = {
    "in": (25.4, "mm", "length"),
    "inch": (25.4, "mm", "length"),
    "ft": (304.8, "mm", "length"),
    "gal": (3.785411784, "L", "volume"),
    "cu ft": (28.316846592, "L", "volume"),
    "lb": (0.45359237, "kg", "mass"),
    "lbs": (0.45359237, "kg", "mass"),
    "g/mi": (0.621371192, "g/km", "emissions"),
    "kusd": (1000.0, "USD", "price_usd"),
}
_FILLER = {
    "l", "litre", "liter", "litres", "liters", "engine", "variant", "version", "model",
    "models", "trim", "the", "and", "with", "of", "a", "cylinder", "cylinders", "cyl",
    "版", "型", "款",
}  # fmt: skip
_YEAR = re.compile(r"(?:19|20)\d\d")
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Unit:
    dimension: str
    factors: tuple[float, ...]  # canonical = value * factor (or factor / value if inverse)
    inverse: bool = False


def units_module() -> ModuleType | None:
    """The unit table below ingest and generation (after issue 14), else generation's."""
    for name in ("ingest.specs.units", "generation.units"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


@cache
def _table() -> tuple[dict[str, Unit], list[tuple[re.Pattern[str], Unit]]]:
    """The units module's units by symbol, and its surface forms."""
    module = units_module()
    by_symbol: dict[str, Unit] = {}
    forms: list[tuple[re.Pattern[str], Unit]] = []
    if module is None:
        return by_symbol, forms

    def adapt(obj: object) -> Unit | None:
        dimension, factors = getattr(obj, "dimension", None), getattr(obj, "factors", None)
        if not isinstance(dimension, str) or not isinstance(factors, tuple):
            return None
        return Unit(
            dimension, tuple(float(f) for f in factors), bool(getattr(obj, "inverse", False))
        )

    for obj in vars(module).values():
        unit, symbol = adapt(obj), getattr(obj, "symbol", None)
        if unit is not None and isinstance(symbol, str):
            by_symbol.setdefault(symbol.lower(), unit)
    for pattern, obj in getattr(module, "SUFFIXES", []):
        unit = adapt(obj)
        if unit is not None:
            forms.append((re.compile(pattern, re.IGNORECASE), unit))
    return by_symbol, forms


def unit_of(symbol: str) -> Unit | None:
    """A unit symbol ("kW", "cm3", "万元", "kUSD") as a dimension and conversion, or None."""
    scale, text = _multiplied(unicodedata.normalize("NFKC", symbol).strip())
    key = text.lower()
    by_symbol, forms = _table()
    if key in _DERIVED:
        factor, base, dimension = _DERIVED[key]
        known = by_symbol.get(base.lower())
        if known is None:
            return Unit(dimension, (factor * scale,))
        return Unit(
            known.dimension, tuple(f * factor * scale for f in known.factors), known.inverse
        )
    unit = by_symbol.get(key) or next((u for p, u in forms if p.fullmatch(text)), None)
    if unit is None or scale == 1.0:
        return unit
    return Unit(unit.dimension, tuple(f * scale for f in unit.factors), unit.inverse)


def _multiplied(text: str) -> tuple[float, str]:
    """A unit written after a multiplier ("lakh INR", "万元") as (its scale, the unit), with
    the units module's multipliers (the extractor's), so both sides scale alike."""
    multipliers = getattr(units_module(), "MULTIPLIERS", None) or {"万": 1e4, "亿": 1e8}
    for word, scale in sorted(multipliers.items(), key=lambda item: -len(item[0])):
        head = text[: len(word)]
        rest = text[len(word) :]
        if head.lower() == word and rest and (not word.isascii() or rest[0] == " "):
            return float(scale), rest.strip()
    return 1.0, text


def _canonical(numbers: tuple[float, ...], unit: Unit) -> list[tuple[float, ...]]:
    """`numbers` in the dimension's canonical unit, once per conversion factor (mpg: US, UK)."""
    out = []
    for factor in unit.factors:
        if unit.inverse and any(n == 0 for n in numbers):
            continue
        out.append(tuple(factor / n if unit.inverse else n * factor for n in numbers))
    return out


def _close(a: tuple[float, ...], b: tuple[float, ...], tolerance: float = TOLERANCE) -> bool:
    return len(a) == len(b) and all(
        abs(x - y) <= tolerance * max(abs(x), abs(y)) for x, y in zip(a, b, strict=True)
    )


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@cache
def dimensions() -> dict[str, str]:
    with Path(ATTRIBUTES).open("rb") as f:
        return {key: table.get("dimension", "text") for key, table in tomllib.load(f).items()}


def values_agree(gold: GoldFact, fact: Fact) -> bool:
    """Same value: numbers in one unit within 0.5 %, or folded text (see the module doc)."""
    dimension = dimensions().get(gold.attribute, "text")
    if dimension != "text" and gold.numbers:
        predicted = tuple(float(n) for n in fact.numbers)[: len(gold.numbers)]
        if len(predicted) != len(gold.numbers):
            return False
        if gold.unit is None or fact.unit is None or fold(gold.unit) == fold(fact.unit):
            return _close(gold.numbers, predicted, EXACT)
        ours, theirs = unit_of(gold.unit), unit_of(fact.unit)
        if ours is None or theirs is None or ours.dimension != theirs.dimension:
            return False
        return any(
            _close(a, b)
            for a in _canonical(gold.numbers, ours)
            for b in _canonical(predicted, theirs)
        )
    a, b = fold(gold.value), fold(fact.value)
    if not a or not b:
        return False
    return a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a))


def tokens(variant: str) -> set[str]:
    words = _TOKEN.findall(unicodedata.normalize("NFKC", variant).lower())
    return {w for w in words if w not in _FILLER}


def variant_score(gold: str | None, predicted: str | None, *, sole: bool) -> float | None:
    """How well the variants agree (1.0 = the same), or None when they do not."""
    if gold is None and predicted is not None and _only_years(predicted):
        predicted = None  # the document's model year ("1993"), not a variant of it
    if gold is None:
        if predicted is None:
            return 1.0
        return 0.5 if sole else None  # any variant will do, but a null one fits better
    if predicted is None:
        return None
    if fold(gold) == fold(predicted):
        return 1.0
    ours, theirs = tokens(gold), tokens(predicted)
    if not ours or not theirs:
        return None
    overlap = len(ours & theirs) / min(len(ours), len(theirs))
    return overlap if overlap >= VARIANT_OVERLAP else None


def _only_years(variant: str) -> bool:
    words = _TOKEN.findall(unicodedata.normalize("NFKC", variant).lower())
    return bool(words) and all(_YEAR.fullmatch(w) for w in words)


@dataclass(slots=True)
class Tally:
    gold: int = 0
    predicted: int = 0
    right: int = 0  # predictions that match a gold line
    found: int = 0  # gold lines some prediction matches

    def add(self, other: Tally) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.right += other.right
        self.found += other.found


@dataclass(slots=True)
class SourceScore:
    file_type: str
    lang: str
    tally: Tally
    matches: list[tuple[Fact, GoldFact]] = field(default_factory=list)
    misses: list[GoldFact] = field(default_factory=list)
    false_positives: list[Fact] = field(default_factory=list)
    out_of_scope: int = 0  # predictions about other cars or attributes: not scored


@dataclass(slots=True)
class Scored:
    sources: dict[str, SourceScore]

    def group(self, name: str) -> Tally:
        """The tally of one file type ("pdf") or language ("zh")."""
        total = Tally()
        for s in self.sources.values():
            if name in (s.file_type, s.lang):
                total.add(s.tally)
        return total

    def totals(self) -> Tally:
        total = Tally()
        for s in self.sources.values():
            total.add(s.tally)
        return total

    def cars(self) -> set[str]:
        found = {g.car for s in self.sources.values() for g in s.misses}
        return found | {g.car for s in self.sources.values() for _, g in s.matches}


def _key(fact: Fact) -> tuple[object, ...]:
    return (
        fact.car,
        fact.attribute,
        fold(fact.variant) if fact.variant else None,
        fold(fact.value),
        fact.unit,
        tuple(fact.numbers),
    )


def score_source(gold: list[GoldFact], predicted: Iterable[Fact]) -> SourceScore:
    """Match one source's predictions against its gold lines."""
    cars = {g.car for g in gold}
    attributes = {g.attribute for g in gold}
    lines = Counter((g.car, g.attribute) for g in gold)
    unique: dict[tuple[object, ...], Fact] = {}
    out_of_scope = 0
    for fact in predicted:
        if fact.car in cars and fact.attribute in attributes:
            unique.setdefault(_key(fact), fact)
        else:
            out_of_scope += 1
    result = SourceScore(gold[0].file_type, gold[0].lang, Tally(gold=len(gold)))
    result.out_of_scope = out_of_scope
    hit = [False] * len(gold)
    for fact in unique.values():
        best: tuple[bool, float, int] | None = None
        for index, line in enumerate(gold):
            if line.car != fact.car or line.attribute != fact.attribute:
                continue
            sole = lines[(line.car, line.attribute)] == 1
            agreement = variant_score(line.variant, fact.variant, sole=sole)
            if agreement is None or not values_agree(line, fact):
                continue
            candidate = (not hit[index], agreement, -index)
            if best is None or candidate > best:
                best = candidate
        result.tally.predicted += 1
        if best is None:
            result.false_positives.append(fact)
            continue
        index = -best[2]
        hit[index] = True
        result.tally.right += 1
        result.matches.append((fact, gold[index]))
    result.tally.found = sum(hit)
    result.misses = [line for line, found in zip(gold, hit, strict=True) if not found]
    return result


def score(gold: Iterable[GoldFact], predicted: Mapping[str, Iterable[Fact]]) -> Scored:
    """Every gold source scored against its predicted facts (none when it has no entry)."""
    by_source: dict[str, list[GoldFact]] = {}
    for line in gold:
        by_source.setdefault(line.source, []).append(line)
    return Scored(
        {
            source: score_source(lines, predicted.get(source, ()))
            for source, lines in by_source.items()
        }
    )
