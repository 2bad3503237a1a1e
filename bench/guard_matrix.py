"""The sensitive-word guard's case matrix: precision and recall per class of obfuscation, and
what the guard costs per 1,000 characters.

    python -m bench.guard_matrix                       # the tables, Markdown
    python -m bench.guard_matrix --cost                # and the cost on corpus and matrix text
    python -m bench.guard_matrix --cost --baseline 93a5d53   # the cost next to another commit's

Each case of `tests/guard_cases.jsonl` is a text and the list words it must hit (none for a
near miss). Counted per word: a word expected and found is a true positive, expected and not
found a false negative, found and not expected a false positive. A case with `limit` is one the
guard knowingly gets wrong (the reason says why); it counts like any other.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generation.guard import Guard, words_of

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "guard_cases.jsonl"
LISTS = REPO / "data" / "sensitive_words"


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@dataclass
class Score:
    cases: int = 0
    positives: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, case: dict[str, Any], found: list[str]) -> None:
        expected = set(case["expect"])
        self.cases += 1
        self.positives += bool(expected)
        self.tp += len(expected & set(found))
        self.fn += len(expected - set(found))
        self.fp += len(set(found) - expected)
        if set(found) != expected:
            self.wrong.append(case["id"])

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def found_words(guard: Guard, case: dict[str, Any]) -> list[str]:
    return words_of(guard.scan(case["text"]))


def score(guard: Guard, cases: list[dict[str, Any]]) -> dict[str, Score]:
    """Per class, and "all" for the whole matrix."""
    scores: dict[str, Score] = {}
    for case in cases:
        scores.setdefault(case["class"], Score()).add(case, found_words(guard, case))
    scores["all"] = Score()
    for case in cases:
        scores["all"].add(case, found_words(guard, case))
    return scores


def table(scores: dict[str, Score]) -> list[str]:
    lines = [
        "| class | cases | must hit | TP | FP | FN | precision | recall | wrong |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in scores.items():
        lines.append(
            f"| {name} | {s.cases} | {s.positives} | {s.tp} | {s.fp} | {s.fn} | "
            f"{s.precision:.3f} | {s.recall:.3f} | {', '.join(s.wrong) or '-'} |"
        )
    return lines


def costs_per_1000_chars(guards: list[Any], text: str, *, repeats: int = 7) -> list[float]:
    """Median milliseconds of each guard's `scan` per 1,000 characters of `text`, the guards
    taking turns so that a busy machine slows them alike."""
    times: list[list[float]] = [[] for _ in guards]
    for guard in guards:
        guard.scan(text[:1000])  # warm caches
    for _ in range(repeats):
        for guard, spent in zip(guards, times, strict=True):
            started = time.perf_counter()
            guard.scan(text)
            spent.append(time.perf_counter() - started)
    return [statistics.median(t) * 1000 / (len(text) / 1000) for t in times]


def baseline_guard(rev: str, lists: Path) -> Any:
    """The Guard of `generation/guard.py` at git revision `rev`, built from `lists`."""
    source = subprocess.check_output(
        ["git", "show", f"{rev}:generation/guard.py"], cwd=REPO, text=True
    )
    module = types.ModuleType("baseline_guard")
    sys.modules[module.__name__] = module  # pydantic resolves the models' annotations here
    exec(compile(source, f"{rev}:generation/guard.py", "exec"), module.__dict__)
    return module.Guard.from_folder(lists)


def sample_texts(cases: list[dict[str, Any]]) -> dict[str, str]:
    """English: the corpus's Markdown articles; Chinese: the matrix's near misses (clean copy,
    with and without its markup lines) and all its zh texts (a hit every other line); every
    matrix text (markup included)."""
    corpus = REPO / ".." / "shared" / "corpus" / "clutch-sidecar-articles"
    english = "\n".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.md")))
    zh = [c["text"] for c in cases if c["lang"] == "zh"]
    clean = [c["text"] for c in cases if c["lang"] == "zh" and not c["expect"]]
    plain = [t for t in clean if "<" not in t and "&" not in t]
    return {
        "en corpus articles (11 hits)": english[:200_000],
        "zh near misses x80 (no hit)": ("\n".join(clean) + "\n") * 80,
        "zh near misses without markup x80": ("\n".join(plain) + "\n") * 80,
        "zh matrix texts x40 (hit-dense)": ("\n".join(zh) + "\n") * 40,
        "all matrix texts x20": ("\n".join(c["text"] for c in cases) + "\n") * 20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--lists", type=Path, default=LISTS, help="the word lists' folder")
    parser.add_argument("--cost", action="store_true", help="also time scan per 1,000 chars")
    parser.add_argument("--baseline", help="a git revision whose guard to time alongside")
    args = parser.parse_args()
    cases = load_cases(args.cases)
    started = time.perf_counter()
    guard = Guard.from_folder(args.lists)
    built = time.perf_counter() - started
    lines = table(score(guard, cases))
    limits = [c for c in cases if "limit" in c]
    if limits:
        lines += ["", "Known limits: " + "; ".join(f"{c['id']} ({c['limit']})" for c in limits)]
    if args.cost:
        guards: list[Any] = [guard]
        header = "| text | characters | ms per 1,000 characters |"
        if args.baseline:
            guards.insert(0, baseline_guard(args.baseline, args.lists))
            header = f"| text | characters | ms per 1,000 chars at {args.baseline} | now |"
        lines += ["", f"Guard built in {built * 1000:.0f} ms.", "", header]
        lines.append("|---" * (header.count("|") - 1) + "|")
        for name, text in sample_texts(cases).items():
            ms = costs_per_1000_chars(guards, text)
            lines.append(f"| {name} | {len(text):,} | " + " | ".join(f"{m:.3f}" for m in ms) + " |")
    print("\n".join(lines))  # noqa: T201 - a command-line report


if __name__ == "__main__":
    main()
