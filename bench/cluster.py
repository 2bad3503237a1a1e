"""A specrag cluster on one machine, for development and demos (`make cluster`).

    python -m bench.cluster up   [--dir .cluster] [--workers 2] [--port 8000]
    python -m bench.cluster down [--dir .cluster]

`up` starts, on loopback: redis-server (the queue, with an append-only file so a restart
keeps its tasks), a PostgreSQL cluster (initdb under the dir; run as the `postgres` user when
invoked as root: PostgreSQL refuses to run as root), `chroma run`, N `specrag worker`s and one
`specrag serve`, then prints the URLs. Every process it starts gets a pid file under
`<dir>/pids`; `down` stops exactly those (each in its own process group: a worker's pool
processes go with it) and PostgreSQL with `pg_ctl stop`. The same pieces on several
machines are in the README ("When you outgrow one machine").

The process helpers are also what the queue tests and the cluster benchmark start.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STOP_SECONDS = 20.0
PG_USER = "postgres"  # Debian's postgresql package makes this user


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(port: int, process: subprocess.Popen[bytes] | None, what: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        if listening(port):
            return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"{what} did not start on port {port}:\n{tail}")


class Processes:
    """Processes started in their own process groups, each with a pid file in `pids`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pids = root / "pids"
        self.logs = root / "logs"

    def start(
        self, name: str, argv: list[str], *, env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        self.pids.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                cwd=REPO,
                start_new_session=True,  # its own group: stopped with its children
            )
        (self.pids / f"{name}.pid").write_text(str(process.pid))
        return process

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def signal(self, name: str, signum: int) -> None:
        """Send `signum` to the process group of `name` (nothing if it is gone)."""
        pid = self.pid(name)
        if pid is not None:
            try:
                os.killpg(pid, signum)
            except ProcessLookupError:
                pass

    def pid(self, name: str) -> int | None:
        path = self.pids / f"{name}.pid"
        return int(path.read_text()) if path.exists() else None

    def stop(self, name: str) -> None:
        """SIGTERM the group, SIGKILL after STOP_SECONDS; the pid file goes."""
        pid = self.pid(name)
        if pid is None:
            return
        self.signal(name, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            self.signal(name, signal.SIGKILL)
        (self.pids / f"{name}.pid").unlink(missing_ok=True)

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.pids.glob("*.pid")) if self.pids.exists() else []


def _alive(pid: int) -> bool:
    """Is `pid` running (a child of ours that exited is reaped here)?"""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def start_redis(procs: Processes, port: int) -> str:
    folder = procs.root / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    redis = shutil.which("redis-server") or "/usr/bin/redis-server"
    argv = [redis, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    argv += ["--appendonly", "yes", "--save", "", "--daemonize", "no"]
    process = procs.start("redis", argv)
    wait_for(port, process, "redis-server", procs.log("redis"))
    return f"redis://127.0.0.1:{port}/0"


def start_chroma(procs: Processes, port: int) -> str:
    argv = [str(BIN / "chroma"), "run", "--path", str(procs.root / "chroma")]
    process = procs.start("chroma", [*argv, "--host", "127.0.0.1", "--port", str(port)])
    wait_for(port, process, "chroma run", procs.log("chroma"))
    return f"http://127.0.0.1:{port}"


def _as_postgres(argv: list[str]) -> list[str]:
    """`argv` run as PostgreSQL's user when this is root (initdb and postgres refuse root)."""
    return ["runuser", "-u", PG_USER, "--", *argv] if os.geteuid() == 0 else argv


def pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None
    )
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} not found: run `make cluster` (it installs it)")
    return found


def start_postgres(procs: Processes, port: int) -> str:
    """initdb under the dir (once), then start it on loopback; returns the database URL."""
    data = procs.root / "postgres"
    if os.geteuid() == 0:
        procs.root.chmod(0o755)  # the postgres user must reach its folder
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, PG_USER, PG_USER)
        initdb = [pg_bin("initdb"), "-D", str(data), "-U", "specrag", "--auth=trust", "-E", "UTF8"]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
    log = data / "server.log"
    options = f"-p {port} -h 127.0.0.1 -k {data}"
    start = [pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]
    subprocess.run(_as_postgres(start), check=True, capture_output=True)
    create = [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "specrag", "specrag"]
    subprocess.run(_as_postgres(create), capture_output=True)  # exists already: fine
    (procs.root / "postgres.port").write_text(str(port))
    return f"postgresql+psycopg://specrag@127.0.0.1:{port}/specrag"


def stop_postgres(root: Path) -> None:
    data = root / "postgres"
    if (data / "postmaster.pid").exists():
        stop = [pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
        subprocess.run(_as_postgres(stop), capture_output=True)


def start_worker(procs: Processes, name: str, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    argv = [str(BIN / "specrag"), "-v", "worker", "--name", f"{name}@{socket.gethostname()}"]
    return procs.start(name, argv, env=env)


def up(root: Path, *, workers: int, port: int) -> dict[str, str]:
    root = root.resolve()
    procs = Processes(root)
    if procs.names():
        raise SystemExit(
            f"a cluster is running from {root} ({', '.join(procs.names())}): "
            "`make cluster-stop` first"
        )
    if listening(port):
        raise SystemExit(f"port {port} is taken: `make cluster PORT=...` with a free one")
    queue = start_redis(procs, free_port())
    database = start_postgres(procs, free_port())
    chroma = start_chroma(procs, free_port())
    env = {
        "SPECRAG_DATA_DIR": str(root / "data"),
        "SPECRAG_QUEUE_URL": queue,
        "SPECRAG_CHROMA_URL": chroma,
        "SPECRAG_DATABASE_URL": database,
        "SPECRAG_ROOTS": json.dumps([str(REPO / "data" / "samples")]),
    }
    (root / "cluster.env").write_text("".join(f"export {k}='{v}'\n" for k, v in env.items()))
    api = procs.start("api", [str(BIN / "specrag"), "serve", "--port", str(port)], env=env)
    wait_for(port, api, "specrag serve", procs.log("api"))
    for n in range(1, workers + 1):
        start_worker(procs, f"worker{n}", env)
    return {
        "api": f"http://127.0.0.1:{port}",
        "chroma": chroma,
        "queue": queue,
        "database": database,
    }


def down(root: Path) -> list[str]:
    procs = Processes(root.resolve())
    stopped = procs.names()
    for name in ("api", *[n for n in stopped if n.startswith("worker")], "chroma", "redis"):
        procs.stop(name)
    stop_postgres(root.resolve())
    return [*stopped, "postgres"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--dir", type=Path, default=Path(".cluster"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    if args.action == "down":
        print("stopped:", ", ".join(down(args.dir)))  # noqa: T201
        return
    try:
        urls = up(args.dir, workers=args.workers, port=args.port)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        down(args.dir)  # what did start is stopped again
        detail = (
            e.stderr.decode(errors="replace")
            if isinstance(e, subprocess.CalledProcessError)
            else ""
        )
        raise SystemExit(f"the cluster did not start: {e}\n{detail}") from e
    for name, url in urls.items():
        print(f"{name:9} {url}")  # noqa: T201
    print(f"logs: {args.dir}/logs; environment: source {args.dir}/cluster.env")  # noqa: T201
    print(f"try: curl -F files=@data/samples/lumen_e2.txt {urls['api']}/v1/documents")  # noqa: T201


if __name__ == "__main__":
    main()
