"""Storage: the SQL databases beside the Chroma index, on SQLAlchemy Core with Alembic migrations.

Five stores keep their rows here: the ingest ledger (`ingest.ledger`), the lexical token cache
(`ingest.lexical.writer`), the job store (`api.jobs`), chat sessions (`generation.chat.store`)
and the usage ledger (`generation.usage`). Each opens its database with `engine.open_database`,
which migrates it to the store's newest schema before the first query. A store is given a file
path (a SQLite database, the default: one file per store in the data dir) or a SQLAlchemy URL
(`SPECRAG_DATABASE_URL`: a collection's stores in one PostgreSQL schema, `engine.collection_url`;
the token cache stays a file, as the lexical index it caches does); nothing else in a store
depends on which database it is.

    engine.py       the engine per database (SQLite pragmas), the dialect-aware upsert
    tables.py       every table, in one MetaData (what autogenerate compares against)
    migrate.py      runs the Alembic migrations in code (no alembic.ini)
    migrations/     the Alembic environment and versions, one branch per store

Each store is one Alembic branch (`ledger`, `jobs`, `sessions`, `usage`, `tokens`), so a
store's database holds its own tables only, and one database holding every store (a
server) keeps one `alembic_version` row per branch. The first revision of each branch adopts
the tables that specrag wrote before it had migrations: it creates a table only when it is
missing, so a data dir from then upgrades in place, rows kept.

A new revision (say, an index on the jobs), named `<store>_<n>` like the others:

    python -c "from alembic import command; from ingest.storage.migrate import alembic_config; \\
        command.revision(alembic_config(), 'index jobs by status', head='jobs@head', \\
        rev_id='jobs_0002')"

then write its `upgrade()` (`op.batch_alter_table` to alter a SQLite table) and change
`tables.py` to match; `tests/test_storage.py` checks that the two agree. (To let Alembic's
autogenerate compare, use a new database: an adopted one differs in details SQLite ignores.)
"""
