"""Security: the API key on everything the app serves, paths that never leave their roots, and
request and upload size limits.

The key check walks the app's whole route table, mounts included (a static page or folder
mounted later is covered without anyone listing it), and also probes paths nobody has
declared yet (`/`, `/index.html`, chat routes): none may answer 2xx/3xx without the key.
test_api_auth.py checks the routes' 401 shape; test_api.py the single refusals.
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from api.app import MAX_JSON_BYTES, create_app
from api.services import Services
from tests.reliability import record

pytestmark = pytest.mark.slow

KEY = "s3cret-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
PUBLIC = {"/healthz", "/readyz", "/"}  # `/`: the web page (api/routes/web.py), no data in it
STATIC = Path(__file__).resolve().parents[1] / "api" / "static"
UNDECLARED = ("/", "/index.html", "/static/app.js", "/v1/chat/completions", "/v1/models", "/ui")
CHECKS: list[dict[str, Any]] = []


def _check(group: str, name: str, status: int, ok: bool) -> None:
    CHECKS.append({"group": group, "check": name, "status": status, "passed": ok})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[dict[str, Any]]:
    from api.settings import Settings

    base = tmp_path_factory.mktemp("security")
    root = base / "root"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "venue.md").write_text("# Venue\n\nBoot: 350 l\n")
    outside = base / "root-evil"  # shares the root's name as a prefix
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nThe prototype's range is 999 km.\n")
    (root / "docs" / "link.md").symlink_to(outside / "secret.md")
    (root / "linked-dir").symlink_to(outside)
    settings = Settings(
        data_dir=base / "index", workers=0, roots=[root], max_file_mb=0.05, api_key=KEY
    )
    services = Services(settings, embedder=embedder)
    with TestClient(create_app(settings, services=services)) as client:
        yield {
            "client": client,
            "root": root,
            "outside": outside,
            "base": base,
            "services": services,
        }
    services.close()
    record("security", {"checks": CHECKS})


def _served(app: Any) -> Iterator[tuple[str, str]]:
    """(method, path) for every route and mount in the table; path parameters filled in."""
    for context in iter_route_contexts(app.routes):
        path = re.sub(r"\{[^}]+\}", "some-id", str(context.path))
        if isinstance(context.original_route, Mount):
            for leaf in (
                "",
                "/",
                "/index.html",
                "/app.js",
                "/../api/app.py",
                "/%2e%2e/settings.py",
            ):
                yield "GET", path + leaf
            continue
        for method in sorted(context.methods or {"GET"}):
            if method != "HEAD":
                yield method, path


def test_nothing_is_served_without_the_key_but_health(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    probes = set(_served(client.app))
    probes |= {(m, p) for p in UNDECLARED for m in ("GET", "POST")}
    assert len(probes) >= 20
    leaks = []
    for method, path in sorted(probes):
        if path in PUBLIC:
            continue
        response = client.request(method, path, follow_redirects=False)
        if response.is_redirect and response.headers["location"].endswith(path + "/"):
            _check("API key", f"{method} {path}: redirect to {path}/", response.status_code, True)
            continue  # a mount's trailing-slash redirect; what it leads to is probed too
        if path.startswith("/static/") and response.status_code == 200:
            # The page's own files are public by design; anything else there would be a leak.
            shipped = STATIC / path.removeprefix("/static/")
            same = shipped.is_file() and shipped.read_bytes() == response.content
            _check("API key", f"GET {path}: a shipped static file (public)", 200, same)
            if not same:
                leaks.append(f"{method} {path} -> 200, not a file of api/static")
            continue
        if response.status_code < 400 or response.status_code >= 500:
            leaks.append(f"{method} {path} -> {response.status_code}")
        _check(
            "API key",
            f"{method} {path} without a key",
            response.status_code,
            response.status_code in (401, 404, 405),
        )
    assert not leaks, leaks
    for path in sorted(PUBLIC):
        response = client.get(path)
        assert response.status_code == 200
        _check("API key", f"GET {path} without a key (public by design)", 200, True)
    page = client.get("/").text
    assert "<html" in page.lower() and "999 km" not in page


INGEST_PATHS = {
    "relative path with ../": ("../root-evil/secret.md", 422),
    "absolute path outside": ("{outside}/secret.md", 403),
    "root/../ escaping": ("{root}/../root-evil/secret.md", 403),
    "sibling sharing the root's prefix": ("{root}-evil/secret.md", 403),
    "symlink to a file outside": ("{root}/docs/link.md", 403),
    "symlinked folder outside": ("{root}/linked-dir/secret.md", 403),
    "percent-encoded ..": ("{root}/%2e%2e/root-evil/secret.md", 404),
    "home directory": ("~/secret.md", 422),
    "NUL byte": ("{root}/docs/venue.md\x00.md", 422),
    "/proc/self/root": ("/proc/self/root{outside}/secret.md", 403),
}


@pytest.mark.parametrize("name", list(INGEST_PATHS))
def test_ingest_paths_never_leave_the_roots(world: dict[str, Any], name: str) -> None:
    client: TestClient = world["client"]
    raw, status = INGEST_PATHS[name]
    path = raw.format(root=world["root"], outside=world["outside"])
    response = client.post("/v1/ingest", json={"paths": [path]}, headers=AUTH)
    _check("ingest path", name, response.status_code, response.status_code == status)
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]


def test_a_folder_ingest_records_links_that_lead_out_and_never_reads_them(
    world: dict[str, Any],
) -> None:
    client: TestClient = world["client"]
    response = client.post("/v1/ingest", json={"paths": [str(world["root"])]}, headers=AUTH)
    assert response.status_code == 202, response.text
    job = _wait(client, response.json()["job"]["id"])
    reasons = " ".join(e["reason"] for e in job["errors"])
    assert "outside the allowed ingest roots" in reasons, job
    sources = [d["source"] for d in client.get("/v1/documents", headers=AUTH).json()["documents"]]
    assert sources == ["docs/venue.md"], sources  # named below the root
    stored = [r.source for r in world["services"].ledger.all()]
    assert all(s.startswith(str(world["root"]) + "/") for s in stored), stored
    hits = client.post("/v1/query", json={"query": "prototype range 999 km", "k": 10}, headers=AUTH)
    assert not any("999 km" in r["text"] for r in hits.json()["results"])
    _check("ingest path", "folder with links leading out: refused by name, nothing read", 202, True)


def _wait(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()
        if job["status"] in ("succeeded", "failed", "done", "completed", "finished"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


UPLOAD_NAMES = {
    "../ in the name": "../evil.md",
    "backslash ..": "..\\evil.md",
    "absolute path": "/etc/evil.md",
    "Windows drive": "C:\\evil.md",
    "percent-encoded ../": "%2e%2e%2fevil.md",
    "full-width slash": "..\uff0fevil.md",
    "NUL byte": "evil.md\x00.md",
    "newline": "evil\n.md",
    "hidden file": ".evil.md",
    "only dots": "..",
    "300-byte name": "e" * 297 + ".md",
}


@pytest.mark.parametrize("name", list(UPLOAD_NAMES))
def test_uploads_land_inside_the_uploads_folder_or_are_refused(
    world: dict[str, Any], name: str
) -> None:
    client: TestClient = world["client"]
    uploads = world["services"].settings.data_dir / "uploads"
    files = {"files": (UPLOAD_NAMES[name], b"# Evil\n\nBoot: 1 l\n", "text/markdown")}
    response = client.post("/v1/documents", files=files, headers=AUTH)
    if response.status_code == 202:
        shown = response.json()["files"][0]["path"]  # the upload's name, as citations give it
        saved = uploads / shown
        inside = (
            "/" not in shown and saved.is_file() and saved.resolve().parent == uploads.resolve()
        )
        _check("upload name", f"{name}: saved as {saved.name!r}", 202, inside)
        assert inside, saved
    else:
        # A control character is a 422 naming it (api/uploads.py); a path-like name a 400.
        status = 422 if name in ("NUL byte", "newline") else 400
        _check(
            "upload name", f"{name}: refused", response.status_code, response.status_code == status
        )
        assert response.status_code == status, response.text
    escaped = [p for p in _files_named("evil*", world["base"]) if uploads not in p.parents]
    assert not escaped, escaped


def test_an_upload_never_writes_through_a_planted_symlink(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    uploads = world["services"].settings.data_dir / "uploads"
    uploads.mkdir(exist_ok=True)
    target = world["outside"] / "target.md"
    target.write_text("untouched\n")
    (uploads / "planted.md").symlink_to(target)
    files = {"files": ("planted.md", b"# Overwritten?\n", "text/markdown")}
    response = client.post("/v1/documents", files=files, headers=AUTH)
    assert response.status_code == 202, response.text
    assert target.read_text() == "untouched\n"
    assert not (uploads / "planted.md").is_symlink()
    _check(
        "upload name", "upload over a planted symlink replaces the link, not its target", 202, True
    )


def test_request_and_upload_size_limits_hold(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    limit = world["services"].settings.max_file_bytes

    def chunks(total: int) -> Iterator[bytes]:
        sent = 0
        while sent < total:
            yield b" " * 65536
            sent += 65536

    def post_query(body: bytes | Iterator[bytes], **headers: str) -> Any:
        headers = {**AUTH, "content-type": "application/json", **headers}
        return client.post("/v1/query", content=body, headers=headers)

    cases = [
        (
            "JSON body over 1 MiB",
            lambda: post_query(b'{"query": "' + b"a" * (MAX_JSON_BYTES + 10) + b'"}'),
            413,
        ),
        (
            "Content-Length of 10 GB, nothing sent",
            lambda: post_query(b"{}", **{"content-length": str(10**10)}),
            413,
        ),
        (
            "chunked JSON body streaming past the limit",
            lambda: post_query(chunks(MAX_JSON_BYTES * 2)),
            413,
        ),
        ("invalid Content-Length", lambda: post_query(b"{}", **{"content-length": "-1"}), 400),
        (
            "one upload over the file limit",
            lambda: client.post(
                "/v1/documents",
                files={"files": ("big.md", b"# Big\n" + b"a" * (limit + 1), "text/markdown")},
                headers=AUTH,
            ),
            413,
        ),
        (
            "21 files in one upload",
            lambda: client.post(
                "/v1/documents",
                files=[("files", (f"f{i}.md", b"# F\n\nx\n", "text/markdown")) for i in range(21)],
                headers=AUTH,
            ),
            413,
        ),
        (
            "multipart body over the total limit",
            lambda: client.post(
                "/v1/documents",
                files=[
                    ("files", (f"f{i}.md", b"# F\n" + b"a" * (limit - 10), "text/markdown"))
                    for i in range(22)
                ],
                headers=AUTH,
            ),
            413,
        ),
    ]
    uploads = world["services"].settings.data_dir / "uploads"
    before = _listing(uploads)
    failures = []
    for name, send, status in cases:
        response = send()
        _check("size limit", name, response.status_code, response.status_code == status)
        if response.status_code != status:
            failures.append(f"{name}: {response.status_code} {response.text[:200]}")
    assert not failures, failures
    assert _listing(uploads) == before, "a refused upload left a file behind"


def _listing(folder: Path) -> list[str]:
    """Every path under `folder` (none when it does not exist yet)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def _files_named(pattern: str, root: Path) -> list[Path]:
    """Every path under `root` whose name matches `pattern`. A walk, not `rglob`: the upload's
    background ingest swaps lexical-index generations meanwhile, and a folder that vanishes
    under the walk is skipped rather than failing it."""
    found = []
    for folder, dirs, files in os.walk(root, onerror=lambda error: None):
        found += [Path(folder, n) for n in (*dirs, *files) if fnmatch.fnmatch(n, pattern)]
    return found
