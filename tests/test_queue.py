"""Queue mode (`SPECRAG_QUEUE_URL`): a real redis-server, a real `chroma run`, a real
PostgreSQL (`SPECRAG_DATABASE_URL`: the ledger, facts, jobs, uploads and workers), two real
`specrag worker` processes and the API in this process.

The tests share the cluster and run in order; each ingests files the earlier ones did not.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.queue.store import QueueStore
from api.services import Services
from api.settings import Settings
from bench.cluster import Processes, free_port, start_redis, start_worker
from ingest.pipeline.plan import PIPELINE_VERSION
from tests.conftest import CORPUS, REPO, SAMPLES
from tests.pg import Postgres
from tests.serving import wait_until

pytestmark = pytest.mark.slow

MAX_FILE_MB = 4  # the workers' visibility timeout: 30 + 10 * 4 = 70 s
JOB_SECONDS = 400
WORKERS = ("worker1", "worker2")
BALENO = CORPUS / "drivewise-metadata-rag" / "maruti_baleno.pdf"  # ~15 s to parse here
VENUE = CORPUS / "auto-brochure-rag-venue" / "hyundai_venue_digital_brochure.pdf"
CRETA = CORPUS / "drivewise-metadata-rag" / "hyundai_creta.pdf"
TOYOTA = CORPUS / "itversity-toyota-specs"


@dataclass
class Cluster:
    procs: Processes
    env: dict[str, str]
    settings: Settings
    redis_port: int
    embedder: Any

    def worker_name(self, process: str) -> str:
        return f"{process}@{os.uname().nodename}"

    def start_worker(self, process: str) -> None:
        start_worker(self.procs, process, self.env)

    @contextmanager
    def api(self) -> Iterator[TestClient]:
        """A new API instance on the cluster (its own Services: a restart starts afresh),
        closed afterwards (its database connections and its follower of the ledger)."""
        services = Services(self.settings, embedder=self.embedder)
        try:
            with TestClient(create_app(services=services)) as client:
                yield client
        finally:
            services.close()


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    chroma_server: str,
    embedder: Any,
    postgres_server: Postgres,
) -> Iterator[Cluster]:
    """Redis, `chroma run`, PostgreSQL (the ledger, jobs, uploads and workers of every
    instance) and two `specrag worker` processes, as `make cluster` runs them."""
    root = tmp_path_factory.mktemp("cluster")
    database = postgres_server.create_database().render_as_string(hide_password=False)
    procs = Processes(root)
    port = free_port()
    queue = start_redis(procs, port)
    env = {
        "SPECRAG_DATA_DIR": str(root / "data"),
        "SPECRAG_QUEUE_URL": queue,
        "SPECRAG_CHROMA_URL": chroma_server,
        "SPECRAG_DATABASE_URL": database,
        "SPECRAG_COLLECTION": f"q{uuid.uuid4().hex[:16]}",
        "SPECRAG_ROOTS": json.dumps([str(SAMPLES), str(CORPUS.resolve())]),
        "SPECRAG_MAX_FILE_MB": str(MAX_FILE_MB),
        "SPECRAG_STORE_BATCH": "8",  # a file's chunks reach Chroma in several writes
    }
    settings = Settings(
        data_dir=root / "data",
        queue_url=queue,
        chroma_url=chroma_server,
        database_url=database,
        collection=env["SPECRAG_COLLECTION"],
        roots=[SAMPLES, CORPUS.resolve()],
        max_file_mb=MAX_FILE_MB,
        workers=0,
    )
    built = Cluster(procs, env, settings, port, embedder)
    try:
        for name in WORKERS:
            built.start_worker(name)
        yield built
    finally:
        for name in procs.names():
            procs.stop(name)


def _finished(client: TestClient, job_id: str) -> dict[str, Any]:
    """The job once it is done or failed (fails the test after JOB_SECONDS)."""
    found: dict[str, Any] = {}

    def finished() -> bool:
        found.update(client.get(f"/v1/jobs/{job_id}").json())
        return found["status"] in ("done", "failed")

    assert wait_until(finished, seconds=JOB_SECONDS, every=0.5), found
    return found


def _name(path: Path) -> str:
    """A file as responses name it: its path below the ingest root that holds it."""
    resolved = path.resolve()
    root = next(r for r in (SAMPLES.resolve(), CORPUS.resolve()) if resolved.is_relative_to(r))
    return str(resolved.relative_to(root))


def _submit(client: TestClient, paths: list[Path]) -> str:
    answer = client.post("/v1/ingest", json={"paths": [str(p.resolve()) for p in paths]})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["job"]["id"])


def _chunks(services: Services, doc_ids: set[str]) -> dict[str, str]:
    """{chunk id: text} of these documents in the Chroma collection."""
    ids = sorted(i for i in services.store.all_ids() if i.split(":")[0] in doc_ids)
    return {hit.id: hit.text for hit in services.store.get(ids)}


def test_samples_through_two_workers_match_the_single_process_ingest(
    cluster: Cluster, make_settings: Any, embedder: Any
) -> None:
    with cluster.api() as client:
        job = _finished(client, _submit(client, [SAMPLES]))
        assert job["status"] == "done" and job["errors"] == []
        files = job["report"]["per_file"]
        assert {f["status"] for f in files} == {"done"}
        assert {f["worker"] for f in files} <= {cluster.worker_name(w) for w in WORKERS}
        assert job["progress"]["files_done"] == job["progress"]["files_total"] == 5
        ready = client.get("/readyz").json()
        assert ready["checks"]["queue"]["workers_alive"] == 2
        assert {w["name"] for w in ready["checks"]["queue"]["workers"]} == {
            cluster.worker_name(w) for w in WORKERS
        }
        metrics = client.get("/metrics").text
        assert "specrag_workers_alive 2.0" in metrics
    queued = Services(cluster.settings, embedder=embedder)
    alone = Services(make_settings(), embedder=embedder)
    try:
        alone.pipeline.run([SAMPLES])
        doc_ids = {r.doc_id for r in alone.ledger.all()}
        assert len(doc_ids) == 5
        expected = _chunks(alone, doc_ids)
        assert _chunks(queued, doc_ids) == expected
        assert sum(f["chunks"] for f in files) == len(expected)
        for record in alone.ledger.all():
            other = queued.ledger.get(record.doc_id)
            assert other is not None
            assert (other.chunk_ids, other.sha256, other.fingerprint) == (
                record.chunk_ids,
                record.sha256,
                record.fingerprint,
            )
        assert sorted(c.id for c in queued.cars.cars()) == sorted(c.id for c in alone.cars.cars())
    finally:
        queued.close()
        alone.close()


@pytest.mark.parametrize(
    ("setting", "value"),
    [("SPECRAG_CHUNK_TOKENS", "128"), ("SPECRAG_EMBED_MODEL", "multilingual-e5-small")],
)
def test_a_worker_with_other_settings_is_refused(
    cluster: Cluster, setting: str, value: str
) -> None:
    """After the samples are indexed: a worker that would write other vectors never starts."""
    ran = subprocess.run(
        [sys.executable, "-m", "api.cli", "worker", "--name", "odd"],
        env={**os.environ, **cluster.env, setting: value},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode != 0
    assert "refused" in ran.stderr, ran.stderr[-2000:]
    assert "multilingual" in ran.stderr or f"v{PIPELINE_VERSION}:cl100k_base:128:32" in ran.stderr


def test_a_task_queued_with_other_settings_is_refused_by_every_worker(cluster: Cluster) -> None:
    """An API whose chunk settings differ from the workers' enqueues its fingerprint with
    each file: the workers leave the file for a worker of those settings, then fail it with
    the reason, and never index it with theirs."""
    odd = cluster.settings.model_copy(update={"chunk_tokens": 128})
    article = CORPUS / "clutch-sidecar-articles" / "acura-tlx.md"
    services = Services(odd, embedder=cluster.embedder)
    try:
        with TestClient(create_app(services=services)) as client:
            job = _finished(client, _submit(client, [article]))
        row = job["report"]["per_file"][0]
        assert (job["status"], row["status"]) == ("done", "failed")
        assert f"v{PIPELINE_VERSION}:cl100k_base:128:32" in row["reason"]
        assert "256:32" in row["reason"]
        assert services.store.ids_for(row["doc_id"]) == set()
        assert services.ledger.get(row["doc_id"]) is None
    finally:
        services.close()


def test_a_worker_killed_mid_file_is_replaced_by_the_other(cluster: Cluster) -> None:
    with cluster.api() as client:
        job_id = _submit(client, [BALENO])
        row: dict[str, Any] = {}

        def running() -> bool:
            row.update(client.get(f"/v1/jobs/{job_id}").json()["report"]["per_file"][0])
            return row["status"] == "running"

        assert wait_until(running, seconds=120, every=0.1)
        victim = next(w for w in WORKERS if cluster.worker_name(w) == row["worker"])
        assert running(), "the file finished before the worker could be killed"
        cluster.procs.signal(victim, signal.SIGKILL)
        job = _finished(client, job_id)
    cluster.start_worker(victim)  # back to two workers for the next tests
    survivor = cluster.worker_name(next(w for w in WORKERS if w != victim))
    done = job["report"]["per_file"][0]
    assert (job["status"], done["status"], done["worker"]) == ("done", "done", survivor)
    assert done["attempts"] == 2
    services = Services(cluster.settings)
    try:
        record = services.ledger.get(done["doc_id"])
        assert record is not None and record.status == "ok"
        held = sorted(services.store.ids_for(done["doc_id"]), key=lambda i: int(i.split(":")[1]))
        assert held == record.chunk_ids == [f"{done['doc_id']}:{i}" for i in range(len(held))]
        assert done["chunks"] == len(held) > 0
    finally:
        services.close()


def test_a_job_survives_an_api_restart(cluster: Cluster) -> None:
    with cluster.api() as first:
        job_id = _submit(first, [VENUE])

        def started() -> bool:
            return bool(first.get(f"/v1/jobs/{job_id}").json()["status"] == "running")

        assert wait_until(started, seconds=120, every=0.2)
    with cluster.api() as second:  # a new instance: what it knows comes from the database
        seen = second.get(f"/v1/jobs/{job_id}").json()
        assert seen["status"] in ("running", "done"), seen
        assert seen["paths"] == [_name(VENUE)]
        job = _finished(second, job_id)
    assert job["status"] == "done" and job["errors"] == []
    assert job["progress"]["chunks_embedded"] > 0


def test_workers_reconnect_after_a_redis_restart_and_lose_no_task(cluster: Cluster) -> None:
    files = [CRETA, *sorted(TOYOTA.glob("*.pdf"))[:4]]
    with cluster.api() as client:
        job_id = _submit(client, files)
        stopped_at = time.time()
        cluster.procs.stop("redis")  # SIGTERM: Redis writes its append-only file and exits
        start_redis(cluster.procs, cluster.redis_port)
        job = _finished(client, job_id)
    assert job["status"] == "done", job
    rows = job["report"]["per_file"]
    # A worker holds one task at a time (prefetch 1, acknowledged when done): the files each
    # took before the stop aside, the rest were fetched from the restarted Redis.
    assert sum(1 for r in rows if r["started_at"] > stopped_at) >= len(files) - len(WORKERS)
    assert sorted(r["path"] for r in rows) == sorted(_name(p) for p in files)
    assert {r["status"] for r in rows} == {"done"}, rows
    assert job["progress"]["files_done"] == len(files)


def test_an_upload_reaches_a_worker_through_the_database(cluster: Cluster) -> None:
    """The workers never read the API's disk: with the workers stopped, a file is uploaded
    and then removed from the uploads folder (as on another machine); the workers started
    afterwards ingest it from the bytes in the jobs database, which are deleted once done."""
    for name in WORKERS:
        cluster.procs.stop(name)
    body = (SAMPLES / "lumen_e2.txt").read_bytes().replace(b"Lumen E2", b"Lumen Q9")
    with cluster.api() as client:
        answer = client.post("/v1/documents", files=[("files", ("lumen_q9.txt", body))])
        assert answer.status_code == 202, answer.text
        assert answer.json()["files"][0]["path"] == "lumen_q9.txt"  # the name, not the path
        placed = cluster.settings.data_dir / "uploads" / "lumen_q9.txt"
        placed.unlink()
        for name in WORKERS:
            cluster.start_worker(name)
        job = _finished(client, answer.json()["job"]["id"])
    assert job["status"] == "done" and job["errors"] == [], job
    row = job["report"]["per_file"][0]
    assert (row["status"], row["path"]) == ("done", "lumen_q9.txt")
    assert placed.read_bytes() == body
    services = Services(cluster.settings)
    queue = QueueStore(services.jobs_location)
    try:
        assert queue.upload(job["id"], str(placed)) is None
        texts = _chunks(services, {row["doc_id"]})
        assert len(texts) == row["chunks"] > 0
        assert any("Lumen Q9" in text for text in texts.values())
    finally:
        queue.close()
        services.close()


def test_trimmed_jobs_take_their_files_and_uploads_with_them(tmp_path: Path) -> None:
    """The queue's rows follow the jobs table's trimming (the last 5,000 jobs are kept)."""
    from api.jobs import Job, JobStore
    from api.queue.store import NewFile

    location = tmp_path / "jobs.sqlite3"
    jobs, queue = JobStore(location), QueueStore(location)
    try:
        for n in range(3):
            jobs.save(Job(id=f"job{n}", kind="upload", paths=["/u/a.txt"], created_at=n).as_json())
            queue.add(f"job{n}", [NewFile("/u/a.txt", "d1", body=b"bytes", sha256="x")])
        jobs.trim(2)
        queue.forget_trimmed()
        assert [len(queue.files([f"job{n}"])[f"job{n}"]) for n in range(3)] == [0, 1, 1]
        assert queue.upload("job0", "/u/a.txt") is None
        assert queue.upload("job2", "/u/a.txt") == ("x", b"bytes")
    finally:
        jobs.close()
        queue.close()
