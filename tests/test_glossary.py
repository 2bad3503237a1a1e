"""The car-spec glossary: parsing, matching, and what it adds to a search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.glossary import Glossary
from retrieval.search import Searcher

GLOSSARY = Path(__file__).resolve().parents[1] / "data" / "glossary" / "car_terms.txt"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load(GLOSSARY)


def test_the_shipped_glossary_parses_and_every_group_has_a_chinese_and_an_english_term(
    glossary: Glossary,
) -> None:
    assert len(glossary.groups) > 100
    one_language = [g for g in glossary.groups if all(map(_han, g)) or not any(map(_han, g))]
    assert one_language == []


def test_english_terms_match_whole_words_only(glossary: Glossary) -> None:
    assert "轴距" in glossary.expand("What is the wheelbase?").chinese
    assert glossary.expand("Wheelbases everywhere").terms == ()  # not a whole word
    assert "kerb weight" in glossary.expand("its curb weight").english
    assert glossary.expand("the CURB WEIGHT").english == glossary.expand("the curb weight").english


def test_chinese_terms_match_inside_a_sentence_and_bring_their_english(glossary: Glossary) -> None:
    found = glossary.expand("塔塔Tiago更换火花塞时的拧紧扭矩是多少？")
    assert {"spark plug", "tightening torque", "tata", "replacement"} <= set(found.english)
    assert "火花塞" not in found.terms  # what the query already says is not added again


def test_a_term_in_two_groups_brings_both(glossary: Glossary) -> None:
    terms = glossary.expand("torque").terms
    assert "max torque" in terms and "tightening torque" in terms


def test_a_chinese_term_one_character_off_names_its_group_unless_that_is_ambiguous(
    glossary: Glossary,
) -> None:
    assert "towing capacity" in glossary.expand("日产Armada最大拖拽能力是多少？").english
    assert "kerb weight" in glossary.expand("空车质量是多少").english  # 空车重量
    assert glossary.expand("四轮驱动").terms == ()  # 前轮驱动, 后轮驱动 or 全轮驱动?


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "g.txt"
    path.write_text("# comment\nwheelbase | 轴距\nlonely\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.txt:3: a group needs at least two terms"):
        Glossary.load(path)


def _han(term: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in term)


# -- in a search over the samples ----------------------------------------------------------


@pytest.fixture(scope="module")
def searchers(
    tmp_path_factory: pytest.TempPathFactory, embedder
) -> Iterator[tuple[Searcher, Searcher]]:  # type: ignore[no-untyped-def]
    """The samples indexed once; one searcher without the glossary (nor the dictionary, which
    translates 轴距 too: `tests/test_retrieval_dictionary.py`) and one with it."""
    from api.services import Services
    from api.settings import Settings
    from tests.test_search import _build

    root = tmp_path_factory.mktemp("glossary")
    services = Services(Settings(data_dir=root / "index", workers=0), embedder=embedder)
    plain = _build(services, root / "samples")
    plain.dictionary = None
    expanded = Searcher(
        store=plain.store,
        embedder=plain.embedder,
        lexical=plain.lexical,
        glossary=Glossary.load(GLOSSARY),
    )
    yield plain, expanded
    services.close()


@pytest.mark.slow
def test_a_chinese_query_reaches_english_specs_through_the_glossary(searchers) -> None:  # type: ignore[no-untyped-def]
    plain, expanded = searchers
    query = "轴距是多少"
    assert all(_han(r.text) for r in plain.search(query, k=10, mode="lexical"))
    english = [r for r in expanded.search(query, k=10, mode="lexical") if not _han(r.text)]
    assert english and all("wheelbase" in r.text.lower() for r in english)


@pytest.mark.slow
def test_without_a_glossary_the_dictionary_reaches_the_english_spec_line(searchers) -> None:  # type: ignore[no-untyped-def]
    plain, _ = searchers
    glossed = Searcher(store=plain.store, embedder=plain.embedder, lexical=plain.lexical)
    english = [r for r in glossed.search("轴距是多少", k=10, mode="lexical") if not _han(r.text)]
    assert english and "wheelbase" in english[0].text.lower()


@pytest.mark.slow
def test_translations_count_less_than_the_querys_own_words(searchers) -> None:  # type: ignore[no-untyped-def]
    _, expanded = searchers
    results = expanded.search("轴距", k=10, mode="lexical")
    first_english = next(i for i, r in enumerate(results) if not _han(r.text))
    assert first_english > 0 and _han(results[0].text)  # the Chinese hit on 轴距 itself leads


@pytest.mark.slow
def test_the_vector_side_asks_again_in_english_for_a_chinese_question(searchers) -> None:  # type: ignore[no-untyped-def]
    plain, expanded = searchers
    query = "Lumen E2 的整备质量"
    assert not any(
        "Kerb weight: 1,390 kg" in r.text for r in plain.search(query, k=1, mode="vector")
    )
    assert "Kerb weight: 1,390 kg" in expanded.search(query, k=1, mode="vector")[0].text
