"""The ingest ledger: one SQLite row per source file, beside the Chroma store.

It says what each file looked like when last ingested (sha256, chunk ids, the pipeline
fingerprint), whether that worked, and why not. Chroma stays the authority on which chunk
ids exist; the ledger is what lets an unchanged file be skipped without opening Chroma.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    file_type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    chunk_ids TEXT NOT NULL DEFAULT '[]',
    fingerprint TEXT NOT NULL,
    parse_seconds REAL NOT NULL DEFAULT 0,
    embed_seconds REAL NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Record:
    doc_id: str
    source: str
    file_type: str
    title: str
    sha256: str
    size: int
    status: str
    error: str | None
    warnings: list[str]
    chunk_ids: list[str]
    fingerprint: str
    parse_seconds: float
    embed_seconds: float
    updated_at: float


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cursor = self._db.cursor()
            try:
                yield cursor
            finally:
                cursor.close()

    @staticmethod
    def _record(row: tuple[object, ...]) -> Record:
        values = list(row)
        values[8] = json.loads(str(values[8]))
        values[9] = json.loads(str(values[9]))
        return Record(*values)  # type: ignore[arg-type]

    def get(self, doc_id: str) -> Record | None:
        with self._cursor() as cursor:
            row = cursor.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return self._record(row) if row else None

    def all(self) -> list[Record]:
        with self._cursor() as cursor:
            rows = cursor.execute("SELECT * FROM documents ORDER BY source").fetchall()
        return [self._record(row) for row in rows]

    def save(
        self,
        *,
        doc_id: str,
        source: str,
        file_type: str,
        title: str,
        sha256: str,
        size: int,
        status: str,
        fingerprint: str,
        chunk_ids: list[str] | None = None,
        error: str | None = None,
        warnings: list[str] | None = None,
        parse_seconds: float = 0.0,
        embed_seconds: float = 0.0,
    ) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc_id,
                    source,
                    file_type,
                    title,
                    sha256,
                    size,
                    status,
                    error,
                    json.dumps(warnings or [], ensure_ascii=False),
                    json.dumps(chunk_ids or []),
                    fingerprint,
                    parse_seconds,
                    embed_seconds,
                    time.time(),
                ),
            )

    def delete(self, doc_id: str) -> None:
        with self._cursor() as cursor:
            cursor.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def counts(self) -> dict[str, int]:
        with self._cursor() as cursor:
            rows = cursor.execute("SELECT status, COUNT(*) FROM documents GROUP BY status")
            return {str(status): int(n) for status, n in rows}
