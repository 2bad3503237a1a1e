"""FastAPI dependencies: what the lifespan built, as `Annotated` aliases, and the API key check.

They are coroutines because they never block: FastAPI runs a plain `def` dependency in its
thread pool, and three such hops per request took a fifth of the server's GIL time under load.
"""

from __future__ import annotations

import secrets
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from api.jobs import JobRunner
from api.metrics import Metrics
from api.services import Services
from api.settings import Settings
from retrieval.search import Searcher


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_searcher(request: Request) -> Searcher:
    searcher: Searcher = request.app.state.searcher
    return searcher


async def get_search_limiter(request: Request) -> anyio.CapacityLimiter:
    limiter: anyio.CapacityLimiter = request.app.state.search_limiter
    return limiter


async def get_jobs(request: Request) -> JobRunner:
    jobs: JobRunner = request.app.state.jobs
    return jobs


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
SearchLimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_search_limiter)]
JobsDep = Annotated[JobRunner, Depends(get_jobs)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]

bearer = HTTPBearer(
    auto_error=False,
    description=(
        "Needed on every route but /healthz, /readyz and the web page when SPECRAG_API_KEY is set."
    ),
)


async def require_api_key(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """401 unless the request carries `Authorization: Bearer <SPECRAG_API_KEY>` (when set)."""
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value().encode("utf-8")
    given = credentials.credentials.encode("utf-8", "surrogateescape") if credentials else b""
    if not credentials or not secrets.compare_digest(given, expected):
        raise ApiError(
            401,
            "unauthorized",
            "wrong API key"
            if credentials
            else "this route needs an API key: send `Authorization: Bearer <key>`",
            headers={"WWW-Authenticate": 'Bearer realm="specrag"'},
        )


Authorized = [Depends(require_api_key)]
