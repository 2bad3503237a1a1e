"""Spec facts: precision and recall of `extract_specs` against the hand-made gold, and what
extraction adds to ingest time.

    python -m bench.facts [--corpus ../shared/corpus] [--gold tests/specs/gold.jsonl] [--out FILE]
                          [--split tune|holdout|fresh|all]

Quality: every gold source is parsed and chunked as the ingest does and put through
`ingest.specs.extract_specs`; its facts about the gold's cars, on the attributes the gold
has for that source, are matched against the gold lines (`bench/spec_match.py`).
`--split` scores only the tune, holdout or fresh sources (`tests/specs/README.md`, "Tune,
holdout and fresh"); no report lists the misses or false positives of a fresh source, so
nobody tunes on them.
Throughput: every corpus file is parsed and chunked, then extracted, in this one process,
each step timed apart in wall and CPU seconds (best of `--rounds` passes per file).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench.ingest import machine, write_section
from bench.spec_match import Scored, score
from tests.specs.check_gold import GOLD, GoldFact, load_gold

if TYPE_CHECKING:
    from ingest.document import Chunk, ParsedDocument
    from ingest.specs.model import Fact

SECTION = "## Spec facts"
SPLITS = ("tune", "holdout", "fresh", "all")
BLIND = "fresh"  # the split whose mistakes are never listed
README = GOLD.parent / "README.md"
_SPLIT_LINE = re.compile(r"^- (tune|holdout|fresh): `([^`]+)`\s*$", re.MULTILINE)
GROUPS = ("pdf", "md", "txt", "csv", "en", "zh")

Extract = Callable[["ParsedDocument", "list[Chunk]"], "list[Fact]"]


def extractor(cars: tuple[Path, ...] = ()) -> Extract:
    """`extract_specs` with its default configuration (plus the alias files `cars`, as a user
    lists their own); a clear exit when it is not there."""
    specs = importlib.import_module("ingest.specs")
    extract_specs = getattr(specs, "extract_specs", None)
    spec_config = getattr(specs, "SpecConfig", None)
    if extract_specs is None or spec_config is None:
        raise SystemExit(
            "ingest.specs.extract_specs is not available yet: it comes with the spec "
            "extraction branch (specs-extract)"
        )
    config = spec_config()
    if cars:
        config = spec_config(cars=(*config.cars, *cars))

    def run(doc: ParsedDocument, chunks: list[Chunk]) -> list[Fact]:
        return list(extract_specs(doc, chunks, config).facts)

    return run


def chunker() -> Callable[[ParsedDocument], list[Chunk]]:
    """`chunk_document` with the ingest's default options and the model's window check, as
    `ingest/pipeline/prepare.py` calls it."""
    from api.settings import Settings
    from ingest.chunk import chunk_document
    from ingest.embedding.model import WindowCheck, resolve_model_path
    from ingest.encodings import get_encoding

    settings = Settings()
    encoding = get_encoding(settings.encoding)
    fits = WindowCheck(resolve_model_path(settings.embed_model))

    def run(doc: ParsedDocument) -> list[Chunk]:
        return chunk_document(
            doc,
            max_tokens=settings.chunk_tokens,
            overlap=settings.chunk_overlap,
            encoding=encoding,
            fits=fits,
        )

    return run


def split_sources(readme: Path = README) -> dict[str, str]:
    """Each gold source's split ("tune", "holdout" or "fresh") as the gold README lists them."""
    return {m.group(2): m.group(1) for m in _SPLIT_LINE.finditer(readme.read_text("utf-8"))}


def select(gold: list[GoldFact], split: str, readme: Path = README) -> list[GoldFact]:
    """The gold lines of `split`; every gold source must be in one of the README's lists."""
    if split == "all":
        return gold
    splits = split_sources(readme)
    unlisted = sorted({g.source for g in gold} - splits.keys())
    if unlisted:
        raise SystemExit(f"{readme}: gold sources in no split: {', '.join(unlisted)}")
    return [g for g in gold if splits[g.source] == split]


def predict(corpus: Path, sources: Iterable[str], extract: Extract) -> dict[str, list[Fact]]:
    """Each gold source's extracted facts."""
    from ingest.parse import parse_file

    chunk = chunker()
    predicted = {}
    for source in sources:
        doc = parse_file(corpus / source)
        predicted[source] = extract(doc, chunk(doc))
    return predicted


@dataclass(slots=True)
class Timing:
    files: int = 0
    parse_chunk: float = 0.0  # wall seconds, summed over the files (best pass per file)
    extract: float = 0.0
    parse_chunk_cpu: float = 0.0  # CPU seconds of this process, the same way
    extract_cpu: float = 0.0
    failed: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (extract s, file)


def throughput(corpus: Path, extract: Extract, rounds: int) -> Timing:
    """Parse+chunk and extract times of every corpus file, in this process, best of `rounds`."""
    from api.settings import Settings
    from ingest.discover import discover
    from ingest.errors import IngestError
    from ingest.parse import parse_file

    chunk = chunker()
    root = corpus.resolve()
    files = discover([root], roots=[], max_file_bytes=Settings().max_file_bytes).files
    best: dict[str, list[float]] = {}
    failed: set[str] = set()
    for _ in range(max(1, rounds)):
        for file in files:
            path = Path(file.path)
            name = str(path.relative_to(root)) if path.is_relative_to(root) else file.path
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                doc = parse_file(path)
                chunks = chunk(doc)
            except IngestError:
                failed.add(name)
                continue
            parsed, cpu_parsed = time.perf_counter(), time.process_time()
            extract(doc, chunks)
            done, cpu_done = time.perf_counter(), time.process_time()
            times = [
                parsed - started,
                done - parsed,
                cpu_parsed - cpu_started,
                cpu_done - cpu_parsed,
            ]
            best[name] = [min(a, b) for a, b in zip(best.get(name, times), times, strict=True)]
    timing = Timing(files=len(best), failed=sorted(failed))
    timing.parse_chunk, timing.extract, timing.parse_chunk_cpu, timing.extract_cpu = (
        sum(t[i] for t in best.values()) for i in range(4)
    )
    timing.slowest = sorted(((t[1], name) for name, t in best.items()), reverse=True)[:5]
    return timing


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "n/a"


def render(
    scored: Scored, timing: Timing | None, command: str, *, blind: frozenset[str] = frozenset()
) -> str:
    """The `## Spec facts` section; the mistakes of the `blind` sources are not listed."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    total = scored.totals()
    lines = [
        SECTION,
        "",
        f"Measured {stamp} on {machine()}.",
        f"Command: `{command}`; gold: `tests/specs/gold.jsonl` ({total.gold} facts, "
        f"{len(scored.cars())} cars, {len(scored.sources)} sources; how it was made: "
        "`tests/specs/README.md`). Targets: precision >= 0.95, recall >= 0.85.",
        "",
        "A predicted fact counts when it is about a gold car of a gold source and on an "
        "attribute the gold has for that source; it is right when car, attribute, value "
        "(numbers equal: exactly in one unit, within 0.5 % across units; or text equal after "
        "case/space folding) and variant agree (`bench/spec_match.py`).",
        "",
        "| group | gold facts | predicted | right | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for name in (*GROUPS, "total"):
        tally = total if name == "total" else scored.group(name)
        if not tally.gold and not tally.predicted:
            continue
        lines.append(
            f"| {'**total**' if name == 'total' else name} | {tally.gold} | {tally.predicted} "
            f"| {tally.right} | {_pct(tally.right, tally.predicted)} "
            f"| {_pct(tally.found, tally.gold)} |"
        )
    lines += [
        "",
        "| source | gold | predicted | right | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for source in scored.sources:
        tally = scored.sources[source].tally
        lines.append(
            f"| `{source}` | {tally.gold} | {tally.predicted} | {tally.right} "
            f"| {_pct(tally.right, tally.predicted)} | {_pct(tally.found, tally.gold)} |"
        )
    if timing is not None:
        wall = timing.extract / timing.parse_chunk if timing.parse_chunk else 0.0
        cpu = timing.extract_cpu / timing.parse_chunk_cpu if timing.parse_chunk_cpu else 0.0
        lines += [
            "",
            f"Ingest time with extraction, every corpus file ({timing.files} files"
            + (f", {len(timing.failed)} unreadable" if timing.failed else "")
            + "), one process, best of the passes per file:",
            "",
            "| measure | value |",
            "|---|---|",
            f"| parse + chunk, wall | {_per_file(timing.parse_chunk, timing.files)} |",
            f"| parse + chunk + extract, wall | "
            f"{_per_file(timing.parse_chunk + timing.extract, timing.files)} |",
            f"| parse + chunk, CPU | {_per_file(timing.parse_chunk_cpu, timing.files)} |",
            f"| parse + chunk + extract, CPU | "
            f"{_per_file(timing.parse_chunk_cpu + timing.extract_cpu, timing.files)} |",
            f"| extraction overhead on parse + chunk: CPU (wall) | {cpu:.1%} ({wall:.1%}) |",
            "| slowest extractions | "
            + ", ".join(f"`{name}` {seconds * 1000:.0f} ms" for seconds, name in timing.slowest)
            + " |",
            "",
            "CPU time is the steadier figure on a shared machine. The whole ingest also embeds "
            "every chunk (see `## Ingest`), so extraction's share of it is smaller than its "
            "share of parse + chunk.",
        ]
    lines += ["", *_mistakes(scored, blind), ""]
    return "\n".join(lines)


def _mistakes(scored: Scored, blind: frozenset[str]) -> list[str]:
    shown = {source: s for source, s in scored.sources.items() if source not in blind}
    misses = [(source, gold) for source, s in shown.items() for gold in s.misses]
    wrong = [(source, fact) for source, s in shown.items() for fact in s.false_positives]
    if not shown:
        return [f"({BLIND} sources: mistakes not listed)"]
    lines = (
        [f"({BLIND} sources: mistakes not listed)", ""] if len(shown) < len(scored.sources) else []
    )
    lines += [f"<details><summary>Misses: {len(misses)} gold facts not extracted</summary>", ""]
    lines += [
        f"- `{source}` {gold.car} / {gold.attribute}"
        + (f" [{gold.variant}]" if gold.variant else "")
        + f' = {gold.value!r} ({_unit(gold.unit)}): "{gold.evidence}"'
        for source, gold in misses
    ]
    lines += ["", "</details>", ""]
    lines += [
        f"<details><summary>False positives: {len(wrong)} facts no gold line backs</summary>",
        "",
    ]
    lines += [
        f"- `{source}` {fact.car} / {fact.attribute}"
        + (f" [{fact.variant}]" if fact.variant else "")
        + f' = {fact.value!r} {list(fact.numbers)} ({_unit(fact.unit)}): "{_short(fact.evidence)}"'
        for source, fact in wrong
    ]
    lines += ["", "</details>"]
    return lines


def _per_file(seconds: float, files: int) -> str:
    return f"{seconds:.2f} s ({seconds / max(files, 1) * 1000:.1f} ms/file)"


def _unit(unit: str | None) -> str:
    return unit or "no unit"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--rounds", type=int, default=2, help="throughput passes (best counts)")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--split", choices=SPLITS, default="all", help="gold sources scored")
    parser.add_argument(
        "--cars", type=Path, action="append", default=[], help="an extra car alias file"
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        raise SystemExit(f"--corpus {args.corpus}: no such folder")
    gold = select(load_gold(args.gold), args.split)
    extract = extractor(tuple(args.cars))
    predicted = predict(args.corpus, dict.fromkeys(g.source for g in gold), extract)
    scored = score(gold, predicted)
    timing = None if args.no_throughput else throughput(args.corpus, extract, args.rounds)
    command = f"python -m bench.facts --corpus {args.corpus}"
    if args.gold != GOLD:
        command += f" --gold {args.gold}"
    command += "".join(f" --cars {path}" for path in args.cars)
    if args.split != "all":
        command += f" --split {args.split}"
    blind = frozenset(source for source, split in split_sources().items() if split == BLIND)
    text = render(scored, timing, command, blind=blind)
    write_section(args.out, SECTION, text)
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
