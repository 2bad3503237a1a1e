"""The ingest ledger: one row per source file, beside the Chroma store (`ingest.storage`).

It says what each file looked like when last ingested (sha256, chunk ids, the pipeline
fingerprint), whether that worked, and why not. Chroma stays the authority on which chunk
ids exist; the ledger is what lets an unchanged file be skipped without opening Chroma.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ingest.specs import store as spec_store
from ingest.specs.model import DocumentSpecs
from ingest.storage.engine import Database, open_database, upsert
from ingest.storage.tables import documents, ledger_revision


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
    """The ledger at `location`: a SQLite file, or a SQLAlchemy URL."""

    def __init__(self, location: Path | str) -> None:
        # synchronous=NORMAL: in WAL mode a crash of the machine may lose the last commits,
        # never corrupt the file, and a lost row only means that file is ingested again.
        self._db = open_database(location, store="ledger", pragmas={"synchronous": "NORMAL"})

    def close(self) -> None:
        self._db.close()

    @property
    def database(self) -> Database:
        """The ledger's database, which also holds the spec facts (`ingest.specs.registry`)."""
        return self._db

    @staticmethod
    def _record(row: sa.Row[Any]) -> Record:
        values = dict(row._mapping)
        values["warnings"] = json.loads(values["warnings"])
        values["chunk_ids"] = json.loads(values["chunk_ids"])
        return Record(**values)

    def get(self, doc_id: str) -> Record | None:
        with self._db.read() as connection:
            row = connection.execute(
                sa.select(documents).where(documents.c.doc_id == doc_id)
            ).first()
        return self._record(row) if row else None

    def all(self) -> list[Record]:
        with self._db.read() as connection:
            rows = connection.execute(sa.select(documents).order_by(documents.c.source)).all()
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
        specs: DocumentSpecs | None = None,
    ) -> None:
        """Record one file. `specs` (given with a good version) replaces the file's facts in the
        same transaction; without it the facts of an earlier good version stay."""
        row = {
            "doc_id": doc_id,
            "source": source,
            "file_type": file_type,
            "title": title,
            "sha256": sha256,
            "size": size,
            "status": status,
            "error": error,
            "warnings": json.dumps(warnings or [], ensure_ascii=False),
            "chunk_ids": json.dumps(chunk_ids or []),
            "fingerprint": fingerprint,
            "parse_seconds": parse_seconds,
            "embed_seconds": embed_seconds,
            "updated_at": time.time(),
        }
        with self._db.write() as connection:
            # The doc id is derived from the source, so the two keys conflict together.
            connection.execute(upsert(connection, documents, ["doc_id"]), row)
            if specs is not None:
                spec_store.replace(connection, doc_id, specs, chunk_ids or [])
            _bump(connection)

    def delete(self, doc_id: str) -> None:
        with self._db.write() as connection:
            connection.execute(sa.delete(documents).where(documents.c.doc_id == doc_id))
            spec_store.delete(connection, doc_id)
            _bump(connection)

    def revision(self) -> int:
        """A number every change of the ledger raises (committed after its chunks are in
        Chroma): a reader that saw it and then read Chroma holds at least that change."""
        with self._db.read() as connection:
            return int(connection.execute(sa.select(ledger_revision.c.revision)).scalar_one())

    def counts(self) -> dict[str, int]:
        query = sa.select(documents.c.status, sa.func.count()).group_by(documents.c.status)
        with self._db.read() as connection:
            return {str(status): int(n) for status, n in connection.execute(query)}


def _bump(connection: sa.Connection) -> None:
    """Raise the ledger's revision, in the transaction of the change (on PostgreSQL the row's
    lock orders the instances' changes; SQLite's write lock already does)."""
    connection.execute(sa.update(ledger_revision).values(revision=ledger_revision.c.revision + 1))
