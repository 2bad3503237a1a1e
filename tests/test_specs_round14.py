"""Round fourteen's Chinese shapes (issue 14): sections about a car's past generations, a
version's paragraph led by its bold name and the "两个版本…分别" sentence after two of them,
a drive word that names a version ("四驱的"), litres read as a consumption, and a reading of
the car's own dashboard. The texts are invented for these tests (not the cars' real figures).
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, write


def _values(specs: DocumentSpecs, attribute: str) -> set[tuple[str | None, float]]:
    return {(f.variant, round(f.numbers[0], 2)) for f in facts(specs, attribute) if f.numbers}


def test_a_past_generations_section_gives_no_figure(tmp_path: Path) -> None:
    """Sections headed by generations with closed years are past ones; the current one (no
    end year) and the text above them keep their figures."""
    specs = write(
        tmp_path,
        "hanlanda.md",
        "# 汉兰达三代怎么选\n\n## 第二代（2011-2014）\n\n老款车长4865毫米，最大功率136kW。\n\n"
        "## 第三代（2015-2021）\n\n车长加到4890毫米，最大功率148kW。\n\n"
        "## 现款：第四代（2022-）\n\n现款车长4965毫米，最大功率181kW。\n",
    )
    assert _values(specs, "length") == {(None, 4965.0)}
    assert _values(specs, "power") == {(None, 181.0)}


def test_one_generation_alone_keeps_its_figures(tmp_path: Path) -> None:
    """An English history page about one generation only is about that car: kept."""
    specs = write(
        tmp_path,
        "corolla.md",
        "# Toyota Corolla\n\n## First generation (1966–1970)\n\nThe Corolla was 3,845 mm long.\n",
    )
    assert _values(specs, "length") == {(None, 3845.0)}


_LEADS = (
    "# 汉兰达怎么选\n\n版本有两个：\n\n"
    "**2.0T 四驱尊贵版**：指导价31.98万。2.0T四缸发动机，最大功率182kW，配爱信8AT，适时四驱。"
    "WLTC综合油耗8.7L，油箱72L。\n\n"
    "**双擎两驱精英版**：指导价28.58万。同样是2.5L发动机，变速箱是电子无级变速，前驱。"
    "综合油耗5.7L，油箱65L。\n\n"
    "两个版本零百加速分别是8.6秒和8.1秒。店里试驾车的车主说，燃油四驱的大概12L。\n"
)


def test_a_bold_lead_paragraph_is_its_versions_figures(tmp_path: Path) -> None:
    specs = write(tmp_path, "hanlanda.md", _LEADS)
    fuel, hybrid = "2.0T 四驱尊贵版", "双擎两驱精英版"
    assert _values(specs, "displacement") == {(fuel, 2.0), (hybrid, 2.5)}
    assert _values(specs, "cylinders") == {(fuel, 4.0)}
    assert {(f.variant, f.value) for f in facts(specs, "transmission")} == {
        (fuel, "爱信8AT"),
        (hybrid, "变速箱是电子无级变速"),
    }
    assert {(f.variant, f.value) for f in facts(specs, "drive")} == {
        (fuel, "适时四驱"),
        (hybrid, "前驱"),
    }  # "燃油四驱的大概12L" names a version by its drive: no drive of the car
    assert _values(specs, "fuel_economy_combined") == {(fuel, 8.7), (hybrid, 5.7)}
    assert {f.unit for f in facts(specs, "fuel_economy_combined")} == {"L/100km"}
    assert _values(specs, "fuel_tank") == {(fuel, 72.0), (hybrid, 65.0)}


def test_two_versions_respective_figures_follow_their_bold_leads(tmp_path: Path) -> None:
    specs = write(tmp_path, "hanlanda.md", _LEADS)
    assert _values(specs, "acceleration_0_100") == {
        ("2.0T 四驱尊贵版", 8.6),
        ("双擎两驱精英版", 8.1),
    }


def test_litres_of_consumption_are_per_100_km_but_an_engines_size_is_none(
    tmp_path: Path,
) -> None:
    specs = write(
        tmp_path,
        "kaluola.md",
        "# 卡罗拉参数\n\n综合油耗：5.2L\n\n油耗方面，卡罗拉 1.5T的表现不错。\n\n"
        "客户说自己看仪表油耗9L，那是冷车短途。\n",
    )
    assert {(f.numbers, f.unit) for f in facts(specs, "fuel_economy_combined")} == {
        ((5.2,), "L/100km")
    }  # neither the 1.5T nor the dashboard's 9L


def test_the_former_and_the_latter_are_the_two_versions_named_before(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "kaluola.md",
        "# 卡罗拉双擎\n\n它只有两个版本：先锋版和旗舰版。前者电池1.3kWh，指导价13.98万；后者电池"
        "1.6kWh，指导价15.98万。\n",
    )
    assert _values(specs, "price") == {("先锋版", 139800.0), ("旗舰版", 159800.0)}
    assert _values(specs, "battery_capacity") == {("先锋版", 1.3), ("旗舰版", 1.6)}


def test_a_version_items_bare_first_figure_is_its_price_a_paid_one_is_not(
    tmp_path: Path,
) -> None:
    """ "- 先锋版：13.98万，电池1.3kWh": the figure right after the name, in 万, is its price;
    "它一共两个版本：…" counts versions and names none; "裸车价：12.58万" is what one buyer paid."""
    specs = write(
        tmp_path,
        "kaluola.md",
        "# 卡罗拉双擎\n\n它一共两个版本：先锋版、旗舰版，指导价分别为13.98万、15.98万。\n\n"
        "- 先锋版：13.98万，电池1.3kWh\n- 旗舰版：15.98万，电池1.6kWh\n\n"
        "**购买车型：旗舰版｜裸车价：14.58万｜购车时间：2025年3月**\n",
    )
    assert _values(specs, "price") == {("先锋版", 139800.0), ("旗舰版", 159800.0)}


def test_a_blocks_line_of_labelled_clauses_is_read_clause_by_clause(tmp_path: Path) -> None:
    """A notice's block (a record section): "车身尺寸：长…，宽…，高…；轴距…" gives each clause's
    figure; a clause led by a version's name is that version's, of the label it names or of
    the clause before; "磷酸铁锂" and the notice's date ("2026年第二批") name nothing."""
    specs = write(
        tmp_path,
        "mulu.txt",
        "2026年第二批准入车型目录\n\n一、日产轩逸（东风日产申报）\n"
        "车身尺寸：长4652毫米，宽1815毫米，高1445毫米；轴距2712毫米\n座位数：5座\n"
        "驱动电机：单电机，最大功率100kW\n"
        "动力电池：三元锂，e动版电池容量为38.5kWh，e智版为42.1kWh\n",
    )
    assert _values(specs, "length") == {(None, 4652.0)}
    assert _values(specs, "wheelbase") == {(None, 2712.0)}
    assert _values(specs, "height") == {(None, 1445.0)}
    assert _values(specs, "power") == {(None, 100.0)}
    assert _values(specs, "battery_capacity") == {("e动版", 38.5), ("e智版", 42.1)}


def test_versions_named_by_their_drive_are_the_former_and_the_latter(tmp_path: Path) -> None:
    """ "分为Urban后驱和Ultimate四驱两个版本": two versions a drive word ends, whose figures
    "前者…，后者…" then give; a later paragraph's "后者" after a rival car means the car."""
    specs = write(
        tmp_path,
        "ariya.md",
        "# 日产艾睿雅澳洲上市\n\n日产艾睿雅在澳洲分为Urban后驱和Ultimate四驱两个版本，售价分别为"
        "59,990澳元、69,990澳元。\n\n两个版本都搭载87kWh电池。前者最大功率178kW，后者综合功率"
        "225kW。\n\n媒体拿它和丰田bZ4X比较，后者的最大功率为160kW。\n",
    )
    power = _values(specs, "power")
    assert ("Urban后驱", 178.0) in power and ("Ultimate四驱", 225.0) in power
    assert not {(None, 160.0), ("Ultimate四驱", 160.0)} & power  # bZ4X's, not a version's
