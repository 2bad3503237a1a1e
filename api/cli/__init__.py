"""The `specrag` command line."""

from __future__ import annotations

import importlib
import json
import logging
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from api import owner
from api.errors import DataDirBusy
from api.runtime import configure_environment
from api.services import Services
from api.settings import Settings, with_throughput_hint
from ingest.errors import DiskFull, IngestError, disk_full_reason
from ingest.pipeline.plan import Plan
from ingest.pipeline.report import Progress, terminal_progress
from retrieval.errors import RetrievalError

log = logging.getLogger("specrag")
# sysexits' EX_IOERR: `specrag ingest` ran out of disk space in the data dir.
DISK_FULL_EXIT = 74


class _LazyGroup(click.Group):
    """Commands kept in other modules are imported when they run, so `specrag ingest` does
    not pay for the LLM side's imports (openai, fastapi, jinja2: about a second)."""

    lazy = {
        "blog": "api.cli.generate:blog",
        "eval-generation": "api.cli.evalgen:eval_generation",
        "chat": "api.cli.chat:chat",
        "cars": "api.cli.cars:cars",
        "specs": "api.cli.cars:specs",
        "status": "api.cli.status:status",
        "check": "api.cli.integrity:check_command",
        "repair": "api.cli.integrity:repair_command",
        "worker": "api.cli.worker:worker",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attribute = self.lazy[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup)
@click.option("-v", "--verbose", count=True, help="More log lines (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """specrag: index car specification documents and search them."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings()
    except ValidationError as e:
        raise click.UsageError(f"invalid SPECRAG_* setting: {e}") from e
    configure_environment(settings.embed_backend)
    if ctx.invoked_subcommand in ("ingest", "serve"):  # many encoder calls at once
        settings = with_throughput_hint(settings)
    services = Services(settings)
    ctx.obj = services
    ctx.call_on_close(services.close)


def _echo_json(payload: Any) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def _log_progress() -> Progress:
    """Plain log lines for a non-terminal: at most one every five seconds."""
    last = [0.0]

    def update(done: int, total: int, chunks: int, current: str | None) -> None:
        now = time.monotonic()
        if now - last[0] >= 5 or done == total:
            last[0] = now
            on = f", on {Path(current).name}" if current and done < total else ""
            click.echo(f"progress: {done}/{total} files, {chunks} chunks embedded{on}", err=True)

    return update


def _print_plan(plan: Plan) -> None:
    for item in sorted(plan.items, key=lambda i: (i.action, i.path)):
        click.echo(f"{item.action:7} {item.path}")
    for problem in plan.discovery.unsupported + plan.discovery.excluded:
        click.echo(f"{'skip':7} {problem.path}  ({problem.reason})")
    for problem in plan.discovery.failed:
        click.echo(f"{'error':7} {problem.path}  ({problem.reason})")
    counts = plan.summary()
    click.echo(", ".join(f"{n} {action}" for action, n in counts.items()))


def _print_report(report: dict[str, Any]) -> None:
    """A run's report (`Report.as_json()`, also what a server's job answers) as text."""
    files, chunks = report["files"], report["chunks"]
    click.echo(
        f"files: {files['ok']} ok, {files['skipped']} skipped, {files['failed']} failed; "
        f"chunks: {chunks['added']} added, {chunks['updated']} updated, "
        f"{chunks['deleted']} deleted, {chunks['embedded']} embedded; "
        f"{report['seconds']:.1f} s"
    )
    if chunks.get("orphans_removed"):
        click.echo(
            f"  recovered: {chunks['orphans_removed']} chunks of uncommitted documents removed"
        )
    for problem in report["errors"]:
        click.echo(f"  FAILED {problem['path']}: {problem['reason']}")
    for note in report["skipped"]:
        click.echo(f"  note   {note['path']}: {note['reason']}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(min=0), help="Parse processes (0: in-process).")
@click.option("--prune", is_flag=True, help="Delete indexed files gone from PATHS or now excluded.")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.pass_obj
def ingest(
    services: Services,
    paths: tuple[Path, ...],
    workers: int | None,
    prune: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Index the pdf, md, txt, csv and json files under PATHS (files or folders).

    Unchanged files are skipped; changed files replace their chunks. Exits with 1 when any
    file failed (the others are still indexed).
    """
    pipeline = services.pipeline
    if workers is not None:
        pipeline.workers = workers
    if dry_run:
        plan = pipeline.plan(list(paths), prune=prune)
        if as_json:
            _echo_json(
                {
                    "plan": [{"action": i.action, "path": i.path} for i in plan.items],
                    "summary": plan.summary(),
                    "errors": [{"path": p.path, "reason": p.reason} for p in plan.discovery.failed],
                    "excluded": [
                        {"path": p.path, "reason": p.reason} for p in plan.discovery.excluded
                    ],
                }
            )
        else:
            _print_plan(plan)
        return
    progress = None if as_json else (terminal_progress() or _log_progress())
    try:
        with owner.writing(services.settings, "ingest"):
            report = pipeline.run(list(paths), prune=prune, progress=progress)
    except DataDirBusy as busy:
        from api.cli import handover

        payload = handover.ingest(busy, services.settings, list(paths), prune=prune)
    except Exception as e:
        _exit_if_disk_full(e, services)
        if isinstance(e, IngestError):
            raise click.ClickException(str(e)) from e
        raise
    else:
        payload = report.as_json()
    if as_json:
        _echo_json(payload)
    else:
        _print_report(payload)
    if payload["files"]["failed"]:
        sys.exit(1)


def _exit_if_disk_full(error: BaseException, services: Services) -> None:
    """Exit with DISK_FULL_EXIT and a message naming the data dir if a full disk caused
    `error` (the index keeps what was committed before)."""
    if isinstance(error, DiskFull):
        full = error
    else:
        reason = disk_full_reason(error)
        if reason is None:
            return
        full = DiskFull(services.settings.data_dir, reason)
    click.echo(f"Error: {full}", err=True)
    sys.exit(DISK_FULL_EXIT)


@main.command()
@click.argument("source")
@click.pass_obj
def delete(services: Services, source: str) -> None:
    """Remove a document (by path or doc id) and all its chunks from the index."""
    resolved = str(Path(source).expanduser().resolve())
    matches = [
        r for r in services.ledger.all() if source in (r.doc_id, r.source) or r.source == resolved
    ]
    if not matches:
        raise click.ClickException(f"no indexed document matches {source!r}")
    try:
        with owner.writing(services.settings, "delete"):
            for record in matches:
                chunks = services.pipeline.delete(record.doc_id)
                click.echo(f"deleted {record.source} ({chunks} chunks)")
    except DataDirBusy as busy:
        from api.cli import handover

        for record in matches:
            chunks = handover.delete(busy, services.settings, record.doc_id)
            click.echo(f"deleted {record.source} ({chunks} chunks, by the server)")


@main.command()
@click.argument("text")
@click.option("-k", "k", default=5, type=click.IntRange(1, 100), show_default=True)
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "vector", "lexical"]),
    default="hybrid",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def query(services: Services, text: str, k: int, mode: str, as_json: bool) -> None:
    """Search: the K passages most relevant to TEXT, with their citations."""
    if not text.strip():
        raise click.BadParameter("the query is empty", param_hint="TEXT")

    def warn(event: str, payload: Mapping[str, Any]) -> None:
        if payload.get("degraded"):
            click.echo(f"warning: {payload['degraded']}", err=True)

    try:
        results = services.searcher.search(text, k=k, mode=mode, events=warn)  # type: ignore[arg-type]
    except (IngestError, RetrievalError) as e:
        raise click.ClickException(str(e)) from e
    rows = [
        {
            "id": r.chunk_id,
            "score": round(r.score, 6),
            "scores": r.scores.model_dump(),
            "source": r.citation.path or r.citation.source,
            "page": r.citation.page,
            "section": r.citation.section,
            "text": r.text,
        }
        for r in results
    ]
    if as_json:
        _echo_json(rows)
        return
    for rank, row in enumerate(rows, 1):
        page = f" p.{row['page']}" if row["page"] else ""
        click.echo(f"{rank}. [{row['score']:.4f}] {row['source']}{page} § {row['section'] or '-'}")
        click.echo("   " + " ".join(str(row["text"]).split())[:300])


@main.command("eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def evaluate_command(services: Services, questions: Path, as_json: bool) -> None:
    """Recall@1/5/10 and MRR of vector, lexical and hybrid search on a QA file (dev-qa.jsonl)."""
    from retrieval.evaluate import evaluate_file, format_table

    try:
        report = evaluate_file(services.searcher, questions)
    except (IngestError, RetrievalError, ValueError) as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        _echo_json(report)
    else:
        click.echo(format_table(report))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=click.IntRange(0, 65535), show_default=True)
@click.pass_obj
def serve(services: Services, host: str, port: int) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from api.app import create_app
    from api.protocol import SpecragHttp

    click.echo(
        f"specrag: serving on http://{host}:{port}  (docs: http://{host}:{port}/docs)", err=True
    )
    settings = services.settings
    try:
        owner.check_free(settings)
    except DataDirBusy as e:
        raise click.ClickException(str(e)) from e
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"
    uvicorn.run(
        create_app(settings, address=address),
        host=host,
        port=port,
        http=SpecragHttp,  # httptools; raw UTF-8 targets read, a refused request in JSON
        log_level="info",
        timeout_graceful_shutdown=settings.shutdown_seconds,
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
