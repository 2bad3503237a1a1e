"""Uploads and HTTP under hostile use (issue 13, point 9), against uvicorn on loopback.

- The API key is checked before a body is read: a keyless request declaring a huge body, or
  sending a body slowly, gets 401 at once (FastAPI parses bodies before dependencies run).
- A body that stalls gets 408; one client with too many requests in flight gets 429, and
  `/healthz` still answers.
- A filter listing more values than `MAX_FILTER_VALUES` is a 422 naming the field and the limit
  (32,766 doc ids made SQLite refuse Chroma's statement: a 500).
- Deletes queued behind the ingest lock never hold the threads `/healthz` needs (45 of them
  made it take 12.9 s).
- Upload names: NFC/NFD and case spellings of one name are one document (409 on other bytes
  unless replace=true, the document itself on the same bytes); format and bidi characters
  are refused with 422.

Raw sockets where a test must control what is sent when; bounded waits, no timed assertions.
"""

from __future__ import annotations

import fcntl
import socket
import threading
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.app import create_app
from api.services import Services
from retrieval.filters import MAX_FILTER_VALUES
from tests.reliability import record
from tests.samples import Samples
from tests.serving import served, wait_until

pytestmark = pytest.mark.slow

KEY = "s3cret-key"
BODY_TIMEOUT = 5.0  # the guarded server's SPECRAG_BODY_TIMEOUT
PER_CLIENT = 2  # the guarded server's SPECRAG_MAX_REQUESTS_PER_CLIENT
WAIT = 30.0  # the most any answer below is waited for
CHECKS: list[dict[str, Any]] = []


def _check(group: str, name: str, status: int, ok: bool) -> None:
    CHECKS.append({"group": group, "check": name, "status": status, "passed": ok})


@pytest.fixture(scope="module", autouse=True)
def _figures() -> Iterator[None]:
    yield
    record("http", {"checks": CHECKS})


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[str]:
    """A served app with a key, a short body timeout and a small per-client cap."""
    from api.settings import Settings

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("guarded") / "index",
        workers=0,
        api_key=KEY,
        body_timeout=BODY_TIMEOUT,
        max_requests_per_client=PER_CLIENT,
    )
    services = Services(settings, embedder=embedder)
    with served(create_app(settings, services=services)) as url:
        yield url
    services.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, samples: Samples) -> Iterator[dict[str, Any]]:
    """A served app over the indexed samples, without a key."""
    from api.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("http") / "index", workers=0)
    with (
        samples.services(settings) as services,
        served(create_app(settings, services=services)) as url,
    ):
        yield {"url": url, "services": services}


# -- raw HTTP ----------------------------------------------------------------------------------


def _open(url: str, head: str, body: bytes = b"") -> socket.socket:
    """A connection that has sent `head` (request line and headers) and `body`, no more."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=WAIT)
    sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
    return sock


def _answer(sock: socket.socket) -> tuple[int, str]:
    """(status, body) of the response on `sock`; socket.timeout after WAIT seconds."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        (int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length")),
        0,
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), body.decode("utf-8", "replace")


def _post_head(path: str, length: int, *, key: str | None, media: str = "application/json") -> str:
    auth = f"Authorization: Bearer {key}\n" if key else ""
    return (
        f"POST {path} HTTP/1.1\nHost: test\nContent-Type: {media}\n"
        f"Content-Length: {length}\n{auth}\n"
    )


# -- the key before the body -------------------------------------------------------------------

KEYLESS = {
    "JSON route, 1 GB declared, nothing sent": ("/v1/query", 10**9, b"", "application/json"),
    "JSON route, 500 kB declared, 10 bytes sent": (
        "/v1/query",
        500_000,
        b'{"query": ',
        "application/json",
    ),
    "upload, 1 GB declared, 20 bytes sent": (
        "/v1/documents",
        10**9,
        b"--b\r\nContent-Dispo",
        "multipart/form-data; boundary=b",
    ),
}


@pytest.mark.parametrize("name", list(KEYLESS))
def test_a_keyless_request_is_refused_before_its_body_is_read(guarded: str, name: str) -> None:
    """Regression: bodies were parsed (and size-checked) before the key: a keyless client
    could hold the server reading its body, and got 413 instead of 401."""
    path, length, sent, media = KEYLESS[name]
    with _open(guarded, _post_head(path, length, key=None, media=media), sent) as sock:
        status, body = _answer(sock)
    _check("key before body", name, status, status == 401)
    assert status == 401, body
    assert "API key" in body


def test_a_stalled_body_is_a_408(guarded: str) -> None:
    """Regression: no body timeout: a slow-drip client held its connection for good."""
    with _open(guarded, _post_head("/v1/query", 1000, key=KEY), b'{"query": "bo') as sock:
        status, body = _answer(sock)
    _check(
        "body timeout",
        f"10 of 1000 bytes, then nothing ({BODY_TIMEOUT:g} s)",
        status,
        status == 408,
    )
    assert status == 408, body
    assert "did not arrive in time" in body and f"{BODY_TIMEOUT:g} s" in body


def test_one_client_gets_429_past_its_share_and_health_still_answers(guarded: str) -> None:
    """Regression: no cap per client: 900 slow connections of one client were all held."""
    held = [_open(guarded, _post_head("/v1/query", 1000, key=KEY), b"{") for _ in range(PER_CLIENT)]
    try:

        def refused() -> bool:
            response = httpx.get(
                f"{guarded}/v1/documents",
                headers={"Authorization": f"Bearer {KEY}"},
                timeout=WAIT,
            )
            return response.status_code == 429

        # The held requests reach the app in a moment; until then the probe is let through.
        assert wait_until(refused, seconds=BODY_TIMEOUT / 2, every=0.05)
        response = httpx.get(f"{guarded}/v1/documents", headers={"Authorization": f"Bearer {KEY}"})
        assert response.status_code == 429, response.text
        error = response.json()["error"]
        assert error["detail"]["limit"] == PER_CLIENT and "in flight" in error["message"]
        assert httpx.get(f"{guarded}/healthz", timeout=WAIT).status_code == 200
        _check("per-client cap", f"request {PER_CLIENT + 1} while {PER_CLIENT} are held", 429, True)
    finally:
        for sock in held:
            sock.close()


# -- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [MAX_FILTER_VALUES + 1, 32_766])
def test_an_oversized_filter_list_is_a_422_naming_field_and_limit(
    world: dict[str, Any], values: int
) -> None:
    """Regression: 32,766 doc ids answered 500 (SQLite's limit on statement variables)."""
    ids = [f"d{i:06d}" for i in range(values)]
    response = httpx.post(
        f"{world['url']}/v1/query",
        json={"query": "boot space", "filters": {"doc_id": ids}},
        timeout=WAIT,
    )
    _check("filter list", f"{values} doc ids", response.status_code, response.status_code == 422)
    assert response.status_code == 422, response.text[:300]
    error = response.json()["error"]
    assert error["detail"][0]["field"] == "filters.doc_id"
    assert f"at most {MAX_FILTER_VALUES}" in error["message"], error["message"]
    within = httpx.post(
        f"{world['url']}/v1/query",
        json={"query": "boot space", "filters": {"doc_id": ids[:MAX_FILTER_VALUES]}},
        timeout=WAIT,
    )
    assert within.status_code == 200, within.text[:300]


# -- deletes and health ------------------------------------------------------------------------

DELETES = 45


def test_deletes_waiting_for_the_ingest_lock_never_block_health(world: dict[str, Any]) -> None:
    """Regression: 45 DELETEs waiting on the ingest lock filled the worker threads and
    /healthz took 12.9 s. Here the lock is held (as a running ingest holds it) while 45
    deletes wait; /healthz must answer meanwhile, and the deletes finish once it is freed."""
    url, services = world["url"], world["services"]
    doc_id = httpx.get(f"{url}/v1/documents", timeout=WAIT).json()["documents"][0]["doc_id"]
    statuses: list[int] = []

    def delete() -> None:
        response = httpx.delete(f"{url}/v1/documents/{doc_id}", timeout=300)
        statuses.append(response.status_code)

    with open(services.lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        threads = [threading.Thread(target=delete) for _ in range(DELETES)]
        try:
            for thread in threads:
                thread.start()
            answered = 0
            for _ in range(10):  # spread over a few seconds: the deletes arrive meanwhile
                response = httpx.get(f"{url}/healthz", timeout=WAIT)  # a hang fails here
                answered += response.status_code == 200
                threading.Event().wait(0.3)
            pending = sum(t.is_alive() for t in threads)
            _check(
                "deletes vs health",
                f"/healthz 10 times while {DELETES} deletes wait for the ingest lock",
                200,
                answered == 10 and pending == DELETES,
            )
            assert answered == 10
            assert pending == DELETES, "a delete finished while the ingest lock was held"
            listed = httpx.get(f"{url}/v1/documents/{doc_id}", timeout=WAIT)
            assert listed.status_code == 200  # reads go on too
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            for thread in threads:
                thread.join(timeout=120)
    assert len(statuses) == DELETES and set(statuses) <= {200, 404}, statuses
    assert httpx.get(f"{url}/v1/documents/{doc_id}", timeout=WAIT).status_code == 404


# -- upload names ------------------------------------------------------------------------------

NFC = unicodedata.normalize("NFC", "Résumé-spec.md")
NFD = unicodedata.normalize("NFD", NFC)


def _upload(url: str, name: str, data: bytes, **params: str) -> httpx.Response:
    files = {"files": (name, data, "text/markdown")}
    return httpx.post(f"{url}/v1/documents", files=files, params=params, timeout=WAIT)


def test_one_name_in_any_spelling_is_one_document(world: dict[str, Any]) -> None:
    """Regression: an upload under another's name replaced it silently, and NFC and NFD
    spellings were different names that landed on one file."""
    url = world["url"]
    first, second = b"# Resume\n\nBoot: 350 l\n", b"# Resume\n\nBoot: 999 l\n"
    assert NFC != NFD
    created = _upload(url, NFC, first)
    assert created.status_code == 202, created.text
    doc_id = created.json()["files"][0]["doc_id"]
    assert created.json()["files"][0]["status"] == "saved"
    uploads = world["services"].settings.data_dir / "uploads"
    path = uploads / created.json()["files"][0]["path"]  # the upload's name

    for label, name in (("NFD spelling", NFD), ("other case", NFC.upper())):
        conflict = _upload(url, name, second)
        _check(
            "upload name",
            f"{label}, other bytes",
            conflict.status_code,
            conflict.status_code == 409,
        )
        assert conflict.status_code == 409, conflict.text
        error = conflict.json()["error"]
        assert error["detail"]["existing"]["doc_id"] == doc_id
        assert doc_id in error["message"] and "replace=true" in error["message"]
    assert path.read_bytes() == first

    same = _upload(url, NFD, first)
    _check("upload name", "NFD spelling, same bytes", same.status_code, same.status_code == 200)
    assert same.status_code == 200, same.text
    assert same.json()["job"] is None
    assert same.json()["files"][0] | {"path": ""} == {
        "name": NFC,
        "path": "",
        "doc_id": doc_id,
        "bytes": len(first),
        "status": "unchanged",
    }

    replaced = _upload(url, NFD, second, replace="true")
    assert replaced.status_code == 202, replaced.text
    assert replaced.json()["files"][0]["status"] == "replaced"
    assert replaced.json()["files"][0]["doc_id"] == doc_id
    assert path.read_bytes() == second
    by_form = httpx.post(
        f"{url}/v1/documents",
        files={"files": (NFC.lower(), b"# Resume\n\nBoot: 1 l\n", "text/markdown")},
        data={"replace": "true"},
        timeout=WAIT,
    )
    assert by_form.status_code == 202, by_form.text
    assert by_form.json()["files"][0]["doc_id"] == doc_id
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith(".")) == [NFC]
    _check("upload name", "replace=true (query, then form field)", 202, True)


HIDDEN = {
    "right-to-left override": "spec\u202egpj.md",
    "left-to-right isolate": "spec\u2066x.md",
    "zero-width space": "spec\u200bx.md",
    "byte order mark": "\ufeffspec.md",
    "soft hyphen": "spec\u00adx.md",
    "arabic letter mark": "spec\u061cx.md",
    "DEL control": "spec\x7fx.md",
}


@pytest.mark.parametrize("label", list(HIDDEN))
def test_names_with_format_or_bidi_characters_are_refused(
    world: dict[str, Any], label: str
) -> None:
    """Regression: invisible and bidi format characters were accepted in upload names."""
    name = HIDDEN[label]
    response = _upload(world["url"], name, b"# Spec\n\nBoot: 1 l\n")
    _check("upload name", label, response.status_code, response.status_code == 422)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    character = next(c for c in name if unicodedata.category(c) in ("Cf", "Cc"))
    assert error["detail"]["field"] == "files"
    assert f"U+{ord(character):04X}" in error["message"], error["message"]


def test_two_uploads_racing_for_one_name_never_both_win(world: dict[str, Any]) -> None:
    """Two clients upload different bytes under one new name (in two spellings) at the same
    instant: one is saved, the other is a 409 naming it; the file holds the winner's bytes."""
    url = world["url"]
    bodies = {"Race.md": b"# Race\n\nBoot: 111 l\n", "race.MD": b"# Race\n\nBoot: 222 l\n"}
    start = threading.Barrier(len(bodies))
    answers: dict[str, httpx.Response] = {}

    def send(name: str) -> None:
        start.wait()
        answers[name] = _upload(url, name, bodies[name])

    threads = [threading.Thread(target=send, args=(name,)) for name in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    statuses = sorted(answer.status_code for answer in answers.values())
    _check(
        "upload name", "two spellings of a new name uploaded at once", 409, statuses == [202, 409]
    )
    assert statuses == [202, 409], {n: a.text for n, a in answers.items()}
    (winner,) = [n for n, a in answers.items() if a.status_code == 202]
    (loser,) = [a for a in answers.values() if a.status_code == 409]
    saved = answers[winner].json()["files"][0]
    assert loser.json()["error"]["detail"]["existing"]["doc_id"] == saved["doc_id"]
    uploads = world["services"].settings.data_dir / "uploads"
    assert (uploads / saved["path"]).read_bytes() == bodies[winner]
