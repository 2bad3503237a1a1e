"""The routes the web page needs beyond the rest: a document's fact count, one passage by chunk
id (the citation viewer), re-ingesting a document, and the chat defaults the page starts from.
Real app (lifespan run), real model, real Chroma."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.state import app_state
from tests.test_api import JOB_TIMEOUT, SAMPLES, assert_error, wait_job


@pytest.fixture
def client(make_settings: Any, embedder: Any) -> Iterator[TestClient]:
    services = Services(
        make_settings(chat_memory_policy="window", chat_max_turns=4), embedder=embedder
    )
    with TestClient(create_app(services.settings, services=services)) as started:
        yield started
        app_state(started.app).jobs.wait_idle(JOB_TIMEOUT)
    services.close()


def _upload(client: TestClient, name: str) -> dict[str, Any]:
    sent = client.post("/v1/documents", files=[("files", (name, (SAMPLES / name).read_bytes()))])
    assert sent.status_code == 202, sent.text
    assert wait_job(client, sent.json()["job"]["id"])["status"] == "done"
    document: dict[str, Any] = client.get(
        f"/v1/documents/{sent.json()['files'][0]['doc_id']}"
    ).json()
    return document


def test_documents_count_their_facts_and_a_chunk_is_read_by_its_id(client: TestClient) -> None:
    document = _upload(client, "aurora_x5.md")
    facts = client.get("/v1/cars/aurora-x5").json()["facts"]
    assert document["facts"] == facts > 0  # every fact of the car comes from this document
    listed = client.get("/v1/documents").json()["documents"]
    assert [d["facts"] for d in listed] == [facts]

    chunk_id = document["chunk_ids"][1]
    chunk = client.get(f"/v1/chunks/{chunk_id}")
    assert chunk.status_code == 200, chunk.text
    body = chunk.json()
    assert body["chunk_id"] == chunk_id and body["text"].strip()
    assert body["citation"]["doc_id"] == document["doc_id"]
    assert body["citation"]["document"] == "aurora_x5.md"
    # the passage a spec sheet cites holds the evidence it was read from
    spec = client.get("/v1/cars/aurora-x5").json()["specs"][0]
    cited = spec["citations"][0]
    passage = client.get(f"/v1/chunks/{cited['chunk_id']}").json()["text"]
    assert cited["evidence"] in passage

    assert_error(client.get("/v1/chunks/nope:0"), 404, "not_found", "'nope:0'")


def test_reingest_indexes_a_document_again_from_its_file(client: TestClient) -> None:
    document = _upload(client, "lumen_e2.txt")
    again = client.post(f"/v1/documents/{document['doc_id']}/reingest")
    assert again.status_code == 202, again.text
    job = wait_job(client, again.json()["job"]["id"])
    assert job["status"] == "done" and job["report"]["files"]["ok"] == 1, job
    after = client.get(f"/v1/documents/{document['doc_id']}").json()
    assert after["updated_at"] > document["updated_at"]
    assert (after["chunks"], after["facts"]) == (document["chunks"], document["facts"])

    assert_error(client.post("/v1/documents/nope/reingest"), 404, "not_found", "'nope'")
    assert document["source"] == "lumen_e2.txt"  # the upload's name, not the server's path
    uploads = app_state(client.app).services.settings.data_dir / "uploads"
    (uploads / document["source"]).unlink()  # the uploaded file, gone from the server
    assert_error(
        client.post(f"/v1/documents/{document['doc_id']}/reingest"),
        404,
        "not_found",
        "lumen_e2.txt",
        "file is gone",
    )


def test_chat_defaults_are_the_servers_settings(client: TestClient) -> None:
    defaults = client.get("/v1/chat/defaults").json()
    assert defaults == {
        "model": app_state(client.app).services.generation.models.default,
        "memory": {"policy": "window", "max_turns": 4, "max_tokens": 2000},
    }


def test_progress_names_the_file_the_run_has_reached(
    make_settings: Any, embedder: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Batches of 4 chunks: the run reports progress before its files are done, each time
    naming the file of the last chunk it gave the encoder, in the order the files are taken."""
    monkeypatch.setattr(embedder, "batch_size", 4)
    folder = tmp_path / "three"
    folder.mkdir()
    names = ["aurora_x5.md", "lumen_e2.txt", "meridian_s_zh.md"]
    for name in names:
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    services = Services(make_settings(), embedder=embedder)
    seen: list[tuple[int, int, int, str | None]] = []
    try:
        report = services.pipeline.run([folder], progress=lambda *update: seen.append(update))
    finally:
        services.close()
    assert report.ok == 3, report.errors
    running = [s for s in seen if s[0] < s[1]]
    assert running and all(s[3] is not None for s in running), seen
    reached = [Path(s[3]).name for s in seen if s[3] is not None]
    assert set(reached) <= set(names)
    order = [names.index(n) for n in reached]
    assert order == sorted(order) and len(set(reached)) > 1, reached  # onward, file by file
    assert [s[2] for s in seen] == sorted(s[2] for s in seen)  # chunks only grow
    assert seen[-1][:2] == (3, 3)


def test_a_finished_job_names_no_current_file(client: TestClient) -> None:
    sent = client.post(
        "/v1/documents",
        files=[("files", ("lumen_e2.txt", (SAMPLES / "lumen_e2.txt").read_bytes()))],
    )
    job = wait_job(client, sent.json()["job"]["id"])
    assert job["progress"]["current_file"] is None
    listed = client.get("/v1/jobs").json()["jobs"]
    assert listed[0]["id"] == job["id"] and listed[0]["progress"]["current_file"] is None
