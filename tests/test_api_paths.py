"""No response names a file by the server's path (issue 17): citations, documents, jobs, cars,
grounding, generation, chat, admin and errors name documents as their users gave them (below
the ingest root, or the upload's name) with their doc ids. Real server (uvicorn on loopback),
real index, the real `openai` client talking to the scripted model."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.services import Services
from tests.fake_openai import FakeOpenAI
from tests.serving import served, wait_until

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]  # the server's code and its data/ (prompts, models)
SAMPLES = REPO / "data" / "samples"
JOB_SECONDS = 300
BLOG = [
    {"title": "Aurora X5", "text": "The Aurora X5 1.5T makes 130 kW [1].", "topics": ["hybrid"]},
    {"text": "The Hybrid has an 18.4 kWh battery [2]."},
    {"text": "A roomy SUV for families."},
]


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


class Walk:
    """Every response of the test, kept to be searched for machine paths at the end."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.seen: list[tuple[str, str]] = []  # (request, a string of its response)

    def call(self, method: str, url: str, expect: int, **kwargs: Any) -> Any:
        response = self.http.request(method, url, **kwargs)
        assert response.status_code == expect, (method, url, response.text)
        kind = response.headers.get("content-type", "")
        body = response.json() if kind.startswith("application/json") else response.text
        self.seen += [(f"{method} {url}", s) for s in strings(body)]
        return body

    def job(self, accepted: dict[str, Any]) -> dict[str, Any]:
        url = f"/v1/jobs/{accepted['job']['id']}"
        wait_until(
            lambda: self.call("GET", url, 200)["status"] in ("done", "failed"), seconds=JOB_SECONDS
        )
        job: dict[str, Any] = self.call("GET", url, 200)
        return job


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The ingest root, given through a symlink (stored paths are resolved, and a root itself
    is named by its folder): a document in a subfolder, one at the top, a PDF that fails."""
    real = tmp_path / "real-library"
    (real / "suv").mkdir(parents=True)
    shutil.copy(SAMPLES / "aurora_x5.md", real / "suv" / "aurora_x5.md")
    shutil.copy(SAMPLES / "lumen_e2.txt", real / "lumen_e2.txt")
    (real / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    link = tmp_path / "library"
    link.symlink_to(real, target_is_directory=True)
    return link


@pytest.fixture
def walk(
    tmp_path: Path,
    library: Path,
    make_settings: Any,
    embedder: Any,
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Walk]:
    monkeypatch.setenv("SPECRAG_TEST_LLM_KEY", "sk-test")
    models = fake_openai.models_file(tmp_path / "models.toml", key_env="SPECRAG_TEST_LLM_KEY")
    settings = make_settings(roots=[library], models_file=models, llm_retries=0)
    services = Services(settings, embedder=embedder)
    with (
        served(create_app(settings, services=services)) as url,
        httpx.Client(base_url=url, timeout=120) as http,
    ):
        yield Walk(http)
    services.close()


def test_no_response_carries_a_server_path(
    walk: Walk, library: Path, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    """Regression (issue 17): citations carried `source`, the absolute, symlink-resolved
    server path; jobs, documents, cars and errors did too."""
    ingested = walk.job(walk.call("POST", "/v1/ingest", 202, json={"paths": [str(library)]}))
    assert ingested["status"] == "done" and ingested["paths"] == ["real-library"]
    assert ingested["report"]["files"] == {"ok": 2, "skipped": 0, "failed": 1}
    assert [e["path"] for e in ingested["errors"]] == ["broken.pdf"]
    files = {"files": ("note.md", b"# Note\n\nThe Aurora X5 has 5 seats.\n")}
    uploaded = walk.call("POST", "/v1/documents", 202, files=files)
    assert uploaded["files"][0]["path"] == "note.md" and uploaded["job"]["paths"] == ["note.md"]
    assert walk.job(uploaded)["status"] == "done"
    walk.call("GET", "/v1/jobs", 200)

    documents = walk.call("GET", "/v1/documents", 200)["documents"]
    by_name = {d["source"]: d for d in documents}
    assert set(by_name) == {"suv/aurora_x5.md", "lumen_e2.txt", "broken.pdf", "note.md"}
    assert by_name["broken.pdf"]["status"] == "failed" and by_name["broken.pdf"]["error"]
    walk.call("GET", f"/v1/documents/{by_name['suv/aurora_x5.md']['doc_id']}", 200)

    for mode in ("hybrid", "vector", "lexical"):
        found = walk.call("POST", "/v1/query", 200, json={"query": "Aurora X5", "mode": mode})
        citation = found["results"][0]["citation"]
        assert citation["source"] == citation["document"] == "suv/aurora_x5.md", mode
        assert (
            citation["doc_id"] == by_name["suv/aurora_x5.md"]["doc_id"] and "path" not in citation
        )
        # the name a citation gives is what a `source` filter takes
        only = walk.call(
            "POST",
            "/v1/query",
            200,
            json={"query": "battery", "mode": mode, "filters": {"source": "lumen_e2.txt"}},
        )["results"]
        assert only and {r["citation"]["source"] for r in only} == {"lumen_e2.txt"}, mode

    cars = walk.call("GET", "/v1/cars", 200)["cars"]
    aurora = next(c for c in cars if c["name"] == "Aurora X5")
    sheet = walk.call("GET", f"/v1/cars/{aurora['id']}", 200)
    cited = {c["source"] for s in sheet["specs"] for c in s["citations"]}
    assert "suv/aurora_x5.md" in cited and cited <= set(by_name)
    text = {"car": aurora["id"], "text": "The Aurora X5 has 5 seats and makes 130 kW."}
    walk.call("POST", "/v1/grounding/check", 200, json=text)

    for reply in BLOG:
        fake_openai.reply_json(reply)
    blog = walk.call("POST", "/v1/generate/blog", 200, json={"car": "Aurora X5"})
    assert blog["citations"] and {c["source"] for c in blog["citations"]} <= set(by_name)
    for reply in BLOG:
        fake_openai.reply_json(reply)
    walk.call("POST", "/v1/generate/blog?stream=true", 200, json={"car": "Aurora X5"})
    fake_openai.reply("The Aurora X5 Hybrid has an 18.4 kWh battery [1].")
    chat = walk.call("POST", "/v1/chat", 200, json={"message": "Aurora X5 hybrid battery?"})
    walk.call("GET", f"/v1/sessions/{chat['session_id']}", 200)
    walk.call("GET", "/v1/sessions", 200)
    fake_openai.reply("It has an 18.4 kWh battery [1].")
    question = {"model": "remote", "messages": [{"role": "user", "content": "Aurora X5 battery"}]}
    walk.call("POST", "/v1/chat/completions", 200, json=question)

    for url in ("/v1/admin/check", "/readyz", "/healthz", "/v1/prompts", "/v1/models"):
        walk.call("GET", url, 200)
    for url in ("/v1/usage", "/metrics", "/openapi.json"):
        walk.call("GET", url, 200)
    walk.call("POST", "/v1/ingest", 403, json={"paths": ["/etc"]})
    walk.call("POST", "/v1/ingest", 404, json={"paths": [str(library / "gone.md")]})
    walk.call("POST", "/v1/ingest", 404, json={"paths": [str(library.resolve() / "gone.md")]})
    walk.call("GET", "/v1/documents/0123456789abcdef", 404)
    deleted = walk.call("DELETE", f"/v1/documents/{by_name['note.md']['doc_id']}", 200)
    assert deleted["source"] == "note.md"

    machine = {str(tmp_path), str(tmp_path.resolve()), str(library.resolve()), str(REPO)}
    leaks = [(where, s) for where, s in walk.seen for path in machine if path in s]
    assert not leaks, leaks[:5]
    assert len(walk.seen) > 500  # the walk did read the responses


def test_source_filter_takes_the_server_path_too(walk: Walk, library: Path) -> None:
    """Clients that filtered by the absolute path before keep working."""
    walk.job(walk.call("POST", "/v1/ingest", 202, json={"paths": [str(library)]}))
    server_path = str(library.resolve() / "lumen_e2.txt")
    body = {"query": "battery", "filters": {"source": server_path}}
    results = walk.call("POST", "/v1/query", 200, json=body)["results"]
    assert results and {r["citation"]["source"] for r in results} == {"lumen_e2.txt"}
    nothing = {"query": "battery", "filters": {"source": "no/such.md"}}
    assert walk.call("POST", "/v1/query", 200, json=nothing)["results"] == []


def test_messages_name_paths_below_a_root_or_the_data_dir(tmp_path: Path) -> None:
    """An error's or a reason's text: a file below a root by its name there, the data dir
    as "<data dir>", other paths (the user's own input) left alone."""
    from api.naming import Naming

    root, data = tmp_path / "specs", tmp_path / "index"
    (root / "2025").mkdir(parents=True)
    naming = Naming.build([root], uploads=data / "uploads", data_dir=data)
    message = (
        f"cannot read '{root}/2025/x.pdf': denied; {data}/jobs.sqlite3 is damaged; "
        f"{data} is full; upload {data}/uploads/my file.txt; {root} scanned; /etc/passwd refused"
    )
    assert naming.text(message) == (
        "cannot read '2025/x.pdf': denied; <data dir>/jobs.sqlite3 is damaged; "
        "<data dir> is full; upload my file.txt; specs scanned; /etc/passwd refused"
    )
    assert naming.document(str(data / "uploads" / "a.md")) == "a.md"
    stored = [str(root / "2025" / "x.pdf"), str(root / "y.md")]
    assert naming.stored(["2025/x.pdf"], lambda: stored) == [stored[0], "2025/x.pdf"]
    assert naming.stored([stored[1]], lambda: stored) == [stored[1]]
