"""The second vector side: a Chinese question's nearest chunks in the second collection
(`ingest.second`: the mostly-Chinese chunks, embedded by a multilingual model), one more
ranking in fusion, `second_weight / (rrf_k + rank)`.

MiniLM reads no Chinese, so for a Chinese question the main vector side only has the
question's English words and glossary terms to go on. The second model reads the question as
written. English questions do not ask it (the query p50 target is for them, and a second
encoder run and Chroma call cost ~2-3 ms), unless `english_cars` is on and they name a car
the second collection holds chunks about (an English question about a Chinese article).

When the query names cars, the car's chunks among the hits are preferred as on the main
side (`car_boost`; one ranking per car, interleaved), and a car the hits hold none of gets
no ranking of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ingest.embedding import Embedder
from ingest.errors import ModelMismatch
from ingest.second import SecondCollection
from ingest.store import ChromaStore, Hit
from retrieval.batching import Coalescer
from retrieval.entities import Mention, Refreshing
from retrieval.fusion import prefer, round_robin
from retrieval.glossary import has_han
from retrieval.nearest import Answer, Ask, coalescer


@dataclass(frozen=True, slots=True)
class Held:
    """What the second collection holds, read once per index generation."""

    chunks: int
    cars: frozenset[str]

    @classmethod
    def read(cls, store: ChromaStore) -> Held:
        """Nothing when the collection is another model's (the next ingest builds it again)."""
        cars: set[str] = set()
        chunks = 0
        try:
            rows = list(store.iter_chunks())
        except ModelMismatch:
            return cls(0, frozenset())
        for _, _, metadata in rows:
            chunks += 1
            cars.update(str(car) for car in metadata.get("cars") or ())
        return cls(chunks, frozenset(cars))


class SecondSide:
    """Searches the second collection. `held` says what it holds (refreshed by the caller
    when the index changes)."""

    def __init__(
        self,
        *,
        store: ChromaStore,
        embedder: Embedder,
        held: Callable[[], Held],
        cars_of: Callable[[list[str]], Mapping[str, tuple[str, ...]]],
        english_cars: bool = True,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.held = held
        self.cars_of = cars_of  # chunk id → the cars it is about (the lexical index's)
        self.english_cars = english_cars

    @classmethod
    def of(
        cls,
        collection: SecondCollection,
        generation: Callable[[], Hashable],
        cars_of: Callable[[list[str]], Mapping[str, tuple[str, ...]]],
    ) -> SecondSide:
        """The side searching `collection`, what it holds read again when `generation()`
        (the lexical index's, which an ingest renews after syncing the collection) moves."""
        store = collection.store
        return cls(
            store=store,
            embedder=collection.embedder,
            held=Refreshing(lambda: Held.read(store), generation),
            cars_of=cars_of,
        )

    @cached_property
    def _nearest(self) -> Coalescer[Ask, Answer]:
        return coalescer(self.embedder, self.store)

    def asked(self, query: str, mentions: Sequence[Mention]) -> bool:
        """Whether `query` asks this side: a Chinese question (or, with `english_cars`, one
        naming a car the collection holds chunks about), when the collection holds any."""
        held = self.held()
        if not held.chunks:
            return False
        if has_han(query):
            return True
        return self.english_cars and any(held.cars.intersection(m.family) for m in mentions)

    def ranking(
        self,
        query: str,
        where: dict[str, Any] | None,
        depth: int,
        mentions: Sequence[Mention],
        boost: float,
    ) -> dict[str, int]:
        """Chunk id → 1-based rank of the nearest chunks to `query`, each named car's
        preferred (`boost`, as `retrieval.fusion.prefer`), interleaved across cars; empty
        when the query does not ask this side (`asked`)."""
        if not self.asked(query, mentions):
            return {}
        hits = self._nearest([Ask(query, where, min(depth, self.held().chunks))])[0].hits
        runs: list[list[Hit]] = [hits]
        if mentions:
            about = self.cars_of([hit.id for hit in hits])
            owns = [[h for h in hits if set(m.family) & set(about.get(h.id, ()))] for m in mentions]
            runs = [prefer(own, hits, boost) for own in owns if own] or [hits]
        merged = round_robin(runs, key=lambda hit: hit.id, limit=depth)
        return {hit.id: n for n, hit in enumerate(merged, 1)}
