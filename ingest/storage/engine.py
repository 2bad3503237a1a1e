"""The engine of one store's database, and the SQL that differs between databases.

SQLite is the default: one file per store, in WAL mode (readers never wait for the writer)
with a busy timeout, so a CLI ingest and the server can share a data dir. A URL names any
other database SQLAlchemy speaks; the stores' queries are dialect-neutral Core, and the one
statement SQL spells differently per database (an upsert) is built here.

On PostgreSQL (`SPECRAG_DATABASE_URL`, shared by the instances of a cluster) every store of a
collection lives in one schema of the database, named after the collection
(`collection_url`), as the collection's SQLite files sit side by side in a data dir; the
stores' table names do not collide, and each store's Alembic branch keeps its own row in the
schema's `alembic_version`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine

from ingest.errors import DatabaseUnavailable, DiskFull, StoreCorrupt, disk_full_reason
from ingest.storage.migrate import migration_lock, upgrade

# What every store has had since before migrations: WAL, and sqlite3's default 5 s busy timeout.
BUSY_SECONDS = 5.0
LOW_SPACE_BYTES = 1 << 20  # under this, an I/O error opening a store is the disk being full
SQLITE_PRAGMAS: Mapping[str, str] = {
    "busy_timeout": str(int(BUSY_SECONDS * 1000)),
    "journal_mode": "WAL",
    "foreign_keys": "ON",
}


def database_url(location: Path | str) -> URL:
    """A SQLite URL for a file path; a string is already a SQLAlchemy URL."""
    if isinstance(location, Path):
        location.parent.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite", database=str(location))
    return sa.make_url(location)


def collection_url(database_url: URL | str, collection: str) -> str:
    """The URL of `collection`'s stores in the server database at `database_url`: there, its
    own schema (made on first use), named after it; a SQLite URL is returned as it is."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return url.render_as_string(hide_password=False)
    options = url.query.get("options", "")
    if isinstance(options, tuple):  # the key given twice
        options = " ".join(options)
    schema = schema_name(collection)
    url = url.update_query_dict({"options": f"{options} -c search_path={schema}".strip()})
    return url.render_as_string(hide_password=False)


def schema_name(collection: str) -> str:
    """A PostgreSQL schema for a collection: its own name when that is a plain lower-case
    identifier (the default `specrag`), else a spelling that tells collections apart."""
    if re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", collection):
        return collection
    plain = re.sub(r"[^a-z0-9_]", "_", collection.lower())[:40]
    return f"c_{plain}_{hashlib.sha1(collection.encode()).hexdigest()[:8]}"


def _search_path(url: URL) -> str | None:
    """The schema `collection_url` put in the URL's connection options."""
    options = url.query.get("options", "")
    joined = " ".join(options) if isinstance(options, tuple) else options
    found = re.findall(r"search_path=([a-z0-9_]+)", joined)
    return found[-1] if found else None


def open_engine(url: URL | str, *, pragmas: Mapping[str, str] | None = None) -> Engine:
    """An engine for `url`; on SQLite, `pragmas` (over `SQLITE_PRAGMAS`) on every connection."""
    url = sa.make_url(url)
    if url.get_backend_name() != "sqlite":
        # A server may restart under a long-lived instance: a pooled connection is tested
        # (one round trip) before it is handed out, and replaced if the server dropped it.
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url)
    settings = {**SQLITE_PRAGMAS, **(pragmas or {})}
    locked = engine.dialect.loaded_dbapi.OperationalError

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for name, value in settings.items():
                if name == "journal_mode":
                    _journal_mode(cursor, value, locked)
                else:
                    cursor.execute(f"PRAGMA {name}={value}")
        finally:
            cursor.close()

    return engine


def _journal_mode(cursor: Any, mode: str, locked: type[Exception]) -> None:
    """Set the journal mode (kept in the file: a no-op once set). A new file's first
    connections race to set it, and SQLite answers "locked" at once, without waiting, to the
    ones that lose while another holds its write lock: they try again."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            cursor.execute(f"PRAGMA journal_mode={mode}")
            return
        except locked as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def open_database(
    location: Path | str, *, store: str, pragmas: Mapping[str, str] | None = None
) -> Database:
    """The database of `store` (its Alembic branch) at `location`, migrated to its newest
    schema: a file path (SQLite, the parent folder created) or a SQLAlchemy URL.

    Raises StoreCorrupt when the database cannot be read (garbage over a SQLite file), and
    DiskFull when it cannot be written for want of space.
    """
    url = database_url(location)
    engine = open_engine(url, pragmas=pragmas)
    try:
        _create_schema(engine, url)
        upgrade(engine, store)
    except (sa.exc.DBAPIError, sqlite3.DatabaseError) as e:
        engine.dispose()
        shown = str(location) if isinstance(location, Path) else url.render_as_string()
        reason = disk_full_reason(e)
        if reason is None and isinstance(location, Path):
            reason = _out_of_room(location.parent, e)
        if reason is not None:
            where = location.parent if isinstance(location, Path) else shown
            raise DiskFull(where, f"opening the {store} store: {reason}") from e
        why = str(getattr(e, "orig", None) or e).strip()
        if engine.dialect.name != "sqlite":  # a server: unreachable or refusing, not a bad file
            raise DatabaseUnavailable(store, shown, why) from e
        raise StoreCorrupt(store, shown, why) from e
    except BaseException:
        engine.dispose()
        raise
    return Database(engine)


def _create_schema(engine: Engine, url: URL) -> None:
    """Make the schema a PostgreSQL URL's search_path names, if it is missing. On a
    connection of its own: the engine's first connection learns its default schema, which
    must exist by then."""
    schema = _search_path(url) if engine.dialect.name == "postgresql" else None
    if schema is None:
        return
    maker = sa.create_engine(url.difference_update_query(["options"]), poolclass=sa.NullPool)
    try:
        with maker.connect() as connection:
            migration_lock(connection)  # two first openers would race on the catalog
            connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            connection.commit()
    finally:
        maker.dispose()


def _out_of_room(folder: Path, error: Exception) -> str | None:
    """Why a SQLite I/O error is a full disk: SQLite says "disk I/O error" when it cannot
    even make a WAL database's -shm or -wal file."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    if free < LOW_SPACE_BYTES and "i/o error" in str(error).lower():
        return f"disk I/O error with {free // 1024} KB free"
    return None


class Database:
    """One store's engine. Writes from this process take turns (as they did on the single
    connection each store had before), so a writer never sleeps in SQLite's busy handler
    behind another thread of its own process; reads run on the pool's other connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write = threading.Lock()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction, committed when the block ends without an exception."""
        with self._write, self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        with self._write:
            self.engine.dispose()


def upsert(connection: Connection, table: sa.Table, key: Sequence[str]) -> sa.Insert:
    """INSERT into `table`, replacing every other column of the row whose `key` already exists
    (SQLite and PostgreSQL spell it alike: `ON CONFLICT (key) DO UPDATE`)."""
    name = connection.dialect.name
    statement: sqlite.Insert | postgresql.Insert
    if name == "sqlite":
        statement = sqlite.insert(table)
    elif name == "postgresql":
        statement = postgresql.insert(table)
    else:
        raise NotImplementedError(f"no upsert for {name} databases")
    updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key}
    return statement.on_conflict_do_update(index_elements=list(key), set_=updates)
