"""Cross-validation within tune (bench/questions/cv.py): stratified folds, and a setting chosen
on the other folds is scored on the held-out one."""

from __future__ import annotations

from collections import Counter

from bench.questions.cv import cross_validate, folds, parse_grid
from retrieval.evaluate import Outcome, Question, Target


def _questions() -> list[Question]:
    kinds = [("lookup", "en")] * 12 + [("lookup", "zh")] * 6 + [("comparison", "en")] * 7
    return [
        Question(f"q{n}", f"question {n}", lang, kind, (Target("doc.md", "evidence"),))
        for n, (kind, lang) in enumerate(kinds)
    ]


def test_folds_cover_every_question_once_and_spread_each_stratum() -> None:
    questions = _questions()
    dealt = folds(questions, 5)
    assert sorted(i for fold in dealt for i in fold) == list(range(len(questions)))
    for fold in dealt:
        assert 4 <= len(fold) <= 6
        strata = Counter((questions[i].type, questions[i].lang) for i in fold)
        assert strata[("lookup", "en")] in (2, 3) and strata[("lookup", "zh")] in (1, 2)
    assert folds(questions, 5) == dealt  # seeded


def test_the_held_out_fold_is_scored_with_the_setting_the_other_folds_chose() -> None:
    """Setting 1 is first everywhere but fold 0, where it finds nothing: chosen on every
    training set, it is scored as it does on each held-out fold, misses included."""
    questions = _questions()
    dealt = folds(questions, 5)
    unlucky = set(dealt[0])
    steady = [Outcome(q, 2, {1: 0, 5: 1, 10: 1}) for q in questions]
    fitted = [
        Outcome(q, None, {1: 0, 5: 0, 10: 0})
        if i in unlucky
        else Outcome(q, 1, {1: 1, 5: 1, 10: 1})
        for i, q in enumerate(questions)
    ]
    held, picks = cross_validate(questions, [steady, fitted], 5)
    assert picks == [1, 1, 1, 1, 1]
    assert sorted(o.question.id for o in held) == sorted(q.id for q in questions)
    missed = {o.question.id for o in held if o.first_hit is None}
    assert missed == {questions[i].id for i in unlucky}
    # a setting no better on any training set is never chosen over the first one listed
    assert cross_validate(questions, [steady, steady], 5)[1] == [0, 0, 0, 0, 0]


def test_a_grid_is_the_product_of_json_values() -> None:
    assert parse_grid(["rrf_k=5,10", "car_boost=0.5"]) == [
        {"rrf_k": 5, "car_boost": 0.5},
        {"rrf_k": 10, "car_boost": 0.5},
    ]
    assert parse_grid([]) == [{}]


def test_a_setting_may_name_a_part_of_a_part() -> None:
    """`facts.attributes.degree`: a grid reaches the attributes the facts side reads."""
    from types import SimpleNamespace
    from typing import Any, cast

    from bench.questions.cv import _get, _set

    searcher = cast(
        Any,
        SimpleNamespace(rrf_k=5, facts=SimpleNamespace(attributes=SimpleNamespace(degree=True))),
    )
    _set(searcher, "facts.attributes.degree", False)
    _set(searcher, "rrf_k", 10)
    assert _get(searcher, "facts.attributes.degree") is False and searcher.rrf_k == 10


def test_strata_give_each_columns_rank_one_by_type_and_language() -> None:
    """Rank 1 by (type, lang), by type, and overall, for each column, matched by question id
    (the held-out outcomes come fold by fold, not in the questions' order)."""
    from bench.questions.cv import strata

    questions = _questions()  # 12 English lookups, 6 Chinese, 7 English comparisons
    first = [Outcome(q, 1 if q.lang == "zh" else 2, {1: 0, 5: 1, 10: 1}) for q in questions]
    lexical = [Outcome(q, 1 if q.type == "comparison" else None, {}) for q in questions]
    rows = {name: (n, values) for name, n, values in strata([("a", first[::-1]), ("b", lexical)])}
    assert rows["all"] == (25, [6 / 25, 7 / 25])
    assert rows["lookup"] == (18, [6 / 18, 0.0])
    assert rows["lookup/zh"] == (6, [1.0, 0.0])
    assert rows["comparison/en"] == (7, [0.0, 1.0])
    assert "comparison/zh" not in rows
