"""Alembic, run from code: the migrations are package data beside this module, and the
Config is built here, so an installed wheel needs no alembic.ini.

Opening a store migrates its database first. A database already at its branch's head costs
one query; otherwise the upgrade runs on one connection that holds a lock from the version
check to the commit (SQLite's write lock, `BEGIN IMMEDIATE`; on PostgreSQL, whose DDL is
transactional too, an advisory lock of the transaction), so two processes or threads opening
a new data dir or database at once migrate it once, and the second sees the result. Within a
process, migrations also take turns: Alembic keeps the running one in module globals.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"  # Alembic's default name
# Alembic's `op` and `context` are module-level proxies: one migration at a time per process.
_ALEMBIC = threading.Lock()
STORES = ("ledger", "jobs", "sessions", "usage", "tokens")  # one Alembic branch each
# The key of PostgreSQL's advisory lock for migrations: any 64-bit number no one else uses.
MIGRATION_LOCK = int.from_bytes(b"specrag.", "big") >> 1


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration of the stores; `connection` is what env.py migrates."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head(store: str) -> str:
    """The newest revision of `store`'s branch."""
    if store not in STORES:
        raise ValueError(f"unknown store {store!r}; one of {', '.join(STORES)}")
    revision = ScriptDirectory.from_config(alembic_config()).get_revision(f"{store}@head")
    assert revision is not None
    return revision.revision


def current(connection: Connection) -> tuple[str, ...]:
    """The revisions the database is at (empty before its first migration). Read directly:
    Alembic's MigrationContext would log two lines each time a store opens."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return ()
    return tuple(connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def upgrade(engine: Engine, store: str) -> None:
    """Migrate `store`'s tables in the database of `engine` to the branch head."""
    target = head(store)
    with engine.connect() as connection:
        if target in current(connection):
            return
    with _ALEMBIC, engine.connect() as connection:
        migration_lock(connection)
        if target not in current(connection):
            command.upgrade(alembic_config(connection), f"{store}@head")
        connection.commit()


def migration_lock(connection: Connection) -> None:
    """Begin the connection's transaction holding the database's migration lock, until the
    commit: SQLite's write lock, or PostgreSQL's advisory lock (one for the whole database:
    migrations are rare, and a new schema's first ones would otherwise race on the catalog).
    Other databases migrate unlocked."""
    name = connection.dialect.name
    if name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
