"""Round fifteen's English shapes and the registry's version cars: a maker's results release
whose table names its cars in a Model column (rows of model × powertrain), an inspection
report (its vehicle line's trim, an engine line of figures, a reading left out), a cell of
two economies each named by its words, a Chinese bracket giving the folded-seats boot, and a
version whose name makes a car another document is about. The texts are invented for these
tests; no alias file names their models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.ledger import Ledger
from ingest.specs import DocumentSpecs
from ingest.specs.model import CarRef
from ingest.specs.registry import CarRegistry
from ingest.specs.variant_cars import variant_car
from tests.test_specs_extract import facts, write
from tests.test_specs_registry import fact, save


def _values(specs: DocumentSpecs, attribute: str) -> dict[tuple[str, str | None], list[float]]:
    out: dict[tuple[str, str | None], list[float]] = {}
    for f in facts(specs, attribute):
        out.setdefault((f.car, f.variant), []).extend(f.numbers[:1])
    return out


RELEASE = (
    "# Skoda Auto India reports a record half year\n\n"
    "**Pune, 2 October 2026**: revenue rose 12% and the plant built 61,000 cars.\n\n"
    "## Line-up\n\n"
    "| Model | Powertrain | Power | Torque | Gearbox | H1 volume | Ex-showroom from |\n"
    "|---|---|---|---|---|---|---|\n"
    "| Kushaq | 1.0 TSI petrol | 115PS | 178Nm | 6MT / 6AT | 12,400 | ₹11.20 lakh |\n"
    "| Kushaq | 1.5 TSI petrol | 150PS | 250Nm | 7DSG | 5,100 | ₹16.40 lakh |\n"
    "| Slavia | 1.0 TSI petrol | 115PS | 178Nm | 6MT | 9,300 | ₹10.70 lakh |\n\n"
    "The next model, due in 2028, is expected to offer 200PS.\n"
)


def test_a_results_release_table_names_its_cars_and_versions_by_its_model_column(
    tmp_path: Path,
) -> None:
    """ "| Model | Powertrain | …" over "| Kushaq | 1.0 TSI petrol | …": the make is written
    once in the title, each row's model is a line of that make (a car), the powertrain cell
    its version (and the engine's size); the volume column is no figure of the car, a
    "6MT / 6AT" cell two gearboxes, an "Ex-showroom from" cell the price, and a figure a
    coming model "is expected to offer" nobody's."""
    specs = write(tmp_path, "release.md", RELEASE)
    assert {c.id for c in specs.cars} == {"skoda-kushaq", "skoda-slavia"}
    assert _values(specs, "power") == {
        ("skoda-kushaq", "1.0 TSI petrol"): [115.0],
        ("skoda-kushaq", "1.5 TSI petrol"): [150.0],
        ("skoda-slavia", "1.0 TSI petrol"): [115.0],
    }
    assert _values(specs, "displacement")[("skoda-kushaq", "1.5 TSI petrol")] == [1.5]
    gearboxes = {f.value for f in facts(specs, "transmission", "skoda-kushaq")}
    assert gearboxes == {"6MT", "6AT", "7DSG"}
    assert _values(specs, "price")[("skoda-kushaq", "1.0 TSI petrol")] == [1120000.0]


def test_a_model_column_of_a_make_the_text_never_writes_names_no_car(tmp_path: Path) -> None:
    """The same table under a title naming no make: a model line alone is no car."""
    specs = write(tmp_path, "table.md", RELEASE.replace("Skoda Auto India", "A maker"))
    assert specs.cars == []


def test_an_inspection_reports_vehicle_line_engine_line_and_readings(tmp_path: Path) -> None:
    """A report names its car and trim on a dated line of its own ("2023 Mazda CX-5
    Touring"): the factory figures are that trim's; an "Engine:" line of figures gives the
    size, cylinders, power and torque; a battery "tested 498 CCA" and the trip computer's
    "showed 9.1L/100km" are readings, not the car's figures."""
    specs = write(
        tmp_path,
        "inspection.txt",
        "VEHICLE INSPECTION\n\nVEHICLE\n2023 Mazda CX-5 Touring\nOdometer: 41,200 km\n\n"
        "FACTORY SPECIFICATION\n"
        "Engine: 2.5-litre four-cylinder petrol, 140kW @ 6,000rpm, 252Nm @ 4,000rpm\n"
        "Fuel tank: 58L\n\n"
        "READINGS\n"
        "Battery: 12V, tested 498 CCA\n"
        "Road test: the trip computer showed 9.1L/100km\n\n"
        "NOTES\nThe Touring is the grade above the Maxx Sport.\n",
    )
    assert {c.id for c in specs.cars} == {"mazda-cx-5"}
    figures = {
        a: [(f.variant, f.numbers[0]) for f in facts(specs, a)]
        for a in ("power", "torque", "displacement", "fuel_tank")
    }
    assert {a: [n for _, n in v] for a, v in figures.items()} == {
        "power": [140.0],
        "torque": [252.0],
        "displacement": [2.5],
        "fuel_tank": [58.0],
    }
    assert all((v or "").endswith("Touring") for f in figures.values() for v, _ in f), figures
    assert facts(specs, "battery_capacity") == []
    assert facts(specs, "fuel_economy_combined") == []


def test_a_cell_of_two_economies_each_named_by_its_words(tmp_path: Path) -> None:
    """ "1.6 L/100km weighted; 5.2 L/100km battery depleted": two figures, each its own
    measure, not a cell too unclear to read."""
    specs = write(
        tmp_path,
        "sheet.md",
        "# Kia Sorento specifications\n\n"
        "| Version | Power | Fuel economy (WLTP combined) |\n|---|---|---|\n"
        "| Sorento 2.2D | 148 kW | 7.9 L/100km |\n"
        "| Sorento PHEV | 195 kW | 1.6 L/100km weighted; 5.2 L/100km battery depleted |\n",
    )
    economy = {(f.variant, f.numbers[0]) for f in facts(specs, "fuel_economy_combined")}
    assert ("Sorento PHEV weighted", 1.6) in economy
    assert ("Sorento PHEV battery depleted", 5.2) in economy


def test_a_chinese_bracket_gives_the_folded_seats_boot(tmp_path: Path) -> None:
    """ "后备厢容积：410 L（后排座椅放倒后1380 L）": the car's boot, and the boot with the seats
    folded as that measure's."""
    specs = write(
        tmp_path,
        "xingyue_zh.txt",
        "吉利星越L车型介绍\n\n车身尺寸\n\n轴距：2845 mm\n"
        "后备厢容积：410 L（后排座椅放倒后1380 L）\n",
    )
    boots = {(f.variant, f.numbers[0]) for f in facts(specs, "boot_volume")}
    assert boots == {(None, 410.0), ("座椅放倒", 1380.0)}


def test_a_versions_name_that_makes_a_known_car_is_that_car() -> None:
    known = {"kestrel-k7-phev"}
    assert variant_car("kestrel-k7", "PHEV", known) == ("kestrel-k7-phev", None)
    assert variant_car("kestrel-k7", "2026 · PHEV", known) == ("kestrel-k7-phev", "2026")
    assert variant_car("kestrel-k7", "PHEV, seats folded", known) == (
        "kestrel-k7-phev",
        "seats folded",
    )
    assert variant_car("kestrel-k7", "2.0T", known) is None
    assert variant_car("kestrel-k7", "PHEV", set()) is None  # no document is about that car


@pytest.fixture
def ledger(database: Callable[[str], Path | str]) -> Iterator[Ledger]:
    ledger = Ledger(database("ledger"))
    yield ledger
    ledger.close()


def test_the_registry_gives_a_version_car_its_base_documents_figures(ledger: Ledger) -> None:
    """A brochure of the Kestrel K7 gives its PHEV's range as a version's; a second document
    is about the "Kestrel K7 PHEV": that car's sheet holds both documents' figures, the
    K7's keeps its version."""
    k7 = CarRef("kestrel-k7", "Kestrel K7")
    phev = CarRef("kestrel-k7-phev", "Kestrel K7 PHEV")
    brochure = DocumentSpecs(
        cars=[k7],
        facts=[
            fact(k7, "electric_range", "90 km", (90.0,), "km", variant="PHEV"),
            fact(k7, "power", "180 kW", (180.0,), "kW", variant="2.0T"),
        ],
    )
    save(ledger, "brochure", brochure)
    save(
        ledger,
        "leaflet",
        DocumentSpecs(cars=[phev], facts=[fact(phev, "power", "220 kW", (220.0,), "kW")]),
    )
    registry = CarRegistry(ledger.database)
    sheet = registry.sheet("kestrel-k7-phev")
    assert sheet is not None
    assert {(s.attribute, s.variant, s.value) for s in sheet.specs} == {
        ("electric_range", None, "90 km"),
        ("power", None, "220 kW"),
    }
    base = registry.sheet("kestrel-k7")
    assert base is not None
    assert {(s.attribute, s.variant) for s in base.specs} == {
        ("electric_range", "PHEV"),
        ("power", "2.0T"),
    }


def test_a_tuners_stage_figures_are_not_the_cars(tmp_path: Path) -> None:
    """A tuning shop's page: the factory figures in prose are the car's; a "Stage 1" row or
    list item, a remapped figure and a rolling road's reading are the tuner's."""
    specs = write(
        tmp_path,
        "remaps.md",
        "# Kia Stinger remaps\n\n"
        "The Kia Stinger GT leaves the factory with 370PS and 510Nm.\n\n"
        "| Stinger GT | Power | Torque | Price |\n|---|---|---|---|\n"
        "| Stage 1 | 420PS | 600Nm | £699 |\n\n"
        "- Stage 2, with downpipes (£1,900): 450PS and 640Nm.\n\n"
        "Our demo car made 377PS on the rollers before we touched it.\n",
    )
    assert {f.numbers[0] for f in facts(specs, "power")} == {370.0}
    assert {f.numbers[0] for f in facts(specs, "torque")} == {510.0}


def test_versions_listed_after_a_colon_are_the_subjects_of_the_sentences_they_open(
    tmp_path: Path,
) -> None:
    """ "We stock two Octavias: the 1.5 TSI and the 2.0 TDI Sport." Then a sentence opening
    "The 1.5 TSI …" gives that version's figures, one opening "The 2.0 TDI Sport …" the
    other's, to the end of its paragraph."""
    specs = write(
        tmp_path,
        "stock.md",
        "# Skoda Octavia stock\n\nWe stock two Octavias: the 1.5 TSI and the 2.0 TDI Sport.\n\n"
        "The 1.5 TSI makes 150PS and 250Nm through a 7-speed DSG.\n\n"
        "Diesel buyers have a different choice. The 2.0 TDI Sport makes 150PS and 360Nm.\n",
    )
    torque = {(f.variant, f.numbers[0]) for f in facts(specs, "torque")}
    assert torque == {("1.5 TSI", 250.0), ("2.0 TDI Sport", 360.0)}


def test_a_leads_trim_may_hold_an_engine_size(tmp_path: Path) -> None:
    """ "Learners drive the Toyota Yaris Icon 1.5 (116PS). It is …": the paragraph's figures
    are the Icon 1.5's."""
    specs = write(
        tmp_path,
        "school.txt",
        "OUR CARS\n\nLESSONS: TOYOTA YARIS\n\n"
        "Learners drive the Toyota Yaris Icon 1.5 (116PS). It is a 1.5-litre hybrid "
        "making 116PS and 141Nm.\n",
    )
    (torque,) = facts(specs, "torque")
    assert torque.numbers == (141.0,)
    assert (torque.variant or "").startswith("Yaris Icon 1.5"), torque.variant


def test_a_line_that_opens_against_a_rival_gives_the_rivals_figures(tmp_path: Path) -> None:
    """A video's chapter "14:10 Vs Suzuki Jimny - 102PS, 130Nm": the rival's figures, not
    the reviewed car's; the chapter before it is the car's."""
    specs = write(
        tmp_path,
        "video.txt",
        "Toyota Land Cruiser FJ review\n\nCHAPTERS\n00:00 Intro\n"
        "02:10 Engine - 2.7-litre petrol, 163PS and 246Nm\n"
        "14:10 Vs Suzuki Jimny - 102PS, 130Nm\n15:00 Verdict\n",
    )
    assert {f.numbers[0] for f in facts(specs, "power")} == {163.0}
    assert {f.numbers[0] for f in facts(specs, "torque")} == {246.0}


def test_a_plan_pages_trims_named_at_paragraph_heads(tmp_path: Path) -> None:
    """A multi-car page: a section whose prose names one car is that car's throughout; "The
    Mazda CX-30 Select uses …" leads with its trim (a verb ends the name); the next paragraph
    opening "The Turbo Premium gets …" names another trim of that car alone; "our 2023 cars
    had the 2.0L with 155 hp" is an earlier model's."""
    specs = write(
        tmp_path,
        "plans.md",
        "# Our plans\n\n| Plan | Monthly | Cars |\n|---|---|---|\n"
        "| Basic | $499 | Mazda CX-30 Select |\n| Extra | $599 | Ford Bronco Sport Badlands |\n\n"
        "## Basic plan\n\n"
        "The Mazda CX-30 Select uses a 2.5L four-cylinder with 191 hp and 186 lb-ft.\n\n"
        "Need more? The Turbo Premium gets a 2.5L turbo making 250 hp and 320 lb-ft. Our 2023 "
        "cars had the 2.0L engine with 155 hp.\n\n"
        "## Extra plan\n\nThe Ford Bronco Sport Badlands has 250 hp.\n",
    )
    power = {(f.car, f.variant, f.numbers[0]) for f in facts(specs, "power")}
    assert ("mazda-cx-30", "CX-30 Turbo Premium 2.5L turbo", 250.0) in power, power
    assert any(car == "mazda-cx-30" and (v or "").startswith("CX-30 Select") and n == 191.0
               for car, v, n in power), power  # fmt: skip
    assert not any(n == 155.0 for _, _, n in power), power


def test_a_reference_cards_row_labels_are_the_versions_of_their_figures(tmp_path: Path) -> None:
    """A card of label, gap and value rows, a value's further line indented under it: a
    label naming no attribute ("GLX (2.4L)") is the version of its row's figures; a label
    naming one ("Fuel tank") is not; a wheel nut's torque is no engine torque."""
    specs = write(
        tmp_path,
        "card.txt",
        "MITSUBISHI TRITON - QUICK REFERENCE\n\nENGINE\n"
        "GLX (2.4L)            2.4L 4-cylinder turbo-diesel\n"
        "                      135 kW @ 3,500 rpm / 470 Nm @ 1,500 rpm\n"
        "GLS and GSR           6-speed automatic, part-time 4WD\n"
        "Fuel tank             75 L\n"
        "Wheel nut torque: 100 N.m.\n",
    )
    assert {(f.variant, f.numbers[0]) for f in facts(specs, "power")} == {("GLX (2.4L)", 135.0)}
    assert 100.0 not in {f.numbers[0] for f in facts(specs, "torque")}
    assert {f.variant for f in facts(specs, "fuel_tank")} == {None}
