"""Words of a fact written in Chinese: translated whole by the term list, or kept as written."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from generation.facts.phrasing import words

TERMS = {
    k.casefold(): v
    for k, v in tomllib.loads(
        (Path(__file__).resolve().parents[1] / "data" / "realise" / "zh.toml").read_text("utf-8")
    )["terms"].items()
}


@pytest.mark.parametrize(
    ("value", "chinese"),
    [
        ("1.5-litre turbocharged", "1.5升涡轮增压"),
        ("1.5-litre turbocharged engine", "1.5升涡轮增压发动机"),
        ("1.5 L turbo inline-4 + electric motor", "1.5升涡轮增压直列4缸+电机"),
        ("6-speed DCT with e-motor", "6速双离合配电机"),
        ("front-wheel drive, single electric motor", "前驱，单电机"),
        ("7-speed dual-clutch", "7速双离合"),
    ],
)
def test_translated_whole(value: str, chinese: str) -> None:
    assert words(value, "zh", TERMS) == chinese


@pytest.mark.parametrize("value", ["Kappa 1.2 MPi petrol", "SmartStream G1.6 T-GDi"])
def test_kept_as_written_when_a_word_has_no_translation(value: str) -> None:
    assert words(value, "zh", TERMS) == value


@pytest.mark.parametrize(
    ("value", "chinese"),
    [
        ("Ethanol/Gas", "乙醇汽油"),
        ("Gasoline/Electricity", "油电混合"),
        ("3.5L V6 Gasoline Engine (Optional)", "3.5升V6汽油发动机（选装）"),
        ("Turbocharged 2.0-liter four-cylinder", "涡轮增压2.0升四缸"),
        ("6-speed automatic or 6-speed manual", "6速自动或6速手动"),
        ("Dual-Motor AWD System", "双电机全轮驱动系统"),
    ],
)
def test_engine_and_fuel_words_of_english_sources_in_chinese(value: str, chinese: str) -> None:
    assert words(value, "zh", TERMS) == chinese
