"""Spec facts as a third ranking (issue 16, comparisons): a query naming two cars and an
attribute brings each car's chunk that states it, on a real index of two small spec pages whose
other chunks repeat the question's words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.services import Services
from api.settings import Settings, shipped_data
from ingest.specs.vocabulary import Vocabulary, load_vocabulary
from retrieval.facts import FactChunks, FactSide, QueryAttributes, fact_ranking, numbers_in
from retrieval.fusion import Part, Weights, fuse, promote
from retrieval.search import Searcher

pytestmark = pytest.mark.slow


def _praise(car: str, times: int) -> str:
    sentence = (
        f"The {car} is a popular family car in India and owners praise the {car} for its "
        f"comfort, its ride and its dealer network, and many families choose the {car} for "
        "long trips."
    )
    return " ".join([sentence] * times)


def _page(make: str, car: str, figures: dict[str, str]) -> str:
    lines = "\n".join(f"{label}: {value}" for label, value in figures.items())
    return f"""# {make} {car}

## Overview

{_praise(car, 6)}

## Dimensions

{lines}

## Safety

The {car} holds more airbags than before: up to six, and more safety equipment on higher
trims. {_praise(car, 2)}
"""


PAGES = {
    "baleno.md": _page(
        "Maruti Suzuki",
        "Baleno",
        {"Length": "3990 mm", "Wheelbase": "2520 mm", "Boot space": "318 litres"},
    ),
    "nexon.md": _page(
        "Tata", "Nexon", {"Length": "3993 mm", "Wheelbase": "2498 mm", "Boot space": "382 litres"}
    ),
}
RIVAL = """# Kia Seltos review

## Size

At 4365 mm the Seltos is the longest car in its class: 372 mm longer than the Nexon and
375 mm longer than the Baleno, and its 2610 mm wheelbase frees rear knee room.
"""
COMPARISON = "Which holds more luggage, the Baleno or the Nexon?"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[Searcher]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("facts")
    for name, text in {**PAGES, "seltos.md": RIVAL}.items():
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / name).write_text(text, encoding="utf-8")
    services = Services(Settings(data_dir=root / "index", workers=0), embedder=embedder)
    report = services.pipeline.run([root / "docs"])
    assert report.failed == 0 and report.ok == len(PAGES) + 1
    searcher = services.searcher
    assert isinstance(searcher, Searcher)
    yield searcher
    services.close()


def _boot_lines(texts: list[str]) -> set[str]:
    return {line for text in texts for line in text.splitlines() if line.startswith("Boot space")}


def test_a_query_names_attributes_in_the_spec_vocabulary() -> None:
    vocabulary = load_vocabulary(shipped_data() / "specs" / "attributes.toml")
    attributes = QueryAttributes.build(vocabulary)
    assert attributes.find(COMPARISON) == {"boot_volume"}
    assert attributes.find("How much longer is the Venue's wheel base?") == {"wheelbase"}
    assert attributes.find("卡罗拉双擎和亚洲狮的发动机马力各是多少？") == {"power"}
    # word-valued attributes (body type, drive) are too loose to point at a fact
    assert attributes.find("the Honda Civic Type R") == set()


def test_each_cars_fact_chunks_rank_within_the_car_by_the_fused_order() -> None:
    fused = ["a2", "b1", "a1", "x"]
    ranks = fact_ranking([["a1", "a2", "a9"], ["b1"]], fused)
    assert ranks == {"a2": 1, "a1": 2, "a9": 3, "b1": 1}  # a9: not fused, last; b1 first of b
    lifted = promote([("x", 0.5, Part()), ("b1", 0.1, Part())], {"b1": 1, "new": 2}, 1.0, 5)
    assert [chunk_id for chunk_id, _, _ in lifted] == ["x", "b1", "new"]
    assert lifted[1][1] == pytest.approx(0.1 + 1 / 6) and lifted[2][1] == pytest.approx(1 / 7)
    assert promote(lifted, {"new": 1}, 0.0, 5) == lifted  # weight 0: the side is off


def test_a_comparison_brings_each_cars_fact_chunk_first(searcher: Searcher) -> None:
    """Both sides rank the pages' 'holds more' paragraphs first (the words match; "luggage" is
    nowhere in the documents); the facts say which chunk states each car's boot space. With
    the ceiling (`fact_ceiling` 2, chosen on tune + tune_extra: both sides' first chunk was
    the answer more often than the fact chunk) each is lifted to just under its car's agreed
    paragraph, so both are in the top 4; without it, they come first."""
    both = {"Boot space: 318 litres", "Boot space: 382 litres"}
    assert _boot_lines([r.text for r in searcher.search(COMPARISON, k=4)]) == both
    before = searcher.fact_weight, searcher.fact_ceiling
    try:
        searcher.fact_ceiling = 0
        top = [r.text for r in searcher.search(COMPARISON, k=2)]
        assert _boot_lines(top) == both
        searcher.fact_weight = 0.0
        without = [r.text for r in searcher.search(COMPARISON, k=2)]
    finally:
        searcher.fact_weight, searcher.fact_ceiling = before
    assert _boot_lines(without) != _boot_lines(top)
    for mode in ("lexical", "vector"):  # a single side is that side alone
        alone = [r.text for r in searcher.search(COMPARISON, k=2, mode=mode)]  # type: ignore[arg-type]
        assert _boot_lines(alone) != _boot_lines(top), mode


def test_one_car_gets_the_facts_side_at_its_own_weight(searcher: Searcher) -> None:
    """A query naming one car and an attribute: the facts side ranks the car's chunk that
    states it at `single_fact_weight` (0.5, chosen on tune + tune_extra's folds: r@1 0.771 →
    0.786); at 0 the two sides alone rank, and the comparison weight does not apply."""
    query = "How much luggage fits in the Baleno?"
    ranked = [r.text for r in searcher.search(query, k=6)]
    before = searcher.single_fact_weight, searcher.fact_weight
    try:
        searcher.fact_weight = 0.0
        assert [r.text for r in searcher.search(query, k=6)] == ranked
        searcher.single_fact_weight = 0.0
        alone = [r.text for r in searcher.search(query, k=6)]
    finally:
        searcher.single_fact_weight, searcher.fact_weight = before
    boot = next(i for i, text in enumerate(ranked) if "Boot space: 318 litres" in text)
    assert boot < next(i for i, text in enumerate(alone) if "Boot space: 318 litres" in text)


def test_a_page_about_another_car_that_names_the_asked_car_keeps_its_score(
    searcher: Searcher,
) -> None:
    """The Seltos review is about the Seltos (its chunk's car), but it names the Nexon: it is
    not lowered as a chunk about other cars only, while the Nexon's own pages rank as before."""
    results = searcher.search("How long is the Tata Nexon?", k=8)
    weights = Weights(searcher.rrf_k, searcher.vector_weight, searcher.lexical_weight)
    rival = [r for r in results if "Kia Seltos" in r.text or "Seltos is" in r.text]
    assert rival and rival[0].score == pytest.approx(
        fuse(Part(**rival[0].scores.model_dump()), weights)
    )
    cars = searcher.cars() if searcher.cars is not None else None
    assert cars is not None
    names = cars.names(["tata-nexon"])
    assert names is not None and names.search("longer than the nexon")
    assert not names.search("the nexonx") and cars.names(["no-such-car"]) is None


def test_the_facts_side_lifts_a_chunk_no_higher_than_one_both_sides_agree_on() -> None:
    """Regression (t016, t017, t019 of tune_extra): an EPA rendering's table chunk holds the
    comparison's fact, both sides put the configuration line first, and the facts bonus lifted
    the table over it."""
    from retrieval.facts import ceilings
    from retrieval.fusion import Part, promote

    ranked = [
        ("line", 0.28, Part(vector_rank=1, lexical_rank=1)),
        ("other", 0.20, Part(vector_rank=3, lexical_rank=2)),
        ("table", 0.15, Part(vector_rank=4, lexical_rank=5)),
    ]
    cars = {"line": ("kia-soul-ev",), "other": ("nissan-leaf",), "table": ("kia-soul-ev",)}

    def cars_of(ids: list[str]) -> dict[str, tuple[str, ...]]:
        return {i: cars.get(i, ()) for i in ids}

    chosen = {"table": 1}
    caps = ceilings(ranked, chosen, cars_of, 2)
    assert caps == {"table": 0.28}  # the Soul's agreed-on line; the Leaf's chunk is no cap
    capped = promote(ranked, chosen, 1.0, 5, caps)
    assert [i for i, _, _ in capped][:2] == ["line", "table"]  # lifted, but not over the line
    assert [i for i, _, _ in promote(ranked, chosen, 1.0, 5)][0] == "table"  # uncapped
    assert ceilings(ranked, chosen, cars_of, 0) == {}
    assert ceilings(ranked, {"line": 1}, cars_of, 2) == {}  # none agreed on but itself


def test_a_chinese_comparison_of_english_pages_finds_each_cars_asked_line(
    searcher: Searcher,
) -> None:
    """ "哪个更长" shares no word with "Length: 3990 mm": the vocabulary's one-character label
    after a word of degree names the length, so the facts side brings each car's line and
    the encoder reads the question as "Baleno Nexon Overall length"."""
    query = "Baleno和Nexon，哪个更长？"
    lines = {"Length: 3990 mm", "Length: 3993 mm"}

    def found(k: int) -> set[str]:
        texts = [r.text for r in searcher.search(query, k=k)]
        return {line for text in texts for line in text.splitlines() if line in lines}

    assert found(2) == lines
    attributes = searcher.facts.attributes if searcher.facts is not None else None
    assert attributes is not None
    attributes.degree = False
    try:
        assert found(2) != lines
    finally:
        attributes.degree = True


def test_a_name_in_camel_case_asks_for_no_attribute() -> None:
    attributes = QueryAttributes.build(_vocabulary())
    assert attributes.find("Which is thriftier, the F-150 PowerBoost or the Tundra?") == set()
    assert attributes.find("How much power does the F-150 PowerBoost make?") == {"power"}


def test_the_most_specific_car_with_the_fact_answers_for_its_family() -> None:
    chunks = FactChunks(
        {("wrx", "mpg"): ("w:1", "w:2"), ("wrx-sti", "mpg"): ("w:7",), ("wrx", "co2"): ("w:3",)}
    )
    assert chunks.holding(("wrx-sti", "wrx"), {"mpg"}) == ["w:7"]  # not the WRX's rows
    assert chunks.holding(("wrx-sti", "wrx"), {"mpg"}, specific=False) == ["w:7", "w:1", "w:2"]
    assert chunks.holding(("wrx-sti", "wrx"), {"co2"}) == ["w:3"]  # the variant has none


def test_a_chunk_restating_a_fact_of_its_document_is_a_fact_chunk() -> None:
    """Extraction cites the summary table; a later sentence of the same document says the
    same figure with the attribute's label, and the fused order chooses between them."""
    texts = {
        "d:1": "| # | Displ | CO2 |\n| 1 | 1.8 | 170 |",
        "d:2": "Configuration 1: a 1.8-liter engine. Combined tailpipe CO2 is 170 grams per mile.",
        "d:3": "Configuration 2: 170 horsepower at 6,000 rpm.",  # the number, not the label
        "d:4": "Combined tailpipe CO2 is 1,940 grams per mile.",  # the label, not the number
        "e:2": "Combined tailpipe CO2 is 170 grams per mile.",  # another document
    }
    side = FactSide(
        QueryAttributes.build(_vocabulary()),
        lambda: FactChunks(
            {("prius", "co2"): ("d:1",)}, {("prius", "co2"): {"d": frozenset({170.0})}}
        ),
        lambda ids: {i: (texts[i], {}) for i in ids},
    )
    fused = ["d:3", "d:2", "e:2", "d:4", "d:1"]
    assert side.ranking({"co2"}, [("prius",)], fused) == {"d:2": 1, "d:1": 2}
    side.restated = False
    assert side.ranking({"co2"}, [("prius",)], fused) == {"d:1": 1}


def test_a_chunk_restating_a_word_valued_fact_is_a_fact_chunk() -> None:
    """A word-valued fact (a gearbox's name) has no number: a later chunk of the document
    that writes the value and the attribute's label restates it; the value alone, or the
    label alone, does not."""
    texts = {
        "k:1": "| # | Displ | Trans |\n| 1 | 1.6 | ShiftMax-7 |",
        "k:2": "Configuration 1: a 1.6-liter engine and a ShiftMax-7 (7-speed) transmission.",
        "k:3": "ShiftMax-7 owners report a smooth ride.",  # the value, not the label
        "k:4": "Configuration 2: a CVT transmission.",  # the label, another value
    }
    side = FactSide(
        QueryAttributes.build(_vocabulary()),
        lambda: FactChunks(
            {("kestrel", "transmission"): ("k:1",)},
            {("kestrel", "transmission"): {"k": frozenset({"shift max 7"})}},
        ),
        lambda ids: {i: (texts[i], {}) for i in ids},
    )
    fused = ["k:4", "k:3", "k:2", "k:1"]
    assert side.ranking({"transmission"}, [("kestrel",)], fused) == {"k:2": 1, "k:1": 2}
    side.words = False
    assert side.ranking({"transmission"}, [("kestrel",)], fused) == {"k:1": 1}


def test_a_price_written_in_wan_restates_its_fact() -> None:
    """Extraction keeps "15.68万元" as 156800 yuan; a chunk restating it is read the same
    way (multipliers applied), not as 15.68."""
    assert {156800.0, 15.68, 3000.0} <= numbers_in("新车售价15.68万元，选装包3000元")
    assert 156800.0 not in numbers_in("新车售价15.68万元", scaled=False)
    texts = {
        "p:0": "星河X共三款，售价区间为13.98-15.68万元。",
        "p:1": "星河X Pro：15.68万元，可选装舒适包，售价8000元。",
        "p:2": "星河X Pro的轴距为2700mm。",
    }
    side = FactSide(
        QueryAttributes.build(_vocabulary()),
        lambda: FactChunks(
            {("xinghe-x", "price"): ("p:0",)},
            {("xinghe-x", "price"): {"p": frozenset({139800.0, 156800.0})}},
        ),
        lambda ids: {i: (texts[i], {}) for i in ids},
    )
    fused = ["p:1", "p:2", "p:0"]
    assert side.ranking({"price"}, [("xinghe-x",)], fused) == {"p:1": 1, "p:0": 2}
    side.scaled = False
    assert side.ranking({"price"}, [("xinghe-x",)], fused) == {"p:0": 1}


def _vocabulary() -> Vocabulary:
    return load_vocabulary(shipped_data() / "specs" / "attributes.toml")
