"""The retrieval dev set of issue 16 (bench/questions), the blind set and the supplementary tune
set beside it: sound, split once (the dev set), and checked for real."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.questions.check import (
    BLIND,
    BLIND2,
    BLIND3,
    BLIND4,
    BLIND5,
    BLIND6,
    SPECQA,
    TEST,
    TUNE,
    TUNE_EXTRA,
    TUNE_EXTRA2,
    Piece,
    as_list,
    check,
    corpus_chunker,
    read_jsonl,
)
from bench.questions.split import split
from tests.conftest import DEV_QA

Chunker = Callable[[str], tuple[Piece, ...]]


@pytest.fixture(scope="module")
def chunker(corpus: Path) -> Chunker:
    return corpus_chunker(corpus)


@pytest.fixture(scope="module")
def dev_qa() -> Path:
    if not DEV_QA.is_file():
        pytest.skip(f"dev-qa.jsonl not found at {DEV_QA}")
    return DEV_QA


@pytest.mark.parametrize(
    "questions",
    [SPECQA, BLIND, TUNE_EXTRA, BLIND2, BLIND3, TUNE_EXTRA2, BLIND4, BLIND5, BLIND6],
    ids=[
        "specqa",
        "blind",
        "tune_extra",
        "blind2",
        "blind3",
        "tune_extra2",
        "blind4",
        "blind5",
        "blind6",
    ],
)
def test_every_question_parses_meets_the_quotas_and_its_evidence_survives_ingest(
    questions: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    assert check(questions, corpus=corpus, dev_qa=dev_qa, chunks=chunker) == []


def test_the_halves_are_the_one_seeded_stratified_split() -> None:
    questions = read_jsonl(SPECQA)
    tune, test = split(questions)
    assert (read_jsonl(TUNE), read_jsonl(TEST)) == (tune, test)
    assert abs(len(tune) - len(test)) <= 1

    def strata(half: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
        return Counter((q["type"], q["lang"]) for q in half)

    for stratum, count in strata(questions).items():
        assert abs(strata(tune)[stratum] - strata(test)[stratum]) <= 1, (stratum, count)


def test_the_checker_names_each_kind_of_problem(
    tmp_path: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    good = read_jsonl(SPECQA)[0]
    repeated = json.loads(dev_qa.read_text(encoding="utf-8").splitlines()[0])["question"]
    lines = [
        good,
        {**good, "question": "A second question with the first one's id?"},
        {**good, "id": "x2", "evidence": "text that is in no chunk at all"},
        {**good, "id": "x3", "question": repeated},
        {
            **good,
            "id": "x4",
            "question": "Which row?",
            "type": "csv_row",
            "doc": "cars93/Cars93.csv",
            "evidence": "Passengers: 5",
        },
    ]
    path = tmp_path / "specqa.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in lines))
    problems = check(path, corpus=corpus, dev_qa=dev_qa, chunks=chunker)
    assert f"duplicate id {good['id']}" in problems
    assert "x2: evidence 'text that is in no chunk at all' is in no chunk of " + good["doc"] in (
        problems
    )
    assert "x3: repeats a dev-qa.jsonl question" in problems
    assert any(
        p.startswith("x4: evidence 'Passengers: 5' matches rows of several") for p in problems
    )
    assert "quota Chinese >= 40 not met: 5" in problems


def test_a_malformed_line_is_reported_before_anything_is_chunked(tmp_path: Path) -> None:
    path = tmp_path / "specqa.jsonl"
    path.write_text(json.dumps({"id": "y1", "question": "Why?", "lang": "fr"}) + "\n")

    def no_chunks(doc: str) -> tuple[()]:
        raise AssertionError("a malformed file must not reach the corpus")

    problems = check(path, chunks=no_chunks)
    assert problems == [
        "y1: missing field `type`",
        "y1: missing field `doc`",
        "y1: missing field `evidence`",
        "y1: missing field `answer`",
        "y1: missing field `cars`",
        "y1: missing field `origin`",
    ]


def test_the_blind_set_has_its_own_quotas_no_split_and_repeats_no_dev_set_question(
    tmp_path: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    good = read_jsonl(SPECQA)[0]
    (tmp_path / "specqa.jsonl").write_text(json.dumps(good, ensure_ascii=False) + "\n")
    (tmp_path / "tune.jsonl").write_text("")
    blind = tmp_path / "blind.jsonl"
    blind.write_text(json.dumps({**good, "id": "b001"}, ensure_ascii=False) + "\n")
    problems = check(blind, corpus=corpus, dev_qa=dev_qa, chunks=chunker)
    assert "b001: repeats a specqa.jsonl question" in problems
    assert "quota Chinese >= 25 not met: 1" in problems
    assert not any("tune" in p or "quota Chinese >= 40" in p for p in problems)


def test_the_supplementary_tune_set_has_its_own_quotas_and_repeats_no_earlier_question(
    tmp_path: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    good = read_jsonl(SPECQA)[0]
    (tmp_path / "specqa.jsonl").write_text(json.dumps(good, ensure_ascii=False) + "\n")
    blind_line = {**good, "id": "b001", "question": "A question only the blind set asks?"}
    (tmp_path / "blind.jsonl").write_text(json.dumps(blind_line, ensure_ascii=False) + "\n")
    extra = tmp_path / "tune_extra.jsonl"
    lines = [{**good, "id": "t001"}, {**blind_line, "id": "t002"}]
    extra.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in lines))
    problems = check(extra, corpus=corpus, dev_qa=dev_qa, chunks=chunker)
    assert "t001: repeats a specqa.jsonl question" in problems
    assert "t002: repeats a blind.jsonl question" in problems
    assert "quota two-car comparisons >= 30 not met: 0" in problems
    assert "quota Chinese comparisons >= 8 not met: 0" in problems
    assert not any("CSV-row" in p or "quota Chinese >=" in p for p in problems)


def test_the_supplementary_tune_set_covers_the_types_that_lose_rank_1(corpus: Path) -> None:
    questions = read_jsonl(TUNE_EXTRA)
    assert all(str(q["id"]).startswith("t") for q in questions)
    cross = [q for q in questions if q["type"] == "cross_lingual"]
    # both directions: Chinese questions about English documents and English ones about the
    # Chinese news articles
    assert {q["lang"] for q in cross} == {"en", "zh"}
    assert all((q["lang"] == "en") == q["doc"].startswith("rsshub-cn-auto-news/") for q in cross)
    folders = {d.split("/")[0] for q in questions for d in as_list(q["doc"])}
    assert folders == {p.name for p in corpus.iterdir() if p.is_dir()}


def _repeated_in(
    tmp_path: Path,
    earlier: dict[str, str],
    name: str,
    letter: str,
    corpus: Path,
    dev_qa: Path,
    chunker: Chunker,
) -> list[str]:
    """The checker's problems for a file `name` whose questions repeat specqa's first one and
    one question of each `earlier` file (file name → that file's id letter)."""
    good = read_jsonl(SPECQA)[0]
    (tmp_path / "specqa.jsonl").write_text(json.dumps(good, ensure_ascii=False) + "\n")
    lines = [{**good, "id": f"{letter}001"}]
    for n, (file, first) in enumerate(earlier.items(), 2):
        line = {**good, "id": f"{first}001", "question": f"Only {file} asks this?"}
        (tmp_path / file).write_text(json.dumps(line, ensure_ascii=False) + "\n")
        lines.append({**line, "id": f"{letter}{n:03d}"})
    target = tmp_path / name
    target.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in lines))
    return check(target, corpus=corpus, dev_qa=dev_qa, chunks=chunker)


def test_the_third_blind_set_repeats_no_question_of_any_earlier_set(
    tmp_path: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    earlier = {"blind.jsonl": "b", "tune_extra.jsonl": "t", "blind2.jsonl": "c"}
    problems = _repeated_in(tmp_path, earlier, "blind3.jsonl", "d", corpus, dev_qa, chunker)
    assert "d001: repeats a specqa.jsonl question" in problems
    assert "d002: repeats a blind.jsonl question" in problems
    assert "d003: repeats a tune_extra.jsonl question" in problems
    assert "d004: repeats a blind2.jsonl question" in problems
    assert "quota Chinese >= 45 not met: 4" in problems


def test_the_third_blind_set_asks_both_directions_across_many_documents() -> None:
    questions = read_jsonl(BLIND3)
    assert all(str(q["id"]).startswith("d") for q in questions)
    cross = [q for q in questions if q["type"] == "cross_lingual"]
    assert {q["lang"] for q in cross} == {"en", "zh"}
    assert all((q["lang"] == "en") == q["doc"].startswith("rsshub-cn-auto-news/") for q in cross)
    gold = {d for q in questions for d in as_list(q["doc"])}
    assert len(gold) >= 50


def _each_earlier_set_named(problems: list[str], prefix: str, earlier: dict[str, str]) -> None:
    """The n-th question (a copy of one question of each earlier set, specqa first) is
    reported as repeating that set's question."""
    for n, name in enumerate(["specqa.jsonl", *earlier], start=1):
        assert f"{prefix}{n:03d}: repeats a {name} question" in problems, problems


def test_the_second_supplementary_tune_set_repeats_no_question_of_any_earlier_set(
    tmp_path: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    earlier = {
        "blind.jsonl": "b",
        "tune_extra.jsonl": "t",
        "blind2.jsonl": "c",
        "blind3.jsonl": "d",
    }
    problems = _repeated_in(tmp_path, earlier, "tune_extra2.jsonl", "u", corpus, dev_qa, chunker)
    _each_earlier_set_named(problems, "u", earlier)
    assert "quota two-car comparisons >= 35 not met: 0" in problems
    assert not any("CSV-row" in p or "quota Chinese >=" in p for p in problems)


def test_the_second_supplementary_tune_set_compares_across_documents_in_both_languages() -> None:
    questions = read_jsonl(TUNE_EXTRA2)
    assert all(str(q["id"]).startswith("u") for q in questions)
    cross = [q for q in questions if q["type"] == "cross_lingual"]
    assert {q["lang"] for q in cross} == {"en", "zh"}
    assert all((q["lang"] == "en") == q["doc"].startswith("rsshub-cn-auto-news/") for q in cross)
    pairs = [q for q in questions if q["type"] == "comparison"]
    assert {q["lang"] for q in pairs} == {"en", "zh"}
    across = [q for q in pairs if len(set(q["doc"])) == 2]
    assert len(across) >= 30


def test_the_fourth_blind_set_repeats_no_question_of_any_earlier_set(
    tmp_path: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    earlier = {
        "blind.jsonl": "b",
        "tune_extra.jsonl": "t",
        "blind2.jsonl": "c",
        "blind3.jsonl": "d",
        "tune_extra2.jsonl": "u",
    }
    problems = _repeated_in(tmp_path, earlier, "blind4.jsonl", "e", corpus, dev_qa, chunker)
    _each_earlier_set_named(problems, "e", earlier)
    assert "quota CSV-row lookups >= 15 not met: 0" in problems


@pytest.mark.parametrize(
    ("path", "letter"),
    [(BLIND4, "e"), (BLIND5, "f"), (BLIND6, "g")],
    ids=["blind4", "blind5", "blind6"],
)
def test_the_fourth_fifth_and_sixth_blind_sets_ask_both_directions_across_many_documents(
    path: Path, letter: str
) -> None:
    questions = read_jsonl(path)
    assert all(str(q["id"]).startswith(letter) and q["origin"] == "hand" for q in questions)
    cross = [q for q in questions if q["type"] == "cross_lingual"]
    assert {q["lang"] for q in cross} == {"en", "zh"}
    assert all((q["lang"] == "en") == q["doc"].startswith("rsshub-cn-auto-news/") for q in cross)
    pairs = [q for q in questions if q["type"] == "comparison"]
    assert {q["lang"] for q in pairs} == {"en", "zh"}
    assert all(len(set(q["doc"])) == 2 for q in pairs)
    gold = {d for q in questions for d in as_list(q["doc"])}
    assert len(gold) >= 50


def test_the_fifth_blind_set_repeats_no_question_of_any_earlier_set(
    tmp_path: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    earlier = {
        "blind.jsonl": "b",
        "tune_extra.jsonl": "t",
        "blind2.jsonl": "c",
        "blind3.jsonl": "d",
        "tune_extra2.jsonl": "u",
        "blind4.jsonl": "e",
    }
    problems = _repeated_in(tmp_path, earlier, "blind5.jsonl", "f", corpus, dev_qa, chunker)
    _each_earlier_set_named(problems, "f", earlier)
    assert "quota paraphrases >= 20 not met: 0" in problems


def test_the_sixth_blind_set_repeats_no_question_of_any_earlier_set(
    tmp_path: Path, corpus: Path, dev_qa: Path, chunker: Chunker
) -> None:
    earlier = {
        "blind.jsonl": "b",
        "tune_extra.jsonl": "t",
        "blind2.jsonl": "c",
        "blind3.jsonl": "d",
        "tune_extra2.jsonl": "u",
        "blind4.jsonl": "e",
        "blind5.jsonl": "f",
    }
    problems = _repeated_in(tmp_path, earlier, "blind6.jsonl", "g", corpus, dev_qa, chunker)
    _each_earlier_set_named(problems, "g", earlier)
    assert "quota two-car comparisons >= 20 not met: 0" in problems
