"""A figure written with a thousands comma inside a clause that lists dimensions: the comma
is part of the figure, not the end of the clause's subject, and the car's own name as the
subject names no version of it. The texts are invented for these tests."""

from __future__ import annotations

from pathlib import Path

from tests.test_specs_extract import facts, write


def test_a_thousands_comma_ends_no_subject(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "kestrel.txt",
        "Hyundai Kestrel\n\nThe Kestrel measures 4,215 mm in overall length, 1,790 mm in width, "
        "and 1,605 mm in height.\n",
    )
    for attribute, value in (("length", 4215.0), ("width", 1790.0), ("height", 1605.0)):
        assert {(f.variant, f.numbers[0]) for f in facts(specs, attribute)} == {(None, value)}


def test_a_trim_as_the_subject_still_names_its_figure(tmp_path: Path) -> None:
    """The subject before the verb is still read when it is a trim, not the car."""
    specs = write(
        tmp_path,
        "kestrel.txt",
        "Hyundai Kestrel\n\nThe Kestrel GT measures 4,260 mm long.\n\n"
        "The Kestrel Base is 4,215 mm long.\n",
    )
    found = {(f.variant, f.numbers[0]) for f in facts(specs, "length")}
    assert found == {("Kestrel GT", 4260.0), ("Kestrel Base", 4215.0)}
