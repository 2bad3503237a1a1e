"""Entity-aware retrieval on a real index of small documents: the cars a query names are
preferred, comparisons bring each car's evidence, boilerplate does not drive BM25."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.services import Services
from api.settings import Settings, shipped_data
from ingest.lexical.boilerplate import Boilerplate, Rule
from ingest.specs.cars import load_cars
from ingest.specs.registry import curated_cars
from retrieval.entities import KnownCar, QueryCars, without
from retrieval.search import Result, Searcher

pytestmark = pytest.mark.slow

CARS_TOML = shipped_data() / "specs" / "cars.toml"

DOCUMENTS = {
    "toyota/camry.md": """# Toyota Camry specifications

## Fuel economy

The Toyota Camry hybrid returns 51 mpg combined in the EPA test; the petrol Camry 32 mpg.

## Engine

The Camry's 2.5-litre four-cylinder engine makes 225 hp.
""",
    "nissan/xtrail.md": """# Nissan X-Trail specifications

## Engine

The X-Trail's 1.5-litre VC-Turbo three-cylinder engine makes 150 kW and 300 Nm of torque.

## Boot

The X-Trail holds 585 litres of luggage.
""",
    "news/nio_et7_zh.md": """# 蔚来ET7风阻系数解析

## 风阻

风阻系数越低，燃油经济性越好，油耗也越低；燃油车跑高速很省油。油耗和燃油经济性是用户关心的问题，油耗越低越好。
""",
    "news/xtrail_zh.md": """# 全新日产奇骏上市

## 动力

全新奇骏采用1.5T三缸可变压缩比涡轮增压发动机，最大功率150kW，峰值扭矩300牛米。

## 结尾

- THE END - 转载请注明出处：快科技 #日产#奇骏 责任编辑：若风
""",
}

FOOTER = "Share this story with your friends and follow us for the latest car reviews every week."
BLOG = {
    f"blog/post{n}.md": f"# Post {n}\n\n{body}\n\n{FOOTER}\n"
    for n, body in enumerate(
        [
            "The Mazda MX-5 weighs 1,058 kg.",
            "The Kia Picanto has a 35 litre fuel tank.",
            "The Suzuki Jimny wades through 300 mm of water.",
            "The Fiat Panda seats four adults.",
        ]
    )
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[Searcher]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("cars")
    folder = root / "docs"
    for name, text in {**DOCUMENTS, **BLOG}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    services = Services(Settings(data_dir=root / "index", workers=0), embedder=embedder)
    report = services.pipeline.run([folder])
    assert report.failed == 0 and report.ok == len(DOCUMENTS) + len(BLOG)
    yield services.searcher
    services.close()


def _name(result: Result) -> str:
    return str(Path(result.citation.path).relative_to(Path(result.citation.path).parents[1]))


# -- the cars a query names ---------------------------------------------------------------


def test_queries_name_cars_in_english_chinese_aliases_and_partial_names() -> None:
    cars = QueryCars.build(load_cars([CARS_TOML]))
    assert [m.car for m in cars.find("丰田凯美瑞的油耗")] == ["toyota-camry"]
    assert [m.car for m in cars.find("凯美瑞的油耗")] == ["toyota-camry"]
    assert [m.car for m in cars.find("boot space of the Venue")] == ["hyundai-venue"]
    assert [m.car for m in cars.find("Venue vs Creta: which is longer?")] == [
        "hyundai-venue",
        "hyundai-creta",
    ]
    assert cars.find("Toyota fuel economy") == []  # a make alone names no car
    query = "全新日产奇骏的发动机功率和扭矩"
    mentions = cars.find(query)
    assert [m.car for m in mentions] == ["nissan-x-trail"]
    assert "奇骏" not in without(query, mentions) and "扭矩" in without(query, mentions)


def test_registry_cars_are_learned_but_everyday_words_need_their_make() -> None:
    known = [
        KnownCar("dodge-charger", ("Dodge Charger",)),
        KnownCar("pontiac-lemans", ("Pontiac LeMans",)),  # a make the alias file lacks
        KnownCar("hyundai-ioniq-5", ("Hyundai IONIQ 5",)),
    ]
    cars = QueryCars.build(load_cars([CARS_TOML]), known)
    assert [m.car for m in cars.find("0-60 of the Dodge Charger")] == ["dodge-charger"]
    assert cars.find("How fast does it charge on a DC fast charger?") == []
    assert [m.car for m in cars.find("luggage in a 1993 Pontiac LeMans")] == ["pontiac-lemans"]
    assert [m.car for m in cars.find("range of the IONIQ 5")] == ["hyundai-ioniq-5"]


def test_a_registry_cars_chinese_model_name_names_it_alone_unless_it_is_a_make() -> None:
    known = [
        KnownCar("byd-海豹", ("比亚迪海豹",)),
        KnownCar("byd-汉", ("比亚迪汉",)),  # one character: too short to stand alone
        KnownCar("nio-理想", ("蔚来理想",)),  # a model named like a make (Li Auto, "ideal")
    ]
    cars = QueryCars.build(load_cars([CARS_TOML]), known)
    assert [m.car for m in cars.find("海豹的续航是多少？")] == ["byd-海豹"]
    assert [m.car for m in cars.find("比亚迪海豹的续航是多少？")] == ["byd-海豹"]
    assert cars.find("汉的续航是多少？") == []
    assert [m.car for m in cars.find("比亚迪汉的续航")] == ["byd-汉"]
    assert cars.find("理想的家用车续航是多少？") == []
    assert [m.car for m in cars.find("蔚来理想的续航")] == ["nio-理想"]


def test_model_codes_match_spaced_or_joined_and_a_variant_counts_as_its_base() -> None:
    known = [KnownCar("volvo-xc-90", ("VOLVO XC 90",))]
    cars = QueryCars.build(load_cars([CARS_TOML]), known)
    assert [m.car for m in cars.find("combined MPG of the Volvo XC90")] == ["volvo-xc-90"]
    assert [m.car for m in cars.find("Volvo XC 90 price")] == ["volvo-xc-90"]
    hybrid = cars.find("Toyota Corolla Hybrid mileage")
    assert [m.family for m in hybrid] == [("toyota-corolla-hybrid", "toyota-corolla")]
    assert [m.family for m in cars.find("Toyota Corolla mileage")] == [("toyota-corolla",)]


def test_a_variants_words_after_its_models_chinese_name_name_the_variant() -> None:
    """大切诺基 names the Grand Cherokee; the variant's word just after it names the variant,
    whose id is the model's and that word (no alias of the variant is written so)."""
    known = [
        KnownCar("jeep-grand-cherokee", ("Jeep Grand Cherokee", "大切诺基")),
        KnownCar("jeep-grand-cherokee-trackhawk", ("Jeep Grand Cherokee Trackhawk",)),
        KnownCar("jeep-grand-cherokee-srt", ("Jeep Grand Cherokee SRT",)),
    ]
    cars = QueryCars.build(load_cars([CARS_TOML]), known)
    found = cars.find("2018款Jeep大切诺基TrackHawk每英里排放多少克二氧化碳？")
    assert [m.family for m in found] == [("jeep-grand-cherokee-trackhawk", "jeep-grand-cherokee")]
    assert [m.car for m in cars.find("Jeep大切诺基 SRT的马力")] == ["jeep-grand-cherokee-srt"]
    assert [m.car for m in cars.find("Jeep大切诺基四驱版")] == ["jeep-grand-cherokee"]
    assert [m.car for m in cars.find("Jeep Grand Cherokee 4WD")] == ["jeep-grand-cherokee"]


# -- search -------------------------------------------------------------------------------


def test_the_named_car_comes_first_over_a_page_that_repeats_the_words(searcher) -> None:  # type: ignore[no-untyped-def]
    """Regression (issue 16): 丰田凯美瑞的油耗 found no Camry, only Chinese news that says 油耗."""
    for mode in ("hybrid", "vector", "lexical"):
        results = searcher.search("丰田凯美瑞的油耗", k=3, mode=mode)
        assert _name(results[0]) == "toyota/camry.md", mode


def test_the_answer_comes_before_the_footer_that_names_the_car(searcher) -> None:  # type: ignore[no-untyped-def]
    """Regression (issue 16): the footer `#日产#奇骏` ranked first for the X-Trail's power.
    BM25 no longer lets the names carry the footer; hybrid also hears MiniLM, which reads
    Chinese as noise and puts the footer first on this four-document index (on the corpus the
    passage is first in hybrid too: BENCHMARKS.md "Retrieval")."""
    query = "全新日产奇骏的发动机功率和扭矩"
    top = searcher.search(query, k=3, mode="lexical")[0]
    assert "300牛米" in top.text and "THE END" not in top.text
    assert any("300牛米" in r.text for r in searcher.search(query, k=2))


def test_a_comparison_brings_each_cars_evidence_into_the_top(searcher) -> None:  # type: ignore[no-untyped-def]
    results = searcher.search("Which engine is more powerful, the Camry or the X-Trail?", k=2)
    assert {_name(r) for r in results} == {"toyota/camry.md", "nissan/xtrail.md"}
    texts = " ".join(r.text for r in searcher.search("Camry vs X-Trail engine power", k=4))
    assert "225 hp" in texts and "150 kW" in texts


def test_scores_are_in_order_in_every_mode_with_cars_named(searcher) -> None:  # type: ignore[no-untyped-def]
    for query in ("Camry vs X-Trail engine power", "奇骏和凯美瑞的油耗", "凯美瑞的油耗"):
        for mode in ("hybrid", "vector", "lexical"):
            scores = [r.score for r in searcher.search(query, k=8, mode=mode)]
            assert scores and scores == sorted(scores, reverse=True), (query, mode)


def test_a_car_filter_is_not_overridden_by_the_cars_named(searcher) -> None:  # type: ignore[no-untyped-def]
    results = searcher.search("Camry engine", k=5, filters={"car": "nissan-x-trail"})
    assert results and {_name(r) for r in results} <= {"nissan/xtrail.md", "news/xtrail_zh.md"}


# -- boilerplate ----------------------------------------------------------------------------


def test_a_footer_every_post_repeats_does_not_find_the_posts(searcher) -> None:  # type: ignore[no-untyped-def]
    found = searcher.search("share with friends follow latest reviews", k=5, mode="lexical")
    assert not any(_name(r).startswith("blog/") for r in found)
    jimny = searcher.search("How deep can the Jimny wade?", k=1)[0]
    assert _name(jimny) == "blog/post2.md" and FOOTER in jimny.text  # stored text intact


def test_boilerplate_is_counted_per_folder_and_short_lines_are_data() -> None:
    chunks = [
        (f"Passengers: 4\n{FOOTER}\nThe car number {n}.", {"source": f"/a/{n}.md", "doc_id": n})
        for n in "abc"
    ]
    chunks.append((FOOTER, {"source": "/b/x.md", "doc_id": "x"}))  # one document of /b
    found = Boilerplate.find(chunks, Rule(share=0.5, min_documents=3))
    assert found.count == 1 and " ".join(FOOTER.split()).lower() in found.lines["/a"]
    assert found.strip(chunks[0][0], chunks[0][1]) == "Passengers: 4\nThe car number a."
    assert found.strip(FOOTER, {"source": "/b/x.md"}) == FOOTER


def test_a_car_the_pooled_nearest_chunks_lack_gets_no_vector_ranking(searcher) -> None:  # type: ignore[no-untyped-def]
    """Fifth pass (issue 16): in hybrid a named car's vector ranking is its chunks among the
    pooled nearest; when the pool holds none of them (MiniLM and a Chinese article), the
    nearest chunks about other cars no longer stand in for it. A pool of one chunk here."""
    query = "X-Trail hybrid fuel economy mpg combined in the EPA test"

    def narrow(**options: bool) -> Searcher:
        return Searcher(
            store=searcher.store,
            embedder=searcher.embedder,
            lexical=searcher.lexical,
            glossary=searcher.glossary,
            cars=searcher.cars,
            depth=1,
            depth_factor=1,
            car_pool=1,
            **options,
        )

    borrowed = narrow(absent_car_run=True).search(query, k=1)[0]
    assert borrowed.scores.vector_rank == 1 and _name(borrowed) == "toyota/camry.md"
    for result in narrow().search(query, k=1):
        assert result.scores.vector_rank is None
    # vectors alone still ask Chroma for the car's chunks, and find them
    alone = narrow().search(query, k=1, mode="vector")[0]
    assert "xtrail" in _name(alone)


def test_a_cars_chinese_market_name_from_the_alias_files_names_section(tmp_path: Path) -> None:
    """`[names.<id>]` gives a car specrag finds by itself its Chinese name: the registry shows
    it (GET /v1/cars?q=塔科马) and a question names the car by it alone, while extraction's
    index lists no model for it (a listed English name would make every English mention of
    it one of a text's cars)."""
    extra = tmp_path / "names.toml"
    extra.write_text('[names.toyota-tacoma]\naliases = ["塔科马"]\n', encoding="utf-8")
    index = load_cars([CARS_TOML, extra])
    assert index.other_names["toyota-tacoma"] == ["塔科马"]
    assert "toyota-tacoma" not in index.model_names and "塔科马" not in index.model_aliases
    curated = curated_cars(index)["toyota-tacoma"]
    assert curated.name == "" and "塔科马" in curated.aliases
    known = [KnownCar("toyota-tacoma", ("Toyota Tacoma", *curated.aliases))]
    cars = QueryCars.build(load_cars([CARS_TOML, extra]), known)
    assert [m.car for m in cars.find("塔科马的最大牵引重量")] == ["toyota-tacoma"]
    assert [m.car for m in cars.find("towing of the Toyota Tacoma")] == ["toyota-tacoma"]
