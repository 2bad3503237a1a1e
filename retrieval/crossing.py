"""Fusion for an English question about cars the corpus writes about in Chinese only.

`SecondSide.crosses` tells such a query by the index (the cars' chunks are all in the second
collection). Of the sides that rank the car's Chinese chunks for it, only the second reads
both languages: the main encoder, when it reads no Chinese (MiniLM), ranks them by the few
Latin tokens they hold, and BM25 shares only the car's name and figures with them. So the
main vector side is left out of the fusion (unless its encoder is multilingual) and the
second side weighs `crossed_second_weight` instead of `second_weight`. The Chinese direction
(a Chinese question about an English sheet) has no second ranking (its car has no Chinese
chunk); its sides read it through the translations of `retrieval/rewrite.py`.

Chosen by 5-fold CV on the tune files (BENCHMARKS.md "Eleventh pass"): second weight
1 / 2 / 3 / 4 / 6 × lexical 1 / 0.5 / 0.25 / 0 × vector 0.7 / 0.35 / 0; every fold chose
(3, 1, 0); tune files r@1 0.722 → 0.744, cross-lingual English questions 0.467 → 0.667.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from ingest.analysis import has_han
from ingest.embedding import Embedder
from retrieval.fusion import Weights


def into_chinese(query: str, crosses: bool) -> bool:
    """Whether `query` is English and asks about cars written about in Chinese only
    (`crosses`: `SecondSide.crosses` for its named cars)."""
    return crosses and not has_han(query)


class Crossed(Protocol):
    """What `crossed_weights` reads of a searcher."""

    crossed_second_weight: float
    embedder: Embedder


def crossed_weights(
    weights: Weights, second_weight: float, searcher: Crossed, *, into: bool
) -> tuple[Weights, float]:
    """The main sides' fusion weights and the second side's for a query `into` Chinese
    pages (`into_chinese`): without the main vector side unless its encoder reads Chinese,
    and the second side at `crossed_second_weight`; unchanged for any other query."""
    if not into:
        return weights, second_weight
    vector = weights.vector_weight if searcher.embedder.multilingual else 0.0
    return replace(weights, vector_weight=vector), searcher.crossed_second_weight
