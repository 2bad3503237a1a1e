"""Round fifteen's Chinese shapes (issue 14): a line declaring a section's version, a version's
figure in brackets after its name, a sentence opened by a designation, short version names read
as the full names a text lists, a dimension run opened by bare 长, and the gazetteer's Voyah and
风神 lines. The texts are invented for these tests (not the cars' real figures).
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, write


def _values(specs: DocumentSpecs, attribute: str) -> set[tuple[str | None, float]]:
    return {(f.variant, round(f.numbers[0], 2)) for f in facts(specs, attribute) if f.numbers}


_DECLARED = (
    "车队更新说明\n\n"
    "一、公务用车：吉利帝豪\n"
    "选用版本：2025款 1.5L CVT 领先版。\n"
    "车身尺寸：长4650毫米，宽1820毫米，高1480毫米，轴距2650毫米。\n"
    "最大功率84kW，综合油耗5.9升/百公里。\n"
    "说明：该车的1.5T 双离合版本（最大功率125kW）不在本次范围内。\n"
)


def test_a_declared_version_line_is_its_sections_version(tmp_path: Path) -> None:
    specs = write(tmp_path, "fleet.txt", _DECLARED)
    declared = "2025款 1.5L CVT 领先版"
    assert _values(specs, "length") == {(declared, 4650.0)}
    assert _values(specs, "width") == {(declared, 1820.0)}
    assert _values(specs, "height") == {(declared, 1480.0)}
    assert _values(specs, "power") == {(declared, 84.0), ("1.5T 双离合版本", 125.0)}


def test_bare_length_alone_is_no_dimension(tmp_path: Path) -> None:
    """长 with no 宽 or 高 after it is a comparison, not the car's length."""
    specs = write(
        tmp_path,
        "dihao.md",
        "# 吉利帝豪\n\n吉利帝豪比老款长约120毫米，轴距2650毫米。\n",
    )
    assert _values(specs, "length") == set()
    assert _values(specs, "wheelbase") == {(None, 2650.0)}


def test_a_designation_opens_its_sentences_figures(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "magotan.md",
        "# 大众迈腾\n\n大众迈腾有两个版本。\n\n"
        "- 动力：280TSI为1.4T发动机，最大功率110kW，前驱；300TSI则是高功率调校，最大功率118kW\n"
        "- 油耗：两驱版6.2升/百公里，四驱版7.0升/百公里\n",
    )
    assert _values(specs, "power") == {("280TSI", 110.0), ("300TSI", 118.0)}
    assert _values(specs, "fuel_economy_combined") == {("两驱版", 6.2), ("四驱版", 7.0)}


_SHORT = (
    "# 提了岚图FREE，说说参数\n\n"
    "岚图FREE一共三个版本：标准后驱版、超长续航后驱版、性能四驱版。\n\n"
    "## 参数\n\n"
    "- 标准：电池70kWh\n"
    "- 我这台超长续航：电池108kWh\n\n"
    "两个后驱版都是单电机，最大功率200kW；四驱是双电机，总功率360kW。\n"
)


def test_short_version_names_read_as_the_listed_ones(tmp_path: Path) -> None:
    specs = write(tmp_path, "free.md", _SHORT)
    assert {f.car for f in specs.facts} == {"voyah-free"}
    assert _values(specs, "battery_capacity") == {("标准后驱版", 70.0), ("超长续航后驱版", 108.0)}
    assert _values(specs, "power") == {
        ("标准后驱版", 200.0),
        ("超长续航后驱版", 200.0),
        ("性能四驱版", 360.0),
    }
    assert not [f for f in facts(specs, "drive") if f.value == "四驱"]  # "四驱是…": a name


def test_fengshen_lines_are_found_without_an_alias_file(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "e70.md",
        "# 东风风神E70介绍\n\n东风风神E70的轴距为2700毫米，CLTC续航420公里。\n",
    )
    assert {f.car for f in specs.facts} == {"dongfeng-fengshen-e70"}


def test_the_latter_and_a_bracketed_window(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "mg5.md",
        "# 名爵MG5\n\n名爵MG5有两个动力版本：1.5L 青春版和1.5T 旗舰版。\n\n"
        "两个版本的整备质量，前者1260千克，后者1330千克。\n",
    )
    assert _values(specs, "kerb_weight") == {("1.5L 青春版", 1260.0), ("1.5T 旗舰版", 1330.0)}


def test_a_duration_with_its_window_in_brackets_is_a_charging_time(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "list.csv",
        "序号,生产企业,品牌,车型,版本,驱动电机最大功率(kW),快充时间\n"
        "1,上汽通用五菱,五菱,Bingo,333km版,50,40分钟(30%-80%)\n"
        "2,上汽通用五菱,五菱,Bingo,410km版,75,-\n",
    )
    assert {f.car for f in specs.facts} == {"wuling-bingo"}  # 品牌 and 车型, no alias file
    assert _values(specs, "charging_time") == {("333km版", 40.0)}
    assert _values(specs, "power") == {("333km版", 50.0), ("410km版", 75.0)}


def test_a_form_field_naming_the_car_is_no_passing_mention(tmp_path: Path) -> None:
    """A form field ("中标品牌型号：红旗HS3 2025款，…") declares the car the figures are about."""
    specs = write(
        tmp_path,
        "tender.md",
        "# 采购结果公告\n\n中标品牌型号：红旗HS3 2025款，共20辆\n\n"
        "- 车身尺寸（长×宽×高）：4655×1890×1668mm，轴距2770mm\n",
    )
    assert {f.car for f in specs.facts} == {"hongqi-hs3"}
    assert _values(specs, "length") == {(None, 4655.0)}
