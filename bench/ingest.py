"""Ingest benchmark: cold ingest vs the raw encoder ceiling, no-op re-ingest, peak RSS.

    python -m bench.ingest --corpus ../shared/corpus --out BENCHMARKS.md

The cold and no-op runs are the real CLI in fresh processes (`specrag ingest --json`); the
encoder ceiling is the same chunk texts through `model.encode` alone, same batch size, in
this process, after the ingest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from api.services import Services
from api.settings import Settings

SECTION = "## Ingest"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def run_cli(args: list[str], env: dict[str, str]) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args()
    corpus = args.corpus.resolve()

    with tempfile.TemporaryDirectory(prefix="specrag-bench-") as tmp:
        env = dict(os.environ, SPECRAG_DATA_DIR=tmp)
        cold, cold_wall = run_cli(["ingest", "--json", str(corpus)], env)
        cold_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        noop, noop_wall = run_cli(["ingest", "--json", str(corpus)], env)

        services = Services(Settings(data_dir=Path(tmp)))
        embedder = services.embedder
        texts = [
            f"{meta['header']}\n{text}" if meta.get("header") else text
            for _, text, meta in services.store.iter_chunks()
        ]
        embedder.embed_documents(texts[:8])  # load and warm up outside the timing
        started = time.perf_counter()
        for start in range(0, len(texts), embedder.batch_size):
            embedder.embed_documents(texts[start : start + embedder.batch_size])
        ceiling = len(texts) / (time.perf_counter() - started)
        services.close()

    chunks = cold["chunks"]["embedded"]
    rate = chunks / cold["seconds"]
    rows = [
        (
            "files ok / skipped / failed",
            f"{cold['files']['ok']} / {cold['files']['skipped']} / {cold['files']['failed']}",
        ),
        ("chunks embedded (cold)", f"{chunks}"),
        ("cold ingest, in-run time", f"{cold['seconds']:.1f} s"),
        ("cold ingest, whole process (start-up included)", f"{cold_wall:.1f} s"),
        ("cold ingest throughput", f"{rate:.1f} chunks/s"),
        (
            f"raw encoder ceiling (same texts, batch {embedder.batch_size})",
            f"{ceiling:.1f} chunks/s",
        ),
        ("ratio ingest / ceiling (target >= 0.95)", f"{rate / ceiling:.2f}"),
        (
            "no-op re-ingest, new process (whole process)",
            f"{noop_wall:.2f} s ({noop_wall / cold_wall:.1%} of cold)",
        ),
        ("no-op re-ingest, chunks embedded", f"{noop['chunks']['embedded']}"),
        ("peak RSS of the ingest process (target <= 1 GB)", f"{cold_rss:.0f} MB"),
    ]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        SECTION,
        "",
        f"Measured {stamp} on {machine()}.",
        f"Command: `make bench` (`python -m bench.ingest --corpus {args.corpus}`), corpus: "
        f"`{args.corpus}`, default settings (cl100k_base, 256 tokens, overlap 32, "
        "all-MiniLM-L6-v2 fp32).",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
    ]
    write_section(args.out, SECTION, "\n".join(lines))
    sys.stdout.write("\n".join(lines) + "\n")


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace `heading`'s section in the Markdown file (or append it), keeping the others."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    start = text.find(heading + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + body + ("" if end < 0 else text[end:])
    path.write_text(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
