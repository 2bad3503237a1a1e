"""Grounding against a car's facts in a real registry: a real ingest of the Hyundai Venue
brochure (PDF), a Hyundai Creta brochure (text) and a Chinese Zeekr 001 article from
../shared/corpus. Each figure is supported (with the fact's citation), another car's
(`wrong_car`, naming that car and fact) or unsupported; through the library, the HTTP route,
the CLI and the chain with a scripted remote model and each grounding policy."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main as cli
from api.services import Services
from api.settings import Settings
from generation.chain.run import Chain, ChainOptions
from generation.errors import UngroundedFigures
from generation.facts import Facts
from generation.grounding import GroundingReport, Reference, check
from generation.guard import Guard
from generation.llm import build_llm
from generation.prompts import PromptLibrary
from generation.schemas import BlogResponse, Brief
from tests.fake_openai import FakeOpenAI
from tests.test_chain import LISTS, PROMPTS, spec_for

FILES = (
    "auto-brochure-rag-venue/hyundai_venue_digital_brochure.pdf",
    "drivewise-metadata-rag/hyundai_creta.txt",
    "rsshub-cn-auto-news/cn06_zeekr_001.md",
)
ACCEPTANCE = "The Hyundai Venue has a 433-litre boot and 120 PS"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, corpus: Path, embedder: Any) -> Path:
    """A data dir with the three corpus files ingested, built once for this module."""
    root = tmp_path_factory.mktemp("grounding")
    library = root / "library"
    library.mkdir()
    for relative in FILES:
        (library / Path(relative).name).symlink_to(corpus / relative)
    services = Services(Settings(data_dir=root / "index", workers=0), embedder=embedder)
    report = services.pipeline.run([library])
    assert (report.ok, report.failed) == (len(FILES), 0), report.errors
    services.close()
    return root / "index"


@pytest.fixture
def services(indexed: Path, embedder: Any) -> Iterator[Services]:
    services = Services(Settings(data_dir=indexed, workers=0), embedder=embedder)
    yield services
    services.close()


def verdicts(report: GroundingReport) -> list[tuple[str, str]]:
    return [(f.text, f.verdict) for f in report.figures]


def test_another_cars_boot_is_wrong_car_and_the_power_is_cited(services: Services) -> None:
    """The acceptance case: 433 litres is the Creta's boot; the Venue's 120 PS is cited."""
    registry = services.cars
    report = check(ACCEPTANCE, Reference(registry, "hyundai-venue"))
    assert verdicts(report) == [("433-litre", "wrong_car"), ("120 PS", "supported")]
    assert (report.checked, report.supported, report.verdict) == (2, 1, "flagged")

    boot, power = report.figures
    assert boot.backing is not None and boot.backing.car == "hyundai-creta"
    assert boot.backing.attribute == "boot_volume" and "433" in boot.backing.citation.evidence
    assert boot.backing.citation.source.endswith("hyundai_creta.txt")
    creta = [f for f in registry.facts_of("hyundai-creta") if f.attribute == "boot_volume"]
    assert [f.value for f in creta] == [boot.backing.value]

    assert power.backing is not None and power.backing.car == "hyundai-venue"
    cited = power.backing.citation
    assert cited.source.endswith("hyundai_venue_digital_brochure.pdf")
    assert cited.page is not None and "120 PS" in cited.evidence
    assert cited.chunk_id is not None and cited.chunk_id.startswith(cited.doc_id + ":")
    (chunk,) = services.store.get([cited.chunk_id])
    assert cited.evidence in chunk.text  # the cited chunk holds the evidence

    # The same figures for the Creta: its own boot is supported, the Venue's power is not.
    creta_view = check(ACCEPTANCE, Reference(registry, "hyundai-creta"))
    assert verdicts(creta_view)[0] == ("433-litre", "supported")
    assert verdicts(creta_view)[1] == ("120 PS", "wrong_car")


def test_unit_conversion_and_unknown_units(services: Services) -> None:
    text = (
        "It makes 118 hp (88 kW) and 172 Nm, holds 45 litres of fuel, "
        "and offers 433 cubic feet of cargo space."
    )
    report = check(text, Reference(services.cars, "hyundai-venue"))
    assert verdicts(report) == [
        ("118 hp", "supported"),
        ("88 kW", "supported"),
        ("172 Nm", "supported"),
        ("45 litres", "supported"),
        ("433 cubic feet", "unsupported"),  # 12,262 L: no car's boot
    ]


def test_chinese_figures_against_the_facts(services: Services) -> None:
    registry = services.cars
    text = "极氪001四驱版最大功率544马力，售价28.1万元起，车长4970毫米，五座。"
    report = check(text, Reference(registry, "zeekr-001"))
    assert [(f.text, f.unit or f.noun, f.verdict) for f in report.figures] == [
        ("544马力", "PS", "supported"),  # 400 kW
        ("28.1万元", "CNY", "supported"),
        ("4970毫米", "mm", "unsupported"),
        ("五座", "seats", "unsupported"),
    ]
    # the Venue's length in 毫米 and power in 马力; the Zeekr's price is another car's
    venue = check(
        "车长3995毫米，最大功率120马力，售价28.1万元。", Reference(registry, "hyundai-venue")
    )
    assert verdicts(venue) == [
        ("3995毫米", "supported"),
        ("120马力", "supported"),
        ("28.1万元", "wrong_car"),
    ]
    assert venue.wrong_car[0].backing is not None
    assert venue.wrong_car[0].backing.car == "zeekr-001"


def test_no_figures_is_its_own_verdict(services: Services) -> None:
    report = check("A calm, roomy SUV for families.", Reference(services.cars, "hyundai-venue"))
    assert (report.checked, report.verdict) == (0, "no_figures")


def test_passages_about_this_car_back_figures_the_facts_missed(services: Services) -> None:
    """Facts hold a car's specifications, not every figure of its documents: a retrieved
    chunk tagged with this car backs a figure no fact states; the same chunk does not back it
    for another car."""
    claim = "Its touchscreen measures 31.24 cm."
    results = services.searcher.search("Hyundai Venue touchscreen 31.24 cm", k=10)
    tagged = [r for r in results if "hyundai-venue" in r.citation.cars]
    assert tagged, "the Venue's chunks are tagged with the car"
    with_screen = [r for r in tagged if "31.24 cm" in r.text]
    assert with_screen
    assert not any("31.24" in f.value for f in services.cars.facts_of("hyundai-venue"))
    passages = [_passage(r) for r in with_screen]
    report = check(claim, Reference(services.cars, "hyundai-venue", passages))
    assert verdicts(report) == [("31.24 cm", "supported")]
    assert report.figures[0].backing is not None
    assert report.figures[0].backing.attribute is None  # a chunk, not a fact
    assert report.figures[0].backing.citation.chunk_id in {r.chunk_id for r in with_screen}
    other = check(claim, Reference(services.cars, "zeekr-001", passages))
    assert verdicts(other) == [("31.24 cm", "unsupported")]


def _passage(result: Any) -> Any:
    from generation.passages import Passage

    c = result.citation
    return Passage(
        n=1,
        chunk_id=result.chunk_id,
        text=result.text,
        source=c.source,
        page=c.page,
        step="test",
        doc_id=c.doc_id,
        cars=tuple(c.cars),
    )


# -- HTTP and CLI ------------------------------------------------------------------------------


def test_http_check(services: Services) -> None:
    with TestClient(create_app(services.settings, services=services)) as client:
        ok = client.post("/v1/grounding/check", json={"car": "Hyundai Venue", "text": ACCEPTANCE})
        assert ok.status_code == 200, ok.text
        body = ok.json()
        assert body["car"] == "hyundai-venue" and body["verdict"] == "flagged"
        assert [(f["text"], f["verdict"]) for f in body["figures"]] == [
            ("433-litre", "wrong_car"),
            ("120 PS", "supported"),
        ]
        assert body["figures"][0]["backing"]["car"] == "hyundai-creta"
        assert body["figures"][1]["backing"]["citation"]["page"] is not None

        unknown = client.post("/v1/grounding/check", json={"car": "Hyundai Vanue", "text": "x"})
        assert unknown.status_code == 404
        error = unknown.json()["error"]
        assert "Hyundai Venue" in error["message"]
        assert error["detail"]["close_matches"][0]["name"] == "Hyundai Venue"

        empty = client.post("/v1/grounding/check", json={"car": "hyundai-venue", "text": "  "})
        assert empty.status_code == 422
        assert "text" in json.dumps(empty.json())

        # a count the brochure's safety table states: supported by the Venue's airbags fact
        airbags = client.post(
            "/v1/grounding/check", json={"car": "venue", "text": "It has 6 airbags."}
        ).json()
        assert [(f["text"], f["verdict"]) for f in airbags["figures"]] == [
            ("6 airbags", "supported")
        ]
        backing = airbags["figures"][0]["backing"]
        assert backing["attribute"] == "airbags" and backing["car"] == "hyundai-venue"
        assert "airbag" in backing["citation"]["evidence"].lower()
        (chunk,) = services.store.get([backing["citation"]["chunk_id"]])
        assert "hyundai-venue" in chunk.metadata["cars"]

        none = client.post("/v1/grounding/check", json={"car": "venue", "text": "A calm SUV."})
        assert none.status_code == 200 and none.json()["verdict"] == "no_figures"


def test_cli_check_with_a_car(services: Services, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(ACCEPTANCE, encoding="utf-8")
    runner = CliRunner()
    env = {"SPECRAG_DATA_DIR": str(services.settings.data_dir)}
    table = runner.invoke(cli, ["check", "--car", "hyundai-venue", str(draft)], env=env)
    assert table.exit_code == 1, table.output  # not grounded
    lines = table.output.splitlines()
    assert any(line.startswith("433-litre") and "wrong_car" in line for line in lines)
    assert any(line.startswith("120 PS") and "supported" in line for line in lines)
    assert "hyundai-creta" in table.output

    piped = runner.invoke(
        cli, ["check", "--car", "Hyundai Venue", "--json", "-"], input="It makes 120 PS.", env=env
    )
    assert piped.exit_code == 0, piped.output
    payload = json.loads(piped.output)
    assert payload["verdict"] == "grounded" and payload["figures"][0]["text"] == "120 PS"

    missing = runner.invoke(cli, ["check", "--car", "hyundai-venue"], env=env)
    assert missing.exit_code != 0 and "FILE" in missing.output


# -- the chain with a scripted remote model ----------------------------------------------------

OPENING = {
    "title": "Hyundai Venue",
    "text": (
        "The Hyundai Venue makes 120 PS [1]. Its boot holds 433 litres. "
        "The engine makes 999 kW. It carries 433 cubic feet of luggage."
    ),
    "topics": ["space"],
}
MIDDLE = {"text": "The Venue is 3,995 mm long."}
ENDING = {"text": "A compact SUV for the city."}


def _blog(
    fake_openai: FakeOpenAI, services: Services, policy: str
) -> tuple[BlogResponse, FakeOpenAI]:
    # the model writes the same three bad figures twice: before and after the re-ask
    fake_openai.reply_json(OPENING).reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    chain = Chain(
        llm=build_llm(spec_for(fake_openai), max_retries=0, backoff=0),
        searcher=services.searcher,
        prompts=PromptLibrary(PROMPTS),
        guard=Guard.from_folder(LISTS),
        options=ChainOptions(k=3, grounding_policy=policy),  # type: ignore[arg-type]
        facts=Facts.load(services.cars, PROMPTS.parent / "realise"),
    )

    async def go() -> BlogResponse:
        try:
            run = chain.start(Brief(car="Hyundai Venue"))
            assert run.sheet is not None and run.sheet.car.id == "hyundai-venue"
            response = None
            async for event in chain.events(run):
                response = event
            assert isinstance(response, BlogResponse)
            return response
        finally:
            await chain.llm.aclose()

    return asyncio.run(go()), fake_openai


def test_scripted_model_wrong_figures_are_caught_and_dropped(
    fake_openai: FakeOpenAI, services: Services
) -> None:
    """A wrong figure (999 kW), another car's (433 litres: the Creta's boot) and a figure in
    a unit the old grounding did not know (cubic feet): each caught, re-asked once, and the
    sentences carrying them dropped (the default policy)."""
    response, fake = _blog(fake_openai, services, "drop")
    note = fake.messages(1)[-1]["content"]
    assert "- 433 litres" in note and "- 999 kW" in note and "- 433 cubic feet" in note
    step = response.grounding.steps[0]
    assert step.reasked
    assert [(f.text, f.verdict) for f in step.figures] == [
        ("120 PS", "supported"),
        ("433 litres", "wrong_car"),
        ("999 kW", "unsupported"),
        ("433 cubic feet", "unsupported"),
    ]
    assert response.opening == "The Hyundai Venue makes 120 PS [1]."
    dropped = response.grounding.dropped
    assert [d.sentence for d in dropped] == [
        "Its boot holds 433 litres.",
        "The engine makes 999 kW.",
        "It carries 433 cubic feet of luggage.",
    ]
    assert "hyundai-creta" in dropped[0].reason
    assert response.grounding.verdict == "flagged"
    assert response.grounding.policy == "drop"
    assert "dropped 3 sentence(s)" in response.grounding.action
    assert response.middle == MIDDLE["text"]  # 3,995 mm: the Venue's length, supported


def test_flag_policy_keeps_the_figures_and_reports_them(
    fake_openai: FakeOpenAI, services: Services
) -> None:
    response, _ = _blog(fake_openai, services, "flag")
    assert response.opening == OPENING["text"]
    assert response.grounding.dropped == []
    assert [f.text for f in response.grounding.wrong_car] == ["433 litres"]
    assert [f.text for f in response.grounding.unsupported] == ["999 kW", "433 cubic feet"]


def test_fail_policy_answers_422_with_the_figures(
    fake_openai: FakeOpenAI, services: Services
) -> None:
    with pytest.raises(UngroundedFigures) as caught:
        _blog(fake_openai, services, "fail")
    assert caught.value.status == 422
    assert [f["text"] for f in caught.value.detail["figures"]] == [
        "433 litres",
        "999 kW",
        "433 cubic feet",
    ]


SHEET = """# Tata {model} specifications

| Specification | Value |
|---|---|
| Seating capacity | 5 |
| Fuel tank capacity | {tank} litres |
"""


def test_a_value_many_cars_share_names_no_other_car(
    tmp_path: Path, embedder: Any, make_settings: Any
) -> None:
    """wrong_car names a car only when few cars state the figure: "5 seats" is four cars'
    (unsupported: it points at none), a 41-litre tank is one car's (that car, named)."""
    library = tmp_path / "sheets"
    library.mkdir()
    for model, tank in (("Aria", 41), ("Bolt", 44), ("Ciro", 37), ("Dova", 35)):
        text = SHEET.format(model=model, tank=tank)
        (library / f"{model.lower()}.md").write_text(text, encoding="utf-8")
    (library / "elan.md").write_text("# Tata Elan specifications\n\nLength: 3,990 mm\n")
    services = Services(make_settings(roots=[library]), embedder=embedder)
    try:
        assert services.pipeline.run([library]).ok == 5
        registry = services.cars
        seats = [f.value for c in ("tata-aria", "tata-bolt") for f in registry.facts_of(c)]
        assert "5" in seats  # the sheets' seats were read as facts
        report = check(
            "The Elan has 5 seats and a 41 litres tank.", Reference(registry, "tata-elan")
        )
        assert verdicts(report) == [("5 seats", "unsupported"), ("41 litres", "wrong_car")]
        assert report.wrong_car[0].backing is not None
        assert report.wrong_car[0].backing.car == "tata-aria"
        own = check("It has 5 seats.", Reference(registry, "tata-aria"))
        assert verdicts(own) == [("5 seats", "supported")]
    finally:
        services.close()
