"""Usage ledger: the usage table and its index by day, as specrag made them before migrations.

Revision ID: usage_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ingest.storage.adopt import REAL, create_index, create_table

revision = "usage_0001"
down_revision = None
branch_labels = ("usage",)
depends_on = None


def upgrade() -> None:
    create_table(
        "usage",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ts", REAL, nullable=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("business", sa.Text),
        sa.Column("step", sa.Text),
        sa.Column("request_id", sa.Text),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("cost", REAL, nullable=False),
        sa.Column("latency_ms", REAL),
        sqlite_autoincrement=True,
    )
    create_index("usage_day", "usage", ["day"])


def downgrade() -> None:
    op.drop_index("usage_day", "usage")
    op.drop_table("usage")
