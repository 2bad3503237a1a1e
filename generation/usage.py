"""Tokens and cost: tiktoken counts, the price table, and the usage ledger (`ingest.storage`).

Counts use the model's tokenizer from `data/models.toml`: a tiktoken encoding (loaded from the
offline cache, `ingest.encodings`), or `"model"` for the embedded model's own tokenizer. Chat
prompts are counted the way OpenAI bills them: each message costs its role and content plus
3 tokens of framing, and 3 more prime the reply.

Cost is priced separately for input and output: `prompt/1e6 × input + completion/1e6 × output`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import tiktoken

from generation.models import ModelSpec
from ingest.encodings import ENCODING_URLS, get_encoding
from ingest.errors import EncodingUnavailable
from ingest.storage.engine import open_database
from ingest.storage.tables import usage

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
            from generation.llm.local import load_tokenizer

            return len(load_tokenizer().encode(text, add_special_tokens=False))
        return len(get_encoding(FALLBACK_ENCODING).encode(text, disallowed_special=()))
    return len(get_encoding(spec.tokenizer).encode(text, disallowed_special=()))


def count_messages(messages: Iterable[dict[str, str]], spec: ModelSpec) -> int:
    """The prompt tokens of a chat request, framing included."""
    messages = list(messages)
    if spec.tokenizer == "model" and spec.kind == "local":
        from generation.llm.local import load_tokenizer

        tokenizer = load_tokenizer()
        prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key, value in message.items():
            total += count_tokens(value, spec)
            if key == "name":
                total += TOKENS_PER_NAME
    return total


def cost(spec: ModelSpec, prompt_tokens: int, completion_tokens: int) -> float:
    """USD for one call: input and output tokens at their own prices per million."""
    if prompt_tokens < 0 or completion_tokens < 0:
        raise ValueError("token counts cannot be negative")
    dollars = (
        prompt_tokens * spec.input_price_per_1m + completion_tokens * spec.output_price_per_1m
    ) / 1_000_000
    return round(dollars, 10)


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
        from generation.llm.local import load_tokenizer, token_bytes

        tokenizer = load_tokenizer()
        ids = tokenizer.encode(text, add_special_tokens=False)
        tokens = [{"id": i, "bytes": token_bytes(tokenizer, i)} for i in ids]
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


# The key each summary groups by; a call without a business counts under "" (shown as None).
GROUPS: dict[str, sa.ColumnElement[Any]] = {
    "model": usage.c.model,
    "business": sa.func.coalesce(usage.c.business, sa.literal_column("''")),
    "day": usage.c.day,
}


class UsageLedger:
    """Every LLM call's tokens and cost, at `location` (a SQLite file or a SQLAlchemy URL);
    summed by model, business or day."""

    def __init__(self, location: Path | str):
        self._db = open_database(location, store="usage")

    def record(
        self,
        *,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
        latency_ms: float | None = None,
        business: str | None = None,
        step: str | None = None,
        request_id: str | None = None,
        ts: float | None = None,
    ) -> None:
        ts = time.time() if ts is None else ts
        row = {
            "ts": ts,
            "day": datetime.fromtimestamp(ts, UTC).date().isoformat(),
            "model": model,
            "business": business,
            "step": step,
            "request_id": request_id,
            "prompt_tokens": int(prompt_tokens),
            "completion_tokens": int(completion_tokens),
            "cost": float(cost),
            "latency_ms": latency_ms,
        }
        with self._db.write() as connection:
            connection.execute(sa.insert(usage), row)

    def summary(self, group_by: str = "model") -> list[dict[str, Any]]:
        """Calls, tokens and cost per model, business or (UTC) day, largest cost first."""
        if group_by not in GROUPS:
            raise ValueError(f"group_by must be one of {', '.join(GROUPS)}, not {group_by!r}")
        key = GROUPS[group_by].label("key")
        total_cost = sa.func.sum(usage.c.cost).label("cost")
        order = [key] if group_by == "day" else [total_cost.desc(), key]
        query = (
            sa.select(
                key,
                sa.func.count(),
                sa.func.sum(usage.c.prompt_tokens),
                sa.func.sum(usage.c.completion_tokens),
                total_cost,
            )
            .group_by(key)
            .order_by(*order)
        )
        with self._db.read() as connection:
            rows = connection.execute(query).all()
        return [
            {
                group_by: key if key != "" else None,
                "calls": calls,
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "cost": round(total_cost, 10),
            }
            for key, calls, prompt, completion, total_cost in rows
        ]

    def close(self) -> None:
        self._db.close()
