"""The stores on PostgreSQL (`SPECRAG_DATABASE_URL`), on a real server: migrations under the
advisory lock, a collection per schema, a clear error when the server is away, the sample
corpus indexed as on SQLite, and two API instances over one database and one Chroma server
answering alike after an ingest through one of them."""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.jobs import JobStore
from api.services import Services
from api.settings import Settings
from api.state import app_state
from generation.chat.store import SessionStore
from generation.usage import UsageLedger
from ingest.errors import DatabaseUnavailable
from ingest.ledger import Ledger
from ingest.storage.engine import collection_url, open_database
from ingest.storage.migrate import head
from ingest.storage.tables import facts
from tests.conftest import SAMPLES
from tests.serving import wait_until

pytestmark = pytest.mark.slow

SHARED_STORES = {"ledger": Ledger, "jobs": JobStore, "sessions": SessionStore, "usage": UsageLedger}
FOLLOW_TIMEOUT = 120.0  # the other instance's lexical rebuild; it polls every second
JOB_TIMEOUT = 300.0
QUESTIONS = (
    "Lumen E2 battery capacity kWh",
    "Aurora X5 towing capacity",
    "Meridian S 百公里加速",
    "charging port",
)


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql))]
    finally:
        engine.dispose()


def test_stores_opened_at_once_on_a_new_database_migrate_it_once(postgres_url: str) -> None:
    """Every store of a collection in one schema, opened from many threads at once (each its
    own engine and connections, as separate processes would be): the advisory lock lets one
    create the schema and one migrate each branch; the others see the result."""
    location = collection_url(postgres_url, "specrag")
    start = threading.Barrier(2 * len(SHARED_STORES))
    errors: list[BaseException] = []

    def open_one(store: str) -> None:
        start.wait()
        try:
            SHARED_STORES[store](location).close()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=open_one, args=(s,)) for s in [*SHARED_STORES] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    versions = _rows(location, "SELECT version_num FROM specrag.alembic_version")
    assert sorted(v for (v,) in versions) == sorted(head(s) for s in SHARED_STORES)


def test_each_collection_keeps_its_own_schema(postgres_url: str) -> None:
    """Two collections on one database are two sets of tables, like two data dirs."""
    saved = {"source": "/docs/a.txt", "file_type": "txt", "title": "a", "sha256": "0" * 64,
             "size": 1, "status": "ok", "fingerprint": "f"}  # fmt: skip
    cars = Ledger(collection_url(postgres_url, "cars"))
    other = Ledger(collection_url(postgres_url, "Other-Cars.v2"))
    cars.save(doc_id="a", chunk_ids=["a:0"], **saved)  # type: ignore[arg-type]
    assert [r.doc_id for r in cars.all()] == ["a"] and other.all() == []
    assert (cars.revision(), other.revision()) == (1, 0)
    schemas = {s for (s,) in _rows(postgres_url, "SELECT nspname FROM pg_namespace")}
    assert "cars" in schemas and any(s.startswith("c_other_cars_v2_") for s in schemas)
    cars.close()
    other.close()


def test_a_database_that_does_not_answer_is_named_without_its_password(
    postgres_server: Any,
) -> None:
    closed = postgres_server.url.set(password="hunter2", port=1, database="specrag")
    url = collection_url(closed.render_as_string(hide_password=False), "specrag")
    with pytest.raises(DatabaseUnavailable) as raised:
        open_database(url, store="jobs")
    message = str(raised.value)
    assert "the jobs store's database at postgresql+psycopg://specrag:***@127.0.0.1:1" in message
    assert "hunter2" not in message and raised.value.status == 503


def test_the_setting_takes_postgresql_urls_only(tmp_path: Path) -> None:
    plain = Settings(data_dir=tmp_path, database_url="postgresql://u:p@db.example/specrag")
    assert plain.database_url is not None
    assert plain.database_url.get_secret_value() == "postgresql+psycopg://u:p@db.example/specrag"
    assert "p@db" not in repr(plain)
    with pytest.raises(ValidationError, match="'mysql' is not supported"):
        Settings(data_dir=tmp_path, database_url="mysql://u@h/db")
    with pytest.raises(ValidationError, match="not a database URL"):
        Settings(data_dir=tmp_path, database_url="db.example:5432")
    assert Settings(data_dir=tmp_path, database_url="").database_url is None


def _facts(url: str) -> list[tuple[Any, ...]]:
    """The facts, in an order of their own (SQLite and PostgreSQL sort NULL differently)."""
    query = sa.select(*[c for c in facts.columns if c.name != "id"])
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()
    return sorted(rows, key=lambda row: [(v is not None, str(v)) for v in row])


def test_the_sample_corpus_on_postgresql_is_the_one_on_sqlite(
    sample_index: Path, embedder: Any, postgres_url: str, tmp_path: Path
) -> None:
    """Same documents, chunk ids and spec facts whichever database holds the ledger."""
    on_sqlite = Services(Settings(data_dir=sample_index, workers=0), embedder=embedder)
    settings = Settings(data_dir=tmp_path / "index", workers=0, database_url=postgres_url)
    on_postgres = Services(settings, embedder=embedder)
    report = on_postgres.pipeline.run([SAMPLES])
    assert (report.ok, report.failed) == (len(list(SAMPLES.iterdir())), 0), report.errors

    def documents(services: Services) -> list[tuple[Any, ...]]:
        return [(r.doc_id, r.source, r.sha256, r.status, r.chunk_ids, r.title)
                for r in services.ledger.all()]  # fmt: skip

    assert documents(on_postgres) == documents(on_sqlite)
    assert on_postgres.store.all_ids() == on_sqlite.store.all_ids()
    sqlite_facts = _facts(f"sqlite:///{sample_index / 'specrag.ledger.sqlite3'}")
    assert sqlite_facts, "the samples have spec facts"
    assert _facts(on_postgres.store_location("ledger")) == sqlite_facts
    assert on_postgres.ledger.revision() == 5, "one ledger change per file"
    on_postgres.close()
    on_sqlite.close()


@pytest.fixture
def cluster(
    tmp_path: Path, embedder: Any, postgres_url: str, chroma_server: str
) -> Iterator[tuple[TestClient, TestClient, Path]]:
    """Two started API instances, each with its own data dir, over one PostgreSQL database
    and one Chroma server; the folder both may ingest from."""
    library = tmp_path / "library"
    shutil.copytree(SAMPLES, library)
    shared = {
        "database_url": postgres_url,
        "chroma_url": chroma_server,
        "collection": f"t{uuid.uuid4().hex[:16]}",
        "roots": [library],
        "workers": 0,
    }
    opened: list[tuple[TestClient, Services]] = []
    for name in ("a", "b"):
        services = Services(Settings(data_dir=tmp_path / name, **shared), embedder=embedder)
        client = TestClient(create_app(services.settings, services=services))
        client.__enter__()
        opened.append((client, services))
    yield opened[0][0], opened[1][0], library
    for client, services in opened:
        app_state(client.app).jobs.wait_idle(JOB_TIMEOUT)
        client.__exit__(None, None, None)
        services.close()


def _ingest(client: TestClient, paths: list[Path]) -> dict[str, Any]:
    accepted = client.post("/v1/ingest", json={"paths": [str(p) for p in paths]})
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job"]["id"]
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running after {JOB_TIMEOUT} s")


def _caught_up(client: TestClient) -> bool:
    """Whether the instance's lexical index was built at the ledger's current revision."""
    services = app_state(client.app).services
    return services.lexical_revision == services.ledger.revision()


def _answers(client: TestClient) -> list[list[tuple[str, Any]]]:
    found = []
    for question in QUESTIONS:
        for mode in ("lexical", "hybrid"):
            response = client.post("/v1/query", json={"query": question, "k": 5, "mode": mode})
            assert response.status_code == 200, response.text
            results = response.json()["results"]
            found.append([(r["chunk_id"], r["scores"], r["citation"]) for r in results])
    return found


def test_two_instances_on_one_database_answer_alike_after_an_ingest_through_one(
    cluster: tuple[TestClient, TestClient, Path],
) -> None:
    a, b, library = cluster
    job = _ingest(a, [library])
    assert job["status"] == "done" and job["report"]["files"]["ok"] == 5, job
    # b learns of it from the shared ledger (its revision), not from a's process
    assert wait_until(lambda: _caught_up(b), seconds=FOLLOW_TIMEOUT), "b never caught up"
    answers = _answers(a)
    assert any(answers) and all(answers[1::2]), "every hybrid query finds chunks"
    assert _answers(b) == answers
    assert b.get("/v1/documents").json() == a.get("/v1/documents").json()
    # and a delete through b reaches a's lexical index
    lumen = next(d for d in a.get("/v1/documents").json()["documents"]
                 if d["source"].endswith("lumen_e2.txt"))  # fmt: skip
    assert b.delete(f"/v1/documents/{lumen['doc_id']}").status_code == 200
    assert wait_until(lambda: _caught_up(a), seconds=FOLLOW_TIMEOUT), "a never caught up"
    after = _answers(a)
    assert _answers(b) == after
    assert all(not r[0].startswith(lumen["doc_id"]) for results in after for r in results)


def test_a_store_outlives_its_connections_being_dropped_by_the_server(postgres_url: str) -> None:
    """A database restart (here: every other connection terminated, as a restart does) costs
    the next query nothing: the pooled connection is tested and replaced first."""
    jobs = JobStore(collection_url(postgres_url, "specrag"))
    job = {"id": "j1", "kind": "ingest", "paths": ["/docs"], "status": "queued", "created_at": 1.0}
    jobs.save(job)
    dropped = _rows(
        postgres_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    assert dropped and all(ok for (ok,) in dropped)
    found = jobs.get("j1")
    assert found is not None and (found.status, found.paths) == ("queued", ["/docs"])
    jobs.close()
