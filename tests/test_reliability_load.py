"""Load: concurrent queries over HTTP against uvicorn on loopback while an ingest and a delete
run. `make test` runs 10 s with 16 clients; `make reliability` 60 s (either goes on until
the writes are over, should they take longer).

Consistency, defined: every result must come from a document that existed at some instant
between the query's send and its answer. Concretely, with S0 the documents before the load,
A those the ingest adds and D the one deleted:
- a result's document is in S0 ∪ A (nothing that never existed), and its chunk id is
  `{doc_id}:{index}` with the citation's doc id and index (no mixed-up rows);
- a document of A appears only in answers received after the ingest was submitted;
- D appears only in queries sent before its DELETE returned;
- a query sent after both writes finished returns only chunks of the final index.
Errors: any non-200 answer or transport error. Memory: the server's RSS, sampled every 0.25 s;
"flat" means the end is within `RSS_GROWTH_MB` of the warmed-up start (the ingest's model
buffers and new index stay) and within `RSS_DRIFT_MB` of the RSS once the writes are over.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from api.services import Services
from tests.reliability import long_or_short, record
from tests.samples import Samples
from tests.serving import wait_until

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("SPECRAG_LOAD_SECONDS", long_or_short(60, 10)))
CLIENTS = 16
RSS_GROWTH_MB = 250  # end over warmed-up start: an ingest's buffers, not a leak
RSS_DRIFT_MB = 60  # end over the RSS 2 s after the writes: queries alone must not grow it
INCOMING = (
    "clutch-sidecar-articles/tesla-model-3.md",
    "clutch-sidecar-articles/toyota-rav4.md",
    "drivewise-metadata-rag/hyundai_creta.txt",
)
QUERIES = (
    "Aurora X5 hybrid electric range",
    "boot space",
    "Lumen E2 battery capacity",
    "Meridian S fuel consumption",
    "Tesla Model 3 range",
    "RAV4 towing capacity",
    "Creta engine power",
    "极光X5 纯电续航",
    "turning circle",
    "warranty",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(process: psutil.Process) -> float:
    try:
        return process.memory_info().rss / 2**20
    except psutil.Error:
        return 0.0


def test_concurrent_queries_during_ingest_and_delete(
    tmp_path: Path, corpus: Path, make_settings: Any, embedder: Any, samples: Samples
) -> None:
    root = tmp_path / "root"
    incoming = root / "incoming"
    incoming.mkdir(parents=True)
    for name in INCOMING:
        shutil.copy(corpus / name, incoming / Path(name).name)
    data_dir = samples.copy(tmp_path / "index")  # data/samples, indexed: S0
    services = Services(make_settings(data_dir=data_dir), embedder=embedder)
    before = {r.doc_id: r.source for r in services.ledger.all() if r.status == "ok"}
    services.close()
    victim = next(d for d, s in before.items() if s.endswith("lumen_e2.txt"))

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SPECRAG_DATA_DIR": str(data_dir),
        "SPECRAG_ROOTS": f'["{root}"]',
        "SPECRAG_WORKERS": "0",
    }
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 (closed in finally)
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _run_load(base, server, incoming, before, victim, tmp_path)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    def ready() -> bool:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    assert wait_until(ready, seconds=120), "the server did not become ready"


def _run_load(
    base: str,
    server: subprocess.Popen[bytes],
    incoming: Path,
    before: dict[str, str],
    victim: str,
    tmp_path: Path,
) -> None:
    _wait_ready(base, server, tmp_path / "server.log")
    process = psutil.Process(server.pid)
    with httpx.Client(base_url=base, timeout=30) as warm:
        for query in QUERIES:  # first calls load lazy parts; not part of the figures
            assert warm.post("/v1/query", json={"query": query, "k": 5}).status_code == 200
    rss_start = _rss_mb(process)
    load = _Load(base, process, rss_start)
    samples, answers, errors, events = load.samples, load.answers, load.errors, load.events
    stop = load.stop

    writing = threading.Thread(target=load.writer, args=(incoming, victim))
    threads = [threading.Thread(target=load.client, args=(n,)) for n in range(CLIENTS)]
    threads += [writing, threading.Thread(target=load.sample)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    if writing.is_alive():  # a slow machine: the load goes on until the writes are over,
        writing.join(timeout=300)
        time.sleep(3.0)  # and past them (the RSS 2 s after; queries of the final index)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    rss_end = _rss_mb(process)

    with httpx.Client(base_url=base, timeout=60) as http:
        final = {
            d["doc_id"]
            for d in http.get("/v1/documents", params={"limit": 1000}).json()["documents"]
        }
        final_chunks: set[str] = set()
        for doc_id in final:
            final_chunks |= set(http.get(f"/v1/documents/{doc_id}").json()["chunk_ids"])
    added = final - set(before)

    writes_done = max(events.get("delete_done", 1e18), events.get("ingest_done", 1e18))
    problems = _violations(answers, events, set(before), added, victim, final_chunks)

    latencies = sorted(a["received"] - a["sent"] for a in answers)
    settled = [rss for at, rss in samples if at >= writes_done + 2.0]
    after_writes = settled[0] if settled else rss_end

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    seen_added = sum(
        1 for a in answers if any(r["citation"]["doc_id"] in added for r in a["results"])
    )
    seen_victim_after = sum(
        1
        for a in answers
        if a["sent"] > events.get("delete_done", 1e18)
        and any(r["citation"]["doc_id"] == victim for r in a["results"])
    )
    figures = {
        "seconds": round(elapsed, 1),
        "clients": CLIENTS,
        "queries": len(answers),
        "errors": len(errors),
        "error_samples": errors[:5],
        "qps": round(len(answers) / elapsed, 1),
        "latency_ms": {
            "p50": pct(0.50),
            "p90": pct(0.90),
            "p99": pct(0.99),
            "max": round(1000 * latencies[-1], 1),
            "mean": round(1000 * statistics.fmean(latencies), 1),
        },
        "rss_mb": {
            "start": round(rss_start, 1),
            "peak": round(max(rss for _, rss in samples), 1),
            "after_writes": round(after_writes, 1),
            "end": round(rss_end, 1),
        },
        "ingest": {
            "sent_at_s": round(events.get("ingest_sent", started) - started, 1),
            "done_at_s": round(events.get("ingest_done", started) - started, 1),
            "status": events.get("ingest_status"),
            "documents_added": len(added),
            "answers_citing_them": seen_added,
        },
        "delete": {
            "sent_at_s": round(events.get("delete_sent", started) - started, 1),
            "done_at_s": round(events.get("delete_done", started) - started, 1),
            "answers_citing_it_after": seen_victim_after,
        },
        "consistency_violations": len(problems),
        "violation_samples": problems[:5],
    }
    record("load", figures)
    assert not errors, errors[:5]
    assert len(answers) >= CLIENTS, figures
    assert events.get("ingest_status") == "done", events
    assert len(added) == len(INCOMING) and victim not in final, (added, final)
    assert not problems, problems[:10]
    assert seen_added > 0, "no query saw the ingested documents: the test proves nothing"
    assert rss_end < rss_start + RSS_GROWTH_MB, figures["rss_mb"]
    assert rss_end < after_writes + RSS_DRIFT_MB, figures["rss_mb"]  # flat once writes stop


def _violations(
    answers: list[dict[str, Any]],
    events: dict[str, float],
    before: set[str],
    added: set[str],
    victim: str,
    final_chunks: set[str],
) -> list[str]:
    """What a query answered that the index never held at the time it was asked."""
    problems: list[str] = []
    writes_done = max(events.get("delete_done", 1e18), events.get("ingest_done", 1e18))
    for answer in answers:
        for result in answer["results"]:
            citation = result["citation"]
            doc_id = citation["doc_id"]
            if result["chunk_id"] != f"{doc_id}:{citation['chunk_index']}":
                problems.append(
                    f"chunk {result['chunk_id']} cited as {doc_id}:{citation['chunk_index']}"
                )
            if doc_id not in before and doc_id not in added:
                problems.append(f"{doc_id} never existed")
            if doc_id in added and answer["received"] < events["ingest_sent"]:
                problems.append(f"{doc_id} seen before its ingest was sent")
            if doc_id == victim and answer["sent"] > events["delete_done"]:
                problems.append(f"deleted {doc_id} returned by a query sent after the delete")
            if answer["sent"] > writes_done and result["chunk_id"] not in final_chunks:
                problems.append(f"stale chunk {result['chunk_id']} after both writes finished")
    return problems


class _Load:
    """The threads of the load run: query clients, one writer, an RSS sampler."""

    def __init__(self, base: str, process: psutil.Process, rss_start: float) -> None:
        self.base = base
        self.process = process
        self.samples: list[tuple[float, float]] = [(time.monotonic(), rss_start)]
        self.stop = threading.Event()
        self.answers: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.events: dict[str, float] = {}
        self.lock = threading.Lock()

    def sample(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.monotonic(), _rss_mb(self.process)))
            self.stop.wait(0.25)

    def client(self, number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=self.base, timeout=60) as http:
            while not self.stop.is_set():
                body = {
                    "query": rng.choice(QUERIES),
                    "k": rng.choice((3, 5, 10)),
                    "mode": rng.choice(("hybrid", "hybrid", "vector", "lexical")),
                }
                sent = time.monotonic()
                try:
                    response = http.post("/v1/query", json=body)
                except httpx.HTTPError as e:
                    with self.lock:
                        self.errors.append(f"{type(e).__name__}: {e}")
                    continue
                received = time.monotonic()
                if response.status_code != 200:
                    with self.lock:
                        self.errors.append(f"{response.status_code}: {response.text[:200]}")
                    continue
                results = response.json()["results"]
                with self.lock:
                    self.answers.append({"sent": sent, "received": received, "results": results})

    def writer(self, incoming: Path, victim: str) -> None:
        events = self.events
        with httpx.Client(base_url=self.base, timeout=120) as http:
            time.sleep(SECONDS * 0.2)
            events["ingest_sent"] = time.monotonic()
            accepted = http.post("/v1/ingest", json={"paths": [str(incoming)]})
            assert accepted.status_code == 202, accepted.text
            job_id = accepted.json()["job"]["id"]
            time.sleep(SECONDS * 0.2)
            events["delete_sent"] = time.monotonic()
            deleted = http.delete(f"/v1/documents/{victim}")
            events["delete_done"] = time.monotonic()
            assert deleted.status_code == 200, deleted.text
            while True:
                job = http.get(f"/v1/jobs/{job_id}").json()
                if job["status"] not in ("queued", "running"):
                    break
                time.sleep(0.1)
            events["ingest_done"] = time.monotonic()
            events["ingest_status"] = job["status"]  # type: ignore[assignment]
