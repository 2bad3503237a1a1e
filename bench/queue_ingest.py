"""Ingest through the queue: the corpus through 1, then 2 `specrag worker`s on this machine.

    python -m bench.queue_ingest --corpus ../shared/corpus [--workers 1 2] [--out BENCHMARKS.md]
    python -m bench.queue_ingest --corpus ../shared/corpus --chroma-ceiling   # writes alone

Each run is cold: a new redis-server, `chroma run` and data dir (the stores on SQLite files in
it), N workers whose processes have loaded the model; then one job over the corpus, timed
from its creation to its last file. CPU is every process of the workers' groups and the
Chroma server, from /proc (psutil), over the job.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from api.jobs import JobStore
from api.queue.jobs import QueueJobs
from api.services import Services
from api.settings import Settings
from bench.cluster import Processes, free_port, start_chroma, start_redis, start_worker
from bench.ingest import machine, write_section

SECTION = "## Ingest through the queue"
READY = "ready: embedding model"


def _cpu(procs: Processes, names: list[str]) -> float:
    """User + system CPU seconds of every process in these groups, children included."""
    total = 0.0
    for name in names:
        pid = procs.pid(name)
        if pid is None:
            continue
        try:
            root = psutil.Process(pid)
            for process in [root, *root.children(recursive=True)]:
                times = process.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def run(corpus: Path, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="specrag-queue-bench-") as folder:
        root = Path(folder)
        procs = Processes(root)
        try:
            queue = start_redis(procs, free_port())
            chroma = start_chroma(procs, free_port())
            env = {
                "SPECRAG_DATA_DIR": str(root / "data"),
                "SPECRAG_QUEUE_URL": queue,
                "SPECRAG_CHROMA_URL": chroma,
                "SPECRAG_ROOTS": json.dumps([str(corpus)]),
            }
            names = [f"worker{n}" for n in range(1, workers + 1)]
            for name in names:
                start_worker(procs, name, env)
            deadline = time.monotonic() + 600
            while not all(READY in procs.log(n).read_text(errors="replace") for n in names):
                if time.monotonic() > deadline:
                    raise RuntimeError("workers did not load their model in 10 minutes")
                time.sleep(0.5)
            settings = Settings(
                data_dir=root / "data", queue_url=queue, chroma_url=chroma, roots=[corpus]
            )
            services = Services(settings)
            jobs = QueueJobs.open(services, JobStore(services.jobs_location))
            cpu_before = _cpu(procs, [*names, "chroma"])
            job = jobs.submit([corpus], kind="ingest")
            while (found := jobs.get(job["id"])) is not None and found["status"] not in (
                "done",
                "failed",
            ):
                time.sleep(0.5)
            cpu = _cpu(procs, [*names, "chroma"]) - cpu_before
            jobs.stop()
            jobs.jobs.close()
            services.close()
        finally:
            for name in procs.names():
                procs.stop(name)
    assert found is not None
    seconds = float(found["finished_at"]) - float(found["created_at"])
    chunks = int(found["progress"]["chunks_embedded"])
    files = found["report"]["files"]
    by_worker: dict[str, int] = {}
    for row in found["report"]["per_file"]:
        by_worker[row["worker"]] = by_worker.get(row["worker"], 0) + row["chunks"]
    return {
        "workers": workers,
        "seconds": seconds,
        "chunks": chunks,
        "files": files,
        "cpu": cpu,
        "by_worker": by_worker,
    }


def chroma_ceiling(chunks: int = 8192, batch: int = 256) -> str:
    """Writes alone: `chunks` chunks (384-d vectors, 1 KB texts, the pipeline's metadata
    keys) upserted into a cold `chroma run` in batches of `batch`, as workers write them."""
    import numpy as np

    from ingest.store import ChromaStore

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="specrag-chroma-bench-") as folder:
        procs = Processes(Path(folder))
        try:
            url = start_chroma(procs, free_port())
            store = ChromaStore(collection="ceiling", model_name="all-MiniLM-L6-v2", url=url)
            before = _cpu(procs, ["chroma"])
            began = time.perf_counter()
            for start in range(0, chunks, batch):
                ids = [f"d{n // 20}:{n % 20}" for n in range(start, start + batch)]
                store.upsert(
                    ids=ids,
                    embeddings=rng.standard_normal((batch, 384)).astype(np.float32),
                    documents=[f"chunk {i} " + "spec text " * 100 for i in ids],
                    metadatas=[
                        {
                            "doc_id": i.split(":")[0],
                            "chunk_index": int(i.split(":")[1]),
                            "source": f"/srv/specs/{i.split(':')[0]}.pdf",
                            "tokens": 256,
                        }
                        for i in ids
                    ],
                )
            seconds = time.perf_counter() - began
            cpu = _cpu(procs, ["chroma"]) - before
        finally:
            for name in procs.names():
                procs.stop(name)
    return (
        f"Chroma server write ceiling: {chunks} chunks in batches of {batch}: {seconds:.1f} s, "
        f"{chunks / seconds:.0f} chunks/s from one client; server CPU {cpu:.1f} s "
        f"({cpu / chunks * 1000:.2f} ms/chunk)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument(
        "--chroma-ceiling", action="store_true", help="only measure Chroma server writes; print"
    )
    args = parser.parse_args()
    if args.chroma_ceiling:
        sys.stdout.write(chroma_ceiling() + "\n")
        return
    corpus = args.corpus.resolve()
    load = psutil.getloadavg()
    results = [run(corpus, n) for n in args.workers]
    cores = psutil.cpu_count() or 1
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average "
        f"{load[0]:.1f} when it began (the machine is shared: compare CPU per chunk, not "
        "only the wall time).",
        f"Command: `python -m bench.queue_ingest --corpus {args.corpus} --out {args.out}`; "
        "default settings (all-MiniLM-L6-v2 on openvino, latency hint per worker), a cold "
        "redis-server, `chroma run` and SQLite data dir per run.",
        "",
        "| workers | files done / skipped / failed | chunks | wall s | chunks/s | CPU s (workers + "
        "Chroma) | CPU ms/chunk | CPU bound, chunks/s on these cores | chunks by worker |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        f = r["files"]
        per_chunk = r["cpu"] / max(1, r["chunks"])
        bound = cores / per_chunk if per_chunk else 0.0
        spread = ", ".join(str(n) for _, n in sorted(r["by_worker"].items()))
        lines.append(
            f"| {r['workers']} | {f['done']} / {f['skipped']} / {f['failed']} | {r['chunks']} | "
            f"{r['seconds']:.1f} | {r['chunks'] / r['seconds']:.1f} | {r['cpu']:.1f} | "
            f"{per_chunk * 1000:.1f} | {bound:.1f} | {spread} |"
        )
    write_section(args.out, SECTION, "\n".join(lines))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
