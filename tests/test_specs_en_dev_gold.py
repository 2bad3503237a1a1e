"""The invented English dev set (tests/specs/en_dev) is sound: every gold line is well formed
and quotes its document as `parse_file` reads it, and every document has gold lines. No
extractor runs here: `bench.facts` scores it (tests/specs/en_dev/README.md)."""

from __future__ import annotations

from pathlib import Path

from api.settings import shipped_data
from tests.specs.check_gold import load_gold, problems

EN_DEV = Path(__file__).resolve().parent / "specs" / "en_dev"
DOCS = EN_DEV / "docs"
GOLD = EN_DEV / "gold.jsonl"


def test_every_line_is_backed_by_its_document() -> None:
    assert problems(load_gold(GOLD), DOCS) == []


def test_every_document_has_gold_lines_in_english() -> None:
    facts = load_gold(GOLD)
    assert {f.source for f in facts} == {p.name for p in DOCS.iterdir()}
    assert {f.lang for f in facts} == {"en"}
    assert {f.file_type for f in facts} == {"md", "txt", "csv"}


def test_the_documents_are_outside_the_data_the_default_ingest_reads() -> None:
    assert not DOCS.resolve().is_relative_to(shipped_data().resolve())
