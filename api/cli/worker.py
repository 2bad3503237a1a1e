"""`specrag worker`: take files from the ingest queue and index them (see `api.queue.worker`)."""

from __future__ import annotations

import click

from api.queue.broker import QUEUE
from api.queue.store import QueueStore
from api.queue.worker import Heartbeat, build_app, default_name, refusal, worker_pipeline
from api.services import Services
from ingest.errors import ModelMismatch

NEEDS_QUEUE = (
    "SPECRAG_QUEUE_URL is not set: a worker takes its files from the queue, e.g. "
    "SPECRAG_QUEUE_URL=redis://127.0.0.1:6379/0 (the API's)"
)
NEEDS_SERVER = (
    "SPECRAG_CHROMA_URL is not set: workers on several processes or machines write to one "
    "Chroma server (`chroma run`), e.g. SPECRAG_CHROMA_URL=http://127.0.0.1:8001"
)


@click.command()
@click.option("--name", default=None, help="Worker name (default: specrag-<pid>@<host>).")
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Files at once (processes, each with its own copy of the model).",
)
@click.pass_obj
def worker(services: Services, name: str | None, concurrency: int) -> None:
    """Index files from the queue (SPECRAG_QUEUE_URL) into the Chroma server and the shared
    database. Refuses to start when its embedding model or chunk settings differ from the
    index's."""
    settings = services.settings
    if settings.queue_url is None:
        raise click.UsageError(NEEDS_QUEUE)
    if settings.chroma_url is None:
        raise click.UsageError(NEEDS_SERVER)
    name = name or default_name()
    queue = QueueStore(services.jobs_location)
    pipeline = worker_pipeline(services)
    try:
        services.store.count()  # opens the collection: another embedding model is refused
    except ModelMismatch as e:
        queue.close()
        raise click.ClickException(f"refused: worker {name}: {e}") from e
    reason = refusal(pipeline, queue, name)
    if reason is not None:
        queue.close()
        raise click.ClickException(f"refused: {reason}")
    fingerprint = pipeline.fingerprint
    services.close()  # each worker process opens its own stores
    heartbeat = Heartbeat(queue, name, fingerprint)
    heartbeat.start()
    argv = ["worker", "-n", name, "-c", str(concurrency), "-P", "prefork", "-Q", QUEUE]
    try:
        build_app(settings).worker_main(
            [*argv, "--without-gossip", "--without-mingle", "-l", "INFO"]
        )
    finally:
        heartbeat.stop()
        queue.close()
