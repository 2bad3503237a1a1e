"""The indexed samples (data/samples, indexed once per session by conftest's `sample_index`)
as a test's own data dir: its `Services`, the app's `TestClient`, or the app served.

    with samples.client(make_settings()) as client: ...

`samples` is a session fixture (tests/conftest.py); a module-scoped fixture uses it as well as
a test does. Each call copies the index into `settings.data_dir`, so nothing a test writes
reaches another.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.settings import Settings
from tests.serving import served


@dataclass(frozen=True)
class Samples:
    index: Path  # the session's index: copied, never written
    embedder: Any  # the session's loaded model

    def copy(self, data_dir: Path) -> Path:
        """The index copied into `data_dir` (which must not exist yet)."""
        return Path(shutil.copytree(self.index, data_dir))

    @contextmanager
    def services(self, settings: Settings, **parts: Any) -> Iterator[Services]:
        """Services on a copy of the index in `settings.data_dir`, sharing the loaded model;
        `parts` as `Services` takes them (a searcher, …). Closed when the block ends."""
        self.copy(settings.data_dir)
        built = Services(settings, embedder=self.embedder, **parts)
        try:
            yield built
        finally:
            built.close()

    @contextmanager
    def client(self, settings: Settings, **parts: Any) -> Iterator[TestClient]:
        """A `TestClient` of the app on a copy of the index (its lifespan running)."""
        with self.services(settings, **parts) as built, app_client(built) as client:
            yield client

    @contextmanager
    def served(self, settings: Settings, **parts: Any) -> Iterator[str]:
        """The app on a copy of the index served on loopback; yields its base URL."""
        with self.services(settings, **parts) as built, served(create_app(services=built)) as url:
            yield url


@contextmanager
def app_client(services: Services) -> Iterator[TestClient]:
    """A `TestClient` of the app on `services` (its lifespan running for the block)."""
    with TestClient(create_app(services=services)) as client:
        yield client
