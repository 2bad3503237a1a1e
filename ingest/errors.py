"""Errors raised by ingest. Each names the file and the reason.

Every class carries what the API answers with: its HTTP `status` and its `type` code, declared
on the class itself (`api/errors.py` reads them; nothing here knows about HTTP beyond the
number). `detail` is the error's structured `detail`, None unless a class says more.
"""

from __future__ import annotations

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


class EncodingUnavailable(RuntimeError):
    """The encoding's BPE file is not in the offline cache.

    Not an `IngestError` on purpose: it is the deployment's fault, not a file's, so the API
    answers it as an internal error (logged with its traceback) and an ingest run records it
    as an unexpected failure.
    """
