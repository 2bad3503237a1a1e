"""Spec facts, sixth round (issue 14): classes of misses on the tune and holdout splits whose
fix is a mechanism (a unit, a structure of lines and lists, how a label or a variant is read),
not a word of one document. One small document per class, every input written for the test.
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, one, write

_HEAD = "---\nbrand: Acme\nmodel: Comet\n---\n\n# Acme Comet\n\n"


def _by_variant(specs: DocumentSpecs, attribute: str) -> dict[str | None, tuple[float, ...]]:
    return {f.variant: f.numbers for f in facts(specs, attribute)}


def test_a_gas_cars_economy_in_km_per_kg(tmp_path: Path) -> None:
    """A CNG variant's economy is given per kilogram of gas ('31.2 km/kg', '28.4 kilometres
    per kilogram'): a fuel economy in km/kg, kept in its own unit (no litre figure converts
    to it), beside the petrol variant's km/l."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "The petrol variant is rated at approximately 21.5 km/l, while the CNG "
        "variant returns approximately 31.2 km/kg.\n\nIn town the CNG variant returns "
        "around 28.4 kilometres per kilogram.\n",
    )
    by_value = {f.value: f for f in facts(specs, "fuel_economy_combined")}
    assert by_value["31.2 km/kg"].unit == "km/kg"
    assert by_value["31.2 km/kg"].normalized_unit == "km/kg"
    assert by_value["31.2 km/kg"].variant == "CNG"
    assert by_value["28.4 kilometres per kilogram"].numbers == (28.4,)
    assert by_value["21.5 km/l"].normalized_unit == "L/100km"


def test_a_year_in_a_figures_bracketed_remark_is_no_second_figure(tmp_path: Path) -> None:
    """'Up to 250 kW (under ideal conditions with the 2024 update)' is one charging power:
    the year inside the remark is no figure of the label's quantity."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**DC Fast Charging:**\n"
        "- Maximum charging power: Up to 250 kW (under ideal conditions with the 2024 update)\n",
    )
    assert one(specs, "charging_power").numbers == (250.0,)


def test_a_named_line_whose_name_lists_its_trims_in_brackets(tmp_path: Path) -> None:
    """'- 4WD models (LX, GX, Summit): 15 city / 21 highway MPG': a name with the trims it
    covers in brackets is a named line, the trims part of its variant; the heading over the
    list ('**EPA fuel economy estimates:**') is a topic, not part of any variant."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**EPA fuel economy estimates:**\n"
        "- 2WD models: 17 city / 22 highway MPG\n"
        "- 4WD models (LX, GX, Summit, Summit Reserve): 15 city / 21 highway MPG\n",
    )
    assert _by_variant(specs, "fuel_economy_city") == {
        "2WD models": (17.0,),
        "4WD models (LX, GX, Summit, Summit Reserve)": (15.0,),
    }
    assert _by_variant(specs, "fuel_economy_highway")["2WD models"] == (22.0,)


def test_a_drive_offered_on_some_versions_takes_them_as_its_variant(tmp_path: Path) -> None:
    """'AWD-e is available on select trims' and '部分车型还提供四驱' state a drive of some
    versions: a drive fact whose variant is those versions as the text names them; a drive
    'standard on most trims' (how many is hedged) stays unread, and a heading that names a
    system ('**Four-Wheel Drive Systems:**') is the topic of an item's own 'on select
    trims', not its variant."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "Does the Comet have AWD?\nYes, the Comet offers AWD-e on select trims.\n\n"
        "Standard all-wheel drive on most touring trims.\n\n"
        "**Four-Wheel Drive Systems:**\n- Available full-time 4WD on certain grades\n\n"
        "部分车型还提供四驱系统。\n",
    )
    assert {(f.variant, f.value) for f in facts(specs, "drive")} == {
        ("select trims", "AWD-e"),
        ("certain grades", "4WD"),
        ("部分车型", "四驱"),
    }


def test_an_engine_named_by_the_verb_that_gives_its_output(tmp_path: Path) -> None:
    """'the previous generation's 5.0-liter V8, which produced 380 horsepower and 390 lb-ft'
    names its engine without the word engine: its output, torque and displacement are that
    engine's, not the car's of no variant (beside the new engine's figures)."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "The 2025 Comet has a new twin-turbo 3.0-liter V6 engine producing 400 "
        "horsepower and 500 lb-ft of torque. It replaces the previous generation's naturally "
        "aspirated 5.0-liter V8, which produced 380 horsepower and 390 lb-ft of torque.\n",
    )
    assert _by_variant(specs, "power") == {"3.0-liter V6": (400.0,), "5.0-liter V8": (380.0,)}
    assert _by_variant(specs, "torque") == {"3.0-liter V6": (500.0,), "5.0-liter V8": (390.0,)}
    assert _by_variant(specs, "displacement") == {
        "3.0-liter V6": (3.0,),
        "5.0-liter V8": (5.0,),
    }


def test_figures_in_one_cell_told_apart_by_their_conditions(tmp_path: Path) -> None:
    """Several figures of one label, each with its own condition after it ('at full air
    suspension height', 'with steel springs', 'on the Comet 110', 'on the Comet 90'), are one
    fact per condition; a condition that is an engine speed ('at 5,000 rpm') or figures
    whose conditions are missing or equal tell nothing apart and give nothing."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**Off-Road Metrics:**\n\n"
        "- **Ground Clearance**: Up to 10.9 inches at full air suspension height "
        "(8.1 inches with steel springs)\n\n"
        "The Comet offers strong towing capacity across its engine range:\n\n"
        "- **T300 (4-cylinder)**: Up to 6,600 pounds when properly equipped\n"
        "- **T400 (6-cylinder)**: Up to 7,900 pounds on the Comet 110, or 7,100 pounds on the "
        "Comet 90\n\n"
        "- **Kerb weight**: 2,100 kg or 2,250 kg on most versions\n",
    )
    assert _by_variant(specs, "ground_clearance") == {
        "full air suspension height": (10.9,),
        "steel springs": (8.1,),
    }
    assert _by_variant(specs, "towing_capacity") == {
        "T300 (4-cylinder)": (6600.0,),
        "T400 (6-cylinder) Comet 110": (7900.0,),
        "T400 (6-cylinder) Comet 90": (7100.0,),
    }
    assert facts(specs, "kerb_weight") == []


def test_a_heading_line_naming_a_sub_model_by_the_model_word_alone(tmp_path: Path) -> None:
    """In a document about a car no alias file knows ('Porsche Zephyr', from its title), a
    heading line of the model word and title-case words ('**Zephyr Trail Wagon:**') starts
    that sub-model's part: the drive in its list is that sub-model's, whole; a heading that
    groups versions ('**Zephyr Trims:**') names none."""
    specs = write(
        tmp_path,
        "porsche_zephyr.md",
        "# Porsche Zephyr\n\n## What versions are there?\n\n"
        "Porsche offers the Zephyr in two body styles:\n\n"
        "**Zephyr Coupe:**\n- Low roofline\n- Standard rear-wheel drive\n\n"
        "**Zephyr Trail Wagon:**\n- Raised suspension\n"
        "- Standard all-wheel drive (no RWD option)\n\n"
        "**Zephyr Trims:**\n- The base car: starting MSRP is $91,000\n",
    )
    assert {(f.variant, f.value) for f in facts(specs, "drive")} == {
        ("Zephyr Coupe", "rear-wheel drive"),
        ("Zephyr Trail Wagon", "all-wheel drive"),
    }
    assert [f.variant for f in facts(specs, "price")] == [None]


def test_a_type_row_under_a_group_heading_takes_the_attribute_it_fits(tmp_path: Path) -> None:
    """On a spec page, 'Type  6MT/6AT  6MT' under the group heading 'GEARBOX & DRIVE' is the
    gearbox of each column (its cells look like gearboxes, not drives); a 'Type' row under a
    heading that names no attribute, or whose cells fit none, gives nothing."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "SPECIFICATIONS PETROL  DIESEL\nLength (mm)  3990\nGEARBOX & DRIVE\n"
        "Type 6MT/6AT  6MT\nSEATS AND TRIM\nType  Fabric  Leather\n"
        "Engine Capacity (cc)  1197  1498\n",
    )
    assert {(f.variant, f.value) for f in facts(specs, "transmission")} == {
        ("PETROL", "6MT/6AT"),
        ("DIESEL", "6MT"),
    }
    assert not facts(specs, "drive")
    assert _by_variant(specs, "displacement") == {"PETROL": (1197.0,), "DIESEL": (1498.0,)}


def test_gearboxes_offered_as_alternatives_in_one_cell(tmp_path: Path) -> None:
    """'Transmission: 8-speed automatic or 6-speed manual' offers two gearboxes: one fact
    each; 'manual or automatic' names no whole gearbox on either side and stays one."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "3.0L V6 Gasoline Engine\nPower Output: 290 HP\n"
        "Transmission: 8-speed automatic or 6-speed manual\n\n"
        "2.0L 4-Cylinder Gasoline Engine\nTransmission: manual or automatic\n",
    )
    assert {(f.variant, f.value) for f in facts(specs, "transmission")} == {
        ("3.0L V6 Gasoline Engine", "8-speed automatic"),
        ("3.0L V6 Gasoline Engine", "6-speed manual"),
        ("2.0L 4-Cylinder Gasoline Engine", "manual or automatic"),
    }


def test_a_named_lines_one_figure_for_versions_it_names(tmp_path: Path) -> None:
    """'- Maximum rate: Up to 180 kW on Long Range models' under '**DC Fast Charging:**':
    the heading's charging power, for the versions the line names after its figure; the
    line's name, a quantity word ('rate'), is no part of the variant."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**DC Fast Charging:**\n- Maximum rate: Up to 180 kW on Long Range models\n",
    )
    fact = one(specs, "charging_power")
    assert (fact.variant, fact.numbers) == ("DC Fast Charging Long Range", (180.0,))


def test_figures_of_no_variant_under_a_heading_that_names_one(tmp_path: Path) -> None:
    """A bold heading that names a variant ('**2021 Model Year:**', '**2015-2020 Model
    Years (V8):**') gives it to the figures below it that name none: a paragraph's sentences
    ('Fuel economy is rated at 15 MPG city …') and a list's labelled items ('- City driving:
    17-19L/100km'); a figure that names its own engine keeps it."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**2021 Model Year:**\nEvery 2021 Comet has a 3.6-liter V6 engine producing "
        "260 horsepower. Fuel economy is rated at 15 MPG city and 20 MPG highway.\n\n"
        "**2015-2020 Model Years (V8):**\n\n"
        "- **5.0L V8**: Typically achieves approximately 15-17L/100km in combined driving\n"
        "- City driving: 17-19L/100km\n",
    )
    assert _by_variant(specs, "power") == {"3.6-liter V6": (260.0,)}
    assert _by_variant(specs, "fuel_economy_city") == {
        "2021 Model Year": (15.0,),
        "2015-2020 Model Years": (17.0, 19.0),
    }
    assert _by_variant(specs, "fuel_economy_highway") == {"2021 Model Year": (20.0,)}


def test_an_alternative_figure_holds_under_its_own_condition(tmp_path: Path) -> None:
    """'- **3.0L Turbo V6**: … 380 horsepower in standard form, or up to 420 horsepower in
    high-output applications': the second figure is the engine's in high-output form, not a
    second power of the same variant."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**Engine Options:**\n"
        "- **3.0L Turbo V6**: Twin-turbocharged V6 producing 380 horsepower in standard form, "
        "or up to 420 horsepower in high-output applications.\n",
    )
    assert _by_variant(specs, "power") == {
        "3.0L Turbo V6": (380.0,),
        "3.0L Turbo V6 high-output applications": (420.0,),
    }


def test_a_range_whose_ends_each_carry_the_unit(tmp_path: Path) -> None:
    """'ranges from approximately 18 km/l up to 25.5 km/l depending on variant' is one range
    over the variants (both ends written with their unit), not nothing; 'from 19 km/l to 21
    km/l' is one range too, its high end no second figure."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "Certified mileage for the Comet ranges from approximately 18 km/l up to "
        "25.5 km/l depending on variant and gearbox.\n\n"
        "The Comet's fuel economy is from 19 km/l to 21 km/l.\n",
    )
    numbers = sorted(f.numbers for f in facts(specs, "fuel_economy_combined"))
    assert numbers == [(18.0, 25.5), (19.0, 21.0)]


def test_a_count_row_with_its_noun_and_a_range_of_counts(tmp_path: Path) -> None:
    """A sheet row 'Seating Capacity 6-7 passengers 5 passengers' under 'Feature Touring
    Models Sport Models' gives each column its seats: the noun the count names is no
    sentence, and a rising pair of counts is a range; a falling pair is no count."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "Quick Reference Cheat Sheet\nFeature Touring Models Sport Models\n"
        "Seating Capacity 6-7 passengers 5 passengers\nAirbags 8-6 8-6\n",
    )
    assert _by_variant(specs, "seats") == {"Touring Models": (6.0, 7.0), "Sport Models": (5.0,)}
    assert not facts(specs, "airbags")


def test_figures_in_a_sentence_each_with_its_own_bracket(tmp_path: Path) -> None:
    """'The onboard charger supports up to 7.2 kW (standard) or 11 kW (optional)': two charging
    powers, each its bracket's version (under the list's heading); a bracket that only says
    how a figure was measured ('(usable)') tells nothing apart."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**AC Level 2 Charging:**\n"
        "- The onboard charger supports up to 7.2 kW (standard) or 11 kW (optional)\n\n"
        "The battery holds 64 kWh (usable) or 70 kWh (usable) depending on the market.\n",
    )
    assert _by_variant(specs, "charging_power") == {
        "AC Level 2 Charging (standard)": (7.2,),
        "AC Level 2 Charging (optional)": (11.0,),
    }
    assert facts(specs, "battery_capacity") == []  # no pair, and a spread over markets
