"""Blog generation with the embedded model: latency and tokens per step.

    python -m bench.blog --out BENCHMARKS.md [--car "Aurora X5"] [--runs 2]

Indexes data/samples into a temp dir, then generates the three-step car blog with the
`local` model (SmolLM2-135M on CPU, no key, no network) through the same chain the API uses.
The first run includes loading the model; it is reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from api.services import Services
from api.settings import Settings
from bench.ingest import machine, write_section
from generation.schemas import Brief

SECTION = "## Blog generation (embedded model)"


async def generate(services: Services, brief: Brief) -> tuple[float, object]:
    started = time.perf_counter()
    response = await services.generation.chain(brief, services.searcher).run(brief)
    return time.perf_counter() - started, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--car", default="Aurora X5")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="specrag-blog-") as tmp:
        services = Services(Settings(data_dir=Path(tmp)))
        services.pipeline.run([services.settings.samples_dir])
        brief = Brief(car=args.car, model="local")
        rows: list[str] = []
        totals: list[float] = []

        async def all_runs() -> None:
            try:
                for run in range(1, args.runs + 1):
                    seconds, response = await generate(services, brief)
                    totals.append(seconds)
                    for step in response.trace:  # type: ignore[attr-defined]
                        rows.append(
                            f"| {run} | {step.step} | {step.prompt_template} | {step.prompt_tokens}"
                            f" | {step.completion_tokens} | {step.latency_ms / 1000:.1f} s"
                            f" | {step.completion_tokens / max(step.latency_ms / 1000, 1e-9):.1f} |"
                        )
                    grounding = response.grounding  # type: ignore[attr-defined]
                    rows.append(
                        f"| {run} | whole blog | | | | {seconds:.1f} s | grounding "
                        f"{grounding.supported}/{grounding.checked}, {grounding.action} |"
                    )
            finally:
                await services.generation.aclose()

        asyncio.run(all_runs())
        services.close()

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    later = statistics.median(totals[1:]) if len(totals) > 1 else totals[0]
    lines = [
        SECTION,
        "",
        f"Measured {stamp} on {machine()}.",
        f'Command: `make bench` (`python -m bench.blog --car "{args.car}" --runs {args.runs}`);'
        " index: data/samples; model: `local` (SmolLM2-135M-Instruct GGUF, OpenVINO GenAI, CPU).",
        f"Whole blog: first run {totals[0]:.1f} s (model load included), later runs {later:.1f} s.",
        "",
        "| run | step | prompt template | prompt tokens | completion tokens | latency | tokens/s |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    write_section(args.out, SECTION, "\n".join(lines))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
