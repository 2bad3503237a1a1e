"""The spec sheets of our own sample corpus (`data/samples`, what `make run` indexes and a new
user sees first), read as a user drops them in: a motor's power line, a city cycle's range and
a folded-seats boot beside the car's own, a combined length/width/height line, a plug-in's
part outputs and depleted economy beside its system output and weighted economy, a table
cell giving two versions' weights, a brochure line restated by its own first page, and a
Chinese title naming the car in both languages. The registry's half: a document's model
year does not keep a figure apart from the same figure of a document that gives no year.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.ledger import Ledger
from ingest.specs import DocumentSpecs
from ingest.specs.model import CarRef
from ingest.specs.registry import CarRegistry
from tests.test_specs_extract import facts, specs_of, write
from tests.test_specs_registry import fact, save

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="module")
def samples() -> dict[str, DocumentSpecs]:
    return {path.name: specs_of(path)[0] for path in sorted(SAMPLES.iterdir())}


def _by_variant(specs: DocumentSpecs, attribute: str) -> dict[str | None, list[float]]:
    out: dict[str | None, list[float]] = {}
    for f in facts(specs, attribute):
        out.setdefault(f.variant, []).append(f.numbers[0])
    return out


def test_a_motor_power_line_is_the_cars_power(samples: dict[str, DocumentSpecs]) -> None:
    """ "Motor power: 85 kW (116 PS)" and "Motor torque: 220 Nm": an electric car's motor
    output is its output."""
    lumen = samples["lumen_e2.txt"]
    assert _by_variant(lumen, "power") == {"2025": [85.0]}
    assert [f.evidence for f in facts(lumen, "torque")] == ["Motor torque: 220 Nm"]


def test_a_city_cycles_range_is_a_condition_not_a_second_range(
    samples: dict[str, DocumentSpecs],
) -> None:
    """ "Range (WLTP): 320 km" is the car's range; "Range (WLTP city): 410 km" that range in
    the city cycle (its own variant), so the two are no conflict."""
    ranges = _by_variant(samples["lumen_e2.txt"], "electric_range")
    assert ranges == {"2025": [320.0], "2025 · WLTP city": [410.0]}


def test_a_bracketed_figure_of_the_same_unit_is_another_measure_not_part_of_the_value(
    samples: dict[str, DocumentSpecs],
) -> None:
    """ "330 litres (1,050 litres with rear seats folded)": the boot is "330 litres", not a
    value cut off inside an open bracket; "85 kW (116 PS)" still restates itself."""
    (boot,) = facts(samples["lumen_e2.txt"], "boot_volume")
    assert boot.value == "330 litres"
    (power,) = facts(samples["lumen_e2.txt"], "power")
    assert power.value == "85 kW (116 PS)"


def test_a_slash_list_of_dimensions_gives_each_its_own_figure(
    samples: dict[str, DocumentSpecs],
) -> None:
    """ "长/宽/高：4560/1860/1680 mm": the length's value is "4560", not the whole list."""
    hybrid = samples["aurora_x5_hybrid_zh.txt"]
    shown = {a: [f.value for f in facts(hybrid, a)] for a in ("length", "width", "height")}
    assert shown == {"length": ["4560"], "width": ["1860"], "height": ["1680"]}


def test_a_plug_ins_part_outputs_are_its_parts_and_the_system_figure_the_cars(
    samples: dict[str, DocumentSpecs],
) -> None:
    """A `参数：值` block's "发动机最大功率" and "电动机最大功率" are each part's (its variant);
    "系统综合功率：200 kW" is the car's, with no conflict among them."""
    hybrid = samples["aurora_x5_hybrid_zh.txt"]
    assert _by_variant(hybrid, "power") == {"发动机": [110.0], "电动机": [120.0], None: [200.0]}
    assert _by_variant(hybrid, "torque") == {"发动机": [250.0], "电动机": [300.0], None: [520.0]}


def test_a_depleted_economy_beside_a_weighted_one_is_a_condition(
    samples: dict[str, DocumentSpecs],
) -> None:
    """ "加权百公里油耗：1.3 L/100km" is the plug-in's combined economy; "亏电百公里油耗：4.5"
    (and the sentence repeating it) that economy with the battery depleted."""
    economy = _by_variant(samples["aurora_x5_hybrid_zh.txt"], "fuel_economy_combined")
    assert economy == {None: [1.3], "亏电": [4.5]}


def test_a_depleted_economy_alone_stays_the_combined_one(tmp_path: Path) -> None:
    """With no weighted figure beside it, a depleted economy is the car's combined one (the
    gold's convention for range extenders and plug-ins that give only that)."""
    specs = write(
        tmp_path,
        "song.txt",
        "比亚迪宋L参数\n\n比亚迪宋L是一款插混SUV。\n\n"
        "油箱容积：52 L\n亏电百公里油耗：3.8 L/100km\n",
    )
    assert _by_variant(specs, "fuel_economy_combined") == {None: [3.8]}


def test_a_folded_seats_boot_row_is_that_measure_and_a_cell_names_each_versions_weight(
    samples: dict[str, DocumentSpecs],
) -> None:
    """ "| Boot volume (seats folded) | 1,560 L | 1,490 L |" is the boot with the seats folded
    (no conflict with the seats-up row); "1,535 kg (1.5T) / 1,690 kg (2.0T AWD)" in the
    "1.5T / 2.0T" column gives each version its weight."""
    x5 = samples["aurora_x5.md"]
    boot = _by_variant(x5, "boot_volume")
    assert boot["Hybrid"] == [455.0] and boot["Hybrid, seats folded"] == [1490.0]
    assert boot["1.5T / 2.0T, seats folded"] == [1560.0]
    weights = _by_variant(x5, "kerb_weight")
    assert weights == {"2025 · 1.5T": [1535.0], "2025 · 2.0T AWD": [1690.0], "Hybrid": [1820.0]}


def test_a_brochures_lines_stay_beside_its_first_pages_restatement(
    samples: dict[str, DocumentSpecs],
) -> None:
    """Page 1 restates "delivers 124 kW (169 PS) and 275 Nm" (read with an engine as its
    variant) what page 2's "Maximum power 124 kW (169 PS) at 5,500 rpm" lists: the sentence
    adds nothing, and the line is still the car's power (not dropped as a restatement of a
    sentence that is itself dropped)."""
    pdf = samples["meridian_s_brochure.pdf"]
    assert _by_variant(pdf, "power") == {None: [124.0]}
    assert _by_variant(pdf, "torque") == {None: [275.0]}
    assert _by_variant(pdf, "fuel_economy_combined") == {None: [5.9]}


def test_a_chinese_title_naming_the_car_in_both_languages_gives_an_alias(
    samples: dict[str, DocumentSpecs],
) -> None:
    """ "子午线S（Meridian S）参数配置详解", in a document whose front matter names the car:
    子午线S is the Meridian S's alias."""
    (car,) = samples["meridian_s_zh.md"].cars
    assert car.id == "meridian-s" and "子午线S" in car.aliases


MERIDIAN = CarRef("meridian-s", "Meridian S")


@pytest.fixture
def ledger(database: Callable[[str], Path | str]) -> Iterator[Ledger]:
    ledger = Ledger(database("ledger"))
    yield ledger
    ledger.close()


def test_a_model_years_figure_agreeing_with_a_yearless_one_is_one_spec(ledger: Ledger) -> None:
    """The brochure gives no year, the Chinese page "2025": the same wheelbase is one spec
    citing both, and so is a version's ("2025 · Hybrid" and "Hybrid"); a year's figure that
    differs stays that year's (no conflict either)."""
    save(
        ledger,
        "brochure",
        DocumentSpecs(
            cars=[MERIDIAN],
            facts=[
                fact(MERIDIAN, "wheelbase", "2,830 mm", (2830.0,), "mm"),
                fact(MERIDIAN, "length", "4,850 mm", (4850.0,), "mm"),
                fact(MERIDIAN, "co2", "30 g/km", (30.0,), "g/km", variant="Hybrid"),
            ],
        ),
    )
    save(
        ledger,
        "zh",
        DocumentSpecs(
            cars=[MERIDIAN],
            facts=[
                fact(MERIDIAN, "wheelbase", "2830 mm", (2830.0,), "mm", variant="2025"),
                fact(MERIDIAN, "length", "4860 mm", (4860.0,), "mm", variant="2025"),
                fact(MERIDIAN, "co2", "30 g/km", (30.0,), "g/km", variant="2025 · Hybrid"),
            ],
        ),
    )
    sheet = CarRegistry(ledger.database).sheet("meridian-s")
    assert sheet is not None and sheet.conflicts == []
    (wheelbase,) = [s for s in sheet.specs if s.attribute == "wheelbase"]
    assert wheelbase.variant is None
    assert [c.doc_id for c in wheelbase.citations] == ["brochure", "zh"]
    lengths = {s.variant: s.numbers for s in sheet.specs if s.attribute == "length"}
    assert lengths == {None: (4850.0,), "2025": (4860.0,)}
    (co2,) = [s for s in sheet.specs if s.attribute == "co2"]  # "2025 · Hybrid" is "Hybrid"
    assert co2.variant == "Hybrid" and len(co2.citations) == 2
