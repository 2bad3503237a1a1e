"""The model layer against a scripted OpenAI-protocol server, through the real `openai` client."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generation.callbacks import Callbacks
from generation.errors import LLMTimeout, LLMUnavailable, UnknownModel
from generation.llm import build_llm
from generation.llm.base import JSON_INSTRUCTION, LLM, Completion, extract_json_object
from generation.llm.counting import count_messages, count_tokens
from generation.llm.openai import OpenAILLM
from generation.models import ModelRegistry, ModelSpec
from tests.fake_openai import FakeOpenAI

REPO = Path(__file__).resolve().parents[1]
MESSAGES = [
    {"role": "system", "content": "You write car blogs."},
    {"role": "user", "content": "Open a post about the Hyundai Venue."},
]


def gpt35(fake_openai: FakeOpenAI, **overrides: Any) -> ModelSpec:
    registry = ModelRegistry.load(REPO / "data" / "models.toml")
    return replace(registry.get("gpt-3.5-turbo"), base_url=fake_openai.base_url, **overrides)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, event: str, payload: dict[str, Any]) -> None:
        self.events.append((event, payload))

    def names(self) -> list[str]:
        return [e for e, _ in self.events]


def call(llm: LLM, messages: list[dict[str, str]] = MESSAGES, **options: Any) -> Completion:
    """One completion in a fresh event loop, closing the client's connections in that loop."""

    async def go() -> Completion:
        try:
            return await llm.complete(messages, **options)
        finally:
            await llm.aclose()

    return asyncio.run(go())


def stream(
    llm: LLM, pieces: list[str] | None = None, messages: list[dict[str, str]] = MESSAGES
) -> Completion:
    """One streamed answer in a fresh event loop: its text pieces into `pieces`, then the
    Completion."""

    async def go() -> Completion:
        try:
            async for item in llm.stream(messages):
                if isinstance(item, Completion):
                    return item
                if pieces is not None:
                    pieces.append(item)
            raise AssertionError("the stream ended without its Completion")
        finally:
            await llm.aclose()

    return asyncio.run(go())


def make(spec: ModelSpec, recorder: Recorder | None = None, **kwargs: Any) -> OpenAILLM:
    callbacks = Callbacks({"rec": recorder}) if recorder else None
    options = {"timeout": 2.0, "max_retries": 2, "backoff": 0.01, **kwargs}
    llm = build_llm(spec, callbacks=callbacks, **options)
    assert isinstance(llm, OpenAILLM)
    return llm


# -- the registry ------------------------------------------------------------------------------


def test_shipped_models_cover_the_four_kinds_with_separate_prices() -> None:
    registry = ModelRegistry.load(REPO / "data" / "models.toml")
    assert set(registry.names()) == {"gpt-4o", "gpt-3.5-turbo", "chatglm", "local"}
    assert registry.default == "local"
    assert registry.get().kind == "local"
    assert registry.get("local").input_price_per_1m == 0
    for name in ("gpt-4o", "gpt-3.5-turbo", "chatglm"):
        spec = registry.get(name)
        assert spec.kind == "openai" and spec.base_url and spec.api_key_env
        assert 0 < spec.input_price_per_1m < spec.output_price_per_1m
    assert registry.get("chatglm").base_url == "http://127.0.0.1:8001/v1"


def test_unknown_model_is_a_422_naming_the_choices() -> None:
    registry = ModelRegistry.load(REPO / "data" / "models.toml")
    with pytest.raises(UnknownModel, match="gpt-5.*usable now: local.*gpt-4o") as caught:
        registry.get("gpt-5")
    assert caught.value.status == 422


def test_a_bad_models_file_fails_naming_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "models.toml"
    bad.write_text(
        '[models.x]\nkind = "openai"\nmodel_id = "x"\nbase_url = "http://h"\nprice = 1\n'
    )
    with pytest.raises(ValueError, match=r"model 'x': unknown keys \['price'\]"):
        ModelRegistry.load(bad)
    bad.write_text('[models.x]\nkind = "grpc"\nmodel_id = "x"\n')
    with pytest.raises(ValueError, match="kind must be one of"):
        ModelRegistry.load(bad)
    bad.write_text('default = "y"\n[models.x]\nkind = "local"\nmodel_id = "x"\n')
    with pytest.raises(ValueError, match="default model 'y' is not defined"):
        ModelRegistry.load(bad)


def test_the_api_key_is_read_from_the_named_variable(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECRAG_TEST_KEY", "sk-test-123")
    fake_openai.reply("ok")
    call(make(gpt35(fake_openai, api_key_env="SPECRAG_TEST_KEY")))
    assert fake_openai.requests[0]["headers"]["authorization"] == "Bearer sk-test-123"


# -- one call ----------------------------------------------------------------------------------


def test_a_completion_carries_both_usages_and_prices_the_reported_one(
    fake_openai: FakeOpenAI,
) -> None:
    spec = gpt35(fake_openai)
    fake_openai.reply("The Venue is small.", usage={"prompt_tokens": 40, "completion_tokens": 10})
    completion = call(make(spec), max_tokens=50, temperature=0.2)

    assert isinstance(completion, Completion)
    assert completion.text == "The Venue is small."
    assert (completion.prompt_tokens, completion.completion_tokens) == (40, 10)
    # gpt-3.5-turbo: $0.50 per 1M input, $1.50 per 1M output
    assert completion.cost == pytest.approx(40 * 0.50e-6 + 10 * 1.50e-6)
    assert completion.reported_usage == {"prompt_tokens": 40, "completion_tokens": 10}
    assert completion.counted_usage == {
        "prompt_tokens": count_messages(MESSAGES, spec),
        "completion_tokens": count_tokens("The Venue is small.", spec),
    }
    body = fake_openai.bodies[0]
    assert body["model"] == "gpt-3.5-turbo"
    assert body["messages"] == MESSAGES
    assert body["max_tokens"] == 50 and body["temperature"] == 0.2
    assert "response_format" not in body


def test_the_tiktoken_count_matches_what_a_server_bills(fake_openai: FakeOpenAI) -> None:
    """The fake server bills the way OpenAI does (cl100k_base, 3 tokens per message + 3)."""
    fake_openai.reply("Hello there, driver.")
    completion = call(make(gpt35(fake_openai)))
    assert completion.counted_usage["prompt_tokens"] == completion.reported_usage["prompt_tokens"]
    assert completion.counted_usage["completion_tokens"] == 5


def test_without_reported_usage_the_count_is_priced(fake_openai: FakeOpenAI) -> None:
    spec = gpt35(fake_openai)
    fake_openai.reply(
        "Twelve words of text about a compact crossover built for the city.", usage=None
    )
    completion = call(make(spec))
    assert completion.reported_usage is None
    assert completion.prompt_tokens == count_messages(MESSAGES, spec)
    assert completion.completion_tokens == completion.counted_usage["completion_tokens"] > 10
    assert completion.cost == pytest.approx(
        completion.prompt_tokens * 0.5e-6 + completion.completion_tokens * 1.5e-6
    )


def test_json_mode_sends_response_format_where_the_model_has_it(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_json({"title": "Venue"})
    completion = call(make(gpt35(fake_openai)), json_mode=True)
    assert fake_openai.bodies[0]["response_format"] == {"type": "json_object"}
    assert fake_openai.bodies[0]["messages"] == MESSAGES
    assert json.loads(completion.text) == {"title": "Venue"}


def test_json_mode_without_the_capability_asks_in_the_prompt_and_extracts(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.reply('Sure! Here it is:\n```json\n{"title": "Venue", "n": {"a": 1}}\n```\nEnjoy.')
    completion = call(make(gpt35(fake_openai, json_mode=False)), json_mode=True)
    body = fake_openai.bodies[0]
    assert "response_format" not in body
    assert body["messages"][0]["content"].endswith(JSON_INSTRUCTION)
    assert body["messages"][1] == MESSAGES[1]
    assert json.loads(completion.text) == {"title": "Venue", "n": {"a": 1}}
    assert completion.raw_text is not None and completion.raw_text.startswith("Sure!")


def test_extract_json_object_skips_broken_braces() -> None:
    assert extract_json_object('a {broken {"ok": [1, "}"]} tail') == '{"ok": [1, "}"]}'
    assert extract_json_object('[1, 2] {"x": 1}') == '{"x": 1}'
    assert extract_json_object('{"title": "cut off') is None


# -- retries and failures -----------------------------------------------------------------------


def test_429_and_5xx_are_retried_with_backoff_then_succeed(fake_openai: FakeOpenAI) -> None:
    recorder = Recorder()
    fake_openai.error(429, "slow down", headers={"retry-after": "0"}).error(503).reply("fine")
    completion = call(make(gpt35(fake_openai), recorder))
    assert completion.text == "fine"
    assert completion.attempts == 3
    assert len(fake_openai.bodies) == 3
    assert recorder.names() == ["llm.start", "llm.error", "llm.error", "llm.end"]
    first_error = recorder.events[1][1]
    assert first_error["retrying"] is True and "429" in first_error["message"]


def test_a_persistent_5xx_becomes_a_502_after_bounded_retries(fake_openai: FakeOpenAI) -> None:
    for _ in range(3):
        fake_openai.error(500, "model crashed")
    with pytest.raises(LLMUnavailable, match="answered 500: model crashed") as caught:
        call(make(gpt35(fake_openai), max_retries=2))
    assert caught.value.status == 502
    assert len(fake_openai.bodies) == 3


def test_a_4xx_is_not_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.error(400, "context too long").reply("never sent")
    with pytest.raises(LLMUnavailable, match="answered 400: context too long"):
        call(make(gpt35(fake_openai)))
    assert len(fake_openai.bodies) == 1 and fake_openai.pending == 1


def test_a_slow_answer_times_out_as_504(fake_openai: FakeOpenAI) -> None:
    recorder = Recorder()
    fake_openai.reply("late", delay=3).reply("late", delay=3)
    llm = make(gpt35(fake_openai), recorder, timeout=0.3, max_retries=1)
    with pytest.raises(LLMTimeout, match="did not answer in 0.3s") as caught:
        call(llm)
    assert caught.value.status == 504
    assert len(fake_openai.bodies) == 2
    assert recorder.names()[-1] == "llm.error" and recorder.events[-1][1]["final"] is True


def test_a_timeout_is_retried_and_can_then_succeed(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply("late", delay=3).reply("on time")
    completion = call(make(gpt35(fake_openai), timeout=0.3))
    assert completion.text == "on time" and completion.attempts == 2


def test_a_cut_off_body_is_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.broken_body().reply("whole")
    completion = call(make(gpt35(fake_openai)))
    assert completion.text == "whole" and completion.attempts == 2


def test_an_unreachable_endpoint_is_a_502_naming_it() -> None:
    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = ModelSpec(
        name="chatglm",
        kind="openai",
        model_id="chatglm3-6b",
        base_url=f"http://127.0.0.1:{port}/v1",
    )
    with pytest.raises(
        LLMUnavailable, match=f"chatglm at http://127.0.0.1:{port}/v1 is unreachable"
    ):
        call(make(spec, max_retries=1))


# -- streaming -------------------------------------------------------------------------------


def test_a_stream_delivers_deltas_and_the_final_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply(
        "The Venue has an 83 PS engine.", usage={"prompt_tokens": 21, "completion_tokens": 9}
    )
    pieces: list[str] = []
    completion = stream(make(gpt35(fake_openai)), pieces)
    assert fake_openai.bodies[0]["stream"] is True
    assert fake_openai.bodies[0]["stream_options"] == {"include_usage": True}
    assert (
        len(pieces) > 1 and "".join(pieces) == completion.text == "The Venue has an 83 PS engine."
    )
    assert (completion.prompt_tokens, completion.completion_tokens) == (21, 9)
    assert completion.finish_reason == "stop"


def test_a_stalled_stream_times_out(fake_openai: FakeOpenAI) -> None:
    fake_openai.stall(["The Ven", "ue"], seconds=5)
    with pytest.raises(LLMTimeout):
        stream(make(gpt35(fake_openai), timeout=0.5, max_retries=0))


def test_a_stream_closed_before_any_text_is_retried(fake_openai: FakeOpenAI) -> None:
    recorder = Recorder()
    fake_openai.stall([], seconds=0).reply("complete")
    pieces: list[str] = []
    completion = stream(make(gpt35(fake_openai), recorder), pieces)
    assert completion.text == "complete" and completion.attempts == 2
    assert "".join(pieces) == "complete"
    assert "the stream broke off after 0 characters" in recorder.events[1][1]["message"]


def test_a_stream_already_shown_to_the_caller_is_not_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.stall(["The Ven"], seconds=0).reply("complete")
    pieces: list[str] = []
    with pytest.raises(LLMUnavailable, match="broke off after 7 characters"):
        stream(make(gpt35(fake_openai)), pieces)
    assert pieces == ["The Ven"] and len(fake_openai.bodies) == 1


def test_a_stream_that_stalls_after_its_first_piece_is_not_retried(fake_openai: FakeOpenAI) -> None:
    """A stall after text was handed on used to be retried, repeating that text."""
    fake_openai.stall(["The Ven"], seconds=5).reply("complete")
    pieces: list[str] = []
    with pytest.raises(LLMTimeout):
        stream(make(gpt35(fake_openai), timeout=0.5), pieces)
    assert pieces == ["The Ven"] and len(fake_openai.bodies) == 1


def test_a_whole_answer_is_one_plain_request(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply("The Venue has an 83 PS engine.")
    completion = call(make(gpt35(fake_openai)))
    assert "stream" not in fake_openai.bodies[0]
    assert completion.text == "The Venue has an 83 PS engine." and completion.attempts == 1


# -- callbacks ---------------------------------------------------------------------------------


def test_events_carry_tokens_latency_and_cost(fake_openai: FakeOpenAI) -> None:
    recorder = Recorder()
    fake_openai.reply("ok", usage={"prompt_tokens": 1000, "completion_tokens": 100})
    call(make(gpt35(fake_openai), recorder), json_mode=False)
    (start, begin), (end, done) = recorder.events
    assert (start, end) == ("llm.start", "llm.end")
    assert begin["model"] == "gpt-3.5-turbo" and begin["prompt_tokens"] > 0
    assert done["prompt_tokens"] == 1000 and done["completion_tokens"] == 100
    assert done["cost"] == pytest.approx(1000 * 0.5e-6 + 100 * 1.5e-6)
    assert done["latency_ms"] > 0


def test_per_request_callbacks_add_their_context(fake_openai: FakeOpenAI) -> None:
    recorder = Recorder()
    callbacks = Callbacks({"rec": recorder}, context={"business": "car_blog"})
    fake_openai.reply("ok")
    llm = make(gpt35(fake_openai))
    call(llm, callbacks=callbacks.child(step="opening"))
    assert [p["business"] for _, p in recorder.events] == ["car_blog", "car_blog"]
    assert [p["step"] for _, p in recorder.events] == ["opening", "opening"]


def test_a_failing_handler_is_logged_and_the_call_goes_on(
    fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()

    def broken(event: str, payload: dict[str, Any]) -> None:
        raise RuntimeError("handler bug")

    callbacks = Callbacks({"broken": broken, "rec": recorder})
    fake_openai.reply("still answered")
    with caplog.at_level(logging.ERROR, logger="generation.callbacks"):
        completion = call(build_llm(gpt35(fake_openai), callbacks=callbacks))
    assert completion.text == "still answered"
    assert recorder.names() == ["llm.start", "llm.end"]
    assert "callback handler 'broken' failed on llm.start" in caplog.text
    assert "handler bug" in caplog.text


def test_local_spec_builds_the_embedded_model_without_loading_it() -> None:
    registry = ModelRegistry.load(REPO / "data" / "models.toml")
    llm = build_llm(registry.get("local"))
    assert type(llm).__name__ == "LocalLLM"
    assert llm.loaded is False  # type: ignore[attr-defined]
