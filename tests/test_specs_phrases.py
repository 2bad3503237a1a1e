"""Spec facts a sentence or a sheet row states without a label (ingest/specs/phrases.py), the
variant a sentence names, text values that are figures, and a table's name column. Every
input here is written for the test."""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, one, write

_FRONT = "---\nbrand: Acme\nmodel: Ranger\n---\n\n"


def test_a_unit_that_belongs_to_one_attribute_names_it(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "The Ranger is sold with a 2.0 litre turbo petrol engine making roughly 180 horsepower "
        "and 300 Nm, or a 2.2 litre\nfour-cylinder diesel engine making 150 hp. The sport "
        "variant returns around 15.2 kilometres per litre on the test cycle. A tuning kit adds "
        "20 hp. Its 58 kWh pack sits under the floor.\n",
    )
    assert {(f.numbers, f.unit, f.variant) for f in facts(specs, "power")} == {
        ((180.0,), "hp", "2.0 litre turbo petrol"),
        ((150.0,), "hp", "2.2 litre four-cylinder diesel"),  # the engine named last before it
    }
    assert one(specs, "torque").numbers == (300.0,)  # "adds 20 hp" is a change, not a power
    economy = one(specs, "fuel_economy_combined")
    assert (economy.numbers, economy.unit, economy.variant) == ((15.2,), "km/L", "sport")
    assert one(specs, "battery_capacity").numbers == (58.0,)


def test_city_and_highway_figures_are_not_taken_as_combined(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\nIn town it manages 14 km/L and on the highway 19 km/L.\n",
    )
    assert facts(specs, "fuel_economy_combined") == []


def test_gearbox_and_drive_phrases_in_sentences(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "Buyers can pick a 5-speed manual or an 8-speed torque converter automatic (diesel). "
        "The Ranger is available in AWD only. Owners praise the CVT badge on the boot lid.\n\n"
        "AWD: 410 km of range.\n",
    )
    gearboxes = {(f.value, f.variant) for f in facts(specs, "transmission")}
    assert gearboxes == {
        ("5-speed manual", None),
        ("8-speed torque converter automatic", "diesel"),
    }  # a bare "CVT" in a sentence about something else is no gearbox
    assert [f.value for f in facts(specs, "drive")] == ["AWD"]  # "AWD:" names a variant


def test_chinese_gearbox_phrase(tmp_path: Path) -> None:
    specs = write(tmp_path, "acme_star.md", _FRONT + "新车动力方面匹配7速双离合变速箱。\n")
    assert one(specs, "transmission").value == "7速双离合变速箱"


def test_text_cells_of_a_sheet_row_follow_the_column_header(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "Feature Base Model Sport Model Eco Model\n"
        "Gearbox 6 - speed manual 6 - speed manual 5 - speed manual\n"
        "  7 - speed DCT 6 - speed automatic\n"
        "Petrol Petrol Diesel\n",
    )
    gearboxes = {(f.variant, f.value) for f in facts(specs, "transmission")}
    assert gearboxes == {
        ("Base Model", "6 - speed manual"),
        ("Sport Model", "6 - speed manual"),
        ("Eco Model", "5 - speed manual"),
        ("Sport Model", "7 - speed DCT"),  # indented, one short: the first column is empty
        ("Eco Model", "6 - speed automatic"),
    }
    fuels = {(f.variant, f.value) for f in facts(specs, "fuel_type")}
    assert fuels == {("Base Model", "Petrol"), ("Sport Model", "Petrol"), ("Eco Model", "Diesel")}


def test_a_text_attribute_never_takes_a_figure_with_a_unit(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\nTransmission: 1,600-3,800 rpm\nFuel type: 190 km/h\n"
        "Drive: AWD\n",
    )
    assert facts(specs, "transmission") == [] and facts(specs, "fuel_type") == []
    assert one(specs, "drive").value == "AWD"


def _names(specs: DocumentSpecs, attribute: str) -> set[str | None]:
    return {f.variant for f in facts(specs, attribute)}


def test_a_name_column_names_the_rows_of_a_configuration_table(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.md",
        _FRONT + "| Variant | Displacement | Transmission | Power |\n|---|---|---|---|\n"
        "| Ranger 1.4T | 1,395 cc | 6-speed manual | 110 kW |\n"
        "| Ranger 2.0T | 1,984 cc | 7-speed DCT | 150 kW |\n",
    )
    assert _names(specs, "power") == {"Ranger 1.4T", "Ranger 2.0T"}


def test_chinese_seat_counts_with_the_version_before_them(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_star.md",
        _FRONT + "新车提供两个版本，分别为舒适版（七座）和运动版（五座），均配备两排座椅加热。\n",
    )
    seats = {(f.variant, f.numbers) for f in facts(specs, "seats")}
    assert seats == {("舒适版", (7.0,)), ("运动版", (5.0,))}  # "座椅" is no count


def test_a_topic_label_and_an_enumeration_of_figures(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_star.md",
        _FRONT + "续航方面，新车提供两种电池，分别是410km、505km和630km。\n",
    )
    assert sorted(f.numbers[0] for f in facts(specs, "electric_range")) == [410, 505, 630]


def test_the_subject_of_a_chinese_clause_names_its_variant(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_star.md",
        _FRONT + "新车搭载两套动力。标准续航后驱款搭载62kWh电池，CLTC续航480km；"
        "长续航四驱款搭载81kWh电池，CLTC续航590km。\n",
    )
    batteries = {(f.variant, f.numbers[0]) for f in facts(specs, "battery_capacity")}
    assert batteries == {("标准续航后驱款", 62), ("长续航四驱款", 81)}
    ranges = {(f.variant, f.numbers[0]) for f in facts(specs, "electric_range")}
    assert ranges == {("标准续航后驱款", 480), ("长续航四驱款", 590)}


def test_a_label_qualifier_or_a_price_rank_names_the_variant(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "Minimum price, entry version (in $1,000): 12.5\n"
        "Max.Price (in $1,000): 19.9\n"
        "Length, overall (mm): 4410\n",
    )
    prices = {(f.variant, f.numbers[0]) for f in facts(specs, "price")}
    assert prices == {("entry version", 12500), ("Max", 19900)}
    assert one(specs, "length").variant is None  # "overall" names no variant


def test_variant_lines_under_a_label_heading(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\nPrice\nTrail Edition: From $31,500\nSummit Edition: From "
        "$38,900\n\nEconomy\nPetrol Turbo: 24 MPG (city) / 31 MPG (highway)\n"
        "Summit Edition: the top trim adds leather seats, a sunroof and 20-inch wheels\n",
    )
    prices = {(f.variant, f.numbers[0]) for f in facts(specs, "price")}
    assert prices == {("Trail Edition", 31500), ("Summit Edition", 38900)}
    city, highway = one(specs, "fuel_economy_city"), one(specs, "fuel_economy_highway")
    assert (city.variant, city.numbers, highway.numbers) == ("Petrol Turbo", (24.0,), (31.0,))


def test_an_option_packs_price_is_not_the_cars(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_star.md",
        _FRONT + "新车售价15.98万元。顶配车型可选装豪华座舱包（含真皮座椅、座椅按摩），"
        "售价8000元。\n",
    )
    assert [f.numbers for f in facts(specs, "price")] == [(159800.0,)]


def test_a_data_set_row_whose_model_extends_another_is_a_trim_of_it(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_models.csv",
        "Make,Model,Horsepower,Length (mm)\nAcme,Ranger,150,4410\nAcme,Ranger AWD Sport,180,4425\n"
        "Acme,Rangeland,120,4100\nAcme,Ranger Van,110,4800\n",
    )  # "Ranger Van" is a model of its own: no drive leads its extension
    assert {c.id for c in specs.cars} == {"acme-ranger", "acme-rangeland", "acme-ranger-van"}
    powers = {(f.variant, f.numbers[0]) for f in facts(specs, "power", "acme-ranger")}
    assert powers == {(None, 150), ("AWD Sport", 180)}


def test_gearbox_lists_take_the_variants_their_clause_names(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "Gearboxes are a 6-speed manual or 8-speed DCT on turbo variants; a 5-speed manual "
        "on the base version. Mileage ranges from 14 km/l up to 19 km/l depending on trim.\n",
    )
    gearboxes = {(f.value, f.variant) for f in facts(specs, "transmission")}
    turbo = {("6-speed manual", "turbo"), ("8-speed DCT", "turbo")}
    assert gearboxes == {*turbo, ("5-speed manual", "base")}
    # a spread over variants: the whole range, no variant's (round six)
    assert [f.numbers for f in facts(specs, "fuel_economy_combined")] == [(14.0, 19.0)]


def test_an_engine_name_states_its_displacement(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\nIt comes with a 1.6 litre turbo petrol engine or a "
        "2.2-litre diesel engine. The 9.9 litre engine of the truck is not plausible here.\n",
    )
    sizes = {(f.variant, f.numbers, f.unit) for f in facts(specs, "displacement")}
    assert sizes == {("1.6 litre turbo petrol", (1.6,), "L"), ("2.2-litre diesel", (2.2,), "L")}


def test_a_chinese_turbo_engine_size(tmp_path: Path) -> None:
    specs = write(tmp_path, "acme_star.md", _FRONT + "新车搭载1.4T+7速双离合的动力组合。\n")
    size = one(specs, "displacement")
    assert (size.value, size.numbers, size.unit) == ("1.4T", (1.4,), "L")


def test_unit_named_figures_skip_restatements_sheet_rows_and_slash_lists(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "The engine gives 70 kW or 95.2 PS at 6000 rpm.\n"
        "Max Power  70 kW@6000 rpm or 95.2 PS@6000 rpm (Petrol Mode)\n"
        "Gearbox type 5MT/5AMT on the feature list.\n",
    )
    assert {f.unit for f in facts(specs, "power")} <= {"kW"}  # never the PS restatement
    assert facts(specs, "transmission") == []


def test_a_figure_the_sentence_compares_with_is_not_the_subjects() -> None:
    """ "比燃油版的520升少65升": 520 L is the other version's boot, not this car's."""
    from ingest.specs.values import compared

    text = (
        "插电混动版的后备厢容积比燃油版的520升少65升，"
        "最大功率比燃油版的130千瓦（177马力）提升明显。"
    )
    assert compared(text, text.index("520"))
    assert compared(text, text.index("177"))
    plain = (
        "比亚迪汉的后备厢容积为520升，"
        "The boot holds 375 litres, more than the 350 litres of the rival."
    )
    assert not compared(plain, plain.index("520"))
    assert not compared(plain, plain.index("375"))
    assert compared(plain, plain.index("350"))
