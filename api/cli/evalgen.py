"""`specrag eval-generation`: every business in English and Chinese over N cars, measured.

Uses the `Services` the CLI group builds: `services.generation` (its chain is the API's) and
`services.searcher`. The measures and targets are `generation.evaluation`'s; `bench.generation`
runs the same `evaluate` for BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from api.services import Services
from generation.evaluation import report
from generation.evaluation.metrics import Measured
from generation.evaluation.run import LANGUAGES, cases, choose_cars, run_all
from generation.schemas import BUSINESSES


@dataclass
class Evaluation:
    cars: list[str]
    measured: list[Measured]

    def as_json(self) -> dict[str, Any]:
        return report.as_json(self.measured, self.cars)

    def markdown(self) -> str:
        return report.markdown(self.measured, self.cars)

    @property
    def crashes(self) -> int:
        return sum(m.status == 500 for m in self.measured)


def _progress(done: int, total: int, m: Measured) -> None:
    outcome = "200" if m.ok else f"{m.status} {m.error_type}"
    flags = "; ".join(report.problems(m)) if m.ok else ""
    facts = f", {m.distinct_facts} facts" if m.ok else ""
    click.echo(
        f"[{done}/{total}] {m.car} {m.business} {m.language}: {outcome} in {m.seconds:.1f}s"
        f"{facts}{'  ! ' + flags if flags else ''}",
        err=True,
    )


def evaluate(
    services: Services,
    *,
    cars: Sequence[str] = (),
    n: int = 10,
    businesses: Sequence[str] = tuple(BUSINESSES),
    languages: Sequence[str] = LANGUAGES,
    model: str | None = None,
    progress: bool = True,
) -> Evaluation:
    """Generate and measure every case: the named `cars`, else `n` chosen from the registry."""
    generation = services.generation
    if not cars:
        if generation.facts is None:
            raise click.ClickException("facts-first generation is off: name the cars with --cars")
        cars = choose_cars(generation.facts, n)
        if not cars:
            raise click.ClickException(
                f"no car of the index at {services.settings.data_dir} has facts: ingest spec "
                "sheets or brochures first"
            )
    todo = cases(cars, businesses, languages)
    measured = asyncio.run(
        run_all(
            generation,
            services.searcher,
            todo,
            model=model,
            progress=_progress if progress else None,
        )
    )
    return Evaluation(list(cars), measured)


def _names(value: str | None, known: Sequence[str], what: str) -> list[str]:
    if not value:
        return list(known)
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in names if v not in known]
    if unknown:
        raise click.BadParameter(f"unknown {what} {', '.join(unknown)}; known: {', '.join(known)}")
    return names


@click.command("eval-generation")
@click.option("--cars", default=None, help="Comma-separated cars (ids or names); default: chosen.")
@click.option("-n", "--n", "n", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option(
    "--businesses", default=None, help=f"Comma-separated; default: {', '.join(BUSINESSES)}."
)
@click.option("--languages", default=None, help="Comma-separated; default: en,zh.")
@click.option("--model", default=None, help="A model from data/models.toml (default: its default).")
@click.option("--json", "as_json", is_flag=True, help="Print totals, targets and every output.")
@click.pass_obj
def eval_generation(
    services: Services,
    cars: str | None,
    n: int,
    businesses: str | None,
    languages: str | None,
    model: str | None,
    as_json: bool,
) -> None:
    """Generate every business in English and Chinese for N cars and measure the outputs:
    facts used, figures checked / unsupported / wrong-car, echoes, loops, language, latency.

    The issue's targets are reported beside the figures; the exit code is 1 only when a
    request crashed (what the API would answer with a 500).
    """
    chosen = [c.strip() for c in cars.split(",") if c.strip()] if cars else []
    evaluation = evaluate(
        services,
        cars=chosen,
        n=n,
        businesses=_names(businesses, list(BUSINESSES), "business"),
        languages=_names(languages, list(LANGUAGES), "language"),
        model=model,
    )
    if as_json:
        click.echo(json.dumps(evaluation.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(evaluation.markdown())
    if evaluation.crashes:
        raise click.ClickException(f"{evaluation.crashes} request(s) crashed (HTTP 500)")
