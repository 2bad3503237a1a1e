"""Chat sessions in SQLite: each session's settings, turns, running summary and usage.

One file per collection (`{data_dir}/{collection}.sessions.sqlite3`, beside the usage ledger).
Turn numbers are the primary key with the session id, so two requests racing on one session
cannot both write turn n: the second gets `SessionBusy` (409) instead of a forked history.
The summary only moves forward (`summarized_through` never decreases), for the same reason.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generation.chat.memory import MemoryConfig
from generation.errors import SessionBusy, SessionNotFound

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    model TEXT,
    business TEXT NOT NULL,
    memory TEXT NOT NULL,
    summary TEXT,
    summarized_through INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost REAL NOT NULL DEFAULT 0,
    calls INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    ts REAL NOT NULL,
    user TEXT NOT NULL,
    assistant TEXT NOT NULL,
    model TEXT NOT NULL,
    citations TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost REAL NOT NULL,
    PRIMARY KEY (session_id, n)
);
"""


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
    """The sessions of one collection. Thread-safe: one connection behind a lock."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

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
        with self._lock:
            self._db.execute(
                "INSERT INTO sessions (id, created, updated, model, business, memory)"
                " VALUES (?,?,?,?,?,?)",
                (session_id, now, now, model, business, memory.model_dump_json()),
            )
        return self.get(session_id)

    def get(self, session_id: str) -> Session:
        with self._lock:
            row = self._db.execute(
                "SELECT id, created, updated, model, business, memory, summary,"
                " summarized_through, prompt_tokens, completion_tokens, cost, calls,"
                " (SELECT COUNT(*) FROM turns WHERE session_id = sessions.id)"
                " FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
        if row is None:
            raise SessionNotFound(f"no chat session {session_id!r}")
        prompt, completion = int(row[8]), int(row[9])
        return Session(
            id=row[0],
            created=row[1],
            updated=row[2],
            model=row[3],
            business=row[4],
            memory=MemoryConfig.model_validate_json(row[5]),
            summary=row[6],
            summarized_through=int(row[7]),
            usage={
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "cost": round(float(row[10]), 10),
                "calls": int(row[11]),
            },
            turns=int(row[12]),
        )

    def turns(self, session_id: str) -> list[StoredTurn]:
        with self._lock:
            rows = self._db.execute(
                "SELECT n, user, assistant, model, citations, prompt_tokens, completion_tokens,"
                " cost, ts FROM turns WHERE session_id = ? ORDER BY n",
                (session_id,),
            ).fetchall()
        return [
            StoredTurn(
                n=r[0],
                user=r[1],
                assistant=r[2],
                model=r[3],
                citations=json.loads(r[4]),
                prompt_tokens=r[5],
                completion_tokens=r[6],
                cost=r[7],
                ts=r[8],
            )
            for r in rows
        ]

    def update_settings(
        self, session_id: str, *, model: str | None, business: str, memory: MemoryConfig
    ) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET model = ?, business = ?, memory = ? WHERE id = ?",
                (model, business, memory.model_dump_json(), session_id),
            )

    def set_summary(self, session_id: str, summary: str, *, through: int) -> None:
        """Store the running summary, folded through turn `through` (never moves back)."""
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET summary = ?, summarized_through = ?"
                " WHERE id = ? AND summarized_through < ?",
                (summary, through, session_id, through),
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
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET prompt_tokens = prompt_tokens + ?,"
                " completion_tokens = completion_tokens + ?, cost = cost + ?, calls = calls + ?,"
                " updated = ? WHERE id = ?",
                (prompt_tokens, completion_tokens, cost, calls, time.time(), session_id),
            )

    def add_turn(self, session_id: str, turn: StoredTurn) -> None:
        """Record turn `turn.n`; SessionBusy when another request already wrote it."""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO turns (session_id, n, ts, user, assistant, model, citations,"
                    " prompt_tokens, completion_tokens, cost) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        session_id,
                        turn.n,
                        turn.ts,
                        turn.user,
                        turn.assistant,
                        turn.model,
                        json.dumps(turn.citations, ensure_ascii=False),
                        turn.prompt_tokens,
                        turn.completion_tokens,
                        turn.cost,
                    ),
                )
        except sqlite3.IntegrityError as e:
            if "FOREIGN KEY" in str(e):
                raise SessionNotFound(f"chat session {session_id!r} was deleted") from e
            raise SessionBusy(
                f"chat session {session_id!r} answered turn {turn.n} in another request; "
                "send the message again"
            ) from e

    def delete(self, session_id: str) -> None:
        with self._lock:
            deleted = self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount
        if not deleted:
            raise SessionNotFound(f"no chat session {session_id!r}")

    def close(self) -> None:
        with self._lock:
            self._db.close()
