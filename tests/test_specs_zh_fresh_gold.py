"""The hand-written Chinese fresh set (tests/specs/zh_fresh) is sound: every gold line is
well formed and quotes its invented article as `parse_file` reads it, every article has gold
lines, and its cars are new to the main gold. No extractor runs here: the lead scores it with
`bench.facts` (tests/specs/zh_fresh/README.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from api.settings import shipped_data
from tests.specs.check_gold import GOLD, load_gold, problems

ZH_FRESH = Path(__file__).resolve().parent / "specs" / "zh_fresh"
DOCS = ZH_FRESH / "docs"
ZH_GOLD = ZH_FRESH / "gold.jsonl"


def test_every_line_is_backed_by_its_article() -> None:
    assert problems(load_gold(ZH_GOLD), DOCS) == []


def test_every_article_has_gold_lines_and_every_line_an_article() -> None:
    facts = load_gold(ZH_GOLD)
    articles = {p.name for p in DOCS.glob("*.md")}
    assert {f.source for f in facts} == articles
    assert len(articles) >= 5
    assert {(f.lang, f.file_type) for f in facts} == {("zh", "md")}
    assert 80 <= len(facts) <= 130


def test_it_holds_multi_car_articles_and_only_cars_new_to_the_main_gold() -> None:
    facts = load_gold(ZH_GOLD)
    cars_per_article = Counter(source for source, _ in {(f.source, f.car) for f in facts})
    assert max(cars_per_article.values()) >= 3
    assert list(cars_per_article.values()).count(2) >= 1
    assert not {f.car for f in facts} & {f.car for f in load_gold(GOLD)}


def test_the_articles_are_outside_the_data_the_default_ingest_reads() -> None:
    assert not DOCS.resolve().is_relative_to(shipped_data().resolve())
