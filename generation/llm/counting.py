"""Token counts under a model's tokenizer from `data/models.toml`: a tiktoken encoding (loaded
from the offline cache, `ingest.encodings`), or `"model"` for the embedded model's own
tokenizer. Chat prompts are counted the way OpenAI bills them: each message costs its role and
content plus 3 tokens of framing, and 3 more prime the reply.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import tiktoken

from generation.llm.tokenizer import load_tokenizer
from generation.models import ModelSpec
from ingest.encodings import ENCODING_URLS, get_encoding
from ingest.errors import EncodingUnavailable

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
# For OpenAI-compatible models whose own tokenizer we do not ship (tokenizer = "model").
FALLBACK_ENCODING = "cl100k_base"


def count_tokens(text: str, spec: ModelSpec) -> int:
    """The number of tokens of `text` under `spec`'s tokenizer."""
    if not text:
        return 0
    if spec.tokenizer == "model":
        if spec.kind == "local":
            return len(load_tokenizer(spec).encode(text))
        return len(get_encoding(FALLBACK_ENCODING).encode(text, disallowed_special=()))
    return len(get_encoding(spec.tokenizer).encode(text, disallowed_special=()))


def count_messages(messages: Iterable[dict[str, str]], spec: ModelSpec) -> int:
    """The prompt tokens of a chat request, framing included."""
    messages = list(messages)
    if spec.tokenizer == "model" and spec.kind == "local":
        return len(load_tokenizer(spec).chat_ids(messages))
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key, value in message.items():
            total += count_tokens(value, spec)
            if key == "name":
                total += TOKENS_PER_NAME
    return total


def _encoding_for(encoding: str | None, model: ModelSpec | str | None) -> str:
    if encoding and model:
        raise ValueError("give either an encoding or a model, not both")
    if encoding:
        return encoding
    if isinstance(model, ModelSpec):
        if model.tokenizer == "model":
            return "model"
        return model.tokenizer
    if isinstance(model, str):
        try:
            return tiktoken.encoding_name_for_model(model)
        except KeyError:
            raise EncodingUnavailable(f"no known tiktoken encoding for model {model!r}") from None
    raise ValueError("tokenize needs an encoding or a model")


def tokenize(
    text: str, *, encoding: str | None = None, model: ModelSpec | str | None = None
) -> dict[str, Any]:
    """`text` as token ids, each with its bytes: `{"encoding", "ids", "tokens": [{id, bytes}]}`.

    `model` is a registry `ModelSpec` (its tokenizer is used) or an OpenAI model name known to
    tiktoken (`gpt-3.5-turbo` → cl100k_base). A token's `bytes` may be part of a UTF-8
    character (id 163 under r50k_base is `b"\\xe7"`); JSON callers send them as a list of ints.
    """
    name = _encoding_for(encoding, model)
    if name == "model":
        tokenizer = load_tokenizer(model if isinstance(model, ModelSpec) else None)
        ids = tokenizer.encode(text)
        tokens = [{"id": i, "bytes": tokenizer.token_bytes(i)} for i in ids]
        return {"encoding": "model", "ids": ids, "tokens": tokens}
    if name not in ENCODING_URLS:
        raise EncodingUnavailable(
            f"unknown encoding {name!r}; available: {', '.join(sorted(ENCODING_URLS))}"
        )
    enc = get_encoding(name)
    ids = enc.encode(text, disallowed_special=())
    return {
        "encoding": name,
        "ids": ids,
        "tokens": [{"id": i, "bytes": enc.decode_single_token_bytes(i)} for i in ids],
    }
