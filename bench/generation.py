"""Generation eval on the corpus: `specrag eval-generation`'s figures in BENCHMARKS.md.

    python -m bench.generation --corpus ../shared/corpus --out BENCHMARKS.md [--n 10]
    python -m bench.generation --data-dir DIR --out BENCHMARKS.md   # an index already built

Indexes the corpus into a temp dir (or opens `--data-dir`), then runs the same evaluation as
`specrag eval-generation` (`api.cli.evalgen.evaluate`): N cars chosen from the registry × the
six businesses × en/zh, on the default model, one request at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from api.cli.evalgen import Evaluation, evaluate
from api.services import Services
from api.settings import Settings
from bench.ingest import machine, write_section

SECTION = "## Generation"


def run(data_dir: Path, args: argparse.Namespace) -> tuple[Evaluation, str]:
    services = Services(Settings(data_dir=data_dir))
    try:
        if args.corpus is not None:
            report = services.pipeline.run([args.corpus])
            sys.stderr.write(f"indexed {report.ok} files ({report.failed} failed)\n")
        cars = [c.strip() for c in args.cars.split(",") if c.strip()] if args.cars else []
        evaluation = evaluate(services, cars=cars, n=args.n)
        spec = services.generation.models.get(None)
        model = f"`{spec.name}` ({spec.model_id}, {spec.kind})"
    finally:
        services.close()
    return evaluation, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", type=Path, help="index this folder into a temp dir first")
    source.add_argument("--data-dir", type=Path, help="an index of the corpus already built")
    parser.add_argument("--n", type=int, default=10, help="cars chosen from the registry")
    parser.add_argument("--cars", default=None, help="comma-separated cars instead of choosing")
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--json-out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args()

    if args.data_dir is not None:
        evaluation, model = run(args.data_dir, args)
        index = f"`{args.data_dir}` (an index of the corpus)"
    else:
        with tempfile.TemporaryDirectory(prefix="specrag-evalgen-") as tmp:
            evaluation, model = run(Path(tmp), args)
        index = f"`{args.corpus}`, indexed with the default settings"
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(evaluation.as_json(), ensure_ascii=False, indent=2))

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    source = f"--data-dir {args.data_dir}" if args.data_dir else f"--corpus {args.corpus}"
    chosen = f" --cars {args.cars}" if args.cars else f" --n {args.n}"
    lines = [
        SECTION,
        "",
        f"Measured {stamp} on {machine()}.",
        f"Command: `python -m bench.generation {source}{chosen} --out BENCHMARKS.md` (run by"
        f" `make bench`; the same evaluation as `SPECRAG_DATA_DIR=<index> specrag"
        f" eval-generation{chosen} [--json]`). Index: {index}. Model: {model}, the default;"
        " one request at a time, each timed as a whole (the first one loads the model).",
        "Measures: distinct facts = the response's `facts` once per attribute, variant and"
        " value; figures = the response's `grounding`; echo = six words (twelve Chinese"
        " characters) of the prompt repeated, or talk about the rewrite; loop = a sentence said"
        " twice, or eight words (sixteen characters) said three times in one sentence; right"
        " language = zh at least half CJK letters, en no CJK, the names of the car, its versions"
        " and engines left out"
        " (`generation/evaluation/metrics.py`).",
        "",
        evaluation.markdown(),
        "",
    ]
    write_section(args.out, SECTION, "\n".join(lines))
    sys.stdout.write("\n".join(lines) + "\n")
    if evaluation.crashes:
        raise SystemExit(f"{evaluation.crashes} request(s) crashed (HTTP 500)")


if __name__ == "__main__":
    main()
