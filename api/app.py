"""The FastAPI app: `create_app(settings)` wires everything once, in the lifespan."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

import anyio
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api import errors, owner
from api.jobs import JobRunner, Jobs, JobStore
from api.limits import BodyPace, ClientLimit, RequestLimits
from api.metrics import Metrics, MetricsMiddleware
from api.queue.jobs import QueueJobs
from api.routes import ROUTERS, docs, web
from api.routes.documents import MAX_UPLOAD_FILES, uploads_dir
from api.runtime import configure_environment
from api.services import Services
from api.settings import Settings
from api.state import AppState, attach
from generation.service import Generation
from ingest.errors import DiskFull, StoreCorrupt, StoreUnavailable
from retrieval.dictionary import packaged

log = logging.getLogger("specrag")

MAX_JSON_BYTES = 1 << 20  # JSON request bodies
MULTIPART_OVERHEAD = 1 << 16  # part headers and boundaries around the uploaded files
DELETE_THREADS = 2  # deletes at once; they take turns on the ingest lock anyway
JOB_STOP_SECONDS = 10.0  # at shutdown, how long a running ingest job may take to finish


def _configure_logging() -> None:
    """Log to stderr unless the host (the CLI, uvicorn, pytest) already configured logging."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )


def _open(services: Services) -> None:
    """Load the embedding model and open Chroma, once, before the first request."""
    dimension = services.embedder.dimension  # loads the model
    services.follow_database()  # a cluster's other instances' ingests, from now on
    try:
        # Opened with the model's dimension, so the first write never has to amend it.
        chunks = services.store.collection(dimension).count()
    except (StoreUnavailable, DiskFull) as e:
        # Readiness reports it; a Chroma server that comes up later (or room made on a full
        # disk) is picked up then.
        log.error("Chroma is not reachable yet: %s", e)
        return
    if chunks and not services.lexical_index.exists():
        log.info("building the lexical index for the %d chunks already in Chroma", chunks)
        services.rebuild_lexical()
    # Load (and check) the lexical index now: one that fails its checks is rebuilt from
    # Chroma in the background while hybrid search answers from vectors.
    reader = services.lexical_reader
    if reader is not None:
        reader.problem  # noqa: B018
    services.open_side_stores()
    packaged()  # CC-CEDICT's glosses now (once a process), not at the first Chinese question
    try:
        recover(services)
    except (StoreCorrupt, DiskFull) as e:  # served without the ledger: see the lifespan
        services.note_broken("ledger", e)


def recover(services: Services) -> None:
    """Crash recovery at start-up: chunks of documents with no committed ledger row (a
    process killed mid-ingest) are removed before the first search can return them."""
    removed = services.pipeline.recover()
    if removed:
        log.warning("start-up: removed %d chunk(s) of uncommitted documents", removed)


def _wire(services: Services) -> None:
    """Let uploads through the ingest roots."""
    pipeline = services.pipeline
    uploads = uploads_dir(services.settings)
    if pipeline.roots and uploads not in pipeline.roots:
        pipeline.roots = [*pipeline.roots, uploads]


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    address: str | None = None,
) -> FastAPI:
    """The app for `settings` (from `SPECRAG_*` when None). Its lifespan builds the app's
    state (`api.state.AppState`) once, before the first request.

    Args:
        services: prebuilt components to use instead of building them (tests share one loaded
            model this way); the caller then owns and closes them.
        address: the URL the server answers on, recorded in the data dir's owner lock so
            that a CLI ingest on the served dir can hand its work over (`api.owner`).
    """
    _configure_logging()
    settings = settings or (services.settings if services else Settings())
    configure_environment(settings.embed_backend)
    registry = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = services or Services(settings)
        job_store: JobStore | None = None
        runner: Jobs | None = None
        generation: Generation | None = None
        owned = ExitStack()
        try:
            owned.enter_context(owner.serving(settings, address))  # for the server's life
            await run_in_threadpool(_open, built)
            try:
                _wire(built)  # opens the ledger
            except (StoreCorrupt, DiskFull) as e:  # serve searches; ingest routes refuse
                built.note_broken("ledger", e)
            if "ledger" not in built.broken:
                try:
                    job_store = JobStore(built.store_location("jobs"))
                except (StoreCorrupt, DiskFull) as e:  # serve without jobs: their routes refuse
                    built.note_broken("jobs", e)
                if settings.queue_url and job_store is not None:  # workers run the jobs
                    runner = QueueJobs.open(built, job_store)
                else:
                    runner = JobRunner(
                        built.pipeline, store=job_store, on_finish=registry.record_job
                    )
                runner.start()
            searcher = built.searcher
            generation = built.generation
            generation.callbacks.register("metrics", registry.on_event)
            attach(
                app,
                AppState(
                    settings=settings,
                    services=built,
                    searcher=searcher,
                    generation=generation,
                    jobs=runner,
                    search_limiter=anyio.CapacityLimiter(settings.search_threads),
                    delete_limiter=anyio.CapacityLimiter(DELETE_THREADS),
                    metrics=registry,
                ),
            )
            log.info(
                "specrag ready: data dir %s, collection %s", settings.data_dir, settings.collection
            )
            yield
        finally:
            if generation is not None:
                await generation.aclose()
            if runner is not None:
                await run_in_threadpool(runner.stop, JOB_STOP_SECONDS)
            if job_store is not None:
                job_store.close()
            if services is None:
                built.close()
            owned.close()

    app = FastAPI(
        title="specrag",
        summary="Search car specification documents indexed in Chroma.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    errors.install(app)
    app.add_middleware(
        RequestLimits,
        json_bytes=MAX_JSON_BYTES,
        upload_bytes=settings.max_file_bytes * MAX_UPLOAD_FILES + MULTIPART_OVERHEAD,
        pace=BodyPace(gap=settings.body_timeout, total=settings.body_max_seconds),
        api_key=settings.api_key,
    )
    app.add_middleware(ClientLimit, per_client=settings.max_requests_per_client)
    app.add_middleware(MetricsMiddleware, metrics=registry)  # outermost: sees every answer
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", web.static_files(), name="static")
    app.mount(docs.ASSETS_URL, docs.static_files(), name="static-docs")
    return app
