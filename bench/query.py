"""Query benchmark: latency in-process and over HTTP, on the corpus and on a synthetic 100k index.

    python -m bench.query --corpus ../shared/corpus --out BENCHMARKS.md
    python -m bench.query --corpus ../shared/corpus --limit 5 --synthetic 5000 --out /tmp/b.md

The corpus is indexed by the real CLI in a fresh process (`specrag ingest`) into a temporary
data dir (or `--data-dir`). The queries are the dev questions, cycled.

- In-process: `services.searcher.search(q, k=5)` (the searcher the API serves, glossary
  included) in this process, after a warm-up, per mode; p50/p95 of the whole call, wall and
  CPU (the process's, so the encoder's own threads count; on a shared machine it is the fairer
  comparison), and the medians of its parts from the `retrieval.end` event.
- HTTP: `specrag serve` (uvicorn, one process) on 127.0.0.1 at a free port, then `--clients`
  threads, each with its own httpx client, sending `POST /v1/query` (hybrid, k=5) until
  `--requests` are sent or `--seconds` have passed. Client and server share the machine.
- Synthetic: `--synthetic` chunks (100,000 by default; 0 skips it) made from the corpus
  chunks: each text is the head of one real chunk joined to the tail of another, with every
  digit run replaced by random digits of the same length; each vector is the normalised mix
  of the two real chunks' vectors plus Gaussian noise. The vectors are NOT embeddings of the
  texts (embedding 100k texts would take hours on 2 cores): they exercise Chroma's HNSW at
  that size, not retrieval quality. The real chunks are included, the BM25 index is built by
  `LexicalIndex.rebuild`, and the same in-process and HTTP measurements are taken. With
  `--synthetic-dir` it is built there once and reused by later runs (minutes saved each).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import tenacity

from bench.ingest import machine, run_cli, write_section
from retrieval.evaluate import Question, load_questions

SECTION = "## Query latency"
REPO = Path(__file__).resolve().parents[1]
DEV_QA = REPO.parent / "shared" / "eval" / "dev-qa.jsonl"
CORPUS_EXTS = (".pdf", ".md", ".txt", ".csv", ".json")  # what `specrag ingest` reads
SYNTHETIC_DOC_CHUNKS = 40  # synthetic chunks per synthetic document
BUILT = "bench-synthetic.json"  # a kept synthetic index's build figures
READY_SECONDS = 300.0  # a busy 2-core machine can take minutes to load torch and the model


# -- shared with bench.llamaindex ------------------------------------------------------------


def offline_env() -> None:
    """What the Makefile exports, for runs outside it: no hub, no telemetry."""
    for key, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("ANONYMIZED_TELEMETRY", "False"),
        ("TOKENIZERS_PARALLELISM", "false"),
        ("TIKTOKEN_CACHE_DIR", str(Path(sys.prefix) / "share" / "tiktoken")),
    ):
        os.environ.setdefault(key, value)


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    if not samples_ms:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "mean": float("nan")}
    values = np.asarray(samples_ms, dtype=np.float64)
    return {
        "n": len(values),
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "mean": float(values.mean()),
    }


def corpus_subset(corpus: Path, limit: int, questions: Sequence[Question], dest: Path) -> Path:
    """Copy `limit` corpus files into `dest`, the dev questions' gold documents first.

    Paths stay corpus-relative, so gold documents still match by path suffix.
    """
    files = sorted(
        p.relative_to(corpus)
        for p in corpus.rglob("*")
        if p.is_file() and p.suffix.lower() in CORPUS_EXTS
    )
    gold = {t.doc for q in questions for t in q.targets}
    chosen = sorted(files, key=lambda p: (p.as_posix() not in gold, p.as_posix()))[:limit]
    for rel in chosen:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(corpus / rel, dest / rel)
    return dest


def answerable(questions: Sequence[Question], corpus: Path) -> list[Question]:
    """The questions with at least one gold document inside `corpus`."""
    return [q for q in questions if any((corpus / t.doc).is_file() for t in q.targets)]


def load_note(before: float) -> str:
    """The 1-minute load average before and after: on 2 cores, anything near 2 or more means
    another job shared the machine and the latencies are inflated."""
    return f"load average {before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"


def fmt_ms(stats: dict[str, float]) -> str:
    return f"{stats['p50']:.1f} / {stats['p95']:.1f} ms"


# -- in-process ------------------------------------------------------------------------------


def in_process(searcher: Any, queries: Sequence[str], *, n: int, mode: str, k: int = 5) -> dict:
    """p50/p95 of `searcher.search` over `n` queries, and the median of each timed part."""
    parts: dict[str, list[float]] = defaultdict(list)

    def record(event: str, data: Any) -> None:
        for key, value in data.items():
            if key.endswith("_ms") and key != "total_ms":
                parts[key].append(float(value))

    for query in queries[: min(10, len(queries))]:  # warm-up
        searcher.search(query, k=k, mode=mode)
    samples = []
    cpu = []
    for i in range(n):
        started, used = time.perf_counter(), time.process_time()
        searcher.search(queries[i % len(queries)], k=k, mode=mode, events=record)
        cpu.append((time.process_time() - used) * 1000)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        **percentiles(samples),
        "cpu": percentiles(cpu),
        "parts": {key: float(np.median(values)) for key, values in parts.items()},
    }


# -- HTTP ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(data_dir: Path, log_path: Path) -> Iterator[str]:
    """`specrag serve` on 127.0.0.1 at a free port, ready; stopped on exit."""
    import httpx

    port = free_port()
    env = dict(os.environ, SPECRAG_DATA_DIR=str(data_dir))
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        @tenacity.retry(
            stop=tenacity.stop_after_delay(READY_SECONDS),
            wait=tenacity.wait_fixed(0.5),
            retry=tenacity.retry_if_result(lambda ready: not ready),
            retry_error_callback=lambda _state: False,
        )
        def ready() -> bool:
            if server.poll() is not None:
                raise SystemExit(f"specrag serve exited early:\n{log_path.read_text()[-3000:]}")
            try:
                return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        if not ready():
            raise SystemExit(f"specrag serve not ready in {READY_SECONDS:.0f} s")
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@dataclass
class Load:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    empty: int = 0  # 200 answers without results: the index was not what we meant to query


def http_load(
    url: str,
    queries: Sequence[str],
    *,
    clients: int,
    requests: int,
    seconds: float,
    mode: str = "hybrid",
    k: int = 5,
) -> Load:
    """`clients` threads share a budget of `requests` requests, stopping at `seconds` anyway."""
    import httpx

    load = Load()
    lock = threading.Lock()
    counter = itertools.count()
    with httpx.Client(base_url=url, timeout=30) as client:  # warm-up, untimed
        for query in queries[:clients]:
            client.post("/v1/query", json={"query": query, "k": k, "mode": mode})

    def worker() -> None:
        local: list[float] = []
        errors: Counter[str] = Counter()
        empty = 0
        with httpx.Client(base_url=url, timeout=30) as client:
            while True:
                n = next(counter)
                if n >= requests or time.perf_counter() > deadline:
                    break
                body = {"query": queries[n % len(queries)], "k": k, "mode": mode}
                began = time.perf_counter()
                try:
                    response = client.post("/v1/query", json=body)
                except httpx.HTTPError as e:
                    errors[type(e).__name__] += 1
                    continue
                if response.status_code != 200:
                    errors[f"HTTP {response.status_code}"] += 1
                    continue
                local.append((time.perf_counter() - began) * 1000)
                empty += not response.json()["results"]
        with lock:
            load.latencies_ms += local
            load.errors.update(errors)
            load.empty += empty

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    deadline = started + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)  # each request has its own 30 s timeout
    load.seconds = time.perf_counter() - started
    return load


# -- synthetic index -------------------------------------------------------------------------


DIGITS = re.compile(r"\d+")


def vary_numbers(text: str, rng: random.Random) -> str:
    """Every digit run replaced by random digits of the same length (no new leading zero)."""

    def swap(match: re.Match[str]) -> str:
        run = match.group(0)
        leading = "123456789" if len(run) > 1 and run[0] != "0" else "0123456789"
        first = rng.choice(leading)
        return first + "".join(rng.choice("0123456789") for _ in run[1:])

    return DIGITS.sub(swap, text)


def splice(head: str, tail: str, rng: random.Random) -> str:
    """The first part of `head` and the last part of `tail`, cut at whitespace where possible."""
    cut_a = _cut(head, rng.uniform(0.4, 0.8))
    cut_b = _cut(tail, rng.uniform(0.4, 0.8))
    return head[:cut_a].rstrip() + "\n" + tail[cut_b:].lstrip()


def _cut(text: str, share: float) -> int:
    at = int(len(text) * share)
    space = text.find(" ", at)
    return space if 0 <= space < at + 40 else at


def real_chunks(store: Any) -> tuple[list[str], list[str], list[dict], np.ndarray]:
    """Every (id, text, metadata, vector) in the store, read page by page."""
    collection = store.collection()
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict] = []
    vectors: list[np.ndarray] = []
    offset = 0
    while True:
        page = collection.get(
            include=["documents", "metadatas", "embeddings"], limit=1000, offset=offset
        )
        if not page["ids"]:
            break
        ids += page["ids"]
        texts += [t or "" for t in page["documents"]]
        metas += [dict(m or {}) for m in page["metadatas"]]
        vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
        offset += len(page["ids"])
    return ids, texts, metas, np.concatenate(vectors)


def build_synthetic(source: Any, target: Any, total: int, *, seed: int = 0) -> dict[str, float]:
    """Fill `target` (a Services) with the real chunks of `source` plus synthetic ones."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    ids, texts, metas, vectors = real_chunks(source.store)
    real = len(ids)
    started = time.perf_counter()
    target.store.upsert(ids, vectors, texts, metas)
    batch = 2000
    for start in range(0, max(total - real, 0), batch):
        count = min(batch, total - real - start)
        a = [rng.randrange(real) for _ in range(count)]
        b = [rng.randrange(real) for _ in range(count)]
        mixed = 0.8 * vectors[a] + 0.2 * vectors[b]
        # noise of norm ~0.3 against unit vectors: cosine ~0.95 to the mix
        mixed += noise.normal(0.0, 0.3 / np.sqrt(vectors.shape[1]), mixed.shape).astype(np.float32)
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        new_ids, new_texts, new_metas = [], [], []
        for row in range(count):
            number = start + row
            doc = f"synthetic-{number // SYNTHETIC_DOC_CHUNKS:05d}"
            index = number % SYNTHETIC_DOC_CHUNKS
            text = vary_numbers(splice(texts[a[row]], texts[b[row]], rng), rng)
            meta = dict(metas[a[row]])
            meta.update(
                source=f"/synthetic/{doc}.md",
                doc_id=doc,
                chunk_index=index,
                header=vary_numbers(str(meta.get("header") or ""), rng),
            )
            new_ids.append(f"{doc}:{index}")
            new_texts.append(text)
            new_metas.append(meta)
        target.store.upsert(new_ids, mixed.astype(np.float32), new_texts, new_metas)
    upserted = time.perf_counter() - started
    began = time.perf_counter()
    target.rebuild_lexical()
    return {
        "real": real,
        "chunks": target.store.count(),
        "upsert_s": upserted,
        "lexical_s": time.perf_counter() - began,
    }


def synthetic_index(corpus: Path, source: Path, dest: Path, total: int) -> dict[str, Any]:
    """`build_synthetic` from the index in `source` into `dest`, in its own process (so Chroma
    has written everything before anyone reads it); what an earlier build left in `dest` (its
    figures in BUILT) is reused when it was asked for the same `total`."""
    record = dest / BUILT
    if record.is_file():
        built: dict[str, Any] = json.loads(record.read_text())
        if built.get("asked") == total:
            return {**built, "reused": True}
        raise SystemExit(f"{dest} holds a synthetic index of {built.get('asked')} chunks, not "
                         f"{total}: remove it or choose another --synthetic-dir")  # fmt: skip
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} is not empty and holds no {BUILT}: choose another directory")
    done = subprocess.run(
        [sys.executable, "-m", "bench.query", "--corpus", str(corpus),
         "--synthetic", str(total), "--build-synthetic", str(source), str(dest)],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"synthetic build failed:\n{done.stderr[-3000:]}")
    built = {**json.loads(done.stdout), "asked": total}
    record.write_text(json.dumps(built))
    return built


# -- the run ---------------------------------------------------------------------------------


def measure(
    label: str, data_dir: Path, embedder: Any, queries: Sequence[str], args: argparse.Namespace
) -> list[tuple[str, str]]:
    """In-process and HTTP rows for the index in `data_dir`."""
    from api.services import Services
    from api.settings import Settings

    # The model this process has loaded already.
    services = Services(Settings(data_dir=data_dir), embedder=embedder)
    # Wired as the API wires it: the glossary's query expansion, texts from the lexical index
    # while it is in step with Chroma.
    searcher = services.searcher
    chunks = services.store.count()
    rows: list[tuple[str, str]] = []
    for mode in args.modes:
        stats = in_process(searcher, queries, n=args.queries, mode=mode)
        parts = ", ".join(f"{k.removesuffix('_ms')} {v:.1f}" for k, v in stats["parts"].items())
        target = " (target p50 <= 15 ms)" if mode == "hybrid" and chunks >= 100_000 else ""
        rows.append(
            (
                f"{label}: in-process {mode}, p50 / p95{target}",
                f"{fmt_ms(stats)} (n={stats['n']}; CPU {fmt_ms(stats['cpu'])}; median ms: {parts})",
            )
        )
        print(
            f"  {label} in-process {mode}: {fmt_ms(stats)} (CPU {fmt_ms(stats['cpu'])}; {parts})",
            file=sys.stderr,
        )
    services.close()
    if args.requests:
        with served(data_dir, args.workdir / f"serve-{label.split()[0]}.log") as url:
            load = http_load(
                url, queries, clients=args.clients, requests=args.requests, seconds=args.seconds
            )
        stats = percentiles(load.latencies_ms)
        qps = len(load.latencies_ms) / load.seconds
        errors = sum(load.errors.values())
        detail = ", ".join(f"{k}: {v}" for k, v in load.errors.items())
        rows += [
            (
                f"{label}: HTTP hybrid k=5, {args.clients} clients, p50 / p95",
                f"{fmt_ms(stats)} ({len(load.latencies_ms)} ok in {load.seconds:.1f} s)",
            ),
            (f"{label}: HTTP throughput (target >= 100 QPS)", f"{qps:.1f} QPS"),
            (
                f"{label}: HTTP errors (target 0)",
                f"{errors}{f' ({detail})' if detail else ''}"
                + (f"; {load.empty} answers with no results" if load.empty else ""),
            ),
        ]
        print(f"  {label} HTTP: {fmt_ms(stats)}, {qps:.1f} QPS, {errors} errors", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--qa", type=Path, default=DEV_QA, help="questions used as queries")
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--limit", type=int, default=0, help="only N corpus files (0: all)")
    parser.add_argument("--data-dir", type=Path, help="index the corpus here (default: temp)")
    parser.add_argument("--synthetic", type=int, default=100_000, help="chunks (0: skip)")
    parser.add_argument(
        "--synthetic-dir",
        type=Path,
        help="build the synthetic index here and keep it; reused when an earlier run built it "
        "with the same --synthetic (default: temp, rebuilt each run)",
    )
    parser.add_argument("--queries", type=int, default=200, help="in-process queries per mode")
    parser.add_argument("--modes", default="hybrid,vector", help="in-process modes")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000, help="HTTP requests (0: skip)")
    parser.add_argument("--seconds", type=float, default=60.0, help="HTTP time bound per index")
    parser.add_argument("--build-synthetic", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_synthetic:
        offline_env()
        from api.services import Services
        from api.settings import Settings

        source, target = (Services(Settings(data_dir=d)) for d in args.build_synthetic)
        print(json.dumps(build_synthetic(source, target, args.synthetic)))
        return
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    offline_env()
    load_before = os.getloadavg()[0]
    from api.services import Services
    from api.settings import Settings

    questions = load_questions(args.qa)
    corpus = args.corpus.resolve()
    with tempfile.TemporaryDirectory(prefix="specrag-bench-query-") as tmp:
        args.workdir = Path(tmp)
        if args.limit:
            corpus = corpus_subset(corpus, args.limit, questions, args.workdir / "corpus")
        queries = [q.question for q in questions]
        data_dir = (args.data_dir or args.workdir / "corpus-index").resolve()
        env = dict(os.environ, SPECRAG_DATA_DIR=str(data_dir))
        print(f"indexing {corpus} into {data_dir}", file=sys.stderr)
        report, _ = run_cli(["ingest", "--json", str(corpus)], env)

        services = Services(Settings(data_dir=data_dir))
        embedder = services.embedder
        corpus_chunks = services.store.count()
        files = report["files"]["ok"] + report["files"]["skipped"]  # skipped: indexed before
        rows = [("corpus index", f"{corpus_chunks} chunks from {files} files")]
        rows += measure("corpus", data_dir, embedder, queries, args)

        synthetic_note = ""
        if args.synthetic:
            print(f"building the synthetic {args.synthetic}-chunk index", file=sys.stderr)
            synthetic_dir = (args.synthetic_dir or args.workdir / "synthetic-index").resolve()
            built = synthetic_index(corpus, data_dir, synthetic_dir, args.synthetic)
            label = f"synthetic {built['chunks'] // 1000}k"
            rows.append(
                (
                    f"{label}: build",
                    f"{built['chunks']} chunks ({built['real']} real); Chroma upsert "
                    f"{built['upsert_s']:.0f} s, BM25 rebuild {built['lexical_s']:.0f} s"
                    + (" (built by an earlier run, reused)" if built.get("reused") else ""),
                )
            )
            rows += measure(label, synthetic_dir, embedder, queries, args)
            synthetic_note = (
                f"The synthetic index holds the {built['real']} real chunks plus "
                f"{built['chunks'] - built['real']} made from them: each text is the head of one "
                "real chunk joined to the tail of another with every digit run replaced by random "
                "digits; each vector is the normalised mix 0.8·a + 0.2·b of the two real chunks' "
                "vectors plus Gaussian noise (norm ~0.3). **These vectors are perturbed copies of "
                "real embeddings, not embeddings of the synthetic texts** (embedding 100k texts "
                "would take hours on 2 cores): they load Chroma's HNSW and the BM25 index at that "
                "size; they say nothing about retrieval quality."
            )
        services.close()

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    subset = f", first {args.limit} files (gold documents first)" if args.limit else ""
    lines = [
        SECTION,
        "",
        f"Measured {stamp} on {machine()}; {load_note(load_before)}.",
        f"Command: `python -m bench.query --corpus {args.corpus}"
        + (f" --limit {args.limit}" if args.limit else "")
        + (f" --synthetic {args.synthetic}" if args.synthetic != 100_000 else "")
        + f"`; corpus `{args.corpus}`{subset}; embedder {embedder.name} "
        f"({getattr(embedder, 'backend', 'torch')}). Queries: the {len(queries)} questions of "
        f"`{args.qa.name}`, cycled. In-process: the API's searcher (glossary expansion "
        f"included), `search(q, k=5)` {args.queries} times per mode after a warm-up; the "
        "medians of its timed parts are from its `retrieval.end` "
        f"event. HTTP: `specrag serve` on 127.0.0.1, {args.clients} client threads (httpx, one "
        f"client each) in the benchmark process, `POST /v1/query` hybrid k=5, up to "
        f"{args.requests} requests or {args.seconds:.0f} s; client and server share the cores.",
        *([""] + [synthetic_note] if synthetic_note else []),
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
    ]
    write_section(args.out, SECTION, "\n".join(lines))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
