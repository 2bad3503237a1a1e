"""`POST /v1/query`: hybrid, vector or lexical search with filters and citations."""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import Authorized, SearcherDep, SearchLimiterDep, ServicesDep
from api.validation import filters_are_text, not_blank, require_text
from generation.errors import UnknownCarFilter
from retrieval.filters import Filters
from retrieval.fusion import Mode
from retrieval.search import Result

MAX_QUERY_CHARS = 2000
MAX_K = 50
MAX_NEIGHBORS = 5

router = APIRouter(tags=["query"], dependencies=Authorized)


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Annotated[str, not_blank("the query")] = Field(
        min_length=1, max_length=MAX_QUERY_CHARS, description="the question"
    )
    k: int = Field(5, ge=1, le=MAX_K, description="results to return")
    filters: Filters | None = Field(None, description="exact-match metadata conditions")
    mode: Mode = Field("hybrid", description="hybrid (RRF of both), vector or lexical")
    neighbors: int = Field(
        0, ge=0, le=MAX_NEIGHBORS, description="adjacent chunks to attach on each side"
    )

    @field_validator("query")
    @classmethod
    def _query_is_text(cls, value: str) -> str:
        require_text(value, "the query")
        return value

    @field_validator("filters")
    @classmethod
    def _filters_are_text(cls, value: Filters | None) -> Filters | None:
        return filters_are_text(value)


class TraceEvent(BaseModel):
    event: str
    data: dict[str, Any]


class QueryResponse(BaseModel):
    query: str
    mode: Mode
    k: int
    results: list[Result]
    took_ms: float
    trace: list[TraceEvent] = Field(default_factory=list, description="retrieval steps")


@router.post("/v1/query")
async def query(
    body: QueryRequest, searcher: SearcherDep, limiter: SearchLimiterDep, services: ServicesDep
) -> QueryResponse:
    """Search the index: the `k` best chunks with scores and citations."""
    started = time.perf_counter()
    if body.filters is not None and body.filters.car is not None:
        await anyio.to_thread.run_sync(_known_cars, services, body.filters.car)
    trace: list[TraceEvent] = []

    def record(event: str, data: Mapping[str, Any]) -> None:
        trace.append(TraceEvent(event=event, data=dict(data)))

    search = partial(
        searcher.search,
        body.query,
        k=body.k,
        filters=body.filters,
        mode=body.mode,
        neighbors=body.neighbors,
        events=record,
    )
    # In a worker thread (the search blocks), at most `search_threads` at once.
    results = await anyio.to_thread.run_sync(search, limiter=limiter)
    return QueryResponse(
        query=body.query,
        mode=body.mode,
        k=body.k,
        results=results,
        took_ms=round((time.perf_counter() - started) * 1000, 3),
        trace=trace,
    )


def _known_cars(services: ServicesDep, cars: str | list[str]) -> None:
    """A `filters.car` no document is about is a 422 naming the field and close matches, not
    an empty result that looks like "nothing relevant"."""
    registry = services.cars
    for car_id in [cars] if isinstance(cars, str) else cars:
        if registry.car(car_id) is None:
            raise UnknownCarFilter.among(registry, car_id, field="filters.car")
