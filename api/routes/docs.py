"""`/openapi.json`, `/docs` (Swagger UI) and `/redoc`, behind the API key like every route but
health and readiness.

Both pages load their JavaScript and CSS from this server (`/static-docs`, the assets
`fastapi-offline` ships), never from a CDN: the documentation works on an offline machine.
The assets are public, like the web page's `/static`: they hold no data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.deps import Authorized

ASSETS_URL = "/static-docs"
ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"

router = APIRouter(dependencies=Authorized, include_in_schema=False)


@router.get("/openapi.json")
def openapi(request: Request) -> dict[str, Any]:
    """The OpenAPI schema."""
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{request.app.title} API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        # no badge fetched from validator.swagger.io
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """ReDoc."""
    return get_redoc_html(
        openapi_url="/openapi.json",
        title=f"{request.app.title} API",
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )


def static_files() -> StaticFiles:
    """Swagger UI's and ReDoc's script, style sheet and icon, for `app.mount(ASSETS_URL, ...)`."""
    return StaticFiles(directory=ASSETS)
