"""Spec-fact extraction over a corpus: time per file type beside parse + chunk, and a readout.

    python -m bench.specs_extract --corpus ../shared/corpus [--dump DIR] [--repeats 3]

For every file: parse and chunk it as ingest does (256 tokens, overlap 32, cl100k_base),
then time `extract_specs` alone (best of `--repeats`, after one warm-up run that loads the
vocabulary and alias files). Prints ms per file type (extraction and parse + chunk, so the
share extraction adds is visible), and per corpus folder the files, facts and cars found.
`--dump DIR` writes each document's facts as text, one line per fact, to read against the
source.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from ingest.chunk import chunk_document
from ingest.document import SUPPORTED_EXTENSIONS
from ingest.encodings import get_encoding
from ingest.parse import parse_file
from ingest.specs import DocumentSpecs, SpecConfig, extract_specs


def _dump(specs: DocumentSpecs, path: Path) -> str:
    lines = [f"# {path}", "cars: " + ", ".join(f"{c.id} {list(c.aliases)}" for c in specs.cars)]
    for f in specs.facts:
        normalized = f"{f.normalized:g} {f.normalized_unit}" if f.normalized is not None else "-"
        lines.append(
            f"{f.car} | {f.attribute} | {f.variant or '-'} | {f.value} [{f.unit or '-'}] "
            f"= {normalized} | p{f.page} c{f.chunk_index} | {f.evidence!r}"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config = SpecConfig()
    encoding = get_encoding("cl100k_base")
    by_type: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_folder: dict[str, list[DocumentSpecs]] = defaultdict(list)
    warmed = False
    paths = sorted(
        p
        for p in args.corpus.rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
    )
    for path in paths:
        started = time.perf_counter()
        doc = parse_file(path)
        chunks = chunk_document(doc, max_tokens=256, overlap=32, encoding=encoding)
        prepare_ms = (time.perf_counter() - started) * 1000
        if not warmed:
            extract_specs(doc, chunks, config)
            warmed = True
        best = float("inf")
        for _ in range(args.repeats):
            started = time.perf_counter()
            specs = extract_specs(doc, chunks, config)
            best = min(best, (time.perf_counter() - started) * 1000)
        by_type[doc.file_type].append((best, prepare_ms))
        by_folder[path.parent.name].append(specs)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            (args.dump / f"{path.parent.name}--{path.name}.txt").write_text(
                _dump(specs, path), encoding="utf-8"
            )
    print("| file type | files | extract ms/file (mean, max) | parse+chunk ms/file | share |")
    print("|---|---|---|---|---|")
    for file_type, times in sorted(by_type.items()):
        mean = sum(t for t, _ in times) / len(times)
        prep = sum(p for _, p in times) / len(times)
        print(
            f"| {file_type} | {len(times)} | {mean:.1f}, {max(t for t, _ in times):.1f} "
            f"| {prep:.1f} | {mean / prep:.0%} |"
        )
    print("\n| folder | files | facts | cars |")
    print("|---|---|---|---|")
    for folder, docs in sorted(by_folder.items()):
        cars = {c.id for d in docs for c in d.cars}
        print(f"| {folder} | {len(docs)} | {sum(len(d.facts) for d in docs)} | {len(cars)} |")


if __name__ == "__main__":
    main()
