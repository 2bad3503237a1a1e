"""The hand-written fresh sets of spec-fact extraction (tests/specs/zh_fresh, zh_blind2, zh_blind3,
zh_blind4, zh_blind5, zh_blind6, zh_blind7, zh_blind8, en_blind, en_blind2, en_blind3, en_blind4,
en_blind5, en_blind6, en_blind7, en_blind8: invented documents about cars the corpus lacks) are
sound: every gold line is well formed and quotes its document as `parse_file` reads it, every
document has gold lines, and their cars are new to the main gold. No extractor runs here: the
lead scores them with `bench.facts` (each folder's README.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from api.settings import shipped_data
from tests.specs.check_gold import GOLD, load_gold, problems

SPECS = Path(__file__).resolve().parent / "specs"
# folder → (languages, the fewest and most gold lines it was written to hold)
SETS = {
    "zh_fresh": ({"zh"}, 80, 130),
    "zh_blind2": ({"zh"}, 100, 160),
    "zh_blind3": ({"zh"}, 100, 160),
}
SETS["en_blind"] = ({"en"}, 150, 260)
SETS["en_blind2"] = ({"en"}, 120, 200)
SETS["zh_blind4"] = ({"zh"}, 150, 230)
SETS["en_blind3"] = ({"en"}, 150, 220)
SETS["en_blind4"] = ({"en"}, 150, 210)
SETS["zh_blind5"] = ({"zh"}, 140, 210)
SETS["en_blind5"] = ({"en"}, 150, 220)
SETS["zh_blind6"] = ({"zh"}, 150, 230)
SETS["en_blind6"] = ({"en"}, 150, 230)
SETS["zh_blind7"] = ({"zh"}, 150, 230)
SETS["en_blind7"] = ({"en"}, 120, 220)
SETS["zh_blind8"] = ({"zh"}, 150, 230)
SETS["en_blind8"] = ({"en"}, 150, 230)


@pytest.fixture(params=sorted(SETS))
def folder(request: pytest.FixtureRequest) -> Path:
    return SPECS / str(request.param)


def test_every_line_is_backed_by_its_document(folder: Path) -> None:
    assert problems(load_gold(folder / "gold.jsonl"), folder / "docs") == []


def test_every_document_has_gold_lines_and_every_line_a_document(folder: Path) -> None:
    languages, fewest, most = SETS[folder.name]
    facts = load_gold(folder / "gold.jsonl")
    documents = {p.name for p in (folder / "docs").iterdir() if p.is_file()}
    assert {f.source for f in facts} == documents
    assert len(documents) >= 5
    assert {f.lang for f in facts} == languages
    assert fewest <= len(facts) <= most


def test_its_cars_are_new_to_the_main_gold_and_some_documents_hold_several(folder: Path) -> None:
    facts = load_gold(folder / "gold.jsonl")
    cars_per_document = Counter(source for source, _ in {(f.source, f.car) for f in facts})
    assert max(cars_per_document.values()) >= 2
    assert not {f.car for f in facts} & {f.car for f in load_gold(GOLD)}


def test_the_documents_are_outside_the_data_the_default_ingest_reads(folder: Path) -> None:
    assert not folder.resolve().is_relative_to(shipped_data().resolve())
