"""Chat sessions: each session's settings, turns, running summary and usage (`ingest.storage`).

One SQLite file per collection (`{data_dir}/{collection}.sessions.sqlite3`, beside the usage
ledger), or the database a URL names.
Turn numbers are the primary key with the session id, so two requests racing on one session
cannot both write turn n: the second gets `SessionBusy` (409) instead of a forked history.
The summary only moves forward (`summarized_through` never decreases), for the same reason.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from generation.chat.memory import MemoryConfig
from generation.errors import SessionBusy, SessionNotFound
from ingest.storage.engine import open_database
from ingest.storage.tables import sessions, turns


@dataclass
class StoredTurn:
    n: int
    user: str
    assistant: str
    model: str
    citations: list[dict[str, Any]]
    prompt_tokens: int
    completion_tokens: int
    cost: float
    ts: float

    def messages(self) -> list[dict[str, str]]:
        return [
            {"role": "user", "content": self.user},
            {"role": "assistant", "content": self.assistant},
        ]


@dataclass
class Session:
    id: str
    created: float
    updated: float
    model: str | None
    business: str
    memory: MemoryConfig
    summary: str | None = None
    summarized_through: int = 0
    usage: dict[str, Any] = field(default_factory=dict)
    turns: int = 0


class SessionStore:
    """The sessions of one collection, at `location` (a SQLite file or a SQLAlchemy URL).
    Thread-safe."""

    def __init__(self, location: Path | str):
        self._db = open_database(location, store="sessions")

    def create(
        self,
        *,
        model: str | None,
        business: str,
        memory: MemoryConfig,
        session_id: str | None = None,
    ) -> Session:
        now = time.time()
        session_id = session_id or uuid.uuid4().hex
        row = {
            "id": session_id,
            "created": now,
            "updated": now,
            "model": model,
            "business": business,
            "memory": memory.model_dump_json(),
        }
        with self._db.write() as connection:
            connection.execute(sa.insert(sessions), row)
        return self.get(session_id)

    def get(self, session_id: str) -> Session:
        query = sa.select(sessions, _turn_count()).where(sessions.c.id == session_id)
        with self._db.read() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise SessionNotFound(f"no chat session {session_id!r}")
        return _session(row)

    def recent(self, *, limit: int, offset: int = 0) -> tuple[int, list[Session]]:
        """(how many sessions there are, the page of them), most recently updated first."""
        query = (
            sa.select(sessions, _turn_count())
            .order_by(sessions.c.updated.desc(), sessions.c.id)
            .limit(limit)
            .offset(offset)
        )
        with self._db.read() as connection:
            total = int(
                connection.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one()
            )
            rows = connection.execute(query).all()
        return total, [_session(row) for row in rows]

    def turns(self, session_id: str) -> list[StoredTurn]:
        query = (
            sa.select(*(turns.c[f.name] for f in fields(StoredTurn)))
            .where(turns.c.session_id == session_id)
            .order_by(turns.c.n)
        )
        with self._db.read() as connection:
            rows = connection.execute(query).all()
        return [
            StoredTurn(**{**row._mapping, "citations": json.loads(row.citations)}) for row in rows
        ]

    def update_settings(
        self, session_id: str, *, model: str | None, business: str, memory: MemoryConfig
    ) -> None:
        with self._db.write() as connection:
            connection.execute(
                sa.update(sessions)
                .where(sessions.c.id == session_id)
                .values(model=model, business=business, memory=memory.model_dump_json())
            )

    def set_summary(self, session_id: str, summary: str, *, through: int) -> None:
        """Store the running summary, folded through turn `through` (never moves back)."""
        with self._db.write() as connection:
            connection.execute(
                sa.update(sessions)
                .where(sessions.c.id == session_id, sessions.c.summarized_through < through)
                .values(summary=summary, summarized_through=through)
            )

    def add_usage(
        self,
        session_id: str,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
        calls: int,
    ) -> None:
        c = sessions.c
        with self._db.write() as connection:
            connection.execute(
                sa.update(sessions)
                .where(c.id == session_id)
                .values(
                    prompt_tokens=c.prompt_tokens + prompt_tokens,
                    completion_tokens=c.completion_tokens + completion_tokens,
                    cost=c.cost + cost,
                    calls=c.calls + calls,
                    updated=time.time(),
                )
            )

    def add_turn(self, session_id: str, turn: StoredTurn) -> None:
        """Record turn `turn.n`; SessionBusy when another request already wrote it."""
        row = {
            "session_id": session_id,
            "n": turn.n,
            "ts": turn.ts,
            "user": turn.user,
            "assistant": turn.assistant,
            "model": turn.model,
            "citations": json.dumps(turn.citations, ensure_ascii=False),
            "prompt_tokens": turn.prompt_tokens,
            "completion_tokens": turn.completion_tokens,
            "cost": turn.cost,
        }
        try:
            with self._db.write() as connection:
                connection.execute(sa.insert(turns), row)
        except IntegrityError as e:
            # Either the session is gone (its foreign key) or turn n exists (the primary key):
            # told apart by asking, as each database words the two errors its own way.
            if not self._exists(session_id):
                raise SessionNotFound(f"chat session {session_id!r} was deleted") from e
            raise SessionBusy(
                f"chat session {session_id!r} answered turn {turn.n} in another request; "
                "send the message again"
            ) from e

    def _exists(self, session_id: str) -> bool:
        query = sa.select(sessions.c.id).where(sessions.c.id == session_id)
        with self._db.read() as connection:
            return connection.execute(query).first() is not None

    def delete(self, session_id: str) -> None:
        with self._db.write() as connection:
            deleted = connection.execute(
                sa.delete(sessions).where(sessions.c.id == session_id)
            ).rowcount
        if not deleted:
            raise SessionNotFound(f"no chat session {session_id!r}")

    def close(self) -> None:
        self._db.close()


def _turn_count() -> sa.Label[int]:
    count = sa.select(sa.func.count()).where(turns.c.session_id == sessions.c.id)
    return count.scalar_subquery().label("turns")


def _session(row: sa.Row[Any]) -> Session:
    prompt, completion = int(row.prompt_tokens), int(row.completion_tokens)
    return Session(
        id=row.id,
        created=row.created,
        updated=row.updated,
        model=row.model,
        business=row.business,
        memory=MemoryConfig.model_validate_json(row.memory),
        summary=row.summary,
        summarized_through=int(row.summarized_through),
        usage={
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "cost": round(float(row.cost), 10),
            "calls": int(row.calls),
        },
        turns=int(row.turns),
    )
