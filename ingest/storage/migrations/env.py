"""The Alembic environment of the stores: migrates the connection `ingest.storage.migrate`
passes in (online only; the stores never need SQL scripts)."""

from __future__ import annotations

from alembic import context

from ingest.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the stores' migrations through ingest.storage.migrate")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
