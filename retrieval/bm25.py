"""BM25 scoring over the postings bm25s saves, and the top k of the scores.

bm25s ("lucene" method) stores, for each term, the chunks it occurs in and the term's BM25
score in each: a query's score for a chunk is the sum over the query's terms (a term absent
from a chunk adds nothing). `Postings.scores` sums them term by term in the order given, as
`bm25s.BM25.get_scores_from_ids` does, so the float32 sums are the same to the bit; it reads
the arrays as plain numpy views (slicing bm25s' memmaps cost ~0.15 ms a query at 100k chunks).

`top` takes the k best of ~40k scoring chunks (a typical question at 100k chunks) without
sorting or partitioning them all: the k-th highest maximum of `BLOCK`-chunk blocks is a
floor (at least k chunks reach it), and only the chunks at or above it are sorted. That cost
~0.05 ms where `argpartition` over the scoring chunks cost ~0.5 ms, once per named car.
Results are the same as that `argpartition`'s, ties included (see `top`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

BLOCK = 64  # chunks per block in `top`'s floor


@dataclass(frozen=True, slots=True)
class Postings:
    """Term `t`'s chunks are `rows[start[t]:start[t + 1]]` (each once), with their BM25 term
    scores at the same places of `weights`."""

    vocabulary: dict[str, int]
    start: NDArray[np.int64]
    rows: NDArray[Any]
    weights: NDArray[np.float32]
    count: int  # chunks

    @classmethod
    def of(cls, model: Any) -> Postings:
        """The postings of a loaded `bm25s.BM25`; one that scores absent terms (BM25L, BM25+)
        is refused, since its scores are not sums over postings."""
        if getattr(model, "nonoccurrence_array", None) is not None:
            raise ValueError(f"BM25 method {model.method!r} scores absent terms")
        scores = model.scores
        return cls(
            vocabulary=model.vocab_dict,
            start=np.asarray(scores["indptr"], dtype=np.int64),
            rows=np.asarray(scores["indices"]),
            weights=np.asarray(scores["data"], dtype=np.float32),
            count=int(scores["num_docs"]),
        )

    def ids(self, tokens: Sequence[str]) -> list[int]:
        """The term ids of `tokens`, in order, leaving out those no chunk has."""
        vocabulary = self.vocabulary
        return [vocabulary[t] for t in tokens if t in vocabulary]

    def scores(
        self, terms: Sequence[int], weights: NDArray[np.float32] | None = None
    ) -> NDArray[np.float32]:
        """Each chunk's BM25 score for `terms`, times `weights` (a 0/1 filter mask) if given."""
        scores = np.zeros(self.count, dtype=np.float32)
        start, rows, data = self.start, self.rows, self.weights
        for term in terms:
            lo, hi = start[term], start[term + 1]
            np.add.at(scores, rows[lo:hi], data[lo:hi])
        if weights is not None:
            scores *= weights
        return scores


def top(scores: NDArray[np.float32], keyed: NDArray[np.float32], k: int) -> NDArray[np.intp]:
    """The rows of the `k` highest `keyed` among the rows with a positive score, best first,
    ties by row. `keyed` is 0 where `scores` is and positive where it is (a preference scales
    a positive score up).

    When chunks tie for the k-th place (duplicated chunks do), which of them are kept is
    `argpartition`'s choice over all the scoring rows, as it always was: rankings stay as
    they were, and only these queries pay for the full partition."""
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    blocks = len(keyed) // BLOCK
    if blocks > k:
        # Block j is rows j, j + blocks, j + 2 * blocks...: a maximum over the first axis
        # is a vector operation, where one per run of BLOCK rows reduces many short rows.
        maxima = keyed[: blocks * BLOCK].reshape(BLOCK, blocks).max(axis=0)
        floor = np.partition(maxima, blocks - k)[blocks - k]  # k blocks reach it, so k rows
        rows = np.flatnonzero((keyed >= floor) & (scores > 0))
    else:
        rows = np.flatnonzero(scores > 0)
    ranked = rows[np.lexsort((rows, -keyed[rows]))]
    if len(ranked) <= k or keyed[ranked[k - 1]] != keyed[ranked[k]]:
        return ranked[:k]
    candidates = np.flatnonzero(scores > 0)  # a tie for the k-th place
    chosen = candidates[np.argpartition(-keyed[candidates], k - 1)[:k]]
    return chosen[np.lexsort((chosen, -keyed[chosen]))]
