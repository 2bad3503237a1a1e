"""Round sixteen's English shapes (issue 14): a version named after a run of figures ("… and
… with the manual", "… manual"), after the engine its line's label names; a code before "on"
and its tyres; a version's name before a bracket that opens with its figure; a kW figure paired
with a torque is the power; a title's year that dates the piece is no model year. The texts are
invented for these tests (not the cars' real figures).
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, write


def _values(specs: DocumentSpecs, attribute: str) -> set[tuple[str | None, float]]:
    return {(f.variant, round(f.numbers[0], 2)) for f in facts(specs, attribute) if f.numbers}


def _texts(specs: DocumentSpecs, attribute: str) -> set[tuple[str | None, str]]:
    return {(f.variant, f.value) for f in facts(specs, attribute)}


_CHAPTERS = (
    "Mahindra Scorpio N long-term test, part two\n\n"
    "CHAPTERS\n"
    "00:00 Intro\n"
    "01:15 Engines - 2.0-litre mStallion turbo-petrol: 150PS and 300Nm with the manual, "
    "170PS and 350Nm with the automatic\n"
    "02:40 Engines - 2.2-litre mHawk diesel: 130PS and 300Nm manual, 160PS and 360Nm automatic\n"
    "03:30 Gearboxes - a 6-speed manual or a 6-speed automatic\n"
    "05:10 Wheels and tyres - Z4 on 215/65 R17, Z8L on 245/55 R18\n"
)


def test_a_version_after_a_run_of_figures_holds_for_each(tmp_path: Path) -> None:
    specs = write(tmp_path, "scorpio.txt", _CHAPTERS)
    assert _values(specs, "power") == {
        ("mStallion turbo-petrol manual", 150.0),
        ("mStallion turbo-petrol automatic", 170.0),
        ("mHawk diesel manual", 130.0),
        ("mHawk diesel automatic", 160.0),
    }
    assert _values(specs, "torque") == {
        ("mStallion turbo-petrol manual", 300.0),
        ("mStallion turbo-petrol automatic", 350.0),
        ("mHawk diesel manual", 300.0),
        ("mHawk diesel automatic", 360.0),
    }
    # a gearbox's own "6-speed manual" is no version of itself
    assert {variant for variant, _ in _texts(specs, "transmission")} == {None}


def test_a_code_before_on_is_the_version_of_its_tyres(tmp_path: Path) -> None:
    specs = write(tmp_path, "scorpio.txt", _CHAPTERS)
    assert _texts(specs, "tyres") == {("Z4", "215/65 R17"), ("Z8L", "245/55 R18")}


def test_a_bracket_after_a_versions_name_holds_its_figure(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "palisade.md",
        "# Hyundai Palisade review\n\n"
        "The Hyundai Palisade hybrid pairs a 2.5-litre turbo with two motors, 240kW and 450Nm "
        "combined. It is sold as the Elite Hybrid ($74,000) and the Calligraphy Hybrid "
        "($86,000).\n",
    )
    assert _values(specs, "price") == {("Elite Hybrid", 74000.0), ("Calligraphy Hybrid", 86000.0)}
    assert {n for _, n in _values(specs, "power")} == {240.0}


def test_kw_paired_with_a_torque_is_power(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "ev9.md",
        "# Kia EV9 review\n\nThe Kia EV9 has one 150kW, 340Nm motor and charges at up to "
        "200kW on a DC charger.\n",
    )
    assert {n for _, n in _values(specs, "power")} == {150.0}


def test_a_title_year_that_dates_the_piece_is_no_model_year(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "best.md",
        "# The best small hatchbacks of 2026\n\n## Volkswagen Polo\n\n"
        "The Volkswagen Polo GTI makes 152kW and 320Nm.\n",
    )
    assert all("2026" not in (f.variant or "") for f in specs.facts)


def test_a_version_that_costs_a_price_ending_its_clause(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "cx80.md",
        "# Mazda CX-80 review\n\nThe Mazda CX-80 comes as a diesel or a plug-in. The D50e "
        "Touring costs $72,000 and the P50e GT is dearer. The D50e costs $550 a year to "
        "service.\n",
    )
    assert _values(specs, "price") == {("D50e Touring", 72000.0)}


def test_a_rivals_line_opening_a_sentence_owns_its_figures(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "triton.txt",
        "Mitsubishi Triton video review\n\n"
        "The Mitsubishi Triton makes 150kW at 3500rpm and 470Nm. The Ranger's V6, for the "
        "record, is 184kW and 600Nm.\n",
    )
    assert {n for _, n in _values(specs, "power")} == {150.0}
    assert {n for _, n in _values(specs, "torque")} == {470.0}
    assert all(f.car == "mitsubishi-triton" for f in specs.facts if f.numbers[:1] != [184.0])


def test_a_seasons_year_in_a_title_is_no_model_year(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "fleet.md",
        "# Fleet guide, winter 2026\n\nThe Toyota Camry Hybrid XLE makes 225 hp.\n",
    )
    assert all("2026" not in (f.variant or "") for f in specs.facts)


def test_a_boot_measured_with_the_seats_up_says_so(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "polo.md",
        "# Volkswagen Polo FAQ\n\nThe Volkswagen Polo's boot holds 350 litres with the rear "
        "seats up. The Volkswagen Polo produces 70 kW (95 PS) and 175 Nm.\n",
    )
    assert _values(specs, "boot_volume") == {("rear seats up", 350.0)}
    assert {n for _, n in _values(specs, "power")} == {70.0}
