"""Jobs: the jobs table, as specrag made it before migrations.

Revision ID: jobs_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ingest.storage.adopt import REAL, create_table

revision = "jobs_0001"
down_revision = None
branch_labels = ("jobs",)
depends_on = None


def upgrade() -> None:
    create_table(
        "jobs",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("created_at", REAL, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("jobs")
