"""Spec grounding: every figure of a text judged against the facts of the car it is about.

Figures are read by `ingest.specs.figures` (numbers with any unit, ranges, counts with their
noun, Chinese and English number words). Each gets a verdict:

- `supported`: it agrees with a fact of this car (unit conversion allowed, within the rounding
  both figures were written with: 120 PS ≈ 118 hp ≈ 88 kW), or with a figure of a retrieved
  passage about this car (chunk metadata `cars`), since fact extraction misses some; the
  verdict carries the fact or passage with its citation. Without a car, any passage counts.
- `wrong_car`: it agrees only with another car's fact (that car and fact are given).
- `unsupported`: nothing backs it.

A text with figures is `grounded` when every one is supported, else `flagged`; a text with none
is `no_figures`, its own verdict and never a pass.

Passages also back a figure by a bare number: under a header-style unit of its dimension
("Wheelbase (mm)  2 520"), or, in a passage without such headers, one specific enough to count
(at least 100, or with decimals).
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ingest.specs.figures import ATTRIBUTE_KINDS, UNITS, Figure, figures, spelled_codes
from ingest.specs.numbers import fold
from ingest.specs.registry import CarRegistry, StoredFact
from ingest.specs.units import SUFFIXES

Verdict = Literal["supported", "wrong_car", "unsupported"]
ResponseVerdict = Literal["grounded", "flagged", "no_figures"]

_UNIT_FORMS = "|".join(form for form, _ in SUFFIXES)
_HEADER = re.compile(rf"[(（]\s*(?:{_UNIT_FORMS})\s*[)）]", re.IGNORECASE)
# `wrong_car` names another car only when at most this many cars state the figure (within
# `CLOSE`, relative): "5 seats" matches hundreds of cars and points at none of them.
WRONG_CAR_MAX = 3
CLOSE = 0.005
_SPACED_PAIR = re.compile(r"(?<![\d.,])(?=(\d{1,3}) (\d{3})(?![\d,.]))")


class Source(BaseModel):
    """Where a backing figure was read: a fact's citation, or a retrieved passage."""

    doc_id: str = ""
    document: str = ""
    source: str = ""
    page: int | None = None
    section: str = ""
    chunk_id: str | None = None
    evidence: str = Field(default="", description="the text the figure was read from")
    n: int | None = Field(default=None, description="the passage's number, for a passage")


class Backing(BaseModel):
    """The fact (or passage figure) a figure agrees with."""

    car: str | None = Field(description="the car id the fact is about (null: a passage's)")
    attribute: str | None = Field(default=None, description="null for a passage figure")
    value: str = Field(description="the fact's value, or the passage's figure, as written")
    citation: Source


class FigureCheck(BaseModel):
    """One figure of a text and its verdict."""

    text: str = Field(description="the figure as written")
    value: float = Field(description="the number (万/lakh applied)")
    unit: str | None = Field(default=None, description="the unit's symbol, e.g. PS for 马力")
    noun: str | None = Field(default=None, description="what a unitless count counts")
    verdict: Verdict = "unsupported"
    backing: Backing | None = None
    field: str = Field(default="", description="the output field it is in")
    start: int = Field(default=0, description="offset of the figure in its field")
    end: int = 0


class GroundingReport(BaseModel):
    """Every figure of a text with its verdict, in reading order, and the counts."""

    checked: int = 0
    supported: int = 0
    wrong_car: list[FigureCheck] = Field(default_factory=list)
    unsupported: list[FigureCheck] = Field(default_factory=list)
    figures: list[FigureCheck] = Field(default_factory=list)
    verdict: ResponseVerdict = "no_figures"

    def add(self, check: FigureCheck) -> None:
        self.checked += 1
        self.figures.append(check)
        if check.verdict == "supported":
            self.supported += 1
        elif check.verdict == "wrong_car":
            self.wrong_car.append(check)
        else:
            self.unsupported.append(check)
        self.verdict = "grounded" if self.checked == self.supported else "flagged"


@dataclass(frozen=True, slots=True)
class _Known:
    figure: Figure
    backing: Backing


def _half(number: float) -> float:
    decimals = repr(float(number)).split(".")[1].rstrip("0")
    return 0.5 * 10.0 ** -len(decimals)


def fact_figures(fact: StoredFact) -> list[Figure]:
    """The figures a stored fact states: its numbers in its unit, the other units its value
    gives ("88.3 kW (120 PS)"), a count's kind from its attribute, and the gears of a gearbox
    code ("Man-6")."""
    unit = UNITS.get(fact.unit) if fact.unit else None
    kind = ATTRIBUTE_KINDS.get(fact.attribute)
    out: list[Figure] = []
    if unit is not None or kind is not None:
        out += [
            Figure(fact.value, 0, 0, n, _half(n), unit, None if unit else kind)
            for n in fact.numbers
        ]
    out += [f for f in figures(fact.value) if f.unit is not None or f.noun is not None]
    spelled = spelled_codes(fact.value, "en")  # "Man-6" as text writes it: "6-speed manual"
    if spelled != fact.value:
        out += [f for f in figures(spelled) if f.noun is not None]
    if not out:
        out = [Figure(fact.value, 0, 0, n, _half(n), None) for n in fact.numbers]
    return out


class _Catalog:
    """Every car's fact figures, built once per version of the facts table."""

    def __init__(self, registry: CarRegistry, every: dict[str, list[StoredFact]]) -> None:
        self.every = every
        self.by_car: dict[str, list[_Known]] = {
            car: [
                _Known(figure, _fact_backing(car, fact))
                for fact in stored
                for figure in fact_figures(fact)
            ]
            for car, stored in every.items()
        }
        # the other cars' figures by dimension, so a claim is compared with its own kind only
        self.by_dimension: dict[str, list[_Known]] = defaultdict(list)
        for known in self.by_car.values():
            for k in known:
                self.by_dimension[k.figure.dimension].append(k)
        names = [n for c in registry.cars() for n in (c.id, c.name, *c.aliases)]
        self.numbered_names = sorted({n for n in names if any(ch.isdigit() for ch in n)})


_CATALOGS: weakref.WeakKeyDictionary[CarRegistry, _Catalog] = weakref.WeakKeyDictionary()


def _catalog(registry: CarRegistry) -> _Catalog:
    every = registry.all_facts()
    cached = _CATALOGS.get(registry)
    if cached is None or cached.every is not every:
        cached = _CATALOGS[registry] = _Catalog(registry, every)
    return cached


def _fact_backing(car: str, fact: StoredFact) -> Backing:
    c = fact.citation
    return Backing(
        car=car,
        attribute=fact.attribute,
        value=fact.value,
        citation=Source(
            doc_id=c.doc_id,
            document=c.document or Path(c.source).name,
            source=c.document or Path(c.source).name,
            page=c.page,
            section=c.section,
            chunk_id=c.chunk_id,
            evidence=c.evidence,
        ),
    )


def _passage_backing(passage: Any, value: str, span: tuple[int, int] | None = None) -> Backing:
    """A passage figure's backing; the evidence is the text around it (`span`), or the
    passage's head for a bare table number."""
    text = passage if isinstance(passage, str) else passage.text
    start, end = span if span is not None else (0, 0)
    evidence = text[max(0, start - 100) : end + 100] if span else text[:300]
    return Backing(
        car=None,
        value=value,
        citation=Source(
            doc_id=getattr(passage, "doc_id", ""),
            document=getattr(passage, "document", ""),
            source=getattr(passage, "source", ""),
            page=getattr(passage, "page", None),
            section=getattr(passage, "section", ""),
            chunk_id=getattr(passage, "chunk_id", None),
            evidence=evidence.strip(),
            n=getattr(passage, "n", None),
        ),
    )


def _find(claim: Figure, known: Iterable[_Known]) -> _Known | None:
    for k in known:
        if claim.agrees(k.figure) or (
            claim.dimension == "number" and abs(claim.value - k.figure.value) < 1e-9
        ):
            return k
    return None


class Reference:
    """What the figures of a text about one car are judged against: the car's facts, the other
    cars' facts, and the retrieved passages (each with `text`, and `cars` when tagged).

    Without a registry or car, only the passages back figures (all of them), so a chain whose
    brief names no known car is still checked.
    """

    def __init__(
        self,
        registry: CarRegistry | None = None,
        car_id: str | None = None,
        passages: Iterable[Any] = (),
    ) -> None:
        self.car_id = car_id
        self.names: list[str] = []
        self._own: list[_Known] = []
        self._catalog: _Catalog | None = None
        if registry is not None and car_id is not None:
            self._catalog = _catalog(registry)
            self._own = self._catalog.by_car.get(car_id, [])
            self.names = self._catalog.numbered_names
        self._passages: list[_Known] = []
        self._bare: dict[float, Any] = {}  # distinctive bare number → passage
        # dimension → bare number → passage, for numbers under a header unit "(mm)"
        self._headed: dict[str, dict[float, Any]] = defaultdict(dict)
        self._passage_cars: set[str] = set()
        for passage in passages:
            self._add_passage(passage)

    def _add_passage(self, passage: Any) -> None:
        text = passage if isinstance(passage, str) else passage.text
        cars = tuple(getattr(passage, "cars", ()) or ())
        self._passage_cars.update(cars)
        if self.car_id is not None and self.car_id not in cars:
            return
        found = figures(text, names=self.names)
        bare = [f.value for f in found if f.unit is None and f.noun is None]
        bare += [float(a + b) for a, b in _SPACED_PAIR.findall(fold(text))]
        for f in found:
            if f.unit is not None or f.noun is not None:
                backing = _passage_backing(passage, f.text, (f.start, f.end))
                self._passages.append(_Known(f, backing))
        headers = [u for u in (_header_unit(h.group()) for h in _HEADER.finditer(fold(text))) if u]
        for dimension in headers:
            self._headed[dimension].update(dict.fromkeys(bare, passage))
        if not headers:
            self._bare.update({b: passage for b in bare if b >= 100 or b != int(b)})

    def judge(self, claim: Figure) -> tuple[Verdict, Backing | None]:
        found = _find(claim, self._own) or _find(claim, self._passages)
        if found is not None:
            return "supported", found.backing
        for table in (self._headed.get(claim.dimension, {}), self._bare):
            if claim.value in table:
                return "supported", _passage_backing(table[claim.value], claim.text)
        if self._catalog is not None:
            found = self._other_car(claim, self._catalog)
            if found is not None:
                return "wrong_car", found.backing
        return "unsupported", None

    def _other_car(self, claim: Figure, catalog: _Catalog) -> _Known | None:
        """The other car's fact closest to the claim (the cars the passages are about first),
        when few cars state it: a value many cars share (5 seats) says nothing about which
        car a text confused this one with, so it stays unsupported."""
        by_dimension = catalog.by_dimension
        if claim.dimension == "number":  # a bare number: any fact with that number
            candidates = [k for known in by_dimension.values() for k in known]
        else:
            candidates = by_dimension.get(claim.dimension, [])
        agreeing = [
            (_distance(claim, k.figure), k)
            for k in candidates
            if k.backing.car != self.car_id and _find(claim, [k]) is not None
        ]
        close = {k.backing.car for d, k in agreeing if d <= CLOSE}
        if not agreeing or len(close) > WRONG_CAR_MAX:
            return None
        agreeing.sort(key=lambda item: (item[1].backing.car not in self._passage_cars, item[0]))
        return agreeing[0][1]


def _distance(claim: Figure, fact: Figure) -> float:
    """How far apart two agreeing figures are, relative, in the canonical unit."""
    return min(
        abs(c - f) / (max(abs(c), abs(f)) or 1.0)
        for c, _ in claim.canonical()
        for f, _ in fact.canonical()
    )


def _header_unit(header: str) -> str | None:
    inner = header.strip("()（） ")
    for form, unit in SUFFIXES:
        if re.fullmatch(form, inner, re.IGNORECASE):
            return unit.dimension
    return None


def check(
    text: str | Sequence[tuple[str, str]],
    reference: Reference | Iterable[Any],
    report: GroundingReport | None = None,
) -> GroundingReport:
    """Every figure of `text` (or of each (field, text)) judged against `reference`."""
    ref = reference if isinstance(reference, Reference) else Reference(passages=reference)
    report = report or GroundingReport()
    fields = [("", text)] if isinstance(text, str) else list(text)
    for name, body in fields:
        for figure in figures(body, names=ref.names):
            verdict, backing = ref.judge(figure)
            report.add(
                FigureCheck(
                    text=figure.text,
                    value=figure.value,
                    unit=figure.unit.symbol if figure.unit else None,
                    noun=figure.noun,
                    verdict=verdict,
                    backing=backing,
                    field=name,
                    start=figure.start,
                    end=figure.end,
                )
            )
    return report
