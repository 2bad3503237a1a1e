"""The hand-made gold spec sheet is sound: well formed, vocabulary keys, numbers that its
values hold, and evidence that the parsed corpus really contains (on the stated PDF page)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from tests.specs.check_gold import load_gold, parse_numbers, problems


def test_every_gold_line_is_backed_by_its_source(corpus: Path, parsed_corpus) -> None:  # type: ignore[no-untyped-def]
    facts = load_gold()
    found = problems(facts, corpus, parse=lambda path: parsed_corpus(path.relative_to(corpus)))
    assert found == []


def test_the_gold_covers_a_dozen_cars_across_every_file_type_and_language() -> None:
    facts = load_gold()
    assert len({f.car for f in facts}) >= 12
    assert {f.file_type for f in facts} == {"pdf", "md", "txt", "csv"}
    assert Counter(f.lang for f in facts)["zh"] >= 50


def test_a_wrong_number_or_missing_evidence_is_reported(corpus: Path) -> None:
    """The checker itself can fail: a figure the value does not hold and a quote the
    document does not contain are both named."""
    good = next(f for f in load_gold() if f.car == "hyundai-venue" and f.attribute == "length")
    wrong_number = replace(good, numbers=(3990.0,))
    invented = replace(good, evidence="Length (mm) 4 995")
    found = problems([wrong_number, invented], corpus)
    assert len(found) == 2
    assert "not the value's leading numbers" in found[0]
    assert "not in the parsed text" in found[1]


def test_numbers_are_read_as_documents_write_them() -> None:
    assert parse_numbers("1 500-4 000 r/min") == [1500, 4000]
    assert parse_numbers("3,995 mm") == [3995]
    assert parse_numbers("88.3 kW (120 PS)") == [88.3, 120]
    assert parse_numbers("28．1－36万") == [281000, 360000]
    assert parse_numbers("18.19万—26.29万元") == [181900, 262900]
    assert parse_numbers("三缸") == [3]
