"""Round thirteen's English car finding: where a reader finds a document's cars that the
title does not name (a catalogue's numbered lot headings with a model year, a make and model
written once and the model again alone, a heading line written in capitals, the header of an
email) and the make a car id is written with (Suzuki apart from Maruti Suzuki). The texts are
invented for these tests; no alias file names their models.
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, write


def _cars(specs: DocumentSpecs) -> set[str]:
    return {c.id for c in specs.cars}


def _by_car(specs: DocumentSpecs, attribute: str) -> dict[str, set[float]]:
    out: dict[str, set[float]] = {}
    for f in facts(specs, attribute):
        out.setdefault(f.car, set()).update(f.numbers[:1])
    return out


def test_a_catalogues_lot_headings_name_each_lots_car_and_version(tmp_path: Path) -> None:
    """ "## Lot 7 — 2020 Lotus Evora GT410 Sport": a numbered label before the model year is
    still a listing's heading; its car is the lot's, the words after the model its version."""
    specs = write(
        tmp_path,
        "sale.md",
        "# Riverside Auctions — Spring Sale\n\nA buyer's premium of 12% applies.\n\n"
        "## Lot 7 — 2020 Lotus Evora GT410 Sport\n\nOne owner. The supercharged V6 makes "
        "416PS and the car weighs 1,361kg.\n\n"
        "## Lot 8 — 2025 Alpine A290 GTS\n\nNearly new. Its motor makes 220PS.\n",
    )
    assert _cars(specs) == {"lotus-evora", "alpine-a290"}
    assert _by_car(specs, "power") == {"lotus-evora": {416.0}, "alpine-a290": {220.0}}
    assert {f.variant for f in facts(specs, "power", "lotus-evora")} == {"Evora GT410 Sport"}


def test_a_make_and_model_written_once_and_the_model_again_names_the_car(
    tmp_path: Path,
) -> None:
    """A newsletter whose title names no car writes "Lotus Evora" once and "the Evora" again:
    that is its car. "Lotus Drivers Pack", whose word never comes back, is none."""
    specs = write(
        tmp_path,
        "club.md",
        "# Members' notes, May\n\nThis month we borrowed a Lotus Evora with the Lotus "
        "Drivers Pack. The Evora's V6 makes 416PS, and Lotus quoted 4.2 seconds to 62mph. "
        "Lotus said little else.\n",
    )
    assert _cars(specs) == {"lotus-evora"}
    assert _by_car(specs, "power") == {"lotus-evora": {416.0}}


def test_an_emails_heading_lines_in_capitals_start_each_cars_offer(tmp_path: Path) -> None:
    """A dealer's email: its subject (a header record) writes the models, each offer opens
    with a line in capitals naming make, model and version; a line that long in capitals is
    a heading, so each offer's figures are its own car's."""
    specs = write(
        tmp_path,
        "offers.txt",
        "From: City Motors <offers@citymotors.example>\nTo: Customer\n"
        "Subject: Offers on Altroz and Harrier this week\n\n"
        "Dear Customer,\n\nTwo cars on offer this week, ex-showroom prices.\n\n"
        "------------------------------\n"
        "OFFER 1: TATA ALTROZ XZ PLUS PETROL DCA\n"
        "------------------------------\n"
        "The 1.2-litre petrol makes 87 bhp and 115 Nm.\n\n"
        "------------------------------\n"
        "OFFER 2: TATA HARRIER FEARLESS PLUS AT\n"
        "------------------------------\n"
        "The 2.0-litre diesel makes 168 bhp and 350 Nm.\n",
    )
    assert _cars(specs) == {"tata-altroz", "tata-harrier"}
    assert _by_car(specs, "power") == {"tata-altroz": {87.0}, "tata-harrier": {168.0}}
    # the words after the model on a labelled heading line are its version
    assert all(
        (f.variant or "").startswith("HARRIER FEARLESS PLUS AT")
        for f in facts(specs, "power", "tata-harrier")
    )


def test_suzuki_is_a_make_of_its_own_beside_maruti_suzuki(tmp_path: Path) -> None:
    """ "Suzuki Jimny" is Suzuki's car and "Maruti Suzuki Brezza" Maruti Suzuki's: the id is
    the make the document writes."""
    jimny = write(
        tmp_path,
        "jimny.md",
        "# Suzuki Jimny\n\nThe Jimny's 1,462 cc engine makes 102 PS.\n",
    )
    brezza = write(
        tmp_path,
        "brezza.md",
        "# Maruti Suzuki Brezza\n\nThe Brezza's 1,462 cc engine makes 102 bhp.\n",
    )
    assert _cars(jimny) == {"suzuki-jimny"}
    assert _cars(brezza) == {"maruti-suzuki-brezza"}


def test_an_exports_columns_are_read_by_their_words_and_their_unit(tmp_path: Path) -> None:
    """An export's snake_case columns name their unit, not always last, and no label whole:
    "usable_battery_kwh" (every known word a battery's, in kWh), "dc_peak_kw", "dc_10_80_min",
    "price_aud_before_oncosts" (the unit, then what the price leaves out). A column whose
    words name another dimension's attribute ("home_charge_cost_aud": a charge is a time's)
    is none."""
    specs = write(
        tmp_path,
        "guide.csv",
        "make,model,variant,usable_battery_kwh,dc_peak_kw,dc_10_80_min,"
        "price_aud_before_oncosts,home_charge_cost_aud\n"
        'Kia,EV3,Air Standard Range,58.3,102,31,"$47,600",17.40\n'
        'Kia,EV3,GT-Line Long Range,81.4,128,31,"$63,950",24.30\n',
    )
    assert facts(specs, "battery_capacity")[0].numbers == (58.3,)
    assert {f.numbers[0] for f in facts(specs, "charging_power")} == {102.0, 128.0}
    assert {f.numbers[0] for f in facts(specs, "charging_time")} == {31.0}
    assert {f.numbers[0] for f in facts(specs, "price")} == {47600.0, 63950.0}


def test_a_list_items_name_before_its_dash_is_the_version_of_its_lines(tmp_path: Path) -> None:
    """An offer list: each item is a version's name, a dash and its price, its engine's
    figures on the indented lines below; an item named by a label ("Towing — …") is none."""
    specs = write(
        tmp_path,
        "deal.txt",
        "DEAL: TATA ALTROZ\n\nChoose from two engines:\n\n"
        "* XZ 1.2 Petrol — ex-showroom Rs 8.10 lakh\n"
        "  The 1199cc three-cylinder petrol makes 87 bhp and 115 Nm.\n\n"
        "* XZ 1.5 Diesel — ex-showroom Rs 9.60 lakh\n"
        "  The 1497cc four-cylinder diesel makes 89 bhp and 200 Nm.\n\n"
        "* Towing — the Altroz tows 500 kg.\n",
    )
    power = {f.variant: f.numbers[0] for f in facts(specs, "power")}
    assert power == {"XZ 1.2 Petrol": 87.0, "XZ 1.5 Diesel": 89.0}


def test_a_taught_cars_name_is_its_make_and_model_never_its_id(tmp_path: Path) -> None:
    """Cars no alias file lists, named in numbered Chinese headings with a two-word model
    ("一、北汽EU5 PLUS（…申报）"), are stored under their make's name and the model, not
    under their id: the registry and `specrag cars` show what is stored."""
    specs = write(
        tmp_path,
        "list.txt",
        "准入车型公示\n\n一、荣威D7 EV（上汽申报）\n整备质量：1700千克\n动力电池容量：56kWh\n\n"
        "二、北汽EU5 PLUS（北汽申报）\n整备质量：1680千克\n动力电池容量：60.2kWh\n",
    )
    names = {c.id: c.name for c in specs.cars}
    assert names and all(name != car_id for car_id, name in names.items()), names
    assert "BAIC EU5 PLUS" in names.values(), names
    assert any(name.startswith("Roewe D7") for name in names.values()), names


def test_a_count_of_versions_names_no_version(tmp_path: Path) -> None:
    """ "standard on all four versions" says how many versions share the gearbox, not a
    version called "four"."""
    specs = write(
        tmp_path,
        "orbit.md",
        "# Tata Orbit review\n\nThe Tata Orbit has a 1.2-litre engine. A five-speed manual is "
        "standard on all four versions; the top two add a CVT.\n",
    )
    variants = {f.variant for f in facts(specs, "transmission")}
    assert variants and not any(v and "four" in v for v in variants), variants
