"""An electric car's MPG columns are MPGe: read so, and converted to kWh/100km, never litres.

Synthetic documents in the EPA guide's shapes (a data-set CSV, a rendered page's table and
its sentences); the figures are made up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.specs import DocumentSpecs
from ingest.specs.electric import runs_on_electricity
from tests.test_specs_extract import write

_HEADER = (
    "Model,Displ,Cyl,Trans,Drive,Fuel,Cert Region,Stnd,Stnd Description,Underhood ID,"
    "Veh Class,Air Pollution Score,City MPG,Hwy MPG,Cmb MPG,Greenhouse Gas Score,SmartWay,"
    "Comb CO2"
)
_CSV = "\n".join(
    [
        _HEADER,
        "NISSAN Leaf,N/A,N/A,Auto-1,2WD,Electricity,FA,T3B0,Tier 3 Bin 0,XNSXV0000AAA,"
        "midsize car,10,130,104,117,10,Elite,0",
        "NISSAN Altima,2.5,4,CVT,2WD,Gasoline,FA,T3B70,Tier 3 Bin 70,XNSXV02.5BBB,"
        "midsize car,5,27,37,31,7,Yes,287",
        "HONDA Clarity,N/A,N/A,Auto-1,2WD,Electricity,FA,T3B0,Tier 3 Bin 0,XHNXV0000CCC,"
        "midsize car,10,121,98,109,10,Elite,0",
        "HONDA Clarity,1.5,4,CVT,2WD,Gasoline/Electricity,FA,T3B30,Tier 3 Bin 30,XHNXV01.5DDD,"
        "midsize car,7,41/111,38/99,40/105,10,Elite,80",
    ]
)

_PAGE = "\n".join(
    [
        "# 2018 CHEVROLET Bolt EV: EPA fuel economy and emissions data",
        "",
        "- Manufacturer: CHEVROLET",
        "- Model (as listed by EPA): Bolt EV",
        "",
        "## Configuration table",
        "",
        "| # | Displacement (L) | Cylinders | Transmission | Drive | Fuel | City MPG | Hwy MPG "
        "| Combined MPG | Combined CO2 (g/mile) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        "| 1 | N/A | N/A | Auto-1 | 2WD | Electricity | 131 | 107 | 118 | 0 |",
        "",
        "## Configurations in words",
        "",
        "Configuration 1: the 2018 CHEVROLET Bolt EV with an electric drive, running on "
        "Electricity. EPA fuel economy is 131 MPG city, 107 MPG highway and 118 MPG combined.",
        "",
    ]
)

_ECONOMY = ("fuel_economy_city", "fuel_economy_highway", "fuel_economy_combined")


def _economy(specs: DocumentSpecs, car: str) -> dict[str, list[tuple[float, str | None]]]:
    out: dict[str, list[tuple[float, str | None]]] = {}
    for f in specs.facts:
        if f.car == car and f.attribute in _ECONOMY:
            out.setdefault(f.attribute, []).append((f.numbers[0], f.unit))
    return out


def test_csv_electric_row_is_mpge_and_petrol_row_mpg(tmp_path: Path) -> None:
    specs = write(tmp_path, "all_alpha_99.csv", _CSV)
    leaf = [f for f in specs.facts if f.car == "nissan-leaf" and f.attribute in _ECONOMY]
    assert sorted((f.attribute, f.numbers[0], f.unit) for f in leaf) == [
        ("fuel_economy_city", 130.0, "MPGe"),
        ("fuel_economy_combined", 117.0, "MPGe"),
        ("fuel_economy_highway", 104.0, "MPGe"),
    ]
    combined = next(f for f in leaf if f.attribute == "fuel_economy_combined")
    # 33.7 kWh a gallon equivalent: 3370 kWh per 100 gallons over 117 miles, per 1.609344 km
    assert combined.normalized_unit == "kWh/100km"
    assert combined.normalized == pytest.approx(3370 / (117 * 1.609344), rel=1e-4)
    altima = _economy(specs, "nissan-altima")
    assert altima["fuel_economy_combined"] == [(31.0, "mpg")]


def test_csv_electric_row_of_a_car_with_a_plug_in_row(tmp_path: Path) -> None:
    """The Clarity's electric row is MPGe though its other row runs on two fuels, whose
    "Cmb MPG: 40/105" (one figure a fuel) is no city/highway pair: gasoline's 40 mpg and
    electricity's 105 MPGe, each its own combined figure."""
    specs = write(tmp_path, "all_alpha_99.csv", _CSV)
    clarity = _economy(specs, "honda-clarity")
    assert (109.0, "MPGe") in clarity["fuel_economy_combined"]
    assert {(40.0, "mpg"), (105.0, "MPGe")} <= set(clarity["fuel_economy_combined"])
    assert (105.0, "mpg") not in [f for figures in clarity.values() for f in figures]
    assert all(figure[0] != 40.0 for figure in clarity.get("fuel_economy_highway", []))


def test_rendered_page_table_and_sentences_are_mpge(tmp_path: Path) -> None:
    specs = write(tmp_path, "chevrolet_bolt_ev.md", _PAGE)
    economy = _economy(specs, "chevrolet-bolt-ev")
    assert economy["fuel_economy_city"] == [(131.0, "MPGe")]
    assert economy["fuel_economy_highway"] == [(107.0, "MPGe")]
    assert economy["fuel_economy_combined"] == [(118.0, "MPGe")]
    assert all(
        f.normalized_unit == "kWh/100km"
        for f in specs.facts
        if f.attribute in _ECONOMY and f.normalized is not None
    )


def test_a_petrol_page_keeps_mpg(tmp_path: Path) -> None:
    page = _PAGE.replace("Electricity", "Gasoline").replace("N/A | N/A", "1.5 | 4")
    specs = write(tmp_path, "chevrolet_bolt_ev.md", page)
    combined = _economy(specs, "chevrolet-bolt-ev")["fuel_economy_combined"]
    assert combined == [(118.0, "mpg")]


@pytest.mark.parametrize(
    ("fuel", "electric"),
    [
        ("Electricity", True),
        ("electric", True),
        ("纯电动", True),
        ("Gasoline/Electricity", False),
        ("Hybrid Electric", False),
        ("Gasoline", False),
    ],
)
def test_runs_on_electricity(fuel: str, electric: bool) -> None:
    assert runs_on_electricity(fuel) is electric
