"""A chunk stating a known car's version is about that car too (`retrieval/versions.py`),
and the same query ranks the same way in every process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.versions import about, counted, rows

VERSIONS = {"doc:4": ("aurora-x5-hybrid",), "doc:7": ("aurora-x5-hybrid", "aurora-x5-lr")}


def test_a_chunk_stating_a_version_is_about_that_car_too() -> None:
    found = {"doc:4": ("aurora-x5",), "doc:5": ("aurora-x5",), "zh:1": ("aurora-x5-hybrid",)}
    assert about(found, VERSIONS) == {
        "doc:4": ("aurora-x5", "aurora-x5-hybrid"),
        "doc:5": ("aurora-x5",),
        "zh:1": ("aurora-x5-hybrid",),
    }
    # its own metadata naming the car already: not twice
    assert about({"doc:4": ("aurora-x5-hybrid",)}, VERSIONS) == {"doc:4": ("aurora-x5-hybrid",)}


def test_a_version_s_chunks_count_for_its_car_unless_its_metadata_names_it() -> None:
    counts = Counter({"aurora-x5": 9, "aurora-x5-hybrid": 10})
    metadata = {"doc:4": ("aurora-x5",), "doc:7": ("aurora-x5-hybrid",)}
    assert counted(counts, VERSIONS, metadata) == Counter(
        {"aurora-x5": 9, "aurora-x5-hybrid": 11, "aurora-x5-lr": 1}
    )
    assert counted(counts, {}, {}) == counts


def test_the_rows_of_a_car_s_versions() -> None:
    position = {"doc:4": 0, "doc:5": 1, "doc:7": 3}
    assert rows(position, 4, ("aurora-x5-hybrid", "aurora-x5"), VERSIONS).tolist() == [
        True,
        False,
        False,
        True,
    ]
    assert not rows(position, 4, ("meridian-s",), VERSIONS).any()
    assert rows({}, 0, ("aurora-x5-hybrid",), VERSIONS).dtype == np.bool_


def test_an_english_question_about_a_version_finds_the_english_passage(
    samples: Any, make_settings: Any
) -> None:
    """Regression: the README's `Aurora X5 hybrid electric range` returned only the Chinese
    hybrid document's passages (the car's only document by its metadata, so the question was
    read as cross-lingual), though aurora_x5.md's Hybrid section states the same figures."""
    with samples.services(make_settings()) as services:
        results = services.searcher.search("Aurora X5 hybrid electric range", k=5)
    sources = [Path(r.citation.source).name for r in results]
    assert "aurora_x5.md" in sources[:3], sources
    first_english = next(r for r in results if Path(r.citation.source).name == "aurora_x5.md")
    assert "electric-only range of 80 km" in first_english.text


_SEGMENT = """
import json, sys
from retrieval.dictionary import Dictionary
lines = ["最多 最多 [zui4 duo1] /at most/", "能坐 能坐 [neng2 zuo4] /can seat/"]
d = Dictionary.parse(lines)
named = ["坐几个", "几个人", "几个位", "个人座"]
print(json.dumps(d.translations("最多能坐几个人", named)))
"""


def test_named_terms_of_one_length_are_taken_out_in_the_same_order_in_every_process() -> None:
    """Regression: terms of one length were taken out of the question in a set's order, which
    PYTHONHASHSEED sets: 丰田汉兰达最多能坐几个人 read "individual personal" in one process and
    "few several how many" in another."""
    seen = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run(
            [sys.executable, "-c", _SEGMENT], env=env, capture_output=True, text=True, check=True
        )
        seen.add(json.dumps(json.loads(done.stdout)))
    assert len(seen) == 1, seen
