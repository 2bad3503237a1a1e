"""Spec facts in English documents of shapes the corpus lacks (round eight, issue 14): press
releases with HTML tables and dual units, window stickers with leader lines, buyer's guides
naming trims in prose and bullets, road tests with measured results, comparison tables of
rival cars, CSVs with their own column names. One mechanism per test, every document
written for the test (model names invented under real makes).
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, one, specs_of, write

_HEAD = "---\nbrand: Acme\nmodel: Comet\n---\n\n# Acme Comet\n\n"


def _by_variant(specs: DocumentSpecs, attribute: str) -> dict[str | None, set[float]]:
    out: dict[str | None, set[float]] = {}
    for f in facts(specs, attribute):
        out.setdefault(f.variant, set()).update(f.numbers[:1])
    return out


def test_a_figure_in_inches_with_its_metric_restatement_is_one_fact(tmp_path: Path) -> None:
    """'185.8 in (4,720 mm)': 'in' ending a cell is an inch, and the bracketed millimetres
    restate the same length (one fact, in the first unit); 'in' inside a sentence is a word;
    a row label qualified after a comma ('Cargo volume, behind 2nd row') is its head's."""
    specs = write(
        tmp_path,
        "comet.md",
        _HEAD + "<table>\n<tr><th>Dimensions</th><th>All models</th></tr>\n"
        "<tr><td>Overall length</td><td>185.8 in (4,720 mm)</td></tr>\n"
        "<tr><td>Wheelbase</td><td>110.8 in (2,815 mm)</td></tr>\n"
        "<tr><td>Cargo volume, behind 2nd row</td><td>31.4 cu ft (889 L)</td></tr>\n"
        "</table>\n\n"
        "The Comet arrives in 2026 at dealers.\n",
    )
    length = one(specs, "length")
    assert (length.numbers, length.unit) == ((185.8,), "in")
    assert one(specs, "wheelbase").numbers == (110.8,)
    boot = one(specs, "boot_volume")  # a row label's head names the attribute
    assert (boot.numbers, boot.unit) == ((31.4,), "cu ft")


def test_an_economy_slash_list_takes_its_order_from_the_label(tmp_path: Path) -> None:
    """'EPA fuel economy (city/highway/combined) | 24/30/27 mpg' and a leader line 'CITY / HWY
    .... 27 / 25 MPG': each figure is the economy its place in the label names."""
    specs = write(
        tmp_path,
        "comet.md",
        _HEAD + "| Specification | 2.5 S | 2.5 Turbo |\n|---|---|---|\n"
        "| EPA fuel economy (city/highway/combined) | 24/30/27 mpg | 23/29/25 mpg |\n",
    )
    assert _by_variant(specs, "fuel_economy_city") == {"2.5 S": {24.0}, "2.5 Turbo": {23.0}}
    assert _by_variant(specs, "fuel_economy_highway") == {"2.5 S": {30.0}, "2.5 Turbo": {29.0}}
    assert _by_variant(specs, "fuel_economy_combined") == {"2.5 S": {27.0}, "2.5 Turbo": {25.0}}


def test_a_csv_of_its_own_columns_reads_trims_and_column_units(tmp_path: Path) -> None:
    """A small CSV with its own column names: 'Trim' is each row's variant, 'MPG City/Hwy'
    a city/highway pair, 'Cargo (cu ft)' the boot and 'Base MSRP' the price."""
    specs = write(
        tmp_path,
        "suvs.csv",
        "Model,Trim,Horsepower,Torque (lb-ft),MPG City/Hwy,Cargo (cu ft),Base MSRP\n"
        'Hyundai Kona,SE,147,132,29/34,25.5,"$24,550"\n'
        'Kia Seltos,LX,147,132,27/31,26.6,"$24,190"\n',
    )
    kona = {f.attribute: (f.variant, f.numbers, f.unit) for f in specs.facts if "kona" in f.car}
    assert kona["power"] == ("SE", (147.0,), "hp")
    assert kona["torque"] == ("SE", (132.0,), "lb-ft")
    assert kona["fuel_economy_city"] == ("SE", (29.0,), "mpg")
    assert kona["fuel_economy_highway"] == ("SE", (34.0,), "mpg")
    assert kona["boot_volume"] == ("SE", (25.5,), "cu ft")
    assert kona["price"] == ("SE", (24550.0,), "USD")


def test_a_window_sticker_title_and_leader_lines(tmp_path: Path) -> None:
    """A sticker's first line runs on into trim and powertrain ('MITSUBISHI NEBULA PHEV SEL
    S-AWC'): the model is the words the text repeats, here the first alone. Its 'KEY ....
    value' lines are labelled values; its total with options is no price."""
    specs = write(
        tmp_path,
        "sticker.txt",
        "2026 MITSUBISHI NEBULA PHEV SEL S-AWC\n\n"
        "TRANSMISSION ................ SINGLE-SPEED FIXED REDUCTION\n"
        "BATTERY ..................... 22.7 KWH LITHIUM-ION\n"
        "FUEL TANK ................... 14.8 GAL\n"
        "GASOLINE ONLY CITY / HWY .... 27 / 25 MPG\n"
        "PREMIUM PAINT ............... $395\n"
        "BASE PRICE .................. $47,895\n"
        "TOTAL MSRP .................. $52,450\n",
    )
    assert {f.car for f in specs.facts} == {"mitsubishi-nebula"}
    assert one(specs, "transmission").value == "SINGLE-SPEED FIXED REDUCTION"
    assert one(specs, "battery_capacity").numbers == (22.7,)
    assert one(specs, "fuel_economy_city").numbers == (27.0,)
    assert one(specs, "fuel_economy_highway").numbers == (25.0,)
    assert [f.numbers for f in facts(specs, "price")] == [(47895.0,)]


def test_a_comparison_tables_columns_are_the_cars_their_headers_name(tmp_path: Path) -> None:
    """'Hyundai Aurora vs. Kia Nimbus' teaches both cars; each column of the table is the car
    its header names, whatever car the text before it was about; the engine cell gives its
    displacement and cylinders."""
    specs = write(
        tmp_path,
        "aurora_vs_nimbus.md",
        "# Hyundai Aurora vs. Kia Nimbus: Which Wins?\n\n"
        "We drove the Aurora and the Nimbus for a month.\n\n"
        "| Specification | 2026 Hyundai Aurora | 2026 Kia Nimbus |\n|---|---|---|\n"
        "| Engine | 2.5L 4-cylinder | 1.6L turbo 4-cylinder |\n"
        "| Horsepower | 187 hp | 180 hp |\n| Length | 183.1 in | 183.5 in |\n\n"
        "## Hybrids\n\nThe Nimbus Hybrid makes 232 hp.\n",
    )
    power = {(f.car, f.variant): f.numbers for f in facts(specs, "power")}
    assert power == {
        ("hyundai-aurora", None): (187.0,),
        ("kia-nimbus", None): (180.0,),
        ("kia-nimbus", "Nimbus Hybrid"): (232.0,),  # a powertrain version, though named once
    }
    size = {f.car: f.numbers for f in facts(specs, "displacement")}
    assert size == {"hyundai-aurora": (2.5,), "kia-nimbus": (1.6,)}
    assert {f.car: f.numbers for f in facts(specs, "cylinders")} == {
        "hyundai-aurora": (4.0,),
        "kia-nimbus": (4.0,),
    }


def test_money_measurements_and_earlier_figures_are_no_specs(tmp_path: Path) -> None:
    """A destination charge, an option, a lease offer, a reviewer's measured economy and a
    figure given against an earlier model are not the car's specs; its price and power are."""
    specs = write(
        tmp_path,
        "comet.md",
        _HEAD + "The Comet starts at $30,500 (excluding a $1,420 destination charge). Its "
        "moonroof package costs $1,795, and a lease runs $329 per month.\n\n"
        "The engine now makes 189 hp, up from 187 hp. That beats the 2024 model's 185 hp.\n\n"
        "Over 300 miles of mixed driving we averaged 41 mpg.\n\n"
        "## Test results\n\n- Observed fuel economy: 39 mpg\n",
    )
    assert [f.numbers for f in facts(specs, "price")] == [(30500.0,)]
    assert [f.numbers for f in facts(specs, "power")] == [(189.0,)]
    assert facts(specs, "fuel_economy_combined") == []


def test_a_sentence_whose_subject_lists_trims_states_each_trims_figures(
    tmp_path: Path,
) -> None:
    """'Sport, Limited and Wilderness get a 2.5-liter flat-four with 180 horsepower': each
    figure is each named trim's; '- **Premium** ($27,840): …' is that trim's price."""
    specs = write(
        tmp_path,
        "comet.md",
        _HEAD + "Base and Premium trims use a 2.0-liter engine rated at 152 horsepower. "
        "Sport, Limited and Wilderness get a 2.5-liter flat-four with 180 horsepower.\n\n"
        "- **Base** ($26,540): steel wheels.\n- **Premium** ($27,840): alloy wheels.\n",
    )
    assert _by_variant(specs, "power") == {
        "Base": {152.0},
        "Premium": {152.0},
        "Sport": {180.0},
        "Limited": {180.0},
        "Wilderness": {180.0},
    }
    assert _by_variant(specs, "price") == {"Base": {26540.0}, "Premium": {27840.0}}
    # a size named with its layout and output is an engine, though the word is not written
    trims = {"Sport": {2.5}, "Limited": {2.5}, "Wilderness": {2.5}}
    assert _by_variant(specs, "displacement") == {"Base": {2.0}, "Premium": {2.0}} | trims
    assert _by_variant(specs, "cylinders") == {t: {4.0} for t in trims}


def test_figures_worded_after_them_in_prose(tmp_path: Path) -> None:
    """'rated at 26/33/29 mpg' is EPA's city/highway/combined, '27 mpg city, 34 highway and 29
    combined' names each figure, '176.4 inches long and 70.9 inches wide' a length and a
    width; each clause's subject is its variant."""
    specs = write(
        tmp_path,
        "comet.md",
        _HEAD + "The 2.0-liter engine returns 27 mpg city, 34 highway and 29 combined. The "
        "2.5-liter is rated at 26/33/29 mpg, and the Wilderness at 25/28/26 mpg.\n\n"
        "All Comets measure 176.4 inches long and 70.9 inches wide.\n",
    )
    assert _by_variant(specs, "fuel_economy_city") == {
        "2.0-liter": {27.0},
        "2.5-liter": {26.0},
        "Wilderness": {25.0},
    }
    assert _by_variant(specs, "fuel_economy_combined") == {
        "2.0-liter": {29.0},
        "2.5-liter": {29.0},
        "Wilderness": {26.0},
    }
    assert one(specs, "length").numbers == (176.4,)
    assert one(specs, "width").numbers == (70.9,)


def test_an_engine_layout_with_its_count_is_a_cylinder_count(tmp_path: Path) -> None:
    """'2.0-liter inline-4', 'flat-four', 'straight-six' name a count of cylinders; 'a flat 4
    percent' does not."""
    specs = write(
        tmp_path,
        "comet.md",
        _HEAD + "- Engine: 2.0-liter inline-4\n\nThe rate is a flat 4 percent.\n",
    )
    cylinders = one(specs, "cylinders")
    assert (cylinders.value, cylinders.numbers) == ("inline-4", (4.0,))
    assert one(specs, "displacement").numbers == (2.0,)


def test_a_price_sentences_subject_names_its_trim(tmp_path: Path) -> None:
    """'The 2026 Comet 2.5 S Select starts at $30,500' and 'The Touring starts at $40,395':
    the words between the car's name and the verb name the trim (a name ending in -ing
    too); 'The Comet starts at' names none."""
    specs = write(
        tmp_path,
        "comet.md",
        _HEAD + "The 2026 Comet 2.5 S Select starts at $30,500. The Touring starts at "
        "$40,395.\n\nThe Comet starts at $29,000.\n",
    )
    assert _by_variant(specs, "price") == {
        "2.5 S Select": {30500.0},
        "Touring": {40395.0},
        None: {29000.0},
    }


def test_a_plug_in_hybrids_two_fuel_cell_is_mpg_and_mpge(tmp_path: Path) -> None:
    """EPA's plug-in rows give one cell per economy holding both fuels ('City MPG | 43/113'):
    gasoline's 43 mpg and electricity's 113 MPGe, never a city/highway pair."""
    specs = write(
        tmp_path,
        "volt.md",
        "# 2018 CHEVROLET Volt: EPA data\n\n"
        "| # | Displacement (L) | Transmission | Fuel | City MPG | Hwy MPG | Combined MPG |\n"
        "|---|---|---|---|---|---|---|\n"
        "| 1 | 1.5 | CVT | Gasoline/Electricity | 43/113 | 42/99 | 42/106 |\n",
    )
    city = {(f.numbers, f.unit) for f in facts(specs, "fuel_economy_city")}
    assert city == {((43.0,), "mpg"), ((113.0,), "MPGe")}
    combined = {(f.numbers, f.unit) for f in facts(specs, "fuel_economy_combined")}
    assert combined == {((42.0,), "mpg"), ((106.0,), "MPGe")}


def test_a_drive_the_car_has_or_comes_with_in_prose(tmp_path: Path) -> None:
    """'Every one of them has all-wheel drive' and 'comes with a six-speed automatic and
    i-Activ all-wheel drive as standard' state the car's drive; 'unlike front-wheel-drive
    rivals' does not."""
    has = write(tmp_path, "comet.md", _HEAD + "Every one of them has all-wheel drive.\n")
    assert one(has, "drive").value == "all-wheel drive"
    comes = write(
        tmp_path,
        "comet.md",
        _HEAD + "Every Comet comes with a six-speed automatic transmission and i-Activ "
        "all-wheel drive as standard.\n",
    )
    assert one(comes, "drive").value == "all-wheel drive"
    rivals = write(
        tmp_path, "comet.md", _HEAD + "It handles well, unlike front-wheel-drive rivals.\n"
    )
    assert facts(rivals, "drive") == []


def test_a_flex_fuel_pair_and_a_contents_page_are_no_figures(tmp_path: Path) -> None:
    """A flex-fuel row's 'City MPG | 14/19' (E85, then gasoline) is no plug-in's mpg/MPGe
    pair; 'Airbags ........ 17' in a table of contents is a page number, not a count."""
    flex = write(
        tmp_path,
        "ram.md",
        "# 2018 RAM 1500: EPA data\n\n"
        "| # | Displacement (L) | Transmission | Fuel | City MPG |\n|---|---|---|---|---|\n"
        "| 1 | 3.6 | Auto-8 | Ethanol/Gas | 14/19 |\n",
    )
    assert all(f.unit != "MPGe" for f in facts(flex, "fuel_economy_city"))
    contents = write(
        tmp_path,
        "manual.txt",
        "ACME COMET OWNER'S MANUAL\n\nAirbags ........ 17\nTyres .......... 112\n",
    )
    assert facts(contents, "airbags") == [] and facts(contents, "tyres") == []


def test_a_plug_in_rows_electric_figure_survives_its_configuration_name(tmp_path: Path) -> None:
    """In the EPA guide's CSV a car's rows are named by configuration ('2 L SemiAuto-8
    Gasoline/Electricity'); the plug-in row's MPGe figure keeps its own name beside the mpg."""
    header = (
        "Model,Displ,Cyl,Trans,Drive,Fuel,Cert Region,Stnd,Stnd Description,Underhood ID,"
        "Veh Class,Air Pollution Score,City MPG,Hwy MPG,Cmb MPG,Greenhouse Gas Score,SmartWay,"
        "Comb CO2\n"
    )
    specs = write(
        tmp_path,
        "all_alpha_99.csv",
        header + "VOLVO XC 90,2,4,SemiAuto-8,4WD,Gasoline,FA,T3B70,Tier 3,X1,standard SUV,"
        "5,22,28,24,5,No,365\nVOLVO XC 90,2,4,SemiAuto-8,4WD,Gasoline/Electricity,FA,T3B30,"
        "Tier 3,X2,standard SUV,7,26/63,30/61,27/62,10,Elite,187\n",
    )
    combined = {(f.numbers, f.unit) for f in facts(specs, "fuel_economy_combined")}
    assert combined == {((24.0,), "mpg"), ((27.0,), "mpg"), ((62.0,), "MPGe")}


def test_a_pdf_row_whose_colon_the_layout_dropped_names_no_variant() -> None:
    """Regression (the sample brochure, data/samples/meridian_s_brochure.pdf): its row "Fuel
    economy (WLTP combined) 5.9 L/100km" was a variant heading whose "5.9 L" became the car's
    displacement, and "Displacement 1,498 cc (1.5 L)" a variant of its own."""
    brochure = Path(__file__).resolve().parents[1] / "data/samples/meridian_s_brochure.pdf"
    specs = specs_of(brochure)[0]
    litres = {round(f.normalized or 0, 3) for f in facts(specs, "displacement", "meridian-s")}
    assert litres and 5.9 not in litres and litres <= {1.498, 1.5}, litres
    assert not any(f.variant and f.variant.startswith("Displacement") for f in specs.facts)
