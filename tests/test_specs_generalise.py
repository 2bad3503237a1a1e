"""Spec facts, fourth round (issue 14): failure classes found on the blind split of round
three and on the other members of each document family (the clutch-sidecar articles, the
itversity spec sheets, the EPA pages, the Chinese news articles), read as an editor would.

Each test is one class: grouping headings in variant names, a figure in two units and a
range's low end, named cycles, L×W×H lists, a variant in a bracket after a figure, item names
a label ends, drives a trim's item opens with, bounds that round an exact figure, figures
given "respectively", speculation and cars in general, slash pairs under a combined label,
one engine written several ways. Every input here is written for the test."""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs, Fact
from ingest.specs.variants import unify_variants
from tests.test_specs_extract import facts, one, write

_HEAD = "---\nbrand: Acme\nmodel: Comet\n---\n\n# Acme Comet\n\n"


def _by_variant(specs: DocumentSpecs, attribute: str) -> dict[str | None, tuple[float, ...]]:
    return {f.variant: f.numbers for f in facts(specs, attribute)}


def test_a_grouping_heading_is_no_part_of_its_items_variant_names(tmp_path: Path) -> None:
    """'**Performance Trims:**' over '- **RS**: …' makes the RS's figures 'RS', not
    'Performance Trims RS'; a heading's model year or model code stays ('2025 Gasoline',
    'Comet GTX'), and a singular one ('**Base Engine:**') adds nothing either."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**Performance Trims:**\n\n"
        "- **RS**: The top trim, delivering 310 horsepower. Starting MSRP is $61,200.\n\n"
        "**2025 Gasoline Models:**\n\n"
        "- **LE**: The base trim. Starting MSRP is $27,400.\n\n"
        "**Comet GTX Trims:**\n\n"
        "- **SE**: Adds heated seats. Starting MSRP is $35,900.\n\n"
        "**Base Engine:**\n"
        "- **2.2L Duo V6**: Naturally aspirated V6 producing 250 horsepower.\n",
    )
    assert _by_variant(specs, "price") == {
        "RS": (61200.0,),
        "2025 Gasoline LE": (27400.0,),
        "Comet GTX SE": (35900.0,),
    }
    assert _by_variant(specs, "power") == {"RS": (310.0,), "2.2L Duo V6": (250.0,)}


def test_one_figure_in_two_units_and_a_ranges_low_end(tmp_path: Path) -> None:
    """'approximately 12-14L/100km (17-20 MPG) combined' is one fact, 12-14 L/100km (it
    lost its low end and gave a second, conflicting fact in MPG); 'City driving: …' lines
    are the city economy, not a variant named 'City driving'."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**Fuel economy:**\n\n"
        "- **3.0L Twin-Turbo V6**: Expected to achieve approximately 12-14L/100km "
        "(17-20 MPG) combined in real-world driving.\n"
        "- City driving: 16-18L/100km (13-15 MPG)\n"
        "- Highway driving: 11-13L/100km (18-21 MPG)\n",
    )
    combined = one(specs, "fuel_economy_combined")
    assert (combined.numbers, combined.unit, combined.variant) == (
        (12.0, 14.0),
        "L/100km",
        "3.0L Twin-Turbo V6",
    )
    city, highway = one(specs, "fuel_economy_city"), one(specs, "fuel_economy_highway")
    assert (city.numbers, city.unit, city.variant) == ((16.0, 18.0), "L/100km", None)
    assert (highway.numbers, highway.unit) == ((11.0, 13.0), "L/100km")


def test_dimension_lists_with_stars_and_a_size_word(tmp_path: Path) -> None:
    """'长宽高分别为4784＊1831＊1469mm' and '…的尺寸是4751／1820／1438mm' give length, width and
    height."""
    specs = write(
        tmp_path,
        "jike.md",
        "# 极氪001发布\n\n新车的长宽高分别为4784＊1831＊1469mm，轴距为2731mm。\n",
    )
    assert [one(specs, k).numbers for k in ("length", "width", "height")] == [
        (4784.0,),
        (1831.0,),
        (1469.0,),
    ]
    specs = write(tmp_path, "jike.md", "# 极氪001发布\n\n极氪001的尺寸是4751／1820／1438mm。\n")
    assert one(specs, "height").numbers == (1438.0,)


def test_a_bracket_right_after_a_figure_names_its_variant(tmp_path: Path) -> None:
    """'71.4 kWh (FWD)' is the FWD's battery; '(usable)' and '(approx.)' say how the figure
    was measured, not whose it is."""
    specs = write(
        tmp_path,
        "acme_comet.txt",
        "BRAND: Acme\nMODEL: Comet\n\nBattery Capacity:\n71.4 kWh (FWD)\n72.8 kWh (AWD)\n\n"
        "The Comet Sport carries a 58 kWh (usable) pack.\n",
    )
    assert _by_variant(specs, "battery_capacity") == {
        "FWD": (71.4,),
        "AWD": (72.8,),
        None: (58.0,),
    }


def test_an_item_name_a_label_ends_names_no_variant(tmp_path: Path) -> None:
    """'- Available payload: 640-850 kg' names the quantity, not a variant 'Available
    payload'."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**Payload Considerations:**\n\n- Available payload: 640-850 kg when not towing\n",
    )
    assert _by_variant(specs, "payload") == {None: (640.0, 850.0)}


def test_a_drive_a_trims_item_opens_with(tmp_path: Path) -> None:
    """'- **Comet 4S**: All-wheel drive with 536 HP' is the 4S's drive; a bold heading
    '**Dual-Motor AWD System:**' is a topic, no drive of the car."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**Sport Sedan Models:**\n"
        "- **Comet 4S**: All-wheel drive with 536 HP\n"
        "- **Comet Turbo**: High-performance AWD with 871 HP\n\n"
        "**Dual-Motor AWD System:**\n"
        "- Torque is sent to whichever axle needs it most.\n",
    )
    assert {f.variant: f.value for f in facts(specs, "drive")} == {
        "Comet 4S": "All-wheel drive",
        "Comet Turbo": "AWD",
    }


def test_a_bound_that_rounds_an_exact_figure_adds_nothing(tmp_path: Path) -> None:
    """'over 1,000 HP' beside the GT's '1,019 HP' is a rounder restatement; a bound with no
    exact figure near it ('over 600 horsepower') is the figure the text gives."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "- **Comet GT**: Track-focused model with 1,019 HP\n\n"
        "The track-focused GT variant delivers over 1,000 HP.\n\n"
        "The Comet N delivers over 600 horsepower.\n",
    )
    assert sorted(f.numbers for f in facts(specs, "power")) == [(600.0,), (1019.0,)]


def test_figures_given_respectively_take_the_names_listed(tmp_path: Path) -> None:
    """'有1.5T、1.5T+48V、2.0T三款动力系统，最大马力分别可以达到168Ps、204Ps、204Ps': each power
    is its engine's, and each listed engine its own displacement's variant."""
    specs = write(
        tmp_path,
        "jike.md",
        "# 极氪001发布\n\n在动力方面，极氪001有1．5T、1．5T＋48V、2．0T三款动力系统，"
        "最大马力分别可以达到168Ps、204Ps、204Ps。\n",
    )
    assert _by_variant(specs, "power") == {
        "1.5T": (168.0,),
        "1.5T+48V": (204.0,),
        "2.0T": (204.0,),
    }
    assert _by_variant(specs, "displacement") == {
        "1.5T": (1.5,),
        "1.5T+48V": (1.5,),
        "2.0T": (2.0,),
    }


def test_speculation_and_cars_in_general_state_no_spec(tmp_path: Path) -> None:
    """'官方称未来还有可能配置2.0T的动力版本' is an engine the maker only may offer;
    '市场上很多纯电动车的真实续航里程也就400km左右' is about other cars."""
    specs = write(
        tmp_path,
        "jike.md",
        "# 极氪001发布\n\n新车搭载100kWh电池。同时，官方称未来还有可能配置2．0T的动力版本。\n\n"
        "要知道市场上很多纯电动车的真实续航里程也就400km左右。\n",
    )
    assert facts(specs, "displacement") == [] and facts(specs, "electric_range") == []
    assert one(specs, "battery_capacity").numbers == (100.0,)


def test_a_figure_naming_its_own_cycle_is_no_combined_economy(tmp_path: Path) -> None:
    """Under a 'Fuel Efficiency' heading line, 'Gasoline Engine: ~27 MPG (city) / ~35 MPG
    (highway)' gives city and highway, no combined 27."""
    specs = write(
        tmp_path,
        "acme_comet.txt",
        "BRAND: Acme\nMODEL: Comet\n\nFuel Efficiency\n"
        "Gasoline Engine: ~27 MPG (city) / ~35 MPG (highway)\n",
    )
    assert facts(specs, "fuel_economy_combined") == []
    assert one(specs, "fuel_economy_city").numbers == (27.0,)


def test_a_slash_pair_under_a_combined_label_is_no_city_highway(tmp_path: Path) -> None:
    """An EPA table's 'Combined MPG' cell '42/106' (gasoline/electricity) is neither a city
    nor a highway figure; 'Fuel Efficiency (MPG) 28/39' on a US sheet is city/highway."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "| # | Drive | Combined MPG |\n|---|---|---|\n| 1 | 2WD | 42/106 |\n",
    )
    assert facts(specs, "fuel_economy_city") == [] and facts(specs, "fuel_economy_highway") == []
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "| Feature | Value |\n|---|---|\n| Fuel Efficiency (MPG) | 28/39 |\n",
    )
    assert one(specs, "fuel_economy_city").numbers == (28.0,)


def _fact(variant: str | None) -> Fact:
    return Fact("acme-comet", "power", "300 hp", (300.0,), "hp", variant=variant)


def test_one_sized_engine_written_several_ways_is_one_variant() -> None:
    """'3.5L Twin-Turbo V6 (VR35DDTT)', '3.5L V6 twin-turbo' and '3.5L Twin-Turbo V6' are one
    engine; '3.5L V6' and a trim whose words are reordered ('Sport Touring') stay apart."""
    names = [
        "3.5L Twin-Turbo V6",
        "3.5L Twin-Turbo V6",
        "3.5L V6 twin-turbo",
        "3.5L Twin-Turbo V6 (VR35DDTT)",
        "3.5L V6",
        "Sport Touring",
        "Touring Sport",
    ]
    unified = [f.variant for f in unify_variants([_fact(n) for n in names])]
    assert unified == [
        "3.5L Twin-Turbo V6",
        "3.5L Twin-Turbo V6",
        "3.5L Twin-Turbo V6",
        "3.5L Twin-Turbo V6",
        "3.5L V6",
        "Sport Touring",
        "Touring Sport",
    ]


def test_a_clauses_subject_names_the_variants_of_its_figures(tmp_path: Path) -> None:
    """'Gasoline models can tow up to 5,000 lbs, while hybrid models tow up to 3,500 lbs':
    towing stated with a verb, each figure its clause's subject's."""
    specs = write(
        tmp_path,
        "acme_comet.txt",
        "BRAND: Acme\nMODEL: Comet\n\nWhat is the towing capacity of the Acme Comet?\n"
        "Gasoline models can tow up to 5,000 lbs, while hybrid models tow up to 3,500 lbs\n",
    )
    assert _by_variant(specs, "towing_capacity") == {
        "Gasoline models": (5000.0,),
        "hybrid models": (3500.0,),
    }


def test_item_names_with_a_bracket_and_spec_headings(tmp_path: Path) -> None:
    """'- **4.0L V6** (select markets): … 275 horsepower' is the 4.0L V6's, not its model
    years heading's alone; '**Hybrid Specifications:**' names the variant 'Hybrid'."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**2010-2024 Model Years:**\n\n"
        "- **4.0L V6** (select markets): A smaller option producing 275 horsepower.\n\n"
        "**Hybrid Specifications:**\n- Combined output: 200 horsepower and 232 lb-ft of torque\n",
    )
    assert _by_variant(specs, "power") == {
        "2010-2024 Model Years 4.0L V6": (275.0,),
        "Hybrid": (200.0,),
    }


def test_a_way_of_charging_and_its_time_and_power(tmp_path: Path) -> None:
    """'DC Fast Charging: 80% charge in ~30 minutes with a 150 kW charger' gives a charging
    time and a charging power, each by its unit; 'Level 2 Charger: Full charge in ~9 hours'
    a charging time; the way of charging names the variant."""
    specs = write(
        tmp_path,
        "acme_comet.txt",
        "BRAND: Acme\nMODEL: Comet\n\nCharging:\n"
        "DC Fast Charging: 80% charge in ~30 minutes with a 150 kW charger\n"
        "Level 2 Charger: Full charge in ~9 hours\n",
    )
    assert _by_variant(specs, "charging_time") == {
        "DC Fast Charging": (30.0,),
        "Level 2 Charger": (9.0,),
    }
    assert _by_variant(specs, "charging_power") == {"DC Fast Charging": (150.0,)}


def test_a_list_item_named_by_a_code_names_the_engine_it_describes(tmp_path: Path) -> None:
    """'- **Z300**: 296-horsepower 2.0L turbocharged 4-cylinder engine' is the Z300's power,
    displacement and cylinder count (a reader names the engine by its code, not by the
    description); a power written as one word with its figure ('296-horsepower') is read, but
    not one that sizes an electric motor ('a 48-horsepower electric motor'), nor a screen's
    hyphened size ('a 12-inch touchscreen')."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**Engine Options:**\n\n"
        "- **Z300**: 296-horsepower 2.0L turbocharged 4-cylinder engine, for daily driving.\n\n"
        "- **Z500**: 493-horsepower 5.0L supercharged V8 engine, for the most demanding.\n\n"
        "**Hybrid:**\n\n"
        "- Turbocharged 2.4L engine paired with 48-horsepower electric motor\n"
        "- A 12-inch touchscreen is standard.\n\n"
        "**Body Styles:**\n\n- **Comet 110**: The four-door mid-size variant with a "
        "119-inch wheelbase, for most buyers.\n",
    )
    assert _by_variant(specs, "wheelbase") == {"Comet 110": (119.0,)}
    assert _by_variant(specs, "power") == {"Z300": (296.0,), "Z500": (493.0,)}
    assert _by_variant(specs, "displacement")["Z300"] == (2.0,)
    assert _by_variant(specs, "displacement")["Z500"] == (5.0,)
    assert _by_variant(specs, "cylinders") == {"Z300": (4.0,), "Z500": (8.0,)}
    assert not [f for f in specs.facts if f.unit == "in" and f.attribute != "wheelbase"]


def test_named_lines_under_a_model_heading_keep_the_label_above_it(tmp_path: Path) -> None:
    """'Pricing' / 'Acme Comet (Hybrid):' / 'Base Model (LE): Starting at $28,000': the lines
    under a heading naming a model are prices still, and so are those under the next model's
    heading right after them; a heading under no label gives them no attribute."""
    specs = write(
        tmp_path,
        "acme_comet.txt",
        "BRAND: Acme\nMODEL: Comet\n\nPricing\nAcme Comet (Hybrid):\n"
        "Base Model (LE): Starting at $28,000\n"
        "Premium Trim (Limited): Starting at $34,000\n"
        "Acme Comet Plus (Plug-in Hybrid):\n"
        "Base Model (SE): Starting at $32,000\n"
        "Ideal Customer\nCommuters:\nCity Driver (XL): Starting at $21,000\n",
    )
    assert _by_variant(specs, "price") == {
        "Base Model (LE)": (28000.0,),
        "Premium Trim (Limited)": (34000.0,),
        "Base Model (SE)": (32000.0,),
    }


def test_an_engine_lines_size_and_cylinders(tmp_path: Path) -> None:
    """'Engine: 1.8L 4-Cylinder Hybrid Synergy Drive' under a variant heading gives that
    variant's displacement and cylinder count besides the engine; a value naming two sizes
    names neither, and a count a bracket qualifies ('four-cylinder (enhanced)') is left."""
    specs = write(
        tmp_path,
        "acme_comet.txt",
        "BRAND: Acme\nMODEL: Comet\n\nEngine Options\nAcme Comet (Hybrid)\n"
        "Engine: 1.8L 4-Cylinder Hybrid Synergy Drive\nPower Output: 121 HP (combined)\n"
        "Acme Comet Sport\nEngine: 2.0L or 2.5L four-cylinder (enhanced)\n"
        "Power Output: 190 HP\n",
    )
    assert _by_variant(specs, "displacement") == {"Acme Comet (Hybrid)": (1.8,)}
    assert _by_variant(specs, "cylinders") == {"Acme Comet (Hybrid)": (4.0,)}


def test_two_cars_compared_a_version_after_the_price_and_a_discount(tmp_path: Path) -> None:
    """'售价16.98万元的奇骏至尊版' is the 至尊版's price and '售价13.58万元的卡罗拉先锋版' the
    先锋版's, each of its own car, in one article about both; '终端仍有着8000多元的优惠' is a
    discount, no price."""
    specs = write(
        tmp_path,
        "news.md",
        "# 奇骏和卡罗拉怎么选\n\n"
        "它们的配置各有取舍。售价16.98万元的奇骏至尊版，配有天窗和自动空调。\n\n"
        "但售价13.58万元的卡罗拉先锋版，配置正好相反。\n\n"
        "最后说售价，虽说卡罗拉是老车型，但市场终端仍有着8000多元的优惠。\n",
    )
    prices = {(f.car, f.variant): f.numbers for f in facts(specs, "price")}
    assert prices == {
        ("nissan-x-trail", "至尊版"): (169800.0,),
        ("toyota-corolla", "先锋版"): (135800.0,),
    }


def test_a_named_line_of_city_highway_combined_economy(tmp_path: Path) -> None:
    """'- 2WD: 18 city / 24 highway / 20 combined MPG' under an engine's heading gives the
    three economies of that engine's 2WD, a long line's aside after them ('(lower due to …)')
    included; a line without two cycle words gives none this way."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "### What fuel economy does it get?\n\n"
        "**3.4L Twin-Turbo V6:**\n"
        "- 2WD: 18 city / 24 highway / 20 combined MPG\n"
        "- 4WD: 17 city / 22 highway / 19 combined MPG (lower due to off-road-oriented gearing "
        "and all-terrain tires)\n",
    )
    assert _by_variant(specs, "fuel_economy_city") == {
        "3.4L Twin-Turbo V6 2WD": (18.0,),
        "3.4L Twin-Turbo V6 4WD": (17.0,),
    }
    assert _by_variant(specs, "fuel_economy_combined") == {
        "3.4L Twin-Turbo V6 2WD": (20.0,),
        "3.4L Twin-Turbo V6 4WD": (19.0,),
    }
    assert _by_variant(specs, "fuel_economy_highway") == {
        "3.4L Twin-Turbo V6 2WD": (24.0,),
        "3.4L Twin-Turbo V6 4WD": (22.0,),
    }


def test_figures_of_rivals_in_a_comparison_sentence(tmp_path: Path) -> None:
    """'For comparison, … like the Bolt Hauler (varying from 17-25 MPG combined …)' gives
    the rivals' economy, not the document's car's; its own line before it stays."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "The Comet returns 21 MPG combined.\n\n"
        "For comparison, the Comet's fuel economy is competitive with other trucks like the "
        "Bolt Hauler (varying from 17-25 MPG combined depending on engine) and the Zeta Ten "
        "(16-23 MPG combined).\n",
    )
    assert [f.numbers for f in facts(specs, "fuel_economy_combined")] == [(21.0,)]


def test_a_named_line_under_a_sentence_of_several_labels(tmp_path: Path) -> None:
    """'The Comet offers impressive towing capacity across its engine range:' over
    '- **Z300 (4-cylinder)**: Up to 7,716 pounds when properly equipped' is the Z300's
    towing (the label its figure measures, not the sentence's last, 'range'); a line of two
    figures with their own conditions ('… on the Comet 110, or … on the Comet 90') gives one
    per condition (round six, `tests/test_specs_round6.py`)."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "### How much can the Comet tow?\n\n"
        "The Comet offers impressive towing capacity across its engine range:\n\n"
        "- **Z300 (4-cylinder)**: Up to 7,716 pounds when properly equipped\n"
        "- **Z400 (6-cylinder)**: Up to 8,201 pounds on the Comet 110, or 7,716 pounds on "
        "the Comet 90\n",
    )
    assert _by_variant(specs, "towing_capacity") == {
        "Z300 (4-cylinder)": (7716.0,),
        "Z400 (6-cylinder) Comet 110": (8201.0,),
        "Z400 (6-cylinder) Comet 90": (7716.0,),
    }
    assert not facts(specs, "electric_range")


def test_a_list_under_an_engines_heading_describes_engines(tmp_path: Path) -> None:
    """Under '**Engine Options:**', '- **Z400**: 395-horsepower 3.0L turbocharged inline
    6-cylinder with a mild hybrid' is the Z400's displacement and cylinder count though it
    never says 'engine'; a size in an item's name ('- Z-Force 2.4L Turbo: …') or a list under
    another heading gives none this way."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "**Engine Options:**\n\n"
        "- **Z400**: 395-horsepower 3.0L turbocharged inline 6-cylinder with a mild hybrid.\n\n"
        "**2025 Model Year (Turbocharged Engines):**\n"
        "- Z-Force 2.4L Turbo: Expected similar towing capacity\n\n"
        "**Accessories:**\n\n"
        "- **Tow kit**: fits a 3.5L water can and a 6-cylinder pump.\n",
    )
    assert _by_variant(specs, "displacement") == {"Z400": (3.0,)}
    assert _by_variant(specs, "cylinders") == {"Z400": (6.0,)}


def test_a_sentence_on_a_key_line_under_a_variant_heading(tmp_path: Path) -> None:
    """'Key Feature: Up to ~42 miles of all-electric range' under the heading 'Acme Comet
    Plus (Plug-in Hybrid)' is that variant's range, as the block's labelled lines are."""
    specs = write(
        tmp_path,
        "acme_comet.txt",
        "BRAND: Acme\nMODEL: Comet\n\nEngine Options\nAcme Comet (Hybrid)\n"
        "Power Output: 121 HP (combined)\nAcme Comet Plus (Plug-in Hybrid)\n"
        "Power Output: 150 HP (combined)\n"
        "Key Feature: Up to ~42 miles of all-electric range\n",
    )
    assert _by_variant(specs, "electric_range") == {"Acme Comet Plus (Plug-in Hybrid)": (42.0,)}


def test_seating_for_passengers_in_a_variants_item(tmp_path: Path) -> None:
    """'- **Comet 90**: … two rows of seating for up to five or six passengers' is the Comet
    90's seat count (five, its first); a prose line ('Large Families: Spacious seating for up
    to 8 passengers') states the most of all versions and gives none."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "- **Comet 90**: The shorter, two-door version with two rows of seating for up "
        "to five or six passengers.\n\n"
        "- **Comet 130**: Offering three rows of seating for up to eight passengers.\n\n"
        "Large Families: Spacious seating for up to 8 passengers\n",
    )
    assert _by_variant(specs, "seats") == {"Comet 90": (5.0,), "Comet 130": (8.0,)}


def test_a_sentence_about_a_part_gives_no_second_figure_beside_the_table(tmp_path: Path) -> None:
    """The table states the Hybrid's system output; a sentence giving what its petrol engine
    makes on its own and what its motor adds is about parts, so it adds no conflicting power
    or torque of the Hybrid; a figure no table states for it (the battery) is still read."""
    specs = write(
        tmp_path,
        "acme_comet.md",
        _HEAD + "| Model | Power | Torque |\n|---|---|---|\n"
        "| Comet 1.5T | 130 kW (177 PS) | 270 Nm |\n"
        "| Comet Hybrid | 200 kW (272 PS) system | 520 Nm system |\n\n"
        "## Hybrid system\n\n"
        "In the Comet Hybrid the petrol engine produces 110 kW (150 PS) and 250 Nm on its own, "
        "and the electric motor adds 120 kW and 300 Nm. The 18.4 kWh battery gives an "
        "electric-only range of 80 km.\n",
    )
    assert _by_variant(specs, "power") == {"Comet 1.5T": (130.0,), "Comet Hybrid": (200.0,)}
    assert _by_variant(specs, "torque") == {"Comet 1.5T": (270.0,), "Comet Hybrid": (520.0,)}
    assert [f.numbers for f in facts(specs, "battery_capacity")] == [(18.4,)]
