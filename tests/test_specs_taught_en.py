"""English model names no alias file lists (`ingest.specs.taught_en`): where a headline's
model name ends, read from its shape and from how the document repeats it. Invented texts
about real makes; the real extractor."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.document import ParsedDocument, Section
from ingest.specs.cars import load_cars
from ingest.specs.extract import SpecConfig
from ingest.specs.taught import taught_index
from tests.test_specs_extract import one, write

CX50 = """# 2025 Mazda CX-50 Hybrid arrives with more power

IRVINE, Calif. — Mazda North American Operations today announced pricing for the 2025 Mazda CX-50.

The CX-50 Hybrid uses a 2.5-liter four-cylinder engine paired with electric motors for a total
system output of 219 hp. The CX-50 returns an EPA-estimated 39 mpg combined.
"""
OUTBACK = """# Subaru unveils the new Outback for 2026

Subaru of America today revealed the 2026 Subaru Outback. The Subaru Outback keeps its 2.5-liter
boxer engine with 180 hp. The Outback Wilderness trim adds a turbo engine rated at 260 hp.
Ground clearance of the Outback is 8.7 inches.
"""


def _taught(title: str, text: str, source: str = "invented.md") -> dict[str, set[str]]:
    doc = ParsedDocument(source=source, file_type="md", title=title, sections=[Section(text=text)])
    _, names, passing = taught_index(load_cars(SpecConfig().cars), doc)
    return {car: names for car, names in names.items() if car not in passing}


def test_a_headline_names_the_model_not_the_words_after_it(tmp_path: Path) -> None:
    """ "CX-50 Hybrid" is written less often than "CX-50": the hybrid is a powertrain, the
    model is the CX-50, and the figures are its own (not a car "CX-50 Hybrid arrives")."""
    specs = write(tmp_path, "cx50.md", CX50)
    assert [c.id for c in specs.cars] == ["mazda-cx-50"]
    assert one(specs, "fuel_economy_combined", "mazda-cx-50").numbers == (39.0,)


def test_a_title_naming_no_model_after_the_make_takes_the_one_its_prose_repeats(
    tmp_path: Path,
) -> None:
    specs = write(tmp_path, "news.md", OUTBACK)
    assert [c.id for c in specs.cars] == ["subaru-outback"]
    assert one(specs, "ground_clearance", "subaru-outback").numbers == (8.7,)


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # a name goes on while the document writes the longer name as often
        (
            "2026 Hyundai Santa Fe first drive",
            "The Santa Fe is new. Every Santa Fe has three rows.",
            {"hyundai-santa-fe": {"Santa Fe", "Hyundai Santa Fe"}},
        ),
        # and stops where it also writes the shorter alone: a trim is not the model
        (
            "Kia Telluride SX review",
            "The Telluride is roomy. The Telluride SX adds leather; every Telluride has AWD.",
            {"kia-telluride": {"Telluride", "Kia Telluride"}},
        ),
        # a code names a model by itself
        ("Kia EV9 GT-Line priced", "Order books open today.", {"kia-ev9": {"EV9", "Kia EV9"}}),
        # a verb, an organisation or a title word after the make names no car
        ("Kia Unveils Its Newest SUV", "Kia said the SUV arrives in May.", {}),
        ("Ford Motor Company results", "Ford Motor Company sold more trucks.", {}),
        ("Introduction To Toyota Car Sales", "Toyota Car Sales grew. Car Sales fell.", {}),
    ],
)
def test_where_an_english_model_name_ends(
    title: str, text: str, expected: dict[str, set[str]]
) -> None:
    assert _taught(title, text) == expected


def test_the_file_name_names_the_model_when_the_title_does_not() -> None:
    text = "The Ridgeline tows 5,000 lb. Every Ridgeline has AWD."
    taught = _taught("Press kit", text, source="honda_ridgeline_kit.md")
    assert taught == {"honda-ridgeline": {"Ridgeline", "Honda Ridgeline"}}


def test_english_prose_naming_rivals_and_technologies_adds_no_car() -> None:
    """A title that names its car: the prose's "Toyota Safety Sense" and a rival written
    twice are no cars of the document (they took a listed car's figures)."""
    text = (
        "Toyota Safety Sense is standard. Toyota Safety Sense adds radar cruise. "
        "The Honda Insight is a rival; the Honda Insight costs more."
    )
    assert _taught("Toyota Prius specifications", text) == {}


def test_a_title_of_make_and_model_only_names_a_model_it_does_not_repeat() -> None:
    assert _taught("1993 Mercedes-Benz 300E - passenger car", "Weight: 3,525 lb") == {
        "mercedes-benz-300e": {"300E", "Mercedes-Benz 300E"}
    }
    assert _taught("Toyota Sequoia Specifications", "| Length | 208.1 in |") == {
        "toyota-sequoia": {"Sequoia", "Toyota Sequoia"}
    }
    assert _taught("Kia Unveils Its Newest SUV", "Prices start at $40,000.") == {}
