"""The ingest ledger: one row per source file, beside the Chroma store (`ingest.storage`).

It says what each file looked like when last ingested (sha256, chunk ids, the pipeline
fingerprint), whether that worked, and why not. Chroma stays the authority on which chunk
ids exist; the ledger is what lets an unchanged file be skipped without opening Chroma.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ingest.document import chunk_id, split_chunk_id
from ingest.specs import store as spec_store
from ingest.specs.model import DocumentSpecs
from ingest.storage.engine import Database, open_database, upsert
from ingest.storage.tables import chunk_shares, documents, facts, ledger_revision


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


@dataclass(frozen=True, slots=True)
class Share:
    """A chunk of `doc_id` whose text another document's record `record_id` stores: where it
    occurs in `doc_id` (`ingest.pipeline.share`)."""

    doc_id: str
    chunk_index: int
    record_id: str
    page: int | None = None
    section: str = ""
    header: str = ""
    tokens: int = 0

    @property
    def own_id(self) -> str:
        """The id this chunk's record gets when its document stores the text itself."""
        return chunk_id(self.doc_id, self.chunk_index)


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
        shares: list[Share] | None = None,
    ) -> None:
        """Record one file. `specs` (given with a good version) replaces the file's facts, and
        `shares` its shared chunks, in the same transaction; without them an earlier good
        version's stay. `chunk_ids` list the shared records too."""
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
                chunk_of = {
                    split_chunk_id(c)[1]: c
                    for c in chunk_ids or []
                    if split_chunk_id(c)[0] == doc_id
                }
                chunk_of.update({s.chunk_index: s.record_id for s in shares or []})
                spec_store.replace(connection, doc_id, specs, chunk_of)
            if shares is not None:
                connection.execute(sa.delete(chunk_shares).where(chunk_shares.c.doc_id == doc_id))
                if shares:
                    connection.execute(sa.insert(chunk_shares), [asdict(s) for s in shares])
            _bump(connection)

    def delete(self, doc_id: str) -> None:
        with self._db.write() as connection:
            connection.execute(sa.delete(documents).where(documents.c.doc_id == doc_id))
            spec_store.delete(connection, doc_id)
            connection.execute(sa.delete(chunk_shares).where(chunk_shares.c.doc_id == doc_id))
            _bump(connection)

    def revision(self) -> int:
        """A number every change of the ledger raises (committed after its chunks are in
        Chroma): a reader that saw it and then read Chroma holds at least that change."""
        with self._db.read() as connection:
            return int(connection.execute(sa.select(ledger_revision.c.revision)).scalar_one())

    def shares_of(self, record_ids: Iterable[str]) -> list[Share]:
        """The chunks of other documents that share these records, by record, doc, index."""
        wanted = sorted(set(record_ids))
        found: list[Share] = []
        with self._db.read() as connection:
            for start in range(0, len(wanted), 500):
                query = sa.select(chunk_shares).where(
                    chunk_shares.c.record_id.in_(wanted[start : start + 500])
                )
                found.extend(Share(**dict(row._mapping)) for row in connection.execute(query))
        return sorted(found, key=lambda s: (s.record_id, s.doc_id, s.chunk_index))

    def hand_on(self, old_id: str, heir: Share, others: list[Share]) -> str:
        """Record `old_id` as now stored by `heir` under its own id, which is returned:
        the heir lists it instead of `old_id` and no longer shares it, and the `others`
        sharing `old_id` (with their facts) point at the new id, all in one transaction."""
        new_id = heir.own_id
        with self._db.write() as connection:
            for doc_id in {heir.doc_id, *(s.doc_id for s in others)}:
                row = connection.execute(
                    sa.select(documents.c.chunk_ids).where(documents.c.doc_id == doc_id)
                ).first()
                if row is None:
                    continue
                ids = [new_id if c == old_id else c for c in json.loads(row[0])]
                connection.execute(
                    sa.update(documents)
                    .where(documents.c.doc_id == doc_id)
                    .values(chunk_ids=json.dumps(list(dict.fromkeys(ids))))
                )
                connection.execute(
                    sa.update(facts)
                    .where(facts.c.doc_id == doc_id, facts.c.chunk_id == old_id)
                    .values(chunk_id=new_id)
                )
            connection.execute(
                sa.delete(chunk_shares).where(
                    chunk_shares.c.doc_id == heir.doc_id,
                    chunk_shares.c.chunk_index == heir.chunk_index,
                )
            )
            connection.execute(
                sa.update(chunk_shares)
                .where(chunk_shares.c.record_id == old_id)
                .values(record_id=new_id)
            )
            _bump(connection)
        return new_id

    def counts(self) -> dict[str, int]:
        query = sa.select(documents.c.status, sa.func.count()).group_by(documents.c.status)
        with self._db.read() as connection:
            return {str(status): int(n) for status, n in connection.execute(query)}


def _bump(connection: sa.Connection) -> None:
    """Raise the ledger's revision, in the transaction of the change (on PostgreSQL the row's
    lock orders the instances' changes; SQLite's write lock already does)."""
    connection.execute(sa.update(ledger_revision).values(revision=ledger_revision.c.revision + 1))
