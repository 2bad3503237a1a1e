"""Spec facts scoped by structure (issue 14, third round): which variant and which car a
figure is for, read from how the document is built, and figures too uncertain to keep.

Each test is one failure class seen on documents nobody tuned on: PDF rows whose cells gaps
keep apart, units nobody knows, nested lists under variant headings, sub-models a heading
or a sentence names, ranges driven on fuel, Chinese version names, one engine named several
ways, service figures, back-references. Every input here is written for the test."""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs, Fact
from ingest.specs.variants import unify_variants
from tests.test_specs_extract import facts, one, write


def _by_variant(specs: DocumentSpecs, attribute: str) -> dict[str | None, tuple[float, ...]]:
    return {f.variant: f.numbers for f in facts(specs, attribute)}


def test_a_row_whose_cells_gaps_keep_apart_is_read_cell_by_cell(tmp_path: Path) -> None:
    """The Baleno brochure's spec page: one cell per fuel column, a dash for 'not
    available', qualifiers in brackets, a cell continued on an indented line."""
    specs = write(
        tmp_path,
        "acme_comet.txt",
        "BRAND: Acme\nMODEL: Comet\n\n"
        "DIMENSIONS DIESEL  GAS\n"
        "Length (mm)  4100\n"
        "Boot Space (L) 340*  -\n"
        "Max Power  70 kW@5500 rpm or 95.2 PS@5500 rpm   70 kW@5500 rpm or 95.2 PS@5500 rpm "
        "(Diesel Mode)\n"
        "   and 60 kW@5000 rpm or 81.6 PS@5000 rpm (Gas Mode)\n"
        "Max Torque (Nm@rpm) 200 @ 1750  200@1750 (Diesel Mode), 170@1600 (Gas Mode)\n"
        "Kerb Weight (kg) 1100-1150 (MT), 1120-1170 (AT)  1200-1210 (MT)\n"
        "Fuel Tank Capacity (L) 45  Diesel: 45, Gas: 60 (Water Equivalent)\n"
        "Fuel-Efficiency 20.5 (MT), 19.8 (AT) km/l  25.1 km/kg\n",
    )
    assert _by_variant(specs, "length") == {None: (4100.0,)}  # one cell: every column's
    assert _by_variant(specs, "boot_volume") == {"DIESEL": (340.0,)}  # the dash is nothing
    assert _by_variant(specs, "power") == {
        "DIESEL": (70.0,),
        "GAS Diesel Mode": (70.0,),
        "GAS Gas Mode": (60.0,),
    }
    assert _by_variant(specs, "power_rpm")["GAS Gas Mode"] == (5000.0,)
    assert _by_variant(specs, "torque") == {
        "DIESEL": (200.0,),
        "GAS Diesel Mode": (200.0,),
        "GAS Gas Mode": (170.0,),
    }
    assert _by_variant(specs, "torque_rpm")["GAS Gas Mode"] == (1600.0,)
    assert _by_variant(specs, "kerb_weight") == {
        "DIESEL MT": (1100.0, 1150.0),
        "DIESEL AT": (1120.0, 1170.0),
        "GAS MT": (1200.0, 1210.0),
    }
    assert _by_variant(specs, "fuel_tank") == {
        "DIESEL": (45.0,),
        "GAS Diesel": (45.0,),
        "GAS": (60.0,),
    }
    economy = facts(specs, "fuel_economy_combined")
    assert {(f.variant, f.numbers, f.unit) for f in economy} == {
        ("DIESEL MT", (20.5,), "km/L"),  # the unit written once at the cell's end
        ("DIESEL AT", (19.8,), "km/L"),
        ("GAS", (25.1,), "km/kg"),  # a gas car's economy, in its own unit
    }


def test_a_figure_in_a_unit_of_something_else_is_no_value(tmp_path: Path) -> None:
    """The Tiago manual's fuse table: '60A' is a current, not a battery's capacity; its
    spark-plug page's 'Tightening Torque - 25 Nm' is no engine torque; its spec table's
    'Model/type 1.05L REVOTORQ 1.2L REVOTRON' row names two engines, no variant."""
    specs = write(
        tmp_path,
        "acme_pixie.txt",
        "BRAND: Acme\nMODEL: Pixie\n\n"
        "FUSES\nBATTERY\n60A\n\n"
        "Spark plug gap 0.8 mm\nTightening Torque - 30 Nm\n\n"
        "Parameter Diesel Petrol\n"
        "Model/type 1.05L  DIESELTEC 1.2L PETROLTEC\n",
    )
    assert not facts(specs, "battery_capacity")
    assert not facts(specs, "torque")
    assert all(f.variant is None or "Model" not in f.variant for f in specs.facts)


def test_a_list_under_a_variant_heading_is_that_variant(tmp_path: Path) -> None:
    """The RAV4 article: every item under '**Petrol Models (2024):**' is that variant's,
    named items add their name unless it names the quantity (over a named item the heading's
    grouping word 'Models' is no part of the name); a topic heading adds none."""
    specs = write(
        tmp_path,
        "acme_tundra.md",
        "---\nbrand: Acme\nmodel: Tundra\n---\n\n# Acme Tundra\n\n"
        "**Powertrains:**\n\n"
        "**Petrol Models (2024):**\n"
        "- 1.6-liter four-cylinder engine\n"
        "- Output: 150 horsepower, 200 lb-ft torque\n"
        "- Six-speed automatic transmission\n"
        "**Hybrid Models:**\n"
        "- Front motor: 110 hp, 150 lb-ft torque\n"
        "- Fuel economy: Up to 45 city / 41 highway / 43 combined MPG\n"
        "- Combined output: 190 horsepower (2024), 200 horsepower (2025)\n\n"
        "**Charging:**\n"
        "- Battery: 1.6 kWh\n\n"
        "**Long Range Battery (80 kWh usable):**\n"
        "- RWD: Up to 300 miles EPA-estimated range\n"
        "- AWD: Up to 280 miles EPA-estimated range\n",
    )
    assert _by_variant(specs, "power") == {
        "Petrol Models": (150.0,),
        "Hybrid Front motor": (110.0,),
        "Hybrid Models 2024": (190.0,),
        "Hybrid Models 2025": (200.0,),
    }
    assert _by_variant(specs, "torque")["Petrol Models"] == (200.0,)
    assert one(specs, "displacement").variant == "Petrol Models"
    assert one(specs, "transmission").variant == "Petrol Models"
    economy = {
        (f.attribute, f.numbers) for f in specs.facts if f.attribute.startswith("fuel_economy")
    }
    assert economy == {
        ("fuel_economy_city", (45.0,)),
        ("fuel_economy_highway", (41.0,)),
        ("fuel_economy_combined", (43.0,)),
    }
    batteries = {f.numbers: f.variant for f in facts(specs, "battery_capacity")}
    assert batteries[(1.6,)] is None  # "Charging" is a topic
    assert _by_variant(specs, "electric_range") == {
        "Long Range Battery RWD": (300.0,),  # an item naming a variant joins its heading
        "Long Range Battery AWD": (280.0,),
    }


def test_a_sub_model_named_by_a_heading_or_a_sentence(tmp_path: Path) -> None:
    """'What is the RAV4 Prime…' scopes its section to the Prime; '…sold as the Aurora X5
    Hybrid, … an 18.4 kWh battery' gives the battery to the Hybrid, even hard-wrapped, and a
    later '### Hybrid system' heading scopes its section; a range on a full tank is no
    electric range. A word that is no designation ('Prime', 'Hybrid') makes a sub-model only
    when the document names it after the car more than once."""
    specs = write(
        tmp_path,
        "zephyr.md",
        "---\nmodel: Zephyr Q7\n---\n\n# Zephyr Q7 Specifications\n\n## Overview\n\n"
        "The Zephyr Q7 is a compact SUV. It is also sold as the Zephyr Q7\n"
        "Hybrid, which pairs the petrol engine with a motor and a\n"
        "15.5 kWh battery. The Zephyr Q7 has a length of 4,400 mm.\n\n"
        "### Hybrid system\n\n"
        "The battery gives an electric range of 60 km, and with the 40-litre fuel tank the\n"
        "total range is about 900 km. The Zephyr Q7 Hybrid charges in 3 hours.\n\n"
        "## What is the Zephyr Q7 Sport?\n\n"
        "The Zephyr Q7 Sport is the quickest.\n\n- 0-100 km/h: 6.9 s\n\n"
        "## Zephyr Q7 Key Features\n\n- Kerb weight: 1,450 kg\n",
    )
    assert one(specs, "battery_capacity").variant == "Zephyr Q7 Hybrid"
    assert one(specs, "length").variant is None
    assert _by_variant(specs, "electric_range") == {"Zephyr Q7 Hybrid": (60.0,)}
    assert one(specs, "acceleration_0_100").variant == "Zephyr Q7 Sport"
    # a title-case heading's next word is no sub-model unless the text names it again
    assert one(specs, "kerb_weight").variant is None


def test_a_range_between_fill_ups_is_no_electric_range(tmp_path: Path) -> None:
    """The Meridian S brochure: a tank and an economy give a range, driven on fuel."""
    specs = write(
        tmp_path,
        "acme_meteor.txt",
        "BRAND: Acme\nMODEL: Meteor\n\n"
        "The 48-litre fuel tank and 5.5 L/100km economy give a range of about 870 km\n"
        "between fill-ups. Its battery-only range is 55 km.\n",
    )
    assert _by_variant(specs, "electric_range") == {None: (55.0,)}


def test_chinese_version_names_and_their_subjects(tmp_path: Path) -> None:
    """Wuling Xingchen: the bracketed version is the subject, not the one it is compared
    with ('它与…版相差') nor what it keeps ('保留了…版'); a model code after the car's name
    is a version ('G3i 460G搭载了…'); '这10万起的售价' points back, it is no price."""
    specs = write(
        tmp_path,
        "jike.md",
        "# 极氪001新车型上市\n\n"
        "首先是入门车型「自动星耀版」，它与手动舒适版相差1万元，其变速箱升级为CVT变速箱。\n\n"
        "「手动舒适版／手动豪华版」都配备了6速手动变速箱。\n\n"
        "它保留了极氪001四驱版的布局，采用五座设计。\n\n"
        "其中，极氪001 LR搭载了86kWh的电池，续航里程为546km；"
        "极氪001 XR搭载了100kWh的电池，续航里程为620km。\n\n"
        "极氪001 SR和极氪001 TR均搭载的是75kWh的电池。\n\n"
        "售价为28.1万元。回头再看这28万起的售价，很有竞争力。\n",
    )
    gearboxes = {f.value: f.variant for f in facts(specs, "transmission")}
    assert gearboxes == {"CVT变速箱": "自动星耀版", "6速手动变速箱": "手动舒适版/手动豪华版"}
    assert one(specs, "seats").variant is None
    assert _by_variant(specs, "battery_capacity") == {
        "极氪001 LR": (86.0,),
        "极氪001 XR": (100.0,),
        "极氪001 SR": (75.0,),  # two versions joined: the figure is each one's
        "极氪001 TR": (75.0,),
    }
    assert _by_variant(specs, "electric_range") == {"极氪001 LR": (546.0,), "极氪001 XR": (620.0,)}
    assert _by_variant(specs, "price") == {None: (281000.0,)}


def _fact(variant: str | None) -> Fact:
    return Fact("acme-nova", "power", "61 kW", (61.0,), "kW", variant=variant)


def test_one_engine_named_several_ways_is_one_variant() -> None:
    """The Venue brochure names its turbo engine 'Kappa 1.0 l Turbo GDi' in the spec table
    and '… petrol' over its performance page: one variant. Different fuels stay apart, and
    so do names that differ by more than a fuel word."""
    names = [
        "Alpha 1.0 l Turbo",
        "Alpha 1.0 l Turbo",
        "Alpha 1.0 l Turbo petrol",
        "Beta 1.5 l CRDi VGT",
        "Beta 1.5 l CRDi VGT",
        "Beta 1.5 l CRDi diesel",
        "Beta 1.5 l CRDi Diesel",
        "1.5 litre petrol",
        "1.5 litre diesel",
        "2.0T",
        "2.0T AWD",
        "1.6 l turbo petrol",
        "1.6 l turbo sport",
        None,
    ]
    unified = [f.variant for f in unify_variants([_fact(n) for n in names])]
    assert unified == [
        "Alpha 1.0 l Turbo",
        "Alpha 1.0 l Turbo",
        "Alpha 1.0 l Turbo",
        "Beta 1.5 l CRDi VGT",
        "Beta 1.5 l CRDi VGT",
        "Beta 1.5 l CRDi VGT",
        "Beta 1.5 l CRDi VGT",
        "1.5 litre petrol",
        "1.5 litre diesel",
        "2.0T",
        "2.0T AWD",
        "1.6 l turbo petrol",
        "1.6 l turbo sport",
        None,
    ]


def test_named_lines_under_a_sentence_that_introduces_them(tmp_path: Path) -> None:
    """The G3i article: '…售价区间为…，其中：' then one 'version：price' line per version,
    blank lines between them; the range stays beside its ends."""
    specs = write(
        tmp_path,
        "jike_prices.md",
        "# 极氪001正式上市\n\n共推出两款车型，售价区间为28.1-30.5万元，其中：\n\n"
        "极氪001 LR：28.1万元\n\n极氪001 XR：30.5万元\n\n图片来源：网络\n",
    )
    assert _by_variant(specs, "price") == {
        None: (281000.0, 305000.0),
        "极氪001 LR": (281000.0,),
        "极氪001 XR": (305000.0,),
    }


def test_drive_written_out_and_when_it_is_no_spec(tmp_path: Path) -> None:
    """'Available with front-wheel drive or all-wheel drive' and 'All versions are
    front-wheel drive' state the drive; a question, 'on most trims' and 'RWD (…) or AWD'
    do not say which the car has. MPGe is only ever an electric consumption."""
    specs = write(
        tmp_path,
        "acme_ranger.md",
        "---\nbrand: Acme\nmodel: Ranger\n---\n\n# Acme Ranger\n\n"
        "**Petrol Models (2024):**\n"
        "- Available with front-wheel drive or all-wheel drive\n\n"
        "Does the Ranger come with AWD? Standard all-wheel drive on most hybrid trims.\n"
        "The Limited is available with RWD (300-mile range) or AWD configurations.\n\n"
        "## Plug-in\n\nIt is rated at 90 MPGe combined. All versions are four-wheel drive.\n",
    )
    drives = {(f.value, f.variant) for f in facts(specs, "drive")}
    assert drives == {
        ("front-wheel drive or all-wheel drive", "Petrol Models"),
        ("four-wheel drive", None),
    }
    assert one(specs, "electric_consumption").numbers == (90.0,)


def test_a_heading_line_naming_a_sub_model_scopes_the_lines_below(tmp_path: Path) -> None:
    """The Golf article: '**Golf GTI:**' and '**Golf R:**' over their spec lists, under a
    question naming both (which names neither alone); the title names the car itself."""
    specs = write(
        tmp_path,
        "golf.md",
        "# Volkswagen Golf Sport: an overview\n\n"
        "## How do the Golf Sport and Golf X compare?\n\n"
        "The Golf Sport is the lighter of the two.\n\n"
        "**Golf Sport:**\n- Power: 200 horsepower\n- Drivetrain: Front-wheel drive\n\n"
        "**Golf X:**\n- Power: 300 horsepower\n- 0-60 mph: 4.9 seconds\n",
    )
    assert _by_variant(specs, "power") == {"Golf Sport": (200.0,), "Golf X": (300.0,)}
    assert one(specs, "acceleration_0_60").variant == "Golf X"


def test_the_next_line_is_no_sub_model(tmp_path: Path) -> None:
    """'Model: Lumen E2' then 'Body style: …' on the next line: 'Body' is no model word, so
    every figure stays the car's (the prices name their trims in brackets)."""
    specs = write(
        tmp_path,
        "acme_glow.txt",
        "Glow E3 - Technical Specifications\n\nThe Glow E3 is a small electric car.\n\n"
        "Model: Glow E3\nBody style: 5-door hatchback\nTop speed: 150 km/h\n"
        "Price (Glow E3 Core): EUR 27,900\nPrice (Glow E3 Plus): EUR 30,900\n\n"
        "The Glow E3 Plus adds a heat pump to the Glow E3 Core.\n",
    )
    assert one(specs, "top_speed").variant is None
    assert _by_variant(specs, "price") == {"Glow E3 Core": (27900.0,), "Glow E3 Plus": (30900.0,)}


def test_a_combined_range_beside_a_pure_electric_one_is_on_fuel(tmp_path: Path) -> None:
    """A plug-in hybrid's sheet: 纯电续航 is its electric range, 综合续航 battery and tank
    together; an electric car's lone 综合续航 stays its electric range."""
    hybrid = write(
        tmp_path,
        "jike_phev.md",
        "# 极氪001插混版参数\n\n纯电续航里程（WLTC）：90 km\n\n综合续航里程：约1100 km\n",
    )
    assert _by_variant(hybrid, "electric_range") == {None: (90.0,)}
    electric = write(tmp_path, "jike_ev.md", "# 极氪001参数\n\n综合续航里程：620 km\n")
    assert _by_variant(electric, "electric_range") == {None: (620.0,)}


def test_each_figure_of_a_row_with_its_own_engine_speed(tmp_path: Path) -> None:
    """The Tiago manual's spec table: 'Parameter Diesel Petrol' names the columns, and each
    figure has its own speed, one with a tolerance ('@ 4000 +/-50 rpm')."""
    specs = write(
        tmp_path,
        "acme_pixie_spec.txt",
        "BRAND: Acme\nMODEL: Pixie\n\nParameter Diesel Petrol\n"
        "Max. Engine output 72 PS @ 4000 +/-50 rpm 86 PS @ 6000 rpm\n"
        "Max. Torque 150 Nm @ 1750 - 3000 rpm 115 Nm @ 3500 +/- 70 rpm\n",
    )
    assert _by_variant(specs, "power") == {"Diesel": (72.0,), "Petrol": (86.0,)}
    assert _by_variant(specs, "power_rpm") == {"Diesel": (4000.0,), "Petrol": (6000.0,)}
    assert _by_variant(specs, "torque_rpm") == {"Diesel": (1750.0, 3000.0), "Petrol": (3500.0,)}


def test_counts_a_sentence_states_and_a_wrapped_engine_name(tmp_path: Path) -> None:
    """The Nexon brochure text: 'Seating capacity is five.'; 'a 1.5-litre' at a line's end
    names the '4-cylinder diesel engine' on the next."""
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\nThe Ranger is offered with a 1.5-litre\n"
        "4-cylinder diesel engine. Seating capacity is five.\n",
    )
    assert one(specs, "seats").numbers == (5.0,)
    cylinders = one(specs, "cylinders")
    assert (cylinders.numbers, cylinders.variant) == ((4.0,), "1.5-litre")
