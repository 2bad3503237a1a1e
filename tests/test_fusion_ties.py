"""Ties in one side's scores (issue 16, rank 1): chunks BM25 scores equally share a rank in the
fusion, so the other side orders them; on a real index of two EPA-like pages that differ only
in their figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.services import Services
from api.settings import Settings
from retrieval.fusion import Part, Weights, fuse, rank, shared_ranks
from retrieval.search import Searcher

pytestmark = pytest.mark.slow


def _page(number: int, litres: str, cylinders: int, highway: int, city: int) -> str:
    return (
        f"# Aurora X5 configuration {number}\n\n"
        f"The 2018 Aurora X5 with a {litres}-liter {cylinders}-cylinder engine gets {highway} "
        f"miles per gallon on the highway and {city} miles per gallon in the city.\n"
    )


PAGES = {
    "aurora_1.md": _page(1, "1.5", 4, 38, 30),
    "aurora_2.md": _page(2, "3.5", 6, 33, 25),
}
QUERY = "Aurora X5 six cylinder highway miles per gallon"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[Searcher]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("ties")
    (root / "docs").mkdir()
    for name, text in PAGES.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    services = Services(Settings(data_dir=root / "index", workers=0), embedder=embedder)
    report = services.pipeline.run([root / "docs"])
    assert report.failed == 0 and report.ok == len(PAGES)
    searcher = services.searcher
    assert isinstance(searcher, Searcher)
    yield searcher
    services.close()


def test_equal_scores_share_the_mean_of_their_positions() -> None:
    assert shared_ranks([9.0, 7.0, 7.0, 7.0, 2.0]) == [1, 3, 3, 3, 5]
    assert shared_ranks([0.4, 0.4]) == [1.5, 1.5] and shared_ranks([]) == []
    weights = Weights(rrf_k=5, vector_weight=0.7)
    tied = Part(lexical_rank=1, lexical_shared=1.5, vector_rank=2)
    assert fuse(tied, weights) == pytest.approx(1 / 6.5 + 0.7 / 7)
    assert fuse(Part(lexical_rank=2), weights) == pytest.approx(1 / 7)  # no shared rank: its own
    bm25 = [("a", 2.0), ("b", 2.0), ("c", 1.0)]
    assert [score for _, score, _ in rank([], bm25, "lexical", weights)] == pytest.approx(
        [1 / 6.5, 1 / 6.5, 1 / 8]
    )
    positional = Weights(rrf_k=5, ties=False)  # as before: BM25's order among equals counts
    assert [score for _, score, _ in rank([], bm25, "lexical", positional)] == pytest.approx(
        [1 / 6, 1 / 7, 1 / 8]
    )


def test_chunks_bm25_ties_are_ordered_by_the_vector_side(searcher: Searcher) -> None:
    lexical = searcher.search(QUERY, k=2, mode="lexical")
    assert len(lexical) == 2
    assert (
        lexical[0].scores.lexical == lexical[1].scores.lexical
    )  # the pages differ in figures only
    assert lexical[0].score == lexical[1].score  # one score for one BM25 score
    vector = [r.chunk_id for r in searcher.search(QUERY, k=2, mode="vector")]
    hybrid = searcher.search(QUERY, k=2)
    assert [r.chunk_id for r in hybrid] == vector  # the ties are broken by the vectors
    assert "6-cylinder" in hybrid[0].text  # and they read "six cylinder" as the 3.5-liter page
    weights = Weights(searcher.rrf_k, searcher.vector_weight, searcher.lexical_weight)
    for result in hybrid:
        ranks = result.scores
        assert ranks.lexical_rank in (1, 2) and ranks.vector_rank in (1, 2)
        assert result.score == pytest.approx(
            weights.lexical_weight / (weights.rrf_k + 1.5)
            + weights.vector_weight / (weights.rrf_k + ranks.vector_rank)
        )
