"""The web page at `/` (Library, Cars, Write, Ask, Usage) and its static files under `/static`.

Both are public even when `SPECRAG_API_KEY` is set: they hold no data, and a browser cannot
send a Bearer header when it navigates to a page. The page asks for the key and sends it with
every API call, which keep their own check.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parents[1] / "static"

# Everything the page loads comes from this server: no CDN, no web fonts, no inline script.
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(tags=["web"], include_in_schema=False)


@router.get("/", response_class=FileResponse)
def page() -> FileResponse:
    """The web page."""
    return FileResponse(
        STATIC / "index.html",
        headers={"content-security-policy": CSP, "cache-control": "no-cache"},
    )


def static_files() -> StaticFiles:
    """The page's scripts and style sheet, for `app.mount("/static", ...)`."""
    return StaticFiles(directory=STATIC)
