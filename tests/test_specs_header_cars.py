"""Which car a figure is of when the title names none (issue 14): a table whose column or row
headers are makes and model lines (the gazetteer's, trims after them) gives each column or row
to its car, whatever the title says; a readers' letter whose long bold question names two cars
gives the answer's figures to the car each sentence names, by model alone too. The texts are
invented for these tests (not the cars' real figures).
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import write


def _cars(specs: DocumentSpecs, attribute: str) -> set[tuple[str, str | None, float]]:
    return {
        (f.car, f.variant, round(f.numbers[0], 1))
        for f in specs.facts
        if f.attribute == attribute and f.numbers
    }


_COLUMNS = (
    "| Item | {a} | {b} |\n"
    "|---|---|---|\n"
    "| Max power | 87 PS | 83 PS |\n"
    "| Fuel tank capacity | 37 litres | 35 litres |\n"
)


def test_column_headers_naming_make_and_line_are_their_cars(tmp_path: Path) -> None:
    table = _COLUMNS.format(a="Tata Punch Adventure", b="Citroen C3 Aircross Feel")
    specs = write(tmp_path, "pool.md", f"# Pool car shortlist\n\n{table}")
    assert _cars(specs, "power") == {
        ("tata-punch", "Adventure", 87.0),
        ("citroen-c3-aircross", "Feel", 83.0),
    }
    assert _cars(specs, "fuel_tank") == {
        ("tata-punch", "Adventure", 37.0),
        ("citroen-c3-aircross", "Feel", 35.0),
    }


def test_a_rivals_column_is_the_rivals_whatever_the_title_says(tmp_path: Path) -> None:
    table = _COLUMNS.format(a="Tata Punch", b="MG Astor Sharp")
    specs = write(tmp_path, "punch.md", f"# Tata Punch: six months on\n\n{table}")
    assert _cars(specs, "power") == {("tata-punch", None, 87.0), ("mg-astor", "Sharp", 83.0)}


def test_row_headers_naming_make_and_line_are_their_cars(tmp_path: Path) -> None:
    text = (
        "# Depot notes\n\n"
        "| Vehicle | Power | Fuel tank |\n"
        "|---|---|---|\n"
        "| 2025 Skoda Slavia Style | 150 PS | 45 L |\n"
        "| Honda Amaze VX | 90 PS | 35 L |\n"
    )
    specs = write(tmp_path, "depot.md", text)
    assert _cars(specs, "power") == {
        ("skoda-slavia", "Style", 150.0),
        ("honda-amaze", "VX", 90.0),
    }


_LETTERS = (
    "# Your motoring questions\n\n"
    "**Q: We tow a small caravan twice a year and cover long distances. Would the Skoda Kodiaq"
    " suit us better than the Kia Sorento?** — Jo, Hull\n\n"
    "A: The Kodiaq's diesel makes 193PS and its boot holds 845 litres. The Sorento's hybrid"
    " produces 230PS and its boot is 604 litres.\n\n"
    "**Q: Is the Mazda MX-30 big enough for a family?** — Sam, Ely\n\n"
    "A: The MX-30 has a 311-litre boot and a 35.5kWh battery.\n"
)


def test_a_letters_figures_go_to_the_car_each_sentence_names(tmp_path: Path) -> None:
    specs = write(tmp_path, "letters.md", _LETTERS)
    assert _cars(specs, "power") == {("skoda-kodiaq", None, 193.0), ("kia-sorento", None, 230.0)}
    assert _cars(specs, "boot_volume") == {
        ("skoda-kodiaq", None, 845.0),
        ("kia-sorento", None, 604.0),
        ("mazda-mx-30", None, 311.0),
    }


def test_headings_and_leads_naming_make_line_and_trim_are_their_cars(tmp_path: Path) -> None:
    """A heading "Make Line Trim" or a line's lead before a colon names that car, under a
    title that names none; its figures are that car's."""
    text = (
        "# Pool car notes, week two\n\n"
        "## Tata Punch Adventure\n\n"
        "The fuel tank holds 37 litres.\n\n"
        "## Citroen C3 Aircross Feel\n\n"
        "Boot space is 444 litres.\n"
    )
    specs = write(tmp_path, "pool2.md", text)
    assert {(car, n) for car, _, n in _cars(specs, "fuel_tank")} == {("tata-punch", 37.0)}
    assert {(car, n) for car, _, n in _cars(specs, "boot_volume")} == {
        ("citroen-c3-aircross", 444.0)
    }
    leads = (
        "Pool cars, week three\n\n"
        "Honda Amaze VX: power 90 PS, fuel tank 35 litres.\n"
        "Skoda Slavia Style: power 150 PS, fuel tank 45 litres.\n"
    )
    specs = write(tmp_path, "pool3.txt", leads)
    assert {(car, n) for car, _, n in _cars(specs, "power")} == {
        ("honda-amaze", 90.0),
        ("skoda-slavia", 150.0),
    }


def test_a_heading_of_words_after_a_make_names_no_car(tmp_path: Path) -> None:
    """A heading of a make and words ("Toyota Safety Sense Explained") names no car."""
    text = "# Safety notes\n\n## Toyota Safety Sense Explained\n\nIt works up to 180 km/h.\n"
    specs = write(tmp_path, "safety.md", text)
    assert specs.facts == []


def test_a_question_naming_lines_alone_names_cars_of_makes_the_text_writes(
    tmp_path: Path,
) -> None:
    """A question "Q: Slavia or Amaze?" with Skoda and Honda written in the letter names the two
    cars, each figure the one its sentence names; a line of a make never written is none."""
    text = (
        "# Readers ask\n\n"
        "**Q: Slavia or Amaze?** Our budget fits a Skoda or a Honda saloon.\n\n"
        "A: The Slavia makes 115PS. The Amaze makes 90PS.\n\n"
        "**Q: Is a Seltos worth the wait?**\n\n"
        "A: The Seltos makes 140PS.\n"
    )
    specs = write(tmp_path, "ask.md", text)
    assert _cars(specs, "power") == {("skoda-slavia", None, 115.0), ("honda-amaze", None, 90.0)}
