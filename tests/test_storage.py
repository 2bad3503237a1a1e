"""The storage layer: a data dir written before migrations upgrades in place, a new one gets
the tables that code made, the migrations build what `ingest/storage/tables.py` declares, and
stores opened at once on a new file migrate it once.

`fixtures/pre_migration/*.sql` is a data dir written by specrag at 396abc2, the last commit
before migrations: its own store classes wrote the rows, `sqlite3`'s `iterdump` dumped them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from api.jobs import JobStore
from generation.chat.memory import MemoryConfig
from generation.chat.store import SessionBusy, SessionNotFound, SessionStore, StoredTurn
from generation.usage import UsageLedger
from ingest.analysis import TOKENIZER_VERSION
from ingest.ledger import Ledger
from ingest.lexical.format import pack_tokens, unpack_tokens
from ingest.lexical.writer import TokenCache
from ingest.storage.engine import database_url, open_database
from ingest.storage.migrate import STORES, current, head
from ingest.storage.tables import metadata

FIXTURES = Path(__file__).parent / "fixtures" / "pre_migration"
# store: (its fixture, where the code before migrations kept it in the data dir, its tables)
FILES = {
    "ledger": ("specrag.ledger.sql", "specrag.ledger.sqlite3", {"documents"}),
    "jobs": ("specrag.jobs.sql", "specrag.jobs.sqlite3", {"jobs"}),
    "sessions": ("specrag.sessions.sql", "specrag.sessions.sqlite3", {"sessions", "turns"}),
    "usage": ("specrag.usage.sql", "specrag.usage.sqlite3", {"usage"}),
    "tokens": ("tokens.sql", "specrag.lexical/tokens.sqlite3", {"tokens", "meta"}),
}
# tables the stores gained after the first migration
ADDED = {"ledger": {"document_cars", "facts"}, "jobs": {"job_files", "uploads", "workers"}}


def _old_data_dir(root: Path) -> Path:
    """The pre-migration data dir, restored from its dump with a plain engine (no pragmas, no
    migrations), its token cache marked with today's tokenizer so that it is kept."""
    for fixture, name, _ in FILES.values():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(database_url(path))
        with engine.connect() as connection:
            script = (FIXTURES / fixture).read_text(encoding="utf-8")
            connection.connection.driver_connection.executescript(script)  # type: ignore[union-attr]
            if fixture == "tokens.sql":
                connection.exec_driver_sql(
                    "UPDATE meta SET value = ? WHERE key = 'tokenizer'", (TOKENIZER_VERSION,)
                )
                connection.commit()
        engine.dispose()
    return root


def _read(path: Path, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(database_url(path))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def _turn(n: int, user: str = "and its range?") -> StoredTurn:
    return StoredTurn(
        n=n,
        user=user,
        assistant="560 km [1]",
        model="local",
        citations=[],
        prompt_tokens=10,
        completion_tokens=2,
        cost=0.0,
        ts=1.8e9,
    )


def test_a_data_dir_from_before_migrations_upgrades_in_place_with_its_rows(
    tmp_path: Path,
) -> None:
    data = _old_data_dir(tmp_path)

    ledger = Ledger(data / "specrag.ledger.sqlite3")
    records = {r.doc_id: r for r in ledger.all()}
    aurora, broken = records["a1b2c3"], records["d4e5f6"]
    assert (aurora.source, aurora.status, aurora.parse_seconds) == (
        "/srv/specs/aurora_x5.md",
        "ok",
        0.25,
    )
    assert aurora.chunk_ids == ["a1b2c3:0", "a1b2c3:1"] and aurora.warnings == ["第 2 页没有文字"]
    assert (broken.status, broken.error, broken.chunk_ids) == (
        "failed",
        "broken.pdf: not a PDF",
        [],
    )
    assert ledger.counts() == {"ok": 1, "failed": 1}
    ledger.save(
        doc_id="d4e5f6",
        source="/srv/specs/broken.pdf",
        file_type="pdf",
        title="Fixed",
        sha256="e" * 64,
        size=20,
        status="ok",
        fingerprint="fp2",
        chunk_ids=["d4e5f6:0"],
        parse_seconds=0.5,
        embed_seconds=1.25,
    )
    fixed = ledger.get("d4e5f6")
    assert fixed is not None and (fixed.title, fixed.error, fixed.embed_seconds) == (
        "Fixed",
        None,
        1.25,
    )
    assert ledger.counts() == {"ok": 2} and ledger.get("a1b2c3") == aurora
    ledger.close()

    jobs = JobStore(data / "specrag.jobs.sqlite3")
    done = jobs.get("job-done")
    assert done is not None and done.report == {"files": {"ok": 1, "skipped": 0, "failed": 1}}
    assert done.errors == [{"path": "/srv/specs/broken.pdf", "reason": "not a PDF"}]
    assert [job.id for job in jobs.interrupted()] == ["job-running"]
    jobs.save({**done.as_json(), "id": "job-new", "created_at": 1.8e9})
    jobs.trim(2)
    assert jobs.get("job-done") is None and jobs.get("job-new") is not None
    jobs.close()

    sessions = SessionStore(data / "specrag.sessions.sqlite3")
    session = sessions.get("s1")
    assert (session.turns, session.summarized_through, session.memory.policy) == (
        1 + 1,
        1,
        "summary",
    )
    assert session.usage == {
        "prompt_tokens": 300,
        "completion_tokens": 30,
        "total_tokens": 330,
        "cost": 0.0,
        "calls": 2,
    }
    stored = sessions.turns("s1")
    assert [t.user for t in stored] == ["Aurora X5 power?", "和扭矩呢？"]
    assert stored[1].citations[0]["chunk_id"] == "a1b2c3:0"
    sessions.add_turn("s1", _turn(3))
    assert [t.n for t in sessions.turns("s1")] == [1, 2, 3]
    sessions.close()

    usage = UsageLedger(data / "specrag.usage.sqlite3")
    usage.record(model="local", prompt_tokens=1, completion_tokens=1, cost=0.0, ts=1.7e9)
    assert [(r["model"], r["calls"], r["cost"]) for r in usage.summary("model")] == [
        ("gpt-4o", 2, 0.75),
        ("local", 2, 0.0),
    ]
    assert [r["day"] for r in usage.summary("day")] == ["2023-11-14", "2023-11-15"]
    usage.close()
    # AUTOINCREMENT kept: the new call's id follows the old ones.
    assert _read(data / "specrag.usage.sqlite3", "SELECT max(id) FROM usage") == [(4,)]

    cache = TokenCache(data / "specrag.lexical" / "tokens.sqlite3")
    cached = cache.load()
    assert sorted(cached) == ["a1b2c3:0", "a1b2c3:1"]
    assert unpack_tokens(cached["a1b2c3:1"][1]) == ["扭矩", "500", "n·m"]
    cache.save([("a1b2c3:2", "3" * 40, pack_tokens(["wheelbase"]))], ["a1b2c3:0"])
    assert sorted(cache.load()) == ["a1b2c3:1", "a1b2c3:2"]
    cache.close()

    for store, (_, name, _) in FILES.items():
        assert _read(data / name, "SELECT version_num FROM alembic_version") == [(head(store),)]


def _schema(path: Path, tables: set[str]) -> dict[str, Any]:
    """Each table's columns (declared type, NOT NULL, default, primary key position), indexes,
    foreign keys and check constraint, as SQLite sees them."""
    found: dict[str, Any] = {}
    for table in sorted(tables):
        columns = [
            (name, type_.upper(), bool(notnull) or bool(pk), default, pk)
            for _, name, type_, notnull, default, pk in _read(path, f"PRAGMA table_info({table})")
        ]
        indexes = sorted(
            (origin, unique, tuple(c[2] for c in _read(path, f"PRAGMA index_info('{name}')")))
            for _, name, unique, origin, _ in _read(path, f"PRAGMA index_list({table})")
        )
        keys = [row[2:7] for row in _read(path, f"PRAGMA foreign_key_list({table})")]
        (sql,) = _read(path, f"SELECT sql FROM sqlite_master WHERE name = '{table}'")[0]
        found[table] = (columns, indexes, keys, "CHECK (status IN ('ok', 'failed'))" in sql)
    found["autoincrement"] = bool(
        _read(path, "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
    )
    return found


@pytest.mark.parametrize("store", STORES)
def test_a_new_store_has_the_tables_the_code_before_migrations_made(
    tmp_path: Path, store: str
) -> None:
    """Compared column by column with the pre-migration DDL, once both are at the branch's
    head (the later migrations, e.g. the usage ledger's `outcome`, run on both). One
    difference is deliberate: a primary key column is NOT NULL now (SQLite let the old TEXT
    keys hold NULL; none did)."""
    _, name, tables = FILES[store]
    old = _old_data_dir(tmp_path / "old") / name
    open_database(old, store=store).close()
    new = tmp_path / "new" / Path(name).name
    open_database(new, store=store).close()
    assert _schema(new, tables) == _schema(old, tables)


def _table(item: Any) -> sa.Table:
    """The table a schema item (a table, column, index or constraint) belongs to."""
    return item if isinstance(item, sa.Table) else item.table


@pytest.mark.parametrize("store", STORES)
def test_the_migrations_build_what_tables_py_declares(tmp_path: Path, store: str) -> None:
    """Alembic's autogenerate finds nothing to change in a new database. (In an adopted one
    it would also report the primary keys' NOT NULL above, and miss the old column-level ON
    DELETE CASCADE, which SQLAlchemy does not reflect: autogenerate against a new database.)"""
    tables = FILES[store][2] | ADDED.get(store, set())
    database = open_database(tmp_path / "new.sqlite3", store=store)
    with database.read() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": lambda item, *_: _table(item).name in tables,
            },
        )
        assert compare_metadata(context, metadata) == []
        assert current(connection) == (head(store),)
    database.close()


def test_stores_opened_at_once_on_a_new_data_dir_migrate_each_file_once(tmp_path: Path) -> None:
    """Regression: two openers of a new file both saw no tables and both created them; two
    migrations in one process shared Alembic's module-level `op`."""
    opens: dict[
        str, Callable[[Path], Ledger | JobStore | SessionStore | UsageLedger | TokenCache]
    ] = {
        "ledger": Ledger,
        "jobs": JobStore,
        "sessions": SessionStore,
        "usage": UsageLedger,
        "tokens": TokenCache,
    }
    start = threading.Barrier(2 * len(opens))
    errors: list[BaseException] = []

    def open_one(store: str) -> None:
        start.wait()
        try:
            opens[store](tmp_path / FILES[store][1]).close()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=open_one, args=(s,)) for s in [*opens, *opens]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for store, (_, name, _) in FILES.items():
        assert _read(tmp_path / name, "SELECT version_num FROM alembic_version") == [(head(store),)]


def test_a_turn_written_twice_is_busy_and_a_deleted_session_takes_its_turns(
    tmp_path: Path,
) -> None:
    sessions = SessionStore(tmp_path / "sessions.sqlite3")
    session = sessions.create(model="local", business="chat", memory=MemoryConfig())
    sessions.add_turn(session.id, _turn(1))
    with pytest.raises(SessionBusy, match="answered turn 1 in another request"):
        sessions.add_turn(session.id, _turn(1, "a racing request"))
    assert [t.user for t in sessions.turns(session.id)] == ["and its range?"]
    sessions.delete(session.id)
    with pytest.raises(SessionNotFound, match="was deleted"):
        sessions.add_turn(session.id, _turn(2))
    assert sessions.turns(session.id) == []
    assert _read(tmp_path / "sessions.sqlite3", "SELECT count(*) FROM turns") == [(0,)]
    sessions.close()
