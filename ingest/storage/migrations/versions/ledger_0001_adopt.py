"""Ledger: the documents table, as specrag made it before migrations.

Revision ID: ledger_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ingest.storage.adopt import REAL, create_table

revision = "ledger_0001"
down_revision = None
branch_labels = ("ledger",)
depends_on = None


def upgrade() -> None:
    create_table(
        "documents",
        sa.Column("doc_id", sa.Text, primary_key=True),
        sa.Column("source", sa.Text, nullable=False, unique=True),
        sa.Column("file_type", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("warnings", sa.Text, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("chunk_ids", sa.Text, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("parse_seconds", REAL, nullable=False, server_default=sa.text("0")),
        sa.Column("embed_seconds", REAL, nullable=False, server_default=sa.text("0")),
        sa.Column("updated_at", REAL, nullable=False),
        sa.CheckConstraint("status IN ('ok', 'failed')"),
    )


def downgrade() -> None:
    op.drop_table("documents")
