"""The generation package's errors, each carrying the HTTP status the API maps it to."""

from __future__ import annotations

from typing import Any


class GenerationError(Exception):
    """Base class: a generation request could not be served."""

    status_code = 502


class LLMUnavailable(GenerationError):
    """The model endpoint refused, failed (5xx, 429) or could not be reached, after retries."""

    status_code = 502


class LLMTimeout(GenerationError):
    """The model endpoint did not answer within the timeout, after retries."""

    status_code = 504


class GenerationStopped(GenerationError):
    """The embedded model stopped mid-answer: the server is shutting down (or the caller left)."""

    status_code = 503


class UnknownModel(GenerationError):
    """No model of that name in the model registry."""

    status_code = 422


class LocalModelMissing(LLMUnavailable):
    """The embedded model is not installed (`python -m generation.llm.setup`)."""


class GenerationFailed(GenerationError):
    """The model's output stayed invalid after the allowed re-asks."""

    status_code = 502

    def __init__(self, message: str, *, attempts: list[dict[str, Any]], usage: dict[str, Any]):
        super().__init__(message)
        self.attempts = attempts
        self.usage = usage
