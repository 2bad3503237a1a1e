"""Split specqa.jsonl once into tune.jsonl and test.jsonl, stratified by type and language.

    python -m bench.questions.split [--seed 16]

Each (type, lang) stratum is shuffled with a fixed seed and dealt alternately to the two
halves; a stratum with an odd count gives its extra question to whichever half is smaller
so far, so both halves end within one question of each other. Choose every weight, threshold
and list on tune.jsonl only; report test.jsonl. Re-running with the same file and seed gives
the same split; do not re-split to improve a score.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED = 16  # the issue number; fixed once


def split(
    questions: list[dict[str, Any]], seed: int = SEED
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tune, test), each in the original order."""
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, question in enumerate(questions):
        strata[(question["type"], question["lang"])].append(index)
    rng = random.Random(seed)
    tune: list[int] = []
    test: list[int] = []
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        first, second = (tune, test) if len(tune) <= len(test) else (test, tune)
        for position, index in enumerate(members):
            (first if position % 2 == 0 else second).append(index)
    return [questions[i] for i in sorted(tune)], [questions[i] for i in sorted(test)]


def write(path: Path, questions: list[dict[str, Any]]) -> None:
    path.write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, default=HERE / "specqa.jsonl")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    tune, test = split(questions, args.seed)
    write(args.questions.with_name("tune.jsonl"), tune)
    write(args.questions.with_name("test.jsonl"), test)
    print(f"tune {len(tune)}, test {len(test)}")


if __name__ == "__main__":
    main()
