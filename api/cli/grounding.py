"""`specrag check --car CAR FILE`: the grounding verdict of each figure of a text."""

from __future__ import annotations

import json
import sys
from typing import TextIO

import click

from api.grounding import check_text, resolve_car
from api.services import Services
from generation.errors import UnknownCar


def check_grounding(services: Services, car_name: str, file: TextIO, as_json: bool) -> None:
    """Print a table of FILE's figures and verdicts (or JSON); exit 1 unless grounded."""
    text = file.read()
    if not text.strip():
        raise click.ClickException(f"{file.name}: the text is empty")
    registry = services.cars
    try:
        car = resolve_car(registry, car_name)
    except UnknownCar as e:
        raise click.ClickException(str(e)) from e
    report = check_text(registry, car, text, services.searcher)
    if as_json:
        payload = {"car": car.id, "name": car.name, **report.model_dump()}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{car.name} [{car.id}]")
        click.echo(f"{'figure':24} {'verdict':12} backing")
        for f in report.figures:
            backing = ""
            if f.backing is not None:
                c = f.backing.citation
                page = f" p.{c.page}" if c.page is not None else ""
                owner = f"{f.backing.car}: " if f.verdict == "wrong_car" else ""
                backing = f"{owner}{f.backing.attribute or 'passage'} {f.backing.value!r}"
                backing += f" ({c.document or c.source}{page})"
            click.echo(f"{f.text:24} {f.verdict:12} {backing}")
        click.echo(
            f"{report.verdict}: {report.checked} checked, {report.supported} supported, "
            f"{len(report.wrong_car)} wrong car, {len(report.unsupported)} unsupported"
        )
    if report.verdict != "grounded":
        sys.exit(1)
