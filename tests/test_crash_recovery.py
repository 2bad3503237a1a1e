"""An ingest killed with SIGKILL at a random instant, then run again, builds the same index as a
clean run: the same chunk ids, texts and metadata in Chroma, the same ledger, the same lexical
index (its chunk ids and its BM25 answers).

`make test` kills 2 runs; `make reliability` (SPECRAG_RELIABILITY=1) kills 20. The instants are
drawn uniformly over an uninterrupted run of the CLI (every other run over its writing phase
only), so they land in model loading, mid-batch, mid-upsert, mid-ledger-write and in the
lexical rebuild alike; a run that happened to finish first is counted as such.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.services import Services
from retrieval.lexical import LexicalReader
from tests.reliability import long_or_short, record

pytestmark = pytest.mark.slow

RUNS = int(os.environ.get("SPECRAG_CRASH_RUNS", long_or_short(20, 2)))
FILES = (
    "itversity-toyota-specs/Toyota_Camry_Specifications.pdf",
    "itversity-toyota-specs/Toyota_Corolla_Specifications.pdf",
    "clutch-sidecar-articles/tesla-model-3.md",
    "clutch-sidecar-articles/toyota-rav4.md",
    "clutch-sidecar-articles/hyundai-ioniq-5.md",
    "drivewise-metadata-rag/hyundai_creta.txt",
    "kei-docs-subaru-sambar/diagnostics.md",
    "rsshub-cn-auto-news/cn02_nissan_xtrail_2021.md",
)
QUERIES = ("Camry engine horsepower", "Model 3 range", "Creta boot space", "日产奇骏")


def _ingest_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "api.cli", "ingest", "--json", str(folder)]


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Small batches, written to Chroma one at a time: many commits to kill the run between.
    env.update(
        SPECRAG_DATA_DIR=str(data_dir),
        SPECRAG_EMBED_BATCH_SIZE="8",
        SPECRAG_STORE_BATCH="8",
        SPECRAG_WORKERS="1",
    )
    return env


def _ledger_rows(data_dir: Path) -> int:
    path = data_dir / "specrag.ledger.sqlite3"
    if not path.exists():
        return 0
    # Read-only, as the killed run may have left it anywhere (even before its first table).
    engine = sa.create_engine(
        f"sqlite:///file:{path}?mode=ro&uri=true", connect_args={"timeout": 0.2}
    )
    try:
        with engine.connect() as db:
            return int(db.exec_driver_sql("SELECT COUNT(*) FROM documents").scalar_one())
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


Snapshot = dict[str, Any]


def _snapshot(services: Services) -> Snapshot:
    chunks = {
        chunk_id: (text, {k: v for k, v in metadata.items() if k != "ingested_at"})
        for chunk_id, text, metadata in services.store.iter_chunks()
    }
    ledger = sorted(
        (r.doc_id, r.source, r.sha256, r.status, tuple(r.chunk_ids), r.error)
        for r in services.ledger.all()
    )
    reader = LexicalReader(services.lexical_dir)
    lexical = {
        "count": reader.count,
        "answers": {q: [(i, round(s, 4)) for i, s in reader.search(q, k=10)] for q in QUERIES},
    }
    registry = services.cars
    facts = sorted(
        (
            car.id,
            f.attribute,
            f.variant or "",
            f.value,
            f.citation.doc_id,
            f.citation.chunk_id or "",
        )
        for car in registry.cars()
        for f in registry.facts_of(car.id)
    )
    return {"chunks": chunks, "ledger": ledger, "lexical": lexical, "facts": facts}


def _differences(got: Snapshot, expected: Snapshot) -> list[str]:
    found = []
    missing = expected["chunks"].keys() - got["chunks"].keys()
    extra = got["chunks"].keys() - expected["chunks"].keys()
    if missing or extra:
        found.append(f"chunk ids: {len(missing)} missing, {len(extra)} extra")
    changed = [
        i
        for i in expected["chunks"].keys() & got["chunks"].keys()
        if expected["chunks"][i] != got["chunks"][i]
    ]
    if changed:
        found.append(f"{len(changed)} chunks differ in text or metadata, e.g. {changed[0]}")
    if got["ledger"] != expected["ledger"]:
        found.append("ledger differs")
    if got["facts"] != expected["facts"]:
        found.append(f"spec facts differ: {len(got['facts'])} vs {len(expected['facts'])}")
    if got["lexical"] != expected["lexical"]:
        counts = got["lexical"]["count"], expected["lexical"]["count"]
        found.append("lexical index differs: {} vs {} chunks".format(*counts))
    return found


@pytest.fixture
def folder(tmp_path: Path, corpus: Path) -> Path:
    target = tmp_path / "docs"
    target.mkdir()
    for name in FILES:
        shutil.copy(corpus / name, target / Path(name).name)
    return target


def _state_at_kill(data_dir: Path) -> str:
    if not data_dir.exists():
        return "nothing written"
    dirty = (data_dir / "specrag.lock").with_suffix(".dirty").exists()
    rows = _ledger_rows(data_dir)
    return f"{rows}/{len(FILES)} files committed" + (", lexical index dirty" if dirty else "")


def test_sigkill_at_random_instants_then_rerun_equals_clean_run(
    folder: Path, tmp_path: Path, make_settings: Any, embedder: Any
) -> None:
    # One uninterrupted run of the CLI: the clean index every killed run must converge to,
    # how long the run lasts, and when it first touches the data dir.
    data_dir = tmp_path / "uninterrupted"
    started = time.monotonic()
    process = subprocess.Popen(
        _ingest_command(folder), env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    while not data_dir.exists() and process.poll() is None:
        time.sleep(0.01)
    opened = time.monotonic() - started
    while _ledger_rows(data_dir) == 0 and process.poll() is None:
        time.sleep(0.02)
    first_commit = time.monotonic() - started
    _, stderr = process.communicate(timeout=600)
    duration = time.monotonic() - started
    assert process.returncode == 0, stderr[-2000:]
    uninterrupted = Services(make_settings(data_dir=data_dir), embedder=embedder)
    expected = _snapshot(uninterrupted)
    uninterrupted.close()
    assert len(expected["chunks"]) > 40 and expected["lexical"]["count"] == len(expected["chunks"])
    assert len(expected["ledger"]) == len(FILES)
    assert len(expected["facts"]) > 20  # the spec facts converge too, so there must be some

    rng = random.Random(20261126)
    runs = []
    for attempt in range(RUNS):
        data_dir = tmp_path / f"killed{attempt}"
        # Even runs: anywhere in the run. Odd runs: in its writing phase (the second before
        # the first file is committed, to the end), where a kill can do the most harm.
        instant = rng.uniform(opened if attempt % 2 == 0 else first_commit - 1.0, duration)
        process = subprocess.Popen(
            _ingest_command(folder),
            env=_env(data_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(instant)
        killed = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = _state_at_kill(data_dir)

        rerun_started = time.monotonic()
        recovered = Services(make_settings(data_dir=data_dir), embedder=embedder)
        report = recovered.pipeline.run([folder])
        differences = _differences(_snapshot(recovered), expected)
        recovered.close()
        runs.append(
            {
                "run": attempt + 1,
                "kill_at_s": round(instant, 2),
                "killed_mid_run": killed,
                "state_at_kill": state,
                "rerun_files": {
                    "ok": report.ok,
                    "skipped": report.skipped,
                    "failed": report.failed,
                },
                "rerun_seconds": round(time.monotonic() - rerun_started, 1),
                "converged": not differences,
                "differences": differences,
            }
        )
        assert report.failed == 0, report.errors

    record(
        "crash_recovery",
        {
            "runs": runs,
            "files": len(FILES),
            "chunks": len(expected["chunks"]),
            "uninterrupted_seconds": round(duration, 1),
            "data_dir_opened_at_s": round(opened, 2),
            "first_commit_at_s": round(first_commit, 2),
        },
    )
    failures = [r for r in runs if not r["converged"]]
    assert not failures, failures
    # Most kills must land mid-run, or the test proves little.
    assert sum(r["killed_mid_run"] for r in runs) >= max(1, RUNS * 3 // 4), runs


def test_parse_workers_exit_when_the_ingest_is_killed(folder: Path, tmp_path: Path) -> None:
    """SIGKILL gives the pool no chance to stop its workers: they must notice on their own."""
    import psutil

    env = dict(_env(tmp_path / "index"), SPECRAG_WORKERS="2")
    process = subprocess.Popen(
        _ingest_command(folder), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    workers: list[psutil.Process] = []
    deadline = time.monotonic() + 120
    while not workers and process.poll() is None and time.monotonic() < deadline:
        try:
            workers = [
                child
                for child in psutil.Process(process.pid).children(recursive=True)
                if "spawn_main" in " ".join(child.cmdline())
            ]
        except psutil.Error:
            pass
        time.sleep(0.05)
    assert workers, "the ingest ended before its parse workers could be seen"
    process.send_signal(signal.SIGKILL)
    process.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"{len(alive)} parse worker(s) outlived the killed ingest"


def test_server_killed_mid_upload_leaves_nothing_searchable_after_restart(
    tmp_path: Path, corpus: Path, make_settings: Any, embedder: Any
) -> None:
    """Issue 13: SIGKILL of the server mid-upload left chunks of the half-written document
    that search returned, `/v1/documents` did not list and `DELETE` answered 404. After a
    restart they are gone, and the job says it was interrupted before committing anything."""
    import httpx
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.serving import wait_until

    data_dir = tmp_path / "served"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            env={**_env(data_dir), "SPECRAG_WORKERS": "0"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def ready() -> bool:
            assert server.poll() is None, log.read_text()[-2000:]
            try:
                return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_until(ready, seconds=120), "the server did not become ready"
        name = "diagnostics.md"
        content = (corpus / "kei-docs-subaru-sambar" / name).read_bytes()
        accepted = httpx.post(f"{base}/v1/documents", files={"files": (name, content)}).json()
        job_id, doc_id = accepted["job"]["id"], accepted["files"][0]["doc_id"]

        def written() -> bool:  # a store batch is in Chroma, the document not yet committed
            job = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=5).json()
            assert job["status"] in ("queued", "running"), f"finished before the kill: {job}"
            return int(job["progress"]["chunks_embedded"]) >= 16

        assert wait_until(written, seconds=120, every=0.02)
        server.send_signal(signal.SIGKILL)
        server.wait()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    services = Services(make_settings(data_dir=data_dir), embedder=embedder)
    try:
        half_written = services.store.ids_for(doc_id)
        assert len(half_written) >= 8 and services.ledger.get(doc_id) is None  # the hazard
        with TestClient(create_app(services.settings, services=services)) as client:
            query = {"query": "Sambar diagnostic trouble codes", "k": 10}
            hits = client.post("/v1/query", json={**query, "filters": {"doc_id": doc_id}})
            assert hits.status_code == 200 and hits.json()["results"] == [], hits.text
            anywhere = client.post("/v1/query", json=query).json()["results"]
            assert all(r["citation"]["doc_id"] != doc_id for r in anywhere)
            assert client.get("/v1/documents").json()["total"] == 0
            job = client.get(f"/v1/jobs/{job_id}").json()
            assert job["status"] == "failed" and job["report"]["committed"] == []
        assert not services.store.ids_for(doc_id)
    finally:
        services.close()
    record(
        "integrity_upload_kill",
        {"held": True, "half-written chunks at the kill": len(half_written), "after restart": 0},
    )
