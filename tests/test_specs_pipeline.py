"""Spec facts through the real pipeline: built at ingest, kept when a file is unchanged,
replaced when it changes, removed with it (prune, delete); the cars of each chunk in Chroma and
in the lexical index, so search filters by car; `/v1/cars` and the CLI read them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main as cli
from api.services import Services

ZEPHYR = """---
title: Tata Zephyr specifications
---

# Tata Zephyr specifications

The Tata Zephyr is a small crossover with room for five.

| Specification | Value |
|---|---|
| Overall length | 4,180 mm |
| Wheelbase | 2,610 mm |
| Fuel tank capacity | 48 litres |
| Maximum power | 96 kW (130 PS) |
"""

ORBIT = """Tata Orbit - technical data

The Tata Orbit is an electric city car.

Length: 3,850 mm
Battery capacity: 40.5 kWh
"""


def _facts(services: Services, car: str) -> dict[str, str]:
    return {f.attribute: f.value for f in services.cars.facts_of(car)}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "zephyr.md").write_text(ZEPHYR, encoding="utf-8")
    (folder / "orbit.txt").write_text(ORBIT, encoding="utf-8")
    return folder


@pytest.fixture
def services(make_settings: Any, embedder: Any, library: Path) -> Iterator[Services]:
    services = Services(make_settings(roots=[library]), embedder=embedder)
    yield services
    services.close()


def test_facts_follow_their_file_unchanged_edited_pruned_deleted(
    services: Services, library: Path
) -> None:
    pipeline = services.pipeline
    report = pipeline.run([library])
    assert report.ok == 2
    assert _facts(services, "tata-zephyr") == {
        "length": "4,180 mm",
        "wheelbase": "2,610 mm",
        "fuel_tank": "48 litres",
        "power": "96 kW (130 PS)",
    }
    (power,) = [f for f in services.cars.facts_of("tata-zephyr") if f.attribute == "power"]
    assert power.normalized == pytest.approx(96.0) and power.normalized_unit == "kW"
    chunk = power.citation.chunk_id
    assert chunk is not None and chunk.startswith(power.citation.doc_id + ":")
    (stored,) = services.store.get([chunk])  # the cited chunk holds the evidence
    assert power.citation.evidence in stored.text

    again = pipeline.run([library])  # unchanged: skipped, facts kept
    assert (again.ok, again.skipped) == (0, 2)
    assert len(services.cars.facts_of("tata-zephyr")) == 4

    (library / "zephyr.md").write_text(ZEPHYR.replace("4,180 mm", "4,190 mm"), encoding="utf-8")
    pipeline.run([library])
    assert _facts(services, "tata-zephyr")["length"] == "4,190 mm"
    assert len(services.cars.facts_of("tata-zephyr")) == 4  # replaced, not added

    (library / "orbit.txt").unlink()
    pipeline.run([library], prune=True)
    assert services.cars.facts_of("tata-orbit") == []
    assert [c.id for c in services.cars.cars()] == ["tata-zephyr"]

    (record,) = services.ledger.all()
    pipeline.delete(record.doc_id)
    assert services.cars.cars() == []


def test_chunks_carry_their_cars_and_both_searches_filter_by_car(
    services: Services, library: Path
) -> None:
    services.pipeline.run([library])
    cars = {
        chunk_id: metadata.get("cars") for chunk_id, _, metadata in services.store.iter_chunks()
    }
    assert {tuple(c) for c in cars.values() if c} == {("tata-zephyr",), ("tata-orbit",)}
    for mode in ("vector", "lexical", "hybrid"):
        results = services.searcher.search(
            "length in mm", k=5, mode=mode, filters={"car": "tata-orbit"}
        )
        assert results, mode
        assert {r.citation.doc_id for r in results} == {
            r.doc_id for r in services.ledger.all() if r.source.endswith("orbit.txt")
        }, mode
        both = services.searcher.search(
            "length in mm", k=5, mode=mode, filters={"car": ["tata-orbit", "tata-zephyr"]}
        )
        assert len({r.citation.doc_id for r in both}) == 2, mode


def test_cars_api_lists_searches_and_shows_a_sheet_with_close_matches_on_404(
    services: Services, library: Path
) -> None:
    services.pipeline.run([library])
    with TestClient(create_app(services.settings, services=services)) as client:
        listed = client.get("/v1/cars").json()
        assert listed["total"] == 2
        assert [c["id"] for c in listed["cars"]] == ["tata-orbit", "tata-zephyr"]
        zephyr = next(c for c in listed["cars"] if c["id"] == "tata-zephyr")
        assert (zephyr["documents"], zephyr["facts"]) == (1, 4)
        found = client.get("/v1/cars", params={"q": "zephyr"}).json()
        assert [c["id"] for c in found["cars"]] == ["tata-zephyr"]
        assert client.get("/v1/cars", params={"limit": 1, "offset": 1}).json()["cars"][0]["id"] == (
            "tata-zephyr"
        )

        sheet = client.get("/v1/cars/tata-zephyr").json()
        power = next(s for s in sheet["specs"] if s["attribute"] == "power")
        assert power["value"] == "96 kW (130 PS)" and power["unit"] == "kW"
        assert power["normalized"] == {"value": 96.0, "unit": "kW"}
        (citation,) = power["citations"]
        assert citation["evidence"] in (library / "zephyr.md").read_text(encoding="utf-8")
        assert citation["source"].endswith("zephyr.md") and not power["conflict"]
        assert sheet["conflicts"] == []

        missing = client.get("/v1/cars/tata-zefyr")
        assert missing.status_code == 404
        error = missing.json()["error"]
        assert error["type"] == "unknown_car" and "tata-zephyr" in error["message"]
        assert error["detail"]["close_matches"][0]["id"] == "tata-zephyr"  # the closest first

        # a search filtered by a car no document is about: 422 naming the field, not 0 hits
        unknown = client.post(
            "/v1/query", json={"query": "length", "filters": {"car": ["tata-orbit", "tata-zefyr"]}}
        )
        assert unknown.status_code == 422
        error = unknown.json()["error"]
        assert error["type"] == "unknown_car" and error["message"].startswith("filters.car:")
        assert "tata-zefyr" in error["message"]
        assert "tata-zephyr" in [c["id"] for c in error["detail"]["close_matches"]]
        known = client.post("/v1/query", json={"query": "length", "filters": {"car": "tata-orbit"}})
        assert known.status_code == 200 and known.json()["results"]


def test_cli_lists_cars_and_prints_a_sheet(
    services: Services, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.pipeline.run([library])
    monkeypatch.setenv("SPECRAG_DATA_DIR", str(services.settings.data_dir))
    runner = CliRunner()
    listed = runner.invoke(cli, ["cars"])
    assert listed.exit_code == 0, listed.output
    assert "tata-zephyr" in listed.output and "tata-orbit" in listed.output
    sheet = runner.invoke(cli, ["specs", "Zephyr"])  # a name, not only an id
    assert sheet.exit_code == 0, sheet.output
    assert "Wheelbase: 2,610 mm" in sheet.output and "zephyr.md" in sheet.output
    as_json = json.loads(runner.invoke(cli, ["specs", "tata-orbit", "--json"]).output)
    assert {s["attribute"] for s in as_json["specs"]} == {"length", "battery_capacity"}
    unknown = runner.invoke(cli, ["specs", "Tata Zefyr"])
    assert unknown.exit_code == 1 and "did you mean Tata Zephyr (tata-zephyr)" in unknown.output


CORPUS_FILES = (
    "auto-brochure-rag-venue/hyundai_venue_digital_brochure.pdf",
    "drivewise-metadata-rag/hyundai_creta.pdf",
    "drivewise-rag-compiled/hyundai_creta_2026_brochure.txt",
    "rsshub-cn-auto-news/cn02_nissan_xtrail_2021.md",
)


@pytest.mark.slow
def test_corpus_acceptance_venue_sheet_creta_conflict_and_a_chinese_name(
    make_settings: Any, embedder: Any, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in CORPUS_FILES:
        shutil.copy(corpus / name, folder / Path(name).name)
    services = Services(make_settings(), embedder=embedder)
    try:
        assert services.pipeline.run([folder]).ok == len(CORPUS_FILES)
        with TestClient(create_app(services.settings, services=services)) as client:
            venue = client.get("/v1/cars/hyundai-venue").json()
            one = {(s["attribute"], s["variant"]): s for s in venue["specs"] if not s["conflict"]}
            expected = {
                "boot_volume": (375, "L"),
                "fuel_tank": (45, "L"),
                "length": (3995, "mm"),
                "wheelbase": (2520, "mm"),
            }
            for attribute, (value, unit) in expected.items():
                spec = one[(attribute, None)]
                assert spec["normalized"]["value"] == pytest.approx(value), attribute
                assert spec["normalized"]["unit"] == unit, attribute
                assert spec["citations"][0]["source"].endswith("venue_digital_brochure.pdf")
            power = {s["variant"]: s for s in venue["specs"] if s["attribute"] == "power"}
            torque = {s["variant"]: s for s in venue["specs"] if s["attribute"] == "torque"}
            assert len(power) >= 3 and len(torque) >= 3
            assert all(v is not None for v in (*power, *torque))
            turbo = next(v for v in power if "Turbo" in v)
            assert power[turbo]["normalized"]["value"] == pytest.approx(88.3)
            assert torque[turbo]["normalized"]["value"] == pytest.approx(172)
            assert {
                c["page"] for s in (*power.values(), *torque.values()) for c in s["citations"]
            } == {17}

            creta = client.get("/v1/cars/hyundai-creta").json()
            (length,) = [c for c in creta["conflicts"] if c["attribute"] == "length"]
            sources = {Path(c["source"]).name for v in length["values"] for c in v["citations"]}
            assert {"hyundai_creta.pdf", "hyundai_creta_2026_brochure.txt"} <= sources
            values = {v["value"] for v in length["values"]}
            assert any("4 330" in v for v in values) and any("4,300" in v for v in values)

            found = client.get("/v1/cars", params={"q": "奇骏"}).json()["cars"]
            assert found and found[0]["id"] == "nissan-x-trail"
    finally:
        services.close()
