"""Errors raised by ingest. Each names the file and the reason.

Every class carries what the API answers with: its HTTP `status` and its `type` code, declared
on the class itself (`api/errors.py` reads them; nothing here knows about HTTP beyond the
number). `detail` is the error's structured `detail`, None unless a class says more.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any


class IngestError(Exception):
    """Base class for every ingest failure."""

    status = 500
    type = "ingest_error"

    @property
    def detail(self) -> Any:
        return None


class UnsupportedFile(IngestError):
    """The file's type is not one specrag reads; it is skipped, not failed."""

    status = 415
    type = "unsupported_file"


class ParseError(IngestError):
    """The file could not be read into text: corrupt, encrypted, empty, binary, no text layer."""

    status = 422
    type = "parse_error"


class ModelMismatch(IngestError):
    """The collection was built with another embedding model or dimension."""

    status = 409
    type = "model_mismatch"


class CollectionClash(IngestError):
    """A derived collection's name is taken by a collection specrag did not derive."""

    status = 409
    type = "collection_clash"


class ModelUnavailable(IngestError):
    """The embedding model cannot be found locally."""

    status = 503
    type = "model_unavailable"


class ExportMissing(ModelUnavailable):
    """A backend needs an ONNX export that has not been made (or no longer matches the model)."""

    status = 503
    type = "export_missing"


class ExportFailed(ModelUnavailable):
    """The export could not be made, or its vectors are too far from the torch model's."""

    status = 503
    type = "export_failed"


class StoreUnavailable(IngestError):
    """Chroma could not be opened or reached."""

    status = 503
    type = "store_unavailable"


class LexicalIndexError(IngestError):
    """The lexical index could not be built or written."""

    status = 503
    type = "lexical_index_error"


class LexicalIndexCorrupt(LexicalIndexError):
    """A file of the lexical index does not match its checksum, or cannot be read: the index
    is rebuilt from Chroma, and hybrid search answers from vectors meanwhile."""

    status = 503
    type = "lexical_index_corrupt"


class DiskFull(IngestError):
    """The disk holding the data dir has no space left (ENOSPC, EDQUOT, SQLite's "database or
    disk is full"); what was committed before stays readable."""

    status = 507
    type = "insufficient_storage"

    def __init__(self, data_dir: Path | str, reason: str) -> None:
        super().__init__(
            f"no space left on the disk of the data dir {data_dir} ({reason}); free space "
            "there (or point SPECRAG_DATA_DIR elsewhere) and try again: the index keeps "
            "everything committed before"
        )
        self.data_dir = str(data_dir)

    @property
    def detail(self) -> Any:
        return {"data_dir": self.data_dir}


class StoreCorrupt(IngestError):
    """A SQLite store beside the index (jobs, sessions, usage, ledger, tokens) cannot be opened
    or read: not a database, or damaged. Names the store, its file and what to do."""

    status = 503
    type = "store_corrupt"

    def __init__(self, store: str, location: str, reason: str) -> None:
        super().__init__(
            f"the {store} store at {location} is unreadable ({reason}); stop the server, move "
            "the file aside (a new empty one is made on start) or restore it from a backup"
        )
        self.store = store
        self.location = location
        self.reason = reason

    @property
    def detail(self) -> Any:
        return {"store": self.store, "path": self.location}


class DatabaseUnavailable(StoreUnavailable):
    """The database server (`SPECRAG_DATABASE_URL`) that holds a store cannot be reached or
    refuses it: every instance shares it, so nothing is moved aside; the server must be
    brought back."""

    status = 503
    type = "database_unavailable"

    def __init__(self, store: str, location: str, reason: str) -> None:
        super().__init__(
            f"the {store} store's database at {location} is unavailable ({reason}); check that "
            "the server at SPECRAG_DATABASE_URL is up and accepts this user, then try again"
        )
        self.store = store
        self.location = location

    @property
    def detail(self) -> Any:
        return {"store": self.store, "database": self.location}


# The words and errnos by which the OS, SQLite and Chroma say the disk is full.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_FULL_WORDS = ("no space left on device", "database or disk is full", "disk quota exceeded")


def disk_full_reason(error: BaseException) -> str | None:
    """Why `error` (or an error it was raised from) is a full disk, or None if it is not one."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return os.strerror(current.errno)
        text = str(current).lower()
        for words in _FULL_WORDS:
            if words in text:
                return words
        current = current.__cause__ or current.__context__
    return None


class EncodingUnavailable(RuntimeError):
    """The encoding's BPE file is not in the offline cache.

    Not an `IngestError` on purpose: it is the deployment's fault, not a file's, so the API
    answers it as an internal error (logged with its traceback) and an ingest run records it
    as an unexpected failure.
    """
