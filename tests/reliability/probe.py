"""Parse and chunk each file in a forked child under hard limits; report time and peak memory.

    python -m tests.reliability.probe OUT.json FILE...

Each file gets its own child (so its peak RSS is its own, read from `wait4`), an address-space
limit (`MEMORY_MB` above what the parent already maps) and a wall-clock limit (`SECONDS`).
A child that dies or overruns is reported as such: a parser loop or a memory blow-up shows up
as `killed`/`crashed` instead of hanging the test.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any

SECONDS = 60
MEMORY_MB = 2048


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _child(path: str, options: Any, model_dir: str, write_fd: int) -> None:
    from ingest.pipeline.prepare import prepare

    limit = _status_kb("VmSize") * 1024 + MEMORY_MB * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.alarm(SECONDS)
    started = time.perf_counter()
    result = prepare(path, options, model_dir)
    outcome = {
        "error": result.error,
        "chunks": len(result.chunks),
        "warnings": len(result.warnings),
        "seconds": round(time.perf_counter() - started, 3),
    }
    os.write(write_fd, json.dumps(outcome).encode())


def probe(path: str, options: Any, model_dir: str) -> dict[str, Any]:
    read_fd, write_fd = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 0
        try:
            os.close(read_fd)
            _child(path, options, model_dir, write_fd)
        except BaseException:
            code = 3
        os._exit(code)
    os.close(write_fd)
    deadline = started + SECONDS + 30
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            done, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.02)
    with os.fdopen(read_fd, "rb") as pipe:
        raw = pipe.read()
    outcome: dict[str, Any] = json.loads(raw) if raw else {}
    if os.WIFSIGNALED(status):
        outcome["killed"] = signal.Signals(os.WTERMSIG(status)).name
    elif os.WEXITSTATUS(status):
        outcome["crashed"] = os.WEXITSTATUS(status)
    outcome["wall_seconds"] = round(time.perf_counter() - started, 3)
    outcome["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return outcome


def main(out: str, paths: list[str]) -> None:
    import ingest.chunk
    import ingest.parse  # noqa: F401  (imported once, before the forks: each child only parses)
    from ingest.embedding import Embedder
    from ingest.encodings import get_encoding
    from ingest.pipeline.plan import ChunkOptions
    from ingest.pipeline.prepare import _window

    get_encoding("cl100k_base")  # loaded once, before the forks
    options = ChunkOptions()
    model_dir = str(Embedder("all-MiniLM-L6-v2").path)
    _window(model_dir)  # the model's tokenizer, loaded once too
    baseline = _status_kb("VmRSS") / 1024  # what each child starts with
    results = {path: probe(path, options, model_dir) for path in paths}
    Path(out).write_text(json.dumps({"baseline_rss_mb": round(baseline, 1), "files": results}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
