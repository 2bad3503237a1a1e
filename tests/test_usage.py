"""Token counts, the price arithmetic, the usage ledger (on SQLite and PostgreSQL) and the
built-in handlers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from generation.callbacks import build_callbacks
from generation.llm import build_llm
from generation.llm.counting import count_messages, count_tokens, tokenize
from generation.models import ModelRegistry, ModelSpec
from generation.usage import UsageLedger, cost
from ingest.errors import EncodingUnavailable
from tests.fake_openai import FakeOpenAI

REPO = Path(__file__).resolve().parents[1]
REGISTRY = ModelRegistry.load(REPO / "data" / "models.toml")


def test_r50k_base_splits_chinese_into_byte_pieces_as_the_requirements_say() -> None:
    """The requirements' own example: GPT-3's encoding on "算法工程师"."""
    result = tokenize("算法工程师", encoding="r50k_base")
    assert result["ids"] == [163, 106, 245, 37345, 243, 32432, 98, 163, 101, 233, 30585, 230]
    assert result["tokens"][0] == {"id": 163, "bytes": b"\xe7"}
    assert b"".join(t["bytes"] for t in result["tokens"]) == "算法工程师".encode()


def test_tokenize_by_model_uses_that_models_encoding() -> None:
    by_name = tokenize("算法工程师", model="gpt-4o")
    assert by_name["encoding"] == "o200k_base"
    by_spec = tokenize("算法工程师", model=REGISTRY.get("gpt-3.5-turbo"))
    assert by_spec["encoding"] == "cl100k_base"
    assert by_spec["ids"] == tokenize("算法工程师", encoding="cl100k_base")["ids"]
    # cl100k_base knows Chinese far better than r50k_base
    assert len(by_spec["ids"]) < 12


def test_tokenize_refuses_unclear_requests() -> None:
    with pytest.raises(ValueError, match="either an encoding or a model"):
        tokenize("x", encoding="r50k_base", model="gpt-4o")
    with pytest.raises(ValueError, match="needs an encoding or a model"):
        tokenize("x")
    with pytest.raises(EncodingUnavailable, match="unknown encoding 'p99k'"):
        tokenize("x", encoding="p99k")
    with pytest.raises(EncodingUnavailable, match="no known tiktoken encoding for model 'glm-9'"):
        tokenize("x", model="glm-9")


def test_cost_prices_input_and_output_separately() -> None:
    gpt4o = REGISTRY.get("gpt-4o")  # $2.50 in, $10.00 out per 1M
    assert cost(gpt4o, 1_000_000, 0) == pytest.approx(2.50)
    assert cost(gpt4o, 0, 1_000_000) == pytest.approx(10.00)
    assert cost(gpt4o, 1200, 350) == pytest.approx(0.003 + 0.0035)
    assert cost(REGISTRY.get("local"), 5000, 5000) == 0
    with pytest.raises(ValueError):
        cost(gpt4o, -1, 0)


def test_chat_prompts_are_counted_with_the_message_framing() -> None:
    spec = REGISTRY.get("gpt-3.5-turbo")
    messages = [{"role": "user", "content": "hello world"}]
    # 3 (reply priming) + 3 (message) + "user" (1) + "hello world" (2)
    assert count_messages(messages, spec) == 9
    assert count_tokens("hello world", spec) == 2
    assert count_tokens("", spec) == 0


def test_a_model_tokenizer_without_a_shipped_file_falls_back_to_cl100k() -> None:
    spec = ModelSpec(
        name="glm", kind="openai", model_id="glm", base_url="http://h", tokenizer="model"
    )
    assert count_tokens("hello world", spec) == 2


def test_the_ledger_sums_by_model_business_and_day(database: Callable[[str], Path | str]) -> None:
    ledger = UsageLedger(database("usage"))
    day1, day2 = 1_767_225_600.0, 1_767_312_000.0  # 2026-01-01 and 2026-01-02 (UTC)
    ledger.record(model="gpt-4o", prompt_tokens=100, completion_tokens=10, cost=0.5,
                  business="car_blog", ts=day1)  # fmt: skip
    ledger.record(model="gpt-4o", prompt_tokens=200, completion_tokens=20, cost=1.0,
                  business="review", ts=day2)  # fmt: skip
    ledger.record(model="local", prompt_tokens=50, completion_tokens=5, cost=0.0,
                  business="car_blog", ts=day2)  # fmt: skip
    ledger.record(model="local", prompt_tokens=1, completion_tokens=1, cost=0.0, ts=day2)

    by_model = ledger.summary("model")
    assert by_model[0] == {
        "model": "gpt-4o",
        "calls": 2,
        "prompt_tokens": 300,
        "completion_tokens": 30,
        "total_tokens": 330,
        "cost": 1.5,
        "abandoned_calls": 0,
    }
    assert by_model[1]["model"] == "local" and by_model[1]["calls"] == 2

    by_business = {row["business"]: row for row in ledger.summary("business")}
    assert set(by_business) == {"car_blog", "review", None}
    assert by_business["car_blog"]["prompt_tokens"] == 150

    by_day = ledger.summary("day")
    assert [(r["day"], r["calls"]) for r in by_day] == [("2026-01-01", 1), ("2026-01-02", 3)]

    with pytest.raises(ValueError, match="group_by must be one of model, business, day"):
        ledger.summary("user")
    ledger.close()
    # persisted: a new ledger on the same database sees the same rows
    assert UsageLedger(database("usage")).summary("model") == by_model


def test_built_in_handlers_write_the_ledger_and_json_log_lines(
    database: Callable[[str], Path | str],
    caplog: pytest.LogCaptureFixture,
    fake_openai: FakeOpenAI,
) -> None:
    ledger = UsageLedger(database("usage"))
    callbacks = build_callbacks(["log", "ledger"], ledger=ledger)
    spec = replace(REGISTRY.get("gpt-4o"), base_url=fake_openai.base_url)
    fake_openai.reply("ok", usage={"prompt_tokens": 400, "completion_tokens": 100})
    llm = build_llm(spec, callbacks=callbacks.child(business="car_blog", step="opening"))

    async def go() -> None:
        try:
            await llm.complete([{"role": "user", "content": "hi"}])
        finally:
            await llm.aclose()

    with caplog.at_level(logging.INFO, logger="specrag.events"):
        asyncio.run(go())

    (row,) = ledger.summary("business")
    assert row["business"] == "car_blog"
    assert (row["prompt_tokens"], row["completion_tokens"]) == (400, 100)
    assert row["cost"] == pytest.approx(400 * 2.5e-6 + 100 * 10e-6)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "specrag.events"]
    assert [line["event"] for line in lines] == ["llm.start", "llm.end"]
    assert lines[1]["step"] == "opening" and lines[1]["completion_tokens"] == 100


def test_unknown_handler_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown callback handler 'statsd'"):
        build_callbacks(["log", "statsd"])
    with pytest.raises(ValueError, match="needs a UsageLedger"):
        build_callbacks(["ledger"])


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_a_call_its_caller_abandons_is_billed_as_abandoned(
    tmp_path: Path, fake_openai: FakeOpenAI, streamed: bool
) -> None:
    """Regression: a call cancelled by its caller (a client that left) left no usage row,
    though its prompt was sent and paid for. It is recorded as abandoned: the prompt's tokens
    and those of any text already received."""
    ledger = UsageLedger(tmp_path / "usage.sqlite")
    callbacks = build_callbacks(["ledger"], ledger=ledger)
    spec = replace(REGISTRY.get("gpt-4o"), base_url=fake_openai.base_url)
    if streamed:
        fake_openai.stall(["The Aurora", " X5 makes"], seconds=60)
    else:
        fake_openai.reply("late", delay=60)
    llm = build_llm(spec, callbacks=callbacks.child(business="chat", step="answer"))
    messages = [{"role": "user", "content": "How much power does the Aurora X5 make?"}]
    received: list[str] = []

    async def go() -> None:
        async def call() -> None:
            async for item in llm.stream(messages, incremental=streamed):
                if isinstance(item, str):
                    received.append(item)

        try:
            task = asyncio.create_task(call())
            while not fake_openai.requests or (streamed and len(received) < 2):
                await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            await llm.aclose()

    asyncio.run(go())
    (row,) = ledger.summary("business")
    prompt = count_messages(messages, spec)
    completion = count_tokens("The Aurora X5 makes", spec) if streamed else 0
    assert row["business"] == "chat" and row["abandoned_calls"] == 1 and row["calls"] == 1
    assert (row["prompt_tokens"], row["completion_tokens"]) == (prompt, completion)
    assert row["cost"] == pytest.approx(cost(spec, prompt, completion))
    ledger.close()
