"""Round sixteen's Chinese mechanisms: which version a figure belongs to in a configuration
sheet whose columns are versions, in a spoken script, and in prose that names versions in
groups. Every text is invented for these tests."""

from __future__ import annotations

from pathlib import Path

from tests.test_specs_extract import facts
from tests.test_specs_zh_shapes import values, with_cars

_SHEET = (
    "参数,途观L 2.0T 两驱舒享版,途观L 2.0T 四驱旗舰版\n"
    "厂商指导价(万元),21.58,27.98\n"
    "长×宽×高(mm),4735×1859×1682,4735×1859×1702\n"
    "排量(mL),1984,1984\n"
    "最大功率(kW),137,162\n"
    "驱动方式,前置前驱,前置四驱\n"
    "前/后轮胎规格,235/55 R18,255/45 R20\n"
    "轴距(mm),2791,,\n"
    "全景天窗,○,●\n"
    "四驱,-,●\n"
    "延保套餐选装价格(元),3000,标配\n"
    "扬声器数量(个),6,9\n"
    "注：●标配 ○选装 -无,,\n"
)


def test_a_csv_whose_columns_are_versions_gives_each_cell_its_version(tmp_path: Path) -> None:
    """A configuration sheet exported as CSV (`参数` column, one column per version): each
    row's label is its attribute and unit, each cell the figure of its column's version; the
    `长×宽×高` cell gives three figures; the car is the one the headers name."""
    specs = with_cars(tmp_path, "sheet.csv", _SHEET)
    assert {f.car for f in specs.facts} == {"volkswagen-tiguan-l"}
    low, top = "2.0T 两驱舒享版", "2.0T 四驱旗舰版"
    prices = {v.split("途观L ")[-1]: n for v, n in values(specs, "price").items() if v}
    assert prices == {low: {215800.0}, top: {279800.0}}
    assert {v.split("途观L ")[-1]: n for v, n in values(specs, "height").items() if v} == {
        low: {1682.0},
        top: {1702.0},
    }
    assert {f.unit for f in facts(specs, "displacement")} == {"cc"}
    assert {n for ns in values(specs, "power").values() for n in ns} == {137.0, 162.0}
    assert {f.value for f in facts(specs, "tyres")} == {"235/55 R18", "255/45 R20"}
    assert len(facts(specs, "drive")) == 2


def test_marks_option_prices_and_a_merged_cell(tmp_path: Path) -> None:
    """`●/○/-` cells mark features, not figures; an option's price row prices no car; a row
    holding one value where the sheet has two versions holds for the car, no version."""
    specs = with_cars(tmp_path, "sheet.csv", _SHEET)
    assert len(facts(specs, "price")) == 2  # not the option's 3000
    assert all(f.value not in {"●", "○", "-"} for f in specs.facts)
    assert values(specs, "wheelbase") == {None: {2791.0}}


def test_a_data_file_of_car_rows_is_not_a_version_sheet(tmp_path: Path) -> None:
    """Rows that are cars (attributes as columns) stay records: the reader of version columns
    leaves them alone."""
    specs = with_cars(
        tmp_path,
        "rows.csv",
        "Make,Model,Power (kW),Wheelbase (mm)\nVolkswagen,Tiguan L,137,2791\n"
        "Volkswagen,Tiguan L,162,2791\n",
    )
    assert values(specs, "power") == {None: {137.0, 162.0}}
    assert values(specs, "wheelbase") == {None: {2791.0}}


def test_fenbie_pairs_only_the_figures_of_its_own_clause(tmp_path: Path) -> None:
    """分别 pairs the figures right after it with the names listed before; a later clause's
    figures ("，最高车速…") keep the version their own clause names."""
    specs = with_cars(
        tmp_path,
        "tiguan.txt",
        "途观L提供两驱版和四驱版。四驱版前、后电机功率分别为100kW和120kW，最高车速190km/h；"
        "两驱版为单电机，最高车速180km/h。\n",
    )
    assert values(specs, "top_speed") == {"四驱版": {190.0}, "两驱版": {180.0}}


def test_a_script_speaks_of_versions_in_groups(tmp_path: Path) -> None:
    """ "X的两个版本，…" makes the figures after it, to the next group, X's; "两款Y" gives its
    figure to Y; "A和B用的是…" once to each of A and B; a battery "加大到" a figure is read."""
    specs = with_cars(
        tmp_path,
        "script.txt",
        "【口播脚本】途观L四个版本怎么选\n\n【镜头3｜口播】\n"
        "咱们说说不同的地方。50KM的两个版本，电池是9.5度，驱动电机功率100千瓦；"
        "150KM的两个版本，电池加大到18.3度。\n"
        "再看轮胎。舒享型和豪华型用的是215/60 R17的轮胎，两款旗舰型都换成了235/50 R19。\n"
        "这台途观L我们下期接着聊。\n",
    )
    assert values(specs, "battery_capacity") == {"50KM": {9.5}, "150KM": {18.3}}
    assert values(specs, "power") == {"50KM": {100.0}}
    tyres = {(f.variant, f.value) for f in facts(specs, "tyres")}
    assert tyres == {
        ("舒享型", "215/60 R17"),
        ("豪华型", "215/60 R17"),
        ("旗舰型", "235/50 R19"),
    }


def test_a_sentence_about_last_years_model_gives_no_fact(tmp_path: Path) -> None:
    """A text about the 2025款 that turns to the 2024款 ("2024款起售价是…") gives that
    sentence's figures to no version of this year's car, up to a turn back ("今年…")."""
    specs = with_cars(
        tmp_path,
        "tiguan.txt",
        "2025款途观L官方指导价21.58万，最大功率137千瓦。\n"
        "和2024款比呢？2024款起售价是22.28万，功率只有132千瓦，今年功率提升到137千瓦。\n",
    )
    assert {n for ns in values(specs, "price").values() for n in ns} == {215800.0}
    assert {n for ns in values(specs, "power").values() for n in ns} == {137.0}


def test_an_appraisals_model_field_names_its_car(tmp_path: Path) -> None:
    """A used-car report names its car once, in a `品牌型号` field ("| 品牌型号 | 丰田云岚 2022款
    …"): with the model written once more, that is the car no alias file lists, and the
    report's figures are its; a sentence about another model year than the one its heading
    names is not."""
    specs = with_cars(
        tmp_path,
        "report.md",
        "# 二手车鉴定评估报告\n\n## 一、车辆基本信息\n\n| 项目 | 内容 |\n|---|---|\n"
        "| 品牌型号 | 丰田云岚 2022款 1.5L 精英版 |\n| 排量 | 1.5L |\n\n"
        "## 二、原厂参数（按2022款出厂资料核对）\n\n该车新车官方指导价为12.98万元，轴距2700mm。\n\n"
        "备注：现款2024款云岚指导价已调整为11.98万元，不属于本车参数。\n",
    )
    assert {c.id for c in specs.cars} == {"toyota-yunlan"}
    assert values(specs, "wheelbase") == {None: {2700.0}}
    assert values(specs, "price") == {None: {129800.0}}  # not the 2024款's, under a 2022款 head


def test_an_engine_size_after_a_model_code_is_no_part_of_its_name(tmp_path: Path) -> None:
    """ "奇瑞瑞虎9 2.0T" names the 瑞虎9 and its 2.0T engine, not a car called "瑞虎9 2.0T"."""
    specs = with_cars(
        tmp_path,
        "batch.txt",
        "申报解读：奇瑞瑞虎9 2.0T亮相\n\n【奇瑞瑞虎9 2.0T】\n\n"
        "瑞虎9此次申报的是2.0T车型，最大功率192kW，轴距2800mm。\n",
    )
    assert {c.id for c in specs.cars} == {"chery-tiggo-9"}  # the gazetteer's English name of 瑞虎9


def test_a_digests_numbered_car_headers_name_no_version(tmp_path: Path) -> None:
    """A digest's `【一、途观L：新增两款版本】` header is a car's section title (numbered, a colon,
    a count of versions), not a version's name; "两款车均为…" under it is that car's versions,
    not the car of the title's other header."""
    specs = with_cars(
        tmp_path,
        "digest.txt",
        "申报解读：途观L新版本、星越L亮相\n\n"
        "【一、途观L：新增两款版本】\n\n新车轴距2791mm，两款车均为前置四驱布局。\n\n"
        "【二、星越L：小改款】\n\n星越L轴距2845mm。\n",
    )
    wheelbases = {(f.car, f.variant, f.numbers[0]) for f in facts(specs, "wheelbase")}
    assert wheelbases == {("volkswagen-tiguan-l", None, 2791.0), ("geely-xingyue-l", None, 2845.0)}
    assert {f.car for f in facts(specs, "drive")} == {"volkswagen-tiguan-l"}


def test_a_sentence_whose_subject_is_the_engine_gives_its_figures_the_engine(
    tmp_path: Path,
) -> None:
    """ "发动机都是同一台…，最大功率74千瓦" beside a motor's power: the engine's figure is the
    engine's, as "发动机最大功率…" is."""
    specs = with_cars(
        tmp_path,
        "script.txt",
        "途观L插混版怎么样？\n发动机都是同一台1.5T四缸，最大功率110千瓦。驱动电机功率150千瓦。\n",
    )
    assert ("发动机", 110.0) in {(f.variant, f.numbers[0]) for f in facts(specs, "power")}


def test_a_pair_of_versions_then_former_and_latter(tmp_path: Path) -> None:
    """ "它提供1.5T和2.0T两种动力，前者最大功率…，后者为…": 前者 and 后者 are the two versions the
    sentence offered as a pair; "顶配为…" names the top version by its level; a bound that
    picks out a class of cars ("售价跌破20万元的车型") is no price."""
    specs = with_cars(
        tmp_path,
        "rank.md",
        "# 月度销量榜\n\n**第一名：途观L**\n\n"
        "途观L是前五中唯一一款售价跌破20万元的车型，其入门版官方指导价为18.99万元，顶配为"
        "25.99万元。它提供1.5T和2.0T两种动力，前者最大功率118kW，后者为162kW。\n",
    )
    assert values(specs, "power") == {"1.5T": {118.0}, "2.0T": {162.0}}
    assert values(specs, "price") == {"入门版": {189900.0}, "顶配": {259900.0}}


def test_a_script_speaks_its_units_and_short_version_names(tmp_path: Path) -> None:
    """Spoken figures: "长宽高4750、1890、1680毫米" (the unit once, after three figures joined by
    、), "1.5升自然吸气" (a displacement), "油耗每百公里5.1升" (litres per 100 km), "零百" (0-100);
    "50的零百是8.1秒，150的是7.6秒": the versions the text names 50KM and 150KM, said short."""
    specs = with_cars(
        tmp_path,
        "script.txt",
        "【口播脚本】途观L怎么选\n\n"
        "价格是50KM版15.98万，150KM版18.98万。车身长宽高4750、1890、1680毫米。"
        "发动机是1.5升自然吸气四缸，官方油耗每百公里5.1升。"
        "加速方面，50的零百是8.1秒，150的是7.6秒。\n",
    )
    assert {n for ns in values(specs, "length").values() for n in ns} == {4750.0}
    assert {n for ns in values(specs, "height").values() for n in ns} == {1680.0}
    assert {n for ns in values(specs, "displacement").values() for n in ns} == {1.5}
    assert {f.unit for f in facts(specs, "fuel_economy_combined")} == {"L/100km"}
    assert values(specs, "acceleration_0_100") == {"50KM": {8.1}, "150KM": {7.6}}


def test_a_long_term_tests_consumption_is_no_spec(tmp_path: Path) -> None:
    """A long-term test's consumption ("长测平均油耗是13.1升", "…跑下来") is the tester's
    measurement, not the maker's figure."""
    specs = with_cars(
        tmp_path,
        "review.txt",
        "途观L长测报告\n\n工信部综合油耗为8.2L/100km，我们半年跑下来，长测平均油耗是10.1升。\n",
    )
    assert {n for ns in values(specs, "fuel_economy_combined").values() for n in ns} == {8.2}


def test_fenbie_after_versions_that_opened_clauses_in_turn(tmp_path: Path) -> None:
    """ "A版…；B版…。整备质量分别为1650kg和1720kg": with no list of names, 分别 pairs its figures
    with the versions the paragraph's clauses opened with, in turn."""
    specs = with_cars(
        tmp_path,
        "digest.txt",
        "途观L新增两个版本\n\n"
        "动力方面，两款车均为前驱。标准续航版电机功率150kW，最高车速170km/h；长续航版的电机功率"
        "提升到180kW。整备质量分别为1650kg和1720kg。\n",
    )
    assert values(specs, "kerb_weight") == {"标准续航版": {1650.0}, "长续航版": {1720.0}}


def test_ranges_offered_as_versions_are_each_their_own(tmp_path: Path) -> None:
    """ "提供60KM和150KM两种纯电续航版本": each range is a fact of the version it names."""
    specs = with_cars(
        tmp_path,
        "rank.md",
        "# 销量榜\n\n**第二名：途观L**\n\n"
        "途观L插混版售价18.98-22.58万元，提供60KM和150KM两种纯电续航版本。\n",
    )
    assert values(specs, "electric_range") == {"60KM": {60.0}, "150KM": {150.0}}


def test_a_comparison_tables_engine_size_and_what_both_cars_share(tmp_path: Path) -> None:
    """ "| 发动机 | 1.5L | 1.5T |": an engine cell that is only its size is each column's
    displacement; "两车都是常规五座布局" in a sentence naming no car is each of the two cars'."""
    specs = with_cars(
        tmp_path,
        "vs.md",
        "# 途观L对比星越L\n\n## 空间\n\n两台车尺寸接近，途观L更方正，星越L更低矮。\n\n"
        "后备厢方面，两车都是常规五座布局。\n\n## 参数\n\n"
        "| 参数 | 途观L 330TSI | 星越L 2.0TD |\n|---|---|---|\n"
        "| 发动机 | 1.5L | 2.0T |\n| 轴距(mm) | 2791 | 2845 |\n",
    )
    sizes = {(f.car, f.numbers[0]) for f in facts(specs, "displacement")}
    assert sizes == {("volkswagen-tiguan-l", 1.5), ("geely-xingyue-l", 2.0)}
    assert {f.car for f in facts(specs, "seats")} == {"volkswagen-tiguan-l", "geely-xingyue-l"}


def test_a_clause_a_version_opens_and_bracketed_pairs(tmp_path: Path) -> None:
    """ "四驱版搭载一台2.0T四缸发动机": the cylinders are the 四驱版's (the version the clause
    opens with beats the engine's name); "两驱版为前置前驱": the drive is the 两驱版's;
    "分别为1650kg（两驱版）和1720kg（四驱版）": each figure is its bracket's version's."""
    specs = with_cars(
        tmp_path,
        "digest.txt",
        "途观L提供两驱版和四驱版。四驱版搭载一台2.0T四缸发动机，最高车速200km/h；两驱版为前置前驱。"
        "整备质量分别为1650kg（两驱版）和1720kg（四驱版）。\n",
    )
    assert {f.variant for f in facts(specs, "cylinders")} == {"四驱版"}
    assert {f.variant for f in facts(specs, "drive")} == {"两驱版"}
    assert values(specs, "kerb_weight") == {"两驱版": {1650.0}, "四驱版": {1720.0}}


def test_a_version_sheet_whose_rows_name_no_car_is_its_file_names(tmp_path: Path) -> None:
    """ "途观L配置表.csv" whose version columns name no car ("2.0T 两驱舒享版"): the car its file
    name names."""
    specs = with_cars(
        tmp_path,
        "途观L配置表.csv",
        "参数,2.0T 两驱舒享版,2.0T 四驱旗舰版\n最大功率(kW),137,162\n轴距(mm),2791,2791\n",
    )
    assert {f.car for f in specs.facts} == {"volkswagen-tiguan-l"}
    assert values(specs, "power") == {"2.0T 两驱舒享版": {137.0}, "2.0T 四驱旗舰版": {162.0}}


def test_a_csv_whose_rows_are_versions_names_each_rows_figures(tmp_path: Path) -> None:
    """`车型,厂商指导价(万元),最大功率(kW)` with one row per version and no make or model column:
    each row's figures are the version its first cell names."""
    specs = with_cars(
        tmp_path,
        "rows.csv",
        "车型,厂商指导价(万元),最大功率(kW),全景天窗\n"
        "途观L 两驱舒享版,21.58,137,-\n途观L 四驱旗舰版,27.98,162,●\n",
    )
    powers = {
        (f.variant or "").split("途观L")[-1].strip(): f.numbers[0] for f in facts(specs, "power")
    }
    assert powers == {"两驱舒享版": 137.0, "四驱旗舰版": 162.0}
    assert len(facts(specs, "price")) == 2


def test_a_charging_window_named_by_its_version_and_the_next_versions_time(tmp_path: Path) -> None:
    """ "途观L长续航版快充30%-80%只要25分钟，标准续航版则需要30分钟": the window's time is the
    version named before it; the next clause's time, its window left unsaid, the other's."""
    specs = with_cars(
        tmp_path,
        "charge.md",
        "# 途观L补能\n\n途观L长续航版快充30%-80%只要25分钟，标准续航版则需要30分钟。\n",
    )
    assert values(specs, "charging_time") == {"长续航版": {25.0}, "标准续航版": {30.0}}


def test_a_digests_numbered_block_of_an_unlisted_make_is_no_earlier_cars(tmp_path: Path) -> None:
    """Without an alias for its make, "【二、云岚梦想号：…】" starts a block whose car is
    unknown: its figures are not the car of the block before (a wrong car's fact is worse
    than none)."""
    specs = with_cars(
        tmp_path,
        "digest.txt",
        "申报解读：途观L、星越L和云岚梦想号\n\n【一、途观L：新增版本】\n\n新车轴距2791mm。\n\n"
        "【二、云岚梦想号：七座MPV】\n\n新车轴距3200mm。\n\n【三、星越L：小改款】\n\n星越L轴距2845mm。\n",
    )
    wheelbases = {(f.car, f.numbers[0]) for f in facts(specs, "wheelbase")}
    assert wheelbases == {("volkswagen-tiguan-l", 2791.0), ("geely-xingyue-l", 2845.0)}
