"""Token cache: the tokens and meta tables, as specrag made them before migrations.

Revision ID: tokens_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ingest.storage.adopt import create_table

revision = "tokens_0001"
down_revision = None
branch_labels = ("tokens",)
depends_on = None


def upgrade() -> None:
    create_table(
        "tokens",
        sa.Column("chunk_id", sa.Text, primary_key=True),
        sa.Column("sha1", sa.Text, nullable=False),
        sa.Column("tokens", sa.LargeBinary, nullable=False),
    )
    create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("tokens")
