"""`/openapi.json` and `/docs`, behind the API key like every route but health and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.deps import Authorized

router = APIRouter(dependencies=Authorized, include_in_schema=False)


@router.get("/openapi.json")
def openapi(request: Request) -> dict[str, Any]:
    """The OpenAPI schema."""
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI."""
    return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{request.app.title} API")
