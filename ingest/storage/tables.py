"""Every table of the stores, in one MetaData: what the stores query and what Alembic's
autogenerate compares against. A change here needs a migration (`migrations/versions/`).

The columns are the ones specrag created before it had migrations, so that a data dir from
then is adopted as it is. Timestamps are seconds since the epoch (`Real`); JSON is text.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
# A double-precision float, declared REAL on SQLite as the tables were before migrations.
Real: sa.types.TypeEngine[float] = sa.Double().with_variant(sa.REAL(), "sqlite")

# The ingest ledger (branch `ledger`): one row per source file.
documents = sa.Table(
    "documents",
    metadata,
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
    sa.Column("parse_seconds", Real, nullable=False, server_default=sa.text("0")),
    sa.Column("embed_seconds", Real, nullable=False, server_default=sa.text("0")),
    sa.Column("updated_at", Real, nullable=False),
    sa.CheckConstraint("status IN ('ok', 'failed')"),
)

# Background ingest jobs (branch `jobs`): one JSON body per job.
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("created_at", Real, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

# The ingest queue (branch `jobs`, with `specrag worker`): each queued job's files, one row
# per file with its progress; an uploaded file's bytes until a worker has ingested them (so a
# worker on another machine never needs the API's disk); and each worker's heartbeat.
job_files = sa.Table(
    "job_files",
    metadata,
    sa.Column("job_id", sa.Text, primary_key=True),
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("doc_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("chunks", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("reason", sa.Text),
    sa.Column("worker", sa.Text),
    sa.Column("started_at", Real),
    sa.Column("updated_at", Real, nullable=False),
)

uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("job_id", sa.Text, primary_key=True),
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

workers = sa.Table(
    "workers",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("started_at", Real, nullable=False),
    sa.Column("last_seen", Real, nullable=False),
    sa.Column("done", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("retried", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("failed", sa.Integer, nullable=False, server_default=sa.text("0")),
)

# Chat sessions (branch `sessions`): settings, running summary and usage; then each turn.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("created", Real, nullable=False),
    sa.Column("updated", Real, nullable=False),
    sa.Column("model", sa.Text),
    sa.Column("business", sa.Text, nullable=False),
    sa.Column("memory", sa.Text, nullable=False),
    sa.Column("summary", sa.Text),
    sa.Column("summarized_through", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("prompt_tokens", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("completion_tokens", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("cost", Real, nullable=False, server_default=sa.text("0")),
    sa.Column("calls", sa.Integer, nullable=False, server_default=sa.text("0")),
)

turns = sa.Table(
    "turns",
    metadata,
    sa.Column(
        "session_id",
        sa.Text,
        sa.ForeignKey("sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("ts", Real, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("assistant", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("citations", sa.Text, nullable=False),
    sa.Column("prompt_tokens", sa.Integer, nullable=False),
    sa.Column("completion_tokens", sa.Integer, nullable=False),
    sa.Column("cost", Real, nullable=False),
)

# The usage ledger (branch `usage`): every LLM call's tokens and cost.
usage = sa.Table(
    "usage",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ts", Real, nullable=False),
    sa.Column("day", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("business", sa.Text),
    sa.Column("step", sa.Text),
    sa.Column("request_id", sa.Text),
    sa.Column("prompt_tokens", sa.Integer, nullable=False),
    sa.Column("completion_tokens", sa.Integer, nullable=False),
    sa.Column("cost", Real, nullable=False),
    sa.Column("latency_ms", Real),
    # answered, or abandoned: the caller went away first; the tokens spent until then
    sa.Column("outcome", sa.Text, nullable=False, server_default=sa.text("'answered'")),
    sqlite_autoincrement=True,
)
sa.Index("usage_day", usage.c.day)

# The lexical index's token cache (branch `tokens`): tokens per chunk, and the tokenizer
# version they were made with.
tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("chunk_id", sa.Text, primary_key=True),
    sa.Column("sha1", sa.Text, nullable=False),
    sa.Column("tokens", sa.LargeBinary, nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text),
)

# Spec sheets (branch `ledger`, beside the documents they come from, written in the same
# transaction as the document's row): the cars each document is about, and its facts.
document_cars = sa.Table(
    "document_cars",
    metadata,
    sa.Column("doc_id", sa.Text, primary_key=True),
    sa.Column("car_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("aliases", sa.Text, nullable=False, server_default=sa.text("'[]'")),
)
sa.Index("document_cars_car", document_cars.c.car_id)

facts = sa.Table(
    "facts",
    metadata,
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
sa.Index("facts_car", facts.c.car_id, facts.c.attribute)
sa.Index("facts_doc", facts.c.doc_id)

# Duplicates across documents (`ingest.pipeline.share`): a chunk whose text another document
# already stores is not stored again; this row keeps where it occurs, for citations and for
# handing the record on when its owner goes. The document's `chunk_ids` list the record too.
chunk_shares = sa.Table(
    "chunk_shares",
    metadata,
    sa.Column("doc_id", sa.Text, primary_key=True),
    sa.Column("chunk_index", sa.Integer, primary_key=True),
    sa.Column("record_id", sa.Text, nullable=False),
    sa.Column("page", sa.Integer),
    sa.Column("section", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("header", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("tokens", sa.Integer, nullable=False, server_default=sa.text("0")),
)
sa.Index("chunk_shares_record", chunk_shares.c.record_id)
