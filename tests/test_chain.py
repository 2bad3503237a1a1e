"""The content chain through the real `openai` client and a scripted server on loopback.

Where retrieval is not what a test is about, a small searcher returns fixed passages (real
`retrieval.search.Result` objects); one test runs the chain over a real Chroma + BM25 index of
the sample documents.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.settings import Settings
from api.state import app_state
from generation.callbacks import Callbacks
from generation.chain.run import Chain, ChainOptions
from generation.errors import GenerationFailed, SensitiveInput
from generation.guard import Guard, GuardPolicy
from generation.llm import build_llm
from generation.models import ModelRegistry, ModelSpec
from generation.prompts import PromptLibrary
from generation.schemas import BlogResponse, Brief, SingleResponse, UserProfile
from generation.service import Generation
from retrieval.search import Citation, Result, Scores
from tests.fake_openai import FakeOpenAI

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
PROMPTS = SAMPLES.parent / "prompts"
LISTS = SAMPLES.parent / "sensitive_words"

FACTS = [
    ("aurora:1", "The Aurora X5 1.5T makes 130 kW (177 PS) and 270 Nm; 0-100 km/h in 8.9 s."),
    ("aurora:2", "The Aurora X5 is 4,560 mm long on a 2,710 mm wheelbase; the boot holds 520 L."),
    ("aurora:3", "Fuel economy of the 1.5T is 6.8 L/100km (WLTP combined)."),
    ("aurora:4", "The Hybrid makes 200 kW (272 PS) with an 18.4 kWh battery and 80 km of range."),
    ("aurora:5", "The 2.0T AWD makes 185 kW (252 PS) and 380 Nm."),
    ("aurora:6", "极光X5插电混动版悦享版指导价19.98万元，百公里油耗4.5升。"),
]


class FixedSearcher:
    """Returns the same ranking for every query, and records the queries."""

    def __init__(self, facts: list[tuple[str, str]] = FACTS):
        self.facts = facts
        self.queries: list[tuple[str, int]] = []

    def search(
        self, query: str, *, k: int = 5, filters: Any = None, mode: str = "hybrid"
    ) -> list[Result]:
        self.queries.append((query, k))
        return [
            Result(
                chunk_id=chunk_id,
                text=text,
                score=1.0 / (i + 1),
                scores=Scores(),
                citation=Citation(
                    source="aurora_x5.md", document="aurora_x5.md", page=i + 1, doc_id="aurora"
                ),
            )
            for i, (chunk_id, text) in enumerate(self.facts)
        ][:k]


OPENING = {
    "title": "Aurora X5: room for the family",
    "text": "The Aurora X5 1.5T makes 130 kW (177 PS) [1] and is 4,560 mm long [2].",
    "topics": ["fuel economy", "hybrid"],
}
MIDDLE = {"text": "It returns 6.8 L/100km [3]; the Hybrid makes 200 kW (272 PS) [4]."}
ENDING = {"text": "A calm, roomy SUV for families who count every litre."}


def spec_for(fake_openai: FakeOpenAI, *, json_mode: bool = True, name: str = "fake") -> ModelSpec:
    return ModelSpec(
        name=name,
        kind="openai",
        base_url=fake_openai.base_url,
        model_id="fake-model",
        json_mode=json_mode,
        tokenizer="cl100k_base",
        input_price_per_1m=2.0,
        output_price_per_1m=8.0,
    )


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, event: str, payload: dict[str, Any]) -> None:
        self.events.append((event, payload))

    def named(self, event: str) -> list[dict[str, Any]]:
        return [p for e, p in self.events if e == event]


def make_chain(
    fake_openai: FakeOpenAI,
    *,
    searcher: Any = None,
    recorder: Recorder | None = None,
    policy: GuardPolicy | None = None,
    guard: Guard | None = None,
    json_mode: bool = True,
    **options: Any,
) -> Chain:
    callbacks = Callbacks({"record": recorder} if recorder else {})
    return Chain(
        llm=build_llm(spec_for(fake_openai, json_mode=json_mode), max_retries=0, backoff=0),
        searcher=searcher or FixedSearcher(),
        prompts=PromptLibrary(PROMPTS),
        guard=guard or Guard.from_folder(LISTS),
        policy=policy,
        callbacks=callbacks,
        options=ChainOptions(**{"k": 2, **options}),
    )


def user_message(fake_openai: FakeOpenAI, index: int) -> str:
    return next(m["content"] for m in fake_openai.messages(index) if m["role"] == "user")


def run(chain: Chain, brief: Brief) -> Any:
    async def go() -> Any:
        try:
            return await chain.run(brief)
        finally:
            await chain.llm.aclose()  # in the loop that opened its connections

    return asyncio.run(go())


# -- the blog chain ---------------------------------------------------------------------------


def test_blog_steps_run_in_order_and_each_receives_what_it_should(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    searcher, recorder = FixedSearcher(), Recorder()
    chain = make_chain(fake_openai, searcher=searcher, recorder=recorder)
    response = run(chain, Brief(car="Aurora X5", angle="family practicality", audience="parents"))

    assert isinstance(response, BlogResponse)
    assert response.title == OPENING["title"]
    assert (response.opening, response.middle, response.ending) == (
        OPENING["text"],
        MIDDLE["text"],
        ENDING["text"],
    )
    assert len(fake_openai.bodies) == 3
    assert all(b["response_format"] == {"type": "json_object"} for b in fake_openai.bodies)

    # Step 1: the brief and the passages retrieved for the brief, numbered from 1.
    first = user_message(fake_openai, 0)
    assert "Aurora X5" in first and "family practicality" in first and "parents" in first
    assert "[1] (aurora_x5.md, p. 1)\n" + FACTS[0][1] in first
    assert "[2] (aurora_x5.md, p. 2)\n" + FACTS[1][1] in first
    assert FACTS[2][1] not in first
    assert searcher.queries[0][0] == "Aurora X5 family practicality"

    # Step 2: the opening, its topics, and passages for the topics, none of step 1's.
    second = user_message(fake_openai, 1)
    assert OPENING["text"] in second and "fuel economy; hybrid" in second
    assert [q for q, _ in searcher.queries[1:]] == ["Aurora X5 fuel economy", "Aurora X5 hybrid"]
    assert "[3] (aurora_x5.md, p. 3)\n" + FACTS[2][1] in second
    assert "[4] (aurora_x5.md, p. 4)\n" + FACTS[3][1] in second
    assert FACTS[0][1] not in second and FACTS[1][1] not in second

    # Step 3: the opening and the middle, no passages.
    third = user_message(fake_openai, 2)
    assert OPENING["text"] in third and MIDDLE["text"] in third
    assert "aurora_x5.md" not in third

    assert [t.step for t in response.trace] == ["opening", "middle", "ending"]
    assert [t.retrieved_ids for t in response.trace] == [
        ["aurora:1", "aurora:2"],
        ["aurora:3", "aurora:4"],
        [],
    ]
    assert [t.prompt_template for t in response.trace] == [
        "car_blog/opening.j2",
        "car_blog/middle.j2",
        "car_blog/ending.j2",
    ]
    assert [(c.n, c.chunk_id, c.step, c.cited) for c in response.citations] == [
        (1, "aurora:1", "opening", True),
        (2, "aurora:2", "opening", True),
        (3, "aurora:3", "middle", True),
        (4, "aurora:4", "middle", True),
    ]
    # 1.5T, 130 kW, 177 PS, 4,560 mm; 6.8 L/100km, 200 kW, 272 PS: all in the passages.
    assert (response.grounding.checked, response.grounding.supported) == (7, 7)
    assert response.grounding.action == "none: every figure is backed by a passage or fact"
    assert response.grounding.verdict == "grounded"
    # The usage is the sum of the steps, priced input and output apart.
    assert response.usage.calls == 3
    assert response.usage.prompt_tokens == sum(t.prompt_tokens for t in response.trace)
    assert response.usage.completion_tokens == sum(t.completion_tokens for t in response.trace)
    assert response.usage.cost == pytest.approx(
        (response.usage.prompt_tokens * 2.0 + response.usage.completion_tokens * 8.0) / 1e6
    )

    # Callbacks: each step's retrieval, model call and step event, in order, with context.
    order = [(e, p.get("step")) for e, p in recorder.events if e != "llm.start"]
    assert order == [
        ("retrieval.end", "opening"),
        ("llm.end", "opening"),
        ("chain.step", "opening"),
        ("retrieval.end", "middle"),
        ("retrieval.end", "middle"),
        ("llm.end", "middle"),
        ("chain.step", "middle"),
        ("llm.end", "ending"),
        ("chain.step", "ending"),
    ]
    steps = recorder.named("chain.step")
    assert {p["business"] for p in steps} == {"car_blog"}
    assert len({p["request_id"] for _, p in recorder.events}) == 1
    assert steps[0]["retrieved_ids"] == ["aurora:1", "aurora:2"]
    assert steps[0]["prompt_template"] == "car_blog/opening.j2"


def test_a_passage_is_shown_again_only_when_nothing_else_fits(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    chain = make_chain(fake_openai, searcher=FixedSearcher(FACTS[:2]), grounding="off")
    response = run(chain, Brief(car="Aurora X5"))
    assert response.trace[1].retrieved_ids == ["aurora:1", "aurora:2"]
    second = user_message(fake_openai, 1)
    assert "[1] (aurora_x5.md, p. 1)" in second  # under its first number
    assert [c.n for c in response.citations] == [1, 2]


def test_no_topics_from_the_opening_falls_back_to_default_topics(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json({**OPENING, "topics": []}).reply_json(MIDDLE).reply_json(ENDING)
    searcher = FixedSearcher()
    run(make_chain(fake_openai, searcher=searcher, grounding="off"), Brief(car="Aurora X5"))
    assert [q for q, _ in searcher.queries[1:]] == [
        "Aurora X5 engine and performance",
        "Aurora X5 dimensions and space",
        "Aurora X5 fuel economy and price",
    ]


def test_a_models_override_prompt_is_used_and_traced(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS, prompts)
    override = prompts / "car_blog" / "house-model"
    override.mkdir()
    for step in ("opening", "middle", "ending"):
        text = (prompts / "car_blog" / f"{step}.j2").read_text(encoding="utf-8")
        (override / f"{step}.j2").write_text("{# house #}" + text.replace("Task:", "House task:"))
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    chain = make_chain(fake_openai)
    chain.prompts = PromptLibrary(prompts)
    chain.llm.spec = spec_for(fake_openai, name="house-model")
    response = run(chain, Brief(car="Aurora X5"))
    assert [t.prompt_template for t in response.trace] == [
        "car_blog/house-model/opening.j2",
        "car_blog/house-model/middle.j2",
        "car_blog/house-model/ending.j2",
    ]
    assert "House task:" in user_message(fake_openai, 0)


# -- standardised JSON ------------------------------------------------------------------------


def test_invalid_json_is_re_asked_with_the_error_then_succeeds(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply("Sure! Here is the opening: title Aurora").reply_json(OPENING)
    fake_openai.reply_json(MIDDLE).reply_json(ENDING)
    response = run(make_chain(fake_openai), Brief(car="Aurora X5"))
    assert response.opening == OPENING["text"]
    assert len(fake_openai.bodies) == 4
    reask = fake_openai.messages(1)
    assert reask[-2] == {"role": "assistant", "content": "Sure! Here is the opening: title Aurora"}
    assert "not valid JSON" in reask[-1]["content"]
    assert '"topics"' in reask[-1]["content"]  # the shape is repeated
    assert response.trace[0].reasks == ["invalid"]
    assert response.trace[0].calls == 2
    assert response.usage.calls == 4


def test_a_schema_violation_is_re_asked_naming_the_field(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json({"title": "Aurora X5"})  # no text
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    run(make_chain(fake_openai), Brief(car="Aurora X5"))
    assert "text: Field required" in fake_openai.messages(1)[-1]["content"]


def test_invalid_twice_fails_with_the_attempts_and_the_usage_so_far(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.reply_json(OPENING).reply_json(MIDDLE)
    fake_openai.reply("no json at all").reply("I cannot answer that.")
    with pytest.raises(GenerationFailed) as raised:
        run(make_chain(fake_openai, grounding="off"), Brief(car="Aurora X5"))
    error = raised.value
    assert error.status == 502
    assert [a["attempt"] for a in error.attempts] == [1, 2]
    assert all("not valid JSON" in a["error"] for a in error.attempts)
    assert error.attempts[0]["answer"] == "no json at all"
    assert error.usage["calls"] == 4  # two good steps' calls and the two failed ones
    assert error.usage["prompt_tokens"] > 0 and error.usage["cost"] > 0
    assert "Ending" in str(error)
    assert fake_openai.pending == 0


def test_small_model_slips_are_mended_without_a_re_ask(fake_openai: FakeOpenAI) -> None:
    """A missing comma and an answer cut off by the token limit: what SmolLM2 does most."""
    fake_openai.reply(
        '{"title": "Aurora X5"\n "text": "It makes 130 kW [1]"\n "topics": ["engine"]}'
    )
    fake_openai.reply('{"text": "It returns 6.8 L/100km [3] and', finish_reason="length")
    fake_openai.reply_json(ENDING)
    response = run(make_chain(fake_openai), Brief(car="Aurora X5"))
    assert response.title == "Aurora X5"
    assert response.middle == "It returns 6.8 L/100km [3] and"
    assert [t.repaired for t in response.trace] == [1, 1, 0]
    assert [t.calls for t in response.trace] == [1, 1, 1]


def test_without_json_mode_blog_steps_may_answer_in_plain_prose(fake_openai: FakeOpenAI) -> None:
    """The embedded model writes prose far more reliably than JSON."""
    fake_openai.reply("**Aurora X5: room for the family**\n\nThe Aurora X5 1.5T makes 130 kW [1].")
    fake_openai.reply("It returns 6.8 L/100km [3].")
    fake_openai.reply("```json\n" + json.dumps(ENDING) + "\n```")  # JSON is still understood
    response = run(make_chain(fake_openai, json_mode=False), Brief(car="Aurora X5"))
    assert response.title == "Aurora X5: room for the family"
    assert response.opening == "The Aurora X5 1.5T makes 130 kW [1]."
    assert response.middle == "It returns 6.8 L/100km [3]."
    assert response.ending == ENDING["text"]
    assert [t.calls for t in response.trace] == [1, 1, 1]
    assert all("response_format" not in b for b in fake_openai.bodies)


def test_a_broken_json_answer_is_not_taken_as_prose(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json(OPENING).reply('{"title": "Aurora X5", "kind": "json"}').reply_json(
        MIDDLE
    )
    fake_openai.reply("")  # an empty answer is no text either
    fake_openai.reply("A fine family car.")
    response = run(make_chain(fake_openai, json_mode=False), Brief(car="Aurora X5"))
    assert response.middle == MIDDLE["text"]
    assert "text: Field required" in fake_openai.messages(2)[-1]["content"]
    assert "plain prose" in fake_openai.messages(4)[-1]["content"]
    assert response.trace[2].reasks == ["invalid"]


def test_without_json_mode_json_is_asked_in_the_prompt(fake_openai: FakeOpenAI) -> None:
    from generation.llm.base import JSON_INSTRUCTION

    answer = {"text": "Solid.", "sentiment": "neutral"}
    fake_openai.reply("Here you go:\n```json\n" + json.dumps(answer) + "\n```")
    response = run(make_chain(fake_openai, json_mode=False), Brief(car="X5", business="review"))
    assert response.output == answer
    assert "response_format" not in fake_openai.bodies[0]
    assert JSON_INSTRUCTION in fake_openai.messages(0)[0]["content"]


# -- grounding --------------------------------------------------------------------------------


def test_planted_wrong_numbers_are_re_asked_once_and_fixed(fake_openai: FakeOpenAI) -> None:
    wrong = {**OPENING, "text": "The Aurora X5 makes 150 kW (204 PS) [1] and is 4,560 mm long."}
    fake_openai.reply_json(wrong).reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    response = run(make_chain(fake_openai), Brief(car="Aurora X5"))
    note = fake_openai.messages(1)[-1]["content"]
    assert "- 150 kW" in note and "- 204 PS" in note and "4,560 mm" not in note
    step = response.grounding.steps[0]
    assert step.reasked
    assert [u.text for u in step.unsupported_before_reask] == ["150 kW", "204 PS"]
    assert step.unsupported == []
    assert response.opening == OPENING["text"]
    assert response.trace[0].reasks == ["grounding"]
    assert response.grounding.action.startswith("re-asked opening once")
    assert response.grounding.action.endswith("all figures now supported")


def test_numbers_still_wrong_after_the_re_ask_are_reported(fake_openai: FakeOpenAI) -> None:
    wrong = {**MIDDLE, "text": "It returns 5.2 L/100km and costs 15.99万元."}
    fake_openai.reply_json(OPENING).reply_json(wrong).reply_json(wrong).reply_json(ENDING)
    response = run(make_chain(fake_openai), Brief(car="Aurora X5"))
    assert [(u.text, u.unit) for u in response.grounding.unsupported] == [
        ("5.2 L/100km", "L/100km"),
        ("15.99万元", "CNY"),
    ]
    assert "2 figure(s) still unsupported" in response.grounding.action
    assert len(fake_openai.bodies) == 4  # one re-ask, not more


def test_grounding_flag_mode_reports_without_re_asking(fake_openai: FakeOpenAI) -> None:
    wrong = {**ENDING, "text": "With 300 kW it is quick."}
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(wrong)
    response = run(make_chain(fake_openai, grounding="flag"), Brief(car="Aurora X5"))
    assert len(fake_openai.bodies) == 3
    assert [u.text for u in response.grounding.unsupported] == ["300 kW"]
    assert response.grounding.action == "flagged 1 unsupported figure(s)"


def test_the_ending_is_checked_against_every_passage_shown(fake_openai: FakeOpenAI) -> None:
    ending = {"text": "130 kW [1], 6.8 L/100km [3] and 272 PS [4] sum it up."}
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ending)
    response = run(make_chain(fake_openai), Brief(car="Aurora X5"))
    assert response.grounding.steps[2].checked == 3
    assert response.grounding.steps[2].unsupported == []


# -- sensitive words --------------------------------------------------------------------------


def test_sensitive_input_is_rejected_before_any_model_call(fake_openai: FakeOpenAI) -> None:
    recorder = Recorder()
    chain = make_chain(fake_openai, recorder=recorder)
    with pytest.raises(SensitiveInput) as raised:
        run(chain, Brief(car="Aurora X5", angle="为什么它是同级最　好的SUV"))
    assert raised.value.words == ["最好"]
    assert fake_openai.requests == []
    assert recorder.named("guard.hit")[0]["where"] == "input"


def test_output_hits_are_masked_by_default(fake_openai: FakeOpenAI) -> None:
    ending = {"text": "同级最 好的选择，WORLD-CLASS comfort."}
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ending)
    recorder = Recorder()
    response = run(make_chain(fake_openai, recorder=recorder), Brief(car="Aurora X5"))
    assert response.ending == "同级* *的选择，*********** comfort."
    assert [h.word for h in response.guard.output_hits] == ["最好", "world-class"]
    assert response.guard.masked == ["ending"]
    assert len(fake_openai.bodies) == 3
    assert recorder.named("guard.hit")[0]["action"] == "mask"


def test_output_hits_regenerate_when_the_policy_says_so(fake_openai: FakeOpenAI) -> None:
    bad = {**OPENING, "title": "Ｔｈｅ 顶级 family SUV"}
    fake_openai.reply_json(bad).reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    policy = GuardPolicy(output="regenerate")
    response = run(make_chain(fake_openai, policy=policy), Brief(car="Aurora X5"))
    assert "顶级" in fake_openai.messages(1)[-1]["content"]
    assert response.title == OPENING["title"]
    assert response.guard.regenerated == ["opening"]
    assert response.guard.output_hits == []
    assert response.trace[0].reasks == ["guard"]


def test_regeneration_that_keeps_the_word_is_masked_in_the_end(fake_openai: FakeOpenAI) -> None:
    bad = {**MIDDLE, "text": "顶级 " + MIDDLE["text"]}
    fake_openai.reply_json(OPENING).reply_json(bad).reply_json(bad).reply_json(ENDING)
    policy = GuardPolicy(output="regenerate", max_regenerations=1)
    response = run(make_chain(fake_openai, policy=policy), Brief(car="Aurora X5"))
    assert response.middle.startswith("** ")
    assert response.guard.regenerated == ["middle"] and response.guard.masked == ["middle"]


# -- single-step businesses -------------------------------------------------------------------


def test_weibo_post_with_region_and_length_limit(fake_openai: FakeOpenAI) -> None:
    too_long = {"text": "成" * 141, "hashtags": ["极光X5"]}
    good = {"text": "成都的雨天通勤，极光X5百公里油耗4.5升[6]。", "hashtags": ["#极光X5#", "成都"]}
    fake_openai.reply_json(too_long).reply_json(good)
    chain = make_chain(fake_openai, k=6)
    response = run(
        chain, Brief(car="极光X5", business="weibo_region", region="成都", language="zh")
    )
    assert isinstance(response, SingleResponse)
    # published without its [6]: the passage is cited in the citations (a post is read on a phone)
    assert response.output == {
        "text": "成都的雨天通勤，极光X5百公里油耗4.5升。",
        "hashtags": ["极光X5", "成都"],
    }
    assert [c.n for c in response.citations if c.cited] == [6]
    assert "成都" in user_message(fake_openai, 0)
    assert "at most 140 allowed" in fake_openai.messages(1)[-1]["content"]
    assert response.trace[0].prompt_template == "weibo_region/main.j2"
    assert response.grounding.checked == 1 and response.grounding.supported == 1


def test_personal_push_title_limit_and_profile(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json({"title": "x" * 21, "body": "b"}).reply_json(
        {"title": "小林，看看极光X5", "body": "b"}
    )
    brief = Brief(
        car="Aurora X5",
        business="push_personal",
        title_max=20,
        user_profile=UserProfile(nickname="小林", city="杭州"),
    )
    response = run(make_chain(fake_openai), brief)
    assert response.output["title"] == "小林，看看极光X5"
    assert "小林" in user_message(fake_openai, 0) and "杭州" in user_message(fake_openai, 0)
    assert "at most 20 allowed" in fake_openai.messages(1)[-1]["content"]


def test_review_sentiment_is_validated(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json({"text": "Good.", "sentiment": "great"})
    fake_openai.reply_json({"text": "Good.", "sentiment": "Positive"})
    response = run(make_chain(fake_openai), Brief(car="Aurora X5", business="review"))
    assert response.output == {"text": "Good.", "sentiment": "positive"}
    assert "sentiment" in fake_openai.messages(1)[-1]["content"]


def test_brief_needs_the_business_inputs() -> None:
    with pytest.raises(ValueError, match="weibo_region needs a region"):
        Brief(car="Aurora X5", business="weibo_region")
    with pytest.raises(ValueError, match="push_personal needs a user_profile"):
        Brief(car="Aurora X5", business="push_personal")
    with pytest.raises(ValueError, match="unknown business"):
        Brief(car="Aurora X5", business="poetry")


# -- the HTTP routes --------------------------------------------------------------------------


class NoModel:
    """The embedding model for an app whose routes under test never embed: its lifespan only
    reads the name and dimension, to open Chroma, and whether it reads Chinese (else the
    mostly-Chinese chunks get a second collection, `ingest.second`)."""

    name = "no-model"
    dimension = 8
    multilingual = False


@contextmanager
def route_client(
    fake_openai: FakeOpenAI, tmp_path: Path, searcher: Any = None
) -> Iterator[TestClient]:
    """The real app, with the scripted LLM, a fixed searcher and no embedding model."""
    registry = ModelRegistry(models={"fake": spec_for(fake_openai)}, default="fake")
    generation = Generation(
        models=registry,
        prompts=PromptLibrary(PROMPTS),
        guard=Guard.from_folder(LISTS),
        options=ChainOptions(k=2),
        policies={"review": GuardPolicy(input="allow")},
        llm_retries=0,
    )
    settings = Settings(data_dir=tmp_path)
    services = Services(
        settings,
        embedder=NoModel(),  # type: ignore[arg-type]
        searcher=searcher or FixedSearcher(),
        generation=generation,
    )
    with TestClient(create_app(settings, services=services)) as test_client:
        yield test_client  # the app's lifespan closes the generation's clients
    services.close()


@pytest.fixture
def client(fake_openai: FakeOpenAI, tmp_path: Path) -> Iterator[TestClient]:
    with route_client(fake_openai, tmp_path) as test_client:
        yield test_client


def test_route_generates_a_blog(client: TestClient, fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    answer = client.post("/v1/generate/blog", json={"car": "Aurora X5"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["opening"] and body["middle"] and body["ending"]
    assert [t["step"] for t in body["trace"]] == ["opening", "middle", "ending"]
    assert body["citations"][0] == {
        "n": 1,
        "chunk_id": "aurora:1",
        "source": "aurora_x5.md",
        "document": "aurora_x5.md",
        "doc_id": "aurora",
        "page": 1,
        "section": "",
        "step": "opening",
        "cited": True,
    }
    assert body["model"] == "fake"


def test_route_searches_share_the_query_limiter(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    """Regression: the chain's searches ran outside the limiter that bounds `/v1/query`'s."""
    borrowed: list[float] = []

    class Watching(FixedSearcher):
        def search(self, *args: Any, **kwargs: Any) -> Any:
            borrowed.append(app_state(test_client.app).search_limiter.borrowed_tokens)
            return super().search(*args, **kwargs)

    with route_client(fake_openai, tmp_path, Watching()) as test_client:
        fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
        answer = test_client.post("/v1/generate/blog", json={"car": "Aurora X5"})
    assert answer.status_code == 200, answer.text
    assert len(borrowed) == 1 + len(OPENING["topics"]) and all(n >= 1 for n in borrowed)


def test_route_invalid_twice_is_a_502_with_attempts(
    client: TestClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply("nope").reply("still nope")
    answer = client.post("/v1/generate/blog", json={"car": "Aurora X5"})
    assert answer.status_code == 502
    error = answer.json()["error"]
    assert error["type"] == "generation_failed"
    assert len(error["detail"]["attempts"]) == 2
    assert error["detail"]["usage"]["calls"] == 2


def test_route_sensitive_input_is_a_422_naming_the_words(
    client: TestClient, fake_openai: FakeOpenAI
) -> None:
    answer = client.post("/v1/generate/blog", json={"car": "Aurora X5", "angle": "国 家 级品质"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["type"] == "sensitive_input"
    assert error["detail"]["words"] == ["国家级"]
    assert "国家级" in error["message"]
    assert fake_openai.requests == []
    # A business whose policy allows input hits generates and reports them.
    fake_openai.reply_json({"text": "Solid.", "sentiment": "positive"})
    answer = client.post("/v1/generate/review", json={"car": "Aurora X5", "angle": "国家级"})
    assert answer.status_code == 200
    assert answer.json()["guard"]["input_hits"][0]["word"] == "国家级"


def test_route_streams_one_event_per_step(client: TestClient, fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    with client.stream("POST", "/v1/generate/blog?stream=true", json={"car": "Aurora X5"}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1][6:]))
        for block in text.strip().split("\n\n")
    ]
    assert [name for name, _ in events] == ["step", "step", "step", "done"]
    assert [data["step"] for _, data in events[:3]] == ["opening", "middle", "ending"]
    assert events[0][1]["output"]["title"] == OPENING["title"]
    assert [p["n"] for p in events[1][1]["passages"]] == [3, 4]
    assert events[3][1]["ending"] == ENDING["text"]


def test_route_stream_failure_after_a_step_is_an_error_event(
    client: TestClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply_json(OPENING).reply("bad").reply("bad")
    with client.stream("POST", "/v1/generate/blog", json={"car": "Aurora X5", "stream": True}) as r:
        text = "".join(r.iter_text())
    names = [block.split("\n")[0] for block in text.strip().split("\n\n")]
    assert names == ["event: step", "event: error"]
    error = json.loads(text.strip().split("\n\n")[1].split("\n")[1][6:])
    assert error["status"] == 502 and error["error"]["type"] == "generation_failed"


def test_route_business_checks(client: TestClient, fake_openai: FakeOpenAI) -> None:
    assert client.post("/v1/generate/poetry", json={"car": "X"}).status_code == 404
    answer = client.post("/v1/generate/weibo_region", json={"car": "Aurora X5"})
    assert answer.status_code == 422
    assert "region" in answer.json()["error"]["message"]
    mismatch = client.post("/v1/generate/review", json={"car": "X", "business": "push_ops"})
    assert mismatch.status_code == 422
    unknown = client.post("/v1/generate/blog", json={"car": "X", "model": "gpt-9"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["type"] == "unknown_model"
    assert fake_openai.requests == []


def test_route_lists_prompts(client: TestClient) -> None:
    answer = client.get("/v1/prompts")
    assert answer.status_code == 200
    body = answer.json()
    assert body["businesses"]["car_blog"] == ["opening", "middle", "ending"]
    templates = {p["template"] for p in body["prompts"]}
    assert {"car_blog/opening.j2", "polish/paragraph.j2", "news_comment/main.j2"} <= templates


# -- over a real index ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_services(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[Any]:
    """A real Searcher (embedded Chroma, the packaged embedding model, BM25) over three samples;
    built once for the module, as its tests only read through it.

    Embedded Chroma only: the chain reads through the Searcher, whose two store modes the
    retrieval tests already cover.
    """
    from api.services import Services
    from api.settings import Settings
    from ingest.lexical.writer import LexicalIndex
    from ingest.pipeline import Pipeline
    from ingest.pipeline.plan import ChunkOptions
    from retrieval.lexical import LexicalReader
    from retrieval.search import Searcher

    tmp_path = tmp_path_factory.mktemp("chain")
    services = Services(Settings(data_dir=tmp_path / "index", workers=0), embedder=embedder)
    folder = tmp_path / "samples"
    folder.mkdir()
    for name in ("aurora_x5.md", "meridian_s_zh.md", "lumen_e2.txt"):
        shutil.copy(SAMPLES / name, folder / name)
    lexical = services.settings.data_dir / "lexical"
    index = LexicalIndex(lexical)
    report = Pipeline(
        store=services.store,
        ledger=services.ledger,
        embedder=services.embedder,
        chunking=ChunkOptions(specs=services.spec_config),
        workers=0,
        after_write=lambda: index.rebuild(services.store),
    ).run([folder])
    assert report.failed == 0 and report.ok == 3
    searcher = Searcher(
        store=services.store, embedder=services.embedder, lexical=LexicalReader(lexical)
    )
    yield services, searcher
    services.close()


@pytest.fixture(scope="module")
def sample_searcher(sample_services: Any) -> Any:
    return sample_services[1]


@pytest.mark.slow
def test_blog_over_a_real_index_of_the_samples(
    sample_searcher: Any, fake_openai: FakeOpenAI
) -> None:
    """Real retrieval: the model cites what was retrieved for each step."""

    def answer_from_passages(body: dict[str, Any]) -> str:
        """A model that copies the first figure of passage [n] it was given, citing it."""
        prompt = body["messages"][-1]["content"]
        numbers = sorted({int(n) for n in re.findall(r"^\[(\d+)\] \(", prompt, re.MULTILINE)})
        text = f"See [{numbers[0]}]." if numbers else "A fine car."
        if "OPENING" in prompt:
            return json.dumps({"title": "Aurora X5", "text": text, "topics": ["torque"]})
        return json.dumps({"text": text})

    for _ in range(3):
        fake_openai.respond(answer_from_passages)
    response = run(
        make_chain(fake_openai, searcher=sample_searcher, k=3),
        Brief(car="Aurora X5", angle="engine power"),
    )
    opening_ids, middle_ids, _ = (t.retrieved_ids for t in response.trace)
    assert len(opening_ids) == 3 and len(middle_ids) == 3
    assert not set(opening_ids) & set(middle_ids)
    assert Path(response.citations[0].source).name == "aurora_x5.md"
    assert all(c.chunk_id.count(":") == 1 for c in response.citations)
    assert [c.n for c in response.citations if c.cited] == [1, 4]


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_blog_through_the_embedded_model_is_written_from_facts(
    sample_services: Any, language: str
) -> None:
    """End to end with no key and no network: the car resolved in the registry the ingest
    built, its blog written from its facts, SmolLM2-135M (OpenVINO GenAI, CPU) polishing."""
    from generation.facts import Facts
    from generation.llm.local import LocalLLM
    from ingest.specs.cars import load_cars

    services, searcher = sample_services
    spec = ModelRegistry.load(SAMPLES.parent / "models.toml").get("local")
    llm = build_llm(spec, timeout=120)
    assert isinstance(llm, LocalLLM)
    facts = Facts.load(
        services.cars, SAMPLES.parent / "realise", load_cars(services.spec_config.cars)
    )
    recorder = Recorder()
    chain = Chain(
        llm=llm,
        searcher=searcher,
        prompts=PromptLibrary(PROMPTS),
        guard=Guard.from_folder(LISTS),
        callbacks=Callbacks({"record": recorder}),
        options=ChainOptions(k=3, grounding="flag"),
        facts=facts,
    )
    response = run(chain, Brief(car="Aurora X5", language=language))
    assert isinstance(response, BlogResponse)
    assert response.writer == "facts" and response.car is not None
    assert response.car.name == "Aurora X5"
    assert response.model == "local"
    assert response.title.strip() and response.opening.strip()
    assert response.middle.strip() and response.ending.strip()
    text = " ".join([response.title, response.opening, response.middle, response.ending])
    prose = text  # the language of the prose, names of the car and its variants left out
    for name in sorted({"Aurora X5", *(f.variant or "" for f in response.facts)}, key=len)[::-1]:
        prose = prose.replace(name, "") if name else prose
    chinese = sum("\u4e00" <= ch <= "\u9fff" for ch in prose)
    latin = sum(ch.isascii() and ch.isalpha() for ch in prose)
    assert chinese > latin if language == "zh" else chinese == 0
    if language == "zh":  # engines and gearboxes are written in Chinese too ("1.5升涡轮增压")
        assert re.findall(r"[A-Za-z]{3,}", prose) == [], prose
    # every fact the blog states is the car's, cited by a passage of its document
    assert len({(f.attribute, f.variant) for f in response.facts}) >= 6
    cited = {c.n: c for c in response.citations}
    for fact in response.facts:
        assert f"[{fact.n}]" in text
        assert cited[fact.n].cited and Path(cited[fact.n].source).name == "aurora_x5.md"
    g = response.grounding
    assert g.checked > 0 and g.unsupported == [], [(f.text, f.field) for f in g.unsupported]
    assert [p["step"] for p in recorder.named("chain.step")] == ["opening", "middle", "ending"]


def test_an_unknown_car_is_refused_before_any_call(
    sample_services: Any, fake_openai: FakeOpenAI
) -> None:
    from generation.errors import UnknownCar
    from generation.facts import Facts

    services, searcher = sample_services
    chain = make_chain(fake_openai, searcher=searcher)
    chain.facts = Facts.load(services.cars, SAMPLES.parent / "realise")
    with pytest.raises(UnknownCar) as caught:
        chain.start(Brief(car="Aurora X6"))
    assert caught.value.status == 404
    assert "Aurora X5" in [c.name for c in caught.value.close_matches]
    assert fake_openai.requests == []


def test_a_remote_model_gets_the_cars_numbered_facts(
    sample_services: Any, fake_openai: FakeOpenAI
) -> None:
    from generation.facts import Facts

    services, searcher = sample_services
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    chain = make_chain(fake_openai, searcher=searcher)
    chain.facts = Facts.load(services.cars, SAMPLES.parent / "realise")
    response = run(chain, Brief(car="Aurora X5"))
    assert response.writer == "model" and response.car is not None
    prompt = user_message(fake_openai, 0)
    sheet = chain.facts.sheet("Aurora X5")
    assert "Facts of the Aurora X5" in prompt
    for fact in sheet.facts:
        assert f"{fact.label}" in prompt and fact.value in prompt


# -- the command line -------------------------------------------------------------------------


def test_blog_command_prints_the_blog_its_sources_and_checks(fake_openai: FakeOpenAI) -> None:
    from types import SimpleNamespace

    from click.testing import CliRunner

    from api.cli.generate import blog

    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    registry = ModelRegistry(models={"fake": spec_for(fake_openai)}, default="fake")
    services = SimpleNamespace(
        generation=Generation(
            models=registry,
            prompts=PromptLibrary(PROMPTS),
            guard=Guard.from_folder(LISTS),
            options=ChainOptions(k=2),
            llm_retries=0,
        ),
        searcher=FixedSearcher(),
    )
    result = CliRunner().invoke(blog, ["--car", "Aurora X5", "--model", "fake"], obj=services)
    assert result.exit_code == 0, result.output
    assert f"# {OPENING['title']}" in result.output
    assert MIDDLE["text"] in result.output
    assert "  [1] aurora_x5.md, p. 1" in result.output
    assert "Grounding: 7/7 figures backed" in result.output
    assert "step middle:" in result.output  # progress on stderr

    fake_openai.reply("nope").reply("nope")
    failed = CliRunner().invoke(blog, ["--car", "Aurora X5"], obj=services)
    assert failed.exit_code == 1
    # the message says what failed and why, without the exception's class name
    assert "gave no valid" in failed.output and "GenerationFailed" not in failed.output
    refused = CliRunner().invoke(blog, ["--car", "最好的车"], obj=services)
    assert refused.exit_code == 1 and "最好" in refused.output


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(
    "business", ["push_ops", "push_personal", "weibo_region", "review", "news_comment"]
)
def test_every_business_answers_from_facts_on_the_embedded_model(
    sample_services: Any, business: str, language: str
) -> None:
    from generation.facts import Facts
    from generation.schemas import STEP_MODELS

    services, searcher = sample_services
    spec = ModelRegistry.load(SAMPLES.parent / "models.toml").get("local")
    chain = Chain(
        llm=build_llm(spec, timeout=120),
        searcher=searcher,
        prompts=PromptLibrary(PROMPTS),
        guard=Guard.from_folder(LISTS),
        facts=Facts.load(services.cars, SAMPLES.parent / "realise"),
    )
    brief = Brief(
        car="Lumen E2",
        business=business,
        language=language,
        region=("杭州" if language == "zh" else "Hangzhou") if business == "weibo_region" else None,
        user_profile=UserProfile(
            nickname="小林" if language == "zh" else "Lin",
            interests=["续航" if language == "zh" else "range"],
        )
        if business == "push_personal"
        else None,
    )
    response = run(chain, brief)
    assert isinstance(response, SingleResponse) and response.writer == "facts"
    output = STEP_MODELS[(business, "main")].model_validate(
        response.output, context={"title_max": brief.title_max}
    )
    text = " ".join(output.texts().values())
    chinese = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    assert chinese > letters if language == "zh" else chinese == 0
    assert response.facts, "a business written from facts states at least one"
    assert response.grounding.unsupported == []


@pytest.mark.slow
def test_each_written_step_arrives_with_the_sources_it_cites(sample_services: Any) -> None:
    """A stream shows each part with its sources as it arrives, not only in the last event."""
    from generation.chain.written import StepDone
    from generation.facts import Facts
    from generation.passages import cited_numbers

    services, searcher = sample_services
    spec = ModelRegistry.load(SAMPLES.parent / "models.toml").get("local")
    chain = Chain(
        llm=build_llm(spec, timeout=120),
        searcher=searcher,
        prompts=PromptLibrary(PROMPTS),
        guard=Guard.from_folder(LISTS),
        options=ChainOptions(polish=False),
        facts=Facts.load(services.cars, SAMPLES.parent / "realise"),
    )

    async def steps() -> list[StepDone]:
        try:
            return [
                e
                async for e in chain.events(chain.start(Brief(car="Aurora X5")))
                if isinstance(e, StepDone)
            ]
        finally:
            await chain.llm.aclose()

    done = asyncio.run(steps())
    assert [d.step for d in done] == ["opening", "middle", "ending"]
    for step in done:
        cited = set().union(*(cited_numbers(t) for t in step.output.texts().values()))
        assert {p.n for p in step.passages} == cited
    assert done[0].passages and done[1].passages and not done[2].passages
