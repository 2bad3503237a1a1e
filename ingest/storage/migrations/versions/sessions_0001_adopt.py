"""Chat sessions: the sessions and turns tables, as specrag made them before migrations.

Revision ID: sessions_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ingest.storage.adopt import REAL, create_table

revision = "sessions_0001"
down_revision = None
branch_labels = ("sessions",)
depends_on = None


def upgrade() -> None:
    zero = sa.text("0")
    create_table(
        "sessions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("created", REAL, nullable=False),
        sa.Column("updated", REAL, nullable=False),
        sa.Column("model", sa.Text),
        sa.Column("business", sa.Text, nullable=False),
        sa.Column("memory", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("summarized_through", sa.Integer, nullable=False, server_default=zero),
        sa.Column("prompt_tokens", sa.Integer, nullable=False, server_default=zero),
        sa.Column("completion_tokens", sa.Integer, nullable=False, server_default=zero),
        sa.Column("cost", REAL, nullable=False, server_default=zero),
        sa.Column("calls", sa.Integer, nullable=False, server_default=zero),
    )
    create_table(
        "turns",
        sa.Column(
            "session_id",
            sa.Text,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("ts", REAL, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("assistant", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("cost", REAL, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("turns")
    op.drop_table("sessions")
