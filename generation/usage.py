"""Tokens and cost: tiktoken counts, the price table, and the SQLite usage ledger.

Counts use the model's tokenizer from `data/models.toml`: a tiktoken encoding (loaded from the
offline cache, `ingest.encodings`), or `"model"` for the embedded model's own tokenizer. Chat
prompts are counted the way OpenAI bills them: each message costs its role and content plus
3 tokens of framing, and 3 more prime the reply.

Cost is priced separately for input and output: `prompt/1e6 × input + completion/1e6 × output`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tiktoken

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


GROUPS = {
    "model": "model",
    "business": "COALESCE(business, '')",
    "day": "day",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    day TEXT NOT NULL,
    model TEXT NOT NULL,
    business TEXT,
    step TEXT,
    request_id TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost REAL NOT NULL,
    latency_ms REAL
);
CREATE INDEX IF NOT EXISTS usage_day ON usage(day);
"""


class UsageLedger:
    """Every LLM call's tokens and cost, in SQLite; summed by model, business or day."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

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
        day = datetime.fromtimestamp(ts, UTC).date().isoformat()
        with self._lock:
            self._db.execute(
                "INSERT INTO usage (ts, day, model, business, step, request_id, prompt_tokens,"
                " completion_tokens, cost, latency_ms) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    ts,
                    day,
                    model,
                    business,
                    step,
                    request_id,
                    int(prompt_tokens),
                    int(completion_tokens),
                    float(cost),
                    latency_ms,
                ),
            )

    def summary(self, group_by: str = "model") -> list[dict[str, Any]]:
        """Calls, tokens and cost per model, business or (UTC) day, largest cost first."""
        if group_by not in GROUPS:
            raise ValueError(f"group_by must be one of {', '.join(GROUPS)}, not {group_by!r}")
        column = GROUPS[group_by]
        order = "key" if group_by == "day" else "cost DESC, key"
        with self._lock:
            rows = self._db.execute(
                f"SELECT {column} AS key, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens),"
                f" SUM(cost) AS cost FROM usage GROUP BY key ORDER BY {order}"
            ).fetchall()
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
        with self._lock:
            self._db.close()
