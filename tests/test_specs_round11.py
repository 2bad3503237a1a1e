"""Round eleven's English mechanisms: which car and which trim a document's blocks are about
(makes the alias file lacked, an export's snake_case columns with their units, ...). The texts
are invented for these tests; no alias file names their models.
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from ingest.specs.given_for import given_for
from tests.test_specs_extract import facts, write
from tests.test_specs_zh_shapes import values


def _cars(specs: DocumentSpecs) -> set[str]:
    return {c.id for c in specs.cars}


def test_a_make_of_the_wider_market_names_its_model(tmp_path: Path) -> None:
    """Makes sold in Europe and Australia (Renault, Opel, Isuzu) are known makes: their models
    are found as the listed makes' are."""
    specs = write(
        tmp_path,
        "clio.md",
        "# Renault Clio and Opel Corsa: which small car?\n\n"
        "The Renault Clio has a 1.0-litre engine making 90PS. The Opel Corsa makes 100PS.\n\n"
        "The Clio and the Corsa are close; the Renault Clio costs less.\n",
    )
    assert {"renault-clio", "opel-corsa"} <= _cars(specs)
    assert values(specs, "power")  # figures reach a car


def test_an_exports_snake_case_columns_give_attribute_unit_and_version(tmp_path: Path) -> None:
    """A configurator export names its columns in snake_case with the unit as the last word
    ("power_ps", "boot_l", "otr_gbp", "accel_0_62_s"): each is its attribute in that unit, the
    `derivative` column names the row's version, and a column the vocabulary does not know
    with a unit ("vat_gbp", "basic_gbp") gives nothing."""
    specs = write(
        tmp_path,
        "export.csv",
        "brand,model,derivative,power_ps,torque_nm,accel_0_62_s,boot_l,basic_gbp,vat_gbp,otr_gbp\n"
        'Fiat,Panda,Pop Hybrid 70,70,92,14.7,225,"13,329.17","2,665.83","15,995"\n'
        'Fiat,Panda,Cross Hybrid 70,70,92,14.9,225,"14,995.83","2,999.17","17,995"\n',
    )
    assert _cars(specs) == {"fiat-panda"}
    assert values(specs, "power") == {"Pop Hybrid 70": {70.0}, "Cross Hybrid 70": {70.0}}
    assert {f.unit for f in facts(specs, "power")} == {"PS"}
    assert values(specs, "acceleration_0_100")["Pop Hybrid 70"] == {14.7}
    assert {f.unit for f in facts(specs, "boot_volume")} == {"L"}
    assert values(specs, "price") == {"Pop Hybrid 70": {15995.0}, "Cross Hybrid 70": {17995.0}}


def test_a_listings_dated_heading_names_its_car_and_trim(tmp_path: Path) -> None:
    """A stock page's listings are headed by model year, make, model and trim ("2022 Ford
    Escape Titanium AWD"); the text under each names no car. Each heading's car is found
    though written once (a model year before a make makes the next word a model), and the
    words after the model are the trim of every figure under it (the drive left out)."""
    specs = write(
        tmp_path,
        "stock.md",
        "# Used SUVs in stock\n\nFour vehicles shown.\n\n"
        "## 2022 Ford Escape Titanium AWD\n\n**$24,990** · 31,000 mi\n\n"
        "- Engine: 2.0L Turbo 4-Cylinder\n- Transmission: 8-Speed Automatic\n- Seating: 5\n\n"
        "## 2021 Volkswagen Tiguan SE\n\n**$21,500** · 40,200 mi\n\n"
        "- Engine: 2.0L Turbo 4-Cylinder\n- Transmission: 8-Speed Automatic\n- Seating: 7\n",
    )
    assert {"ford-escape", "volkswagen-tiguan"} <= _cars(specs)
    seats = {(f.car, f.variant, f.numbers[0]) for f in facts(specs, "seats")}
    assert seats == {
        ("ford-escape", "Escape Titanium", 5.0),
        ("volkswagen-tiguan", "Tiguan SE", 7.0),
    }


def test_a_spec_panels_heading_names_its_version(tmp_path: Path) -> None:
    """A twin test ends with a spec panel per car, each headed by the car's name and the
    version tested ("### Peugeot e-208 GT 136hp"): every line of a panel is that version's.
    A heading of a topic after a car's name ("Opel Corsa: verdict") names no version."""
    specs = write(
        tmp_path,
        "twin.md",
        "# Twin test: Peugeot e-208 vs Opel Corsa Electric\n\n"
        "## Verdict\n\nThe Peugeot e-208 is the sharper drive; "
        "the Opel Corsa Electric is cheaper.\n\n"
        "## Specifications\n\n### Peugeot e-208 GT 156hp\n\n- Power: 156PS\n- Battery: 51kWh\n\n"
        "### Opel Corsa Electric GS 136hp\n\n- Power: 136PS\n- Battery: 46kWh\n",
    )
    battery = {(f.car, f.variant, f.numbers[0]) for f in facts(specs, "battery_capacity")}
    assert battery == {
        ("peugeot-e-208", "e-208 GT 156hp", 51.0),
        ("opel-corsa-electric", "Corsa Electric GS 136hp", 46.0),
    }


def test_a_panels_bracketed_aside_and_its_charging_line(tmp_path: Path) -> None:
    """A panel's price with the tester's price in brackets ("£31,995 (as tested £33,090)") is
    the list price; a "Charging:" line names each power by its current after it and the time
    by its window before it, each its own variant."""
    specs = write(
        tmp_path,
        "panel.md",
        "# Peugeot e-208 long test\n\nThe Peugeot e-208 is small. The Peugeot e-208 is quick.\n\n"
        "### Peugeot e-208 GT 156hp\n\n- Price: £31,995 (as tested £33,090)\n"
        "- Charging: 100kW DC, 11kW AC; 10-80% in 30min\n",
    )
    assert values(specs, "price") == {"e-208 GT 156hp": {31995.0}}
    assert values(specs, "charging_power") == {
        "e-208 GT 156hp DC": {100.0},
        "e-208 GT 156hp AC": {11.0},
    }
    assert values(specs, "charging_time") == {"e-208 GT 156hp 10-80%": {30.0}}


def test_an_engine_named_by_its_size_or_a_group_of_grades_is_the_sentences_variant(
    tmp_path: Path,
) -> None:
    """ "The 1.9-litre, fitted only to …, makes 110kW at 3600rpm": kW after a verb of output
    whose sentence names an engine (or at an engine speed) is power, and the engine named by
    its size is the variant; "The petrol 2.0i grades keep …" gives its group's name."""
    specs = write(
        tmp_path,
        "mux.md",
        "# Isuzu MU-X towing guide\n\nThe Isuzu MU-X tows. The Isuzu MU-X seats seven.\n\n"
        "## Engines\n\nThe 1.9-litre, fitted only to the LS-M, makes 110kW at 3600rpm and 350Nm. "
        "The 3.0-litre in everything else makes 140kW and 450Nm. The charger takes 11kW.\n\n"
        "The petrol 2.0i grades keep a 2.0-litre engine producing 115kW.\n",
    )
    assert values(specs, "power") == {
        "1.9-litre": {110.0},
        "3.0-litre": {140.0},
        "2.0i": {115.0},
    }
    assert values(specs, "power_rpm") == {"1.9-litre": {3600.0}}


def test_a_figure_given_for_a_version_and_the_next_for_another(tmp_path: Path) -> None:
    """ "7.4L/100km for the 2.5i grades and 6.2L/100km for the hybrid": each figure is its
    version's; a figure joined to one given so, with no label of its own, is the same
    attribute for the version it is given for; "for the money" names no version."""
    specs = write(
        tmp_path,
        "outback.md",
        "# Subaru Outback price\n\nThe Subaru Outback is here. The Subaru Outback is big.\n\n"
        "## Engines\n\nOfficial combined fuel consumption is 7.4L/100km for the 2.5i grades "
        "and 6.2L/100km for the hybrid.\n\nBraked towing capacity is 1800kg for the 2.5i grades "
        "and 1200kg for the hybrid.\n",
    )
    assert values(specs, "fuel_economy_combined") == {"2.5i": {7.4}, "hybrid": {6.2}}
    assert values(specs, "towing_capacity") == {"2.5i": {1800.0}, "hybrid": {1200.0}}
    text = "It is $41,990 for the money, or 1,200kg for the UK market."
    assert given_for(text, text.index(" for")) is None
    assert given_for(text, text.index(" for the UK")) is None


def test_a_long_term_tests_title_version_and_a_versions_number_after_the_model(
    tmp_path: Path,
) -> None:
    """A long-term test's title names the car and the version run ("CUPRA BORN 79 EDITION",
    the text writing "Born 79" again): figures naming no version are that version's; "The
    Born 58 has a 58kWh battery" gives the 58's figures; "It lists at £39,995" is a price of
    no trim of its own."""
    specs = write(
        tmp_path,
        "born.txt",
        "LONG-TERM TEST: CUPRA BORN 79 EDITION\n\nThe Cupra Born 79 is our car. It has a "
        "79kWh battery. It lists at £39,995 in Edition trim.\n\nThe Born 79 charges "
        "quickly.\n\nThe Born 58 has a 58kWh battery.\n",
    )
    battery = {(f.variant or "").casefold(): f.numbers[0] for f in facts(specs, "battery_capacity")}
    assert battery == {"79 edition": 79.0, "born 58": 58.0}
    assert {(f.variant or "").casefold() for f in facts(specs, "price")} == {"79 edition"}


def test_an_engine_lines_output_and_a_later_models_figure(tmp_path: Path) -> None:
    """ "Engine: 2.0L Turbo 4-Cylinder, 250 hp / 273 lb-ft": the engine's line states its
    power and torque too; "The 2026 redesign moves to a 285-hp engine" is a later model's."""
    specs = write(
        tmp_path,
        "stock.md",
        "# Used SUVs\n\n## 2023 Mazda CX-50 Turbo AWD\n\n- Engine: 2.0L Turbo 4-Cylinder, "
        "250 hp / 273 lb-ft\n- Seating: 5\n\nThe 2026 redesign moves to a 285-hp engine.\n",
    )
    assert {f.numbers[0] for f in facts(specs, "power")} == {250.0}
    assert {f.numbers[0] for f in facts(specs, "torque")} == {273.0}


def test_a_price_tables_newest_year_column_in_an_australian_document(tmp_path: Path) -> None:
    """A price table with grades as rows and this year's price beside last year's ("| Grade |
    2026 price | 2025 price |"): the newest column is each grade's price, the older is left
    out; an Australian document's bare "$" ("before on-road costs") is the Australian dollar."""
    specs = write(
        tmp_path,
        "rav4.md",
        "# 2026 Toyota RAV4 price and specs\n\nAll prices are before on-road costs.\n\n"
        "| Grade | 2026 price | 2025 price | Change |\n|---|---|---|---|\n"
        "| RAV4 GX | $41,990 | $40,990 | +$1000 |\n| RAV4 XSE | $46,990 | $45,990 | +$1000 |\n",
    )
    assert values(specs, "price") == {"2026 · RAV4 GX": {41990.0}, "2026 · RAV4 XSE": {46990.0}}
    assert {f.unit for f in facts(specs, "price")} == {"AUD"}


def test_a_make_alone_and_a_version_named_as_a_clauses_subject(tmp_path: Path) -> None:
    """A twin test calls its cars by their makes ("the Renault", "The Hyundai") and names their
    cheaper versions as a clause's subject ("the 120hp Evolution uses a 40kWh battery"): the
    figures are that car's version's, though the spec panels give the tested versions'."""
    specs = write(
        tmp_path,
        "twin.md",
        "# Twin test: Renault 5 vs Hyundai Inster\n\n## The contenders\n\nWe have got the Renault "
        "in 150hp Iconic Five trim. There is a cheaper way in: the 120hp Evolution uses a 40kWh "
        "battery. The Hyundai is the Inster 02 Long Range. Its cheaper sibling, the 01 Standard "
        "Range, has a 42kWh battery.\n\n## Specifications\n\n### Renault 5 E-Tech 150hp Iconic "
        "Five\n\n- Battery: 52kWh\n\n### Hyundai Inster 02 Long Range\n\n- Battery: 49kWh\n",
    )
    battery = {(f.car, f.variant, f.numbers[0]) for f in facts(specs, "battery_capacity")}
    assert ("renault-5", "120hp Evolution", 40.0) in battery
    assert ("hyundai-inster", "01 Standard Range", 42.0) in battery
    assert ("renault-5", "5 E-Tech 150hp Iconic Five", 52.0) in battery


def test_a_motor_line_names_its_drive(tmp_path: Path) -> None:
    """ "Motor: single, front-mounted; front-wheel drive": a line about the motors or the
    powertrain gives the drive it names (the phrase alone)."""
    specs = write(
        tmp_path,
        "panel.md",
        "# Peugeot e-208 test\n\nThe Peugeot e-208 is small. The Peugeot e-208 is quick.\n\n"
        "### Peugeot e-208 GT 156hp\n\n- Motor: single, front-mounted; front-wheel drive\n",
    )
    assert [f.value for f in facts(specs, "drive")] == ["front-wheel drive"]


def test_a_bold_versions_sentence_and_a_real_world_range(tmp_path: Path) -> None:
    """ "The **2.5i Sport** swaps to … 225/55 R18 tyres": a version set in bold as the
    sentence's subject is its figures' variant; "a real-world range of about 262 miles" is a
    tester's measurement, no spec."""
    specs = write(
        tmp_path,
        "outback.md",
        "# Subaru Outback price\n\nThe Subaru Outback is here. The Subaru Outback is big.\n\n"
        "## Equipment\n\nThe **2.5i Sport** swaps to 18-inch alloys with 225/55 R18 tyres.\n\n"
        "The official range is 300 miles; we saw a real-world range of about 262 miles.\n",
    )
    assert [f.variant for f in facts(specs, "tyres")] == ["2.5i Sport"]
    assert {f.numbers[0] for f in facts(specs, "electric_range")} <= {300.0}


def test_gearboxes_named_by_version_with_the_verb_given_once(tmp_path: Path) -> None:
    """ "The SX 4x2 gets a six-speed manual and the LS-M 4x2 a six-speed automatic": each
    gearbox is the version named right before it."""
    specs = write(
        tmp_path,
        "mux.md",
        "# Isuzu MU-X guide\n\nThe Isuzu MU-X tows. The Isuzu MU-X seats seven.\n\n"
        "## Gearboxes\n\nThe SX 4x2 gets a six-speed manual and the LS-M 4x2 a six-speed "
        "automatic.\n",
    )
    gearboxes = {(f.variant, f.value) for f in facts(specs, "transmission")}
    assert gearboxes == {("SX 4x2", "six-speed manual"), ("LS-M 4x2", "six-speed automatic")}


def test_an_acceleration_label_that_is_a_figure_and_a_bracketed_version(tmp_path: Path) -> None:
    """ "0-62mph in 6.6 seconds": a label that reads as a figure ("0-62mph") is the label, the
    time after it its value; "(Turbo S: 0-60 mph in 2.4 seconds)" is the Turbo S's."""
    specs = write(
        tmp_path,
        "ev6.md",
        "# Kia EV6 test\n\nThe Kia EV6 is fast. The Kia EV6 is big.\n\n"
        "Kia quotes 0-62mph in 6.6 seconds.\n\n"
        "- Quick off the line (GT: 0-60 mph in 3.4 seconds)\n",
    )
    assert values(specs, "acceleration_0_100") == {None: {6.6}}
    assert values(specs, "acceleration_0_60") == {"GT": {3.4}}


def test_a_counts_bracketed_remark(tmp_path: Path) -> None:
    """ "Seating: 6 (2nd-row captain's chairs)": the count before a bracketed remark."""
    specs = write(
        tmp_path,
        "stock.md",
        "# Used SUVs\n\n## 2024 Kia Telluride SX AWD\n\n- Seating: 6 (2nd-row captain's chairs)\n",
    )
    assert [f.numbers[0] for f in facts(specs, "seats")] == [6.0]
