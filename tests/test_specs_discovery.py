"""Cars no alias file lists, found by the shape of their names (`ingest/specs/taught.py`): a
known make right before a model name in a title, a heading line or twice in prose; the name's
end read from its shape (a code, Chinese characters with a code, or the longest start the
document repeats on its own). Every document here is invented for the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main as cli
from api.services import Services
from ingest.document import ParsedDocument, Section
from ingest.specs.cars import load_cars, slug
from ingest.specs.extract import SpecConfig
from ingest.specs.taught import taught_index
from tests.test_specs_extract import facts, one, write

SEAL = """---
title: '比亚迪海豹正式上市 售价21.28万元起'
---

比亚迪海豹正式上市，新车共推出4款车型，售价区间为21.28-28.68万元。

海豹的轴距为2920mm，作为对比，特斯拉Model 3的轴距为2875mm。

动力方面，海豹搭载后置单电机，最大功率为230kW，CLTC续航里程为700km。
"""

SHOW = """---
title: '车展新车盘点：三款新车值得关注'
---

本届车展上多家品牌带来了新车，下面一起来看看。

<p><strong>吉利星越L</strong></p>
<p>吉利展台上，星越L的新款车型正式亮相，官方指导价为13.72万元。星越L的轴距为2845mm，最大功率为175kW。</p>
<p><strong>小米SU7</strong></p>
<p>小米汽车首款车型同样亮相，售价21.59万元起。SU7的轴距为3000mm，CLTC续航里程为700km。</p>
<p><strong>理想L7</strong></p>
<p>理想L7的轴距为3005mm，售价31.98万元起。</p>
"""


def _taught(title: str, text: str) -> dict[str, set[str]]:
    doc = ParsedDocument(
        source="invented.md", file_type="md", title=title, sections=[Section(text=text)]
    )
    _, names, passing = taught_index(load_cars(SpecConfig().cars), doc)
    return {car: names for car, names in names.items() if car not in passing}


def test_a_chinese_model_name_ends_where_the_document_stops_repeating_it(tmp_path: Path) -> None:
    """The title's "比亚迪海豹正式上市" recurs, "海豹" alone three times more: the car is 海豹, its
    figures are its own, and a rival's figure in the same sentence stays the rival's."""
    specs = write(tmp_path, "seal.md", SEAL)
    (car,) = [c for c in specs.cars if c.id == "byd-seal"]
    assert car.name == "BYD Seal" and {"海豹", "比亚迪海豹"} <= set(car.aliases)  # the line's name
    assert one(specs, "wheelbase", "byd-seal").numbers == (2920.0,)
    assert one(specs, "power", "byd-seal").numbers == (230.0,)
    assert one(specs, "price", "byd-seal").numbers == (212800.0, 286800.0)
    assert not facts(specs, "wheelbase", "tesla-model-3") or one(
        specs, "wheelbase", "tesla-model-3"
    ).numbers == (2875.0,)


def test_each_section_of_an_auto_show_report_gives_its_figures_to_its_own_car(
    tmp_path: Path,
) -> None:
    specs = write(tmp_path, "show.md", SHOW)
    wheelbase = {f.car: f.numbers for f in facts(specs, "wheelbase")}
    assert wheelbase == {
        "geely-xingyue-l": (2845.0,),
        "xiaomi-su7": (3000.0,),
        "li-auto-l7": (3005.0,),
    }
    assert one(specs, "price", "geely-xingyue-l").numbers == (137200.0,)
    assert one(specs, "electric_range", "xiaomi-su7").numbers == (700.0,)
    names = {c.id: c.name for c in specs.cars}
    assert names["xiaomi-su7"] == "Xiaomi SU7" and names["geely-xingyue-l"] == "Geely Xingyue L"


def test_a_section_headed_by_a_name_and_its_price_is_that_car_s(tmp_path: Path) -> None:
    """ "<strong>极氪7X：售价22.99万元起</strong>": a heading with a figure in it still
    starts its car's part; the lines under it say only "新车"."""
    specs = write(
        tmp_path,
        "week.md",
        "---\ntitle: '一周新车速览'\n---\n\n<p>本周多款新车上市。</p>"
        "<p><strong>极氪7X：售价22.99万元起</strong></p><p>新车轴距为2925mm。</p>"
        "<p><strong>小米SU7：售价21.59万元起</strong></p><p>新车轴距为3000mm。</p>\n",
    )
    assert {f.car: f.numbers for f in facts(specs, "wheelbase")} == {
        "zeekr-7x": (2925.0,),
        "xiaomi-su7": (3000.0,),
    }
    assert one(specs, "price", "zeekr-7x").numbers == pytest.approx((229900,))


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("大众汽车公布上半年销量", "大众汽车在中国市场表现稳健，大众汽车的销量同比增长。"),
        ("丰田的混动技术再获认可", "丰田的混动技术非常成熟，丰田的热效率达到41%。"),
        ("比亚迪旗下品牌众多", "比亚迪旗下的车型覆盖10万元到100万元，比亚迪旗下品牌众多。"),
        ("小米发布新车", "小米发布了新车，小米发布会在北京举行。"),
        ("比亚迪2023年销量创新高", "比亚迪2023年销量突破300万辆，比亚迪2023年的表现亮眼。"),
        ("比亚迪新能源车型热销", "比亚迪新能源车型卖得好，比亚迪新能源的份额继续扩大。"),
        ("特斯拉CEO访华", "特斯拉CEO表示将继续投资，特斯拉CEO此前也曾到访。"),
    ],
)
def test_a_make_followed_by_a_common_word_names_no_car(title: str, text: str) -> None:
    assert _taught(title, text) == {}


def test_prose_names_a_car_only_when_it_repeats_it() -> None:
    once = "这次我们试驾了零跑C10，整体表现不错。"
    assert _taught("试驾手记", once) == {}
    twice = once + "零跑C10的轴距为2825mm。"
    assert _taught("试驾手记", twice) == {"leapmotor-c10": {"C10", "零跑C10"}}


def test_a_car_named_once_in_passing_gets_no_facts_and_takes_its_figure_along(
    tmp_path: Path,
) -> None:
    """A rival named once by its make and code: not a car of the document, but the figure
    after its name is not the document's car's either."""
    specs = write(
        tmp_path,
        "c10.md",
        "---\ntitle: '零跑C10上市 售价12.88万元起'\n---\n\n"
        "日前，零跑C10正式上市，新车售价12.88-15.88万元。\n\n"
        "尺寸方面，C10的轴距为2825mm。作为对比，问界M5的轴距为2880mm。\n",
    )
    assert {c.id for c in specs.cars} == {"leapmotor-c10"}
    assert one(specs, "wheelbase").numbers == (2825.0,)
    assert one(specs, "price", "leapmotor-c10").numbers == pytest.approx((128800, 158800))


def test_a_heading_naming_the_model_alone_is_the_car_its_prose_names_once(
    tmp_path: Path,
) -> None:
    """The make is written once ("吉利星越L"), the section heading gives the model alone."""
    specs = write(
        tmp_path,
        "suv.md",
        "---\ntitle: '三款紧凑型SUV横评'\n---\n\n<p>这次横评的第一款是吉利星越L。</p>"
        "<p><strong>星越L</strong></p><p>新车轴距为2845mm，最大功率为175kW。</p>"
        "<p><strong>哈弗H6</strong></p><p>新车轴距为2738mm。</p>\n",
    )
    assert {f.car: f.numbers for f in facts(specs, "wheelbase")} == {
        "geely-xingyue-l": (2845.0,),
        "haval-h6": (2738.0,),
    }


def test_a_listed_car_written_shorter_is_that_car(tmp_path: Path) -> None:
    """ "吉利帝豪" once, in a text about the 帝豪L the alias file lists: the same car."""
    specs = write(
        tmp_path,
        "emgrand.md",
        "# 吉利帝豪L新款到店\n\n新款吉利帝豪L的轴距为2700mm。此外，吉利帝豪的售价为8.7万元起。\n",
    )
    assert {c.id for c in specs.cars} == {"geely-emgrand-l"}
    assert one(specs, "price", "geely-emgrand-l").numbers == pytest.approx((87000,))


def test_a_model_year_before_the_name_and_english_makes_are_left_alone() -> None:
    assert _taught("比亚迪2024款海豹上市", "2024款海豹的续航更长，海豹售价不变。") == {
        "byd-seal": {"海豹", "比亚迪海豹"}
    }
    english = "Hyundai MOTOR INDIA LTD printed this. Hyundai MOTOR INDIA LTD owns it."
    assert _taught("Brochure", english) == {}


def test_a_name_stops_where_another_make_starts() -> None:
    """ "比亚迪旗下腾势N7": 腾势 is a make of its own, and N7 is its model."""
    taught = _taught("比亚迪旗下腾势N7上市", "腾势N7的轴距为2940mm，腾势N7售价30万元。")
    assert taught == {"denza-n7": {"N7", "腾势N7"}}


def test_a_name_in_quotes_or_after_a_middle_dot() -> None:
    text = "“海豹”的轴距为2920mm，海豹售价21万元。"
    assert _taught("比亚迪“海豹”正式上市", text) == {"byd-seal": {"海豹", "比亚迪海豹"}}
    assert _taught("长安·启源A07上市", "启源A07的续航为710km。") == {
        "changan-qiyuan-a07": {"启源A07", "长安启源A07"}
    }


def test_ids_spell_chinese_names_in_pinyin() -> None:
    """An id a URL carries as it is, and the one most Chinese models' own Latin names spell
    (found without an alias file, a car with a Chinese id never matched `byd-qin-l`)."""
    assert slug("BYD 海豹") == "byd-haibao"
    assert slug("Geely 星越L") == "geely-xingyue-l"
    assert slug("Changan 启源A07") == "changan-qiyuan-a07"
    assert slug("Citroën C5 Aircross") == "citroen-c5-aircross"


@pytest.fixture
def services(make_settings: Any, embedder: Any, tmp_path: Path) -> Iterator[Services]:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "seal.md").write_text(SEAL, encoding="utf-8")
    services = Services(make_settings(roots=[folder]), embedder=embedder)
    services.pipeline.run([folder])
    yield services
    services.close()


def test_a_found_car_is_listed_searched_and_shown_by_its_pinyin_id(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(services.settings, services=services)) as client:
        found = client.get("/v1/cars", params={"q": "海豹"}).json()["cars"]
        assert found[0]["id"] == "byd-seal" and "海豹" in found[0]["aliases"]
        sheet = client.get(f"/v1/cars/{quote('byd-seal')}")
        assert sheet.status_code == 200, sheet.text
        wheelbase = next(s for s in sheet.json()["specs"] if s["attribute"] == "wheelbase")
        assert wheelbase["value"] == "2920mm" and wheelbase["citations"][0]["evidence"]
    monkeypatch.setenv("SPECRAG_DATA_DIR", str(services.settings.data_dir))
    printed = CliRunner().invoke(cli, ["specs", "byd-seal", "--json"])
    assert printed.exit_code == 0, printed.output
    sheet_json: dict[str, Any] = json.loads(printed.output)
    assert sheet_json["car"]["id"] == "byd-seal"
    assert {s["attribute"] for s in sheet_json["specs"]} >= {"wheelbase", "power", "price"}


def test_a_long_run_of_letters_after_a_make_is_no_model_code() -> None:
    """Regression (review B5): a title of a make and 300 letters became a 307-character car
    id that `/v1/cars` listed and `/v1/cars/{id}` refused (its ids are at most 200)."""
    title = "小米" + "A" * 300
    assert _taught(title, f"{title}发布，售价21万元。{title}续航700km。") == {}
