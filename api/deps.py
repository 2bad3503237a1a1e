"""FastAPI dependencies: what the lifespan built, as `Annotated` aliases, and the API key check.

Each reads the state the lifespan built (`api.state.app_state`). They are coroutines because
they never block: FastAPI runs a plain `def` dependency in its thread pool, and three such hops
per request took a fifth of the server's GIL time under load.
"""

from __future__ import annotations

import secrets
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import SecretStr

from api.errors import ApiError
from api.jobs import Jobs
from api.metrics import Metrics
from api.naming import Naming
from api.queue.jobs import QueueJobs
from api.services import Services
from api.settings import Settings
from api.state import app_state
from generation.chat.session import Chat
from generation.service import Generation
from retrieval.search import Searcher


async def get_settings(request: Request) -> Settings:
    return app_state(request.app).settings


async def get_services(request: Request) -> Services:
    return app_state(request.app).services


async def get_searcher(request: Request) -> Searcher:
    return app_state(request.app).searcher


async def get_generation(request: Request) -> Generation:
    return app_state(request.app).generation


async def get_naming(request: Request) -> Naming:
    return app_state(request.app).services.naming


async def get_search_limiter(request: Request) -> anyio.CapacityLimiter:
    return app_state(request.app).search_limiter


async def get_delete_limiter(request: Request) -> anyio.CapacityLimiter:
    return app_state(request.app).delete_limiter


async def get_jobs(request: Request) -> Jobs:
    """The job runner; the error of the ledger or jobs store when one could not be opened."""
    state = app_state(request.app)
    for store in ("ledger", "jobs"):
        broken = state.services.broken.get(store)
        if broken is not None:
            raise broken.error.with_traceback(None)
    assert state.jobs is not None  # made whenever the ledger opened
    return state.jobs


async def get_queue(request: Request) -> QueueJobs | None:
    """The jobs on the ingest queue (`SPECRAG_QUEUE_URL`), for its health; None without one."""
    jobs = app_state(request.app).jobs
    return jobs if isinstance(jobs, QueueJobs) else None


async def get_metrics(request: Request) -> Metrics:
    return app_state(request.app).metrics


def get_chat(request: Request) -> Chat:
    """A plain `def`, in a worker thread: the first call opens the sessions store."""
    state = app_state(request.app)
    return state.services.chat(state.search_limiter)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]
NamingDep = Annotated[Naming, Depends(get_naming)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
GenerationDep = Annotated[Generation, Depends(get_generation)]
SearchLimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_search_limiter)]
DeleteLimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_delete_limiter)]
JobsDep = Annotated[Jobs, Depends(get_jobs)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
QueueDep = Annotated[QueueJobs | None, Depends(get_queue)]
ChatDep = Annotated[Chat, Depends(get_chat)]

bearer = HTTPBearer(
    auto_error=False,
    description=(
        "Needed on every route but /healthz, /readyz and the web page when SPECRAG_API_KEY is set."
    ),
)


def key_refusal(api_key: SecretStr | None, authorization: str | None) -> ApiError | None:
    """The 401 for a request whose `Authorization` header lacks `Bearer <api_key>`; None when
    it carries the key or no key is set. Shared by `require_api_key` and the guard that runs
    before a body is read (`api.limits.RequestLimits`)."""
    if api_key is None:
        return None
    scheme, token = get_authorization_scheme_param(authorization)
    given = token if token and scheme.lower() == "bearer" else None
    expected = api_key.get_secret_value().encode("utf-8")
    if given is not None and secrets.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected
    ):
        return None
    return ApiError(
        401,
        "unauthorized",
        "wrong API key"
        if given is not None
        else "this route needs an API key: send `Authorization: Bearer <key>`",
        headers={"WWW-Authenticate": 'Bearer realm="specrag"'},
    )


async def require_api_key(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """401 unless the request carries `Authorization: Bearer <SPECRAG_API_KEY>` (when set)."""
    header = f"Bearer {credentials.credentials}" if credentials else None
    refusal = key_refusal(settings.api_key, header)
    if refusal is not None:
        raise refusal


Authorized = [Depends(require_api_key)]
