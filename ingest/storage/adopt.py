"""For the first migration of each store: create a table unless specrag made it already.

Before migrations, each store ran `CREATE TABLE IF NOT EXISTS` on opening, so a data dir
from then has the tables (with the columns `tables.py` still has) and no `alembic_version`.
Its first revision creates what is missing and keeps what is there, rows included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# The first revisions' floats: REAL on SQLite, as before migrations; DOUBLE PRECISION elsewhere.
REAL: sa.types.TypeEngine[float] = sa.Double().with_variant(sa.REAL(), "sqlite")


def create_table(name: str, *elements: Any, **options: Any) -> None:
    """`op.create_table`, unless a table `name` exists."""
    if not sa.inspect(op.get_bind()).has_table(name):
        op.create_table(name, *elements, **options)


def create_index(name: str, table: str, columns: Sequence[str]) -> None:
    """`op.create_index`, unless `table` has an index `name`."""
    indexes = sa.inspect(op.get_bind()).get_indexes(table)
    if not any(index["name"] == name for index in indexes):
        op.create_index(name, table, list(columns))
