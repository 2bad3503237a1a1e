"""Ingest benchmark: cold ingest vs the raw encoder ceiling, no-op re-ingest, peak RSS.

    python -m bench.ingest --corpus ../shared/corpus --out BENCHMARKS.md

The cold ingest runs in a fresh process (`python -m bench.ingest --child`) that does what
`specrag ingest` does, then, in that same process with the model already loaded, puts the same
chunk texts, in the same order and batch size, through the encoder alone: the ceiling. Peak
RSS is the child's (and, separately, its parse workers') during the ingest, read before the
ceiling runs. The no-op re-ingest is the real CLI in another fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.services import Services
from api.settings import Settings, with_throughput_hint
from ingest.embedding import Embedder
from ingest.embedding.model import OPENVINO, Hint

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


def run_cli(args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout), seconds


def child(corpus: Path) -> None:
    """The cold ingest, then the ceiling, in this one process; prints one JSON object."""
    services = Services(with_throughput_hint(Settings()))  # as `specrag ingest` does
    cpu_before = cpu_seconds()
    report = services.pipeline.run([corpus])
    ingest_cpu = cpu_seconds() - cpu_before  # this process and its (reaped) parse workers
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    embedder = services.embedder
    chunks = sorted(
        services.store.iter_chunks(),
        key=lambda c: (c[2].get("ingested_at", 0), c[2]["doc_id"], c[2]["chunk_index"]),
    )
    texts = [f"{m['header']}\n{text}" if m.get("header") else text for _, text, m in chunks]
    # The ceiling is the encoder at its best on these texts: the ingest's own model (its
    # batches spread over its streams, as the ingest does), and for OpenVINO also a model
    # compiled with the other hint; the faster of the two counts.
    ceilings = {embedder.hint: encode_alone(embedder, texts)}
    if embedder.backend in OPENVINO:
        other: Hint = "latency" if embedder.hint == "throughput" else "throughput"
        second = Embedder(
            embedder.model_name,
            batch_size=embedder.batch_size,
            backend=embedder.backend,
            hint=other,
        )
        ceilings[other] = encode_alone(second, texts)
    services.close()
    best = min(ceilings, key=lambda hint: ceilings[hint][0])
    out = {
        "report": report.as_json(),
        "peak_rss_mb": peak_mb,
        "worker_peak_rss_mb": workers_mb,
        "ceiling_chunks": len(texts),
        "ceiling_seconds": ceilings[best][0],
        "ceiling_cpu_seconds": ceilings[best][1],
        "ingest_cpu_seconds": ingest_cpu,
        "ceilings": {hint: seconds for hint, (seconds, _) in ceilings.items()},
        "ceiling_hint": best,
        "hint": embedder.hint,
        "streams": embedder.streams,
        "backend": services.settings.embed_backend,
        "batch_size": embedder.batch_size,
    }
    sys.stdout.write(json.dumps(out) + "\n")


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have been waited for."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def encode_alone(embedder: Embedder, texts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds for `model.encode` alone over `texts` in batches of the ingest's
    size, with as many calls at once as the model has streams (after one untimed batch)."""
    size = embedder.batch_size
    batches = [texts[start : start + size] for start in range(0, len(texts), size)]
    embedder.embed_documents(batches[0])
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    if embedder.streams > 1:
        with ThreadPoolExecutor(max_workers=embedder.streams) as pool:
            for _ in pool.map(embedder.embed_documents, batches):
                pass
    else:
        for batch in batches:
            embedder.embed_documents(batch)
    return time.perf_counter() - started, cpu_seconds() - cpu_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if args.child:
        child(corpus)
        return

    with tempfile.TemporaryDirectory(prefix="specrag-bench-") as tmp:
        env = dict(os.environ, SPECRAG_DATA_DIR=tmp)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bench.ingest", "--child", "--corpus", str(corpus)],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"cold ingest failed: {done.stderr[-3000:]}")
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        child_wall = time.perf_counter() - started
        noop, noop_wall = run_cli(["ingest", "--json", str(corpus)], env)

    cold = measured["report"]
    cores = len(os.sched_getaffinity(0))
    ceilings: dict[str, float] = measured.get("ceilings", {})
    chunks = cold["chunks"]["embedded"]
    rate = chunks / cold["seconds"]
    ceiling = measured["ceiling_chunks"] / measured["ceiling_seconds"]
    stages = cold.get("stages", {})
    rows = [
        (
            "files ok / skipped / failed",
            f"{cold['files']['ok']} / {cold['files']['skipped']} / {cold['files']['failed']}",
        ),
        ("chunks embedded (cold)", f"{chunks}"),
        ("cold ingest, in-run time", f"{cold['seconds']:.1f} s"),
        ("cold ingest throughput", f"{rate:.1f} chunks/s"),
        (
            f"raw encoder ceiling (same texts, same order, batch {measured['batch_size']}, "
            "same process" + ("; the faster OpenVINO hint)" if len(ceilings) > 1 else ")"),
            f"{ceiling:.1f} chunks/s"
            + (
                " ("
                + ", ".join(
                    f"{hint}: {measured['ceiling_chunks'] / sec:.1f}"
                    for hint, sec in ceilings.items()
                )
                + ")"
                if len(ceilings) > 1
                else ""
            ),
        ),
        ("ratio ingest / ceiling (target >= 0.95)", f"{rate / ceiling:.2f}"),
        (
            "CPU: the ingest (with its parse workers) / the encoder alone on the same texts",
            f"{measured['ingest_cpu_seconds']:.1f} s / {measured['ceiling_cpu_seconds']:.1f} s",
        ),
        (
            f"best ratio the ingest's CPU allows on {cores} cores (ceiling time x cores / "
            "ingest CPU: its work beyond the encoder's has to fit on the same cores)",
            f"{measured['ceiling_seconds'] * cores / measured['ingest_cpu_seconds']:.2f}",
        ),
        (
            "where the in-run time went",
            ", ".join(f"{k} {v:.1f} s" for k, v in stages.items() if k != "parse_cpu"),
        ),
        ("parse and chunk CPU in the workers", f"{stages.get('parse_cpu', 0.0):.1f} s"),
        (
            "no-op re-ingest, new process (whole process)",
            f"{noop_wall:.2f} s ({noop_wall / child_wall:.1%} of the cold process)",
        ),
        ("no-op re-ingest, chunks embedded", f"{noop['chunks']['embedded']}"),
        ("peak RSS of the ingest process (target <= 1 GB)", f"{measured['peak_rss_mb']:.0f} MB"),
        ("peak RSS of one parse worker", f"{measured['worker_peak_rss_mb']:.0f} MB"),
    ]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        SECTION,
        "",
        f"Measured {stamp} on {machine()}.",
        f"Command: `make bench` (`python -m bench.ingest --corpus {args.corpus}`), corpus: "
        f"`{args.corpus}`, default settings (cl100k_base, 256 tokens, overlap 32, "
        f"all-MiniLM-L6-v2 on the {measured['backend']} backend"
        + (f", hint {measured['hint']}" if measured["backend"] in OPENVINO else "")
        + f", {measured.get('streams', 1)} encoder call(s) at once).",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
    ]
    write_section(args.out, SECTION, "\n".join(lines))
    sys.stdout.write("\n".join(lines) + "\n")


NOTES = "### Notes"


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace `heading`'s section in the Markdown file (or append it), keeping the others.

    A `### Notes` part at the end of the old section (what people wrote about the figures:
    context, earlier runs, what changed) is kept under the new figures; read it again after a
    run, since the figures above it are new.
    """
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    found = re.search(rf"^{re.escape(heading)}[ \t]*$", text, re.MULTILINE)
    if found is None:
        path.write_text(text.rstrip("\n") + "\n\n" + body.rstrip("\n") + "\n")
        return
    following = re.compile(r"^## ", re.MULTILINE).search(text, found.end())
    end = following.start() if following else len(text)
    notes = re.search(r"^### Notes\b", text[found.start() : end], re.MULTILINE)
    parts = [text[: found.start()] + body.strip("\n")]
    if notes:
        parts.append(text[found.start() + notes.start() : end].strip("\n"))
    if following:
        parts.append(text[end:].rstrip("\n"))
    path.write_text("\n\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
