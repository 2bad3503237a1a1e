"""The BM25 reader's scorer and top k (retrieval/bm25.py) against the formula, on a synthetic
corpus in a real Chroma store and a real lexical index, and against the code they replaced."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from ingest.analysis import query_tokens, tokenize
from ingest.lexical.boilerplate import Boilerplate
from ingest.lexical.format import BM25_PARAMS, lexical_text
from ingest.lexical.writer import LexicalIndex
from ingest.store import ChromaStore
from retrieval.bm25 import BLOCK, Postings, top
from retrieval.lexical import Concept, LexicalReader

WORDS = (
    "torque engine battery range charging boot litres airbag wheelbase turbo hybrid diesel "
    "gearbox seats tyre brake 1.5T 2.0L 270Nm 66kWh 520km CVT AWD 续航 电池 发动机 扭矩"
).split()
CARS = [[], ["aurora"], ["lumen"], ["aurora", "lumen"], ["zephyr"]]
QUERIES = [
    "torque of the turbo engine",
    "battery range 66kWh",
    "1.5T CVT gearbox",
    "续航 电池",
    "boot litres seats",
    "airbag",
    "zeppelin",  # no chunk has it
]
EXPANSIONS = [
    (),
    (Concept(1.0, ("wheelbase", "tyre brake")),),
    (Concept(0.5, ("发动机 扭矩", "续航"), per_token=True), Concept(0.25, ("aurora",))),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[ChromaStore, Path]:
    """240 chunks of random spec words in 30 documents, some chunks copied into other
    documents word for word (exact ties), with cars and file types to filter and prefer."""
    rng = random.Random(20261204)
    ids, texts, metadatas = [], [], []
    for doc in range(30):
        for index in range(8):
            if ids and rng.random() < 0.15:
                text = texts[rng.randrange(len(texts))]  # a duplicate: ties with its source
            else:
                lines = [" ".join(rng.choices(WORDS, k=rng.randint(1, 7))) for _ in range(3)]
                text = "\n".join(lines)
            ids.append(f"d{doc:02d}:{index}")
            texts.append(text)
            metadata: dict[str, Any] = {
                "source": f"/corpus/d{doc:02d}.md",
                "doc_id": f"d{doc:02d}",
                "file_type": "md" if doc % 3 else "txt",
                "header": "Specs",
                "chunk_index": index,
            }
            cars = CARS[doc % len(CARS)]
            if cars:
                metadata["cars"] = cars
            metadatas.append(metadata)
    folder = tmp_path_factory.mktemp("bm25")
    store = ChromaStore(collection="bm25", model_name="synthetic", path=folder / "chroma")
    vectors = np.random.default_rng(0).normal(size=(len(ids), 8)).astype(np.float32)
    store.upsert(ids, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), texts, metadatas)
    LexicalIndex(folder / "lexical").rebuild(store)
    return store, folder / "lexical"


class Formula:
    """BM25 as bm25s' "lucene" method defines it, in float64 over the tokens the writer
    indexes: idf = ln(1 + (N - df + 0.5) / (df + 0.5)), and per occurrence count tf in a chunk
    of length dl, idf · tf / (k1 · (1 - b + b · dl / avgdl) + tf)."""

    def __init__(self, store: ChromaStore) -> None:
        chunks = list(store.iter_chunks())  # the writer's order: a chunk's row
        boilerplate = Boilerplate.find((text, metadata) for _, text, metadata in chunks)
        self.ids = [chunk_id for chunk_id, _, _ in chunks]
        self.metadata = [metadata for _, _, metadata in chunks]
        self.counts = [
            Counter(tokenize(lexical_text(boilerplate.strip(text, metadata), metadata)))
            for _, text, metadata in chunks
        ]
        lengths = [sum(c.values()) for c in self.counts]
        self.norms = [
            BM25_PARAMS["k1"] * (1 - BM25_PARAMS["b"] + BM25_PARAMS["b"] * n / np.mean(lengths))
            for n in lengths
        ]
        self.df = Counter(t for c in self.counts for t in c)

    def term(self, token: str, row: int) -> float:
        tf, df, n = self.counts[row][token], self.df[token], len(self.ids)
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf / (self.norms[row] + tf) if tf else 0

    def scores(
        self,
        query: str,
        expansions: Sequence[Concept],
        filters: Mapping[str, Sequence[str]],
    ) -> list[float] | None:
        own = query_tokens(query)
        matched = any(t in self.df for t in own)
        scores = [sum(self.term(t, row) for t in own) for row in range(len(self.ids))]
        for concept in expansions:
            parts = []
            for term in concept.terms:
                tokens = query_tokens(term)
                extra = [t for t in tokens if t not in own]
                if concept.weight <= 0 or not any(t in self.df for t in extra):
                    continue
                divisor = len(tokens) if concept.per_token else 1
                parts.append(
                    [sum(self.term(t, r) for t in extra) / divisor for r in range(len(scores))]
                )
            if parts:
                matched = True
                scores = [
                    s + concept.weight * max(p[r] for p in parts) for r, s in enumerate(scores)
                ]
        if not matched:
            return None
        return [s if self.accepts(row, filters) else 0.0 for row, s in enumerate(scores)]

    def accepts(self, row: int, filters: Mapping[str, Sequence[str]]) -> bool:
        metadata = self.metadata[row]
        for name, accepted in filters.items():
            held = metadata.get("cars", []) if name == "car" else [metadata.get(name)]
            if not set(held) & set(accepted):
                return False
        return True

    def ranking(
        self, scores: list[float], car: Sequence[str], boost: float
    ) -> list[tuple[int, float, float]]:
        """(row, keyed, score) of every scoring chunk, best first, ties by row."""
        lift = max(scores) + 1.0
        ranked = []
        for row, score in enumerate(scores):
            if score <= 0:
                continue
            about = bool(set(car) & set(self.metadata[row].get("cars", [])))
            keyed = score
            if about and boost >= 1:
                keyed = score + lift
            elif about and boost > 0:
                keyed = score / (1 - boost)
            ranked.append((row, keyed, score))
        return sorted(ranked, key=lambda hit: (-hit[1], hit[0]))


def _same(
    expected: list[tuple[int, float, float]], got: list[tuple[str, float]], ids: list[str], k: int
) -> None:
    """`got` is the formula's top `k`: the same scores place by place; the same chunks,
    except that among chunks tying (to float32 precision) the choice and order are free."""
    assert len(got) == min(k, len(expected))
    for place, ((_, _, score), (_, found)) in enumerate(zip(expected, got, strict=False)):
        assert found == pytest.approx(score, rel=1e-5), place

    def tied(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=1e-5)

    for place, (chunk_id, _) in enumerate(got):
        keyed = expected[place][1]
        group = {ids[row] for row, value, _ in expected if tied(value, keyed)}
        assert chunk_id in group, (place, chunk_id)
    keyed_of = {ids[row]: value for row, value, _ in expected}
    for (a, _), (b, _) in zip(got, got[1:], strict=False):
        if keyed_of[a] == keyed_of[b]:  # exact ties (copied chunks): by row
            assert ids.index(a) < ids.index(b)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("expansions", EXPANSIONS)
def test_search_ranks_as_the_formula(
    corpus: tuple[ChromaStore, Path], query: str, expansions: Sequence[Concept]
) -> None:
    store, directory = corpus
    formula = Formula(store)
    reader = LexicalReader(directory)
    cars = [["aurora"], ["lumen", "zephyr"]]
    for filters in ({}, {"file_type": ["txt"]}, {"car": ["lumen"]}, {"doc_id": ["none"]}):
        scores = formula.scores(query, expansions, filters)
        for k in (1, 5, 20, 400):
            plain = reader.search(query, k=k, filters=filters or None, expansions=expansions)
            for boost in (0.0, 0.5, 1.0):
                per_car = reader.search_cars(
                    query,
                    k=k,
                    filters=filters or None,
                    expansions=expansions,
                    cars=cars,
                    boost=boost,
                )
                if scores is None or not any(scores):
                    assert plain == [] and per_car == [[], []]
                    continue
                _same(formula.ranking(scores, [], 0.0), plain, formula.ids, k)
                for car, got in zip(cars, per_car, strict=True):
                    _same(formula.ranking(scores, car, boost), got, formula.ids, k)


def test_postings_sum_to_the_bit_what_bm25s_sums(corpus: tuple[ChromaStore, Path]) -> None:
    import bm25s

    _, directory = corpus
    generation = LexicalReader(directory).generation
    assert generation is not None
    model = bm25s.BM25.load(str(directory / generation / "bm25"), mmap=True)
    postings = Postings.of(model)
    rng = np.random.default_rng(1)
    mask = (rng.random(postings.count) < 0.6).astype(np.float32)
    for size in (1, 2, 5, 12):
        terms = rng.choice(len(postings.start) - 1, size=size, replace=False).tolist()
        for weights in (None, mask):
            expected = model.get_scores_from_ids(terms, weight_mask=weights)
            assert np.array_equal(postings.scores(terms, weights), expected)


def _argpartition_top(
    scores: NDArray[np.float32], keyed: NDArray[np.float32], k: int
) -> NDArray[np.intp]:
    """The top k as `retrieval.lexical` took it before `retrieval.bm25.top`."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-keyed[candidates], k - 1)[:k]]
    return candidates[np.lexsort((candidates, -keyed[candidates]))]


@pytest.mark.parametrize("distinct", [3, 50, 100_000])  # few distinct values: many ties
def test_top_picks_what_argpartition_picked(distinct: int) -> None:
    rng = np.random.default_rng(distinct)
    for count in (10, BLOCK * 3, 5_000, 40_000):
        for positive in (0.0, 0.01, 0.4, 1.0):
            scores = rng.integers(1, distinct + 1, count).astype(np.float32) / distinct
            scores[rng.random(count) >= positive] = 0
            about = rng.random(count) < 0.3
            boosted = scores.copy()
            np.divide(scores, 0.5, out=boosted, where=about)
            assert np.array_equal(boosted, np.where(about, scores / 0.5, scores))
            for keyed in (scores, boosted):
                for k in (1, 5, 50, 500):
                    assert np.array_equal(
                        top(scores, keyed, k), _argpartition_top(scores, keyed, k)
                    )


def test_cars_of_reads_the_cars_of_each_chunk(corpus: tuple[ChromaStore, Path]) -> None:
    store, directory = corpus
    reader = LexicalReader(directory)
    chunks = {chunk_id: metadata for chunk_id, _, metadata in store.iter_chunks()}
    wanted = [*list(chunks)[::7], "nope:0", "d01:1"]
    found = reader.cars_of(wanted)
    assert list(found) == list(dict.fromkeys(wanted))
    for chunk_id, cars in found.items():
        assert cars == tuple(chunks.get(chunk_id, {}).get("cars", ()))
    assert reader.cars_of([]) == {}
