"""Round ten's Chinese mechanisms: which car and which version a block of text belongs to, by
the document's structure. A title naming two cars outweighs a file name naming one; a version's
name alone on its line heads the `参数：值` lines under it; a line naming a version then its
labelled figures parted by commas is that version's row; a bracketed car 【…】 opens that car's
part, which goes on into the next block of the same text; an earlier model's figure
("由老款的…提升至…", "（老款为…）") is no fact. The texts are invented for these tests; the
cars are a user's alias file's, as bench.facts --cars.
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts
from tests.test_specs_zh_shapes import values, with_cars

_USER_CARS = """
[models.deepal-s7]
brand = "deepal"
name = "S7"
aliases = ["深蓝S7"]
[models.chery-tiggo-8]
brand = "chery"
name = "Tiggo 8"
aliases = ["瑞虎8"]
[models.voyah-free]
brand = "voyah"
name = "Free"
aliases = ["岚图FREE"]
[models.geely-monjaro]
brand = "geely"
name = "Monjaro"
aliases = ["星越L"]
"""


def _extract(tmp_path: Path, name: str, text: str) -> DocumentSpecs:
    return with_cars(tmp_path, name, text, _USER_CARS)


def test_a_title_naming_two_cars_outweighs_a_file_name_naming_one(tmp_path: Path) -> None:
    """ "我家的深蓝S7和瑞虎8" in the title, a file named after the Tiggo: the document is about
    both cars, so the S7's paragraph keeps its figures (the file name made the Tiggo the
    document's one car, and the S7's length and range went to it or nowhere)."""
    specs = _extract(
        tmp_path,
        "tiggo_8_owner_notes.txt",
        "【车主笔记】我家的深蓝S7和瑞虎8，一年下来各花了多少钱\n\n"
        "深蓝S7是纯电版，指导价18.99万，电池容量79.97kWh，CLTC续航620km，车长4750mm。\n"
        "瑞虎8是1.6T版本，指导价12.99万，最大功率145kW，油箱51升。\n",
    )
    assert {(f.car, f.numbers[0]) for f in facts(specs, "length")} == {("deepal-s7", 4750.0)}
    assert {f.car for f in facts(specs, "electric_range")} == {"deepal-s7"}
    assert {f.car for f in facts(specs, "fuel_tank")} == {"chery-tiggo-8"}


def test_a_version_heading_line_gives_its_version_to_the_lines_under_it(tmp_path: Path) -> None:
    """A version's name alone on its line ("岚图FREE 超长续航四驱旗舰版") heads the `参数：值`
    lines under it until the next such name, even where two versions' lines say the same
    ("电池容量：88kWh" twice: two facts); the drive its name holds is a name, no drive fact; a
    closing sentence ends the block."""
    specs = _extract(
        tmp_path,
        "free.md",
        "# 岚图FREE上市，两个版本参数一览\n\n"
        "岚图FREE今晚上市，共两个版本，以下为主要参数：\n\n"
        "岚图FREE 长续航两驱版\n\n售价：26.99万元\n\n最大功率：215kW\n\n电池容量：88kWh\n\n"
        "岚图FREE 超长续航四驱旗舰版\n\n售价：31.99万元\n\n驱动形式：双电机四驱\n\n"
        "最大功率：490kW\n\n电池容量：88kWh\n\n"
        "发布会上官方还表示，明年有望推出更大电池的版本。\n",
    )
    low, high = "岚图FREE 长续航两驱版", "岚图FREE 超长续航四驱旗舰版"
    assert values(specs, "price") == {low: {269900.0}, high: {319900.0}}
    assert values(specs, "battery_capacity") == {low: {88.0}, high: {88.0}}
    assert [(f.variant, f.value) for f in facts(specs, "drive")] == [(high, "双电机四驱")]


def test_a_version_line_with_labelled_figures_parted_by_commas_is_that_versions_row(
    tmp_path: Path,
) -> None:
    """ "瑞虎8 1.6T 两驱豪华型：指导价12.99万元，店内让利0.8万元": the line's name is the version,
    the labelled price its figure; the dealer's 让利 has no label of a spec and is no price."""
    specs = _extract(
        tmp_path,
        "tiggo_prices.txt",
        "奇瑞瑞虎8 本周到店价\n\n"
        "瑞虎8 1.6T 两驱豪华型：指导价12.99万元，店内让利0.8万元\n"
        "瑞虎8 1.6T 两驱尊贵型：指导价13.99万元，店内让利1.0万元\n"
        "瑞虎8 2.0T 四驱旗舰型：指导价16.49万元，店内让利1.2万元\n",
    )
    assert values(specs, "price") == {
        "瑞虎8 1.6T 两驱豪华型": {129900.0},
        "瑞虎8 1.6T 两驱尊贵型": {139900.0},
        "瑞虎8 2.0T 四驱旗舰型": {164900.0},
    }
    assert not facts(specs, "drive")


def test_a_bracketed_car_opens_its_part_across_the_blocks_of_a_text(tmp_path: Path) -> None:
    """In a price sheet of two cars, "【深蓝S7】…" opens the S7's part and "【瑞虎8】…" the
    Tiggo's: the sentence after the S7's price lines (a block of its own) is still the S7's,
    and the one after the Tiggo's lines the Tiggo's, though neither names its car."""
    specs = _extract(
        tmp_path,
        "two_cars.txt",
        "深蓝S7／瑞虎8 本月价目表\n\n"
        "【深蓝S7】五座中型SUV，车长4750mm。\n"
        "S7 纯电后驱版：指导价18.99万元\n"
        "S7 纯电四驱版：指导价21.49万元\n"
        "S7 增程后驱版：指导价14.99万元\n"
        "纯电版电池容量79.97kWh。\n\n"
        "【瑞虎8】七座SUV，车长4700mm。\n"
        "瑞虎8 1.6T 豪华型：指导价12.99万元\n"
        "瑞虎8 1.6T 尊贵型：指导价13.99万元\n"
        "瑞虎8 2.0T 旗舰型：指导价16.49万元\n"
        "全系油箱容积51升。\n",
    )
    assert {(f.car, f.numbers[0]) for f in facts(specs, "length")} == {
        ("deepal-s7", 4750.0),
        ("chery-tiggo-8", 4700.0),
    }
    assert {f.car for f in facts(specs, "battery_capacity")} == {"deepal-s7"}
    assert {f.car for f in facts(specs, "fuel_tank")} == {"chery-tiggo-8"}
    assert {f.car for f in facts(specs, "price") if f.variant and "S7" in f.variant} == {
        "deepal-s7"
    }


def test_the_earlier_models_figures_are_left_out_and_the_new_ones_kept(tmp_path: Path) -> None:
    """A facelift's news names the old model's figures beside the new ones: "由老款的…提升至…"
    and "从老款的…加长到…" keep only the figure after 至/到, a bracket "（老款为…）" and one right
    after the old engine's name ("取代了老款的1.8T（最大功率…）") hold the old model's only; a
    comparison ("相比上一代的…") is left to its own reading."""
    specs = _extract(
        tmp_path,
        "tiggo8_2025.md",
        "# 新款瑞虎8上市\n\n"
        "新款瑞虎8售价12.99-16.49万元（老款为11.99-15.49万元）。新车1.6T车型的最大功率由老款的"
        "137kW提升至145kW，轴距从老款的2710mm加长到2760mm，取代了老款的1.8T（最大功率125kW）。\n",
    )
    assert values(specs, "power") == {"1.6T": {145.0}}
    assert {f.numbers[0] for f in facts(specs, "wheelbase")} == {2760.0}
    assert [tuple(round(n) for n in f.numbers) for f in facts(specs, "price")] == [(129900, 164900)]


def test_an_engine_as_a_clauses_subject_holds_the_figures_of_its_sentence(tmp_path: Path) -> None:
    """ "1.6T涡轮增压发动机最大功率145kW，峰值扭矩290N·m": the engine the clause opens with holds
    the next clauses' figures too, until a clause names its own subject ("四驱版…"); "2.0T车型为
    7.9L/100km" after a topic is that version's, and "EV车型电池容量…" the EV's."""
    specs = _extract(
        tmp_path,
        "tiggo8_power.md",
        "# 瑞虎8动力解析\n\n"
        "新车的1.6T涡轮增压发动机最大功率145kW，峰值扭矩290N·m；2.0T发动机最大功率187kW，"
        "峰值扭矩390N·m，四驱版整备质量1750kg。WLTC综合油耗方面，2.0T车型为7.9L/100km。"
        "EV车型电池容量65kWh，CLTC续航505km。\n",
    )
    assert values(specs, "torque") == {"1.6T": {290.0}, "2.0T": {390.0}}
    assert values(specs, "power") == {"1.6T": {145.0}, "2.0T": {187.0}}
    assert "2.0T" not in values(specs, "kerb_weight")
    assert values(specs, "fuel_economy_combined") == {"2.0T": {7.9}}
    assert values(specs, "electric_range") == {"EV": {505.0}}


def test_a_respective_list_of_names_each_with_its_figure(tmp_path: Path) -> None:
    """ "指导价分别为：1.6T 豪华版12.99万元，1.6T 尊享版14.29万元，2.0T 旗舰版16.49万元": each
    item's price is its name's, the names written whole (with their engine sizes)."""
    specs = _extract(
        tmp_path,
        "tiggo8_prices.md",
        "# 瑞虎8三款车型售价\n\n"
        "三款新车的指导价分别为：1.6T 豪华版12.99万元，1.6T 尊享版14.29万元，"
        "2.0T 旗舰版16.49万元。\n",
    )
    assert values(specs, "price") == {
        "1.6T 豪华版": {129900.0},
        "1.6T 尊享版": {142900.0},
        "2.0T 旗舰版": {164900.0},
    }


def test_figures_each_followed_by_its_versions_bracket_and_parted_by_a_slash(
    tmp_path: Path,
) -> None:
    """ "纯电续航120km（DM-i 55）／205km（DM-i 120）": each figure is the version its own
    bracket names (as "11 kW (standard) or 19.2 kW (optional)" in English)."""
    specs = _extract(
        tmp_path,
        "s7_range.md",
        "# 深蓝S7上市\n\n新车纯电续航120km（DM-i 55）／205km（DM-i 120），车长4750mm。\n",
    )
    assert values(specs, "electric_range") == {"DM-i 55": {120.0}, "DM-i 120": {205.0}}


def test_a_next_clause_naming_a_version_then_its_figure_and_an_owners_average(
    tmp_path: Path,
) -> None:
    """ "后驱版CLTC续航620km，四驱版560km": the next clause names a version and its figure with no
    verb between, still that version's range; an owner's "实际平均电耗" is no spec."""
    specs = _extract(
        tmp_path,
        "s7_owner.md",
        "# 深蓝S7车主一年记\n\n深蓝S7后驱版CLTC续航620km，四驱版560km。"
        "我一年下来实际平均电耗15.1kWh/100km，官方百公里电耗13.6kWh。\n",
    )
    assert values(specs, "electric_range") == {"深蓝S7后驱版": {620.0}, "四驱版": {560.0}}
    assert {f.numbers[0] for f in facts(specs, "electric_consumption")} == {13.6}


def test_the_engine_a_clause_fits_holds_the_figures_after_it(tmp_path: Path) -> None:
    """ "高配车型搭载的是一台2.0T四缸涡轮增压发动机，最大功率187kW，峰值扭矩390N·m": the engine
    fitted as the first clause's object holds the bare labels' figures of the next clauses."""
    specs = _extract(
        tmp_path,
        "tiggo8_engine.md",
        "# 瑞虎8动力\n\n瑞虎8高配车型搭载的是一台2.0T四缸涡轮增压发动机，最大功率187kW，"
        "峰值扭矩390N·m，与之匹配的是7速双离合变速箱。\n",
    )
    assert values(specs, "power") == {"2.0T": {187.0}}
    assert values(specs, "torque") == {"2.0T": {390.0}}


def test_the_former_and_the_latter_are_the_two_cars_named_before(tmp_path: Path) -> None:
    """ "深蓝S7和瑞虎8的价格区间有重叠。前者售价…，车长…；后者售价…": 前者 is the first of the
    two cars named before it, 后者 the second, each until the next such word (the figures all
    went to the car named last, the Tiggo)."""
    specs = _extract(
        tmp_path,
        "s7_or_tiggo.md",
        "# 深蓝S7和瑞虎8怎么选\n\n深蓝S7和瑞虎8的价格区间有重叠。前者售价18.99万元起，车长4750mm；"
        "后者售价12.99万元起，车长4700mm，油箱容积51升。\n",
    )
    assert {(f.car, f.numbers[0]) for f in facts(specs, "length")} == {
        ("deepal-s7", 4750.0),
        ("chery-tiggo-8", 4700.0),
    }
    assert {f.car for f in facts(specs, "fuel_tank")} == {"chery-tiggo-8"}


def test_a_date_after_a_model_code_is_no_word_of_its_name(tmp_path: Path) -> None:
    """ "腾势N7 12月限时促销" names the N7, not an "N7 12" (no alias file lists the model: its
    name is read from its shape, and "12月" is a date)."""
    specs = with_cars(
        tmp_path,
        "n7_prices.txt",
        "腾势N7 12月限时促销\n\n腾势N7今天到店，新车售价29.98万元起，车长4860mm。"
        "N7的轴距为2940mm。\n",
        "",
    )
    assert {f.car for f in specs.facts} == {"denza-n7"}


def test_a_posts_topic_names_its_car_as_a_title_does(tmp_path: Path) -> None:
    """A Weibo post "#深蓝S7# 今天试驾了深蓝S7…朋友的瑞虎8…新车的轴距为…": its #topic# counts as
    a title, so the S7 is the post's car and "新车" its figures; the friend's Tiggo is named in
    passing (its figures were the ones "新车" took: the car named last)."""
    specs = _extract(
        tmp_path,
        "weibo.md",
        "# 微博\n\n#深蓝S7# 今天试驾了深蓝S7，售价18.99万元起，CLTC续航620km。"
        "朋友的瑞虎8油耗7.2L/100km，售价12.99万元。新车的轴距为2900mm。\n",
    )
    assert {(f.car, f.numbers[0]) for f in facts(specs, "wheelbase")} == {("deepal-s7", 2900.0)}


def test_an_engine_size_as_a_versions_subject_states_its_displacement(tmp_path: Path) -> None:
    """ "1.6T车型最大功率145kW…；2.0T车型最大功率187kW…": each size that heads its version's
    figures is that version's displacement too."""
    specs = _extract(
        tmp_path,
        "tiggo8_sizes.md",
        "# 瑞虎8动力\n\n新款瑞虎8的1.6T车型最大功率145kW，峰值扭矩290N·m；2.0T车型最大功率187kW，"
        "峰值扭矩390N·m。\n",
    )
    assert values(specs, "displacement") == {"1.6T": {1.6}, "2.0T": {2.0}}
