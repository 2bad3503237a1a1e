"""Ranks the candidates of a search: vector hits, BM25 hits, or both fused by reciprocal rank.

Each side fetches a deep candidate list (`max(depth, depth_factor * k)`) under the same
filters; a chunk's fused score is `sum(weight / (rrf_k + rank))` over the sides that found
it. Ranks, not raw scores, are fused: cosine similarities and BM25 scores live on unrelated
scales. Chunks a side scores equally share a rank, the mean of their positions (two tied at the
top are both 1.5): the order BM25 gives identical scores is arbitrary (the EPA pages of one
model's configurations, a CSV's rows that differ only by certification region), and fusing
it as if it were a preference let it outvote the other side. Tune: hybrid r@1 0.762 → 0.800,
nothing lost; on each of the five cross-validation folds it was chosen (BENCHMARKS.md).

The defaults (`rrf_k=5`, vector weight 0.7, lexical 1.0) were chosen on the dev questions
(43, shared corpus, 4,299 chunks) from a grid over rrf_k 5-60, vector weight 0.3-1.0 and
depth 10-100. The textbook rrf_k=60 with equal weights lets a side that is merely
mediocre on both lists outvote a rank-1 hit on one: with the English-only MiniLM, whose
vectors are noise for Chinese, it sank every Chinese lexical hit (hybrid recall@5 0.67,
Chinese 0.00, against 0.81 and 0.80 for BM25 alone). A small rrf_k trusts each side's top
ranks; the setting kept is the best one for both MiniLM (recall@5 0.81, Chinese 0.80) and
multilingual-e5-small (0.86, 0.80), and is on a plateau for both.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from ingest.store import Hit

T = TypeVar("T")

Mode = Literal["hybrid", "vector", "lexical"]
MODES: tuple[Mode, ...] = ("vector", "lexical", "hybrid")


@dataclass(slots=True)
class Part:
    """`Scores` while ranking: a hundred candidates per query, five of which become results."""

    vector: float | None = None
    lexical: float | None = None
    vector_rank: int | None = None
    lexical_rank: int | None = None
    vector_shared: float | None = None  # the rank fusion counts: ties share their mean position
    lexical_shared: float | None = None


@dataclass(frozen=True, slots=True)
class Weights:
    """Reciprocal-rank fusion: `sum(weight / (rrf_k + rank))` over the sides that found a chunk."""

    rrf_k: int = 5
    vector_weight: float = 0.7
    lexical_weight: float = 1.0
    ties: bool = True  # equal scores share a rank; False: a side's order among them counts
    # BM25's first chunk, when its score is at least `lead` times the second's, adds
    # `lead_bonus * lexical_weight / (rrf_k + 1)` in hybrid (0: off; see `rank`)
    lead: float = 0.0
    lead_bonus: float = 1.0


def rank(
    vector: list[Hit], lexical: list[tuple[str, float]], mode: Mode, weights: Weights
) -> list[tuple[str, float, Part]]:
    """The candidates in `mode`'s order, each with its score and the parts behind it."""
    scores: dict[str, Part] = {}
    shared = _shared([hit.distance for hit in vector], weights.ties)
    for position, (hit, tied) in enumerate(zip(vector, shared, strict=True), 1):
        scores[hit.id] = Part(vector=1.0 - hit.distance, vector_rank=position, vector_shared=tied)
    shared = _shared([bm25 for _, bm25 in lexical], weights.ties)
    for position, ((chunk_id, bm25), tied) in enumerate(zip(lexical, shared, strict=True), 1):
        part = scores.setdefault(chunk_id, Part())
        part.lexical, part.lexical_rank, part.lexical_shared = bm25, position, tied
    if mode == "vector":
        ids = [hit.id for hit in vector]
    elif mode == "lexical":
        ids = [chunk_id for chunk_id, _ in lexical]
    else:
        ids = list(scores)
    ranked = [
        (chunk_id, fuse(scores[chunk_id], weights, mode), scores[chunk_id]) for chunk_id in ids
    ]
    if mode == "hybrid" and leads(lexical, weights.lead):
        bonus = weights.lead_bonus * weights.lexical_weight / (weights.rrf_k + 1)
        ranked = [(i, s + bonus if i == lexical[0][0] else s, p) for i, s, p in ranked]
    # Equal fused scores: the better single rank first, then the id, for stable output.
    ranked.sort(key=lambda r: (-r[1], best_rank(r[2]), r[0]))
    return ranked


def leads(lexical: Sequence[tuple[str, float]], lead: float) -> bool:
    """Whether BM25's first chunk is far ahead of its second (`lead` times its score, or
    more): one word of the question only it holds (a model's name and the asked term in one
    line). Ranks alone let the vector side's first chunk, BM25's second, win there: of the
    questions of tune + tune_extra lexical alone has right at rank 1 and hybrid wrong, half
    were this (s034: BM25 32.3 against 7.4)."""
    if lead <= 0 or len(lexical) < 2 or lexical[1][1] <= 0:
        return False
    return lexical[0][1] >= lead * lexical[1][1]


def fuse(part: Part, weights: Weights, mode: Mode = "hybrid") -> float:
    """`mode`'s score: each side's `weight / (rrf_k + rank)`, summed in hybrid (the rank
    shared by the chunks that side scored equally, where `rank` set it)."""
    score = 0.0
    vector, lexical = (
        part.vector_shared or part.vector_rank,
        part.lexical_shared or part.lexical_rank,
    )
    if vector and mode != "lexical":
        score += weights.vector_weight / (weights.rrf_k + vector)
    if lexical and mode != "vector":
        score += weights.lexical_weight / (weights.rrf_k + lexical)
    return score


def _shared(scores: Sequence[float], ties: bool) -> Sequence[float | None]:
    return shared_ranks(scores) if ties else [None] * len(scores)


def shared_ranks(scores: Sequence[float]) -> list[float]:
    """1-based ranks of a ranking's items from their scores, in its order: each run of equal
    scores shares the mean of its positions (`[9, 7, 7, 7, 2]` → `[1, 3, 3, 3, 5]`)."""
    ranks: list[float] = []
    start = 0
    for end in range(1, len(scores) + 1):
        if end == len(scores) or scores[end] != scores[start]:
            ranks += [(start + end + 1) / 2] * (end - start)
            start = end
    return ranks


def interleave(lists: list[list[Hit]]) -> list[Hit]:
    """One ranking from several vector queries: each id at its best rank, ties by distance."""
    if len(lists) == 1:
        return lists[0]
    best: dict[str, tuple[int, float, Hit]] = {}
    for hits in lists:
        for rank, hit in enumerate(hits):
            seen = best.get(hit.id)
            if seen is None or (rank, hit.distance) < seen[:2]:
                best[hit.id] = (rank, hit.distance, hit)
    ordered = sorted(best.values(), key=lambda v: (v[0], v[1]))
    return [hit for _, _, hit in ordered][: max(len(h) for h in lists)]


def best_rank(part: Part) -> int:
    return min(r for r in (part.vector_rank, part.lexical_rank, 10**9) if r is not None)


def round_robin(
    lists: Sequence[Sequence[T]], *, key: Callable[[T], Hashable], limit: int
) -> list[T]:
    """One ranking from one per car: their first items, then their second… (each item once,
    up to `limit`), so every car's best is near the top."""
    if len(lists) == 1:
        return list(lists[0][:limit])
    merged: dict[Hashable, T] = {}
    for position in range(max((len(items) for items in lists), default=0)):
        for items in lists:
            if position < len(items):
                merged.setdefault(key(items[position]), items[position])
    return list(merged.values())[:limit]


def prefer(own: list[Hit], every: list[Hit], boost: float) -> list[Hit]:
    """The nearest chunks, those about the car (`own`, a filtered query's hits) preferred:
    their distance counts `1 - boost` times; at `boost` 1 they all come first, then the
    rest (a filter that falls back on the others)."""
    about = {hit.id for hit in own}
    union = {hit.id: hit for hit in [*own, *every]}
    factor = max(0.0, 1.0 - boost)

    def distance(hit: Hit) -> tuple[bool, float]:
        if hit.id in about:
            return (boost < 1.0, hit.distance * factor)
        return (True, hit.distance)

    return sorted(union.values(), key=distance)[: max(len(own), len(every))]


def penalise(
    ranked: list[tuple[str, float, Part]],
    about_of: Mapping[str, tuple[str, ...]],
    cars: set[str],
    penalty: float,
) -> list[tuple[str, float, Part]]:
    """The fused ranking with the chunks about other cars only (none of `cars`) lowered:
    their score times `1 - penalty`. The sides' preferences alone left an NIO news page that
    says 燃油经济性 above the Camry's own fuel-economy passage for 丰田凯美瑞的油耗. Chunks
    about no car are left as they are."""
    lowered = []
    for chunk_id, score, part in ranked:
        about = about_of.get(chunk_id, ())
        other = bool(about) and cars.isdisjoint(about)
        lowered.append((chunk_id, score * (1.0 - penalty) if other else score, part))
    lowered.sort(key=lambda r: (-r[1], best_rank(r[2]), r[0]))
    return lowered


def promote(
    ranked: list[tuple[str, float, Part]],
    chosen: Mapping[str, int],
    weight: float,
    rrf_k: int,
    caps: Mapping[str, float] | None = None,
    *,
    ahead: bool = False,
) -> list[tuple[str, float, Part]]:
    """The fused ranking with a third side added: `weight / (rrf_k + rank)` for each chunk of
    `chosen` (chunk id → rank; the chunks stating a named car's asked attribute,
    `retrieval.facts`), those neither side found joining with that alone; a chunk of `caps`
    is lifted no higher than its cap (never lowered), and with `ahead` a chunk so stopped
    ranks before the chunks whose score it reached (a cross-lingual query's sides agree on
    a chunk they can barely read: the fact's own chunk goes first)."""
    if not chosen or weight <= 0:
        return ranked
    bonus = {chunk_id: weight / (rrf_k + n) for chunk_id, n in chosen.items()}
    caps = caps or {}
    stopped: set[str] = set()

    def lifted(chunk_id: str, score: float) -> float:
        new = score + bonus.pop(chunk_id, 0.0)
        cap = caps.get(chunk_id)
        if cap is None or new <= cap:
            return new
        if ahead and cap > score:
            stopped.add(chunk_id)
        return max(score, cap)

    raised = [(chunk_id, lifted(chunk_id, score), part) for chunk_id, score, part in ranked]
    raised += [(chunk_id, score, Part()) for chunk_id, score in bonus.items()]
    raised.sort(key=lambda r: (-r[1], r[0] not in stopped, best_rank(r[2]), r[0]))
    return raised
