"""Errors raised by retrieval: all are the caller's 4xx except `IndexUnavailable` (and the
base class).

Every class carries what the API answers with: its HTTP `status` and its `type` code, declared
on the class itself (`api/errors.py` reads them). `detail` is the error's structured `detail`,
None unless a class says more.
"""

from __future__ import annotations

from typing import Any


class RetrievalError(Exception):
    """Base class for every retrieval failure."""

    status = 500
    type = "retrieval_error"

    @property
    def detail(self) -> Any:
        return None


class EmptyQuery(RetrievalError):
    """The query is empty or only whitespace."""

    status = 422
    type = "empty_query"


class InvalidFilter(RetrievalError):
    """A filter names an unknown field or gives a value of the wrong shape."""

    status = 422
    type = "invalid_filter"


class InvalidArgument(RetrievalError):
    """An option is out of range: `k`, `neighbors`, `mode`."""

    status = 422
    type = "invalid_argument"


class IndexUnavailable(RetrievalError):
    """The lexical index on disk cannot be read."""

    status = 503
    type = "index_unavailable"


class InvalidQuestions(RetrievalError):
    """An evaluation file is not in the dev-qa.jsonl format (names the line)."""

    status = 422
    type = "invalid_questions"
