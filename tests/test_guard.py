"""Sensitive words: Aho-Corasick after width, case and separator normalisation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generation.errors import SensitiveInput
from generation.guard import (
    Guard,
    GuardPolicy,
    check_input,
    normalise,
    read_word_list,
    words_of,
)
from generation.guard_fold import Folder

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


@pytest.mark.parametrize(
    ("text", "word", "span"),
    [
        ("年度销量第1的SUV", "销量第一", "销量第1"),  # digit forms common in ad copy
        ("口碑排名第①", "排名第一", "排名第①"),
        ("销量第１", "销量第一", "销量第１"),
        ("年度銷量第一", "销量第一", "銷量第一"),  # traditional Chinese
        ("國家級品質", "国家级", "國家級"),
        ("b\u0435st-in-class handling", "best-in-class", "b\u0435st-in-class"),  # Cyrillic е
        ("unbe\u03b1table value", "unbeatable", "unbe\u03b1table"),  # Greek α
        ("b\u0301est in class", "best-in-class", "b\u0301est in class"),  # a combining mark
        ("这是最<b></b>好的", "最好", "最<b></b>好"),  # HTML inside a word
        ("这是最&#22909;的", "最好", "最&#22909;"),  # an entity
        ("b3st in class", "best-in-class", "b3st in class"),  # leetspeak
        ("gu@rant33d resale", "guaranteed", "gu@rant33d"),
        ("#1 in its class", "No. 1", "#1"),
        ("the world's 1st solid-state pack", "world's first", "world's 1st"),
    ],
)
def test_issue_13_obfuscations_hit(guard: Guard, text: str, word: str, span: str) -> None:
    """Issue 13: the guard missed digit forms, traditional Chinese, homoglyphs, combining
    marks, markup and leetspeak; each hit reports the span as written."""
    hits = guard.scan(text)
    assert [(h.word, h.text) for h in hits] == [(word, span)]
    assert text[hits[0].start : hits[0].end] == span


@pytest.mark.parametrize(
    "text",
    [
        "number one-third of owners",  # issue 13's false positive
        "Number one-fifth of the price",
        "年度销量第10名",  # 10th is no absolute claim
        "全国第一百二十家门店",
        "120 PS at 6,000 rpm, 0-100 km/h in 9.8 s",  # figures are not leetspeak
        "Aurora X5 4x4, A4 2.0 TFSI, V6 3.5L",
        "No, I think it drives well",  # "No, I" is not "No. 1"
        "最<b>高</b>车速与最大功率",
        "國產車型，最高車速",
    ],
)
def test_issue_13_near_misses_do_not_hit(guard: Guard, text: str) -> None:
    assert guard.scan(text) == []


def test_mask_keeps_markup_figures_and_the_text_around() -> None:
    """The mask replaces what was matched: tags stay, an entity becomes one mask character,
    a combining mark goes with its letter, figures outside the span are unchanged."""
    guard = Guard({"zh": ["最好"], "en": ["best-in-class"]})
    text = "售价12.98万，最<b></b>&#22909;的SUV，120 PS，b\u0301est-in-class 0-100 km/h 9.8 s"
    hits = guard.scan(text)
    assert [h.text for h in hits] == ["最<b></b>&#22909;", "b\u0301est-in-class"]
    masked = guard.mask(text, hits)
    assert masked == "售价12.98万，*<b></b>*的SUV，120 PS，************* 0-100 km/h 9.8 s"
    assert guard.scan(masked) == []


def test_traditional_and_full_width_words_in_a_list_fold_too() -> None:
    guard = Guard({"brand": ["銷量冠軍", "ＴＯＰ１"]})
    assert [h.word for h in guard.scan("销量冠军，top 1")] == ["銷量冠軍", "ＴＯＰ１"]


PIECES = [
    *"abelstnorIL0134579@$!|#.- \n\u2028\u200b\u00ad\u0301<>&;",
    *"最好第一二①１❶Ⅰ銷國ーеοαΝ№ﬁ½⑴",
    "<b>",
    "</i>",
    "&#22909;",
    "&amp;",
    "&nbsp;",
    "1st",
    "#1",
    "<b\n>",
    "<!--\n-->",
    "&#22909;\n",
    "\r\n",
    "\x85",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join) | st.text(max_size=40))
def test_the_fast_fold_equals_the_reference_fold(text: str) -> None:
    """`fold` reads most texts through `str.translate`; it must agree with the item-by-item
    fold character for character and span for span."""
    folder = Folder()
    fast, reference = folder.fold(text), folder._fold_items(text)
    assert (fast.text, fast.starts, fast.ends) == (
        reference.text,
        reference.starts,
        reference.ends,
    )
    assert (fast.hidden, fast.entities) == (reference.hidden, reference.entities)
