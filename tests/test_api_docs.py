"""`/docs` and `/redoc` offline: the pages, served by uvicorn, reference only this server's URLs,
and those URLs answer with Swagger UI's and ReDoc's assets (the browser test renders `/docs`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.services import Services
from tests.serving import served

KEY = "docs-test-key"
REFERENCE = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']|url:\s*'([^']+)'""")


@pytest.fixture
def http(make_settings: Any, embedder: Any) -> Iterator[httpx.Client]:
    services = Services(make_settings(workers=0, api_key=KEY), embedder=embedder)
    try:
        with served(create_app(services=services)) as url:
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}) as client:
                yield client
    finally:
        services.close()


def _references(html: str) -> list[str]:
    return [a or b for a, b in REFERENCE.findall(html)]


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", {"swagger-ui-bundle.js": "SwaggerUIBundle", "swagger-ui.css": ".swagger-ui"}),
        ("/redoc", {"redoc.standalone.js": "Redoc"}),
    ],
)
def test_the_docs_pages_load_only_local_assets(
    http: httpx.Client, page: str, assets: dict[str, str]
) -> None:
    html = http.get(page)
    assert html.status_code == 200, html.text
    references = _references(html.text)
    assert "/openapi.json" in references
    for url in references:
        assert url.startswith("/") and not url.startswith("//"), f"{page} loads {url}"
    assert "fonts.googleapis" not in html.text and "cdn." not in html.text
    for name, marker in assets.items():
        url = next(u for u in references if u.endswith("/" + name))
        # public like the web page's /static: a browser's <script> sends no Bearer header
        asset = httpx.get(str(http.base_url) + url)
        assert asset.status_code == 200, url
        assert marker in asset.text
        kind = "javascript" if name.endswith(".js") else "css"
        assert kind in asset.headers["content-type"]
    assert http.get("/openapi.json").json()["info"]["title"] == "specrag"


def test_the_docs_pages_keep_the_api_key(http: httpx.Client) -> None:
    for page in ("/docs", "/redoc", "/openapi.json"):
        assert httpx.get(str(http.base_url) + page).status_code == 401, page
