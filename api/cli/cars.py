"""`specrag cars` and `specrag specs`: the car registry and a car's spec sheet."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click

from api.services import Services
from generation.errors import UnknownCar
from ingest.specs.registry import CarSummary, Spec, SpecSheet


def _car_line(car: CarSummary) -> str:
    aliases = f"  (also: {', '.join(car.aliases)})" if car.aliases else ""
    return f"{car.id:32} {car.name}{aliases}  [{car.documents} docs, {car.facts} facts]"


@click.command()
@click.argument("query", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def cars(services: Services, query: str | None, as_json: bool) -> None:
    """The cars the indexed documents are about; QUERY matches names and aliases (any language)."""
    registry = services.cars
    found = registry.search(query) if query and query.strip() else registry.cars()
    if as_json:
        payload = {"total": len(found), "cars": [asdict(c) for c in found]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not found:
        raise click.ClickException(f"no car matches {query!r}" if query else "no cars indexed")
    for car in found:
        click.echo(_car_line(car))


def _line(text: str) -> str:
    """`text` on one line: a value, label or quote holding a newline (a table cell read from
    a PDF) would break the sheet's layout."""
    return " ".join(text.split())


def _value(spec: Spec) -> str:
    shown = _line(spec.value)
    if spec.unit and not any(ch.isalpha() or ch in "%$¥€£" for ch in spec.value):
        shown += f" {spec.unit}"  # the unit was in the label: "Fuel tank capacity (l)  45"
    if spec.normalized is not None and spec.normalized_unit and spec.unit != spec.normalized_unit:
        shown += f"  (= {spec.normalized:.4g} {spec.normalized_unit})"
    return shown


def _print_sheet(sheet: SpecSheet) -> None:
    car = sheet.car
    click.echo(f"{car.name}  [{car.id}]")
    if car.aliases:
        click.echo(f"also: {', '.join(car.aliases)}")
    click.echo(f"{car.documents} documents, {car.facts} facts")
    for spec in sheet.specs:
        variant = f" [{_line(spec.variant)}]" if spec.variant else ""
        flag = "  ! conflict" if spec.conflict else ""
        click.echo(f"  {_line(spec.label)}{variant}: {_value(spec)}{flag}")
        for citation in spec.citations:
            page = f" p.{citation.page}" if citation.page else ""
            quote = _line(citation.evidence)[:120]
            click.echo(f"      {citation.document}{page}: “{quote}”")


def _named(value: Any) -> Any:
    """The sheet as JSON, each citation's `source` its document's name, as the API gives
    it (`GET /v1/cars/{id}`): never a path of the server's."""
    if isinstance(value, dict):
        shown = {k: _named(v) for k, v in value.items()}
        if "document" in shown and "source" in shown:
            shown["source"] = shown["document"]
        return shown
    if isinstance(value, list):
        return [_named(v) for v in value]
    return value


@click.command()
@click.argument("car")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def specs(services: Services, car: str, as_json: bool) -> None:
    """A car's spec sheet with citations; CAR is an id or a name (English or Chinese)."""
    registry = services.cars
    sheet = registry.sheet(car)
    if sheet is None:
        found = registry.search(car)
        sheet = registry.sheet(found[0].id) if found else None
    if sheet is None:
        raise click.ClickException(str(UnknownCar.among(registry, car)))
    if as_json:
        click.echo(json.dumps(_named(asdict(sheet)), ensure_ascii=False, indent=2))
    else:
        _print_sheet(sheet)
