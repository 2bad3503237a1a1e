"""One owner per embedded data dir: the server, or the CLI commands that write, never both.

Embedded Chroma keeps its HNSW index in the memory of the process that wrote it and is not
safe to write from two processes (chroma-core/chroma#3769): an ingest from a second process
stays invisible to a running server's vector search, and filtered queries then fail. So
`specrag serve` holds an exclusive `flock` on `<data dir>/owner.lock` for its whole life and
writes its pid and address there; a CLI `ingest`, `delete` or `repair` takes a shared lock
for its run (a server cannot start under it), or, finding the dir served, hands its work to
the server over the API or refuses, saying how. With a Chroma server (`SPECRAG_CHROMA_URL`)
many processes may write: no lock is taken.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from api.errors import DataDirBusy, Holder
from api.settings import Settings
from ingest.errors import disk_full_reason

log = logging.getLogger(__name__)

LOCK_NAME = "owner.lock"


def lock_path(settings: Settings) -> Path:
    return settings.data_dir / LOCK_NAME


def _embedded(settings: Settings) -> bool:
    return not settings.chroma_url


def _read(handle: IO[str]) -> Holder:
    handle.seek(0)
    try:
        found = json.loads(handle.read() or "{}")
    except ValueError:
        return Holder()
    pid = found.get("pid")
    return Holder(pid=int(pid) if pid is not None else None, url=found.get("url"))


def _open(settings: Settings) -> IO[str]:
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "a+", encoding="utf-8")  # noqa: SIM115 (closed by the callers)


@contextmanager
def serving(settings: Settings, url: str | None) -> Iterator[None]:
    """Hold the data dir for a server's whole life; DataDirBusy if anyone else holds it."""
    if not _embedded(settings):
        yield
        return
    handle = _open(settings)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirBusy(settings.data_dir, _read(handle), wanted="serve") from None
        _record(handle, json.dumps({"pid": os.getpid(), "url": url, "started_at": time.time()}))
        try:
            yield
        finally:
            _record(handle, "")
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _record(handle: IO[str], note: str) -> None:
    """Write who holds the data dir, unbuffered: on a full disk the note is lost (logged),
    never the lock, and the server still starts."""
    try:
        os.ftruncate(handle.fileno(), 0)
        os.pwrite(handle.fileno(), note.encode("utf-8"), 0)
    except OSError as e:
        if disk_full_reason(e) is None:
            raise
        log.warning("cannot note the holder in %s: %s", handle.name, e)


def check_free(settings: Settings) -> None:
    """DataDirBusy now if a server could not take the data dir (`specrag serve` says so
    before it starts; the lifespan's `serving` is what holds it)."""
    with serving(settings, None):
        pass


@contextmanager
def writing(settings: Settings, command: str) -> Iterator[None]:
    """A CLI command that writes the index: holds the data dir shared for its run (a server
    cannot start meanwhile; other CLI commands may, the ingest lock orders their writes).
    DataDirBusy, naming the server and what to use instead, if a server holds it."""
    if not _embedded(settings):
        yield
        return
    handle = _open(settings)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirBusy(settings.data_dir, _read(handle), wanted=command) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
