"""Checks the request bodies of several routes share: text that is text, and length limits."""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator

from retrieval.filters import Filters

MAX_CONTENT_CHARS = 100_000  # per OpenAI-style message or embedding input


def require_text(value: str, what: str) -> None:
    """A lone surrogate ("\\ud800" in JSON) is not text: tokenizers and Chroma refuse it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"{what} holds a lone surrogate, not text") from e


def filters_are_text(value: Filters | None) -> Filters | None:
    """Every accepted filter value is text (`require_text`); the filters, unchanged."""
    for field, accepted in (value.conditions() if value else {}).items():
        for item in accepted:
            require_text(item, f"filter {field}")
    return value


def not_blank(what: str) -> BeforeValidator:
    """A text field's check that it holds something: "" and "   " are one error, `what` "is
    empty" (a value_error naming the field, 422), before any length limit is looked at."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError(f"{what} is empty")
        return value

    return BeforeValidator(check)
