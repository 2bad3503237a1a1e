"""k-fold cross-validation of search settings within tune.jsonl (issue 16: choose so that the
choice generalises, not so that it fits the questions it was chosen on).

    SPECRAG_DATA_DIR=/tmp/idx python -m bench.questions.cv [--folds 5] [--grid NAME=V1,V2 ...]
        [--questions tune.jsonl tune_extra.jsonl]

`--questions` takes one file or several (their questions pooled, then dealt into folds; the
default is tune.jsonl alone). Only tune-side files belong here: never test or blind.

Each setting of the grid (the product of the `--grid` lists; Searcher attributes such as
rrf_k, vector_weight, car_boost) is scored on every tune question once (hybrid, top 10).
Then, for each of `--folds` folds (stratified by type and language, seed 16), the setting with
the best objective on the other folds is chosen and scored on the held-out fold: the pooled
held-out figures estimate what choosing on tune gives on unseen questions, and the table
shows how often each setting is chosen. The objective is `r@1 + r@5 + pairs found@5 rate`
over the training folds; ties go to the first setting listed (list the current one first).

`--strata` also prints r@1 by question type and language: the held-out outcomes', the first
setting's and lexical alone's on the same questions (issue 16: rank 1 at least as good as the
best single side, per kind of question, not only overall).

The vector side's nearest chunks are cached per query text, filter and depth (the index does
not change during a run), so a grid costs one encoder run per distinct text.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from api.services import Services
from api.settings import Settings
from retrieval.evaluate import Outcome, Question, judge, load_questions
from retrieval.fusion import Mode
from retrieval.nearest import run
from retrieval.search import Searcher

HERE = Path(__file__).resolve().parent
SEED = 16


def folds(questions: Sequence[Question], n: int, seed: int = SEED) -> list[list[int]]:
    """Question indexes dealt into `n` folds, each (type, lang) stratum spread evenly."""
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, question in enumerate(questions):
        strata[(question.type, question.lang)].append(index)
    rng = random.Random(seed)
    dealt: list[list[int]] = [[] for _ in range(n)]
    turn = 0
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        for index in members:
            dealt[turn % n].append(index)
            turn += 1
    return dealt


def score(outcomes: Sequence[Outcome]) -> dict[str, float]:
    n = len(outcomes) or 1
    multi = [o for o in outcomes if len(o.question.pairs) > 1]
    pairs = sum(len(o.question.pairs) for o in multi)
    return {
        "r@1": sum(o.first_hit == 1 for o in outcomes) / n,
        "r@5": sum(o.first_hit is not None and o.first_hit <= 5 for o in outcomes) / n,
        "mrr": sum(1 / o.first_hit for o in outcomes if o.first_hit) / n,
        "pairs": sum(o.pairs_found[5] for o in multi) / pairs if pairs else 1.0,
    }


def objective(outcomes: Sequence[Outcome]) -> float:
    s = score(outcomes)
    return s["r@1"] + s["r@5"] + s["pairs"]


def cache_vectors(searcher: Searcher) -> None:
    """Answer the vector sides' queries from a cache (bench only: the index is fixed)."""
    _cache(searcher)
    if searcher.second is not None:
        _cache(searcher.second)


def _cache(searcher: Any) -> None:
    memo: dict[str, Any] = {}

    def nearest(asks: Sequence[Any]) -> list[Any]:
        keys = [json.dumps([a.text, a.where, a.depth], sort_keys=True) for a in asks]
        missing = [a for a, key in zip(asks, keys, strict=True) if key not in memo]
        if missing:
            fresh = run(searcher.embedder, searcher.store, missing)
            for ask, answer in zip(missing, fresh, strict=True):
                memo[json.dumps([ask.text, ask.where, ask.depth], sort_keys=True)] = answer
        return [memo[key] for key in keys]

    searcher.__dict__["_nearest"] = nearest


def outcomes_of(
    searcher: Searcher, questions: Sequence[Question], mode: Mode = "hybrid"
) -> list[Outcome]:
    return [judge(q, searcher.search(q.question, k=10, mode=mode)) for q in questions]


def cross_validate(
    questions: Sequence[Question], results: Sequence[Sequence[Outcome]], n: int
) -> tuple[list[Outcome], list[int]]:
    """The held-out outcomes and, per fold, the setting (index into `results`, one list of
    outcomes per setting, aligned with `questions`) chosen on the other folds; ties go to the
    first setting."""
    held: list[Outcome] = []
    picks: list[int] = []
    for fold in folds(questions, n):
        inside = set(fold)
        train = [i for i in range(len(questions)) if i not in inside]
        best = max(
            range(len(results)), key=lambda s: (objective([results[s][i] for i in train]), -s)
        )
        picks.append(best)
        held += [results[best][i] for i in fold]
    return held, picks


def strata(
    columns: Sequence[tuple[str, Sequence[Outcome]]],
) -> list[tuple[str, int, list[float]]]:
    """r@1 of each column's outcomes by (type, lang) and by type alone, sorted by name: one
    row per stratum, (name, questions, one r@1 per column). The columns' outcomes may be in
    any order; they are matched by question id."""
    groups: dict[str, set[str]] = defaultdict(set)
    for outcome in columns[0][1]:
        kind = outcome.question.type.replace("-", "_")
        for name in (kind, f"{kind}/{outcome.question.lang}", "all"):
            groups[name].add(outcome.question.id)
    firsts = [{o.question.id: o.first_hit == 1 for o in outcomes} for _, outcomes in columns]
    return [
        (name, len(ids), [sum(first[i] for i in ids) / len(ids) for first in firsts])
        for name, ids in sorted(groups.items())
    ]


def parse_grid(items: Sequence[str]) -> list[dict[str, Any]]:
    names, values = [], []
    for item in items:
        name, _, listed = item.partition("=")
        names.append(name)
        values.append([json.loads(v) for v in listed.split(",")])
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def _owner(searcher: Searcher, name: str) -> tuple[Any, str]:
    """The object a setting's last name is an attribute of: the searcher, or a part of it
    (`second.english_cars`, `facts.attributes.degree`)."""
    *path, attribute = name.split(".")
    owner: Any = searcher
    for part in path:
        owner = getattr(owner, part)
    return owner, attribute


def _get(searcher: Searcher, name: str) -> Any:
    """A setting: a Searcher attribute, or one of its parts' (`second.english_cars`)."""
    owner, attribute = _owner(searcher, name)
    return getattr(owner, attribute)


def _set(searcher: Searcher, name: str, value: Any) -> None:
    owner, attribute = _owner(searcher, name)
    setattr(owner, attribute, value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, nargs="+", default=[HERE / "tune.jsonl"])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--mode", default="hybrid")
    parser.add_argument("--grid", nargs="*", default=[], help="NAME=V1,V2 (JSON values)")
    parser.add_argument("--strata", action="store_true", help="r@1 by type and language")
    args = parser.parse_args(argv)
    questions = [q for path in args.questions for q in load_questions(path)]
    services = Services(Settings())
    searcher = services.searcher
    assert isinstance(searcher, Searcher)
    cache_vectors(searcher)
    settings = parse_grid(args.grid) or [{}]
    baseline = {name: _get(searcher, name) for s in settings for name in s}
    results: list[list[Outcome]] = []
    for setting in settings:
        for name, value in {**baseline, **setting}.items():
            _set(searcher, name, value)
        results.append(outcomes_of(searcher, questions, args.mode))
        whole = score(results[-1])
        print(json.dumps(setting), " ".join(f"{k} {v:.3f}" for k, v in whole.items()))
    held, picks = cross_validate(questions, results, args.folds)
    chosen = [json.dumps(settings[pick]) for pick in picks]
    cv = score(held)
    print("cross-validated (held-out folds):", " ".join(f"{k} {v:.3f}" for k, v in cv.items()))
    print("chosen per fold:", *chosen, sep="\n  ")
    if args.strata:
        for name, value in baseline.items():  # lexical alone with the settings as they were
            _set(searcher, name, value)
        columns = [
            ("held out", held),
            ("first", results[0]),
            ("lexical", outcomes_of(searcher, questions, "lexical")),
        ]
        print("r@1 by type and language:", *(title for title, _ in columns), sep="  ")
        for name, n, values in strata(columns):
            print(f"  {name:24} {n:4}", *(f"{v:.3f}" for v in values))
    services.close()


if __name__ == "__main__":
    main()
