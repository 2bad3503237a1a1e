"""Ledger: a revision number that every change of the ledger raises.

Revision ID: ledger_0004
Revises: ledger_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ledger_0004"
down_revision = "ledger_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "ledger_revision",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    op.drop_table("ledger_revision")
