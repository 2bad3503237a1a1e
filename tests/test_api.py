"""The HTTP API end to end: the real app and lifespan, a real Chroma in tmp_path, the real model."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.app import MAX_JSON_BYTES, create_app
from api.deps import get_searcher
from api.jobs import INTERRUPTED, JobStore
from api.routes.documents import MAX_UPLOAD_FILES
from api.services import Services
from api.state import app_state
from ingest.discover import doc_id_for
from retrieval.lexical import LexicalReader

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
JOB_TIMEOUT = 180.0

MakeClient = Callable[..., TestClient]


def assert_error(response: Response, status: int, type_: str, *needles: str) -> dict[str, Any]:
    """The response is the one error shape, with this status and type, naming each needle."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message", "detail"}
    error: dict[str, Any] = body["error"]
    assert error["type"] == type_, error
    for needle in needles:
        assert needle in error["message"], error
    return error


def wait_job(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} after {JOB_TIMEOUT} s")


def multipart(*files: tuple[bytes, bytes]) -> tuple[bytes, dict[str, str]]:
    """A multipart body built by hand, so file names reach the server byte for byte."""
    boundary = b"specrag-test-boundary"
    body = b""
    for name, content in files:
        body += (
            b"--" + boundary + b"\r\n"
            b'Content-Disposition: form-data; name="files"; filename="' + name + b'"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
        )
    body += b"--" + boundary + b"--\r\n"
    return body, {"content-type": f"multipart/form-data; boundary={boundary.decode()}"}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Two small sample documents, the only folder the server may ingest from."""
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("lumen_e2.txt", "aurora_x5.md"):
        shutil.copy(SAMPLES / name, folder / name)
    return folder


@pytest.fixture
def make_client(make_settings: Any, embedder: Any) -> Iterator[MakeClient]:
    """Started apps (lifespan run) on fresh data dirs, sharing the session's loaded model."""
    opened: list[tuple[TestClient, Services]] = []

    def build(**overrides: Any) -> TestClient:
        services = Services(make_settings(**{"workers": 0, **overrides}), embedder=embedder)
        client = TestClient(create_app(services.settings, services=services))
        client.__enter__()
        opened.append((client, services))
        return client

    yield build
    for client, services in reversed(opened):
        app_state(client.app).jobs.wait_idle(JOB_TIMEOUT)
        client.__exit__(None, None, None)
        services.close()


@pytest.fixture
def client(make_client: MakeClient, library: Path) -> TestClient:
    return make_client(roots=[library])


def ingest_library(client: TestClient, library: Path) -> TestClient:
    """Ingest the library through the API; returns the client."""
    accepted = client.post("/v1/ingest", json={"paths": [str(library)]})
    assert accepted.status_code == 202, accepted.text
    job = wait_job(client, accepted.json()["job"]["id"])
    assert job["status"] == "done" and job["report"]["files"]["ok"] == 2, job
    return client


@pytest.fixture
def indexed(client: TestClient, library: Path) -> TestClient:
    """A client whose index holds the library, ingested through the API."""
    return ingest_library(client, library)


@pytest.fixture(scope="module")
def shared_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The library of `shared_indexed`, for the module."""
    folder = tmp_path_factory.mktemp("shared") / "library"
    folder.mkdir()
    for name in ("lumen_e2.txt", "aurora_x5.md"):
        shutil.copy(SAMPLES / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def shared_indexed(shared_library: Path, embedder: Any) -> Iterator[TestClient]:
    """One started app whose index holds the library, ingested through the API, for the tests
    that only read from it (a query, a page of documents, a refused request)."""
    from api.settings import Settings

    settings = Settings(data_dir=shared_library.parent / "index", workers=0, roots=[shared_library])
    services = Services(settings, embedder=embedder)
    with TestClient(create_app(settings, services=services)) as client:
        yield ingest_library(client, shared_library)
        app_state(client.app).jobs.wait_idle(JOB_TIMEOUT)
    services.close()


# --- health -------------------------------------------------------------------------------


def test_healthz_and_readyz_report_chroma_and_model(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["chroma"] == {"ok": True, "chunks": 0}
    assert checks["model"]["ok"] is True and checks["model"]["name"] == "all-MiniLM-L6-v2"


def test_readyz_is_503_naming_chroma_when_the_server_does_not_answer(
    make_client: MakeClient,
) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(chroma_url=f"http://127.0.0.1:{port}")
    assert client.get("/healthz").status_code == 200
    error = assert_error(client.get("/readyz"), 503, "not_ready", "chroma")
    assert error["detail"]["checks"]["chroma"]["ok"] is False
    assert error["detail"]["checks"]["model"]["ok"] is True


# --- ingest, documents, jobs, query: the happy path ----------------------------------------


def test_ingest_job_then_list_query_and_delete(indexed: TestClient, library: Path) -> None:
    listed = indexed.get("/v1/documents").json()
    assert listed["total"] == 2
    by_name = {Path(d["source"]).name: d for d in listed["documents"]}
    assert set(by_name) == {"lumen_e2.txt", "aurora_x5.md"}
    lumen = by_name["lumen_e2.txt"]
    assert lumen["doc_id"] == doc_id_for(str(library / "lumen_e2.txt"))
    assert lumen["status"] == "ok" and lumen["chunks"] > 0 and lumen["error"] is None
    assert {"warnings", "updated_at", "title", "file_type"} <= set(lumen)

    detail = indexed.get(f"/v1/documents/{lumen['doc_id']}").json()
    assert detail["chunk_ids"] == [f"{lumen['doc_id']}:{i}" for i in range(lumen["chunks"])]

    found = indexed.post("/v1/query", json={"query": "Lumen E2 battery capacity kWh", "k": 3})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["k"] == 3 and body["mode"] == "hybrid" and len(body["results"]) == 3
    top = body["results"][0]
    assert top["citation"]["source"] == "lumen_e2.txt"  # below its ingest root
    assert top["chunk_id"].startswith(lumen["doc_id"] + ":")
    assert top["scores"]["vector_rank"] is not None and top["scores"]["lexical_rank"] is not None
    assert body["trace"][0]["event"] == "retrieval.end"

    lexical = LexicalReader(app_state(indexed.app).services.lexical_dir)
    chunks = indexed.get("/readyz").json()["checks"]["chroma"]["chunks"]
    assert lexical.count == chunks, "the lexical index is rebuilt after an ingest job"

    deleted = indexed.delete(f"/v1/documents/{lumen['doc_id']}")
    assert deleted.status_code == 200
    assert deleted.json()["chunks_deleted"] == lumen["chunks"]
    assert lexical.count == chunks - lumen["chunks"], "and after a delete"
    assert_error(indexed.get(f"/v1/documents/{lumen['doc_id']}"), 404, "not_found")
    again = indexed.post("/v1/query", json={"query": "Lumen E2 battery capacity kWh", "k": 10})
    sources = {r["citation"]["source"] for r in again.json()["results"]}
    assert "lumen_e2.txt" not in sources, "deleted chunks are still found"
    assert indexed.get("/v1/documents").json()["total"] == 1


def test_an_index_built_before_the_app_gets_its_lexical_index_at_startup(
    make_settings: Any, embedder: Any, library: Path
) -> None:
    services = Services(make_settings(workers=0), embedder=embedder)
    services.pipeline.run([library / "lumen_e2.txt"])  # no lexical writer wired: CLI-style
    with TestClient(create_app(services.settings, services=services)) as client:
        found = client.post(
            "/v1/query", json={"query": "Lumen E2 charging port", "mode": "lexical"}
        ).json()
    services.close()
    assert found["results"] and found["results"][0]["scores"]["lexical_rank"] == 1


def test_query_modes_filters_and_neighbors(shared_indexed: TestClient) -> None:
    indexed = shared_indexed
    question = "Aurora X5 towing capacity"
    for mode in ("vector", "lexical", "hybrid"):
        response = indexed.post("/v1/query", json={"query": question, "k": 4, "mode": mode})
        assert response.status_code == 200, response.text
        assert response.json()["mode"] == mode and response.json()["results"]
    only_md = indexed.post(
        "/v1/query", json={"query": "battery", "k": 10, "filters": {"file_type": "md"}}
    ).json()["results"]
    assert only_md and {r["citation"]["source"] for r in only_md} == {"aurora_x5.md"}
    one = indexed.post(
        "/v1/query",
        json={"query": "motor power", "k": 1, "neighbors": 1, "mode": "lexical"},
    ).json()["results"][0]
    index = one["citation"]["chunk_index"]
    assert {n["chunk_index"] for n in one["neighbors"]} <= {index - 1, index + 1}
    assert one["neighbors"], "a chunk of a multi-chunk file has at least one neighbour"


def test_job_records_per_file_errors_and_the_rest_is_indexed(
    client: TestClient, library: Path
) -> None:
    (library / "broken.pdf").write_bytes(b"%PDF-1.7\nnot a pdf at all")
    job = wait_job(
        client, client.post("/v1/ingest", json={"paths": [str(library)]}).json()["job"]["id"]
    )
    assert job["status"] == "done"
    assert [Path(e["path"]).name for e in job["errors"]] == ["broken.pdf"]
    assert job["errors"][0]["reason"]
    assert job["report"]["files"] == {"ok": 2, "skipped": 0, "failed": 1}
    assert job["progress"]["files_done"] == job["progress"]["files_total"] == 3
    failed = [d for d in client.get("/v1/documents").json()["documents"] if d["status"] == "failed"]
    assert [Path(d["source"]).name for d in failed] == ["broken.pdf"] and failed[0]["error"]


def test_documents_list_pages(shared_indexed: TestClient) -> None:
    indexed = shared_indexed
    first = indexed.get("/v1/documents", params={"limit": 1}).json()
    second = indexed.get("/v1/documents", params={"limit": 1, "offset": 1}).json()
    assert first["total"] == second["total"] == 2
    assert len(first["documents"]) == len(second["documents"]) == 1
    assert first["documents"][0]["doc_id"] != second["documents"][0]["doc_id"]
    assert_error(
        indexed.get("/v1/documents", params={"limit": 0}), 422, "validation_error", "limit"
    )


# --- uploads ------------------------------------------------------------------------------


def test_upload_is_saved_under_the_data_dir_and_ingested(
    client: TestClient, tmp_path: Path
) -> None:
    text = (SAMPLES / "lumen_e2.txt").read_bytes()
    response = client.post(
        "/v1/documents", files=[("files", ("lumen upload.txt", text, "text/plain"))]
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["files"][0]["path"] == "lumen upload.txt"  # the upload's name, not the server's
    saved = tmp_path / "index" / "uploads" / "lumen upload.txt"
    assert saved.read_bytes() == text
    assert response.headers["location"] == f"/v1/jobs/{body['job']['id']}"
    job = wait_job(client, body["job"]["id"])
    assert job["status"] == "done" and job["report"]["files"]["ok"] == 1, job
    doc_id = body["files"][0]["doc_id"]
    assert client.get(f"/v1/documents/{doc_id}").json()["source"] == "lumen upload.txt"
    top = client.post("/v1/query", json={"query": "Lumen E2 range WLTP", "k": 1}).json()
    assert top["results"][0]["citation"]["doc_id"] == doc_id
    assert client.delete(f"/v1/documents/{doc_id}").status_code == 200
    assert not saved.exists(), "deleting an uploaded document removes its file"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        (b"../escape.md", 400),
        (b"../../etc/escape.md", 400),
        (b"/tmp/escape.md", 400),
        (b"sub/dir.md", 400),
        (b"back\\slash.md", 400),
        (b"nul\x00byte.md", 422),  # control characters: 422, naming the character
        (b"new\nline.md", 422),
        (b"tab\tname.md", 422),
        (b"..", 400),
        (b".hidden.md", 400),
        (b"", 400),
    ],
)
def test_unsafe_upload_names_are_refused_and_nothing_is_written(
    client: TestClient, tmp_path: Path, name: bytes, status: int
) -> None:
    body, headers = multipart((name, b"# Escape\n\nSome text.\n"))
    assert_error(
        client.post("/v1/documents", content=body, headers=headers), status, "unsafe_file_name"
    )
    uploads = tmp_path / "index" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    assert not list(tmp_path.rglob("escape.md")) and not Path("/tmp/escape.md").exists()


def test_upload_with_an_unsupported_extension_is_415_naming_it(client: TestClient) -> None:
    error = assert_error(
        client.post("/v1/documents", files=[("files", ("tool.exe", b"MZ\x90\x00", "x/y"))]),
        415,
        "unsupported_file_type",
        "'.exe'",
    )
    assert error["detail"]["extension"] == ".exe"
    assert_error(
        client.post("/v1/documents", files=[("files", ("README", b"text", "text/plain"))]),
        415,
        "unsupported_file_type",
        "no extension",
    )


def test_oversized_upload_is_413_naming_the_file(make_client: MakeClient, tmp_path: Path) -> None:
    client = make_client(max_file_mb=0.01)  # 10 KiB per file
    big = b"Model: Big\n" * 2000
    error = assert_error(
        client.post(
            "/v1/documents",
            files=[
                ("files", ("small.txt", b"Model: Small\n", "text/plain")),
                ("files", ("big.txt", big, "text/plain")),
            ],
        ),
        413,
        "file_too_large",
        "big.txt",
    )
    assert error["detail"]["limit_bytes"] == 10485
    assert not (tmp_path / "index" / "uploads" / "small.txt").exists(), "all or nothing"
    # A whole request over the upload limit is refused before its body is read.
    flood = [("files", (f"f{i}.txt", big[:10000], "text/plain")) for i in range(30)]
    assert_error(client.post("/v1/documents", files=flood), 413, "payload_too_large")


def test_too_many_files_duplicates_and_missing_files_are_refused(client: TestClient) -> None:
    many = [
        ("files", (f"f{i}.txt", b"Model: X\n", "text/plain")) for i in range(MAX_UPLOAD_FILES + 1)
    ]
    assert_error(client.post("/v1/documents", files=many), 413, "too_many_files", "limit")
    twice = [("files", ("a.txt", b"one", "text/plain")), ("files", ("a.txt", b"two", "text/plain"))]
    assert_error(client.post("/v1/documents", files=twice), 422, "duplicate_file_name", "a.txt")
    assert_error(
        client.post("/v1/documents", data={"other": "x"}, files=[("nope", ("a.txt", b"x"))]),
        422,
        "validation_error",
        "files",
    )


def test_upload_with_the_wrong_content_type_is_415(client: TestClient) -> None:
    assert_error(
        client.post("/v1/documents", json={"files": ["a.txt"]}),
        415,
        "unsupported_media_type",
        "multipart/form-data",
    )
    broken = client.post(
        "/v1/documents",
        content=b"--x\r\nnot really multipart",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code in (400, 422), broken.text
    assert broken.json()["error"]["message"]


# --- server-side ingest -------------------------------------------------------------------


def test_ingest_without_roots_is_403_saying_how_to_configure(make_client: MakeClient) -> None:
    client = make_client(roots=[])
    assert_error(
        client.post("/v1/ingest", json={"paths": [str(SAMPLES)]}),
        403,
        "ingest_roots_not_configured",
        "SPECRAG_ROOTS",
    )


def test_ingest_paths_outside_the_roots_are_refused(
    client: TestClient, library: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret: value\n")
    (library / "link-out").symlink_to(outside)
    (library / "secret-link.txt").symlink_to(outside / "secret.txt")
    for path in (
        str(outside),
        str(outside / "secret.txt"),
        f"{library}/../outside/secret.txt",
        str(library / "link-out"),
        str(library / "link-out" / "secret.txt"),
        str(library / "secret-link.txt"),
        "/etc/passwd",
    ):
        error = assert_error(
            client.post("/v1/ingest", json={"paths": [path]}), 403, "outside_roots", "outside"
        )
        assert error["detail"]["roots"] == [library.name]  # named, not the server's path


def test_a_symlink_leading_out_inside_an_ingested_folder_is_a_recorded_error(
    client: TestClient, library: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret: value\n")
    (library / "secret-link.txt").symlink_to(outside / "secret.txt")
    job = wait_job(
        client, client.post("/v1/ingest", json={"paths": [str(library)]}).json()["job"]["id"]
    )
    assert job["report"]["files"]["ok"] == 2
    assert any(
        Path(e["path"]).name == "secret-link.txt" and "outside" in e["reason"]
        for e in job["errors"]
    )
    sources = [d["source"] for d in client.get("/v1/documents").json()["documents"]]
    assert not any("secret" in s for s in sources)


@pytest.mark.parametrize(
    ("paths", "status", "type_", "needle"),
    [
        (["relative/path"], 422, "invalid_path", "relative"),
        (["/nul\x00byte"], 422, "invalid_path", "NUL"),
        ([], 422, "validation_error", "paths"),
        (["/x"] * 101, 422, "validation_error", "paths"),
    ],
)
def test_ingest_bad_paths_are_422(
    client: TestClient, paths: list[str], status: int, type_: str, needle: str
) -> None:
    assert_error(client.post("/v1/ingest", json={"paths": paths}), status, type_, needle)


def test_ingest_missing_path_is_404(client: TestClient, library: Path) -> None:
    assert_error(
        client.post("/v1/ingest", json={"paths": [str(library / "nope.md")]}),
        404,
        "not_found",
        "nope.md",
    )


def test_ingest_with_prune_removes_files_gone_from_the_folder(
    indexed: TestClient, library: Path
) -> None:
    (library / "aurora_x5.md").unlink()
    job = wait_job(
        indexed,
        indexed.post("/v1/ingest", json={"paths": [str(library)], "prune": True}).json()["job"][
            "id"
        ],
    )
    assert job["report"]["documents_deleted"] == 1
    names = [Path(d["source"]).name for d in indexed.get("/v1/documents").json()["documents"]]
    assert names == ["lumen_e2.txt"]


# --- bad query input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "type_", "needle"),
    [
        ({"query": ""}, "validation_error", "query: the query is empty"),
        ({"query": "   "}, "validation_error", "query: the query is empty"),
        ({"query": "x" * 2001}, "validation_error", "query"),
        ({"query": "battery", "k": 0}, "validation_error", "k"),
        ({"query": "battery", "k": 51}, "validation_error", "k"),
        ({"query": "battery", "k": "many"}, "validation_error", "k"),
        ({"query": "battery", "filters": {"colour": "red"}}, "validation_error", "colour"),
        ({"query": "battery", "filters": {"source": []}}, "validation_error", "source"),
        ({"query": "battery", "mode": "semantic"}, "validation_error", "mode"),
        ({"query": "battery", "neighbors": 6}, "validation_error", "neighbors"),
        ({"query": "battery", "top_k": 3}, "validation_error", "top_k"),
        ({"k": 3}, "validation_error", "query"),
        ([], "validation_error", ""),
        (b'{"query": "\\ud800 lone surrogate"}', "validation_error", "query"),
        (b'{"query": "x", "filters": {"source": "\\udfff"}}', "validation_error", "source"),
    ],
)
def test_bad_query_input_is_422_naming_the_field(
    shared_indexed: TestClient, body: Any, type_: str, needle: str
) -> None:
    """Refused against an index that would answer: a body that got through would be a 200."""
    client = shared_indexed
    if isinstance(body, bytes):  # JSON no client library would write
        sent = client.post("/v1/query", content=body, headers={"content-type": "application/json"})
    else:
        sent = client.post("/v1/query", json=body)
    assert_error(sent, 422, type_, needle)


def test_unknown_filter_field_is_named_as_unknown(client: TestClient) -> None:
    error = assert_error(
        client.post("/v1/query", json={"query": "x", "filters": {"colour": "red"}}),
        422,
        "validation_error",
        "filters.colour: unknown field",
    )
    assert error["detail"] == [
        {
            "location": "body",
            "field": "filters.colour",
            "type": "extra_forbidden",
            "message": "unknown field",
        }
    ]


def test_malformed_json_wrong_content_type_and_oversized_body(client: TestClient) -> None:
    assert_error(
        client.post(
            "/v1/query", content=b'{"query": "x",', headers={"content-type": "application/json"}
        ),
        400,
        "malformed_json",
        "not valid JSON",
    )
    assert_error(
        client.post("/v1/query", content=b'{"query": "x"}', headers={"content-type": "text/plain"}),
        415,
        "unsupported_media_type",
        "application/json",
    )
    assert_error(
        client.post("/v1/query", content=b'{"query": "x"}', headers={"content-type": ""}),
        415,
        "unsupported_media_type",
    )
    assert_error(
        client.post("/v1/ingest", files=[("paths", ("a.txt", b"x"))]), 415, "unsupported_media_type"
    )
    huge = b'{"query": "' + b"x" * MAX_JSON_BYTES + b'"}'
    assert_error(
        client.post("/v1/query", content=huge, headers={"content-type": "application/json"}),
        413,
        "payload_too_large",
        str(MAX_JSON_BYTES),
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        yield b'{"query": "'
        for _ in range(20):
            yield b"y" * 65536
        yield b'"}'

    assert_error(
        client.post("/v1/query", content=chunks(), headers={"content-type": "application/json"}),
        413,
        "payload_too_large",
    )


# --- errors, jobs, metrics, docs ----------------------------------------------------------


def test_unknown_ids_routes_and_methods_get_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/jobs/0123456789abcdef"), 404, "not_found", "0123456789abcdef")
    assert_error(client.get("/v1/documents/nope"), 404, "not_found", "nope")
    assert_error(client.delete("/v1/documents/nope"), 404, "not_found", "nope")
    assert_error(client.get("/v1/nowhere"), 404, "not_found")
    assert_error(client.put("/v1/query", json={}), 405, "method_not_allowed")


def test_an_unexpected_error_is_a_logged_500_without_internals(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()

    class Broken:
        def search(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("secret internal detail")

    client.app.dependency_overrides[get_searcher] = Broken  # type: ignore[attr-defined]
    quiet = TestClient(client.app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR):
        error = assert_error(quiet.post("/v1/query", json={"query": "x"}), 500, "internal_error")
    assert "secret" not in error["message"]
    assert any("secret internal detail" in r.getMessage() or r.exc_info for r in caplog.records)


def test_citations_name_documents_as_their_users_gave_them(
    make_client: MakeClient, library: Path
) -> None:
    """`document`: the path below the ingest root, or the upload's name; never a server path."""
    (library / "specs" / "2025").mkdir(parents=True)
    shutil.move(library / "aurora_x5.md", library / "specs" / "2025" / "aurora_x5.md")
    client = make_client(roots=[library])
    job_id = client.post("/v1/ingest", json={"paths": [str(library)]}).json()["job"]["id"]
    assert wait_job(client, job_id)["status"] == "done"
    # its own wording: a text another document already stores is not stored again (shared)
    body = (SAMPLES / "lumen_e2.txt").read_bytes().replace(b"Lumen E2", b"Lumen E2 fleet")
    upload = client.post(
        "/v1/documents", files=[("files", ("my lumen.txt", body, "text/plain"))]
    ).json()
    assert wait_job(client, upload["job"]["id"])["status"] == "done"
    documents = {d["doc_id"]: d for d in client.get("/v1/documents").json()["documents"]}
    results = client.post("/v1/query", json={"query": "Aurora X5 Lumen E2", "k": 20}).json()
    named = {r["citation"]["document"]: r["citation"] for r in results["results"]}
    assert set(named) == {"specs/2025/aurora_x5.md", "lumen_e2.txt", "my lumen.txt"}, named
    for name, cited in named.items():
        assert not name.startswith("/") and cited["doc_id"] in documents
        assert documents[cited["doc_id"]]["source"] == cited["source"] == name


def test_jobs_are_listed_newest_first_by_status_and_paged(
    make_client: MakeClient, library: Path
) -> None:
    client = make_client(roots=[library])
    assert client.get("/v1/jobs").json() == {"total": 0, "offset": 0, "jobs": []}
    ids = []
    for _ in range(2):
        job_id = client.post("/v1/ingest", json={"paths": [str(library)]}).json()["job"]["id"]
        assert wait_job(client, job_id)["status"] == "done"
        ids.append(job_id)
    listed = client.get("/v1/jobs").json()
    assert listed["total"] == 2 and [j["id"] for j in listed["jobs"]] == ids[::-1]
    assert listed["jobs"][1] == client.get(f"/v1/jobs/{ids[0]}").json()
    second_page = client.get("/v1/jobs", params={"limit": 1, "offset": 1}).json()
    assert second_page["total"] == 2 and [j["id"] for j in second_page["jobs"]] == [ids[0]]
    assert client.get("/v1/jobs", params={"status": "done"}).json()["total"] == 2
    assert client.get("/v1/jobs", params={"status": "failed"}).json()["jobs"] == []
    assert_error(
        client.get("/v1/jobs", params={"status": "finished"}), 422, "validation_error", "status"
    )
    assert_error(client.get("/v1/jobs", params={"limit": 0}), 422, "validation_error", "limit")


def test_jobs_survive_a_restart_and_interrupted_ones_are_marked_failed(
    make_client: MakeClient, make_settings: Any, library: Path
) -> None:
    first = make_client(roots=[library])
    done_id = first.post("/v1/ingest", json={"paths": [str(library)]}).json()["job"]["id"]
    assert wait_job(first, done_id)["status"] == "done"
    settings = make_settings()
    store = JobStore(settings.data_dir / f"{settings.collection}.jobs.sqlite3")
    stuck = {**first.get(f"/v1/jobs/{done_id}").json(), "id": "f" * 32, "status": "running"}
    stuck["paths"] = [str(library.resolve())]  # as stored (responses name it below its root)
    store.save(stuck)
    never_started = {**stuck, "id": "e" * 32, "status": "queued", "started_at": None}
    store.save(never_started)
    store.close()

    # A restart: the first server lets go of the data dir (one owner at a time) first.
    first.__exit__(None, None, None)
    second = make_client(roots=[library])  # same data dir
    assert second.get(f"/v1/jobs/{done_id}").json()["status"] == "done"
    # Killed after its last commit: reported with what it did, not as a failure.
    finished = second.get(f"/v1/jobs/{'f' * 32}").json()
    assert finished["status"] == "done", finished
    assert sorted(c["path"] for c in finished["report"]["committed"]) == [
        "aurora_x5.md",
        "lumen_e2.txt",
    ]
    interrupted = second.get(f"/v1/jobs/{'e' * 32}").json()
    assert interrupted["status"] == "failed" and interrupted["error"] == INTERRUPTED


def test_metrics_count_requests_by_route_and_report_index_size(indexed: TestClient) -> None:
    indexed.post("/v1/query", json={"query": "battery"})
    indexed.post("/v1/query", json={"query": ""})
    indexed.get("/v1/documents/nope")
    response = indexed.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'specrag_http_requests_total{method="POST",route="/v1/query",status="200"} 1.0' in text
    assert 'specrag_http_requests_total{method="POST",route="/v1/query",status="422"} 1.0' in text
    assert (
        'specrag_http_requests_total{method="GET",route="/v1/documents/{doc_id}",status="404"} 1.0'
        in text
    )
    assert (
        'specrag_http_request_duration_seconds_count{method="POST",route="/v1/query",status="200"}'
        " 1.0" in text
    )
    chunks = indexed.get("/readyz").json()["checks"]["chroma"]["chunks"]
    assert f"specrag_chunks {float(chunks)}" in text
    assert 'specrag_documents{status="ok"} 2.0' in text
    assert 'specrag_ingest_jobs_total{status="done"} 1.0' in text
    assert 'specrag_ingest_files_total{result="ok"} 2.0' in text
    assert f'specrag_ingest_chunks_total{{action="embedded"}} {float(chunks)}' in text


def test_two_apps_in_one_process_keep_their_own_metrics(
    make_client: MakeClient, tmp_path: Path
) -> None:
    # Each on its own data dir: one data dir has one server (`api.owner`).
    one, two = make_client(), make_client(data_dir=tmp_path / "two")
    one.get("/healthz")
    assert 'route="/healthz"' in one.get("/metrics").text
    assert 'route="/healthz"' not in two.get("/metrics").text


def test_openapi_and_docs_describe_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/query",
        "/v1/documents",
        "/v1/documents/{doc_id}",
        "/v1/documents/{doc_id}/reingest",
        "/v1/chunks/{chunk_id}",
        "/v1/cars",
        "/v1/cars/{car_id}",
        "/v1/grounding/check",
        "/v1/ingest",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/admin/check",
        "/v1/admin/repair",
        "/v1/generate/blog",
        "/v1/generate/{business}",
        "/v1/prompts",
        "/v1/usage",
        "/v1/tokenize",
        "/v1/chat",
        "/v1/chat/defaults",
        "/v1/sessions",
        "/v1/sessions/{session_id}",
        "/v1/chat/completions",
        "/v1/embeddings",
        "/v1/models",
        "/v1/models/{model_id}",
    }
    assert (
        "multipart/form-data" in schema["paths"]["/v1/documents"]["post"]["requestBody"]["content"]
    )
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
