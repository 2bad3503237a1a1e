"""The lexical index in a cluster: how far behind one API instance's BM25 index runs when
another instance (or a worker) commits a document, and what a lexical search costs, at N
chunks in a Chroma server with the ledger on PostgreSQL.

    python -m bench.follow --chunks 100000 --out BENCHMARKS.md

Starts a throwaway PostgreSQL (as the tests do, `tests/pg.py`) and a `chroma run` server,
fills the collection with N synthetic chunks (sentences of data/samples shuffled into 10-chunk
documents, random unit vectors: BM25 needs the texts only), then starts instance B
(`Services.follow_database`, as `specrag serve` does with SPECRAG_DATABASE_URL) and has
"instance A" commit one 10-chunk document at a time: Chroma first, then its ledger row. The
lag is from A's ledger commit until B's live lexical index holds the new chunks.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from api.services import Services
from api.settings import Settings
from bench.ingest import machine, write_section
from ingest.ledger import Ledger
from ingest.storage.engine import collection_url
from ingest.store import ChromaStore
from retrieval.lexical import LexicalReader
from tests.pg import Postgres, bin_dir
from tests.serving import wait_until

SECTION = "## Lexical index in a cluster"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
DOC_CHUNKS = 10
WORDS_PER_CHUNK = 120
QUERIES = (
    "battery capacity kWh",
    "towing capacity",
    "0-100 km/h acceleration",
    "charging port location",
    "wheelbase mm",
    "百公里加速",
    "warranty years",
    "boot volume litres",
)


def sentences() -> list[str]:
    texts = []
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in (".md", ".txt"):
            try:
                texts.append(path.read_text("utf-8"))
            except UnicodeDecodeError:  # the GBK sample: its sentences are in the others too
                continue
    text = " ".join(texts)
    return [s.strip() for s in re.split(r"(?<=[.。!?])\s*|\n+", text) if len(s.strip()) > 20]


def synthetic(
    doc: int, pool: list[str], rng: random.Random
) -> list[tuple[str, str, dict[str, Any]]]:
    """One document's chunks: sentences of the samples in a random order, and the document's
    own model name (so the vocabulary grows with the corpus, as real documents' does)."""
    doc_id = f"{doc:016x}"
    chunks = []
    for index in range(DOC_CHUNKS):
        words: list[str] = [f"Model-{doc} chunk {index}."]
        while sum(len(w.split()) for w in words) < WORDS_PER_CHUNK:
            words.append(rng.choice(pool))
        metadata = {
            **{"source": f"/bench/{doc_id}.txt", "doc_id": doc_id, "sha256": doc_id},
            **{"file_type": "txt", "title": f"Model-{doc}", "section": "", "header": ""},
            **{"chunk_index": index, "tokens": WORDS_PER_CHUNK, "ingested_at": 0.0},
        }
        chunks.append((f"{doc_id}:{index}", " ".join(words), metadata))
    return chunks


def write(store: ChromaStore, chunks: list[tuple[str, str, dict[str, Any]]], dim: int) -> None:
    vectors = np.random.default_rng(len(chunks)).standard_normal((len(chunks), dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.upsert(
        ids=[c[0] for c in chunks],
        embeddings=vectors.astype(np.float32),
        documents=[c[1] for c in chunks],
        metadatas=[c[2] for c in chunks],
    )


def commit(ledger: Ledger, chunks: list[tuple[str, str, dict[str, Any]]]) -> None:
    metadata = chunks[0][2]
    ledger.save(doc_id=metadata["doc_id"], source=metadata["source"], file_type="txt",
                title=metadata["title"], sha256=metadata["sha256"], size=1, status="ok",
                fingerprint="bench", chunk_ids=[c[0] for c in chunks])  # fmt: skip


def chroma_run(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    if not wait_until(listening, seconds=60):
        process.kill()
        raise RuntimeError("chroma run did not start")
    return process, f"http://127.0.0.1:{port}"


def timed_searches(reader: LexicalReader, *, rounds: int) -> list[float]:
    took = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            reader.search(query, k=10)
            took.append(time.perf_counter() - started)
    return took


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{statistics.median(ordered) * 1000:.1f} ms (p95 {p95 * 1000:.1f} ms)"


def run(chunks: int, rounds: int, folder: Path) -> str:
    server = Postgres(bin_dir() or Path("/usr/lib/postgresql/15/bin"))
    server.start()
    chroma, chroma_url = chroma_run(folder / "chroma")
    try:
        database = server.create_database().render_as_string(hide_password=False)
        settings = Settings(data_dir=folder / "b", chroma_url=chroma_url, database_url=database,
                            collection="bench", workers=0)  # fmt: skip
        b = Services(settings)
        dim = b.embedder.dimension
        a_store = ChromaStore(collection="bench", model_name=b.embedder.name, url=chroma_url)
        a_ledger = Ledger(collection_url(database, "bench"))
        rng = random.Random(7)
        pool = sentences()
        began = time.perf_counter()
        for first in range(0, chunks // DOC_CHUNKS, 500):
            batch = [c for d in range(first, first + 500) for c in synthetic(d, pool, rng)]
            write(a_store, batch[: chunks - first * DOC_CHUNKS], dim)
        fill = time.perf_counter() - began
        commit(a_ledger, synthetic(chunks // DOC_CHUNKS, pool, rng))  # one ledger change
        reader = LexicalReader(b.lexical_dir)
        began = time.perf_counter()
        b.follow_database()
        assert wait_until(lambda: b.lexical_revision == a_ledger.revision(), seconds=3600)
        cold = time.perf_counter() - began
        count = reader.count
        lags: list[float] = []
        for n in range(rounds):
            doc = synthetic(chunks // DOC_CHUNKS + 1 + n, pool, rng)
            write(a_store, doc, dim)
            commit(a_ledger, doc)
            committed = time.perf_counter()
            arrived = functools.partial(lambda last: reader.metadata(last) is not None, doc[-1][0])
            assert wait_until(arrived, seconds=600, every=0.01)
            lags.append(time.perf_counter() - committed)
        warm = b.lexical_index.rebuild(b.store)
        polls = []
        for _ in range(200):
            started = time.perf_counter()
            b.ledger.revision()
            polls.append(time.perf_counter() - started)
        searches = timed_searches(reader, rounds=5)
        rebuild = threading.Thread(target=b.rebuild_lexical)
        rebuild.start()  # as the follower does, in the instance's process
        during: list[float] = []
        while rebuild.is_alive():
            during.extend(timed_searches(reader, rounds=1))
        rebuild.join()
        b.close()
        a_ledger.close()
    finally:
        chroma.terminate()
        chroma.wait(30)
        server.stop()
    return "\n".join(
        [
            SECTION,
            "",
            f"`python -m bench.follow --chunks {chunks} --rounds {rounds}` on {machine()}, "
            f"{datetime.now(UTC):%Y-%m-%d}. Ledger on PostgreSQL 15, chunks in a `chroma run` "
            f"server, both on loopback; synthetic chunks of ~{WORDS_PER_CHUNK} words "
            "(data/samples' sentences shuffled), random vectors.",
            "",
            "| | |",
            "|---|---|",
            f"| chunks in Chroma (B's index) | {count} |",
            f"| fill Chroma (writes only) | {fill:.0f} s |",
            f"| B's first build (every chunk tokenized) | {cold:.1f} s |",
            f"| lag, A's ledger commit → B answers with the new chunks ({rounds} commits) | "
            f"median {statistics.median(lags):.1f} s, max {max(lags):.1f} s |",
            f"| one rebuild with the token cache warm | {warm.seconds:.1f} s ({warm.tokenized} "
            "chunks tokenized) |",
            f"| B's poll of the ledger revision (one SELECT) | {ms(polls)} |",
            f"| lexical search, k=10 ({len(searches)} queries) | {ms(searches)} |",
            f"| the same while the instance rebuilds ({len(during)} queries) | {ms(during)} |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="specrag-follow-") as folder:
        body = run(args.chunks, args.rounds, Path(folder))
    sys.stdout.write(body + "\n")
    if args.out is not None:
        write_section(args.out, SECTION, body)


if __name__ == "__main__":
    main()
