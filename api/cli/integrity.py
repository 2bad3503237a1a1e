"""`specrag check` and `specrag repair`: the index compared with the ledger, and put right."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

import click

from api import owner
from api.cli.grounding import check_grounding
from api.cli.status import chunk_line, drift_lines
from api.errors import DataDirBusy
from api.integrity import PROBE_SAMPLE, check, run_repair
from api.services import Services
from ingest.errors import IngestError


def _echo(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"Documents:  {payload['documents']:,} in the ledger")
    click.echo(f"Chunks:     {chunk_line(payload['chunks'])}")
    for line in drift_lines(payload):
        click.echo(line)


@click.command("check")
@click.option(
    "--sample",
    default=PROBE_SAMPLE,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Chunks to query with their own stored vector.",
)
@click.option("--car", default=None, help="Check FILE's figures against this car's facts.")
@click.argument("file", required=False, type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def check_command(
    services: Services, sample: int, car: str | None, file: TextIO | None, as_json: bool
) -> None:
    """Compare ledger, Chroma, the lexical index and the second collection; probe vector
    search. Exits 1 on any drift.

    With --car CAR FILE: each figure of FILE ("-": stdin) judged against CAR's facts
    (supported, wrong_car, unsupported); exits 1 unless every figure is supported."""
    if car is not None or file is not None:
        if car is None or file is None:
            raise click.UsageError("grounding needs both --car CAR and FILE ('-' for stdin)")
        check_grounding(services, car, file, as_json)
        return
    try:
        payload = check(services, sample=sample)
    except IngestError as e:  # a damaged vector index: named, with what to do
        raise click.ClickException(str(e)) from e
    _echo(payload, as_json)
    if not as_json:
        probe = payload["probe"]
        click.echo(f"vector self-probe: {probe['found']}/{probe['tried']} chunks found")
        second = payload["second"]
        if second is not None:
            click.echo(
                f"second collection ({second['model']}): {second['chunks']} of "
                f"{second['expected']} mostly-Chinese chunks"
            )
        click.echo("ok" if payload["ok"] else "NOT OK: run `specrag repair`")
    if not payload["ok"]:
        sys.exit(1)


@click.command("repair")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def repair_command(services: Services, as_json: bool) -> None:
    """Remove orphan chunks, re-ingest documents Chroma lost, rebuild the lexical index."""
    try:
        with owner.writing(services.settings, "repair"):
            done = run_repair(services)
    except DataDirBusy as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        click.echo(json.dumps(done, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"removed {done['orphans_removed']} orphan chunk(s); re-ingested "
            f"{len(done['reingested'])} document(s); lexical index rebuilt"
        )
        for lost in done["unrecoverable"]:
            click.echo(f"  UNRECOVERABLE {lost['source']}: {lost['reason']}")
        _echo(done["after"], as_json=False)
    if not done["after"]["ok"]:
        sys.exit(1)
