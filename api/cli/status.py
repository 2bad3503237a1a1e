"""`specrag status`: what is indexed, in words for an operator (`--json` for programs)."""

from __future__ import annotations

import json
from typing import Any

import click

from api.integrity import drift
from api.services import Services
from ingest.errors import IngestError


def chunk_line(chunks: dict[str, Any]) -> str:
    """The chunks each store holds, as a sentence."""
    lexical = chunks.get("lexical")
    shown = "no lexical index yet" if lexical is None else f"{lexical:,} in the lexical index"
    return f"{chunks['chroma']:,} in Chroma, {chunks['ledger']:,} listed by the ledger, {shown}"


def drift_lines(audit: dict[str, Any]) -> list[str]:
    """Whether the ledger, Chroma and the lexical index agree; if not, each way they differ
    and what to do."""
    if not audit["warnings"]:
        return ["In step:    yes, the ledger, Chroma and the lexical index agree"]
    lines = ["In step:    NO"]
    lines += [f"  - {warning}" for warning in audit["warnings"]]
    for lost in audit.get("missing", [])[:5]:
        lines.append(f"    {lost['source'] or lost['doc_id']}: {lost['chunks']} chunk(s) missing")
    return lines


def _documents(counts: dict[str, int]) -> str:
    shown = [f"{counts.get('ok', 0):,} indexed", f"{counts.get('failed', 0):,} failed"]
    shown += [
        f"{n:,} {status}" for status, n in sorted(counts.items()) if status not in ("ok", "failed")
    ]
    return ", ".join(shown)


def _print(payload: dict[str, Any]) -> None:
    where = (
        f"Chroma server {payload['chroma']}"
        if payload["chroma"].startswith(("http://", "https://"))
        else f"embedded Chroma in {payload['chroma']}"
    )
    click.echo(f"Data dir:   {payload['data_dir']}")
    click.echo(
        f'Index:      {where}, collection "{payload["collection"]}", '
        f"embedding model {payload['embed_model']}"
    )
    click.echo(f"Documents:  {_documents(payload['documents'])}")
    click.echo(f"Chunks:     {chunk_line(payload['drift']['chunks'])}")
    for line in drift_lines(payload["drift"]):
        click.echo(line)
    if payload["failed"]:
        click.echo(f"Failed documents ({len(payload['failed'])}):")
        for failure in payload["failed"]:
            click.echo(f"  {failure['path']}: {failure['reason']}")


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def status(services: Services, as_json: bool) -> None:
    """What is indexed: documents ok and failed, chunks per store, drift, the data dir."""
    try:
        chunks = services.store.count()
    except IngestError as e:  # a damaged vector index, a full disk: named, with what to do
        raise click.ClickException(str(e)) from e
    records = services.ledger.all()
    failed = [{"path": r.source, "reason": r.error} for r in records if r.status == "failed"]
    settings = services.settings
    payload: dict[str, Any] = {
        "data_dir": str(settings.data_dir),
        "chroma": settings.chroma_url or str(settings.data_dir / "chroma"),
        "collection": settings.collection,
        "embed_model": settings.embed_model,
        "documents": services.ledger.counts(),
        "chunks": chunks,
        "failed": failed,
        "drift": drift(services).as_json(),
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print(payload)
