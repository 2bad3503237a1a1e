"""Shared fixtures. Real parts everywhere; the network is closed except for loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import fake_openai  # noqa: F401  (fixture: a scripted LLM on loopback)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DEV_QA = SHARED / "eval" / "dev-qa.jsonl"


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
    """The real packaged model, loaded once for the whole session."""
    from ingest.embed import Embedder

    model = Embedder("all-MiniLM-L6-v2", batch_size=64)
    model.embed_query("warm up")
    return model


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings for a fresh data dir under tmp_path, with overrides."""
    from api.settings import Settings

    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "index", "workers": 1}
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return build


@pytest.fixture
def services(make_settings, embedder) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Services on a fresh embedded Chroma, sharing the session's loaded model."""
    from api.services import Services

    built = Services(make_settings())
    built.__dict__["embedder"] = embedder
    yield built
    built.close()
