"""Sensitive words: Aho-Corasick after width, case and separator normalisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from generation.errors import SensitiveInput
from generation.guard import (
    Guard,
    GuardPolicy,
    check_input,
    normalise,
    read_word_list,
    words_of,
)

LISTS = Path(__file__).resolve().parents[1] / "data" / "sensitive_words"


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_folder(LISTS)


@pytest.fixture(scope="module")
def small() -> Guard:
    return Guard({"zh": ["最好", "国家级"], "en": ["first", "world-class", "No. 1"]})


def spans(guard: Guard, text: str) -> list[tuple[str, str]]:
    return [(h.word, h.text) for h in guard.scan(text)]


def test_shipped_lists_load() -> None:
    zh, en = read_word_list(LISTS / "zh.txt"), read_word_list(LISTS / "en.txt")
    assert {"最好", "最佳", "国家级", "顶级"} <= set(zh)
    assert {"world-class", "best-in-class"} <= set(en)
    assert not [w for w in zh + en if w.startswith("#")]  # comments are not words
    guard = Guard.from_folder(LISTS)
    assert guard.sizes["zh"] == len(set(zh))
    assert len(guard) > 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这是最好的城市SUV", [("最好", "最好")]),
        ("这是最 好的城市SUV", [("最好", "最 好")]),  # a space slipped in
        ("这是最*好的城市SUV", [("最好", "最*好")]),
        ("这是最\u200b好的城市SUV", [("最好", "最\u200b好")]),  # zero-width space
        ("这是最　好的", [("最好", "最　好")]),  # ideographic space
        ("国-家-级 品质", [("国家级", "国-家-级")]),
        ("Ｆｉｒｓｔ in line", [("first", "Ｆｉｒｓｔ")]),  # full width
        ("F I R S T in line", [("first", "F I R S T")]),
        ("f.i.r.s.t", [("first", "f.i.r.s.t")]),
        ("A WORLD-CLASS cabin", [("world-class", "WORLD-CLASS")]),
        ("a world class cabin", [("world-class", "world class")]),
        ("ranked No.1 in sales", [("No. 1", "No.1")]),
        ("ranked ＮＯ．１ in sales", [("No. 1", "ＮＯ．１")]),
    ],
)
def test_variants_hit_and_map_back_to_the_original_span(
    small: Guard, text: str, expected: list[tuple[str, str]]
) -> None:
    assert spans(small, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "firsthand experience",  # an English word only hits as a whole word
        "at the forefirst",
        "a piano 1 metre wide",  # "no1" inside "piano 1" is not No. 1
        "No. 12 bus",
        "最高车速205 km/h，最大功率124 kW，第一排座椅宽敞",  # spec wording is fine
    ],
)
def test_no_hit(small: Guard, guard: Guard, text: str) -> None:
    assert small.scan(text) == []
    assert guard.scan(text) == []


def test_offsets_and_mask(guard: Guard) -> None:
    text = "它是同级最 好的选择，拥有顶级配置和 World-Class 的做工。"
    hits = guard.scan(text)
    assert words_of(hits) == ["最好", "顶级", "world-class"]
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
    masked = guard.mask(text, hits)
    assert masked == "它是同级* *的选择，拥有**配置和 *********** 的做工。"
    assert guard.scan(masked) == []


def test_overlapping_words_are_all_reported_and_masked(guard: Guard) -> None:
    text = "销量第一品牌"
    hits = guard.scan(text)
    assert sorted(words_of(hits)) == ["第一品牌", "销量第一"]
    assert guard.mask(text, hits) == "******"


def test_extra_lists_from_config(tmp_path: Path) -> None:
    extra = tmp_path / "brand.txt"
    extra.write_text("# competitor names we do not mention\n竞品A\nRivalCar  # inline comment\n")
    guard = Guard.from_folder(LISTS, extra=[extra])
    hits = guard.scan("比竞品Ａ更省油，比 rivalcar 更安静")
    assert [(h.word, h.list) for h in hits] == [("竞品A", "brand"), ("RivalCar", "brand")]


def test_normalise_keeps_the_index_map() -> None:
    flat, origin = normalise("Ａ b\u200b-C")
    assert flat == "abc"
    assert origin == [0, 2, 5]


def test_input_rejected_with_the_words_and_fields(guard: Guard) -> None:
    fields = {"car": "Aurora X5", "angle": "为什么它是最 好的家用SUV", "audience": "顶级玩家"}
    with pytest.raises(SensitiveInput) as raised:
        check_input(guard, fields, GuardPolicy())
    error = raised.value
    assert error.status == 422
    assert error.words == ["最好", "顶级"]
    assert "angle, audience" in str(error) and "最好, 顶级" in str(error)
    assert [h.field for h in error.hits] == ["angle", "audience"]


def test_input_allowed_by_policy_is_reported(guard: Guard) -> None:
    hits = check_input(guard, {"angle": "最佳选择"}, GuardPolicy(input="allow"))
    assert [(h.word, h.field) for h in hits] == [("最佳", "angle")]


def test_clean_input_passes(guard: Guard) -> None:
    assert (
        check_input(guard, {"car": "Hyundai Venue", "angle": "city driving"}, GuardPolicy()) == []
    )


def test_an_empty_guard_finds_nothing() -> None:
    assert Guard({}).scan("最好") == []
