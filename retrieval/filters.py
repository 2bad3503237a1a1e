"""Metadata filters, applied inside both searches (Chroma `where` and the BM25 weight mask)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from retrieval.errors import InvalidFilter

FIELDS = ("source", "file_type", "title", "section", "doc_id", "car")
# Values one field may list. Chroma turns `$in` into one SQL variable per value, and SQLite
# refuses a statement with more than 32,766 of them (a 500); no real query needs more than this.
MAX_FILTER_VALUES = 1000


class Filters(BaseModel):
    """Exact-match conditions; a list means any of its values. All given fields must match.

    `source` is the document as citations name it (its path below its ingest root, or the
    upload's name; the searcher maps it to the stored paths; the server's path works too);
    `title` is the document title (the car model for most files); `section` the heading path
    joined with " > "; `car` a car id (`GET /v1/cars`): the chunks about that car (a chunk may
    be about several).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | list[str] | None = None
    file_type: str | list[str] | None = None
    title: str | list[str] | None = None
    section: str | list[str] | None = None
    doc_id: str | list[str] | None = None
    car: str | list[str] | None = None

    @field_validator("*")
    @classmethod
    def _non_empty(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and not value:
            raise ValueError("a list of values must not be empty")
        if isinstance(value, list) and len(value) > MAX_FILTER_VALUES:
            raise ValueError(
                f"{len(value)} values; a filter field accepts at most {MAX_FILTER_VALUES}"
            )
        return value

    def conditions(self) -> dict[str, list[str]]:
        """Field → accepted values, for the fields that were given."""
        found: dict[str, list[str]] = {}
        for field in FIELDS:
            value = getattr(self, field)
            if value is not None:
                found[field] = [value] if isinstance(value, str) else list(dict.fromkeys(value))
        return found

    def where(self) -> dict[str, Any] | None:
        """The same conditions as a Chroma `where` clause (None when there are none)."""
        clauses: list[dict[str, Any]] = [
            _clause(field, values) for field, values in self.conditions().items()
        ]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _clause(field: str, values: list[str]) -> dict[str, Any]:
    if field == "car":  # chunk metadata `cars` is a list of car ids
        anyof: list[dict[str, Any]] = [{"cars": {"$contains": v}} for v in values]
        return anyof[0] if len(anyof) == 1 else {"$or": anyof}
    return {field: values[0]} if len(values) == 1 else {field: {"$in": values}}


def parse_filters(raw: Filters | Mapping[str, Any] | None) -> Filters:
    """A `Filters` from a model or a plain mapping; unknown fields raise `InvalidFilter`."""
    if raw is None:
        return Filters()
    if isinstance(raw, Filters):
        return raw
    if not isinstance(raw, Mapping):
        raise InvalidFilter(f"filters must be an object, not {type(raw).__name__}")
    unknown = sorted(str(key) for key in raw if key not in FIELDS)
    if unknown:
        raise InvalidFilter(
            f"unknown filter field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}"
        )
    try:
        return Filters.model_validate(dict(raw))
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise InvalidFilter(f"invalid filters: {problems}") from e


def stored_names(
    found: Filters, stored_sources: Callable[[list[str]], list[str]] | None
) -> Filters:
    """`found` with a `source` given by name mapped to the paths the chunks hold."""
    if found.source is None or stored_sources is None:
        return found
    return found.model_copy(update={"source": stored_sources(found.conditions()["source"])})
