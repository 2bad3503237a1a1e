"""The app's state: built once by the lifespan (`api.app`), read by the dependencies
(`api.deps`) through `app_state`."""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from starlette.applications import Starlette

from api.jobs import Jobs
from api.metrics import Metrics
from api.services import Services
from api.settings import Settings
from generation.service import Generation
from retrieval.search import Searcher


@dataclass(frozen=True)
class AppState:
    """What the routes use: the settings, the components, and what the server adds to them."""

    settings: Settings
    services: Services  # the components built on first use: ledger, sessions, usage, ...
    searcher: Searcher
    generation: Generation
    jobs: Jobs | None  # background ingest jobs (None without a ledger: see services.broken)
    search_limiter: anyio.CapacityLimiter  # searches running in worker threads at once
    # Deletes wait for the ingest lock: in threads of their own, never the shared pool's.
    delete_limiter: anyio.CapacityLimiter
    metrics: Metrics


def attach(app: Starlette, state: AppState) -> None:
    """Give `app` its state (the lifespan does, once it has built it)."""
    app.state.specrag = state


def app_state(app: Starlette) -> AppState:
    """The state `attach` gave `app`; an AttributeError before its lifespan has started."""
    state: AppState = app.state.specrag
    return state
