"""What a newcomer following the README ran into, on the indexed samples: raw UTF-8 in a URL,
bodies that are not JSON, the "did you mean" of an unknown car, empty and blank queries, an
upload named as an indexed document, and `specrag specs`' layout."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.cli.cars import _print_sheet
from api.settings import Settings
from ingest.specs.registry import CarSummary, FactCitation, Spec, SpecSheet
from tests.samples import Samples

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
JSON = {"content-type": "application/json"}
JSON_ROUTES = (
    "/v1/query",
    "/v1/ingest",
    "/v1/chat",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/tokenize",
    "/v1/generate/blog",
    "/v1/generate/review",
    "/v1/grounding/check",
)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("newcomer") / "index", workers=0)


@pytest.fixture(scope="module")
def client(samples: Samples, settings: Settings) -> Iterator[TestClient]:
    with samples.client(settings) as test_client:
        yield test_client


def _raw_get(base_url: str, target: bytes) -> tuple[int, dict[str, str], bytes]:
    """GET `target` sent byte for byte, as curl sends a query typed in UTF-8."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while block := sock.recv(65536):
            answer += block
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def test_raw_utf8_in_a_url_is_read_and_a_refused_request_answers_in_json(
    samples: Samples, make_settings: Any
) -> None:
    """Regression: `curl "http://127.0.0.1:8000/v1/cars?q=极光"` (curl sends the query's
    UTF-8 as typed) got uvicorn's plain-text "Invalid HTTP request received." (400) from
    both httptools and h11; now the car, and JSON for what no parser can read."""
    with samples.served(make_settings()) as url:
        status, headers, body = _raw_get(url, "/v1/cars?q=极光".encode())
        assert status == 200, body
        assert [c["id"] for c in json.loads(body)["cars"]] == ["aurora-x5-hybrid"]
        # the same as the percent-encoded query a browser sends
        encoded = _raw_get(url, b"/v1/cars?q=%E6%9E%81%E5%85%89")
        assert encoded[0] == 200 and json.loads(encoded[2]) == json.loads(body)
        status, _, body = _raw_get(url, "/v1/cars/极光x".encode())  # a raw UTF-8 path too
        assert status == 404 and "'极光x'" in json.loads(body)["error"]["message"]
        status, headers, body = _raw_get(url, b"/v1/cars?q=a b")  # a space: no URL at all
        assert status == 400 and headers["content-type"] == "application/json"
        error = json.loads(body)["error"]
        assert error["type"] == "bad_request" and "percent-encoded" in error["message"]


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_a_body_that_is_not_json_is_a_400_naming_where_on_every_route(
    client: TestClient, route: str
) -> None:
    """Regression: a broken JSON body was a 422, as if its fields were wrong."""
    broken = client.post(route, content=b'{"query":\n "x",}', headers=JSON)
    assert broken.status_code == 400, broken.text
    error = broken.json()["error"]
    assert error["type"] == "malformed_json"
    assert "at line 2, column 6 (character 15)" in error["message"], error["message"]
    assert "Expecting property name" in error["message"]
    assert error["detail"][0]["position"] == 15
    empty = client.post(route, content=b"", headers=JSON)
    assert empty.status_code == 400 and empty.json()["error"]["type"] == "malformed_json"
    assert "empty" in empty.json()["error"]["message"]
    wrong = client.post(route, json={"no_such_field": 1})  # JSON, wrong fields: still 422
    assert wrong.status_code == 422 and wrong.json()["error"]["type"] == "validation_error"


def test_close_matches_are_cars_everywhere(client: TestClient, settings: Settings) -> None:
    """Regression: `close_matches` held car objects on `/v1/cars/{id}`, names on the
    generate and grounding routes and ids on `filters.car`; the "did you mean" was built in
    four places. Now one shape, one message, as `GET /v1/cars` lists a car."""
    listed = {c["id"]: c for c in client.get("/v1/cars").json()["cars"]}
    answers = {
        "cars": client.get("/v1/cars/aurora-x9"),
        "blog": client.post("/v1/generate/blog", json={"car": "aurora-x9"}),
        "review": client.post("/v1/generate/review", json={"car": "aurora-x9"}),
        "grounding": client.post("/v1/grounding/check", json={"car": "aurora-x9", "text": "1"}),
        "filter": client.post("/v1/query", json={"query": "x", "filters": {"car": "aurora-x9"}}),
    }
    statuses = {route: answer.status_code for route, answer in answers.items()}
    assert statuses == {"cars": 404, "blog": 404, "review": 404, "grounding": 404, "filter": 422}
    for route, answer in answers.items():
        error = answer.json()["error"]
        close = error["detail"]["close_matches"]
        assert close and close[0] == listed["aurora-x5"], (route, close)
        assert error["type"] == "unknown_car"
        assert "did you mean Aurora X5 (aurora-x5)" in error["message"], (route, error)
    assert answers["filter"].json()["error"]["detail"]["field"] == "filters.car"

    from api.cli import main

    runner = CliRunner()
    env = {"SPECRAG_DATA_DIR": str(settings.data_dir)}
    unknown = runner.invoke(main, ["specs", "aurora-x9"], env=env)
    assert unknown.exit_code == 1
    assert "did you mean Aurora X5 (aurora-x5)" in unknown.output


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_an_empty_and_a_blank_query_are_one_error(client: TestClient, blank: str) -> None:
    """Regression: "" was a validation_error, "   " an empty_query; chat's message read
    "String should have at least 1 character" for one, "the message is empty" for the other."""
    for route, field in (("/v1/query", "query"), ("/v1/chat", "message")):
        answer = client.post(route, json={field: blank})
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["type"] == "validation_error"
        assert error["message"] == f"invalid request: {field}: the {field} is empty"
        assert error["detail"][0]["field"] == field


def test_an_upload_named_as_an_indexed_document_never_becomes_a_second_one(
    samples: Samples, make_settings: Any, tmp_path: Path
) -> None:
    """Regression: uploading lumen_e2.txt, already indexed from data/samples, made a second
    document of that name and counted the Lumen E2's facts twice (42 for 21). Same bytes:
    that document, no job; other bytes: 409 naming it, `replace=true` too (an upload never
    writes into a folder it was not given), and nothing stored changes."""
    with samples.client(make_settings()) as client:
        before = client.get("/v1/documents").json()
        cars = {c["id"]: c for c in client.get("/v1/cars").json()["cars"]}
        lumen = (SAMPLES / "lumen_e2.txt").read_bytes()
        same = client.post("/v1/documents", files=[("files", ("lumen_e2.txt", lumen))])
        assert same.status_code == 200, same.text
        indexed = next(d for d in before["documents"] if d["source"] == "lumen_e2.txt")
        assert same.json()["job"] is None
        assert same.json()["files"][0] | {"bytes": 0} == {
            "name": "lumen_e2.txt",
            "path": "lumen_e2.txt",
            "doc_id": indexed["doc_id"],
            "bytes": 0,
            "status": "unchanged",
        }
        changed = lumen.replace(b"Lumen E2", b"Lumen E2 changed", 1)
        for replace in ("false", "true"):
            refused = client.post(
                f"/v1/documents?replace={replace}",
                files=[("files", ("LUMEN_E2.txt", changed))],  # names compare case-folded
            )
            assert refused.status_code == 409, refused.text
            error = refused.json()["error"]
            assert error["type"] == "name_conflict"
            assert f"'lumen_e2.txt' (doc_id {indexed['doc_id']})" in error["message"]
            assert f"/v1/documents/{indexed['doc_id']}/reingest" in error["message"]
            assert error["detail"]["existing"] == {
                "name": "lumen_e2.txt",
                "doc_id": indexed["doc_id"],
            }
            assert str(SAMPLES) not in refused.text  # no server path
        assert client.get("/v1/documents").json() == before
        after = {c["id"]: c for c in client.get("/v1/cars").json()["cars"]}
        assert after == cars and after["lumen-e2"]["documents"] == 1
        assert not (make_settings().data_dir / "uploads" / "LUMEN_E2.txt").exists()
        # another name is another document
        other = client.post("/v1/documents", files=[("files", ("lumen_e2_v2.txt", changed))])
        assert other.status_code == 202, other.text


def test_specs_names_documents_as_the_api_does(client: TestClient, settings: Settings) -> None:
    """Regression: `specrag specs CAR` printed each citation's server path
    (/…/data/samples/lumen_e2.txt), `--json` too; the API names the document."""
    from api.cli import main

    runner = CliRunner()
    env = {"SPECRAG_DATA_DIR": str(settings.data_dir)}
    printed = runner.invoke(main, ["specs", "lumen-e2"], env=env)
    assert printed.exit_code == 0, printed.output
    assert str(SAMPLES) not in printed.output and "      lumen_e2.txt: “" in printed.output
    as_json = runner.invoke(main, ["specs", "lumen-e2", "--json"], env=env)
    assert str(SAMPLES) not in as_json.output
    sheet = json.loads(as_json.output)
    api = client.get("/v1/cars/lumen-e2").json()
    shown = {(c["source"], c["document"]) for s in sheet["specs"] for c in s["citations"]}
    assert shown == {(c["source"], c["document"]) for s in api["specs"] for c in s["citations"]}


def test_specs_keeps_a_value_with_a_newline_on_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: a value, label or variant holding a newline (a PDF table cell) broke the
    sheet's layout: its second half started a line of its own, at the margin."""
    citation = FactCitation("d1", "/srv/x.pdf", "X", 3, "", None, "Range\n 480 km", "x.pdf")
    spec = Spec(
        "range", "Range\n(WLTP)", "Long\nRange", "480\nkm", "km", (480.0,), 480.0, "km", [citation]
    )
    _print_sheet(SpecSheet(CarSummary("x", "X", (), 1, 1), [spec], []))
    lines = capsys.readouterr().out.splitlines()
    assert lines[2:] == [
        "  Range (WLTP) [Long Range]: 480 km",
        "      x.pdf p.3: “Range 480 km”",
    ]
