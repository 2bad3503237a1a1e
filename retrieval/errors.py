"""Errors raised by retrieval. The API maps each to one HTTP status (all are the caller's 4xx
except `IndexUnavailable`)."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class for every retrieval failure."""


class EmptyQuery(RetrievalError):
    """The query is empty or only whitespace."""


class InvalidFilter(RetrievalError):
    """A filter names an unknown field or gives a value of the wrong shape."""


class InvalidArgument(RetrievalError):
    """An option is out of range: `k`, `neighbors`, `mode`."""


class IndexUnavailable(RetrievalError):
    """The lexical index on disk cannot be read."""


class InvalidQuestions(RetrievalError):
    """An evaluation file is not in the dev-qa.jsonl format (names the line)."""
