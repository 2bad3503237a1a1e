"""The chat models behind one interface: `await llm.complete(messages) -> Completion`.

`OpenAILLM` talks to any OpenAI-compatible endpoint (OpenAI, vLLM serving ChatGLM…) through
the real `openai.AsyncOpenAI` client. The client's own retries are off: this module retries
429, 5xx, connection errors and timeouts itself, a bounded number of times with exponential
backoff (honouring `Retry-After`), so that every attempt is visible to the callbacks, and maps
what is left to `LLMUnavailable` (502) or `LLMTimeout` (504). Each attempt has one wall-clock
deadline (`timeout`), which also cuts a stream that stalls half way.

Usage is counted twice: tiktoken (the model's encoding) on the prompt and the completion, and
the `usage` the API reports. Both are kept on the `Completion`; tokens and cost come from the
reported numbers when the API sends them, from the count otherwise.

The embedded model (`kind = "local"`) lives in `generation/local.py` behind the same class.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2  # the openai client's transport: errors mid-stream surface raw
import openai

from generation.callbacks import Callbacks
from generation.errors import GenerationError, LLMTimeout, LLMUnavailable
from generation.models import ModelSpec
from generation.usage import cost as price
from generation.usage import count_messages, count_tokens

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
class _Answer:
    """What one backend call returns before accounting."""

    text: str
    reported_usage: dict[str, Any] | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None  # a backend that counts exactly (the local tokenizer)
    completion_tokens: int | None = None


class LLM(ABC):
    """A chat model. `complete` wraps the backend call with accounting and callbacks."""

    spec: ModelSpec

    def __init__(self, spec: ModelSpec, *, callbacks: Callbacks | None = None):
        self.spec = spec
        self.callbacks = callbacks or Callbacks()

    @property
    def name(self) -> str:
        return self.spec.name

    async def complete(
        self,
        messages: list[Message],
        *,
        json_mode: bool = False,
        max_tokens: int | None = None,
        temperature: float = 0.7,
        stream: bool = False,
        on_delta: Callable[[str], None] | None = None,
        callbacks: Callbacks | None = None,
    ) -> Completion:
        """Send `messages`; return the answer with tokens, cost and latency.

        Args:
            json_mode: ask for one JSON object (`response_format` where the model has a JSON
                mode, an instruction otherwise); the first JSON object in the answer is
                returned as `text`.
            stream: receive the answer incrementally; `on_delta` sees each piece.
            callbacks: per-request callbacks (e.g. `callbacks.child(step=...)`), else the
                model's own.
        """
        events = callbacks or self.callbacks
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
            stream=stream,
        )
        started = time.perf_counter()
        try:
            answer, attempts = await self._generate(
                messages,
                json_mode=json_mode,
                max_tokens=max_tokens,
                temperature=temperature,
                stream=stream,
                on_delta=on_delta,
                events=events,
            )
        except GenerationError as e:
            events.emit(
                "llm.error",
                model=self.spec.name,
                error=type(e).__name__,
                message=str(e),
                status_code=e.status_code,
                final=True,
                latency_ms=_ms_since(started),
            )
            raise
        latency_ms = _ms_since(started)
        completion = self._account(answer, messages, counted_prompt, latency_ms, attempts)
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
        return completion

    def count_prompt(self, messages: list[Message]) -> int:
        """The prompt's tokens under the model's tokenizer, chat framing included."""
        return count_messages(messages, self.spec)

    def _account(
        self,
        answer: _Answer,
        messages: list[Message],
        counted_prompt: int,
        latency_ms: float,
        attempts: int,
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
            attempts=attempts,
        )

    @abstractmethod
    async def _generate(
        self,
        messages: list[Message],
        *,
        json_mode: bool,
        max_tokens: int | None,
        temperature: float,
        stream: bool,
        on_delta: Callable[[str], None] | None,
        events: Callbacks,
    ) -> tuple[_Answer, int]:
        """The backend call: the answer and how many attempts it took."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections (the API's lifespan calls this on shutdown)."""


class OpenAILLM(LLM):
    """Any OpenAI-compatible chat endpoint, through `openai.AsyncOpenAI`."""

    def __init__(
        self,
        spec: ModelSpec,
        *,
        callbacks: Callbacks | None = None,
        timeout: float = 60,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
    ):
        super().__init__(spec, callbacks=callbacks)
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.client = openai.AsyncOpenAI(
            base_url=spec.base_url,
            # vLLM and other local servers take any key; the real API answers 401 → 502.
            api_key=spec.api_key() or "no-key",
            timeout=timeout,
            max_retries=0,
        )

    async def aclose(self) -> None:
        await self.client.close()

    async def _generate(
        self,
        messages: list[Message],
        *,
        json_mode: bool,
        max_tokens: int | None,
        temperature: float,
        stream: bool,
        on_delta: Callable[[str], None] | None,
        events: Callbacks,
    ) -> tuple[_Answer, int]:
        request: dict[str, Any] = {
            "model": self.spec.model_id,
            "messages": messages,
            "temperature": temperature,
        }
        if max_tokens is not None:
            request["max_tokens"] = max_tokens
        if json_mode and self.spec.json_mode:
            request["response_format"] = {"type": "json_object"}
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(self.timeout):
                    if stream:
                        answer = await self._stream(request, on_delta)
                    else:
                        answer = await self._once(request)
                return answer, attempt
            except Exception as e:  # classified below; anything unknown is re-raised
                error = self._classify(e)
                retry = isinstance(error, _Retryable) and attempt <= self.max_retries
                events.emit(
                    "llm.error",
                    model=self.spec.name,
                    error=type(error.final).__name__,
                    message=str(error.final),
                    status_code=error.final.status_code,
                    attempt=attempt,
                    final=False,
                    retrying=retry,
                )
                if not retry:
                    raise error.final from e
                delay = self._delay(attempt, error.retry_after)
                log.warning(
                    "model %s attempt %d failed (%s); retrying in %.2fs",
                    self.spec.name,
                    attempt,
                    error.final,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _once(self, request: dict[str, Any]) -> _Answer:
        response = await self.client.chat.completions.create(**request)
        if not response.choices:
            raise LLMUnavailable(f"model {self.spec.name}: the answer has no choices")
        choice = response.choices[0]
        usage = response.usage.model_dump(exclude_none=True) if response.usage else None
        return _Answer(
            text=choice.message.content or "",
            reported_usage=usage,
            finish_reason=choice.finish_reason,
        )

    async def _stream(
        self, request: dict[str, Any], on_delta: Callable[[str], None] | None
    ) -> _Answer:
        chunks = await self.client.chat.completions.create(
            **request, stream=True, stream_options={"include_usage": True}
        )
        parts: list[str] = []
        usage: dict[str, Any] | None = None
        finish: str | None = None
        async for chunk in chunks:
            if chunk.usage is not None:
                usage = chunk.usage.model_dump(exclude_none=True)
            for choice in chunk.choices:
                if choice.delta and choice.delta.content:
                    parts.append(choice.delta.content)
                    if on_delta is not None:
                        on_delta(choice.delta.content)
                if choice.finish_reason:
                    finish = choice.finish_reason
        if finish is None:
            raise _Truncated("the stream ended before the answer finished")
        return _Answer(text="".join(parts), reported_usage=usage, finish_reason=finish)

    def _classify(self, e: Exception) -> _Failure:
        name, url = self.spec.name, self.spec.base_url
        if isinstance(e, (TimeoutError, openai.APITimeoutError, httpx2.TimeoutException)):
            return _Retryable(
                LLMTimeout(f"model {name} at {url} did not answer in {self.timeout}s")
            )
        if isinstance(e, (openai.APIConnectionError, httpx2.TransportError)):
            return _Retryable(LLMUnavailable(f"model {name} at {url} is unreachable: {e}"))
        if isinstance(e, openai.APIStatusError):
            status = e.status_code
            message = f"model {name} at {url} answered {status}: {_error_text(e)}"
            if status == 429 or status >= 500:
                return _Retryable(LLMUnavailable(message), retry_after=_retry_after(e))
            return _Failure(LLMUnavailable(message))
        if isinstance(e, (openai.APIError, json.JSONDecodeError, httpx2.HTTPError)):
            # a broken stream, a cut-off or unparseable body
            return _Retryable(LLMUnavailable(f"model {name} at {url} sent a broken answer: {e}"))
        if isinstance(e, _Truncated):
            return _Retryable(LLMUnavailable(f"model {name} at {url}: {e}"))
        if isinstance(e, GenerationError):
            return _Failure(e)
        raise e

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        exponential = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        if retry_after is not None:
            return min(self.max_backoff, max(retry_after, exponential))
        return exponential * (0.5 + random.random() / 2)  # jitter: spread concurrent retries


class _Truncated(Exception):
    """A stream that closed without a finish reason."""


class _Failure:
    def __init__(self, final: GenerationError, retry_after: float | None = None):
        self.final = final
        self.retry_after = retry_after


class _Retryable(_Failure):
    pass


def _error_text(e: openai.APIStatusError) -> str:
    body = e.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return e.message


def _retry_after(e: openai.APIStatusError) -> float | None:
    value = e.response.headers.get("retry-after") if e.response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


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


def build_llm(
    spec: ModelSpec,
    *,
    callbacks: Callbacks | None = None,
    timeout: float = 60,
    max_retries: int = 3,
    backoff: float = 0.5,
    model_dir: Path | None = None,
) -> LLM:
    """The client for `spec`: an OpenAI-compatible endpoint or the embedded model.

    Args:
        backoff: the first retry's delay in seconds; doubled per attempt, capped at 8 s.
        model_dir: the embedded model's converted weights (default: under the venv).
    """
    if spec.kind == "openai":
        return OpenAILLM(
            spec, callbacks=callbacks, timeout=timeout, max_retries=max_retries, backoff=backoff
        )
    if spec.kind == "local":
        from generation.local import LocalLLM

        return LocalLLM(spec, callbacks=callbacks, model_dir=model_dir, timeout=timeout)
    raise ValueError(f"model {spec.name!r}: unknown kind {spec.kind!r}")
