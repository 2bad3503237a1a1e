"""Errors raised by ingest. Each names the file and the reason."""

from __future__ import annotations


class IngestError(Exception):
    """Base class for every ingest failure."""


class UnsupportedFile(IngestError):
    """The file's type is not one specrag reads; it is skipped, not failed."""


class ParseError(IngestError):
    """The file could not be read into text: corrupt, encrypted, empty, binary, no text layer."""


class ModelMismatch(IngestError):
    """The collection was built with another embedding model or dimension."""
