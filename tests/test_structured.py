"""`structured.repair`: the slips small models make, mended before a re-ask is spent."""

from __future__ import annotations

import json

import pytest

from generation.chain.structured import repair


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('{"title": "Venue" "hook": "small SUV"}', {"title": "Venue", "hook": "small SUV"}),
        ('{"specs": [1.0, 1.2,], "title": "x",}', {"specs": [1.0, 1.2], "title": "x"}),
        ('{"title": "Hyundai Venue: a city SUV wi', {"title": "Hyundai Venue: a city SUV wi"}),
        ('Sure! Here it is: {"title": "Venue"} Hope it helps {"x": 1}', {"title": "Venue"}),
        ('{"title": "动力强劲" "hook": "省油"}', {"title": "动力强劲", "hook": "省油"}),
    ],
)
def test_repair_mends_the_slips_of_small_models(answer: str, expected: dict[str, object]) -> None:
    mended = repair(answer)
    assert mended is not None
    assert json.loads(mended) == expected


def test_repair_gives_none_without_an_object() -> None:
    assert repair("I cannot answer that.") is None
    assert repair("[1, 2, 3]") is None
