"""Encoder backends side by side: chunk throughput, query latency, closeness to fp32, recall.

    python -m bench.encoder --corpus ../shared/corpus [--out BENCHMARKS.md] [--recall]

Each backend is measured in a fresh process of its own, as it runs in production: several
runtimes in one process would compete with each other's thread pools for the two cores.
Throughput: the same corpus chunk texts (default 500, a fixed random sample of the chunks
specrag makes with its default settings, header included as embedded) through
`Embedder.embed_documents` at the configured batch size, timed `--repeats` times; the best
run counts, as the one least disturbed by other load. CPU seconds per chunk (the process,
all threads) are shown beside it because they move less with other load. Query latency:
`Embedder.embed_query` on each dev question in turn, after a warm-up, p50/p95. Closeness:
cosine of each chunk's vector to the torch fp32 vector, worst and mean.

`--recall` also builds one index per backend (the real ingest pipeline, in a temporary data
dir) and evaluates vector and hybrid recall@5 and MRR on the dev questions with
`retrieval.evaluate`; this takes a whole cold ingest per backend.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from api.runtime import configure_environment
from api.services import Services
from api.settings import Settings
from bench.ingest import machine, write_section
from bench.query import load_note
from ingest.chunk import chunk_document
from ingest.discover import discover
from ingest.embedding import Embedder
from ingest.embedding.model import BACKENDS, Backend
from ingest.encodings import get_encoding
from ingest.errors import IngestError
from ingest.parse import parse_file
from retrieval.evaluate import evaluate, load_questions

SECTION = "## Encoder backends"
REPO = Path(__file__).resolve().parents[1]
DEV_QA = REPO.parent / "shared" / "eval" / "dev-qa.jsonl"


def chunk_texts(corpus: Path, settings: Settings, sample: int) -> tuple[list[str], int]:
    """A fixed random sample of the corpus's chunk texts as embedded, and the chunk total."""
    encoding = get_encoding(settings.encoding)
    fits = Embedder(settings.embed_model).window_check()
    texts: list[str] = []
    for source in discover([corpus], roots=[], max_file_bytes=settings.max_file_bytes).files:
        try:
            doc = parse_file(Path(source.path))
        except IngestError:
            continue
        chunks = chunk_document(
            doc,
            max_tokens=settings.chunk_tokens,
            overlap=settings.chunk_overlap,
            encoding=encoding,
            fits=fits,
        )
        texts += [c.embed_text for c in chunks]
    total = len(texts)
    random.Random(0).shuffle(texts)
    return texts[:sample], total


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def throughput(embedder: Embedder, texts: list[str], repeats: int) -> dict[str, float]:
    """Best-of-`repeats` chunks/s, and CPU ms per chunk in that run."""
    best: dict[str, float] = {}
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), cpu_seconds()
        embedder.embed_documents(texts)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        if not best or len(texts) / wall > best["chunks_s"]:
            best = {"chunks_s": len(texts) / wall, "cpu_ms_chunk": 1000 * cpu / len(texts)}
    return best


def query_latency(embedder: Embedder, queries: list[str], calls: int) -> dict[str, float]:
    for query in queries[:5]:
        embedder.embed_query(query)
    timings = []
    for i in range(calls):
        started = time.perf_counter()
        embedder.embed_query(queries[i % len(queries)])
        timings.append(1000 * (time.perf_counter() - started))
    cuts = statistics.quantiles(timings, n=20)
    return {"p50_ms": statistics.median(timings), "p95_ms": cuts[18]}


def recall(backend: Backend, corpus: Path, qa: Path) -> dict[str, Any]:
    """Cold-ingest the corpus with `backend` into a temporary index; evaluate on `qa`."""
    with tempfile.TemporaryDirectory(prefix=f"specrag-enc-{backend}-") as tmp:
        services = Services(Settings(data_dir=Path(tmp), embed_backend=backend))
        started = time.perf_counter()
        report = services.pipeline.run([corpus])
        seconds = time.perf_counter() - started
        chunks = report.as_json()["chunks"]["embedded"]
        scores = evaluate(services.searcher, load_questions(qa), modes=("vector", "hybrid"))
        services.close()
    return {
        "ingest_chunks_s": chunks / seconds,
        **{
            f"{mode}_{key}": scores[mode][key]
            for mode in ("vector", "hybrid")
            for key in ("recall@5", "mrr")
        },
    }


def table(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]) -> list[str]:
    lines = [
        "| " + " | ".join(title for _, title, _ in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for row in rows:
        cells = [
            ("—" if row.get(key) is None else format(row[key], spec)) for key, _, spec in columns
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def measure(backend: Backend, work: Path, args: argparse.Namespace) -> None:
    """One backend, in this (fresh) process: writes `work/BACKEND.json` and `.npy`."""
    configure_environment(backend)  # as the server and the CLI run it
    settings = Settings()
    texts = json.loads((work / "texts.json").read_text())
    queries = [q.question for q in load_questions(args.qa)]
    embedder = Embedder(settings.embed_model, batch_size=settings.embed_batch_size, backend=backend)
    started = time.perf_counter()
    embedder.embed_documents(texts[:8])  # load and warm up outside the timing
    row: dict[str, Any] = {
        "backend": backend,
        "identity": embedder.name,
        "batch": embedder.batch_size,
        "load_s": time.perf_counter() - started,
        **throughput(embedder, texts, args.repeats),
        **query_latency(embedder, queries, args.queries),
    }
    np.save(work / f"{backend}.npy", embedder.embed_documents(texts))
    if args.recall:
        row.update(recall(backend, args.corpus.resolve(), args.qa))
    (work / f"{backend}.json").write_text(json.dumps(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--qa", type=Path, default=DEV_QA)
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--recall", action="store_true", help="also ingest + evaluate per backend")
    parser.add_argument("--measure", choices=BACKENDS, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.measure:
        measure(args.measure, args.work, args)
        return
    corpus = args.corpus.resolve()
    backends: list[Backend] = [b for b in BACKENDS if b in args.backends.split(",")]
    if "torch" not in backends:
        backends.insert(0, "torch")  # the reference for ratios and cosines

    load_before = os.getloadavg()[0]
    settings = Settings()
    texts, total = chunk_texts(corpus, settings, args.chunks)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="specrag-bench-encoder-") as tmp:
        work = Path(tmp)
        (work / "texts.json").write_text(json.dumps(texts))
        command = [sys.executable, "-m", "bench.encoder", "--corpus", str(corpus)]
        command += ["--qa", str(args.qa), "--repeats", str(args.repeats)]
        command += ["--queries", str(args.queries), "--work", tmp]
        command += ["--recall"] if args.recall else []
        for backend in backends:
            subprocess.run([*command, "--measure", backend], check=True)
            rows.append(json.loads((work / f"{backend}.json").read_text()))
            print(rows[-1], flush=True)
        reference = np.load(work / "torch.npy")
        for row in rows:
            cosines = (np.load(work / f"{row['backend']}.npy") * reference).sum(axis=1)
            row.update(cos_min=float(cosines.min()), cos_mean=float(cosines.mean()))
            row["ratio"] = row["chunks_s"] / rows[0]["chunks_s"]

    columns = [
        ("backend", "backend", "s"),
        ("identity", "`Embedder.name`", "s"),
        ("chunks_s", "chunks/s (best)", ".1f"),
        ("ratio", "× torch", ".2f"),
        ("cpu_ms_chunk", "CPU ms/chunk", ".0f"),
        ("p50_ms", "query p50 ms", ".1f"),
        ("p95_ms", "query p95 ms", ".1f"),
        ("cos_min", "cosine to fp32, worst", ".4f"),
        ("cos_mean", "mean", ".4f"),
        ("load_s", "load s", ".1f"),
    ]
    if args.recall:
        columns += [
            ("ingest_chunks_s", "cold ingest chunks/s", ".1f"),
            ("vector_recall@5", "vector r@5", ".3f"),
            ("vector_mrr", "vector MRR", ".3f"),
            ("hybrid_recall@5", "hybrid r@5", ".3f"),
            ("hybrid_mrr", "hybrid MRR", ".3f"),
        ]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        SECTION,
        "",
        f"Measured {stamp} on {machine()}; {load_note(load_before)}.",
        f"Command: `python -m bench.encoder --corpus {args.corpus}"
        + (" --recall" if args.recall else "")
        + f"`. {len(texts)} chunk texts sampled from the {total} the corpus gives with the "
        f"default settings; batch {rows[0]['batch']}; each backend in a fresh process, best of "
        f"{args.repeats} timed runs. Query latency: `embed_query` alone, {args.queries} calls over "
        "the dev questions. All backends run the same all-MiniLM-L6-v2 weights; the graphs come "
        "from `python -m ingest.embedding.export` (run by `make install`).",
        "",
        *table(rows, columns),
        "",
        "On a shared 2-core machine the wall-clock numbers move with other load by ±30% or "
        "more between runs; the ratios within one run are the comparable figures.",
    ]
    if args.recall:
        body += [
            "",
            f"Recall: one cold ingest of the corpus per backend, {args.qa.name}, "
            "`retrieval.evaluate` (a hit is a gold-document chunk containing the evidence).",
        ]
    text = "\n".join(body) + "\n"
    print(text)
    write_section(args.out, SECTION, text)


if __name__ == "__main__":
    main()
