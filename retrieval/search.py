"""Hybrid search: vector (Chroma) and lexical (BM25) results fused by reciprocal rank.

Each side fetches a deep candidate list (`max(depth, depth_factor * k)`) under the same
filters; `retrieval.fusion` ranks the union (chunks a side scores equally share a rank).

A glossary (`retrieval/glossary.py`) widens the query before either side runs
(`retrieval/rewrite.py`): BM25 also scores the synonyms of the spec terms the query names, and
their translations as one concept each, at 1.0 (BENCHMARKS.md "Fifth pass"); a Chinese
question asks the vector side in English only when the encoder reads no Chinese, with the
English labels of the attributes it asks (`asked_vector`), which BM25 scores as one concept at
`asked_weight` 0.5 (BENCHMARKS.md "Tenth pass"), and its other words' dictionary glosses
(`retrieval/dictionary.py`, `dictionary_weight`, `dictionary_vector`: "Fourteenth pass").

Cars (`retrieval/entities.py`): when a query names cars, each side ranks once per car with the
chunks about that car (chunk metadata `cars`, a car with the base model it is a variant of)
preferred, `car_boost` 0.5 (a BM25 score counts double, a cosine distance half), interleaved
across cars; the names weigh `car_name_weight` 0.25 in BM25 (a footer that repeats "#日产#奇骏"
must not outrank the passage that answers), and a fused chunk about other cars only loses
`other_car_penalty` 0.3 of its score. Chosen on bench/questions/tune.jsonl, BENCHMARKS.md
"Retrieval": boost 0.3-0.6 and name weight 0.25 are a plateau (recall@5 0.91-0.93); a filter
with a fallback (boost 1) gave 0.85-0.89.

Facts (`retrieval/facts.py`): a query naming cars and a spec attribute adds a third ranking
in hybrid, each car's chunks that state its fact of that attribute: `fact_weight` 1.0 for two
or more cars (pairs found@5 17/24 → 20/24 on tune), `cross_fact_weight` 1.0 for one car the
corpus writes about in the other language only (`SecondSide.crosses`: its documents share few
words with the query), `single_fact_weight` 0.5 for another one car (BENCHMARKS.md "Eighth
pass": tune + tune_extra held out r@1 0.748 → 0.786, cross-lingual questions most).
A Chinese query adds the second collection's ranking (`retrieval/second.py`, `second_weight`;
an English one about Chinese pages, `crossed_second_weight`: `retrieval/crossing.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ingest.embedding import Embedder
from ingest.store import ChromaStore, Hit
from retrieval.batching import Coalescer
from retrieval.citations import Citation, citation
from retrieval.crossing import crossed_weights, into_chinese
from retrieval.dictionary import Dictionary, packaged
from retrieval.entities import Mention, QueryCars, named_in_text, without
from retrieval.errors import EmptyQuery, InvalidArgument
from retrieval.facts import FactSide, ceilings
from retrieval.filters import Filters, parse_filters, stored_names
from retrieval.fusion import (
    MODES,
    Mode,
    Part,
    Weights,
    interleave,
    penalise,
    prefer,
    promote,
    rank,
    round_robin,
)
from retrieval.glossary import Glossary
from retrieval.lexical import LexicalReader
from retrieval.nearest import Answer, Ask, coalescer
from retrieval.neighbors import Neighbor, attach
from retrieval.rewrite import read
from retrieval.second import SecondSide

log = logging.getLogger(__name__)

Events = Callable[[str, Mapping[str, Any]], None]
Ranked = list[tuple[str, float, Part]]


class Scores(BaseModel):
    """The parts behind a fused score; None where that side did not find the chunk."""

    vector: float | None = Field(default=None, description="cosine similarity")
    lexical: float | None = Field(default=None, description="BM25 score")
    vector_rank: int | None = Field(default=None, description="1-based rank among the vector hits")
    lexical_rank: int | None = Field(default=None, description="1-based rank among the BM25 hits")


class Result(BaseModel):
    """One retrieved chunk. `score` is what the mode ranks by, highest first, on one scale in
    every mode: each side's `weight / (rrf_k + rank)` (chunks a side scores equally share the
    mean of their ranks; a Chinese query's second collection is one more side in hybrid and
    vector, BM25's far-ahead first chunk counts twice in hybrid), summed, times
    `1 - other_car_penalty` for a chunk about other cars only when the query names a car, plus
    `fact_weight / (rrf_k + rank)` in hybrid for a comparison's chunk that states a named car's
    asked attribute, up to a ceiling (the cosine and the BM25 score are in `scores`)."""

    chunk_id: str
    text: str
    score: float
    scores: Scores
    citation: Citation
    neighbors: list[Neighbor] = Field(
        default_factory=list, description="adjacent chunks of the same document, in order"
    )


class Searcher:
    """Searches one collection. Build once; `search` is safe to call from many threads."""

    def __init__(
        self,
        *,
        store: ChromaStore,
        embedder: Embedder,
        lexical: LexicalReader,
        rrf_k: int = 5,
        vector_weight: float = 0.7,
        lexical_weight: float = 1.0,
        ties: bool = True,
        lead: float = 2.0,
        lead_bonus: float = 1.0,
        depth: int = 50,
        depth_factor: int = 5,
        max_k: int = 100,
        max_neighbors: int = 5,
        glossary: Glossary | None = None,
        synonym_weight: float = 1.0,
        translation_weight: float = 1.0,
        cars: Callable[[], QueryCars] | None = None,
        car_boost: float = 0.5,
        car_name_weight: float = 0.25,
        other_car_penalty: float = 0.3,
        car_pool: int = 10,
        proper_alone: bool = False,
        absent_car_run: bool = False,
        facts: FactSide | None = None,
        fact_weight: float = 1.0,
        fact_ceiling: int = 2,
        cross_fact_weight: float = 1.0,
        single_fact_weight: float = 0.5,
        asked_vector: bool = True,
        asked_weight: float = 0.5,
        second: SecondSide | None = None,
        second_weight: float = 1.0,
        crossed_second_weight: float = 3.0,
        dictionary: Callable[[], Dictionary | None] | None = packaged,
        dictionary_weight: float = 1.0,
        dictionary_vector: int = 3,
        document_name: Callable[[str], str] | None = None,
        stored_sources: Callable[[list[str]], list[str]] | None = None,
    ) -> None:
        self.store = store
        self.document_name = document_name or (lambda source: Path(source).name)  # for citations
        # a `source` filter's values (names as citations give them) → the paths chunks hold
        self.stored_sources = stored_sources
        self.cars, self.car_boost, self.car_name_weight = cars, car_boost, car_name_weight
        self.other_car_penalty = other_car_penalty
        self.car_pool, self.proper_alone = car_pool, proper_alone
        # True: a named car the pooled nearest chunks hold none of is ranked by those chunks
        # (the third and fourth passes' behaviour); False: that car has no vector ranking
        self.absent_car_run = absent_car_run
        self.facts = facts
        self.fact_weight, self.fact_ceiling = fact_weight, fact_ceiling
        self.cross_fact_weight, self.single_fact_weight = cross_fact_weight, single_fact_weight
        self.asked_vector, self.asked_weight = asked_vector, asked_weight  # `rewrite.read`
        self.second, self.second_weight = second, second_weight
        self.crossed_second_weight = crossed_second_weight  # `retrieval.crossing`
        self.dictionary, self.dictionary_weight = dictionary, dictionary_weight
        self.dictionary_vector = dictionary_vector
        self.glossary = glossary
        self.synonym_weight, self.translation_weight = synonym_weight, translation_weight
        self.embedder, self.lexical = embedder, lexical
        self.rrf_k, self.vector_weight, self.lexical_weight = rrf_k, vector_weight, lexical_weight
        self.ties, self.lead, self.lead_bonus = ties, lead, lead_bonus
        self.depth, self.depth_factor = depth, depth_factor
        self.max_k, self.max_neighbors = max_k, max_neighbors

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        filters: Filters | Mapping[str, Any] | None = None,
        mode: Mode = "hybrid",
        neighbors: int = 0,
        events: Events | None = None,
    ) -> list[Result]:
        """The `k` best chunks for `query`.

        Args:
            filters: exact-match metadata conditions (see `Filters`), applied on both sides.
            neighbors: attach up to this many chunks before and after each result.
            events: called as `events("retrieval.end", {...})` with timings and counts.
        """
        started = time.perf_counter()
        if not query or not query.strip():
            raise EmptyQuery("the query is empty")
        if mode not in MODES:
            raise InvalidArgument(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if not 1 <= k <= self.max_k:
            raise InvalidArgument(f"k must be between 1 and {self.max_k}, not {k}")
        if not 0 <= neighbors <= self.max_neighbors:
            raise InvalidArgument(f"neighbors must be between 0 and {self.max_neighbors}")
        conditions = stored_names(parse_filters(filters), self.stored_sources)
        # The same depth in every mode, so a single mode's ranking is the list hybrid fuses.
        depth = max(self.depth, self.depth_factor * k)
        timings: dict[str, float] = {}

        # The cars the query names (unless a filter already chose them): each side prefers
        # the chunks about each car, one ranking per car, interleaved.
        mentions = self._mentions(query) if conditions.car is None else []
        cars = [m.car for m in mentions]
        vector: list[list[Hit]] = [[]]
        lexical: list[list[tuple[str, float]]] = [[]]
        used: Mode = mode
        degraded = self.lexical.problem if mode == "hybrid" else None
        if degraded is not None:  # never rank by, or quote from, an index that failed its checks
            used = "vector"
            log.warning("hybrid search answered from vectors only: %s", degraded)
        crosses = (
            used == "hybrid" and self.second is not None and self.second.crosses(query, mentions)
        )
        reading = read(self, query, mentions)  # the glossary's, vocabulary's, dictionary's
        if used in ("lexical", "hybrid"):
            began = time.perf_counter()
            lexical = self.lexical.search_cars(
                without(query, mentions),
                k=depth,
                filters=conditions.conditions(),
                expansions=reading.concepts,
                cars=[m.family for m in mentions],
                boost=self.car_boost,
            )
            timings["lexical_ms"] = _ms(began)
        if used in ("vector", "hybrid"):
            vector = self._vector(
                reading.texts, conditions, mentions, depth, timings, used == "hybrid"
            )
        second = (  # a Chinese query's ranking in the second collection
            self.second.ranking(query, conditions.where(), depth, mentions, self.car_pool)
            if self.second is not None and used != "lexical"
            else {}
        )
        ranked = self._rank(vector, lexical, used, mentions, second, into_chinese(query, crosses))
        if used == "hybrid":
            ranked = self._facts(mentions, ranked, reading.asked, crosses)
        results: list[Result] = []
        while len(results) < k and ranked:  # more than one round only if ids were dropped
            batch, ranked = ranked[: k - len(results)], ranked[k - len(results) :]
            results += self._materialise(batch)
        if neighbors:
            attach(results, neighbors, self._chunks)
        timings["total_ms"] = _ms(started)
        if events is not None:
            _emit(
                events,
                "retrieval.end",
                {
                    "mode": mode,
                    "mode_used": used,
                    **({"degraded": _degraded_note(degraded)} if degraded else {}),
                    "k": k,
                    "results": len(results),
                    "vector_candidates": len({h.id for hits in vector for h in hits}),
                    "lexical_candidates": len({i for hits in lexical for i, _ in hits}),
                    "cars": cars,
                    **timings,
                },
            )
        return results

    def _facts(
        self, mentions: list[Mention], ranked: Ranked, asked: set[str], crosses: bool
    ) -> Ranked:
        """The fused ranking with the facts side's: for a comparison's cars, and for the car of
        a cross-lingual query (`crosses`: its fact's chunk first at the ceiling, `promote`)."""
        weight = self.fact_weight if len(mentions) > 1 else self.single_fact_weight
        if len(mentions) == 1 and crosses:
            weight = self.cross_fact_weight
        if self.facts is None or not mentions or weight <= 0:
            return ranked
        chosen = self.facts.ranking(asked, [m.family for m in mentions], [r[0] for r in ranked])
        caps = ceilings(ranked, chosen, self.lexical.cars_of, self.fact_ceiling)
        return promote(ranked, chosen, weight, self.rrf_k, caps, ahead=crosses)

    def _vector(
        self,
        texts: list[str],
        conditions: Filters,
        mentions: list[Mention],
        depth: int,
        timings: dict[str, float],
        hybrid: bool,
    ) -> list[list[Hit]]:
        """The vector side's rankings, one per named car (or one): the nearest chunks, those
        about the car preferred. In hybrid the car's chunks are taken, by their metadata,
        from `car_pool` times as many nearest chunks (one query per car's `cars` filter cost
        Chroma ~30 ms a car at 100k chunks); alone, vectors keep the filtered queries (pooled,
        tune r@5 0.876 → 0.771). A car the pool holds none of gets no vector ranking: the
        nearest chunks about other cars stood in for it and took rank 1 (BENCHMARKS.md
        "Fifth pass": tune + tune_extra r@1 0.681 → 0.686, every fold chose it)."""
        pooled = bool(mentions) and hybrid
        wheres = [conditions.where()]
        wheres += (
            []
            if pooled
            else [conditions.model_copy(update={"car": list(m.family)}).where() for m in mentions]
        )
        wide = depth * self.car_pool if pooled else depth
        groups = [[Ask(text, where, wide) for text in texts] for where in wheres]
        answers = self._nearest([ask for group in groups for ask in group])
        # The shared run's parts; the wait for a free encoder stream is in total_ms only.
        timings["embed_ms"] = answers[0].embed_ms
        timings["vector_ms"] = answers[0].chroma_ms
        timings["vector_batch"] = answers[0].batch
        left = iter(answers)
        runs = [interleave([next(left).hits for _ in group]) for group in groups]
        if not mentions:
            return runs
        if not pooled:
            return [prefer(own, runs[0], self.car_boost) for own in runs[1:]]
        run = runs[0]
        about = self.lexical.cars_of([hit.id for hit in run])
        owns = [
            [h for h in run if set(m.family) & set(about.get(h.id, ()))][:depth] for m in mentions
        ]
        return [
            prefer(own, run[:depth], self.car_boost) if own or self.absent_car_run else []
            for own in owns
        ]

    def _rank(
        self,
        vector: list[list[Hit]],
        lexical: list[list[tuple[str, float]]],
        mode: Mode,
        mentions: list[Mention],
        second: Mapping[str, int],
        into: bool,
    ) -> list[tuple[str, float, Part]]:
        """Each side's rankings (one per named car) interleaved, then fused (with the second
        collection's ranking; fusing per car, then interleaving lost pairs on tune; a query
        `into` Chinese pages: `retrieval.crossing`). BM25's far-ahead first chunk (`lead`) is
        no lead when it is about other cars only."""
        bm25 = round_robin(lexical, key=lambda hit: hit[0], limit=max(map(len, lexical)))
        own = Weights(**{f.name: getattr(self, f.name) for f in fields(Weights)})
        weights, second_weight = crossed_weights(own, self.second_weight, self, into=into)
        named = {c for m in mentions for c in m.family}
        leader = self._about([bm25[0][0]], named).get(bm25[0][0], ()) if named and bm25 else ()
        if leader and named.isdisjoint(leader):  # about other cars only
            weights = replace(weights, lead=0.0)
        vectors = round_robin(vector, key=lambda hit: hit.id, limit=max(map(len, vector)))
        ranked = rank(vectors, bm25, mode, weights)
        ranked = promote(ranked, second, second_weight, self.rrf_k)
        if mentions and self.other_car_penalty > 0:
            about = self._about([chunk_id for chunk_id, _, _ in ranked], named)
            ranked = penalise(ranked, about, named, self.other_car_penalty)
        return ranked

    @cached_property
    def _nearest(self) -> Coalescer[Ask, Answer]:
        """The vector side of concurrent searches, run together (`retrieval.nearest`)."""
        return coalescer(self.embedder, self.store)

    def _about(self, ids: list[str], named: set[str]) -> dict[str, tuple[str, ...]]:
        """The cars each chunk is about: its metadata's, and a named car its text names by a
        name that needs no make (`retrieval.entities.named_in_text`)."""
        about = dict(self.lexical.cars_of(ids))
        names = self.cars().names(named) if self.cars is not None else None
        if names is None:
            return about
        return named_in_text(about, ids, named, names, self.lexical.passages)

    def _mentions(self, query: str) -> list[Mention]:
        """The cars `query` names; with none, the cars of a make written about in Chinese only
        that an English query names (`SecondSide.makes`)."""
        if self.cars is None:
            return []
        found = self.cars().find(query, proper_alone=self.proper_alone)
        return found or ([] if self.second is None else self.second.makes(query, self.cars()))

    def _chunks(self, ids: list[str]) -> dict[str, tuple[str, Mapping[str, Any]]]:
        """Text and metadata of the chunks with these ids. From the lexical index while it is
        in step with Chroma (a Chroma read cost about 1.5 ms of a query's CPU at 100k chunks);
        otherwise from Chroma, the truth: an id the lexical index still lists but Chroma no
        longer holds is left out."""
        found: dict[str, tuple[str, Mapping[str, Any]]] = dict(self.lexical.passages(ids))
        missing = [chunk_id for chunk_id in ids if chunk_id not in found]
        if missing:
            found.update((h.id, (h.text, h.metadata)) for h in self.store.get(missing))
        return found

    def fetch(self, ids: Sequence[str]) -> list[Result]:
        """The chunks with these ids, as results (score 0), in the order asked; ids no longer
        stored are left out. Generation cites a fact by the chunk that holds its evidence."""
        return self._materialise([(chunk_id, 0.0, Part()) for chunk_id in dict.fromkeys(ids)])

    def _materialise(self, ranked: list[tuple[str, float, Part]]) -> list[Result]:
        """Results for the kept ids that still exist."""
        found = self._chunks([chunk_id for chunk_id, _, _ in ranked])
        return [
            Result(
                chunk_id=chunk_id,
                text=found[chunk_id][0],
                score=score,
                scores=Scores(**asdict(part)),
                citation=citation(found[chunk_id][1], self.document_name),
            )
            for chunk_id, score, part in ranked
            if chunk_id in found
        ]


def _degraded_note(problem: str) -> str:
    return (
        f"hybrid search answered from vectors only: {problem}; the lexical index is being "
        "rebuilt from Chroma"
    )


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 3)


def _emit(events: Events, name: str, payload: Mapping[str, Any]) -> None:
    try:
        events(name, payload)
    except Exception:  # a failing observer must never break a search
        log.exception("event handler failed on %s", name)
