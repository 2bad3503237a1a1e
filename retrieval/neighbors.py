"""The chunks beside a search result in its document (`Searcher.search(..., neighbors=n)`):
the text around a passage, for a reader or a prompt that needs more than the chunk."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from pydantic import BaseModel

from ingest.document import chunk_id
from retrieval.citations import Citation


class Neighbor(BaseModel):
    chunk_id: str
    chunk_index: int
    text: str


class Placed(Protocol):
    """A search result: where its chunk is, and the neighbours it is given."""

    citation: Citation
    neighbors: list[Neighbor]


def attach(
    results: Sequence[Placed],
    n: int,
    chunks: Callable[[list[str]], Mapping[str, tuple[str, Any]]],
) -> None:
    """Give each result the chunks up to `n` before and after it (`beside`)."""
    places = [(r.citation.doc_id, r.citation.chunk_index) for r in results]
    for result, near in zip(results, beside(places, n, chunks), strict=True):
        result.neighbors = near


def beside(
    places: Sequence[tuple[str | None, int | None]],
    n: int,
    chunks: Callable[[list[str]], Mapping[str, tuple[str, Any]]],
) -> list[list[Neighbor]]:
    """For each (document id, chunk index), the chunks up to `n` before and after it that
    `chunks` still finds, in order; none for a place without a document or an index."""
    spans = [
        range(max(0, index - n), index + n + 1) if doc and index is not None else range(0)
        for doc, index in places
    ]
    pairs = list(zip(places, spans, strict=True))
    found = chunks(list(dict.fromkeys(chunk_id(str(doc), i) for (doc, _), s in pairs for i in s)))
    return [
        [
            Neighbor(chunk_id=near, chunk_index=i, text=found[near][0])
            for i in span
            if i != index and (near := chunk_id(str(doc), i)) in found
        ]
        for (doc, index), span in pairs
    ]
