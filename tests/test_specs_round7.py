"""Spec facts, seventh round (issue 14): Chinese prose, by mechanism. One small document per
class of miss (how a sentence's subject, its clauses, its verbs and label words, its units
and its comparisons carry a figure), every sentence written for the test.
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, one, write


def _by_variant(specs: DocumentSpecs, attribute: str) -> dict[str | None, set[float]]:
    out: dict[str | None, set[float]] = {}
    for f in facts(specs, attribute):
        out.setdefault(f.variant, set()).update(round(n, 3) for n in f.numbers[:1])
    return out


def test_a_figure_the_model_is_said_to_have_is_kept_beside_a_versions_same_figure(
    tmp_path: Path,
) -> None:
    """'索纳塔……最大输出功率为150kW' names the model as what has the figure: it is the car's,
    kept beside the sport version's own 150kW; '新车最大功率为150kW' names no one and only says
    a version's figure again."""
    specs = write(
        tmp_path,
        "sonata.md",
        "# 索纳塔新款上市\n\n"
        "动力方面，索纳塔换装了一台新的驱动电机，最大输出功率为150kW。\n\n"
        "其中，运动版电机最大功率为150kW，舒适版电机最大功率为120kW。\n",
    )
    assert _by_variant(specs, "power") == {None: {150.0}, "运动版": {150.0}, "舒适版": {120.0}}
    unnamed = write(
        tmp_path,
        "sonata_b.md",
        "# 索纳塔新款上市\n\n"
        "新车最大功率为150kW。\n\n"
        "其中，运动版电机最大功率为150kW，舒适版电机最大功率为120kW。\n",
    )
    assert _by_variant(unnamed, "power") == {"运动版": {150.0}, "舒适版": {120.0}}


def test_a_motors_peak_and_a_full_charge_are_label_words(tmp_path: Path) -> None:
    """'电机最大峰值' before a kW figure is the motor's peak power (and before N·m, with
    扭矩, its torque); 'X小时……充满电' is a charging time, clause by clause for each version
    the clause names."""
    specs = write(
        tmp_path,
        "accord.md",
        "# 雅阁纯电版发布\n\n"
        "标准续航版搭载60kWh电池，电机最大峰值150kW，电机最大峰值扭矩310N·m；"
        "长续航版搭载80kWh电池，电机最大峰值220kW。\n\n"
        "使用家用充电桩时，7．5小时就能充满电。\n",
    )
    assert _by_variant(specs, "power") == {"标准续航版": {150.0}, "长续航版": {220.0}}
    assert _by_variant(specs, "torque") == {"标准续航版": {310.0}}
    assert _by_variant(specs, "charging_time") == {None: {7.5}}


def test_a_lower_bounds_plus_between_figure_and_unit(tmp_path: Path) -> None:
    """'800＋公里', '300+ miles': a '+' between a figure and its unit says 'at least'; the
    figure keeps its unit (shared by both languages by design)."""
    specs = write(
        tmp_path,
        "passat.md",
        "# 帕萨特纯电版发布\n\n按照官方的说法，帕萨特纯电版的续航里程能够达到800＋公里。\n",
    )
    fact = facts(specs, "electric_range")[0]
    assert (fact.numbers, fact.unit) == ((800.0,), "km")
    english = write(
        tmp_path,
        "acme.md",
        "---\nbrand: Acme\nmodel: Comet\n---\n\n# Acme Comet\n\n"
        "The Comet has a driving range of 300+ miles on one charge.\n",
    )
    fact = facts(english, "electric_range")[0]
    assert (fact.numbers, fact.unit) == ((300.0,), "mi")


def test_an_engine_speed_written_before_its_power_or_torque(tmp_path: Path) -> None:
    """'在4200转／分时输出最大功率95kW': the speed after 在 and before 时/下 is the power's
    (and the torque's) engine speed, as '@ 4200 rpm' after the figure would be."""
    specs = write(
        tmp_path,
        "camry.md",
        "# 凯美瑞新款试驾\n\n这台发动机在4200转／分时输出最大功率95kW，"
        "于1800－3600r／min转速区间内即可达到峰值扭矩280N·m。\n",
    )
    assert one(specs, "power_rpm").numbers == (4200.0,)
    assert one(specs, "torque_rpm").numbers == (1800.0, 3600.0)
    assert one(specs, "torque").numbers == (280.0,)


def test_an_earlier_generations_figure_the_clause_compares_with(tmp_path: Path) -> None:
    """'最大扭矩320N·m，相比上一代的290N·m有所提升': the figure after 相比上一代 is the earlier
    generation's, of the attribute of the fact before it in that unit; the car's own figure
    stays the car's."""
    specs = write(
        tmp_path,
        "sylphy.md",
        "# 轩逸新一代上市\n\n新一代轩逸的发动机最大功率为110kW，最大扭矩为320N·m，"
        "相比上一代的290N·m有所提升。\n",
    )
    assert _by_variant(specs, "torque") == {None: {320.0}, "上一代": {290.0}}
    assert _by_variant(specs, "power") == {None: {110.0}}


def test_chinese_version_names_listed_before_a_fenbie_list(tmp_path: Path) -> None:
    """'新车共推出舒适版、豪华版和旗舰版三款车型，售价分别为…': the k figures after 分别 are the
    k versions named before them, in order (not all the last one's); '两驱和四驱两种版本' names
    两驱 and 四驱, the count after them no part of a name."""
    specs = write(
        tmp_path,
        "altima.md",
        "# 天籁新款上市\n\n新车共推出舒适版、豪华版和旗舰版三款车型，"
        "售价分别为16．98万元、18．58万元和20．98万元。\n\n"
        "新车提供两驱和四驱两种版本，零百加速分别为7．9秒和6．8秒。\n",
    )
    assert _by_variant(specs, "price") == {
        "舒适版": {169800.0},
        "豪华版": {185800.0},
        "旗舰版": {209800.0},
    }
    assert _by_variant(specs, "acceleration_0_100") == {"两驱": {7.9}, "四驱": {6.8}}


def test_a_clause_that_names_a_version_and_leaves_the_label_out(tmp_path: Path) -> None:
    """'单电机版本电机最大功率为180kW，双电机版本则为360kW，而四驱车型约为…': a clause that opens
    with a version's name and a verb of being gives that version the figure of the label
    before it, clause after clause."""
    specs = write(
        tmp_path,
        "accord.md",
        "# 雅阁纯电版发布\n\n标准续航版的CLTC续航里程为520公里，长续航版为650公里，"
        "而超长续航版约为710公里。\n\n单电机版本最大功率为180kW，双电机版本则为360kW。\n",
    )
    assert _by_variant(specs, "electric_range") == {
        "标准续航版": {520.0},
        "长续航版": {650.0},
        "超长续航版": {710.0},
    }
    assert _by_variant(specs, "power") == {"单电机版本": {180.0}, "双电机版本": {360.0}}


def test_a_drive_word_that_names_a_version_is_that_versions_drive(tmp_path: Path) -> None:
    """'两驱版零百加速为7．2秒，四驱版为5．9秒': 两驱 and 四驱 name the versions, never the version
    named before them in the sentence; a bare '四驱' opening a clause with a figure is that
    version's name. A drive word inside a version's name states no drive fact (the zh_fresh
    gold's reading: zf01's 后驱版/四驱版 and zf03's 两驱版 are names, not drive lines)."""
    specs = write(
        tmp_path,
        "camry.md",
        "# 凯美瑞新款上市\n\n两驱版零百加速为7．2秒，四驱版为5．9秒。\n",
    )
    assert facts(specs, "drive") == []
    assert _by_variant(specs, "acceleration_0_100") == {"两驱版": {7.2}, "四驱版": {5.9}}
    bare = write(
        tmp_path, "camry_b.md", "# 凯美瑞新款上市\n\n两驱版零百加速为7．2秒，四驱为5．9秒。\n"
    )
    assert facts(bare, "drive") == []
    assert _by_variant(bare, "acceleration_0_100") == {"两驱版": {7.2}, "四驱": {5.9}}


def test_three_dimensions_joined_as_a_list(tmp_path: Path) -> None:
    """'长宽高分别为4880mm、1845mm和1460mm': three figures of one unit joined by 、 and 和 are
    the length, width and height, as '4880/1845/1460mm' is."""
    specs = write(
        tmp_path,
        "passat.md",
        "# 帕萨特新款上市\n\n新车的长宽高分别为4880mm、1845mm和1460mm，轴距为2871mm。\n",
    )
    assert [one(specs, key).numbers for key in ("length", "width", "height", "wheelbase")] == [
        (4880.0,),
        (1845.0,),
        (1460.0,),
        (2871.0,),
    ]


def test_chinese_gearbox_names(tmp_path: Path) -> None:
    """'7速湿式双离合变速箱', '8AT变速箱', 'Super Drive-CVT无级变速器': a clutch type inside an
    N速 name, a count glued to AT/DCT, a maker's name hyphened to CVT and 变速器 beside 变速箱
    are all one gearbox name."""
    specs = write(
        tmp_path,
        "jetta.md",
        "# 捷达新款上市\n\n两款发动机分别匹配7速湿式双离合变速箱和8AT变速箱。\n\n"
        "入门车型则搭配了Super Drive－CVT无级变速器。\n",
    )
    assert {f.value for f in facts(specs, "transmission")} == {
        "7速湿式双离合变速箱",
        "8AT变速箱",
        "Super Drive－CVT无级变速器",
    }


def test_charging_verbs_and_the_electric_motor_as_label_words(tmp_path: Path) -> None:
    """'从20%充电至80%只要40分钟': charging to a level is a charging time; '电动机功率' is the
    motor's power as '电机功率' is."""
    specs = write(
        tmp_path,
        "lamando.md",
        "# 凌渡纯电版发布\n\n这款车的电动机功率为110千瓦，直流快充从20%充电至80%只要35分钟。\n",
    )
    assert one(specs, "power").numbers == (110.0,)
    fact = one(specs, "charging_time")
    assert (fact.numbers, fact.unit) == ((35.0,), "min")


def test_engine_sizes_that_name_versions_in_one_sentence(tmp_path: Path) -> None:
    """'1.5T车型的最大功率为…；2.0T车型的最大功率为…': where one sentence names two engine
    sizes, each figure is the version of the size named before it; a sentence naming one
    engine gives the car's own figures (no variant)."""
    specs = write(
        tmp_path,
        "sonata.md",
        "# 索纳塔新款上市\n\n1.5T车型的最大功率为125kW，峰值扭矩为255N·m；"
        "2.0T车型的最大功率为180kW，峰值扭矩为360N·m。\n",
    )
    assert _by_variant(specs, "power") == {"1.5T": {125.0}, "2.0T": {180.0}}
    assert _by_variant(specs, "torque") == {"1.5T": {255.0}, "2.0T": {360.0}}
    single = write(
        tmp_path,
        "sonata_b.md",
        "# 索纳塔新款上市\n\n新车搭载1.5T发动机，最大功率为125kW，峰值扭矩为255N·m。\n",
    )
    assert _by_variant(single, "power") == {None: {125.0}}


def test_acceleration_labels_and_a_figure_inside_a_label(tmp_path: Path) -> None:
    """'破百仅需7．4秒' is a 0-100 km/h time; in '0-100km/h加速时间为7．4s' the '0-100km/h' is
    part of the label's name, not a speed."""
    for n, sentence in enumerate(("新车破百仅需7．4秒。", "新车0-100km/h加速时间为7．4s。")):
        specs = write(tmp_path, f"golf_{n}.md", f"# 高尔夫新款上市\n\n{sentence}\n")
        assert one(specs, "acceleration_0_100").numbers == (7.4,)
        assert facts(specs, "top_speed") == []


def test_a_plug_in_hybrids_economy_under_one_litre(tmp_path: Path) -> None:
    """'WLTC综合油耗为0．9L/100km': a plug-in hybrid's combined economy under 1 L/100km is
    plausible."""
    specs = write(
        tmp_path,
        "passat.md",
        "# 帕萨特插混版上市\n\n新车的纯电续航里程为120km，WLTC综合油耗为0．9L/100km。\n",
    )
    assert one(specs, "fuel_economy_combined").numbers == (0.9,)


def test_an_engine_speed_in_a_clause_of_its_own(tmp_path: Path) -> None:
    """'最大功率为130kW，……在5200rpm时达到最大功率，在1600-4200转区间内即可输出最大扭矩': a clause
    with the label and a speed but no figure gives the speed of the figure stated before."""
    specs = write(
        tmp_path,
        "jetta.md",
        "# 捷达新款上市\n\n新车的发动机最大功率为130kW，最大扭矩为270N·m，"
        "在5200rpm时达到最大功率，在1600-4200转区间内即可输出最大扭矩。\n",
    )
    assert one(specs, "power_rpm").numbers == (5200.0,)
    assert one(specs, "torque_rpm").numbers == (1600.0, 4200.0)


def test_litres_and_kwh_under_a_per_100_km_label(tmp_path: Path) -> None:
    """'百公里油耗仅为4．9升', '百公里电耗为13．2kWh': under a label that says 'per 100 km', a
    figure in litres or kWh is a consumption (never a battery's capacity)."""
    specs = write(
        tmp_path,
        "sylphy.md",
        "# 轩逸新款上市\n\n新车的百公里油耗仅为4．9升。\n\n纯电版的百公里电耗为13．2kWh。\n",
    )
    fuel = one(specs, "fuel_economy_combined")
    assert (fuel.numbers, fuel.unit) == ((4.9,), "L/100km")
    power = one(specs, "electric_consumption")
    assert (power.numbers, power.unit) == ((13.2,), "kWh/100km")
    assert facts(specs, "battery_capacity") == []


def test_two_cars_in_one_sentence_each_with_its_figure(tmp_path: Path) -> None:
    """'索纳塔的售价为…，而雅阁的售价为…': in a sentence naming two cars, a figure is the car's
    named last before it (a car after 比 is what it is compared with)."""
    specs = write(
        tmp_path,
        "duel.md",
        "# 索纳塔和雅阁怎么选\n\n索纳塔的售价为16．58万元，而雅阁的售价为17．28万元。\n",
    )
    assert {f.car: round(f.numbers[0]) for f in facts(specs, "price")} == {
        "hyundai-sonata": 165800,
        "honda-accord": 172800,
    }


def test_tonnes_and_seat_counts_in_figures(tmp_path: Path) -> None:
    """'整备质量为1．7吨' is 1 700 kg; '采用5座布局' is five seats, as '五座' is."""
    specs = write(
        tmp_path,
        "highlander.md",
        "# 汉兰达新款上市\n\n新车整备质量为1．7吨，采用5座布局。\n",
    )
    assert one(specs, "kerb_weight").normalized == 1700.0
    assert one(specs, "seats").numbers == (5.0,)


def test_versions_named_in_the_sentence_before_a_fenbie_list(tmp_path: Path) -> None:
    """'新车推出了标准续航版和长续航版两个版本。两者的续航里程分别为…，售价分别为…': the
    versions a paragraph named in its sentence before are the names of the 分别 figures;
    figures joined by 和 ('520km和660km') are never names themselves."""
    specs = write(
        tmp_path,
        "lamando.md",
        "# 凌渡纯电版上市\n\n新车推出了标准续航版和长续航版两个版本。"
        "两者的CLTC续航里程分别为520km和660km，售价分别为19．98万元和22．98万元。\n",
    )
    assert _by_variant(specs, "electric_range") == {"标准续航版": {520.0}, "长续航版": {660.0}}
    assert _by_variant(specs, "price") == {"标准续航版": {199800.0}, "长续航版": {229800.0}}


def test_a_weak_label_word_right_before_its_figure(tmp_path: Path) -> None:
    """'续航520km', '功率为150kW': 续航, 功率, 扭矩, 价格 are too loose to be labels anywhere in
    a sentence ('长续航版', '续航焦虑'), but are when their figure follows at once."""
    specs = write(
        tmp_path,
        "jetta.md",
        "# 捷达纯电版上市\n\n长续航版搭载80kWh电池，续航620km，没有续航焦虑；"
        "标准版搭载60kWh电池，续航达480公里。\n\n新车功率为150kW，扭矩为310N·m。\n",
    )
    assert _by_variant(specs, "electric_range") == {"长续航版": {620.0}, "标准版": {480.0}}
    assert one(specs, "power").numbers == (150.0,)
    assert one(specs, "torque").numbers == (310.0,)


def test_an_engine_size_written_right_against_its_engine(tmp_path: Path) -> None:
    """'由2.0L发动机和电动机组成的混动系统': a size glued to 发动机 is the engine's displacement,
    as '1.5L自然吸气发动机' is."""
    specs = write(
        tmp_path,
        "camry.md",
        "# 凯美瑞双擎上市\n\n新车搭载由2．5L发动机和电动机组成的混动系统。\n",
    )
    assert one(specs, "displacement").numbers == (2.5,)


def test_a_charging_time_names_the_way_its_clause_charges(tmp_path: Path) -> None:
    """'直流快充……只要35分钟，交流慢充充满电需要9小时': each time is that way of charging's;
    a time in a clause of its own names none."""
    specs = write(
        tmp_path,
        "sylphy.md",
        "# 轩逸纯电版上市\n\n直流快充从30%充至80%只要35分钟，交流慢充充满电需要9小时。\n\n"
        "新车可选装家用充电桩，10小时即可充满电。\n",
    )
    assert {f.variant: f.numbers for f in facts(specs, "charging_time")} == {
        "直流快充": (35.0,),
        "交流慢充": (9.0,),
        None: (10.0,),
    }


def test_du_as_kilowatt_hours_of_a_battery(tmp_path: Path) -> None:
    """'电池容量为72度，' and '达到58度电' are kWh of a battery; the 360度 of a camera is no
    figure of it."""
    specs = write(
        tmp_path,
        "lamando.md",
        "# 凌渡纯电版上市\n\n新车的电池容量为72度，配备360度全景影像。\n",
    )
    fact = one(specs, "battery_capacity")
    assert (fact.numbers, fact.unit) == ((72.0,), "kWh")
    other = write(tmp_path, "lamando_b.md", "# 凌渡纯电版上市\n\n入门版的电池组容量达到58度电。\n")
    assert one(other, "battery_capacity").numbers == (58.0,)


def test_a_bound_that_picks_out_cars_and_cars_in_general(tmp_path: Path) -> None:
    """'在售价12万元以内的车型中' bounds a class of cars and '不少电动车续航400km' speaks of
    cars in general: neither is the car's figure; '续航里程可达520km以上' is its own bound."""
    specs = write(
        tmp_path,
        "xingchen.md",
        "# 星辰纯电版上市\n\n在售价12万元以内的车型中，星辰的配置很丰富。"
        "如今不少电动车续航400km已很常见，星辰纯电版的续航里程可达520km以上。\n",
    )
    assert facts(specs, "price") == []
    assert _by_variant(specs, "electric_range") == {"星辰纯电版": {520.0}}
