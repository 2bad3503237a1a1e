"""The second vector collection (issue 16, sixth pass): the mostly-Chinese chunks embedded by a
multilingual model, kept in step with the main collection by every ingest, searched by Chinese
queries and English ones naming a car it holds; and BM25's far-ahead first chunk in fusion.
Real Chroma, the real packaged models (MiniLM, USE multilingual)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.services import Services
from api.settings import Settings
from ingest.embedding import Embedder
from ingest.errors import CollectionClash
from ingest.second import SecondCollection, mostly_han
from retrieval.fusion import Weights, leads, rank
from retrieval.nearest import Answer, Ask
from retrieval.search import Searcher
from retrieval.second import Held

pytestmark = pytest.mark.slow

XTRAIL_ZH = """# 全新日产奇骏上市

## 动力

全新奇骏采用1.5T三缸可变压缩比涡轮增压发动机，最大功率150kW，峰值扭矩300牛米。

## 空间

全新奇骏的后备厢容积为585升，后排座椅放倒后可以装下一辆自行车。
"""
ET7_ZH = """# 蔚来ET7发布

## 续航

蔚来ET7搭载150度电池包，续航里程超过1000公里，百公里加速仅需3.9秒。
"""
CAMRY_EN = """# Toyota Camry specifications

## Fuel economy

The Toyota Camry hybrid returns 51 mpg combined in the EPA test.
"""


@pytest.fixture()
def services(tmp_path: Path, embedder) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in {
        "xtrail_zh.md": XTRAIL_ZH,
        "et7_zh.md": ET7_ZH,
        "camry.md": CAMRY_EN,
    }.items():
        (docs / name).write_text(text, encoding="utf-8")
    services = Services(Settings(data_dir=tmp_path / "index", workers=0), embedder=embedder)
    report = services.pipeline.run([docs])
    assert report.failed == 0 and report.ok == 3
    yield services
    services.close()


def _held(services: Services) -> dict[str, str]:
    second = services.second_collection
    assert second is not None
    return {chunk_id: text for chunk_id, text, _ in second.store.iter_chunks()}


def _main_han(services: Services) -> dict[str, str]:
    return {i: t for i, t, _ in services.store.iter_chunks() if mostly_han(t)}


def test_mostly_han_counts_han_against_latin_letters() -> None:
    assert mostly_han("全新奇骏采用1.5T三缸发动机")
    assert not mostly_han("The Nissan X-Trail (奇骏) has a 1.5-litre VC-Turbo engine")
    assert not mostly_han("150 kW, 300 Nm") and not mostly_han("")


def test_the_second_collection_holds_the_chinese_chunks_with_their_metadata(
    services: Services,
) -> None:
    held = _held(services)
    assert held == _main_han(services) and held  # the same ids and texts, no English chunk
    second = services.second_collection
    assert second is not None and second.synced()
    assert second.store.collection().metadata["embed_model"] == "use-multilingual-v3"
    main = {i: m for i, _, m in services.store.iter_chunks()}
    for chunk_id, _, metadata in second.store.iter_chunks():
        assert metadata == main[chunk_id]  # filters apply alike on both collections


def test_a_changed_file_replaces_its_chunks_and_prune_and_delete_remove_them(
    services: Services, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    (docs / "xtrail_zh.md").write_text(XTRAIL_ZH.replace("585升", "620升"), encoding="utf-8")
    services.pipeline.run([docs])
    held = _held(services)
    assert held == _main_han(services)
    assert any("620升" in text for text in held.values())
    assert not any("585升" in text for text in held.values())

    (docs / "et7_zh.md").unlink()
    services.pipeline.run([docs], prune=True)
    held = _held(services)
    assert held == _main_han(services)
    assert not any("蔚来" in text for text in held.values()) and held

    doc_id = next(r.doc_id for r in services.ledger.all() if r.source.endswith("xtrail_zh.md"))
    services.pipeline.delete(doc_id)
    assert _held(services) == {}


def test_another_model_in_the_collection_is_built_again_not_refused(
    services: Services,
) -> None:
    """Switching `second_embed_model` must not break ingest: the collection is derived."""
    second = services.second_collection
    assert second is not None
    other = SecondCollection.beside(services.store, "multilingual-e5-small", 16)
    # another model's collection: not synced, so the next ingest syncs it
    assert other is not None and not other.synced()
    stats = other.sync(services.store)
    assert stats.embedded == stats.chunks == len(_main_han(services))
    assert other.store.collection().metadata["embed_model"] == "multilingual-e5-small@q4"
    again = other.sync(services.store)
    assert (again.embedded, again.retagged, again.deleted) == (0, 0, 0)  # incremental


def test_a_users_own_collection_of_that_name_is_refused_not_dropped(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """A collection the user built and named `{main}-zh` is theirs: syncing must neither drop
    it (another model's vectors) nor delete its chunks (the same model's), but say why."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "et7_zh.md").write_text(ET7_ZH, encoding="utf-8")
    index = tmp_path / "index"
    own = Services(Settings(data_dir=index, workers=0, collection="cars-zh"), embedder=embedder)
    assert own.pipeline.run([docs]).ok == 1
    mine = own.store.count()
    own.close()
    main = Services(Settings(data_dir=index, workers=0, collection="cars"), embedder=embedder)
    second = main.second_collection
    assert second is not None and second.store.collection_name == "cars-zh"
    with pytest.raises(CollectionClash, match=r"'cars-zh' holds \d+ chunks.*SPECRAG_COLLECTION"):
        second.sync(main.store)
    main.close()
    again = Services(Settings(data_dir=index, workers=0, collection="cars-zh"), embedder=embedder)
    assert again.store.count() == mine  # untouched, still MiniLM's
    assert again.store.collection().metadata["embed_model"] == again.embedder.name
    again.close()


def test_an_unknown_second_model_is_named_by_its_setting() -> None:
    with pytest.raises(ValidationError, match="second_embed_model"):
        Settings(second_embed_model="use-multilingual")


def test_chinese_queries_and_english_ones_about_its_cars_search_it(services: Services) -> None:
    searcher = services.searcher
    assert isinstance(searcher, Searcher) and searcher.second is not None
    mentions = searcher._mentions("How much luggage does the Nissan X-Trail hold?")
    assert searcher.second.asked("How much luggage does the Nissan X-Trail hold?", mentions)
    camry = searcher._mentions("Toyota Camry fuel economy")
    assert not searcher.second.asked("Toyota Camry fuel economy", camry)  # no encoder run
    ranking = searcher.second.ranking("奇骏的行李箱能放多少东西？", None, 10, [])
    first = min(ranking, key=ranking.__getitem__)
    assert "585升" in _held(services)[first]  # USE reads the paraphrase; no word is shared
    results = searcher.search("奇骏的行李箱能放多少东西？", k=3)
    assert any("585升" in r.text for r in results)


def test_a_named_car_is_ranked_on_the_second_side_by_what_the_query_asks_of_it(
    services: Services,
) -> None:
    """Eleventh pass: each named car's own chunks, ranked by the query without its names (the
    names pulled the chunk that repeats them most); another car's chunks are not in its
    ranking. An English question about a car written about in Chinese only."""
    searcher = services.searcher
    assert isinstance(searcher, Searcher) and searcher.second is not None
    second, held = searcher.second, _held(services)
    asked: list[str] = []
    nearest = second._nearest

    def spy(asks: list[Ask]) -> list[Answer]:
        asked.extend(a.text for a in asks)
        return nearest(asks)

    second.__dict__["_nearest"] = spy
    for query, answer in [
        ("How big is the Nissan X-Trail's boot?", "585升"),
        ("How much torque does the Nissan X-Trail make?", "300牛米"),
    ]:
        ranking = second.ranking(query, None, 10, searcher._mentions(query), searcher.car_pool)
        ordered = sorted(ranking, key=ranking.__getitem__)
        assert answer in held[ordered[0]]
        assert ordered and all("奇骏" in held[i] for i in ordered)  # not the ET7's chunk
        assert "X-Trail" not in asked[-1] and "boot" in asked[0]
        assert answer in searcher.search(query, k=1)[0].text


def test_a_query_about_cars_written_in_the_other_language_only_crosses(
    services: Services,
) -> None:
    """Cross-lingual is told by the index, not the question: the X-Trail and the ET7 are
    written about in Chinese only, the Camry in English only."""
    searcher = services.searcher
    assert isinstance(searcher, Searcher) and searcher.second is not None

    def crosses(query: str) -> bool:
        assert searcher.second is not None
        return searcher.second.crosses(query, searcher._mentions(query))

    assert crosses("How big is the Nissan X-Trail's boot?")  # English about Chinese pages
    assert crosses("丰田凯美瑞的油耗是多少？")  # Chinese about an English page
    assert not crosses("Toyota Camry fuel economy") and not crosses("奇骏的后备厢有多大？")
    assert not crosses("Nissan X-Trail or Toyota Camry: which is bigger?")  # one in English
    assert not crosses("What is a good family SUV?")  # no car named


def test_an_english_query_naming_a_make_written_about_in_chinese_only_names_its_cars(
    services: Services,
) -> None:
    """Regression (t051, t062 of tune_extra: "Xpeng", "Wuling" alone named no car): a bare
    make names its cars when the index has them in Chinese only; a make of English pages, or a
    Chinese query, still names none."""
    searcher = services.searcher
    assert isinstance(searcher, Searcher) and searcher.second is not None
    query = "How long did NIO take to build its new flagship?"
    mentions = searcher._mentions(query)
    assert [m.family for m in mentions] == [("nio-et7",)]
    assert query[mentions[0].start : mentions[0].end] == "NIO"
    assert searcher.second.crosses(query, mentions)
    assert searcher._mentions("How long did Toyota take to build its new flagship?") == []
    assert searcher._mentions("蔚来用了多久造出新旗舰？") == []


def test_the_main_model_reading_chinese_needs_no_second_collection(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, embed_model="use-multilingual-v3")
    services = Services(settings, embedder=Embedder("use-multilingual-v3"))
    assert services.second_collection is None
    assert Services(Settings(data_dir=tmp_path, second_embed_model="")).second_collection is None


def test_bm25s_far_ahead_first_chunk_keeps_rank_1() -> None:
    """Regression (s034 of tune_extra): BM25 32.3 for the answer against 7.4 for its second,
    the vector side's first chunk was BM25's second, and ranks alone put it first."""
    from ingest.store import Hit

    lexical = [("answer", 32.3), ("other", 7.4), ("third", 3.0)]
    vector = [Hit("other", "", {}, 0.2), Hit("third", "", {}, 0.3), Hit("answer", "", {}, 0.4)]
    assert leads(lexical, 2.0) and not leads(lexical, 5.0) and not leads(lexical, 0.0)
    plain = rank(vector, lexical, "hybrid", Weights(rrf_k=5, vector_weight=0.7))
    assert plain[0][0] == "other"
    led = rank(vector, lexical, "hybrid", Weights(rrf_k=5, vector_weight=0.7, lead=2.0))
    assert led[0][0] == "answer"
    assert [i for i, _, _ in rank(vector, lexical, "lexical", Weights(lead=2.0))] == [
        "answer",
        "other",
        "third",
    ]


def test_reading_an_index_without_it_creates_nothing(services: Services) -> None:
    """Regression (review B2): on a data dir from before the second collection, a search (a
    reader) created an empty one, a write against the owner rule; it now reads none, and the
    next sync builds it."""
    second = services.second_collection
    assert second is not None
    second.store.drop()
    held = Held.read(second.store, lambda: Counter())
    assert (held.chunks, held.only) == (0, frozenset())
    assert second.store.existing() is None
    assert second.sync(services.store).embedded == len(_main_han(services))


def test_check_audits_the_second_collection_and_repair_syncs_it(services: Services) -> None:
    from api.integrity import check, run_repair

    before = check(services, sample=5)
    assert before["ok"] and before["second"]["ok"]
    expected = len(_main_han(services))
    assert before["second"]["expected"] == before["second"]["chunks"] == expected > 0

    second = services.second_collection
    assert second is not None
    lost = sorted(_held(services))[0]
    second.store.delete([lost])
    after = check(services, sample=5)
    assert not after["ok"] and after["second"]["missing"] == 1
    assert any("second collection" in w and "lacks 1 of" in w for w in after["warnings"])

    run_repair(services)
    assert _held(services) == _main_han(services)
    assert check(services, sample=5)["second"]["ok"]
