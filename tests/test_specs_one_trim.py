"""Round nine (facts11): a form's model and trim fields, names in lines written all in
capitals, and the one trim a single-car English document is about. Invented texts about real
makes; the real extractor."""

from __future__ import annotations

from pathlib import Path

from tests.test_specs_extract import one, write

STICKER = """NORTHGATE MOTORS  -  STOCK NOTE

VEHICLE
YEAR/MAKE/MODEL ......... 2025 KIA VELARO
TRIM .................... SX TURBO

POWERTRAIN
HORSEPOWER .............. 195 HP @ 6,000 RPM
FUEL TANK ............... 13.2 GAL
"""

ROAD_TEST = """ROAD TEST: 2026 NISSAN FRONTIER PRO-4X

We drove the Frontier PRO-4X for a week. Its 3.8-liter V6 is rated at 310 horsepower, and
the PRO-4X sits on all-terrain tires. Every Frontier PRO-4X is four-wheel drive.
"""


def test_a_form_names_its_car_in_the_model_field_not_the_dealer_line(tmp_path: Path) -> None:
    """The model field names the car, and every
    figure is of the trim its trim field names, not of the "POWERTRAIN" heading."""
    specs = write(tmp_path, "stock_note.txt", STICKER)
    assert {c.id for c in specs.cars} == {"kia-velaro"}
    power = one(specs, "power", "kia-velaro")
    assert power.numbers == (195.0,)
    assert power.variant is not None and "SX TURBO" in power.variant
    assert "POWERTRAIN" not in power.variant
    assert one(specs, "fuel_tank", "kia-velaro").variant == power.variant


def test_a_title_trim_the_text_repeats_is_the_documents_trim(tmp_path: Path) -> None:
    """ "2026 NISSAN FRONTIER PRO-4X": a model year before the make names the car in a line of
    capitals, and "PRO-4X", written again in the text, is the trim of its figures."""
    specs = write(tmp_path, "frontier_test.txt", ROAD_TEST)
    power = one(specs, "power", "nissan-frontier")
    assert power.numbers == (310.0,)
    assert power.variant is not None and power.variant.endswith("PRO-4X")


LINEUP = """Make,Model,Trim,Engine,Horsepower
Ford,Bronco,Big Bend,2.3L EcoBoost I-4,277
Jeep,Wrangler,Rubicon 392,6.4L HEMI V8,470
"""


def test_a_csv_rows_engine_cell_gives_its_size_and_cylinders(tmp_path: Path) -> None:
    """A data set's engine cell ("6.4L HEMI V8") states the row's displacement and cylinders,
    as a spec sheet's engine line does; "I-4" is an inline four's code as "V8" is a V's."""
    specs = write(tmp_path, "lineup.csv", LINEUP)
    size = one(specs, "displacement", "jeep-wrangler")
    assert (size.numbers, size.unit, size.variant) == ((6.4,), "L", "Rubicon 392")
    assert one(specs, "cylinders", "jeep-wrangler").numbers == (8.0,)
    assert one(specs, "displacement", "ford-bronco").numbers == (2.3,)
    assert one(specs, "cylinders", "ford-bronco").numbers == (4.0,)  # "I-4": an inline four


COMPARED = """# Kia Sportage vs. Hyundai Tucson

| Spec | Kia Sportage | Hyundai Tucson |
|---|---|---|
| Power | 187 hp | 187 hp |
| Cargo behind 2nd row | 39.6 cu ft | 38.7 cu ft |
"""


def test_a_label_naming_a_seat_row_gives_its_attribute_and_the_row(tmp_path: Path) -> None:
    """ "Cargo behind 2nd row" (a table's row label, a form's field) is the cargo volume
    behind that row: the row is the figure's place, in its variant."""
    specs = write(tmp_path, "compared.md", COMPARED)
    cargo = one(specs, "boot_volume", "kia-sportage")
    assert cargo.numbers == (39.6,)
    assert cargo.variant is not None and cargo.variant.endswith("behind 2nd row")
    sticker = write(tmp_path, "note.txt", STICKER + "CARGO BEHIND 2ND ROW .... 26.6 CU FT\n")
    assert one(sticker, "boot_volume", "kia-velaro").variant == "SX TURBO, behind 2nd row"


PRESS = """# 2026 Kia Velaro arrives

| Spec | Kia Velaro |
|---|---|
| Power | 195 hp |
| Transmission | 8-speed automatic |

The Kia Velaro keeps its eight-speed automatic transmission. The EPA rates it at 25 mpg city,
31 mpg highway and 27 mpg combined. The Kia Velaro is on sale now.
"""


def test_prose_restating_a_table_in_words_and_a_raters_name_add_nothing(tmp_path: Path) -> None:
    """ "eight-speed automatic" in prose restates the table's "8-speed automatic" (one fact),
    and "The EPA rates it at …" gives the economies of no variant named "EPA rates it"."""
    specs = write(tmp_path, "velaro.md", PRESS)
    assert one(specs, "transmission", "kia-velaro").value == "8-speed automatic"
    city = [f for f in specs.facts if f.attribute == "fuel_economy_city"]
    assert city and all(f.numbers == (25.0,) for f in city)
    assert all(f.variant is None or "EPA" not in f.variant for f in city)


def test_seat_as_a_verb_gives_the_seat_count(tmp_path: Path) -> None:
    """ "the cabin seats five adults": seat as a verb counts the seats; "the rear seats 5
    inches lower" is a distance, no count."""
    specs = write(tmp_path, "velaro_cabin.md", PRESS + "\nThe cabin seats five adults.\n")
    assert one(specs, "seats", "kia-velaro").numbers == (5.0,)
    lower = write(tmp_path, "velaro_rear.md", PRESS + "\nThe rear seats sit 5 inches lower.\n")
    assert not [f for f in lower.facts if f.attribute == "seats"]


EV = """# Driving the Chevrolet Voltaro EV

The Chevrolet Voltaro EV 2LT makes 213 hp. We liked the Voltaro on the highway, and the
Voltaro EV charges quickly. The Voltaro is roomy; the Voltaro rides well. The Voltaro EV has an
85 kWh battery.
"""


def test_ev_after_a_model_names_the_electric_model(tmp_path: Path) -> None:
    """ "Voltaro EV" is the car's name even where the text shortens it ("the Voltaro") more
    often than it writes it whole: EV after a model names the electric model sold under it."""
    specs = write(tmp_path, "voltaro.md", EV)
    assert {c.id for c in specs.cars} == {"chevrolet-voltaro-ev"}
    assert one(specs, "power", "chevrolet-voltaro-ev").numbers == (213.0,)


def test_an_engine_cells_bracket_without_a_figure_keeps_its_cylinders(tmp_path: Path) -> None:
    """ "3.8-liter V6 (GDI/MPI)": a bracket of capitals and codes names the engine's
    injection, it qualifies no figure, so the V6 is the engine's cylinders ("four-cylinder
    (enhanced)" is left: `test_specs_generalise`)."""
    table = "| Spec | Kia Velaro |\n|---|---|\n| Engine | 3.8-liter V6 (GDI/MPI) |\n"
    specs = write(tmp_path, "velaro_engine.md", PRESS + "\n" + table)
    assert one(specs, "cylinders", "kia-velaro").numbers == (6.0,)


RUNS = """ROAD TEST: 2026 KIA VELARO SX

The Velaro SX is quick. The EPA rates it at 25 mpg city, 31 mpg highway and 27 mpg combined.

Off the pavement its 235/60R18 all-terrain tires were never troubled. The Velaro SX is fun.

The bed measures 60 inches long and is nearly 48 inches wide between the wheel wells.
"""


def test_a_worded_run_skips_its_own_sentence_not_the_prose_between(tmp_path: Path) -> None:
    """The economies' run ("25 mpg city, 31 mpg highway and 27 mpg combined") and a later
    "60 inches long" are two sentences' runs: the tyres between them are still read."""
    specs = write(tmp_path, "velaro_test.txt", RUNS)
    assert one(specs, "tyres", "kia-velaro").value.startswith("235/60R18")


def test_a_drive_the_car_gets_under_its_makers_name(tmp_path: Path) -> None:
    """ "every SX gets Kia's e-AWD torque-vectoring all-wheel drive": the maker's name for
    it (a possessive and a code) stands between the verb and the drive."""
    text = PRESS + "\nEvery Velaro gets Kia's e-AWD torque-vectoring all-wheel drive.\n"
    assert one(write(tmp_path, "velaro_awd.md", text), "drive", "kia-velaro").value == (
        "all-wheel drive"
    )
