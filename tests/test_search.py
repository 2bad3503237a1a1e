"""Hybrid search over real sample files: fusion, filters on both sides, citations, neighbours."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from api.services import Services
from ingest.analysis import has_han
from ingest.embedding.model import QUERY_BATCH
from ingest.lexical.writer import LexicalIndex
from ingest.pipeline import Pipeline
from ingest.pipeline.commit import dirty_marker
from ingest.pipeline.plan import ChunkOptions
from retrieval.errors import EmptyQuery, InvalidArgument, InvalidFilter
from retrieval.filters import Filters
from retrieval.lexical import LexicalReader
from retrieval.search import Result, Searcher

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _build(services: Services, folder: Path) -> Searcher:
    """The five sample documents (md, txt in GB18030, pdf, Chinese md) ingested with lexical."""
    folder.mkdir()
    for path in SAMPLES.iterdir():
        if path.suffix in (".md", ".txt", ".pdf"):
            shutil.copy(path, folder / path.name)
    directory = services.settings.data_dir / "lexical"
    lock = services.settings.data_dir / "specrag.lock"
    index = LexicalIndex(directory)
    pipeline = Pipeline(
        store=services.store,
        ledger=services.ledger,
        embedder=services.embedder,
        chunking=ChunkOptions(),
        workers=0,
        lock_path=lock,
        after_write=lambda: index.rebuild(services.store),
    )
    report = pipeline.run([folder])
    assert report.failed == 0 and report.ok == 5
    reader = LexicalReader(directory, dirty_marker=dirty_marker(lock))
    return Searcher(store=services.store, embedder=services.embedder, lexical=reader)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[Searcher, Path]]:  # type: ignore[no-untyped-def]
    """Built once for the read-only tests of this module."""
    from api.settings import Settings

    root = tmp_path_factory.mktemp("search")
    services = Services(Settings(data_dir=root / "index", workers=0), embedder=embedder)
    yield _build(services, root / "samples"), root / "samples"
    services.close()


@pytest.fixture
def own_index(services: Services, tmp_path: Path) -> Searcher:
    """A fresh index for a test that changes it."""
    return _build(services, tmp_path / "samples")


def _sources(results: list[Result]) -> set[str]:
    return {Path(r.citation.source).name for r in results}


def test_hybrid_is_reciprocal_rank_fusion_of_the_two_rankings(indexed) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = indexed
    total = searcher.store.count()
    query = "Aurora X5 1.5T torque 270 Nm"
    vector = searcher.search(query, k=total, mode="vector")
    lexical = searcher.search(query, k=total, mode="lexical")
    assert len(vector) == total and 0 < len(lexical) < total
    c, weights = searcher.rrf_k, (searcher.vector_weight, searcher.lexical_weight)
    depth = max(searcher.depth, searcher.depth_factor * 10)  # candidates per side at k=10
    expected: dict[str, float] = {}
    best: dict[str, int] = {}
    for weight, ranking in zip(weights, (vector[:depth], lexical[:depth]), strict=True):
        for rank, result in enumerate(ranking, 1):
            expected[result.chunk_id] = expected.get(result.chunk_id, 0.0) + weight / (c + rank)
            best[result.chunk_id] = min(best.get(result.chunk_id, rank), rank)
    hybrid = searcher.search(query, k=10, mode="hybrid")
    order = sorted(expected, key=lambda i: (-expected[i], best[i], i))
    assert [r.chunk_id for r in hybrid] == order[:10]
    for result in hybrid:
        assert result.score == pytest.approx(expected[result.chunk_id])
        vector_rank, lexical_rank = result.scores.vector_rank, result.scores.lexical_rank
        assert result.score == pytest.approx(
            (weights[0] / (c + vector_rank) if vector_rank else 0.0)
            + (weights[1] / (c + lexical_rank) if lexical_rank else 0.0)
        )
    top = hybrid[0]
    assert top.scores.vector_rank and top.scores.lexical_rank  # found by both sides
    assert "270 Nm" in top.text
    assert [r.chunk_id for r in searcher.search(query, k=3)] == [r.chunk_id for r in hybrid[:3]]


def test_single_modes_score_by_reciprocal_rank_and_keep_their_own_measure(indexed) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = indexed
    c = searcher.rrf_k
    vector = searcher.search("plug-in hybrid battery", k=3, mode="vector")
    assert all(r.scores.lexical is None for r in vector)
    assert [r.scores.vector_rank for r in vector] == [1, 2, 3]
    assert [r.score for r in vector] == pytest.approx(
        [searcher.vector_weight / (c + rank) for rank in (1, 2, 3)]
    )
    assert vector[0].scores.vector is not None and vector[0].scores.vector > 0  # the cosine
    lexical = searcher.search("plug-in hybrid battery", k=3, mode="lexical")
    assert all(r.scores.vector is None for r in lexical)
    assert [r.score for r in lexical] == pytest.approx(
        [searcher.lexical_weight / (c + rank) for rank in (1, 2, 3)]
    )
    bm25 = [r.scores.lexical for r in lexical]
    assert bm25[0] is not None and bm25[0] >= (bm25[1] or 0) >= (bm25[2] or 0)


def test_a_chinese_query_scores_come_back_in_order_in_every_mode(indexed) -> None:  # type: ignore[no-untyped-def]
    """Regression: in vector mode a Chinese query's run and its English rewrite were
    interleaved with their own raw cosines, so the scores came back out of order."""
    searcher, _ = indexed
    for mode in ("vector", "lexical", "hybrid"):
        results = searcher.search("插电混动版的电池容量和扭矩是多少", k=10, mode=mode)
        scores = [r.score for r in results]
        assert results and scores == sorted(scores, reverse=True), mode


def test_chinese_query_finds_the_chinese_documents(indexed) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = indexed
    results = searcher.search("插电混动版的电池容量是多少", k=3, mode="lexical")
    assert _sources(results) <= {"aurora_x5_hybrid_zh.txt", "meridian_s_zh.md"}
    assert results and results[0].citation.source.endswith("aurora_x5_hybrid_zh.txt")


@pytest.mark.parametrize("mode", ["vector", "lexical", "hybrid"])
def test_filters_hold_on_every_side(indexed, mode: str) -> None:  # type: ignore[no-untyped-def]
    searcher, folder = indexed
    query = "Aurora X5 engine power"
    only_txt = searcher.search(query, k=5, mode=mode, filters={"file_type": "txt"})  # type: ignore[arg-type]
    assert only_txt and {r.citation.source.rsplit(".", 1)[1] for r in only_txt} == {"txt"}
    wanted = [str(folder / "meridian_s_brochure.pdf"), str(folder / "lumen_e2.txt")]
    two = searcher.search(query, k=8, mode=mode, filters=Filters(source=wanted))  # type: ignore[arg-type]
    assert two and _sources(two) <= {"meridian_s_brochure.pdf", "lumen_e2.txt"}
    pdf = searcher.search(
        query,
        k=3,
        mode=mode,  # type: ignore[arg-type]
        filters={"source": wanted[0], "file_type": ["pdf"]},
    )
    assert pdf and _sources(pdf) == {"meridian_s_brochure.pdf"}
    assert searcher.search(query, k=3, mode=mode, filters={"title": "No Such Car"}) == []  # type: ignore[arg-type]


def test_a_narrow_filter_still_fills_k(indexed) -> None:  # type: ignore[no-untyped-def]
    searcher, folder = indexed
    doc = str(folder / "lumen_e2.txt")
    chunks = sum(1 for _, _, m in searcher.store.iter_chunks() if m["source"] == doc)
    results = searcher.search("Aurora X5 Hybrid", k=chunks, filters={"source": doc})
    assert len(results) == chunks and _sources(results) == {"lumen_e2.txt"}


def test_citations_carry_source_page_and_section(indexed) -> None:  # type: ignore[no-untyped-def]
    searcher, folder = indexed
    results = searcher.search("Meridian S brochure", k=10, filters={"file_type": "pdf"})
    assert results
    for result in results:
        citation = result.citation
        # named for people; the server's path stays out of responses (`exclude`)
        assert citation.source == citation.document == "meridian_s_brochure.pdf"
        assert citation.path == str(folder / "meridian_s_brochure.pdf")
        assert "path" not in citation.model_dump()
        assert citation.page is not None and citation.page >= 1
        assert result.chunk_id == f"{citation.doc_id}:{citation.chunk_index}"
    md = searcher.search("Aurora X5 engines", k=3, filters={"file_type": "md"})
    assert any(r.citation.section for r in md) and all(r.citation.page is None for r in md)


def test_neighbors_are_the_adjacent_chunks_of_the_same_document(indexed) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = indexed
    stored = {i: t for i, t, _ in searcher.store.iter_chunks()}
    results = searcher.search("Aurora X5 engines torque", k=5, neighbors=2)
    assert not searcher.search("Aurora X5 engines torque", k=5)[0].neighbors
    for result in results:
        doc_id, index = result.citation.doc_id, result.citation.chunk_index
        assert index is not None
        expected = [
            i for i in range(index - 2, index + 3) if i != index and f"{doc_id}:{i}" in stored
        ]
        assert [n.chunk_index for n in result.neighbors] == expected
        for neighbor in result.neighbors:
            assert neighbor.chunk_id == f"{doc_id}:{neighbor.chunk_index}"
            assert neighbor.text == stored[neighbor.chunk_id]
    assert any(len(r.neighbors) == 4 for r in results)


def test_results_come_from_the_lexical_index_while_it_is_in_step_with_chroma(
    own_index: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher = own_index
    marker = searcher.lexical.dirty_marker
    assert marker is not None and not marker.exists()
    served = searcher.search("Aurora X5 torque", k=8)
    assert len(served) == 8
    stored = {h.id: h for h in searcher.store.get([r.chunk_id for r in served])}
    for result in served:  # text and citation as Chroma holds them
        hit = stored[result.chunk_id]
        assert result.text == hit.text
        assert result.citation.path == hit.metadata["source"]
        assert result.citation.section == hit.metadata["section"]
        assert result.citation.page == hit.metadata.get("page")
        assert result.citation.chunk_index == hit.metadata["chunk_index"]
    reads: list[list[str]] = []
    real_get = searcher.store.get
    monkeypatch.setattr(searcher.store, "get", lambda ids: reads.append(list(ids)) or real_get(ids))
    assert searcher.search("Aurora X5 torque", k=8) == served
    assert reads == []  # in step: nothing read from Chroma
    marker.touch()  # an ingest is writing: Chroma is read again
    assert searcher.search("Aurora X5 torque", k=8) == served
    assert sorted(reads[0]) == sorted(r.chunk_id for r in served)


def test_a_chunk_gone_from_chroma_but_still_in_the_lexical_index_is_dropped(
    own_index: Searcher,
) -> None:
    searcher = own_index
    before = searcher.search("Lumen E2 battery", k=5, mode="lexical")
    # A write outside a run, marked as the pipeline marks its own; no rebuild: the lexical
    # index is behind, and Chroma decides.
    assert searcher.lexical.dirty_marker is not None
    searcher.lexical.dirty_marker.touch()
    searcher.store.delete([before[0].chunk_id])
    after = searcher.search("Lumen E2 battery", k=5, mode="lexical")
    assert before[0].chunk_id not in [r.chunk_id for r in after]
    # The rest move up one, and the next candidate fills the gap: still k results.
    assert [r.chunk_id for r in after][:4] == [r.chunk_id for r in before[1:]]
    assert len(after) == 5


def test_bad_requests_raise_typed_errors(indexed) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = indexed
    with pytest.raises(InvalidFilter, match="unknown filter field.*colour"):
        searcher.search("engine", filters={"colour": "red"})
    with pytest.raises(InvalidFilter, match="must not be empty"):
        searcher.search("engine", filters={"doc_id": []})
    with pytest.raises(InvalidFilter):
        searcher.search("engine", filters={"doc_id": 7})
    with pytest.raises(EmptyQuery):
        searcher.search("   ")
    with pytest.raises(InvalidArgument, match="k must be between 1 and 100"):
        searcher.search("engine", k=0)
    with pytest.raises(InvalidArgument, match="mode"):
        searcher.search("engine", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="neighbors"):
        searcher.search("engine", neighbors=9)


def test_retrieval_end_event_carries_timings_and_a_failing_handler_is_harmless(indexed) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = indexed
    seen: list[tuple[str, dict[str, Any]]] = []
    results = searcher.search("engine", k=2, events=lambda n, p: seen.append((n, dict(p))))
    assert [name for name, _ in seen] == ["retrieval.end"]
    payload = seen[0][1]
    assert payload["results"] == len(results) == 2 and payload["mode"] == "hybrid"
    assert payload["total_ms"] >= payload["lexical_ms"] >= 0 and payload["vector_ms"] > 0

    def broken(name: str, payload: object) -> None:
        raise RuntimeError("observer bug")

    assert len(searcher.search("engine", k=2, events=broken)) == 2


def _search_together(
    searcher: Searcher, queries: list[str]
) -> tuple[dict[str, list[Result]], dict[str, int]]:
    """Each query searched in its own thread, all released at once; results, and the number of
    query texts in the vector run each search was part of."""
    barrier = threading.Barrier(len(queries))
    batches: dict[str, int] = {}

    def search(query: str) -> list[Result]:
        def record(name: str, payload: Mapping[str, Any]) -> None:
            batches[query] = int(payload["vector_batch"])

        barrier.wait(10)
        return searcher.search(query, k=5, events=record)

    with ThreadPoolExecutor(len(queries)) as pool:
        return dict(zip(queries, pool.map(search, queries), strict=True)), batches


def test_concurrent_searches_share_vector_runs_and_find_what_each_finds_alone(indexed) -> None:  # type: ignore[no-untyped-def]
    """The vector side of searches in flight together runs as one encoder run and one Chroma
    call (`Searcher._nearest`); each search still gets exactly its own ranking."""
    searcher, _ = indexed
    queries = [
        "Aurora X5 torque",
        "boot space in litres",
        "battery range",
        "warranty years",
        "fuel consumption",
        "charging time",
        "极光X5 扭矩",  # two query texts of its own (the English rewrite)
        "top speed",
    ]
    alone = {q: searcher.search(q, k=5) for q in queries}
    shared_runs = 0
    for _ in range(5):  # threads released together share runs; a stalled runner may not
        together, batches = _search_together(searcher, queries)
        for q in queries:  # a query's vector moves by ~1e-6 in a shared run: same chunks
            mine = {r.chunk_id: r.scores.vector or 0.0 for r in alone[q]}
            assert {r.chunk_id: r.scores.vector or 0.0 for r in together[q]} == pytest.approx(
                mine, abs=1e-4
            ), q
        assert all(1 <= n <= QUERY_BATCH for n in batches.values())
        shared_runs = sum(n > (2 if has_han(q) else 1) for q, n in batches.items())
        if shared_runs:
            break
    assert shared_runs


def test_a_chroma_server_is_always_read_for_results(make_settings) -> None:  # type: ignore[no-untyped-def]
    """Other instances may write a shared Chroma server without this one's marker ever
    appearing: results then come from Chroma, not from this instance's lexical index."""
    embedded = Services(make_settings())
    assert embedded.searcher.lexical.dirty_marker == embedded.lock_path.with_suffix(".dirty")
    served = Services(make_settings(chroma_url="http://127.0.0.1:9"))
    assert served.searcher.lexical.dirty_marker is None
