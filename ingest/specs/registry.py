"""The car registry and spec sheets, read from the facts the pipeline stored.

A car is every document row naming its canonical id (`document_cars`), plus the curated alias
file's name and aliases for it. A spec sheet groups a car's facts by attribute and variant;
facts that agree (the same figures in one unit, or within `TOLERANCE` once converted) become
one spec with all their citations, and an attribute + variant with more than one value is a
conflict listing each value with its citations.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ingest.specs.cars import CarIndex
from ingest.specs.variant_cars import bases, variant_car
from ingest.specs.variants import name_key
from ingest.specs.vocabulary import Vocabulary
from ingest.storage.engine import Database
from ingest.storage.tables import document_cars, documents, facts

# Converted figures closer than this (relative) are one value: 120 PS and 88.3 kW agree,
# 4 330 mm and 4 300 mm do not. Figures in the same unit must be equal.
TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class CuratedCar:
    """A car of the curated alias file: its display name ("": the name its documents give
    it, for a car listed only under `[names]`) and every other name for it."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FactCitation:
    doc_id: str
    source: str  # the server's path, as the ledger holds it
    title: str
    page: int | None
    section: str
    chunk_id: str | None
    evidence: str
    document: str = ""  # as its user gave it (the registry's `document_name`)


@dataclass(frozen=True, slots=True)
class StoredFact:
    attribute: str
    variant: str | None
    value: str
    numbers: tuple[float, ...]
    unit: str | None
    normalized: float | None
    normalized_unit: str | None
    citation: FactCitation


@dataclass(slots=True)
class Spec:
    attribute: str
    label: str
    variant: str | None
    value: str
    unit: str | None
    numbers: tuple[float, ...]
    normalized: float | None
    normalized_unit: str | None
    citations: list[FactCitation] = field(default_factory=list)
    conflict: bool = False


@dataclass(frozen=True, slots=True)
class Conflict:
    attribute: str
    label: str
    variant: str | None
    values: list[Spec]


@dataclass(frozen=True, slots=True)
class CarSummary:
    id: str
    name: str
    aliases: tuple[str, ...]
    documents: int
    facts: int


@dataclass(frozen=True, slots=True)
class SpecSheet:
    car: CarSummary
    specs: list[Spec]
    conflicts: list[Conflict]


def curated_cars(index: CarIndex) -> dict[str, CuratedCar]:
    """The curated alias files' cars (`ingest.specs.cars.load_cars`), for the registry."""
    curated = {
        car_id: CuratedCar(name, tuple(index.model_display.get(car_id, ())))
        for car_id, name in index.model_names.items()
    }
    for car_id, names in index.other_names.items():  # named as the documents name it
        known = curated.get(car_id, CuratedCar(""))
        curated[car_id] = CuratedCar(known.name, (*known.aliases, *names))
    return curated


def attribute_labels(vocabulary: Vocabulary) -> dict[str, str]:
    """Attribute key → label, in the vocabulary file's order."""
    return {key: attribute.label for key, attribute in vocabulary.attributes.items()}


class CarRegistry:
    """Cars and spec sheets over the ledger's database."""

    def __init__(
        self,
        database: Database,
        *,
        curated: Mapping[str, CuratedCar] | None = None,
        labels: Mapping[str, str] | None = None,
        document_name: Callable[[str], str] | None = None,
    ) -> None:
        self._db = database
        # how citations name a document (its file name unless the caller knows its roots)
        self._name = document_name or (lambda source: Path(source).name)
        self._curated = dict(curated or {})
        self._labels = dict(labels or {})  # attribute → label, in the vocabulary's order
        self._order = {key: n for n, key in enumerate(self._labels)}
        self._every: tuple[tuple[Any, ...], dict[str, list[StoredFact]]] | None = None

    # -- cars ---------------------------------------------------------------------------

    def cars(self) -> list[CarSummary]:
        """Every car some document is about, by name."""
        return self._summaries()

    def car(self, car_id: str) -> CarSummary | None:
        found = self._summaries(car_id)
        return found[0] if found else None

    def _summaries(self, car_id: str | None = None) -> list[CarSummary]:
        """The cars (or the one car `car_id`) as the stored rows and the curated names say."""
        names: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        aliases: dict[str, dict[str, None]] = defaultdict(dict)
        docs: dict[str, set[str]] = defaultdict(set)
        counts: dict[str, int] = defaultdict(int)
        rows = sa.select(
            document_cars.c.doc_id,
            document_cars.c.car_id,
            document_cars.c.name,
            document_cars.c.aliases,
        )
        tally = sa.select(facts.c.car_id, sa.func.count()).group_by(facts.c.car_id)
        if car_id is not None:
            rows = rows.where(document_cars.c.car_id == car_id)
            tally = tally.where(facts.c.car_id == car_id)
        with self._db.read() as connection:
            for doc, car, name, raw in connection.execute(rows):
                names[car][name] += 1
                aliases[car].update(dict.fromkeys(json.loads(raw)))
                docs[car].add(doc)
            for car, n in connection.execute(tally):
                counts[car] = int(n)
        found = []
        for car_id in names:
            curated = self._curated.get(car_id)
            seen = names[car_id]
            name = curated.name if curated and curated.name else max(seen, key=_most_seen(seen))
            every = dict.fromkeys((curated.aliases if curated else ()) + tuple(seen))
            every.update(aliases[car_id])
            distinct: dict[str, str] = {name_key(name): name}
            for alias in every:  # "Venue" and "VENUE" are one alias
                distinct.setdefault(name_key(alias), alias)
            shown = tuple(list(distinct.values())[1:])
            found.append(CarSummary(car_id, name, shown, len(docs[car_id]), counts.get(car_id, 0)))
        return sorted(found, key=lambda car: car.name.casefold())

    def search(self, query: str) -> list[CarSummary]:
        """Cars whose id, name or an alias matches `query` (either inside the other), best
        first: an exact name, then the longest name found inside the query."""
        return _search(query, self.cars())

    def close_matches(self, text: str, n: int = 5) -> list[CarSummary]:
        """Cars whose names look like `text`, for a "did you mean" on an unknown id."""
        cars = self.cars()
        by_name: dict[str, CarSummary] = {}
        for car in cars:
            for name in (car.id, car.name, *car.aliases):
                by_name.setdefault(name_key(name), car)
        matches = difflib.get_close_matches(name_key(text), list(by_name), n=n * 3, cutoff=0.5)
        ordered = list({by_name[m].id: by_name[m] for m in matches}.values())
        return (ordered or _search(text, cars))[:n]

    # -- spec sheets ----------------------------------------------------------------------

    def facts_per_document(self) -> dict[str, int]:
        """How many facts each document gave, by doc id (documents with none left out)."""
        tally = sa.select(facts.c.doc_id, sa.func.count()).group_by(facts.c.doc_id)
        with self._db.read() as connection:
            return {doc: int(n) for doc, n in connection.execute(tally)}

    def facts_of(self, car_id: str) -> list[StoredFact]:
        """The car's facts, and those a base car's document gives a version whose name makes
        this car (`variant_cars`: the "Aurora X5"'s "Hybrid" is the "Aurora X5 Hybrid")."""
        query = (
            sa.select(facts, documents.c.source, documents.c.title)
            .join(documents, documents.c.doc_id == facts.c.doc_id)
            .where(facts.c.car_id.in_([car_id, *bases(car_id)]))
            .order_by(documents.c.source, facts.c.id)
        )
        found = []
        with self._db.read() as connection:
            for row in connection.execute(query):
                fact = _stored(dict(row._mapping), self._name)
                if row.car_id != car_id:
                    if (named := variant_car(row.car_id, fact.variant, {car_id})) is None:
                        continue
                    fact = replace(fact, variant=named[1])
                found.append(fact)
        return found

    def all_facts(self) -> dict[str, list[StoredFact]]:
        """Every car's facts by car id (for grounding's wrong-car check), read again only
        when the facts table has changed since the last call."""
        stamp = sa.select(sa.func.count(), sa.func.max(facts.c.id), sa.func.sum(facts.c.id))
        with self._db.read() as connection:
            version = tuple(connection.execute(stamp).one())
        if self._every is None or self._every[0] != version:
            query = sa.select(facts, documents.c.source, documents.c.title).join(
                documents, documents.c.doc_id == facts.c.doc_id
            )
            by_car: dict[str, list[StoredFact]] = defaultdict(list)
            with self._db.read() as connection:
                for row in connection.execute(query.order_by(documents.c.source, facts.c.id)):
                    by_car[row.car_id].append(_stored(dict(row._mapping), self._name))
            self._every = (version, dict(by_car))
        return self._every[1]

    def sheet(self, car_id: str) -> SpecSheet | None:
        car = self.car(car_id)
        if car is None:
            return None
        groups: dict[tuple[str, str], list[StoredFact]] = defaultdict(list)
        for fact in self.facts_of(car_id):
            groups[(fact.attribute, name_key(fact.variant or ""))].append(fact)
        specs: list[Spec] = []
        conflicts: list[Conflict] = []
        for (attribute, _), group in sorted(groups.items(), key=self._group_order):
            values = self._agreeing(group)
            if len(values) > 1 and any(v.numbers for v in values):
                for value in values:
                    value.conflict = True
                conflicts.append(
                    Conflict(attribute, self._label(attribute), values[0].variant, values)
                )
            specs.extend(values)
        return SpecSheet(car, _years_merged(specs), conflicts)

    def _group_order(self, item: tuple[tuple[str, str], list[StoredFact]]) -> tuple[int, str, str]:
        (attribute, variant), _ = item
        return (self._order.get(attribute, len(self._order)), attribute, variant)

    def _label(self, attribute: str) -> str:
        return self._labels.get(attribute, attribute.replace("_", " ").capitalize())

    def _agreeing(self, group: Sequence[StoredFact]) -> list[Spec]:
        """The group's facts merged into one spec per value that sources agree on."""
        specs: list[Spec] = []
        for fact in group:
            match = next((s for s in specs if _agree(s, fact)), None)
            if match is None:
                match = Spec(
                    fact.attribute,
                    self._label(fact.attribute),
                    fact.variant,
                    fact.value,
                    fact.unit,
                    fact.numbers,
                    fact.normalized,
                    fact.normalized_unit,
                )
                specs.append(match)
            if fact.citation not in match.citations:
                match.citations.append(fact.citation)
        return specs


def _search(query: str, cars: Sequence[CarSummary]) -> list[CarSummary]:
    wanted = name_key(query)
    if not wanted:
        return list(cars)
    scored: list[tuple[int, int, CarSummary]] = []
    for car in cars:
        best = 0
        for name in (car.id, car.name, *car.aliases):
            folded = name_key(name)
            if not folded:
                continue
            if folded == wanted:
                best = max(best, 10_000)
            elif len(folded) >= 2 and folded in wanted:
                best = max(best, 1_000 + len(folded))
            elif wanted in folded:
                best = max(best, 100 + len(wanted))
        if best:
            scored.append((best, -car.facts, car))
    scored.sort(key=lambda item: (-item[0], item[1], item[2].name))
    return [car for _, _, car in scored]


# "2025", "2025 · Hybrid": a variant a document's model year heads (`data_rows.with_year`)
_DATED = re.compile(r"(?:19|20)\d\d(?: · (?P<rest>.+))?")


def _years_merged(specs: list[Spec]) -> list[Spec]:
    """A spec of a document's model year ("2025", "2025 · Hybrid") that agrees with the car's
    spec of no year ("", "Hybrid") is that spec again: one spec, both citations (a year's
    figure that differs stays that year's)."""
    out = []
    for spec in specs:
        dated = None if spec.conflict else _DATED.fullmatch((spec.variant or "").strip())
        undated = name_key(dated.group("rest") or "") if dated else None
        same = [
            p
            for p in specs
            if undated is not None
            and p.attribute == spec.attribute
            and _DATED.fullmatch((p.variant or "").strip()) is None
            and name_key(p.variant or "") == undated
            and _agree(p, spec)
        ]
        if same:
            same[0].citations.extend(c for c in spec.citations if c not in same[0].citations)
        else:
            out.append(spec)
    return out


def _agree(spec: Spec, fact: Spec | StoredFact) -> bool:
    if not spec.numbers or not fact.numbers:
        return name_key(spec.value) == name_key(fact.value)
    if spec.unit is not None and spec.unit == fact.unit:
        return spec.numbers == fact.numbers
    if (
        spec.normalized is None
        or fact.normalized is None
        or spec.normalized_unit != fact.normalized_unit
    ):
        return spec.numbers == fact.numbers and spec.unit == fact.unit
    scale = max(abs(spec.normalized), abs(fact.normalized)) or 1.0
    return abs(spec.normalized - fact.normalized) / scale <= TOLERANCE


def _stored(row: Mapping[str, Any], name: Callable[[str], str]) -> StoredFact:
    return StoredFact(
        attribute=row["attribute"],
        variant=row["variant"],
        value=row["value"],
        numbers=tuple(json.loads(row["numbers"])),
        unit=row["unit"],
        normalized=row["normalized"],
        normalized_unit=row["normalized_unit"],
        citation=FactCitation(
            doc_id=row["doc_id"],
            source=row["source"],
            title=row["title"],
            page=row["page"],
            section=row["section"],
            chunk_id=row["chunk_id"],
            evidence=row["evidence"],
            document=name(row["source"]),
        ),
    )


def _most_seen(seen: Mapping[str, int]) -> Callable[[str], tuple[int, int]]:
    """The name the documents write most often, the shorter first on a tie."""
    return lambda name: (seen[name], -len(name))
