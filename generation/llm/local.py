"""The embedded model on OpenVINO GenAI: a GGUF (SmolLM2-135M-Instruct by default) on CPU,
in-process, no key, no network.

`openvino_genai.LLMPipeline` reads the GGUF named in `data/models.toml` directly (llama, qwen2,
qwen3 architectures): no install-time conversion. One pipeline per model file and process
(`generation.llm.runtime`), loaded on first use (or `load()` from the API's lifespan) in a
worker thread so the event loop never blocks; its lock makes concurrent requests queue.

Per call: the chat template is applied and the prompt tokenized here, so the counts are the
model's own (prompt ids in, new ids out); `repetition_penalty` from the model's spec works
against loops (`no_repeat_ngram_size` is passed on too, but this release applies it under beam
search only); JSON is constrained by OpenVINO GenAI's structured output
(`StructuredOutputConfig`): the caller's JSON schema where it gives one, any JSON object
otherwise. The pipeline's streamer hands each token on and is where generation stops: a caller
that goes away (a client that disconnects, a request cancelled) stops it at its next token, and
`aclose()` (the API's shutdown) stops the running one and refuses the queued ones.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import aclosing
from typing import Any

import numpy as np
import openvino as ov
import openvino_genai

from generation.callbacks import Callbacks
from generation.errors import GenerationStopped, LLMUnavailable
from generation.llm.base import LLM, Answer, Completion, Message
from generation.llm.runtime import Runtime, load_runtime
from generation.llm.tokenizer import LocalTokenizer, load_tokenizer
from generation.models import ModelSpec

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 256
# A cap on any one answer: past a few hundred tokens the 135M model only repeats itself.
MAX_NEW_TOKENS = 320
# Above this the 135M model rambles and invents; sampling is clamped to it.
MAX_TEMPERATURE = 0.3
TOP_P = 0.9
SEED = 42  # sampled answers are reproducible
ANY_OBJECT: Mapping[str, Any] = {"type": "object"}  # JSON mode without a schema


class LocalLLM(LLM):
    """A GGUF model in-process, behind the same interface as the remote models."""

    def __init__(self, spec: ModelSpec, *, callbacks: Callbacks | None = None):
        super().__init__(spec, callbacks=callbacks)
        self._runtime: Runtime | None = None
        self._closing = threading.Event()

    async def aclose(self) -> None:
        """Stop: a running generation ends at its next token; queued ones do not start."""
        self._closing.set()

    def count_prompt(self, messages: list[Message]) -> int:
        return len(self.tokenizer.chat_ids(messages))

    @property
    def loaded(self) -> bool:
        return self._runtime is not None

    @property
    def load_seconds(self) -> float | None:
        return self._runtime.load_seconds if self._runtime else None

    @property
    def runtime(self) -> Runtime:
        """The model's pipeline and tokenizer (loaded on first use; blocking)."""
        if self._runtime is None:
            self._runtime = load_runtime(self.spec)
        return self._runtime

    @property
    def tokenizer(self) -> LocalTokenizer:
        return load_tokenizer(self.spec)

    def load(self) -> None:
        """Load the model (idempotent; blocking: call from a thread or at start)."""
        _ = self.runtime

    async def stream(
        self, messages: list[Message], **options: Any
    ) -> AsyncGenerator[str | Completion, None]:
        """`LLM.stream`, with the model loaded in a worker thread first: the prompt count
        that opens the call needs its tokenizer, and a load on the event loop would stall
        every other request for seconds."""
        if not self.loaded:
            await asyncio.to_thread(self.load)
        async with aclosing(super().stream(messages, **options)) as items:
            async for item in items:
                yield item

    async def _execute(
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
        # The model runs in a worker thread; its pieces cross to the event loop through a
        # queue, and None says the thread is done.
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[str | None] = asyncio.Queue()
        deliver: Callable[[str], None] | None = None
        if incremental:

            def deliver(text: str) -> None:
                loop.call_soon_threadsafe(pieces.put_nowait, text)

        cancelled = threading.Event()
        if json_mode and schema is None:
            schema = ANY_OBJECT
        work = asyncio.ensure_future(
            asyncio.to_thread(
                self._run,
                messages,
                schema=schema,
                max_tokens=min(max_tokens or DEFAULT_MAX_TOKENS, MAX_NEW_TOKENS),
                temperature=temperature,
                deliver=deliver,
                cancelled=cancelled,
            )
        )
        work.add_done_callback(lambda _: pieces.put_nowait(None))
        try:
            while (piece := await pieces.get()) is not None:
                yield piece
            yield await work
        finally:
            if not work.done():  # nobody takes the answer any more: stop making it
                cancelled.set()
                work.cancel()

    def _stopped(self, cancelled: threading.Event) -> str | None:
        if self._closing.is_set():
            return "the server is shutting down"
        return "the request was cancelled" if cancelled.is_set() else None

    def _run(
        self,
        messages: list[Message],
        *,
        schema: Mapping[str, Any] | None,
        max_tokens: int,
        temperature: float,
        deliver: Callable[[str], None] | None,
        cancelled: threading.Event,
    ) -> Answer:
        runtime, tokenizer = self.runtime, self.tokenizer
        with runtime.lock:
            if reason := self._stopped(cancelled):
                raise GenerationStopped(f"the embedded model did not start: {reason}")
            prompt = tokenizer.chat_ids(messages)
            ids = ov.Tensor(_int64([prompt]))
            inputs = openvino_genai.TokenizedInputs(ids, ov.Tensor(_int64([[1] * len(prompt)])))
            streamer = _Streamer(tokenizer, deliver, lambda: self._stopped(cancelled))
            try:
                runtime.pipeline.generate(
                    inputs, streamer=streamer, **self._options(schema, max_tokens, temperature)
                )
            except RuntimeError as e:  # e.g. a JSON schema its grammar compiler refuses
                raise LLMUnavailable(f"the embedded model failed: {e}") from e
        new_ids = streamer.ids
        if reason := self._stopped(cancelled):
            log.info("embedded model stopped after %d tokens: %s", len(new_ids), reason)
            raise GenerationStopped(f"the embedded model stopped: {reason}")
        return Answer(
            text=tokenizer.decode(new_ids).strip(),
            # short of the cap: an end-of-turn token (whichever the model's GGUF names) ended it
            finish_reason="length" if len(new_ids) >= max_tokens else "stop",
            prompt_tokens=len(prompt),
            completion_tokens=len(new_ids),
            reported_usage=None,
        )

    def _options(
        self, schema: Mapping[str, Any] | None, max_tokens: int, temperature: float
    ) -> dict[str, Any]:
        """GenerationConfig fields, applied over the model's own (its end-of-turn tokens)."""
        options: dict[str, Any] = {
            "max_new_tokens": max_tokens,
            "repetition_penalty": self.spec.repetition_penalty,
            "no_repeat_ngram_size": self.spec.no_repeat_ngram_size,
        }
        temperature = min(max(temperature, 0.0), MAX_TEMPERATURE)
        if temperature > 0:
            options.update(do_sample=True, temperature=temperature, top_p=TOP_P, rng_seed=SEED)
        if schema is not None:
            options["structured_output_config"] = openvino_genai.StructuredOutputConfig(
                json_schema=json.dumps(schema)
            )
        return options


def _int64(rows: list[list[int]]) -> Any:
    return np.array(rows, dtype=np.int64)


class _Streamer(openvino_genai.StreamerBase):  # type: ignore[misc]  # untyped here
    """What the pipeline calls with each new token: keeps the ids, hands the newly decoded
    text on (text ending in an incomplete UTF-8 character waits for the next token), and says
    CANCEL once the caller went away or the server is closing."""

    def __init__(
        self,
        tokenizer: LocalTokenizer,
        deliver: Callable[[str], None] | None,
        stopped: Callable[[], str | None],
    ):
        super().__init__()
        self.tokenizer = tokenizer
        self.deliver = deliver
        self.stopped = stopped
        self.ids: list[int] = []
        self.sent = 0

    def write(self, token: int | Sequence[int]) -> openvino_genai.StreamingStatus:
        self.ids.extend([token] if isinstance(token, int) else token)
        if self.stopped() is not None:
            return openvino_genai.StreamingStatus.CANCEL
        self._flush(final=False)
        return openvino_genai.StreamingStatus.RUNNING

    def end(self) -> None:
        self._flush(final=True)

    def _flush(self, *, final: bool) -> None:
        if self.deliver is None:
            return
        text = self.tokenizer.decode(self.ids)
        if not final and text.endswith("\ufffd"):
            return
        if len(text) > self.sent:
            self.deliver(text[self.sent :])
            self.sent = len(text)
