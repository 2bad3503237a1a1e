"""Round nine's Chinese mechanisms: versions a list declares once for the whole document,
versions a sentence counts instead of naming, and bare designations in the document car's count.
The texts are invented for these tests; the cars are a user's alias file's, as bench.facts --cars.
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from ingest.specs.vocabulary import load_vocabulary
from tests.test_specs_extract import facts
from tests.test_specs_zh_shapes import values, with_cars

_USER_CARS = """
[models.leapmotor-c11]
brand = "leapmotor"
name = "C11"
aliases = []
[models.zeekr-7x]
brand = "zeekr"
name = "7X"
aliases = []
[models.changan-cs75]
brand = "changan"
name = "CS75"
aliases = []
"""


def _extract(tmp_path: Path, name: str, text: str) -> DocumentSpecs:
    return with_cars(tmp_path, name, text, _USER_CARS)


def test_a_lists_head_declares_its_versions_for_every_section_and_its_brackets(
    tmp_path: Path,
) -> None:
    """A full-width `参数：值` list whose head says "斜杠前为A、斜杠后为B；括号内为B数值": the
    slashed and bracketed lines of its later 【…】 sections are each version's; a bracket that is
    no figure of the label ("（下单后可退）") and a tyre size's slash split nothing."""
    specs = _extract(
        tmp_path,
        "c11.txt",
        "零跑C11 配置表\n\n适用版本：舒享版／智享版\n"
        "说明：斜杠前为舒享版、斜杠后为智享版；括号内为智享版数值。\n\n"
        "【价格】\n厂商指导价：１５．９８万元／１８．９８万元\n订金：２０００元（下单后可退）\n\n"
        "【车身】\n整备质量：１９８０ｋｇ（２０５０ｋｇ）\n\n"
        "【动力】\n电机总功率：２００ｋＷ／２２０ｋＷ\nＣＬＴＣ纯电续航：５８０ｋｍ（６１０ｋｍ）\n\n"
        "【底盘】\n轮胎规格：２３５／５５ Ｒ１９\n",
    )
    assert values(specs, "price") == {"舒享版": {159800.0}, "智享版": {189800.0}}
    assert values(specs, "kerb_weight") == {"舒享版": {1980.0}, "智享版": {2050.0}}
    assert values(specs, "power") == {"舒享版": {200.0}, "智享版": {220.0}}
    assert values(specs, "electric_range") == {"舒享版": {580.0}, "智享版": {610.0}}
    assert [f.value for f in facts(specs, "tyres")] == ["２３５／５５ Ｒ１９"]


def test_a_sentence_that_counts_its_versions_is_about_those_the_document_listed(
    tmp_path: Path,
) -> None:
    """ "两款车型的指导价分别为…" under a later heading: its figures go, in order, to the versions
    the document listed with that count ("两款车型：1.5T 舒适版和1.5T 豪华版")."""
    specs = _extract(
        tmp_path,
        "cs75.md",
        "# 长安CS75导购\n\n在售的主要是两款车型：1.5T 舒适版和1.5T 豪华版。\n\n"
        "## 价格\n\n两款车型的指导价分别为12.49万元和13.99万元，差价不大。\n",
    )
    assert values(specs, "price") == {"1.5T 舒适版": {124900.0}, "1.5T 豪华版": {139900.0}}


def test_bare_designations_count_when_the_document_car_is_chosen(tmp_path: Path) -> None:
    """A comparison that names one car whole every time and the other whole once, then by its
    designation ("极氪7X" … "7X车长4825mm"): it is about both cars, each figure its car's."""
    specs = _extract(
        tmp_path,
        "compare.md",
        "# 两台中型纯电SUV怎么选\n\n零跑C11和极氪7X都是中型纯电SUV。\n\n"
        "零跑C11车长4780mm，零跑C11轴距2930mm。7X车长4825mm，7X轴距2925mm。\n\n"
        "零跑C11的售价为15.98万元起，7X的售价为22.99万元起。\n",
    )
    assert {(f.car, f.numbers[0]) for f in facts(specs, "length")} == {
        ("leapmotor-c11", 4780.0),
        ("zeekr-7x", 4825.0),
    }
    assert {(f.car, f.numbers[0]) for f in facts(specs, "wheelbase")} == {
        ("leapmotor-c11", 2930.0),
        ("zeekr-7x", 2925.0),
    }


def test_a_labels_footnote_mark_is_no_part_of_it() -> None:
    """ "CLTC纯电续航(km)<sup>①</sup>", "综合油耗①": the label less its footnote mark; a label the
    vocabulary does not know stays unknown with one."""
    vocab = load_vocabulary(Path("data/specs/attributes.toml"))
    assert vocab.lookup("CLTC纯电续航(km)<sup>①</sup>") == "electric_range"
    assert vocab.lookup("CLTC纯电续航(km)①") == "electric_range"
    assert vocab.lookup("最大功率(kW)※") == "power"
    assert vocab.lookup("限时现金优惠(万元)<sup>②</sup>") is None


def test_a_clause_listing_versions_as_its_subject_gives_each_its_figure(tmp_path: Path) -> None:
    """ "舒适版使用215/55 R17轮胎，豪华版和尊享版则换上了225/50 R18轮胎": the second size is each
    listed version's."""
    specs = _extract(
        tmp_path,
        "cs75_tyres.md",
        "# 长安CS75导购\n\n舒适版使用215/55 R17轮胎，豪华版和尊享版则换上了225/50 R18轮胎。\n",
    )
    assert {
        (f.variant.split(" · ")[-1] if f.variant else None, f.value) for f in facts(specs, "tyres")
    } == {
        ("舒适版", "215/55 R17"),
        ("豪华版", "225/50 R18"),
        ("尊享版", "225/50 R18"),
    }


def test_the_latter_of_a_comparison_is_the_rival_not_the_documents_car(tmp_path: Path) -> None:
    """ "拿它和同级的某品牌X50对比，后者的最大功率为150kW…，但…": the rival's figures (a car no
    alias file knows) are not the document's car's; the car's own, before and after, are."""
    specs = _extract(
        tmp_path,
        "cs75_review.md",
        "# 长安CS75长测\n\n长安CS75的最大功率为141kW。拿它和同级的某品牌X50对比，后者的最大功率为"
        "150kW，售价13.98万元起，但长安CS75的空间更大。长安CS75的售价为12.49万元。\n",
    )
    assert values(specs, "power") == {None: {141.0}}
    assert values(specs, "price") == {None: {124900.0}}


def test_what_both_compared_cars_share_is_each_ones(tmp_path: Path) -> None:
    """ "两车都是五座布局" after a sentence on each car: the seats are both cars'."""
    specs = _extract(
        tmp_path,
        "compare_seats.md",
        "# 两台中型纯电SUV怎么选\n\n零跑C11车长4780mm；极氪7X车长4825mm。两车都是五座布局。\n",
    )
    assert {(f.car, f.value) for f in facts(specs, "seats")} == {
        ("leapmotor-c11", "五座"),
        ("zeekr-7x", "五座"),
    }


def test_a_weak_label_reaches_its_figure_through_a_verb_of_raising(tmp_path: Path) -> None:
    """ "长续航版换装88.0kWh电池，续航提升到760km": 续航 is the range's label past 提升到."""
    specs = _extract(
        tmp_path,
        "c11_range.md",
        "# 零跑C11\n\n长续航版换装88.0kWh电池，续航提升到760km。\n",
    )
    assert values(specs, "electric_range") == {"长续航版": {760.0}}


def test_a_one_character_name_under_its_makes_heading_is_a_car(tmp_path: Path) -> None:
    """ "## 比亚迪唐" heads a section of a document that says 唐 again: 唐 is a car of its own,
    so its table is not the other car's (宝马iX3's, which the document also names)."""
    specs = _extract(
        tmp_path,
        "params.md",
        "# 两款SUV参数配置表\n\n本页整理了比亚迪唐和宝马iX3的核心参数。唐的三款配置全系七座。\n\n"
        "## 比亚迪唐\n\n| 参数 | 唐EV 600km 尊享型 | 唐EV 730km 旗舰型 |\n|---|---|---|\n"
        "| 最大功率(kW) | 180 | 380 |\n\n"
        "## 宝马iX3\n\n| 参数 | 领先型 | M运动套装 |\n|---|---|---|\n"
        "| 最大功率(kW) | 210 | 210 |\n\n"
        "唐的续航更长，iX3的操控更好。\n",
    )
    power = {(f.car, f.numbers[0]) for f in facts(specs, "power")}
    assert ("bmw-ix3", 180.0) not in power and ("bmw-ix3", 380.0) not in power
    assert {c for c, n in power if n in (180.0, 380.0)} == {"byd-tang"}


def test_a_drive_written_long_is_read_in_prose(tmp_path: Path) -> None:
    """ "零跑C11采用后置单电机后轮驱动": the long form (…轮驱动, with its motors) is a drive too."""
    specs = _extract(tmp_path, "c11_drive.md", "# 零跑C11\n\n零跑C11采用后置单电机后轮驱动。\n")
    assert [f.value for f in facts(specs, "drive")] == ["后置单电机后轮驱动"]


def test_a_gearbox_named_with_its_chinese_kind_is_read_whole(tmp_path: Path) -> None:
    """ "采用E-CVT电子无级变速": the gearbox with its kind, the kind itself the gearbox's cue."""
    specs = _extract(
        tmp_path, "c11_gearbox.md", "# 零跑C11\n\n零跑C11采用E-CVT电子无级变速，加速平顺。\n"
    )
    assert [f.value for f in facts(specs, "transmission")] == ["E-CVT电子无级变速"]


def test_a_charging_window_written_with_its_verb(tmp_path: Path) -> None:
    """ "电量从10%充到80%只需19分钟": a state-of-charge window joined by 充到, then its time."""
    specs = _extract(
        tmp_path, "c11_charge.md", "# 零跑C11\n\n零跑C11的电量从10%充到80%只需19分钟。\n"
    )
    assert values(specs, "charging_time") == {None: {19.0}}


def test_an_engine_speed_clause_with_no_label_is_the_figures_before_it(tmp_path: Path) -> None:
    """ "峰值扭矩395牛米，在1800-3600转之间就能输出": the speeds are the torque's, the figure
    right before the clause, not the power's further back."""
    specs = _extract(
        tmp_path,
        "c11_engine.md",
        "# 长安CS75\n\n长安CS75的发动机最大功率141kW，峰值扭矩300牛米，"
        "在1500-4000转之间就能输出。\n",
    )
    assert [tuple(f.numbers) for f in facts(specs, "torque_rpm")] == [(1500.0, 4000.0)]
    assert facts(specs, "power_rpm") == []
