"""The chat models behind one interface: `llm.stream(messages)`, `await llm.complete(messages)`.

`OpenAILLM` talks to any OpenAI-compatible endpoint (OpenAI, vLLM serving ChatGLM…) through
the real `openai.AsyncOpenAI` client: a streamed request when the caller wants the text as it
comes, a plain one otherwise. The client's own retries are off: this module retries 429, 5xx,
connection errors, timeouts and streams that break off before any text was handed on, a
bounded number of times with exponential backoff (honouring `Retry-After`), so that every
attempt is visible to the callbacks, and maps what is left to `LLMUnavailable` (502) or
`LLMTimeout` (504). Each attempt has one wall-clock deadline (`timeout`), which also cuts a
stream that stalls half way; it bounds the waits for the endpoint, never the caller's own work
between two pieces.

Accounting shared by every model (tiktoken count and the API's reported usage, both kept; cost
from the reported numbers when sent) and the callback events live in the base class,
`generation/llm/base.py`; the embedded model (`kind = "local"`) in `generation/llm/local.py`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any

import httpx2  # the openai client's transport: errors mid-stream surface raw
import openai
import tenacity

from generation.callbacks import Callbacks
from generation.errors import GenerationError, LLMTimeout, LLMUnavailable
from generation.llm.base import (
    LLM,
    Answer,
    Message,
)
from generation.models import ModelSpec

log = logging.getLogger(__name__)


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

    async def _execute(
        self,
        messages: list[Message],
        *,
        json_mode: bool,
        max_tokens: int | None,
        temperature: float,
        incremental: bool,
        events: Callbacks,
        schema: Mapping[str, Any] | None = None,  # JSON mode (json_object) stands for it
    ) -> AsyncGenerator[str | Answer, None]:
        request: dict[str, Any] = {
            "model": self.spec.model_id,
            "messages": messages,
            "temperature": temperature,
        }
        if max_tokens is not None:
            request["max_tokens"] = max_tokens
        if json_mode and self.spec.json_mode:
            request["response_format"] = {"type": "json_object"}
        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Retry),
            before_sleep=self._log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                shown = False  # a piece of this attempt was handed on: it cannot be taken back
                try:
                    if incremental:
                        async with aclosing(self._stream(request)) as items:
                            async for item in items:
                                if isinstance(item, Answer):
                                    item.attempts = number
                                else:
                                    shown = True
                                yield item
                    else:
                        async with asyncio.timeout(self.timeout):
                            answer = await self._once(request)
                        answer.attempts = number
                        yield answer
                    return
                except Exception as e:  # classified below; anything unknown is re-raised
                    error = self._classify(e)
                    retry = (
                        isinstance(error, _Retryable) and number <= self.max_retries and not shown
                    )
                    events.emit(
                        "llm.error",
                        model=self.spec.name,
                        error=type(error.final).__name__,
                        message=str(error.final),
                        status_code=error.final.status,
                        attempt=number,
                        final=False,
                        retrying=retry,
                    )
                    if not retry:
                        raise error.final from e
                    raise _Retry(error) from e

    async def _once(self, request: dict[str, Any]) -> Answer:
        response = await self.client.chat.completions.create(**request)
        if not response.choices:
            raise LLMUnavailable(f"model {self.spec.name}: the answer has no choices")
        choice = response.choices[0]
        usage = response.usage.model_dump(exclude_none=True) if response.usage else None
        return Answer(
            text=choice.message.content or "",
            reported_usage=usage,
            finish_reason=choice.finish_reason,
        )

    async def _stream(self, request: dict[str, Any]) -> AsyncGenerator[str | Answer, None]:
        """One streamed attempt: each piece of text, then the `Answer`. The deadline covers
        every wait for the endpoint; it is never armed while the caller holds a piece."""
        deadline = asyncio.get_running_loop().time() + self.timeout
        async with asyncio.timeout_at(deadline):
            chunks = await self.client.chat.completions.create(
                **request, stream=True, stream_options={"include_usage": True}
            )
        parts: list[str] = []
        usage: dict[str, Any] | None = None
        finish: str | None = None
        try:
            iterator = aiter(chunks)
            while True:
                async with asyncio.timeout_at(deadline):
                    chunk = await anext(iterator, None)
                if chunk is None:
                    break
                if chunk.usage is not None:
                    usage = chunk.usage.model_dump(exclude_none=True)
                for choice in chunk.choices:
                    if choice.finish_reason:
                        finish = choice.finish_reason
                    if choice.delta and choice.delta.content:
                        parts.append(choice.delta.content)
                        yield choice.delta.content
        except (openai.APIConnectionError, httpx2.TransportError) as e:
            if isinstance(e, (openai.APITimeoutError, httpx2.TimeoutException)):
                raise
            received = sum(len(p) for p in parts)
            message = f"the stream broke off after {received} characters: {e}"
            if parts:  # the caller has these: the failure is final (see `_execute`)
                raise LLMUnavailable(f"model {self.spec.name}: {message}") from e
            raise _Truncated(message) from e
        finally:
            await chunks.close()
        if finish is None:
            raise _Truncated("the stream ended before the answer finished")
        yield Answer(text="".join(parts), reported_usage=usage, finish_reason=finish)

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

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """Exponential backoff from `backoff`, capped at `max_backoff`; at least the server's
        Retry-After when it sent one, else with jitter to spread concurrent retries."""
        exponential = min(self.max_backoff, self.backoff * 2.0 ** (state.attempt_number - 1))
        failure = _failure_of(state)
        if failure.retry_after is not None:
            return min(self.max_backoff, max(failure.retry_after, exponential))
        return exponential * (0.5 + random.random() / 2)

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "model %s attempt %d failed (%s); retrying in %.2fs",
            self.spec.name,
            state.attempt_number,
            _failure_of(state).final,
            delay,
        )


class _Truncated(Exception):
    """A stream that closed without a finish reason."""


class _Failure:
    def __init__(self, final: GenerationError, retry_after: float | None = None):
        self.final = final
        self.retry_after = retry_after


class _Retryable(_Failure):
    pass


class _Retry(Exception):
    """Raised inside an attempt to have tenacity make another."""

    def __init__(self, failure: _Failure):
        super().__init__(str(failure.final))
        self.failure = failure


def _failure_of(state: tenacity.RetryCallState) -> _Failure:
    error = state.outcome.exception() if state.outcome else None
    assert isinstance(error, _Retry)
    return error.failure


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
