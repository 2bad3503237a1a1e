"""A real PostgreSQL server for the tests: `initdb` into a temporary folder, `postgres` on a
free loopback port, run as an unprivileged user when the tests run as root (PostgreSQL
refuses to run as root), stopped at the end of the session.

`postgres_server` is the server (`.url`: its SQLAlchemy URL without a database);
`postgres_url` is a fresh, empty database on it for one test; `database` runs a store test
on SQLite and then on PostgreSQL. `make test` installs the
server (`make postgres`, Debian's `postgresql`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingest.storage.engine import collection_url
from tests.serving import wait_until

SUPERUSER = "specrag"


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian keeps them out of PATH)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name)
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _runs_as() -> pwd.struct_passwd | None:
    """The user to run the server as: `postgres` (else `nobody`) under root, else None (us)."""
    if os.getuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and neither a postgres nor a nobody user exists")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Postgres:
    """One throwaway PostgreSQL cluster on loopback, trusting local connections."""

    def __init__(self, programs: Path) -> None:
        self.programs = programs
        self.user = _runs_as()
        # Not under pytest's tmp dir: its 0700 folders are closed to the server's user.
        self.folder = Path(tempfile.mkdtemp(prefix="specrag-pg-"))
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> sa.URL:
        return sa.URL.create(
            "postgresql+psycopg", username=SUPERUSER, host="127.0.0.1", port=self.port
        )

    def _run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(args, check=True, capture_output=True, **self._as_user())

    def _as_user(self) -> dict[str, object]:
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def start(self) -> None:
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        data = self.folder / "data"
        self._run(
            str(self.programs / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115  (the server's, until stop)
        self.process = subprocess.Popen(
            [
                str(self.programs / "postgres"),
                "-D",
                str(data),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-k",
                str(self.folder),  # its Unix socket, out of /var/run
                # a test server: speed over durability
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            **self._as_user(),  # type: ignore[call-overload]
        )
        log.close()
        engine = sa.create_engine(self.url.set(database="postgres"), poolclass=sa.NullPool)

        def accepting() -> bool:
            assert self.process is not None and self.process.poll() is None, self.log()
            try:
                with engine.connect():
                    return True
            except sa.exc.OperationalError:
                return False

        try:
            if not wait_until(accepting, seconds=60):
                raise RuntimeError(f"postgres did not start: {self.log()}")
        finally:
            engine.dispose()

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def create_database(self) -> sa.URL:
        """A new empty database; its URL."""
        name = f"t{uuid.uuid4().hex[:16]}"
        engine = sa.create_engine(
            self.url.set(database="postgres"), poolclass=sa.NullPool, isolation_level="AUTOCOMMIT"
        )
        with engine.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        return self.url.set(database=name)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGINT: the "fast" shutdown, which does not wait for clients to disconnect
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """A real PostgreSQL for the session (per xdist worker)."""
    programs = bin_dir()
    if programs is None:
        pytest.fail("PostgreSQL is not installed: apt-get install -y postgresql (`make test` does)")
    server = Postgres(programs)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: Postgres) -> str:
    """A fresh database on the session's PostgreSQL, as a SQLAlchemy URL string."""
    return postgres_server.create_database().render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], Path | str]:
    """Where a test's store keeps its rows, on each backend: `database("usage")` is a SQLite
    file in tmp_path, then the test's collection schema in a fresh PostgreSQL database (every
    store of a test in the same one, as in a cluster)."""
    if request.param == "sqlite":
        return lambda store: tmp_path / f"{store}.sqlite3"
    url = collection_url(request.getfixturevalue("postgres_url"), "specrag")
    return lambda store: url
