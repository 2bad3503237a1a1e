"""With an API key set, every route but /healthz and /readyz refuses a request without it.

The routes come from the app's own route table, so a route added later is covered (or this
test fails) without anyone remembering to list it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services

pytestmark = pytest.mark.slow

KEY = "s3cret-key"
# "/" is the web page: it holds no data, and the API calls it makes carry the key.
PUBLIC = {"/healthz", "/readyz", "/"}


def _routes(app: Any) -> list[tuple[str, str]]:
    """(method, concrete path) for every route the app serves; path parameters filled in."""
    found = []
    for context in iter_route_contexts(app.routes):
        path = re.sub(r"\{[^}]+\}", "some-id", str(context.path))
        for method in sorted(context.methods or ()):
            if method != "HEAD":
                found.append((method, path))
    return found


@pytest.fixture
def secured(make_settings: Any, embedder: Any) -> Iterator[TestClient]:
    services = Services(make_settings(workers=0, api_key=KEY), embedder=embedder)
    with TestClient(create_app(services.settings, services=services)) as client:
        yield client
    services.close()


def test_the_route_table_holds_every_resource(secured: TestClient) -> None:
    paths = {path for _, path in _routes(secured.app)}
    assert paths >= {
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/docs",
        "/v1/query",
        "/v1/documents",
        "/v1/documents/some-id",
        "/v1/ingest",
        "/v1/jobs/some-id",
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-key"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": KEY},
        {"Authorization": f"Bearer {KEY}x"},
    ],
    ids=["none", "wrong", "basic", "bare", "longer"],
)
def test_every_private_route_refuses_requests_without_the_key(
    secured: TestClient, headers: dict[str, str]
) -> None:
    checked = 0
    for method, path in _routes(secured.app):
        if path in PUBLIC:
            continue
        response = secured.request(method, path, headers=headers)
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"]["type"] == "unauthorized"
        checked += 1
    assert checked >= 9


def test_the_key_opens_every_route_and_health_needs_none(secured: TestClient) -> None:
    for method, path in _routes(secured.app):
        headers = {} if path in PUBLIC else {"Authorization": f"Bearer {KEY}"}
        response = secured.request(method, path, headers=headers)
        assert response.status_code not in (401, 403), f"{method} {path}: {response.text}"
        assert response.status_code < 500, f"{method} {path}: {response.text}"
    assert secured.get("/healthz").status_code == 200
    assert secured.get("/readyz").status_code == 200


def test_without_a_key_configured_no_route_asks_for_one(make_settings: Any, embedder: Any) -> None:
    services = Services(make_settings(workers=0), embedder=embedder)
    with TestClient(create_app(services.settings, services=services)) as client:
        for method, path in _routes(client.app):
            assert client.request(method, path).status_code != 401, f"{method} {path}"
    services.close()
