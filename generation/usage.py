"""Cost and the usage ledger (`ingest.storage`); the token counts are `generation.llm.counting`'s.

Cost is priced separately for input and output: `prompt/1e6 × input + completion/1e6 × output`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa

from generation.models import ModelSpec
from ingest.storage.engine import open_database
from ingest.storage.tables import usage


def cost(spec: ModelSpec, prompt_tokens: int, completion_tokens: int) -> float:
    """USD for one call: input and output tokens at their own prices per million."""
    if prompt_tokens < 0 or completion_tokens < 0:
        raise ValueError("token counts cannot be negative")
    dollars = (
        prompt_tokens * spec.input_price_per_1m + completion_tokens * spec.output_price_per_1m
    ) / 1_000_000
    return round(dollars, 10)


Outcome = Literal["answered", "abandoned"]

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
        outcome: Outcome = "answered",
    ) -> None:
        """One call; `outcome` abandoned: the caller went away before the answer, and the
        tokens are those spent until then."""
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
            "outcome": outcome,
        }
        with self._db.write() as connection:
            connection.execute(sa.insert(usage), row)

    def summary(self, group_by: str = "model") -> list[dict[str, Any]]:
        """Calls, tokens and cost per model, business or (UTC) day, largest cost first; the
        calls abandoned by their caller are counted in (they were paid for) and apart."""
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
                sa.func.count().filter(usage.c.outcome == "abandoned"),
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
                "abandoned_calls": abandoned,
            }
            for key, calls, prompt, completion, total_cost, abandoned in rows
        ]

    def close(self) -> None:
        self._db.close()
