"""Usage ledger: each call's outcome, answered or abandoned (the caller left before the answer).

Revision ID: usage_0002
Revises: usage_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "usage_0002"
down_revision = "usage_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("usage") as batch:
        batch.add_column(
            sa.Column("outcome", sa.Text, nullable=False, server_default=sa.text("'answered'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("usage") as batch:
        batch.drop_column("outcome")
