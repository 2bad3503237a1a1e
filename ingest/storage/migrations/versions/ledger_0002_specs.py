"""Ledger: spec sheets, the cars each document is about and its facts.

Revision ID: ledger_0002
Revises: ledger_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ledger_0002"
down_revision = "ledger_0001"
branch_labels = None
depends_on = None

Real: sa.types.TypeEngine[float] = sa.Double().with_variant(sa.REAL(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "document_cars",
        sa.Column("doc_id", sa.Text, primary_key=True),
        sa.Column("car_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("aliases", sa.Text, nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_index("document_cars_car", "document_cars", ["car_id"])
    op.create_table(
        "facts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc_id", sa.Text, nullable=False),
        sa.Column("car_id", sa.Text, nullable=False),
        sa.Column("attribute", sa.Text, nullable=False),
        sa.Column("variant", sa.Text),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("numbers", sa.Text, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("unit", sa.Text),
        sa.Column("normalized", Real),
        sa.Column("normalized_unit", sa.Text),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("section", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("chunk_id", sa.Text),
    )
    op.create_index("facts_car", "facts", ["car_id", "attribute"])
    op.create_index("facts_doc", "facts", ["doc_id"])


def downgrade() -> None:
    op.drop_index("facts_doc", "facts")
    op.drop_index("facts_car", "facts")
    op.drop_table("facts")
    op.drop_index("document_cars_car", "document_cars")
    op.drop_table("document_cars")
