"""The second vector side: a Chinese question's nearest chunks in the second collection
(`ingest.second`: the mostly-Chinese chunks, embedded by a multilingual model), one more
ranking in fusion, `second_weight / (rrf_k + rank)`.

MiniLM reads no Chinese, so for a Chinese question the main vector side only has the
question's English words and glossary terms to go on. The second model reads the question as
written. English questions do not ask it (the query p50 target is for them, and a second
encoder run and Chroma call cost ~2-3 ms), unless `english_cars` is on and they name a car
the corpus writes about in Chinese only (an English question about a Chinese article).

When the query names cars, each car is ranked by its own chunks among `car_pool` times as
many nearest chunks to the query without the names, as the main side pools them (one ranking
per car, interleaved); a car the hits hold none of gets no ranking, and a query none of whose
cars the hits hold gets none from this side. An English question about cars written about in
Chinese only weighs this side `crossed_second_weight` (`retrieval/crossing.py`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ingest.analysis import has_han
from ingest.embedding import Embedder
from ingest.errors import ModelMismatch
from ingest.second import SecondCollection
from ingest.store import ChromaStore
from retrieval.batching import Coalescer
from retrieval.entities import Mention, QueryCars, Refreshing, without
from retrieval.fusion import round_robin
from retrieval.lexical import LexicalReader
from retrieval.nearest import Answer, Ask, coalescer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Held:
    """What the second collection holds, read once per index generation."""

    chunks: int
    only: frozenset[str]  # the cars whose every chunk is here: written about in Chinese only
    chinese: frozenset[str] = frozenset()  # the cars with a chunk here: some Chinese text
    cars: frozenset[str] = frozenset()  # every car the main collection has chunks about

    @classmethod
    def read(cls, store: ChromaStore, everywhere: Callable[[], Counter[str]]) -> Held:
        """`everywhere`: the main collection's chunks per car. Nothing when the collection is
        another model's (the next ingest builds it again)."""
        here: Counter[str] = Counter()
        if store.existing() is None:  # an index from before it: a reader creates nothing
            log.warning(
                "no second collection %r yet: Chinese queries use the main collection only "
                "until the next ingest or server start builds it",
                store.collection_name,
            )
            return cls(0, frozenset())
        try:
            rows = list(store.iter_chunks())
        except ModelMismatch:
            return cls(0, frozenset())
        for _, _, metadata in rows:
            here.update(str(car) for car in metadata.get("cars") or ())
        total = everywhere()
        only = frozenset(c for c, n in here.items() if n >= total.get(c, 0))
        return cls(len(rows), only, frozenset(here), frozenset(total))


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
        lexical: LexicalReader,
    ) -> SecondSide:
        """The side searching `collection`, what it holds read again when the lexical
        index's generation (which an ingest renews after syncing the collection) moves."""
        store = collection.store
        return cls(
            store=store,
            embedder=collection.embedder,
            held=Refreshing(
                lambda: Held.read(store, lexical.car_counts), lambda: lexical.generation
            ),
            cars_of=lexical.cars_of,
        )

    @cached_property
    def _nearest(self) -> Coalescer[Ask, Answer]:
        return coalescer(self.embedder, self.store)

    def asked(self, query: str, mentions: Sequence[Mention]) -> bool:
        """Whether `query` asks this side: a Chinese question (or, with `english_cars`, one
        naming a car written about in Chinese only), when the collection holds any chunk."""
        held = self.held()
        if not held.chunks:
            return False
        if has_han(query):
            return True
        return self.english_cars and any(held.only.intersection(m.family) for m in mentions)

    def crosses(self, query: str, mentions: Sequence[Mention]) -> bool:
        """Whether `query` asks about cars the corpus writes about in the other language only:
        a Chinese query none of whose cars has a chunk here, an English one whose every car
        has its chunks here only. False for a query naming no car, or with nothing here."""
        held = self.held()
        if not mentions or not held.chunks:
            return False
        if has_han(query):
            return all(held.chinese.isdisjoint(m.family) for m in mentions)
        return all(held.only.intersection(m.family) for m in mentions)

    def makes(self, query: str, cars: QueryCars) -> list[Mention]:
        """For an English query that names no car but a make every car of which the index
        knows is written about in Chinese only ("At what price did Xpeng list?"): those cars,
        as one mention (`car` the first of them); none otherwise. A make of English documents
        stays no car: "Toyota" would name every Toyota (tune + tune_extra r@1 0.786 → 0.776)."""
        held = self.held()
        if has_han(query) or not held.only:
            return []
        index = cars.index
        for hit in index.find(query):
            made = sorted(
                c
                for c in held.cars
                if index.model_brand.get(c) == hit.brand or c.startswith(f"{hit.brand}-")
            )
            if hit.car is None and made and held.only.issuperset(made):
                return [Mention(made[0], hit.start, hit.end, tuple(made))]
        return []

    def ranking(
        self,
        query: str,
        where: dict[str, Any] | None,
        depth: int,
        mentions: Sequence[Mention],
        pool: int = 1,
    ) -> dict[str, int]:
        """Chunk id → 1-based rank of the nearest chunks to `query`; empty when the query
        does not ask this side (`asked`). A query naming cars: each car's own chunks among
        `pool` times as many nearest chunks to what the query asks of it (the query without
        the names, `retrieval.entities.without`), interleaved across cars. Among one car's
        chunks the names only pull the ones that repeat them (an introduction): the Xingchen's
        rivals, asked in English, ranked the article's opening first (BENCHMARKS.md "Eleventh
        pass": tune files r@1 0.712 → 0.722, every fold chose it)."""
        if not self.asked(query, mentions):
            return {}
        held = self.held().chunks
        if not mentions:
            runs = [self._nearest([Ask(query, where, min(depth, held))])[0].hits]
        else:
            text = without(query, mentions)
            hits = self._nearest([Ask(text, where, min(depth * pool, held))])[0].hits
            about = self.cars_of([hit.id for hit in hits])
            # a car none of the hits is about gets no ranking, and a query whose cars none
            # is about none at all: the nearest Chinese chunks about other cars would vote
            # for an English document's car (丰田凯美瑞的油耗 → an NIO page)
            owns = [[h for h in hits if set(m.family) & set(about.get(h.id, ()))] for m in mentions]
            runs = [own[:depth] for own in owns if own]
        if not runs:
            return {}
        merged = round_robin(runs, key=lambda hit: hit.id, limit=depth)
        return {hit.id: n for n, hit in enumerate(merged, 1)}
