"""Shared fixtures. Real parts everywhere; the network is closed except for loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from tests.browser import page  # noqa: F401  (fixture; needs the test file's `base_url`)
from tests.fake_openai import fake_openai, fake_openai_server  # noqa: F401  (fixtures)
from tests.pg import database, postgres_server, postgres_url  # noqa: F401  (fixtures)
from tests.serving import wait_until

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DEV_QA = SHARED / "eval" / "dev-qa.jsonl"
SAMPLES = REPO / "data" / "samples"


class NetworkBlocked(RuntimeError):
    """A test tried to reach a non-loopback address."""


def _loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost: would need DNS


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
        raise NetworkBlocked(f"tests may only connect to loopback, not {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
        raise NetworkBlocked(f"tests may only connect to loopback, not {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real packaged model on the default backend, loaded once for the whole session."""
    from api.settings import Settings
    from ingest.embedding import Embedder

    defaults = Settings()
    model = Embedder(defaults.embed_model, backend=defaults.embed_backend, batch_size=64)
    model.embed_query("warm up")
    return model


@pytest.fixture(scope="session")
def parsed_corpus(corpus: Path):  # type: ignore[no-untyped-def]
    """`parse_file` on a corpus file (a path relative to the corpus), once per session: the
    whole-corpus parse and chunk tests share the parses."""
    from ingest.parse import parse_file

    return cache(lambda relative: parse_file(corpus / relative))


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    """A data dir holding data/samples indexed (embedded Chroma, the default collection),
    built once for the session. A test copies it into its own data dir (the `samples`
    fixture, tests/samples.py) instead of embedding the samples again."""
    from api.services import Services
    from api.settings import Settings

    data_dir = tmp_path_factory.mktemp("samples") / "index"
    services = Services(Settings(data_dir=data_dir, workers=0), embedder=embedder)
    report = services.pipeline.run([SAMPLES])
    assert (report.ok, report.failed) == (len(list(SAMPLES.iterdir())), 0), report.errors
    services.close()
    return data_dir


@pytest.fixture(scope="session")
def samples(sample_index: Path, embedder):  # type: ignore[no-untyped-def]
    """The indexed samples as a test's own data dir: `samples.services(settings)`,
    `samples.client(settings)`, `samples.served(settings)` (tests/samples.py)."""
    from tests.samples import Samples

    return Samples(sample_index, embedder)


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings for a fresh data dir under tmp_path, with overrides. Files parse in this
    process (`workers=0`): spawning a parse pool costs a second per run; the tests about the
    pool ask for workers."""
    from api.settings import Settings

    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "index", "workers": 0}
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return build


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on loopback for the session; yields its URL."""
    chroma = Path(sys.executable).with_name("chroma")
    port = _free_port()
    log = tmp_path_factory.mktemp("chroma-server") / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                str(chroma),
                "run",
                "--path",
                str(log.parent / "db"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def listening() -> bool:
        if process.poll() is not None:
            return False  # exited: no use waiting
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    if not wait_until(listening, seconds=60) or process.poll() is not None:
        process.kill()
        pytest.fail(f"chroma run did not start: {log.read_text()[-2000:]}")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(params=["embedded", "server"])
def chroma_mode(request: pytest.FixtureRequest) -> dict[str, object]:
    """Settings overrides for each Chroma mode: embedded in tmp_path, or the session server
    with a collection of the test's own."""
    if request.param == "embedded":
        return {}
    url = request.getfixturevalue("chroma_server")
    return {"chroma_url": url, "collection": f"t{uuid.uuid4().hex[:16]}"}


@pytest.fixture
def services(make_settings, embedder, chroma_mode) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Services on a fresh Chroma (embedded, then a real server), sharing the loaded model."""
    from api.services import Services

    built = Services(make_settings(**chroma_mode), embedder=embedder)
    yield built
    built.close()
