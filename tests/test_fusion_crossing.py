"""Fusion for an English question about cars written about in Chinese only (issue 16, eleventh
pass, `retrieval/crossing.py`): the main encoder reads no Chinese, so its ranking of the car's
Chinese chunks is left out, and the second, multilingual side weighs more."""

from __future__ import annotations

from types import SimpleNamespace

from ingest.store import Hit
from retrieval.crossing import crossed_weights, into_chinese
from retrieval.fusion import Part, Weights, promote, rank


def _searcher(multilingual: bool) -> SimpleNamespace:
    return SimpleNamespace(
        crossed_second_weight=3.0, embedder=SimpleNamespace(multilingual=multilingual)
    )


def test_only_an_english_query_about_chinese_pages_crosses_into_chinese() -> None:
    assert into_chinese("How big is the Nissan X-Trail's boot?", crosses=True)
    assert not into_chinese("丰田凯美瑞的油耗是多少？", crosses=True)  # the other direction
    assert not into_chinese("How big is the Nissan X-Trail's boot?", crosses=False)


def test_fusion_weights_of_a_query_into_chinese_drop_an_english_only_encoder() -> None:
    own = Weights(vector_weight=0.7, lexical_weight=1.0, lead=2.0)
    weights, second = crossed_weights(own, 1.0, _searcher(False), into=True)
    assert (weights.vector_weight, weights.lexical_weight, weights.lead, second) == (
        0.0,
        1.0,
        2.0,
        3.0,
    )
    weights, second = crossed_weights(own, 1.0, _searcher(True), into=True)
    assert (weights.vector_weight, second) == (0.7, 3.0)  # a multilingual encoder reads them
    assert crossed_weights(own, 1.0, _searcher(False), into=False) == (own, 1.0)


def test_fusion_into_chinese_ranks_by_the_side_that_reads_both_languages() -> None:
    """Invented: the English-only encoder puts an introduction that repeats the car's Latin
    name first, BM25 the same chunk (the name is all it shares); the multilingual side puts
    the answer first. Crossed, the answer wins; with the ordinary weights it does not."""
    vector = [Hit("intro", "", {}, 0.2), Hit("answer", "", {}, 0.4)]
    lexical = [("intro", 3.0), ("answer", 2.0)]
    second = {"answer": 1, "intro": 2}
    for into, first in [(False, "intro"), (True, "answer")]:
        weights, weight = crossed_weights(
            Weights(rrf_k=5),
            1.0,
            _searcher(False),
            into=into,
        )
        ranked = promote(rank(vector, lexical, "hybrid", weights), second, weight, 5)
        assert ranked[0][0] == first


def test_fusion_puts_a_cross_lingual_fact_chunk_stopped_at_its_ceiling_first() -> None:
    """Invented: both sides put a brochure's overview first (they read the Chinese question
    through a few translated words); the facts side lifts the chunk its torque fact cites to
    the overview's score, its ceiling. A cross-lingual query (`ahead`) ranks the cited chunk
    first; any other keeps the sides' agreement first on the tie."""
    ranked = [
        ("overview", 0.3, Part(vector_rank=1, lexical_rank=1)),
        ("torque", 0.2, Part(vector_rank=2, lexical_rank=2)),
        ("other", 0.1, Part(vector_rank=3, lexical_rank=3)),
    ]
    caps = {"torque": 0.3}
    plain = promote(ranked, {"torque": 1}, 1.0, 5, caps)
    assert [r[0] for r in plain] == ["overview", "torque", "other"]
    assert plain[1][1] == 0.3  # stopped at the ceiling, not above it
    crossed = promote(ranked, {"torque": 1}, 1.0, 5, caps, ahead=True)
    assert [r[0] for r in crossed] == ["torque", "overview", "other"]
    assert crossed[0][1] == crossed[1][1] == 0.3
    below = promote(ranked, {"other": 3}, 0.1, 5, {"other": 0.3}, ahead=True)
    assert [r[0] for r in below] == ["overview", "torque", "other"]  # not at its ceiling
