"""Spec facts, eighth round (issue 14): Chinese documents of every shape, by mechanism. One
small document per mechanism (配置表 tables, `参数：值` lists, version rows, buyer's guides, Q&A,
Weibo posts, multi-car prose), every sentence written for the test."""

from __future__ import annotations

from pathlib import Path

from ingest.chunk import chunk_document
from ingest.encodings import get_encoding
from ingest.parse import parse_file
from ingest.specs import DocumentSpecs, SpecConfig, extract_specs
from ingest.specs.cars import load_cars
from ingest.specs.taught import taught_index
from ingest.specs.vocabulary import load_vocabulary, unit_hint
from tests.test_specs_extract import facts, write

_USER_CARS = """
[brands.haval]
name = "Haval"
aliases = ["哈弗"]
[models.byd-han]
brand = "byd"
name = "Han"
aliases = ["汉"]
[models.byd-seal]
brand = "byd"
name = "Seal"
aliases = ["海豹"]
[models.geely-xingyue-l]
brand = "geely"
name = "Xingyue L"
aliases = ["星越L"]
[models.volkswagen-tiguan-l]
brand = "volkswagen"
name = "Tiguan L"
aliases = ["途观L"]
[models.haval-menglong]
brand = "haval"
name = "Menglong"
aliases = ["猛龙"]
"""


def with_cars(tmp_path: Path, name: str, text: str, user_cars: str = _USER_CARS) -> DocumentSpecs:
    """`text` extracted with a user's alias file beside the shipped one, as bench.facts --cars."""
    cars = tmp_path / "my_cars.toml"
    cars.write_text(user_cars, encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    chunks = chunk_document(doc, max_tokens=256, overlap=32, encoding=get_encoding("cl100k_base"))
    return extract_specs(doc, chunks, SpecConfig(cars=(*SpecConfig().cars, cars)))


def values(specs: DocumentSpecs, attribute: str) -> dict[str | None, set[float]]:
    out: dict[str | None, set[float]] = {}
    for f in facts(specs, attribute):
        out.setdefault(f.variant, set()).update(round(n, 3) for n in f.numbers[:1])
    return out


def test_a_parameter_table_reads_its_usual_labels_and_its_wan_yuan_header(tmp_path: Path) -> None:
    """A 配置表 names its rows with a source or a test cycle in front ("官方0-100km/h加速(s)",
    "CLTC纯电续航里程(km)"), with the usual words of such tables (电动机总功率, 电池能量), and
    gives prices in a "(万元)" column: each cell is its column's version's, prices times 万.
    A measured row ("实测0-100km/h加速") is no spec."""
    specs = with_cars(
        tmp_path,
        "han.md",
        "# 比亚迪汉EV配置表\n\n"
        "| 车型 | 506KM尊贵型 | 610KM四驱旗舰型 |\n|---|---|---|\n"
        "| 官方指导价(万元) | 20.98 | 27.98 |\n"
        "| 电动机总功率(kW) | 150 | 380 |\n"
        "| 电池能量(kWh) | 72.9 | 85.4 |\n"
        "| CLTC纯电续航里程(km) | 506 | 610 |\n"
        "| 官方0-100km/h加速(s) | 7.9 | 3.9 |\n"
        "| 实测0-100km/h加速(s) | 8.3 | 4.1 |\n",
    )
    assert {f.car for f in specs.facts} == {"byd-han"}
    assert values(specs, "price") == {"506KM尊贵型": {209800.0}, "610KM四驱旗舰型": {279800.0}}
    assert values(specs, "power") == {"506KM尊贵型": {150.0}, "610KM四驱旗舰型": {380.0}}
    assert values(specs, "battery_capacity") == {"506KM尊贵型": {72.9}, "610KM四驱旗舰型": {85.4}}
    assert values(specs, "electric_range") == {"506KM尊贵型": {506.0}, "610KM四驱旗舰型": {610.0}}
    assert values(specs, "acceleration_0_100") == {"506KM尊贵型": {7.9}, "610KM四驱旗舰型": {3.9}}


def test_labels_of_a_chinese_spec_sheet_and_the_wan_hint() -> None:
    vocab = load_vocabulary(SpecConfig().attributes)
    assert vocab.lookup("工信部纯电续航里程(km)") == "electric_range"
    assert vocab.lookup("WLTC亏电油耗") == "fuel_economy_combined"
    assert vocab.lookup("前轮胎规格") == "tyres"
    assert vocab.lookup("实测百公里油耗") is None
    hint = unit_hint("厂商指导价(万元)")
    assert hint is not None and hint.multiplier == 10000


def test_a_slashed_parameter_line_gives_each_version_its_part(tmp_path: Path) -> None:
    """`参数：值/值` lines under 【…】 headers, the versions named once by a note ("“/”前为两驱版，
    后为四驱版"): each part is its version's; a unit's own slash (L/100km) splits nothing."""
    specs = with_cars(
        tmp_path,
        "menglong.md",
        "# 哈弗猛龙官方参数\n\n【基本信息】\n厂商指导价：16.38万元/19.98万元\n\n"
        "【动力系统】\n发动机：1.5T 四缸\n系统综合扭矩：615N·m/762N·m\n"
        "亏电油耗：7.5L/100km/7.9L/100km\n驱动方式：前置前驱/智能四驱\n\n"
        "（说明：“/”前为两驱版，后为四驱版。）\n",
    )
    assert values(specs, "price") == {"两驱版": {163800.0}, "四驱版": {199800.0}}
    assert values(specs, "torque") == {"两驱版": {615.0}, "四驱版": {762.0}}
    assert values(specs, "fuel_economy_combined") == {"两驱版": {7.5}, "四驱版": {7.9}}
    assert {f.variant: f.value for f in facts(specs, "drive")} == {
        "两驱版": "前置前驱",
        "四驱版": "智能四驱",
    }
    assert values(specs, "displacement") == {None: {1.5}}
    assert values(specs, "cylinders") == {None: {4.0}}


def test_a_version_row_gives_every_cell_to_its_version(tmp_path: Path) -> None:
    """ "小米SU7 Pro：售价24.59万元｜后驱单电机｜最大功率220kW｜CLTC续航830km": the line's name
    (less the make) is the version of each cell, a drive cell kept whole."""
    specs = write(
        tmp_path,
        "su7.md",
        "# 小米SU7正式上市\n\n小米SU7（标准版）：售价21.59万元｜后驱单电机｜最大功率220kW\n\n"
        "小米SU7 Max：售价29.99万元｜双电机四驱｜最大功率495kW｜CLTC续航800km\n",
    )
    assert values(specs, "price") == {"标准版": {215900.0}, "SU7 Max": {299900.0}}
    assert values(specs, "power") == {"标准版": {220.0}, "SU7 Max": {495.0}}
    assert {f.variant: f.value for f in facts(specs, "drive")} == {
        "标准版": "后驱单电机",
        "SU7 Max": "双电机四驱",
    }
    assert values(specs, "electric_range") == {"SU7 Max": {800.0}}


def test_a_bare_designation_names_the_car_the_document_named_whole(tmp_path: Path) -> None:
    """After "理想L7", "L7 Air售价31.98万元" names the L7 (and its Air); tyre sizes followed by a
    Chinese word are read, one per version joined before them."""
    specs = write(
        tmp_path,
        "l7.md",
        "# 理想L7正式上市\n\n理想L7共三个版本。L7 Air售价31.98万元，L7 Pro售价33.98万元。\n\n"
        "L7 Air和L7 Pro标配255/50 R20轮胎，L7 Max则升级为265/45 R21规格的轮胎。"
        "L7 Max还保留了激光雷达。\n",
    )
    assert values(specs, "price") == {"L7 Air": {319800.0}, "L7 Pro": {339800.0}}
    assert {(f.variant, f.value) for f in facts(specs, "tyres")} == {
        ("L7 Air", "255/50 R20"),
        ("L7 Pro", "255/50 R20"),
        ("L7 Max", "265/45 R21"),
    }


def test_parallel_clauses_give_each_subject_the_label_before_them(tmp_path: Path) -> None:
    """ "纯电续航两驱版为240km，四驱版为200km" and "星越L为…，途观L则为…": one label, each car or
    version in turn."""
    specs = write(
        tmp_path,
        "m7.md",
        "# 问界M7长测\n\n问界M7官方CLTC纯电续航两驱版为240km，四驱版为200km。\n",
    )
    assert values(specs, "electric_range") == {"两驱版": {240.0}, "四驱版": {200.0}}
    pair = with_cars(
        tmp_path,
        "suv.md",
        "# 吉利星越L对比大众途观L\n\n官方指导价方面，吉利星越L为13.72万－17.52万元，"
        "大众途观L则为21.58万－28.58万元。\n",
    )
    prices = {f.car: tuple(round(n) for n in f.numbers) for f in facts(pair, "price")}
    assert prices == {
        "geely-xingyue-l": (137200, 175200),
        "volkswagen-tiguan-l": (215800, 285800),
    }


def test_rumours_and_measurements_are_no_specs(tmp_path: Path) -> None:
    """或将/有望/听说 speculate, 实测 measures: none of them is the maker's figure."""
    specs = write(
        tmp_path,
        "c10.md",
        "# 零跑C10上市\n\n零跑C10电机最大功率160kW。听说四驱版电机功率或将达到300kW，"
        "Ultra版有望超过400kW。编辑实测纯电续航约95km，官方CLTC纯电续航为110km。\n",
    )
    assert values(specs, "power") == {None: {160.0}}
    assert values(specs, "electric_range") == {None: {110.0}}


def test_offered_choices_name_their_items_and_a_designations_clause(tmp_path: Path) -> None:
    """ "新车提供1.5T和2.0T两款发动机": each size is its own version; "2.0T车型提供两驱和智能四驱
    两种版本", "其中380TSI车型标配四驱": drives of the designation the clause is about; a drive
    after a sized engine in its sentence is that engine's."""
    specs = write(
        tmp_path,
        "h6.md",
        "# 哈弗H6新款\n\n动力方面，新车提供1.5T和2.0T两款发动机。其中2.0T发动机最大功率165kW，"
        "并且只与智能四驱系统搭配。2.0T车型提供两驱和智能四驱两种版本。\n",
    )
    assert values(specs, "displacement") == {"1.5T": {1.5}, "2.0T": {2.0}}
    assert {(f.variant, f.value) for f in facts(specs, "drive")} >= {("2.0T", "两驱")}
    assert all(f.variant == "2.0T" for f in facts(specs, "drive"))


def test_each_powertrain_part_is_named_beside_the_system(tmp_path: Path) -> None:
    """A plug-in's engine and motor beside each other (or beside the system's output) are
    each named by their part; an engine size never names the motor's figure."""
    specs = write(
        tmp_path,
        "tang.md",
        "# 比亚迪唐DM-i新款上市\n\n比亚迪唐DM-i新款上市，1.5T发动机最大功率115kW，"
        "电机最大功率160kW，车长4900mm。\n",
    )
    assert values(specs, "power") == {"发动机": {115.0}, "电机": {160.0}}
    l7 = write(
        tmp_path,
        "l7_params.md",
        "# 理想L7参数\n\n理想L7参数如下：\n\n增程器：1.5T四缸，最大功率113kW\n\n"
        "系统最大功率：330kW\n",
    )
    assert values(l7, "power") == {"增程器": {113.0}, None: {330.0}}
    assert values(l7, "cylinders") and values(l7, "displacement")


def test_a_table_column_headed_by_another_car_is_that_cars(tmp_path: Path) -> None:
    specs = with_cars(
        tmp_path,
        "seal.md",
        "# 比亚迪海豹对比特斯拉Model 3\n\n| 参数 | 比亚迪海豹 | 特斯拉Model 3 |\n|---|---|---|\n"
        "| 轴距(mm) | 2920 | 2875 |\n| 最大功率(kW) | 230 | 194 |\n",
    )
    wheelbases = {(f.car, f.variant): f.numbers[0] for f in facts(specs, "wheelbase")}
    assert wheelbases == {("byd-seal", None): 2920.0, ("tesla-model-3", None): 2875.0}


def test_a_heading_naming_a_version_and_a_charging_window(tmp_path: Path) -> None:
    """A buyer's guide's "## 550长续航进阶版：17.58万元" is its section's version ("入门版本…"
    included, "全系…" not); "快充30%-80%仅需15分钟" is a charging time with no label."""
    specs = write(
        tmp_path,
        "e8.md",
        "# 吉利银河E8购车指南\n\n吉利银河E8在售两个版本。\n\n## 550长续航进阶版：17.58万元\n\n"
        "入门版本搭载后置单电机，最大功率200kW，CLTC续航550km。\n\n"
        "## 650四驱性能版：22.88万元\n\n"
        "四驱版总功率475kW。全系车长5010mm，快充30%-80%仅需15分钟。\n",
    )
    assert values(specs, "power") == {"550长续航进阶版": {200.0}, "四驱版": {475.0}}
    assert values(specs, "length") == {None: {5010.0}}
    assert [f.numbers for f in facts(specs, "charging_time")] == [(15.0,)]


def test_a_sentence_naming_no_car_is_its_paragraphs_car(tmp_path: Path) -> None:
    """In a comparison, "2.0T车型提供…" after a sentence about the 星越L is still the 星越L's;
    "六座的理想L8" describes the L8, not the document's car."""
    specs = with_cars(
        tmp_path,
        "xingyue.md",
        "# 吉利星越L对比大众途观L\n\n"
        "吉利星越L搭载2.0T发动机。2.0T车型提供两驱和智能四驱两种版本。\n\n"
        "大众途观L的轴距为2791mm。\n",
    )
    assert {f.car for f in facts(specs, "drive")} == {"geely-xingyue-l"}
    l7 = write(
        tmp_path,
        "l7_seats.md",
        "# 理想L7正式上市\n\n理想L7是一台五座SUV。作为参照，六座的理想L8售价为35.98万元起。\n",
    )
    assert {(f.car, f.numbers[0]) for f in facts(l7, "seats")} == {("li-auto-l7", 5.0)}


def test_one_character_before_a_powertrain_is_a_model_and_a_technology_is_none(
    tmp_path: Path,
) -> None:
    index = load_cars(SpecConfig().cars)
    han = tmp_path / "han.md"
    han.write_text(
        "# 比亚迪汉EV新款上市\n\n比亚迪汉EV新款上市，比亚迪刀片电池的能量密度更高。"
        "比亚迪刀片电池通过了针刺测试。\n",
        encoding="utf-8",
    )
    _, names, _ = taught_index(index, parse_file(han))
    assert set(names) == {"byd-han"}


def test_a_measurement_holds_for_its_sentence_and_a_run_of_dimensions(tmp_path: Path) -> None:
    """ "我们实测的百公里加速是10.2秒，油耗在12L/100km上下" is a test; "官方WLTC综合油耗为
    10.5L/100km" after it is the maker's. "车长为4760mm，宽1930mm，高1903mm": each letter names
    a dimension."""
    specs = write(
        tmp_path,
        "tank.txt",
        "坦克300长测报告\n\n坦克300的车长为4760mm，宽1930mm，高1903mm，轴距2750mm。"
        "我们实测的百公里加速是10.2秒，油耗在12L/100km上下，官方WLTC综合油耗为10.5L/100km。\n",
    )
    assert values(specs, "width") == {None: {1930.0}}
    assert values(specs, "height") == {None: {1903.0}}
    assert values(specs, "fuel_economy_combined") == {None: {10.5}}
    assert facts(specs, "acceleration_0_100") == []


def test_a_parameter_list_names_its_versions_in_a_line_and_reads_each_line_once(
    tmp_path: Path,
) -> None:
    """ "车型：标准续航版/长续航版" names the versions of the slashed lines below it; a line with
    one value holds for both, and its label's weak word ("功率") is not read again."""
    specs = write(
        tmp_path,
        "bingo.md",
        "# 五菱缤果PLUS参数一览\n\n五菱缤果PLUS两款车型参数如下：\n\n车型：标准续航版/长续航版\n"
        "官方售价：8.98万元/9.98万元\nCLTC续航：300km/410km\n电机最大功率：75kW\n",
    )
    assert values(specs, "price") == {"标准续航版": {89800.0}, "长续航版": {99800.0}}
    assert values(specs, "electric_range") == {"标准续航版": {300.0}, "长续航版": {410.0}}
    assert values(specs, "power") == {None: {75.0}}


def test_a_total_range_beside_an_electric_range_is_none(tmp_path: Path) -> None:
    """A range extender's "纯电续航里程为200km" is its electric range, even in a sentence about
    its fuel; "满油满电状态下的综合续航可达1200km" beside it is the total range, no electric
    range."""
    specs = write(
        tmp_path,
        "sl03.md",
        "# 深蓝SL03上市\n\n深蓝SL03增程版配备一台1.5L增程器，它只负责发电，纯电续航里程为200km，"
        "满油满电状态下的综合续航可达1200km。\n",
    )
    assert [f.numbers for f in facts(specs, "electric_range")] == [(200.0,)]


def test_front_and_rear_motors_and_offered_batteries(tmp_path: Path) -> None:
    """ "前后电机最大功率分别为180kW和300kW" and "前180kW永磁电机加后300kW感应电机" give each motor
    its power beside the system's; "提供75kWh和100kWh两种电池包，售价分别为…" makes each battery a
    version and names the prices after it (a battery pack is no option package)."""
    both = write(
        tmp_path,
        "es6.md",
        "# 蔚来ES6上市\n\n蔚来ES6提供75kWh和100kWh两种电池包，售价分别为33.8万元和38.8万元。"
        "蔚来ES6前后电机最大功率分别为180kW和300kW，综合最大功率480kW。\n",
    )
    assert values(both, "power") == {"前电机": {180.0}, "后电机": {300.0}, None: {480.0}}
    assert values(both, "battery_capacity") == {"75kWh": {75.0}, "100kWh": {100.0}}
    assert values(both, "price") == {"75kWh": {338000.0}, "100kWh": {388000.0}}
    placed = write(
        tmp_path,
        "es6_b.md",
        "# 蔚来ES6上市\n\n蔚来ES6采用前180kW永磁电机加后300kW感应电机的布局，综合最大功率480kW。\n",
    )
    assert values(placed, "power") == {"前电机": {180.0}, "后电机": {300.0}, None: {480.0}}


def test_bracket_headers_naming_versions_group_their_parameter_lines(tmp_path: Path) -> None:
    """【后驱超长续航版】 over `参数：值` lines makes them that version's, to the next header; a
    header of another kind (【共同参数】) ends it; a drive word in the header states no drive;
    "· " bullets are list items like "- "."""
    specs = write(
        tmp_path,
        "zeekr007.md",
        "# 极氪007参数\n\n极氪007两个版本参数如下：\n\n【后驱超长续航版】\n售价：21.99万元\n"
        "CLTC续航：870km\n\n【四驱性能版】\n售价：25.99万元\nCLTC续航：770km\n\n"
        "【共同参数】\n轴距：2928mm\n· 最高车速(km/h)：210\n",
    )
    assert values(specs, "price") == {"后驱超长续航版": {219900.0}, "四驱性能版": {259900.0}}
    assert values(specs, "electric_range") == {"后驱超长续航版": {870.0}, "四驱性能版": {770.0}}
    assert values(specs, "wheelbase") == {None: {2928.0}}
    assert values(specs, "top_speed") == {None: {210.0}}
    assert facts(specs, "drive") == []
