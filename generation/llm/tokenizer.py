"""The embedded model's own tokenizer: OpenVINO GenAI's, read from the model's GGUF file.

It is the tokenizer the pipeline itself uses (`LLMPipeline.get_tokenizer()`; one pipeline per
model file and process, `generation.llm.runtime`), so every count is the count the model
sees: the prompt after its chat template, the answer's new tokens.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generation.llm.runtime import load_runtime

if TYPE_CHECKING:
    from generation.models import ModelSpec

Message = dict[str, str]


class LocalTokenizer:
    """Encode, decode and chat-format text for one GGUF model (wraps `openvino_genai.Tokenizer`)."""

    def __init__(self, tokenizer: Any):
        self.ov = tokenizer

    def encode(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        if not text:
            return []
        encoded = self.ov.encode(text, add_special_tokens=add_special_tokens)
        return [int(i) for i in encoded.input_ids.data[0]]

    def decode(self, ids: Sequence[int], *, skip_special_tokens: bool = True) -> str:
        if not ids:
            return ""
        return str(self.ov.decode(list(ids), skip_special_tokens=skip_special_tokens))

    def chat_prompt(self, messages: list[Message]) -> str:
        """The prompt text the model is given for `messages` (its chat template applied)."""
        return str(self.ov.apply_chat_template(messages, add_generation_prompt=True))

    def chat_ids(self, messages: list[Message]) -> list[int]:
        return self.encode(self.chat_prompt(messages))

    @cached_property
    def _bytes_of(self) -> dict[int, bytes]:
        return {int(i): bytes(b) for b, i in self.ov.get_vocab().items()}

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes token `token_id` stands for (a piece of a UTF-8 character, possibly)."""
        return self._bytes_of[token_id]


def load_tokenizer(spec: ModelSpec | None = None) -> LocalTokenizer:
    """The tokenizer of `spec`'s model file (the packaged default when None); loads the model's
    pipeline once per process if it is not loaded yet."""
    runtime = load_runtime(spec)
    with _wrapping:
        tokenizer = _wrapped.get(runtime.path)
        if tokenizer is None:
            tokenizer = _wrapped[runtime.path] = LocalTokenizer(runtime.pipeline.get_tokenizer())
    return tokenizer


_wrapped: dict[Path, LocalTokenizer] = {}
_wrapping = threading.Lock()
