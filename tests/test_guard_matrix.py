"""The guard's case matrix (tests/guard_cases.jsonl): every obfuscation class of issue 13 and
its near misses, zh and en. `bench/guard_matrix.py` prints precision and recall per class;
`make reliability` puts them in RELIABILITY.md."""

from __future__ import annotations

from typing import Any

import pytest

from bench.guard_matrix import LISTS, found_words, load_cases, score
from generation.guard import Guard
from tests.reliability import record

CASES = load_cases()


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_folder(LISTS)


def test_the_matrix_is_big_enough() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) >= 100
    assert {c["lang"] for c in CASES} == {"zh", "en"}
    for name in {c["class"] for c in CASES}:
        of_class = [c for c in CASES if c["class"] == name]
        assert any(c["expect"] for c in of_class), f"{name}: no case that must hit"
        assert any(not c["expect"] for c in of_class), f"{name}: no near miss"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(guard: Guard, case: dict[str, Any]) -> None:
    text = case["text"]
    hits = guard.scan(text)
    found = sorted(set(found_words(guard, case)))
    if "limit" in case:  # a known limit: the day it passes, the matrix is updated
        assert found != sorted(case["expect"]), f"{case['id']} passes now: drop its limit"
        return
    assert found == sorted(case["expect"])
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
    if "span" in case:
        assert hits[0].text == case["span"]
    masked = guard.mask(text, hits)
    assert guard.scan(masked) == []
    # Outside the spans the text is unchanged, figures included.
    position, outside = 0, []
    for hit in sorted(hits, key=lambda h: h.start):
        outside.append(text[position : max(position, hit.start)])
        position = max(position, hit.end)
    outside.append(text[position:])
    rest = masked
    for piece in outside:
        assert piece in rest
        rest = rest[rest.index(piece) + len(piece) :]


def test_precision_and_recall(guard: Guard) -> None:
    scores = score(guard, CASES)
    total = scores["all"]
    limits = [c for c in CASES if "limit" in c]
    assert total.fp + total.fn == len(limits)  # every miss or false hit is a documented limit
    record(
        "guard_matrix",
        {
            "cases": total.cases,
            "must_hit": total.positives,
            "classes": {
                name: {
                    "cases": s.cases,
                    "must_hit": s.positives,
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                    "precision": round(s.precision, 3),
                    "recall": round(s.recall, 3),
                    "wrong": s.wrong,
                }
                for name, s in scores.items()
            },
            "limits": {c["id"]: c["limit"] for c in limits},
        },
    )
