"""Retrieval evaluation on question files in the dev-qa.jsonl format.

A retrieved chunk is a hit for a question when it comes from a gold document (the `doc`, or
an `alt_docs` entry) and its text contains that document's evidence once runs of whitespace
are collapsed to one space on both sides. Gold documents are corpus-relative paths; they
match a chunk's `source` (an absolute path) by path suffix. For a two-document question
(list-valued `doc` and `evidence`) a hit on any pair counts for recall@k, and the report
also counts how many of the pairs were found.

recall@k is the share of questions with a hit in the top k; MRR is the mean of 1/rank of
the first hit within the top `depth` (10), 0 when there is none.

    report = evaluate_file(searcher, Path("dev-qa.jsonl"))
    print(format_table(report))   # or json.dumps(report)
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import InvalidQuestions
from retrieval.fusion import MODES, Mode
from retrieval.search import Result, Searcher

CUTOFFS = (1, 5, 10)


@dataclass(frozen=True, slots=True)
class Target:
    doc: str  # corpus-relative path
    evidence: str  # whitespace-collapsed


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    lang: str
    type: str
    pairs: tuple[Target, ...]  # the gold (doc, evidence) pairs; two for comparison questions
    alternatives: tuple[Target, ...] = ()  # alt_docs: a hit on one counts too

    @property
    def targets(self) -> tuple[Target, ...]:
        return self.pairs + self.alternatives


def collapse(text: str) -> str:
    return " ".join(text.split())


def load_questions(path: Path) -> list[Question]:
    """Every question in a JSONL file; a malformed line raises `InvalidQuestions` naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InvalidQuestions(f"cannot read {path}: {e}") from e
    questions = [
        _question(line, f"{path}:{number}") for number, line in enumerate(lines, 1) if line.strip()
    ]
    if not questions:
        raise InvalidQuestions(f"{path} holds no questions")
    return questions


def _question(line: str, where: str) -> Question:
    try:
        raw = json.loads(line)
        docs, evidence = raw["doc"], raw["evidence"]
        if isinstance(docs, str):
            docs, evidence = [docs], [evidence]
        if not docs or len(docs) != len(evidence):
            raise ValueError("`doc` and `evidence` must be aligned")
        pairs = tuple(Target(str(d), collapse(str(e))) for d, e in zip(docs, evidence, strict=True))
        alternatives = tuple(
            Target(str(alt["doc"]), collapse(str(alt["evidence"])))
            for alt in raw.get("alt_docs") or []
        )
        return Question(
            id=str(raw["id"]),
            question=str(raw["question"]),
            lang=str(raw.get("lang") or "unknown"),
            type=str(raw.get("type") or "unknown"),
            pairs=pairs,
            alternatives=alternatives,
        )
    except (ValueError, KeyError, TypeError) as e:
        raise InvalidQuestions(f"{where}: not a question line: {e}") from e


def same_document(source: str, doc: str) -> bool:
    """Does the chunk's absolute `source` path name the corpus-relative `doc`?"""
    source, doc = source.replace("\\", "/"), doc.replace("\\", "/").lstrip("./")
    return source == doc or source.endswith("/" + doc)


def is_hit(result: Result, target: Target) -> bool:
    return same_document(result.citation.path or result.citation.source, target.doc) and (
        target.evidence in collapse(result.text)
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    question: Question
    first_hit: int | None  # 1-based rank of the first hit, None when none in the top `depth`
    pairs_found: dict[int, int]  # cutoff → gold pairs with a hit in the top `cutoff`


def judge(question: Question, results: Sequence[Result]) -> Outcome:
    first = next(
        (rank for rank, r in enumerate(results, 1) if any(is_hit(r, t) for t in question.targets)),
        None,
    )
    pairs_found = {
        cutoff: sum(any(is_hit(r, pair) for r in results[:cutoff]) for pair in question.pairs)
        for cutoff in CUTOFFS
    }
    return Outcome(question, first, pairs_found)


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """n, recall@1/5/10 and MRR of a set of outcomes."""
    n = len(outcomes)
    summary: dict[str, Any] = {"n": n}
    for cutoff in CUTOFFS:
        found = sum(1 for o in outcomes if o.first_hit is not None and o.first_hit <= cutoff)
        summary[f"recall@{cutoff}"] = round(found / n, 4) if n else 0.0
    reciprocal = sum(1 / o.first_hit for o in outcomes if o.first_hit is not None)
    summary["mrr"] = round(reciprocal / n, 4) if n else 0.0
    return summary


def report_mode(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The summary overall, by language and by type, plus pair counts and misses."""
    report = summarise(outcomes)
    for key, attribute in (("by_lang", "lang"), ("by_type", "type")):
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in outcomes:
            groups[getattr(outcome.question, attribute)].append(outcome)
        report[key] = {name: summarise(group) for name, group in sorted(groups.items())}
    multi = [o for o in outcomes if len(o.question.pairs) > 1]
    report["pairs"] = {
        "questions": len(multi),
        "pairs": sum(len(o.question.pairs) for o in multi),
        **{f"found@{c}": sum(o.pairs_found[c] for o in multi) for c in CUTOFFS},
    }
    report["missed@5"] = [o.question.id for o in outcomes if o.first_hit is None or o.first_hit > 5]
    return report


def evaluate(
    searcher: Searcher,
    questions: Iterable[Question],
    *,
    modes: Sequence[Mode] = MODES,
    depth: int = 10,
) -> dict[str, dict[str, Any]]:
    """`{mode: report}` for each mode; each question is searched once per mode, top `depth`."""
    questions = list(questions)
    outcomes: dict[str, list[Outcome]] = {mode: [] for mode in modes}
    for question in questions:
        for mode in modes:
            results = searcher.search(question.question, k=depth, mode=mode)
            outcomes[mode].append(judge(question, results))
    return {mode: report_mode(found) for mode, found in outcomes.items()}


def evaluate_file(
    searcher: Searcher, path: Path, *, modes: Sequence[Mode] = MODES
) -> dict[str, dict[str, Any]]:
    """Load `path` and evaluate every mode: what `specrag eval QA.jsonl` prints."""
    return evaluate(searcher, load_questions(path), modes=modes)


def format_table(report: dict[str, dict[str, Any]]) -> str:
    """The report as a text table: one row per slice, recall@1/5/10 and MRR per mode."""
    modes = list(report)
    if not modes:
        return ""
    first = report[modes[0]]
    rows: list[tuple[str, str]] = [("all", "")]
    rows += [(f"lang={name}", name) for name in first["by_lang"]]
    rows += [(f"type={name}", name) for name in first["by_type"]]
    metrics = [f"r@{c}" for c in CUTOFFS] + ["mrr"]
    keys = [f"recall@{c}" for c in CUTOFFS] + ["mrr"]
    label_width = max(len(label) for label, _ in rows)
    cell = 6
    group = len(metrics) * (cell + 1) - 1
    lines = [
        " " * (label_width + 5) + " | ".join(m.center(group) for m in modes),
        f"{'slice':<{label_width}}    n "
        + " | ".join(" ".join(f"{m:>{cell}}" for m in metrics) for _ in modes),
    ]
    lines.append("-" * len(lines[1]))
    for label, name in rows:
        cells = []
        n = 0
        for mode in modes:
            part = report[mode]
            if label != "all":
                kind = "by_lang" if label.startswith("lang=") else "by_type"
                part = part[kind][name]
            n = part["n"]
            cells.append(" ".join(f"{part[key]:>{cell}.3f}" for key in keys))
        lines.append(f"{label:<{label_width}} {n:>4} " + " | ".join(cells))
    pairs = first["pairs"]
    if pairs["questions"]:
        found = ", ".join(
            f"{mode} {report[mode]['pairs']['found@5']}/{pairs['pairs']}" for mode in modes
        )
        lines.append(f"two-document questions: {pairs['questions']}; pairs found @5: {found}")
    for mode in modes:
        missed = report[mode]["missed@5"]
        if missed:
            lines.append(f"missed @5 ({mode}): {' '.join(missed)}")
    return "\n".join(lines)
