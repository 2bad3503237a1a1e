"""Which car and which version a figure belongs to, by the structure of the document (issue
14, round ten): model-year columns, engine rows, indented blocks under a version's name and
later lines naming it shortened, a version list's comma rows and bracketed designations, a
model name written with a lower-case code, versions spoken of as sentence subjects, and an
outgoing model's figures. Every input here is invented for the test."""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from ingest.specs.engine_rows import newest_year
from ingest.specs.spoken import Spoken
from ingest.specs.taught_en import EnglishWhole, as_written
from tests.test_specs_extract import facts, write


def _by_variant(specs: DocumentSpecs, attribute: str) -> dict[str | None, tuple[float, ...]]:
    return {f.variant: f.numbers for f in facts(specs, attribute)}


def test_the_newest_model_year_column_is_the_car_and_older_ones_are_left_out(
    tmp_path: Path,
) -> None:
    specs = write(
        tmp_path,
        "acme_ranger_changes.md",
        "---\nbrand: Acme\nmodel: Ranger\n---\n# What changes for the new Acme Ranger\n\n"
        "| | 2030 Acme Ranger | 2031 Acme Ranger |\n|---|---|---|\n"
        "| Base engine | 2.4L Falcon I4, 250 hp | 2.0L Kestrel I4, 275 hp |\n"
        "| Base engine torque | 300 lb-ft | 320 lb-ft |\n"
        "| Max towing | 6,000 lb | 6,500 lb |\n",
    )
    assert _by_variant(specs, "towing_capacity") == {None: (6500.0,)}
    assert _by_variant(specs, "power") == {"2.0L Kestrel I4": (275.0,)}
    assert _by_variant(specs, "torque") == {"2.0L Kestrel I4": (320.0,)}
    assert _by_variant(specs, "displacement") == {"2.0L Kestrel I4": (2.0,)}


def test_columns_of_different_things_are_not_model_years() -> None:
    assert newest_year(["2030 Ranger", "2031 Tundra"]) == (["2030 Ranger", "2031 Tundra"], set())
    assert newest_year(["2030 Ranger", "2031 Ranger"]) == ([None, None], {0})


def test_an_indented_block_under_a_name_line_is_that_versions(tmp_path: Path) -> None:
    """A handbook's engine blocks; later lines name a block after a comma, shortened, or in a
    heading's brackets; lines of no block have no variant."""
    specs = write(
        tmp_path,
        "acme_ranger_handbook.txt",
        "BRAND: Acme\nMODEL: Ranger\n\nHANDBOOK\n\n5.1  ENGINES\n\n"
        "Turbo 150 Manual6\n  Maximum power: 110 kW (150 PS)\n  Maximum torque: 240 Nm\n\n"
        "Volt 220\n  Maximum power: 162 kW (220 PS)\n  Maximum torque: 330 Nm\n\n"
        "5.2  WEIGHTS\n\nKerb weight, Turbo 150: 1490 kg\nKerb weight, Volt 220: 1960 kg\n"
        "Wheelbase: 2700 mm\n\n"
        "5.3  CHARGING (VOLT 220)\n\nOn-board charger: 11 kW\n",
    )
    assert _by_variant(specs, "torque") == {"Turbo 150 Manual6": (240.0,), "Volt 220": (330.0,)}
    assert _by_variant(specs, "kerb_weight") == {
        "Turbo 150 Manual6": (1490.0,),
        "Volt 220": (1960.0,),
    }
    assert _by_variant(specs, "wheelbase") == {None: (2700.0,)}
    assert _by_variant(specs, "charging_power") == {"Volt 220": (11.0,)}


def test_a_spec_box_of_version_rows_and_bracketed_designations(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger_news.md",
        "---\nbrand: Acme\nmodel: Ranger\n---\n# Acme updates the Ranger\n\n"
        "**Spec box: Acme Ranger (2031)**\n\n"
        "- R 30 sport: front-wheel drive, 120 kW (163 PS), 250 Nm, 0-100 km/h in 8.1 s\n"
        "- R 50 grand: all-wheel drive, 200 kW (272 PS), 400 Nm, 0-100 km/h in 6.0 s\n"
        "- Towing: up to 1,600 kg (R 50), 1,200 kg (R 30)\n"
        "- Boot: 480 litres\n",
    )
    assert _by_variant(specs, "power") == {"R 30 sport": (120.0,), "R 50 grand": (200.0,)}
    assert _by_variant(specs, "acceleration_0_100") == {
        "R 30 sport": (8.1,),
        "R 50 grand": (6.0,),
    }
    assert {f.variant: f.value for f in facts(specs, "drive")} == {
        "R 30 sport": "front-wheel drive",
        "R 50 grand": "all-wheel drive",
    }
    assert _by_variant(specs, "towing_capacity") == {
        "R 50 grand": (1600.0,),
        "R 30 sport": (1200.0,),
    }
    assert _by_variant(specs, "boot_volume") == {None: (480.0,)}


def test_a_comma_list_of_prose_is_no_version_row(tmp_path: Path) -> None:
    """Regression: "- EPA rating: 24 mpg city, …" and a trim's description in prose are not
    a version's figures (the name names a quantity; the cells are clauses)."""
    specs = write(
        tmp_path,
        "acme_ranger_guide.md",
        "---\nbrand: Acme\nmodel: Ranger\n---\n# Acme Ranger buyer's guide\n\n"
        "- EPA rating: 24 mpg city, 29 mpg highway, 26 mpg combined\n",
    )
    assert _by_variant(specs, "fuel_economy_combined") == {None: (26.0,)}
    assert not facts(specs, "fuel_economy_city") or all(
        f.variant is None for f in facts(specs, "fuel_economy_city")
    )


def test_a_lower_case_code_continues_a_model_name_written_twice(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "audi_q9_etron_news.md",
        "# Audi refreshes the Q9 e-tron\n\nThe Q9 e-tron gains range.\n\n"
        "**Spec box: Audi Q9 e-tron**\n\n- Boot: 600 litres\n",
    )
    assert {f.car for f in specs.facts} == {"audi-q9-e-tron"}
    whole = EnglishWhole(type("T", (), {"text": "the Q9 e-tron and the Q9 e-tron"})())
    assert as_written("audi q9 etron", whole) == "Audi Q9 e-tron"


def test_versions_spoken_of_as_sentence_subjects(tmp_path: Path) -> None:
    """Title-case version names; "the Long Haul" shortens "the Dual Drive Long Haul"; two
    versions joined share a figure; two versions apart give none."""
    specs = write(
        tmp_path,
        "acme_volt_faq.md",
        "---\nbrand: Acme\nmodel: Volt\n---\n# Acme Volt questions\n\n"
        "The Dual Drive Long Haul has a WLTP range of 520 km. The Single Drive\n"
        "uses a 58 kWh battery. The Long Haul and the Quad Drive Sport share an 80 kWh\n"
        "battery. The Quad Drive Sport produces 600 Nm. The Single Drive makes 310 Nm.\n"
        "The Long Haul is the quietest, and the Dual Drive Long Haul the dearest.\n"
        "The Quad Drive Sport, unlike the Single Drive, weighs 2,100 kg.\n",
    )
    assert _by_variant(specs, "torque") == {"Quad Drive Sport": (600.0,), "Single Drive": (310.0,)}
    batteries = {(f.variant, f.numbers) for f in facts(specs, "battery_capacity")}
    assert batteries == {
        ("Single Drive", (58.0,)),
        ("Dual Drive Long Haul", (80.0,)),
        ("Quad Drive Sport", (80.0,)),
    }
    assert all(f.variant is None for f in facts(specs, "kerb_weight"))


def test_spoken_versions_need_repetition_and_leave_lower_case_words_out() -> None:
    """ "The Quad Drive Sport" twice is "Quad Drive Sport" (the text writes "the" too); "Town
    Mode" once, and the car's own name ("Acme Volt"), are no version."""
    text = "The Quad Drive Sport is fast; the ride is calm. The Quad Drive Sport in Town Mode."
    spoken = Spoken([text, "Acme Volt"], {"acme", "volt"})
    assert set(spoken.full) == {"Quad Drive Sport"}


def test_an_outgoing_models_figures_are_not_the_cars(tmp_path: Path) -> None:
    """The outgoing model's figures, also in a clause that refers to it as "its", are left
    out; a news dateline in bold ("**Berlin, 1 March 2031** —") names no variant."""
    specs = write(
        tmp_path,
        "acme_volt_news.md",
        "---\nbrand: Acme\nmodel: Volt\n---\n# Acme updates the Volt\n\n"
        "**Berlin, 1 March 2031** — The outgoing Volt had a range "
        "of up to 410 km; its 70 kWh battery was smaller. The new Volt has a 90 kWh battery "
        "and a range of 500 km.\n",
    )
    assert _by_variant(specs, "battery_capacity") == {None: (90.0,)}
    assert _by_variant(specs, "electric_range") == {None: (500.0,)}


def test_a_ruled_listing_row_is_about_the_car_its_model_cell_names(tmp_path: Path) -> None:
    """A fleet guide: one car per line under a ruler of dashes; the make and capitalised
    words name the car ("Toyota Grand Highlander", not the listed Highlander), the rest of
    the cell (even past its column) is the trim; "19/26 mpg" is city/highway."""
    specs = write(
        tmp_path,
        "fleet.txt",
        "FLEET GUIDE\n\n"
        "CODE  MODEL                             SPECS                          RATE\n"
        "----  --------------------------------  -----------------------------  -------\n"
        "MVAR  Kia Carnival EX                   290 hp, FWD, 8 seats, 19/26 mpg  $99/day\n"
        "LFAR  Toyota Grand Highlander Hybrid XLE 2.4L 4cyl, 250 hp, AWD, 35/33 mpg  $120/day\n"
        "\nChild seats $14/day.\n",
    )
    power = {(f.car, f.variant): f.numbers for f in facts(specs, "power")}
    assert power == {
        ("kia-carnival", "EX"): (290.0,),
        ("toyota-grand-highlander", "Hybrid XLE"): (250.0,),
    }
    city = {(f.car, f.numbers) for f in facts(specs, "fuel_economy_city")}
    assert city == {("kia-carnival", (19.0,)), ("toyota-grand-highlander", (35.0,))}
    assert {f.numbers for f in facts(specs, "fuel_economy_highway")} == {(26.0,), (33.0,)}
    assert not facts(specs, "fuel_economy_combined")
    assert {(f.car, f.value) for f in facts(specs, "drive")} == {
        ("kia-carnival", "FWD"),
        ("toyota-grand-highlander", "AWD"),
    }
    assert {(f.car, f.numbers) for f in facts(specs, "displacement")} == {
        ("toyota-grand-highlander", (2.4,))
    }


def test_two_labelled_pairs_on_one_line_and_a_braked_trailer_weight(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "Length: 4,400 mm; wheelbase: 2,650 mm\n"
        "Maximum braked trailer weight: 1500 kg\n"
        "Traction battery: 60 kWh\n",
    )
    assert _by_variant(specs, "length") == {None: (4400.0,)}
    assert _by_variant(specs, "wheelbase") == {None: (2650.0,)}
    assert _by_variant(specs, "towing_capacity") == {None: (1500.0,)}
    assert _by_variant(specs, "battery_capacity") == {None: (60.0,)}


def test_a_place_is_no_version_and_two_fuels_are_no_city_highway_pair(tmp_path: Path) -> None:
    """Regressions: "in the United States" (twice) named a version; EPA's "43/113 MPG city"
    (gasoline/electricity) read as a city/highway pair."""
    text = "Sold in the United States only. The manual is gone in the United States. the end"
    assert Spoken([text], set()).full == {}
    specs = write(
        tmp_path,
        "acme_volt.md",
        "---\nbrand: Acme\nmodel: Volt\n---\n# Acme Volt\n\n"
        "EPA fuel economy is 40/110 MPG city, 38/98 MPG highway and 39/104 MPG combined.\n",
    )
    assert not [f for f in facts(specs, "fuel_economy_highway") if f.numbers == (110.0,)]
    assert not [f for f in facts(specs, "fuel_economy_city") if f.numbers == (38.0,)]


def test_prose_after_a_trim_table_names_its_trims_whole_or_by_their_code(tmp_path: Path) -> None:
    """A table with trims as rows declares them; a sentence about "the GT iX" or, shortened
    to its code, "the iX" is that trim's, and so is the clause after it that says "it"."""
    specs = write(
        tmp_path,
        "acme_ranger_prices.md",
        "---\nbrand: Acme\nmodel: Ranger\n---\n# Acme Ranger prices\n\n"
        "| Trim | Power | Price |\n|---|---|---|\n"
        "| GT 1.5 TSX | 110 kW | £30,000 |\n| GT iX | 150 kW | £36,000 |\n\n"
        "The GT iX's battery holds 19.7 kWh; it gives an electric range of 80 km. The iX's\n"
        "fuel tank is smaller at 40 litres.\n",
    )
    assert _by_variant(specs, "battery_capacity") == {"GT iX": (19.7,)}
    assert _by_variant(specs, "electric_range") == {"GT iX": (80.0,)}
    assert _by_variant(specs, "fuel_tank") == {"GT iX": (40.0,)}
