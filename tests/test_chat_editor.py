"""Chat answers an editor rejected (helper chat14), on the real index of data/samples and the
embedded model: the car a message names by a name the registry knows (a Chinese document's
"极光X5插电混动版"), never the previous turn's car; the attribute a message names by its own
word ("charge") over a question phrase ("how fast"); a follow-up naming only a car asks the
previous question again; a message about no car gets what chat answers, not free writing.

Expected figures come from the registry's fact sheets, not from this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from api.settings import Settings
from generation.chat.quote import naming
from generation.chat.topic import Topics
from generation.facts import SheetFact
from ingest.specs.cars import load_cars
from ingest.specs.vocabulary import load_vocabulary
from retrieval.entities import KnownCar, QueryCars
from tests.samples import Samples, app_client

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory, samples: Samples) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("chat-editor") / "index", workers=0)
    with samples.services(settings) as built:  # data/samples, indexed
        yield built


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with app_client(services) as test_client:
        yield test_client


def ask(client: TestClient, message: str, session: str | None = None) -> Any:
    body: dict[str, Any] = {"message": message, "model": "local"}
    if session:
        body["session_id"] = session
    response = client.post("/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def facts_of(services: Services, car: str, attribute: str) -> list[SheetFact]:
    facts = services.generation.facts
    assert facts is not None
    found = facts.sheet(car).of(attribute)
    assert found, (car, attribute)
    return found


def topics() -> Topics:
    return Topics(None, load_vocabulary(REPO / "data" / "specs" / "attributes.toml"))


def test_a_registry_name_written_with_latin_letters_names_its_car() -> None:
    """Regression: a document's Chinese name holding a model code ("极光X5插电混动版") was left
    out of the query-car reading (only all-Han names were taught), so chat found no car."""
    cars = QueryCars.build(
        load_cars([REPO / "data" / "specs" / "cars.toml"]),
        [KnownCar("nimbus-q7-hybrid", ("Nimbus Q7 Hybrid", "云雀Q7混动版"))],
    )
    assert [m.car for m in cars.find("云雀Q7混动版多少钱？")] == ["nimbus-q7-hybrid"]
    assert [m.car for m in cars.find("How much is the Nimbus Q7 Hybrid?")] == ["nimbus-q7-hybrid"]
    # the Chinese name spells the make before the model's code: 云雀 is Nimbus
    [make] = cars.index.find("云雀Q9多少钱？")
    assert (make.car, make.brand, make.end) == (None, "nimbus", 2)


def test_the_car_a_message_names_in_chinese_is_its_topic(
    client: TestClient, services: Services
) -> None:
    """Regression: "极光X5插电混动版多少钱？" after a Lumen E2 question was answered with the Lumen
    E2's prices; in a fresh session with "the documents don't say"."""
    prices = facts_of(services, "aurora-x5-hybrid", "price")
    first = ask(client, "Lumen E2多少钱？")
    assert [c["id"] for c in first["cars"]] == ["lumen-e2"]
    for session in (first["session_id"], None):
        reply = ask(client, "极光X5插电混动版多少钱？", session)
        assert [c["id"] for c in reply["cars"]] == ["aurora-x5-hybrid"]
        answer = reply["answer"]
        assert answer.startswith("极光X5插电混动版") and "Lumen" not in answer, answer
        assert all(p.value in answer for p in prices), answer
        assert reply["writer"] == "facts" and {f["attribute"] for f in reply["facts"]} == {"price"}


def test_a_car_nobody_indexed_is_not_answered_with_the_last_one(
    client: TestClient, services: Services
) -> None:
    """A make the index knows with a model it does not ("the Lumen E9") is a car chat cannot
    resolve: said so, never answered with the Lumen E2 of the turn before."""
    first = ask(client, "How much is the Lumen E2?")
    prices = facts_of(services, "lumen-e2", "price")
    for message, said in [
        ("How much is the Lumen E9?", "The documents don't cover the Lumen E9."),
        ("极光X7多少钱？", "资料中没有关于极光X7的内容。"),  # 极光: the Aurora X5 Hybrid's make
    ]:
        reply = ask(client, message, first["session_id"])
        assert reply["cars"] == [] and reply["facts"] == []
        assert reply["answer"].startswith(said), reply["answer"]
        assert not any(p.value in reply["answer"] for p in prices)


def test_an_attribute_named_by_its_word_outranks_a_question_phrase() -> None:
    """Regression: "How fast does the Lumen E2 charge?" read "how fast" (top speed) and was
    answered with the top speed. A phrase asks about what its clause names."""
    read = topics().attributes_in
    assert read("How fast does the Nimbus charge?") == ["charging_time"]
    assert read("云雀充电多快？") == ["charging_time"]
    assert read("How fast is the Nimbus?") == ["top_speed"]  # nothing else named: the phrase
    assert read("How long is it, and how fast does it charge?") == ["length", "charging_time"]
    assert read("How long is it and how much does it cost?") == ["length", "price"]


def test_a_quote_prefers_the_row_labelled_with_the_attribute() -> None:
    text = "Its battery and fast charging make it easy to live with.\nDC charging: 50 kW, 31 min"
    first = "Its battery and fast charging make it easy to live with."
    assert naming(text, [], words=["charging"]) == first
    assert naming(text, [], words=["charging"], labelled=True) == "DC charging: 50 kW, 31 min"
    # an attribute's own word is a whole word: "tow" is not "town"
    assert naming("It is quick around town, at 150 km/h.", [], words=["tow"]) is None


def test_how_fast_a_car_charges_is_its_charging_not_its_top_speed(
    client: TestClient, services: Services
) -> None:
    speed = facts_of(services, "lumen-e2", "top_speed")[0]
    reply = ask(client, "How fast does the Lumen E2 charge?")
    answer = reply["answer"]
    assert "charging" in answer and "28 minutes" in answer, answer  # lumen_e2.txt's DC row
    assert speed.value not in answer and "top speed" not in answer
    assert [c["document"] for c in reply["citations"] if c["cited"]] == ["lumen_e2.txt"]


def test_a_follow_up_naming_only_a_car_asks_the_question_again(
    client: TestClient, services: Services
) -> None:
    """Regression: "And the Meridian S?" after a boot question gave an engine overview."""
    boot = facts_of(services, "meridian-s", "boot_volume")[0]
    first = ask(client, "How big is the Lumen E2's boot?")
    second = ask(client, "And the Meridian S?", first["session_id"])
    assert [c["id"] for c in second["cars"]] == ["meridian-s"]
    assert {f["attribute"] for f in second["facts"]} == {"boot_volume"}, second["answer"]
    assert f"{boot.numbers[0]:,.0f} litres" in second["answer"]
    prices = facts_of(services, "aurora-x5-hybrid", "price")
    third = ask(client, "What is the Lumen E2's price?", first["session_id"])
    fourth = ask(client, "What about the Aurora X5 Hybrid?", third["session_id"])
    assert {f["attribute"] for f in fourth["facts"]} == {"price"}, fourth["answer"]
    assert len(fourth["facts"]) == len(prices)
    fifth = ask(client, "那Lumen E2呢？", fourth["session_id"])  # through the follow-up before
    assert {f["attribute"] for f in fifth["facts"]} == {"price"}, fifth["answer"]
    assert fifth["answer"].startswith("Lumen E2") and fifth["answer"].endswith("。")


@pytest.mark.parametrize(
    ("message", "example"),
    [("hello", "for example"), ("What is a plug-in hybrid?", "for example"), ("你好", "例如")],
)
def test_a_message_about_no_car_is_told_what_chat_answers(
    client: TestClient, services: Services, message: str, example: str
) -> None:
    """Regression: the embedded model answered "hello" with "Your name: Your email address:
    …how to make money online" and "What is a plug-in hybrid?" with invented text."""
    reply = ask(client, message)
    answer = reply["answer"]
    assert reply["writer"] == "facts" and reply["usage"]["calls"] == 0
    assert example in answer and reply["cars"] == []
    # the indexed cars, by the names the answer's language gives them (子午线S in Chinese)
    assert "Lumen E2" in answer and ("Meridian S" in answer or "子午线S" in answer)
