"""The vector side of concurrent searches, run together: their query texts in one encoder
run, then one Chroma query per filter and depth.

Four searches in one run cost ~4 ms of encoder and ~1.6 ms of Chroma CPU each here, against
~6 and ~2.7 alone; a search that finds a slot free runs at once. A run per encoder stream, and
at least two, so that one run's Chroma queries overlap the next run's encoding. A failed run
is retried search by search unless the store or the model failed (an `IngestError`: nobody's
input, and a retry would only repeat it).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from ingest.embedding import Embedder
from ingest.embedding.model import QUERY_BATCH
from ingest.errors import IngestError
from ingest.store import ChromaStore, Hit
from retrieval.batching import Coalescer


@dataclass(frozen=True, slots=True)
class Ask:
    """One vector query: a text, the Chroma where clause (None for none), the depth."""

    text: str
    where: dict[str, Any] | None
    depth: int


@dataclass(frozen=True, slots=True)
class Answer:
    hits: list[Hit]
    embed_ms: float  # the shared run's encoder time
    chroma_ms: float  # and its Chroma queries'
    batch: int  # query texts in that run


def coalescer(embedder: Embedder, store: ChromaStore) -> Coalescer[Ask, Answer]:
    """Runs of `run` shared by the searches that ask at the same time."""
    return Coalescer(
        lambda asks: run(embedder, store, asks),
        slots=max(2, embedder.streams),
        max_items=QUERY_BATCH,
        alone_on_error=lambda error: not isinstance(error, IngestError),
    )


def run(embedder: Embedder, store: ChromaStore, asks: list[Ask]) -> list[Answer]:
    """Each ask's nearest chunks: each text encoded once, one Chroma call per distinct
    (where clause, depth)."""
    began = time.perf_counter()
    # Each text once: a search asks with the same text under each named car's filter.
    texts = list(dict.fromkeys(ask.text for ask in asks))
    vectors = embedder.embed_queries(texts)
    rows_of = {text: row for row, text in enumerate(texts)}
    vectors = vectors[[rows_of[ask.text] for ask in asks]]
    embed_ms = _ms(began)
    # Where clauses are dicts: grouped by their JSON.
    groups: dict[tuple[str, int], list[int]] = {}
    for row, ask in enumerate(asks):
        groups.setdefault((json.dumps(ask.where, sort_keys=True), ask.depth), []).append(row)
    began = time.perf_counter()
    hits: dict[int, list[Hit]] = {}
    for (_, depth), rows in groups.items():
        where = asks[rows[0]].where
        lists = store.query_many(vectors[rows], k=depth, where=where, hydrate=False)
        hits.update(zip(rows, lists, strict=True))
    chroma_ms = _ms(began)
    return [Answer(hits[row], embed_ms, chroma_ms, len(asks)) for row in range(len(asks))]


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 3)
