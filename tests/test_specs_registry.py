"""Spec facts in the ledger (written with the document's row, replaced and removed with it)
and the car registry read from them: merging, conflicts, search in any language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.ledger import Ledger
from ingest.specs.model import CarRef, DocumentSpecs, Fact
from ingest.specs.registry import CarRegistry, CuratedCar

VENUE = CarRef("hyundai-venue", "Hyundai Venue")
CRETA = CarRef("hyundai-creta", "Hyundai Creta", ("Creta",))
XTRAIL = CarRef("nissan-x-trail", "Nissan X-Trail", ("奇骏",))


def fact(car: CarRef, attribute: str, value: str, numbers: tuple[float, ...], unit: str | None,
         normalized: float | None = None, normalized_unit: str | None = None,
         variant: str | None = None, chunk: int = 0) -> Fact:  # fmt: skip
    return Fact(
        car=car.id,
        attribute=attribute,
        value=value,
        numbers=numbers,
        unit=unit,
        normalized=normalized if normalized is not None else (numbers[0] if numbers else None),
        normalized_unit=normalized_unit or unit,
        variant=variant,
        evidence=f"{attribute} {value}",
        page=17,
        section="Specifications",
        chunk_index=chunk,
    )


def save(ledger: Ledger, doc_id: str, specs: DocumentSpecs, status: str = "ok") -> None:
    ledger.save(
        doc_id=doc_id,
        source=f"/docs/{doc_id}.pdf",
        file_type="pdf",
        title=doc_id,
        sha256="0" * 64,
        size=1,
        status=status,
        fingerprint="test",
        chunk_ids=[f"{doc_id}:0", f"{doc_id}:1"],
        specs=specs if status == "ok" else None,
        error=None if status == "ok" else "broken",
    )


@pytest.fixture
def ledger(database: Callable[[str], Path | str]) -> Iterator[Ledger]:
    """The ledger on SQLite, then on PostgreSQL."""
    ledger = Ledger(database("ledger"))
    yield ledger
    ledger.close()


def creta_specs(length: str, number: float) -> DocumentSpecs:
    return DocumentSpecs(
        cars=[CRETA],
        facts=[
            fact(CRETA, "length", length, (number,), "mm"),
            fact(CRETA, "power", "115 PS", (115.0,), "PS", 84.58, "kW", chunk=1),
        ],
    )


def test_facts_are_stored_with_citations_and_agreeing_sources_merge(ledger: Ledger) -> None:
    save(ledger, "brochure", creta_specs("4 330 mm", 4330))
    save(
        ledger,
        "compiled",
        DocumentSpecs(
            cars=[CRETA],
            facts=[fact(CRETA, "power", "84.4 kW", (84.4,), "kW", 84.4, "kW")],
        ),
    )
    registry = CarRegistry(ledger.database, labels={"length": "Overall length", "power": "Power"})
    sheet = registry.sheet("hyundai-creta")
    assert sheet is not None and sheet.car.documents == 2 and sheet.car.facts == 3
    power = [s for s in sheet.specs if s.attribute == "power"]
    # 115 PS (84.6 kW) and 84.4 kW agree within rounding: one spec, cited twice
    assert len(power) == 1 and not power[0].conflict
    assert {c.doc_id for c in power[0].citations} == {"brochure", "compiled"}
    assert power[0].citations[0].chunk_id == "brochure:1"
    assert power[0].citations[0].page == 17
    assert [s.attribute for s in sheet.specs] == ["length", "power"]  # vocabulary order
    assert sheet.conflicts == []


def test_different_figures_for_one_attribute_are_a_conflict_with_both_sources(
    ledger: Ledger,
) -> None:
    save(ledger, "brochure", creta_specs("4 330 mm", 4330))
    save(ledger, "compiled", creta_specs("4,300 mm", 4300))
    sheet = CarRegistry(ledger.database).sheet("hyundai-creta")
    assert sheet is not None
    (conflict,) = sheet.conflicts
    assert conflict.attribute == "length"
    assert [v.value for v in conflict.values] == ["4 330 mm", "4,300 mm"]
    assert [[c.doc_id for c in v.citations] for v in conflict.values] == [
        ["brochure"],
        ["compiled"],
    ]
    assert all(s.conflict for s in sheet.specs if s.attribute == "length")


def test_variants_are_not_conflicts(ledger: Ledger) -> None:
    specs = DocumentSpecs(
        cars=[VENUE],
        facts=[
            fact(VENUE, "power", "61 kW", (61.0,), "kW", variant="Kappa 1.2 l MPi"),
            fact(VENUE, "power", "88.3 kW", (88.3,), "kW", variant="Kappa 1.0 l Turbo GDi"),
        ],
    )
    save(ledger, "venue", specs)
    sheet = CarRegistry(ledger.database).sheet("hyundai-venue")
    assert sheet is not None and sheet.conflicts == []
    assert {s.variant for s in sheet.specs} == {"Kappa 1.2 l MPi", "Kappa 1.0 l Turbo GDi"}


def test_a_changed_file_replaces_its_facts_a_failed_one_keeps_them_delete_removes(
    ledger: Ledger,
) -> None:
    registry = CarRegistry(ledger.database)
    save(ledger, "brochure", creta_specs("4 330 mm", 4330))
    save(ledger, "brochure", creta_specs("4 331 mm", 4331))
    lengths = [f.value for f in registry.facts_of("hyundai-creta") if f.attribute == "length"]
    assert lengths == ["4 331 mm"]
    save(ledger, "brochure", DocumentSpecs(), status="failed")
    assert len(registry.facts_of("hyundai-creta")) == 2  # the last good version's facts
    ledger.delete("brochure")
    assert registry.facts_of("hyundai-creta") == [] and registry.cars() == []


def test_search_finds_cars_by_alias_in_any_language_and_inside_a_question(ledger: Ledger) -> None:
    save(ledger, "xtrail", DocumentSpecs(cars=[XTRAIL]))
    save(ledger, "creta", DocumentSpecs(cars=[CRETA]))
    registry = CarRegistry(
        ledger.database,
        curated={"nissan-x-trail": CuratedCar("Nissan X-Trail", ("日产奇骏", "Rogue"))},
    )
    assert [c.id for c in registry.search("奇骏")] == ["nissan-x-trail"]
    assert [c.id for c in registry.search("全新日产奇骏的油耗")] == ["nissan-x-trail"]
    assert [c.id for c in registry.search("x trail")] == ["nissan-x-trail"]
    assert [c.id for c in registry.search("Rogue")] == ["nissan-x-trail"]
    assert [c.id for c in registry.search("CRETA")] == ["hyundai-creta"]
    assert registry.search("Tundra") == []
    car = registry.car("nissan-x-trail")
    assert car is not None and {"日产奇骏", "Rogue", "奇骏"} <= set(car.aliases)
    assert [c.id for c in registry.close_matches("hyundai-cretta")] == ["hyundai-creta"]
    assert registry.sheet("hyundai-cretta") is None
