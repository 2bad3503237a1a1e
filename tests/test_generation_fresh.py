"""An editor's reading of text written about cars nobody tuned on (the invented Chinese news of
`tests/specs/zh_fresh`: BYD Seal, AITO M7, Geely Xingyue L, Li Auto L7, Xiaomi SU7) and of the
corpus's leftovers: a Chinese version's name is English in English text, a drive the version's
name says is not said again, a polish that says something else is refused, one engine is
written under one name, a push title carries a figure, a personalised push keeps the reader's
city, an MPGe figure in Chinese is read as MPGe (sheets built here, the shipped phrasebooks)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from generation.chain.polish import acceptable
from generation.facts import FactSheet, SheetFact
from generation.schemas import UserProfile
from ingest.analysis import has_han
from ingest.specs.figures import figures
from tests.test_business_round5 import write as write_single
from tests.test_realise_editor import fact, sheet, write


def seal() -> FactSheet:
    """The BYD Seal as `zf01_guangzhou_autoshow_2023.md` gives it: versions named in Chinese."""
    return sheet(
        "BYD Seal",
        fact("power", "390kW", "四驱版", (390,), "kW", ("doc:1",)),
        fact("power", "230kW", "后驱版", (230,), "kW", ("doc:1",)),
        fact("drive", "后驱", "后驱版", (), None, ("doc:1",)),
        fact("battery_capacity", "61.4kWh", "标准续航版", (61.4,), "kWh", ("doc:1",)),
        fact("electric_range", "550km", "标准续航版", (550,), "km", ("doc:1",)),
        fact("price", "24.98万元", "两驱舒享版", (249800,), "CNY", ("doc:2",)),
        fact("transmission", "8速手自一体变速箱", None, (), None, ("doc:3",)),
        fact("acceleration_0_100", "2.78秒", "Max版", (2.78,), "s", ("doc:3",)),
    )


def text_of(written: dict[str, Any]) -> str:
    return " ".join(str(v) for v in written.values())


def test_chinese_version_names_are_english_in_english_text() -> None:
    """Regression: "The BYD Seal 标准续航版 carries a 61.4 kWh battery", "The AITO M7 两驱舒享版
    sells for RMB 249,800", "an 8-speed 手自一体 gearbox", "Drive is 前后 dual-motor 智能
    four-wheel drive": Chinese words in English text wherever the term list lacked one."""
    en = text_of(write(seal()))
    assert not has_han(en), en
    assert "standard-range version" in en and "two-wheel drive Comfort version" in en, en
    assert "8-speed automatic gearbox" in en, en
    assert "in the BYD Seal Max [" in en and "Max version" not in en, en  # "Max版": the Max
    drive = sheet("Li Auto L7", fact("drive", "前后双电机智能四驱", None, (), None))
    en = text_of(write(drive))
    assert "front and rear dual-motor intelligent four-wheel drive" in en, en
    zh = text_of(write(seal(), language="zh"))
    assert "标准续航版" in zh and "手自一体" in zh and "standard" not in zh, zh


def test_a_drive_the_versions_name_says_is_not_said_again() -> None:
    """Regression: "Drive is rear-wheel drive for the BYD Seal rear-wheel drive version" and
    "比亚迪海豹后驱版驱动形式为后驱": two Chinese characters were too short to be found in the
    version's name (three letters are: "AWD")."""
    en = text_of(write(seal()))
    assert "Drive is rear-wheel drive for" not in en, en
    assert "The BYD Seal rear-wheel drive version makes 230 kW" in en, en  # named still
    zh = text_of(write(seal(), language="zh"))
    assert "驱动形式为后驱" not in zh, zh
    assert "BYD Seal后驱版最大功率230千瓦" in zh, zh


def test_a_polish_that_says_something_else_is_refused() -> None:
    """Regression: the BYD Seal blog's ending was replaced by the model's "The BYD Seal is
    designed to enable users to ride bicycles without relying on pumps…": no figure, so
    nothing stopped it; a rewording of the same words is still kept."""
    original = (
        "Taken together, the BYD Seal suits drivers who can charge at home and want to skip "
        "the pump. Check the cited documents for the full specification."
    )
    strange = (
        "The BYD Seal is designed to enable users to ride bicycles without relying on pumps or "
        "other forms of transportation."
    )
    reworded = (
        "All told, the BYD Seal suits drivers who can charge at home and skip the pump; the "
        "cited documents give the full specification."
    )
    options: dict[str, Any] = {"names": ["BYD Seal"], "language": "en", "instruction": ""}
    assert acceptable(strange, original, **options) == "new words"
    assert acceptable(reworded, original, **options) is None
    zh = "总的来说，比亚迪海豹适合有家充条件、想告别加油站的用户。"
    zh_strange = "比亚迪海豹是一款适合骑自行车出行的环保交通工具，让生活更美好。"
    zh_options = {**options, "names": ["比亚迪海豹"], "language": "zh"}
    assert acceptable(zh_strange, zh, **zh_options) == "new words"
    zh_reworded = "总之，比亚迪海豹适合有家充条件、想告别加油站的用户。"
    assert acceptable(zh_reworded, zh, **zh_options) is None


def measured(f: SheetFact, value: float, unit: str) -> SheetFact:
    return replace(f, normalized=value, normalized_unit=unit)


def creta() -> FactSheet:
    """The Hyundai Creta as two documents name its engines: "turbo petrol" (160 hp) and "1.5l
    Turbo GDi petrol" (117.5 kW (160 PS)), "1.5-litre" (116 hp) and "1.5l U2 CRDi diesel"."""
    return sheet(
        "Hyundai Creta",
        fact("power", "160 hp", "turbo petrol", (160,), "hp", ("doc:1",)),
        fact("transmission", "7-speed dual clutch automatic", "turbo petrol", (), None, ("doc:1",)),
        measured(
            fact("power", "117.5 kW (160 PS)", "1.5l Turbo GDi petrol", (117.5,), "kW", ("doc:3",)),
            117.5,
            "kW",
        ),
        measured(
            fact("torque", "253 Nm", "1.5l Turbo GDi petrol", (253,), "Nm", ("doc:3",)), 253, "Nm"
        ),
        fact("power", "116 hp", "1.5-litre", (116,), "hp", ("doc:1",)),
        measured(
            fact("power", "85 kW (116 PS)", "1.5l U2 CRDi diesel", (85,), "kW", ("doc:3",)),
            85,
            "kW",
        ),
        measured(
            fact("torque", "250 Nm", "1.5l U2 CRDi diesel", (250,), "Nm", ("doc:3",)), 250, "Nm"
        ),
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_one_engine_two_documents_name_differently_is_written_once(language: str) -> None:
    """Regression: the Creta's opening said "the turbo petrol makes 160 hp" and its middle
    "the 1.5l Turbo GDi petrol … delivers 117.5 kW (160 PS)": one engine, two names, its power
    twice; so was the diesel ("1.5-litre makes 116 hp", then "85 kW (116 PS)"). The petrol's
    torque is said under the name the text gave it; the diesel's in one sentence with its
    power; the diesel is never the petrol (250 Nm is not 253 Nm)."""
    text = text_of(write(creta(), language=language))
    assert ("Turbo GDi" not in text) and ("117.5" not in text) and ("85" not in text), text
    if language == "en":
        assert "the Hyundai Creta turbo petrol makes 253 Nm of torque" in text, text
        assert "The Hyundai Creta 1.5-litre is good for 116 hp and 250 Nm" in text, text
    else:
        assert "涡轮增压汽油版峰值扭矩253牛·米" in text, text
        assert "1.5升最大功率116英制马力，峰值扭矩250牛·米" in text, text


def test_a_figure_two_versions_share_names_neither() -> None:
    """The Creta's "1.5-litre" 116 hp is within a few per cent of the 115 PS petrol's 84.4 kW
    and of the 116 PS diesel's 85 kW: which engine it is cannot be told, so neither name
    replaces it."""
    s = sheet(
        "Hyundai Creta",
        *creta().facts,
        measured(
            fact("power", "84.4 kW (115 PS)", "1.5l MPi petrol", (84.4,), "kW", ("doc:3",)),
            84.4,
            "kW",
        ),
    )
    text = text_of(write(s))
    assert "The Hyundai Creta 1.5-litre makes 116 hp" in text, text
    assert "85 kW (116 PS)" in text, text
    assert "the Hyundai Creta turbo petrol makes 253 Nm of torque" in text, text  # still one


def test_two_drives_of_one_engine_are_two_versions() -> None:
    """The same power in a 2WD and a 4WD row is not one engine named twice: the 4WD's economy
    stays the 4WD's."""
    s = sheet(
        "Geely Xingyue L",
        measured(fact("power", "175kW", "2.0T两驱版", (175,), "kW", ("doc:1",)), 175, "kW"),
        measured(fact("power", "238 PS", "2.0T四驱版", (238,), "PS", ("doc:2",)), 175, "kW"),
        fact("fuel_economy_combined", "7.9L/100km", "2.0T四驱版", (7.9,), "L/100km", ("doc:2",)),
    )
    text = text_of(write(s))
    assert "7.9 L/100 km" in text and "four-wheel drive version" in text, text


def test_a_push_title_carries_a_figure() -> None:
    """Regression: "Sam, Toyota Tacoma" and "Land Rover Defender" (no alias names the model
    alone, and "Land Rover Defender: up to 493 hp" is 33 characters), and the Ford F150's bare
    name (its EPA rows give no power, range, boot or price)."""
    tacoma = sheet(
        "Toyota Tacoma",
        fact("power", "323 hp", "i-FORCE MAX Hybrid Trailhunter", (323,), "hp", ("doc:1",)),
        fact("power", "278 hp", "i-FORCE", (278,), "hp", ("doc:1",)),
    )
    reader = UserProfile(nickname="Sam", city="Leeds", interests=["space"])
    title = write_single(tacoma, business="push_personal", user_profile=reader)["title"]
    assert re.search(r"\d", title), title
    defender = sheet(
        "Land Rover Defender",
        fact("power", "493 hp", "P500", (493,), "hp", ("doc:1",)),
        fact("power", "395 hp", "P400", (395,), "hp", ("doc:1",)),
    )
    assert write_single(defender, business="push_ops")["title"] == "Defender: up to 493 hp"
    f150 = sheet(
        "Ford F150",
        fact("displacement", "2.7", "2018 · 2.7 L SemiAuto-10 2WD #1", (2.7,), "L", ("doc:1",)),
        fact("displacement", "5", "2018 · 5 L SemiAuto-10 2WD #16", (5,), "L", ("doc:2",)),
        fact("cylinders", "6", "2018 · 2.7 L SemiAuto-10 2WD #1", (6,), None, ("doc:1",)),
    )
    assert write_single(f150, business="push_ops")["title"] == "F150: 2.7 L to 5 L engines"
    assert write_single(f150, "zh", business="push_ops")["title"] == "Ford F150：2.7升至5升排量可选"


def test_a_personal_push_keeps_the_readers_city_when_a_sentence_is_long() -> None:
    """Regression: the Land Rover Defender's one engine sentence left no room for "here is one
    for Manchester. ", so a reader with a city, a current car and an interest it cannot answer
    got a push with nothing of theirs; without a nickname the lead began in lower case."""
    defender = sheet(
        "Land Rover Defender",
        fact("power", "493 hp", "P500", (493,), "hp", ("doc:1",)),
        fact("displacement", "5.0 L", "P500", (5.0,), "L", ("doc:1",)),
        fact("cylinders", "8", "P500", (8,), None, ("doc:1",)),
    )
    reader = UserProfile(city="Manchester", current_car="Ford Focus", interests=["towing"])
    body = write_single(defender, business="push_personal", user_profile=reader)["body"]
    assert body.startswith("For Manchester: the Land Rover Defender"), body
    short = sheet("Land Rover Defender", fact("power", "493 hp", "P500", (493,), "hp"))
    body = write_single(short, business="push_personal", user_profile=reader)["body"]
    assert body.startswith("Here is one for Manchester. "), body
    sam = UserProfile(nickname="Sam", city="Leeds", interests=["towing"])
    body = write_single(defender, business="push_personal", user_profile=sam)["body"]
    assert body.startswith("Sam, for Leeds: the Land Rover Defender"), body


def test_a_sentence_after_a_greeting_starts_in_lower_case() -> None:
    """Regression: "Priya, A 100 kWh battery gives the Zeekr 001…"."""
    zeekr = sheet(
        "Zeekr 001",
        fact("battery_capacity", "100 kWh", None, (100,), "kWh", ("doc:1",)),
        fact("electric_range", "606 km", None, (606,), "km", ("doc:1",)),
    )
    reader = UserProfile(nickname="Priya", interests=["charging"])
    body = write_single(zeekr, business="push_personal", user_profile=reader)["body"]
    assert body.startswith("Priya, ") and ", A " not in body, body


def test_mpge_in_chinese_is_read_as_mpge() -> None:
    """Regression: "RAV4 Prime电耗为94英里/加仑当量" (the Chinese phrasebook's MPGe) was read
    as 94 mpg, so grounding called the RAV4 Prime's own 94 MPGe unsupported."""
    found = figures("RAV4 Prime电耗为94英里/加仑当量[3]。综合油耗为38英里/加仑。")
    assert [(f.value, f.unit.symbol if f.unit else None) for f in found] == [
        (94.0, "MPGe"),
        (38.0, "mpg"),
    ]


def test_a_cylinder_count_the_engine_already_names_is_not_said_again() -> None:
    """Regression (the Aurora X5 sample): "uses a 1.5 L turbo inline-4 …" then "The 2025
    Aurora X5 Hybrid has 4 cylinders": the count was said twice, once by the engine's name."""
    hybrid = "2025 · Aurora X5 Hybrid"
    s = sheet(
        "Aurora X5",
        fact("engine", "1.5 L turbo inline-4 + electric motor", hybrid),
        fact("cylinders", "4", hybrid, (4.0,)),
        fact("power", "200 kW", hybrid, (200.0,), "kW"),
        fact("engine", "2.0 L turbo", "2025 · Aurora X5 2.0T", ()),
        fact("cylinders", "four", "2025 · Aurora X5 2.0T", (4.0,)),
    )
    en = text_of(write(s))
    assert "inline-4" in en and "Hybrid has 4 cylinders" not in en, en
    assert "4 cylinders" in en, en  # the 2.0T's engine name does not say its count


def test_a_displacement_the_engine_already_names_is_not_said_again() -> None:
    """Regression (a UK spec sheet): "uses a 1.5-litre TSI 4-cyl plug-in hybrid (1.5 L) with
    150 kW": the engine's name already says 1.5 litres. A size the name does not say stays, as
    does one written more exactly than the name ("1498 cc" of a "1.5T")."""
    s = sheet(
        "Skoda Kodiaq",
        fact("engine", "1.5-litre TSI 4-cyl plug-in hybrid", "SE L iV"),
        fact("displacement", "1.5-litre", "SE L iV", (1.5,), "L"),
        fact("power", "150 kW", "SE L iV", (150.0,), "kW"),
        fact("engine", "2.0T 涡轮增压", "豪华版"),
        fact("displacement", "2.0-litre", "豪华版", (2.0,), "L"),
        fact("engine", "TDI diesel", "SE L TDI"),
        fact("displacement", "2.0-litre", "SE L TDI", (2.0,), "L"),
    )
    en = text_of(write(s))
    assert "plug-in hybrid" in en and "(1.5 L)" not in en and "1.5 L engine" not in en, en
    assert en.count("2 L") == 1, en  # "2.0T" says its 2.0 litres; "TDI diesel" does not
