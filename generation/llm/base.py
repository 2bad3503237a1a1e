"""What every chat model returns, and the base class that accounts for it.

One primitive per backend (simonw/llm's shape): `_execute` yields the answer's text as it
comes, then one `Answer` with what the backend knows of the call (the whole text, reported
usage, finish reason, attempts). `LLM.stream` wraps it with what all models share: the
JSON-mode instruction for models without a JSON mode, the prompt count, the `llm.start` /
`llm.end` / `llm.error` callback events (`llm.abandoned` with the tokens spent so far when the
caller goes away first), token and cost accounting (the API's reported usage when present,
the tokenizer's count otherwise; both kept), and extraction of the first JSON object; it
yields the text pieces, then the `Completion`. `LLM.complete` is the same call drained: the
`Completion` alone, and the backend may send the answer in one piece.
The backends: `generation/llm/openai.py` (OpenAI-compatible endpoints), `generation/llm/local.py`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from generation.callbacks import Callbacks
from generation.errors import GenerationError, LLMUnavailable
from generation.llm.counting import count_messages, count_tokens
from generation.models import ModelSpec
from generation.usage import cost as price

log = logging.getLogger(__name__)

Message = dict[str, str]

# Appended to the system prompt when JSON is asked of a model without a JSON mode.
JSON_INSTRUCTION = "Answer with one JSON object only: no text before or after it, no code fences."


@dataclass
class Completion:
    """One model answer with its token counts, cost and timing."""

    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: float
    latency_ms: float
    reported_usage: dict[str, Any] | None = None
    counted_usage: dict[str, int] = field(default_factory=dict)
    finish_reason: str | None = None
    attempts: int = 1
    raw_text: str | None = None  # the model's text before JSON extraction, when it differs

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def usage(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cost": self.cost,
        }


@dataclass
class Answer:
    """What one backend call ends with, before accounting: the whole text and what it knows."""

    text: str
    reported_usage: dict[str, Any] | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None  # a backend that counts exactly (the local tokenizer)
    completion_tokens: int | None = None
    attempts: int = 1


class LLM(ABC):
    """A chat model. `stream` wraps the backend call with accounting and callbacks; `complete`
    is `stream` drained."""

    spec: ModelSpec

    def __init__(self, spec: ModelSpec, *, callbacks: Callbacks | None = None):
        self.spec = spec
        self.callbacks = callbacks or Callbacks()

    @property
    def name(self) -> str:
        return self.spec.name

    async def stream(
        self,
        messages: list[Message],
        *,
        json_mode: bool = False,
        max_tokens: int | None = None,
        temperature: float = 0.7,
        callbacks: Callbacks | None = None,
        incremental: bool = True,
        schema: Mapping[str, Any] | None = None,
    ) -> AsyncGenerator[str | Completion, None]:
        """Send `messages`; yield the answer's text as it comes, then the `Completion` (the
        whole text, tokens, cost, latency).

        A failure after a piece was yielded is final (a retry would repeat what the caller
        has shown); before that, a backend retries as it does for a whole answer. A caller
        that stops iterating (or is cancelled) stops the call.

        Args:
            json_mode: ask for one JSON object (`response_format` where the model has a JSON
                mode, an instruction otherwise); the first JSON object in the answer is the
                Completion's `text`.
            callbacks: per-request callbacks (e.g. `callbacks.child(step=...)`), else the
                model's own.
            incremental: False lets the backend send the answer in one piece, and nothing is
                yielded before the `Completion` (what `complete` asks for).
            schema: the JSON schema the answer must fit (implies `json_mode`); a backend that
                can constrain its output to it does (the embedded model), the others ignore it
                and use their JSON mode.
        """
        events = callbacks or self.callbacks
        json_mode = json_mode or schema is not None
        if json_mode and not self.spec.json_mode:
            messages = with_json_instruction(messages)
        counted_prompt = self.count_prompt(messages)
        events.emit(
            "llm.start",
            model=self.spec.name,
            model_id=self.spec.model_id,
            kind=self.spec.kind,
            prompt_tokens=counted_prompt,
            json_mode=json_mode,
            max_tokens=max_tokens,
            stream=incremental,
        )
        started = time.perf_counter()
        answer: Answer | None = None
        pieces: list[str] = []
        try:
            call = self._execute(
                messages,
                json_mode=json_mode,
                max_tokens=max_tokens,
                temperature=temperature,
                incremental=incremental,
                events=events,
                schema=schema,
            )
            async with aclosing(call) as items:
                async for item in items:
                    if isinstance(item, Answer):
                        answer = item
                    elif incremental:
                        pieces.append(item)
                        yield item
            if answer is None:
                raise LLMUnavailable(f"model {self.spec.name}: the call ended without an answer")
        except GenerationError as e:
            events.emit(
                "llm.error",
                model=self.spec.name,
                error=type(e).__name__,
                message=str(e),
                status_code=e.status,
                final=True,
                latency_ms=_ms_since(started),
            )
            raise
        except (asyncio.CancelledError, GeneratorExit):
            # The caller went away (a client that left, a stream closed early): the prompt was
            # sent and paid for, so the tokens spent so far go to the ledger as abandoned.
            if answer is None:
                self._abandoned(events, counted_prompt, "".join(pieces), started)
            raise
        latency_ms = _ms_since(started)
        completion = self._account(answer, messages, counted_prompt, latency_ms)
        if json_mode:
            extracted = extract_json_object(completion.text)
            if extracted is not None and extracted != completion.text:
                completion.raw_text = completion.text
                completion.text = extracted
        events.emit(
            "llm.end",
            model=self.spec.name,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            cost=completion.cost,
            latency_ms=completion.latency_ms,
            reported_usage=completion.reported_usage,
            counted_usage=completion.counted_usage,
            finish_reason=completion.finish_reason,
            attempts=completion.attempts,
        )
        yield completion

    async def complete(
        self,
        messages: list[Message],
        *,
        json_mode: bool = False,
        max_tokens: int | None = None,
        temperature: float = 0.7,
        callbacks: Callbacks | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> Completion:
        """The whole answer with tokens, cost and latency: `stream` drained (see there)."""
        call = self.stream(
            messages,
            json_mode=json_mode,
            max_tokens=max_tokens,
            temperature=temperature,
            callbacks=callbacks,
            incremental=False,
            schema=schema,
        )
        async with aclosing(call) as items:
            async for item in items:
                if isinstance(item, Completion):
                    return item
        raise AssertionError("a stream ends with its Completion")

    def _abandoned(self, events: Callbacks, prompt: int, received: str, started: float) -> None:
        """Emit `llm.abandoned`: the prompt's counted tokens and those of the text received."""
        completion = count_tokens(received, self.spec) if received else 0
        events.emit(
            "llm.abandoned",
            model=self.spec.name,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cost=price(self.spec, prompt, completion),
            latency_ms=_ms_since(started),
        )

    def count_prompt(self, messages: list[Message]) -> int:
        """The prompt's tokens under the model's tokenizer, chat framing included."""
        return count_messages(messages, self.spec)

    def _account(
        self,
        answer: Answer,
        messages: list[Message],
        counted_prompt: int,
        latency_ms: float,
    ) -> Completion:
        counted = {
            "prompt_tokens": answer.prompt_tokens
            if answer.prompt_tokens is not None
            else counted_prompt,
            "completion_tokens": answer.completion_tokens
            if answer.completion_tokens is not None
            else count_tokens(answer.text, self.spec),
        }
        reported = answer.reported_usage
        if reported and reported.get("prompt_tokens") is not None:
            prompt_tokens = int(reported["prompt_tokens"])
            completion_tokens = int(reported.get("completion_tokens") or 0)
            if _far_apart(prompt_tokens, counted["prompt_tokens"]) or _far_apart(
                completion_tokens, counted["completion_tokens"]
            ):
                log.info(
                    "model %s: reported usage %s differs from the %s count %s",
                    self.spec.name,
                    {"prompt": prompt_tokens, "completion": completion_tokens},
                    self.spec.tokenizer,
                    counted,
                )
        else:
            prompt_tokens = counted["prompt_tokens"]
            completion_tokens = counted["completion_tokens"]
        return Completion(
            text=answer.text,
            model=self.spec.name,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=price(self.spec, prompt_tokens, completion_tokens),
            latency_ms=latency_ms,
            reported_usage=reported,
            counted_usage=counted,
            finish_reason=answer.finish_reason,
            attempts=answer.attempts,
        )

    @abstractmethod
    def _execute(
        self,
        messages: list[Message],
        *,
        json_mode: bool,
        max_tokens: int | None,
        temperature: float,
        incremental: bool,
        events: Callbacks,
        schema: Mapping[str, Any] | None = None,
    ) -> AsyncGenerator[str | Answer, None]:
        """The backend call: the text as it comes (when `incremental`), then one `Answer`.
        `schema` (with `json_mode`) is the JSON schema asked for, where the backend can use it."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections (the API's lifespan calls this on shutdown)."""


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _far_apart(a: int, b: int) -> bool:
    return abs(a - b) > max(8, 0.1 * max(a, b))


def with_json_instruction(messages: list[Message]) -> list[Message]:
    """The messages with the JSON instruction added to the system prompt (or as one)."""
    out = [dict(m) for m in messages]
    for message in out:
        if message.get("role") == "system":
            message["content"] = f"{message['content'].rstrip()}\n\n{JSON_INSTRUCTION}"
            return out
    return [{"role": "system", "content": JSON_INSTRUCTION}, *out]


def extract_json_object(text: str) -> str | None:
    """The first complete JSON object in `text` (code fences and chatter around it ignored)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return text[start:end]
        start = text.find("{", end)
    return None
