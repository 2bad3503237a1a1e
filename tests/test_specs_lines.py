"""The model-line gazetteer (`data/specs/cars.toml` `[lines]`, `ingest/specs/lines.py`) and
car finding with it: a line without its make, where a line after its make ends, Chinese lines
without the user's alias file, and that a line is a candidate, never a car by itself (a rival
named in prose keeps no figure from the document's car). Every document here is invented."""

from __future__ import annotations

from pathlib import Path

from ingest.specs.cars import CarIndex, load_cars
from ingest.specs.extract import SpecConfig
from ingest.specs.lines import Lines, distinctive, line_key
from tests.test_specs_extract import facts, one, write


def _index() -> CarIndex:
    return load_cars(SpecConfig().cars)


def test_the_gazetteer_covers_every_make_broadly() -> None:
    index = _index()
    lines = index.lines
    assert set(lines.by_brand) == set(index.brand_names)  # every make of the alias file
    english = {line for own in lines.by_brand.values() for line in own.values()}
    assert len(english) > 1000 and len(lines.chinese_names) > 300


def test_a_name_two_makes_use_is_ambiguous_and_short_names_need_their_make() -> None:
    lines = Lines()
    lines.add("make-a", "Ranger")
    lines.add("make-b", "Ranger")
    lines.add("make-a", "Zephyrine|风语者")
    lines.add("make-a", "500")
    assert lines.alone("RANGER") is None  # two makes: only with the make written
    assert lines.alone("zephyrine") is not None
    assert lines.alone("500") is None and not distinctive("gt") and not distinctive("汉")
    assert distinctive("宋L") and distinctive("风语者")
    assert [line.name for _, _, line in lines.chinese("新款风语者上市")] == ["Zephyrine"]


def test_a_line_after_its_make_ends_where_the_line_does() -> None:
    index = _index()
    assert index.car("Porsche", "718 Cayman GTS 4.0") == (
        "porsche-718-cayman",
        "Porsche 718 Cayman",
    )
    assert index.car("TOYOTA", "HILUX")[0] == "toyota-hilux"
    assert index.car("Mitsubishi", "Outlander PHEV")[0] == "mitsubishi-outlander"


def test_ids_differing_by_a_hyphen_between_letters_and_digits_are_one_car() -> None:
    index = _index()
    assert index.car("Ford", "F150")[0] == index.car("Ford", "F-150")[0] == "ford-f-150"
    assert index.car("Mazda", "CX5")[0] == index.car("Mazda", "CX-5")[0]
    assert line_key("CX 5") == line_key("cx-5") == line_key("CX5")


def test_a_dated_heading_names_a_line_written_without_its_make(tmp_path: Path) -> None:
    text = (
        "Subject: the two trucks we talked about\n\n"
        "Hi Sam, here are both quotes.\n\n"
        "QUOTE A: 2027 TACOMA TRD SPORT\n\n"
        "The TRD Sport has a 2.4L turbo four with 278 hp. MSRP is $41,100.\n\n"
        "QUOTE B: 2027 TACOMA LIMITED\n\n"
        "The Limited is rated at 326 hp with the hybrid. MSRP is $52,900.\n"
    )
    specs = write(tmp_path, "quotes.txt", text)
    assert {f.car for f in specs.facts} == {"toyota-tacoma"}
    assert sorted(f.numbers[0] for f in facts(specs, "power")) == [278.0, 326.0]


def test_a_shouted_title_names_the_line_after_its_make(tmp_path: Path) -> None:
    text = (
        "SUBARU FORESTER - GLOVEBOX NOTES\n\n"
        "Keep this in the car.\n\n"
        "Fuel tank capacity: 63 L\n"
        "Ground clearance: 220 mm\n"
    )
    specs = write(tmp_path, "notes.txt", text)
    assert one(specs, "fuel_tank", "subaru-forester").numbers == (63.0,)


def test_a_car_column_gives_the_make_the_line_and_the_version(tmp_path: Path) -> None:
    text = (
        "pos,driver,car,power_ps\n"
        "1,A. Smith,Mazda MX-5 2.0 Sport,184\n"
        "2,B. Jones,Toyota GR86 2.4,234\n"
    )
    specs = write(tmp_path, "laps.csv", text)
    assert {f.car for f in specs.facts} == {"mazda-mx-5", "toyota-gr86"}


def test_a_chinese_line_without_its_make_finds_the_car_without_an_alias_file(
    tmp_path: Path,
) -> None:
    text = (
        "---\ntitle: '宋PLUS新款到店实拍'\n---\n\n"
        "宋PLUS的轴距为2765mm，最大功率为145kW。\n\n"
        "宋PLUS的售价为15.98万元起。\n"
    )
    specs = write(tmp_path, "song.md", text)
    assert {f.car for f in specs.facts} == {"byd-song-plus"}
    assert one(specs, "wheelbase", "byd-song-plus").numbers == (2765.0,)


def test_a_line_prose_names_alone_is_no_car_of_the_document(tmp_path: Path) -> None:
    """A viewer asking twice about another model names no car: the figures that follow are
    still the title's car's."""
    text = (
        "---\ntitle: '比亚迪宋L直播文字稿'\n---\n\n"
        "弹幕：海豹06多少钱？\n\n"
        "主播：海豹06是轿车，今天只说这台车。它的轴距为2840mm，最大功率为160kW。\n"
    )
    specs = write(tmp_path, "live.md", text)
    assert {f.car for f in specs.facts} == {"byd-song-l"}
    assert one(specs, "wheelbase", "byd-song-l").numbers == (2840.0,)


def test_a_rival_line_in_prose_takes_nothing_from_the_documents_car(tmp_path: Path) -> None:
    """Listing lines as aliases made every mention of a listed model one of the text's cars
    (the Mach-E's page lost its facts to the Mustang): a line is a candidate only."""
    text = (
        "# Ford Mustang Mach-E Premium: specifications\n\n"
        "The Ford Mustang Mach-E Premium has a 91 kWh battery and a range of 300 miles.\n\n"
        "Unlike the Mustang coupe, the Mach-E seats five. It produces 346 hp.\n"
    )
    specs = write(tmp_path, "mach-e.md", text)
    assert {f.car for f in specs.facts} == {"ford-mustang-mach-e"}
    assert one(specs, "power", "ford-mustang-mach-e").numbers == (346.0,)


def test_a_chinese_line_followed_by_a_model_code_is_another_model() -> None:
    """ "极光" is the Range Rover Evoque's Chinese line name; "极光X5" (another make's model,
    the sample corpus's Aurora X5) and "海豹06" are other models, while "汉EV", "唐DM-i" and
    "旅行者2026款" are the line with a suffix or a model year."""
    lines = _index().lines
    assert lines.chinese("极光X5插电混动版车型介绍") == []
    assert [line.name for _, _, line in lines.chinese("新款极光到店")] != []
    assert [line.name for _, _, line in lines.chinese("捷途旅行者2026款")] != []
