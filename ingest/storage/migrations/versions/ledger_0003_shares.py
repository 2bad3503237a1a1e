"""Ledger: the chunks a document shares with another document's stored record.

Revision ID: ledger_0003
Revises: ledger_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ledger_0003"
down_revision = "ledger_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chunk_shares",
        sa.Column("doc_id", sa.Text, primary_key=True),
        sa.Column("chunk_index", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.Text, nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("section", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("header", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("tokens", sa.Integer, nullable=False, server_default=sa.text("0")),
    )
    op.create_index("chunk_shares_record", "chunk_shares", ["record_id"])


def downgrade() -> None:
    op.drop_index("chunk_shares_record", "chunk_shares")
    op.drop_table("chunk_shares")
