"""Round eighteen's Chinese mechanisms: a launch event's live blog (time-stamped entries, each
about the version it opens with) and a version list priced in 万元. Every text is invented
for these tests."""

from __future__ import annotations

from pathlib import Path

from tests.test_specs_zh_shapes import values, with_cars

_CARS = """
[models.haval-h9]
brand = "haval"
name = "H9"
aliases = ["哈弗H9"]
"""

_BLOG = (
    "# 图文直播｜哈弗H9上市发布会\n\n"
    "**20:00** 发布会开始，嘉宾陆续入场。\n\n"
    "**20:05** 外观环节：车长5070mm，轴距2850mm。\n\n"
    "**20:10** 2.4T车型：最大功率135kW，匹配9速手自一体。官方零百加速11.2秒。\n\n"
    "**20:14** 3.0T车型：最大功率260kW，零百加速7.6秒。\n\n"
    "**20:20** 接下来是哈弗H9 Hi4-T。它的系统综合功率达到300kW，纯电续航110km。\n\n"
    "**20:30** 价格公布：\n\n"
    "- 2.4T 四驱进取版：20.98万元\n"
    "- Hi4-T 四驱旗舰版：27.98万元\n"
)


def test_a_time_stamp_is_no_version_and_an_entry_is_its_opening_versions(tmp_path: Path) -> None:
    """A live blog's time ("**20:10**") names no version; every figure of an entry that
    names none of its own is the version the entry opens with ("2.4T车型：", the car's name
    and a code the price list names as a version), across its sentences; an entry that opens
    with none keeps its figures the car's."""
    specs = with_cars(tmp_path, "live.md", _BLOG, _CARS)
    power = values(specs, "power")
    assert power == {"2.4T": {135.0}, "3.0T": {260.0}, "Hi4-T": {300.0}}
    assert values(specs, "acceleration_0_100") == {"2.4T": {11.2}, "3.0T": {7.6}}
    assert values(specs, "length") == {None: {5070.0}}
    assert not any(":" in (f.variant or "") for f in specs.facts)


def test_a_blog_needs_three_stamped_entries(tmp_path: Path) -> None:
    """One time in a news story ("**20:10** 2.4T车型：…" once) is not a blog: its next
    paragraph's figure keeps no version from it."""
    text = (
        "# 哈弗H9上市\n\n**20:10** 2.4T车型：最大功率135kW。官方零百加速11.2秒。\n\n"
        "新车车长5070mm。\n"
    )
    specs = with_cars(tmp_path, "news.md", text, _CARS)
    assert values(specs, "length") == {None: {5070.0}}


def test_a_chinese_bold_lead_naming_a_place_is_no_version(tmp_path: Path) -> None:
    """A salesman's walk-around script leads each paragraph with the place it is spoken at
    ("**发动机舱**：", "**车尾（正后方）**："): a topic, not a version; a lead that names one
    ("**四驱版**：") still gives its figures that version."""
    text = (
        "# 哈弗H9 展厅话术\n\n"
        "**车尾（正后方）**：哈弗H9车长5070mm，轴距2850mm。\n\n"
        "**发动机舱**：哈弗H9最大功率135kW，峰值扭矩380N·m。\n\n"
        "**四驱版**：哈弗H9整备质量2350kg。\n"
    )
    specs = with_cars(tmp_path, "script.md", text, _CARS)
    assert values(specs, "length") == {None: {5070.0}}
    assert values(specs, "power") == {None: {135.0}}
    assert values(specs, "kerb_weight") == {"四驱版": {2350.0}}


def test_a_version_list_priced_in_wan_yuan_is_each_versions_price(tmp_path: Path) -> None:
    """Lines naming a version, then one figure in 万元 ("- 2.4T 四驱进取版：20.98万元",
    "1. 两驱精英型：…", under a line that names no price label) are each version's price; a
    sum's line ("- 置换补贴：1万元") names no version and prices nothing."""
    text = (
        "# 哈弗H9上市\n\n一共三个版本：\n\n"
        "1. 2.4T 两驱进取版：20.98万元\n2. Hi4-T 四驱：27.98万元\n3. 四驱旗舰型：29.98万元\n\n"
        "购车权益如下：\n\n- 置换补贴：1万元\n"
    )
    specs = with_cars(tmp_path, "price.md", text, _CARS)
    assert values(specs, "price") == {
        "2.4T 两驱进取版": {209800.0},
        "Hi4-T 四驱": {279800.0},
        "四驱旗舰型": {299800.0},
    }


_REVIEWS = (
    "# 哈弗H9 车主口碑\n\n"
    "## 车主 @甲\n\n"
    "**购买车型：2025款 2.4T 进取版｜裸车价：19.98万｜购车时间：2025年3月**\n\n"
    "指导价20.98万。车身尺寸所有版本都一样，车长5070mm。最大功率135kW，实际开着够用。"
    "轮胎是265/65 R18（另外两个版本是265/60 R18）。\n\n"
    "## 车主 @乙\n\n"
    "**购买车型：2025款 3.0T 旗舰版｜裸车价：28.5万｜购车时间：2025年5月**\n\n"
    "最大功率260kW，起步很猛。\n"
)


def test_an_owners_review_is_about_the_version_its_fields_line_names(tmp_path: Path) -> None:
    """Each owner's review opens with a line of fields ("购买车型：2025款 2.4T 进取版｜…"):
    its figures that name no version are that version's, but not what the sentence says
    every version has, nor a figure of the other versions."""
    specs = with_cars(tmp_path, "koubei.md", _REVIEWS, _CARS)
    assert values(specs, "power") == {"2.4T 进取版": {135.0}, "3.0T 旗舰版": {260.0}}
    assert values(specs, "price") == {"2.4T 进取版": {209800.0}}
    assert values(specs, "length") == {None: {5070.0}}
    assert {f.variant for f in specs.facts if f.attribute == "tyres"} == {"2.4T 进取版", None}


def test_numbered_topic_lines_are_read_as_prose(tmp_path: Path) -> None:
    """An owner's note numbers its topics with keycaps ("2️⃣尺寸：车长…，宽…"): a line whose
    value is a run of Chinese clauses gives each clause's figure, its topic a label or not."""
    text = (
        "哈弗H9 提车笔记\n\n"
        "1️⃣尺寸：车长5070mm，宽1976mm，高1929mm\n"
        "2️⃣动力：全系四驱，最大功率135kW\n"
        "3️⃣续航：油箱80L，综合油耗10.9L/100km\n"
    )
    specs = with_cars(tmp_path, "note.txt", text, _CARS)
    assert values(specs, "width") == {None: {1976.0}}
    assert values(specs, "power") == {None: {135.0}}
    assert values(specs, "fuel_tank") == {None: {80.0}}


def test_prices_read_out_version_by_version(tmp_path: Path) -> None:
    """A host reads the price list aloud, each version a clause of its own and its price in
    万 the next ("2.4T进取型，20.98万；…"): each price is its version's; a deposit in 元 is
    none."""
    text = (
        "[20:01:12] 主播：今天只讲哈弗H9，定金99元。\n\n"
        "[20:02:40] 主播：一共三个版本。2.4T进取型，20.98万；2.4T旗舰型，23.98万；"
        "3.0T旗舰型，27.98万。别拍错了。\n"
    )
    specs = with_cars(tmp_path, "live.txt", text, _CARS)
    assert values(specs, "price") == {
        "2.4T进取型": {209800.0},
        "2.4T旗舰型": {239800.0},
        "3.0T旗舰型": {279800.0},
    }


def test_a_price_in_australian_dollars_written_in_chinese(tmp_path: Path) -> None:
    """ "47,990澳元" is a price in AUD, not in yuan nor a bare number."""
    text = "# 哈弗H9登陆澳洲\n\n哈弗H9在澳洲售价为47,990澳元起。\n"
    specs = with_cars(tmp_path, "au.md", text, _CARS)
    assert {(f.unit, f.numbers[0]) for f in specs.facts if f.attribute == "price"} == {
        ("AUD", 47990.0)
    }


def test_latin_versions_a_chinese_text_declares_open_their_clauses(tmp_path: Path) -> None:
    """ "推出Base和Pro两个版本" declares two versions by Latin names: a clause that opens with
    one ("Base为后驱，Pro为四驱", "Pro为10.2L/100km") gives its figure that version; a clause
    opening with a Latin word no version has ("WLTP续航…") keeps the car's."""
    text = (
        "# 哈弗H9登陆澳洲\n\n"
        "哈弗H9在澳洲推出Base和Pro两个版本。Base综合油耗9.8L/100km，Pro为10.2L/100km。"
        "WLTP续航无从谈起，油箱80L。\n"
    )
    specs = with_cars(tmp_path, "au2.md", text, _CARS)
    assert values(specs, "fuel_economy_combined") == {"Base": {9.8}, "Pro": {10.2}}
    assert values(specs, "fuel_tank") == {None: {80.0}}


def test_a_drive_word_naming_versions_states_no_drive(tmp_path: Path) -> None:
    """ "加速两驱8.2秒、四驱8.6秒" and "两驱的两款用235/55 R19" name versions by their drive:
    no drive fact of the car comes from them; "全系前驱" states one."""
    text = (
        "# 哈弗H9 展厅话术\n\n"
        "哈弗H9加速两驱8.2秒、四驱8.6秒破百。两驱的两款用235/55 R19。\n\n哈弗H9全系前驱。\n"
    )
    specs = with_cars(tmp_path, "drive.md", text, _CARS)
    assert {f.value for f in specs.facts if f.attribute == "drive"} == {"前驱"}
