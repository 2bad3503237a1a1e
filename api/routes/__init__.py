"""The HTTP routes, one module per resource; `ROUTERS` is every router, in the order the app
includes them (the order requests are matched in, and the OpenAPI document's).

No route module imports another: what several share lives outside `api.routes`
(`api.deps`, `api.validation`, `api.schemas`).
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    admin,
    cars,
    chat,
    docs,
    documents,
    generate,
    grounding,
    health,
    ingest,
    jobs,
    metrics,
    query,
    usage,
    web,
)
from api.routes.openai import chat as openai_chat
from api.routes.openai import embeddings as openai_embeddings
from api.routes.openai import models as openai_models

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    query.router,
    documents.router,
    cars.router,
    ingest.router,
    jobs.router,
    admin.router,
    generate.router,
    grounding.router,
    usage.router,
    metrics.router,
    docs.router,
    chat.router,
    openai_chat.router,
    openai_embeddings.router,
    openai_models.router,
    web.router,
)
