"""The index always matches the files (issue 13): content identity, skipping only what Chroma
holds, one owner per embedded data dir, crash recovery at start-up. Real Chroma, the real
model; each test names the failure it guards against."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import ingest.pipeline.plan as plan_module
from api.app import create_app
from api.cli import main
from api.errors import DataDirBusy
from api.services import Services
from api.state import app_state
from ingest.discover import doc_id_for
from tests.reliability import record
from tests.samples import Samples
from tests.serving import served

pytestmark = pytest.mark.slow
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
ARTICLE = "clutch-sidecar-articles/tesla-model-3.md"


@pytest.fixture
def built(make_settings: Any, embedder: Any) -> Iterator[Any]:
    """Services on fresh data dirs under tmp_path (embedded Chroma), closed at the end."""
    opened: list[Services] = []

    def build(**overrides: Any) -> Services:
        services = Services(make_settings(**overrides), embedder=embedder)
        opened.append(services)
        return services

    yield build
    for services in opened:
        services.close()


def _chunks(services: Services, doc_id: str) -> list[tuple[str, str, str]]:
    """(id, text, sha256 in metadata) of one document's chunks, by chunk index."""
    rows = [
        (i, text, str(meta.get("sha256")), int(meta["chunk_index"]))
        for i, text, meta in services.store.iter_chunks()
        if meta.get("doc_id") == doc_id
    ]
    return [(i, text, sha) for i, text, sha, _ in sorted(rows, key=lambda r: r[3])]


# --- 1. content identity ---------------------------------------------------------------------


def test_a_file_rewritten_between_hashing_and_parsing_is_stored_as_read_then_converges(
    built: Any, tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: a file truncated between the plan's hash and the parse was stored with the
    hash of the full file and the chunks of the truncated one; once the file was whole again
    every run skipped it (4 of 20 chunks kept for good)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / "tesla.md"
    path.write_text("# Model 3\n\nAn older page about the Model 3.\n")
    services = built()
    services.pipeline.run([folder])
    full = (corpus / ARTICLE).read_bytes()
    truncated = full[: len(full) // 5]
    path.write_bytes(full)

    real, fired = plan_module.sha256_of, []

    def hash_then_truncate(target: str | Path) -> str:
        digest = real(target)
        if not fired:  # the rewrite lands after the plan's hash, before the parse
            fired.append(True)
            path.write_bytes(truncated)
        return digest

    monkeypatch.setattr(plan_module, "sha256_of", hash_then_truncate)
    report = services.pipeline.run([folder])
    monkeypatch.undo()

    doc_id = doc_id_for(str(path.resolve()))
    row = services.ledger.get(doc_id)
    assert row is not None
    assert row.sha256 == hashlib.sha256(truncated).hexdigest()
    stored = _chunks(services, doc_id)
    assert {sha for _, _, sha in stored} == {row.sha256}
    assert report.changed == [str(path.resolve())]
    assert any(
        n.path == str(path.resolve()) and "changed during ingest" in n.reason for n in report.notes
    ), report.notes

    path.write_bytes(full)  # the bytes the plan hashed, again: must not be skipped
    again = services.pipeline.run([folder])
    assert again.skipped == 0 and again.updated > len(stored)
    clean = built(data_dir=tmp_path / "clean")
    clean_folder = tmp_path / "clean-docs"
    clean_folder.mkdir()
    shutil.copy(path, clean_folder / "tesla.md")
    clean.pipeline.run([clean_folder])
    expected = _chunks(clean, doc_id_for(str((clean_folder / "tesla.md").resolve())))
    got = _chunks(services, doc_id)
    assert [text for _, text, _ in got] == [text for _, text, _ in expected]
    assert {sha for _, _, sha in got} == {hashlib.sha256(full).hexdigest()}
    record(
        "integrity_content",
        {"held": True, "chunks stored from the truncated read": len(stored), "after": len(got)},
    )


# --- 2. skip only what the index holds -------------------------------------------------------


def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_lost_chroma_database_status_warns_then_ingest_restores_everything(
    samples: Samples, tmp_path: Path
) -> None:
    """Issue 13: after `chroma.sqlite3` was lost, `ingest` said "skipped" and restored
    nothing, and `status` showed 5 documents ok and 0 chunks without a warning."""
    data_dir = samples.copy(tmp_path / "index")
    code, out = _cli({"SPECRAG_DATA_DIR": str(samples.index)}, "status", "--json")
    before = json.loads(out)
    assert before["drift"]["ok"] and before["chunks"] > 5
    # Lost before this process opens the copy (Chroma keeps one client per path in-process).
    (data_dir / "chroma" / "chroma.sqlite3").unlink()
    env = {"SPECRAG_DATA_DIR": str(data_dir), "SPECRAG_WORKERS": "0"}

    code, out = _cli(env, "status", "--json")
    lost = json.loads(out)
    assert lost["chunks"] == 0 and not lost["drift"]["ok"]
    assert len(lost["drift"]["missing"]) == 5
    assert any("miss" in w and "repair" in w for w in lost["drift"]["warnings"])
    code, out = _cli(env, "status")
    assert "In step:    NO" in out and "5 document(s)" in out

    code, out = _cli(env, "ingest", "--json", str(SAMPLES))
    assert code == 0, out
    report = json.loads(out)
    assert report["files"]["skipped"] == 0 and report["files"]["ok"] == 5
    code, out = _cli(env, "status", "--json")
    after = json.loads(out)
    assert after["drift"]["ok"], after["drift"]
    assert after["chunks"] == before["chunks"] == after["drift"]["chunks"]["lexical"]
    code, out = _cli(env, "check", "--json", "--sample", "20")
    checked = json.loads(out)
    assert code == 0 and checked["ok"] and checked["probe"]["found"] == 20
    record(
        "integrity_lost_index",
        {"held": True, "documents missing": 5, "chunks restored": after["chunks"]},
    )


def test_repair_removes_orphans_and_restores_lost_chunks(
    built: Any, samples: Samples, tmp_path: Path
) -> None:
    """`check` names the drift (chunks Chroma lost, chunks no document owns) and `repair`
    puts both right, with the lexical index rebuilt to match."""
    data_dir = samples.copy(tmp_path / "index")
    services = built(data_dir=data_dir)
    total = services.store.count()
    victim = next(r for r in services.ledger.all() if r.source.endswith("lumen_e2.txt"))
    services.store.delete(victim.chunk_ids[:3])
    services.store.upsert(
        ids=["0123456789abcdef:0"],
        embeddings=np.ones((1, services.embedder.dimension), dtype=np.float32),
        documents=["a chunk of a document that was never committed"],
        metadatas=[{"doc_id": "0123456789abcdef", "source": "/gone.md", "ingested_at": 0.0}],
    )
    with TestClient(create_app(services.settings, services=services)) as client:
        # The start-up recovery removed the orphan already; lose chunks again after it.
        services.store.upsert(
            ids=["0123456789abcdef:1"],
            embeddings=np.ones((1, services.embedder.dimension), dtype=np.float32),
            documents=["another uncommitted chunk"],
            metadatas=[{"doc_id": "0123456789abcdef", "source": "/gone.md", "ingested_at": 0.0}],
        )
        checked = client.get("/v1/admin/check").json()
        assert not checked["ok"] and checked["orphans"] == 1
        assert checked["missing"] == [
            {"doc_id": victim.doc_id, "source": "lumen_e2.txt", "chunks": 3}
        ]
        repaired = client.post("/v1/admin/repair").json()
        assert repaired["orphans_removed"] == 1 and repaired["reingested"] == ["lumen_e2.txt"]
        assert repaired["after"]["ok"], repaired["after"]
        assert client.get("/v1/admin/check").json()["ok"]
    assert services.store.count() == total
    record("integrity_repair", {"held": True, "orphans removed": 1, "documents re-ingested": 1})


# --- 3. one owner per embedded data dir ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_second_server_and_cli_writes_on_a_served_data_dir_are_refused_saying_how(
    built: Any, tmp_path: Path
) -> None:
    """Issue 13: a CLI ingest into a served data dir was invisible to the server's vector
    side (and filtered queries on it answered 500); a second server failed the first one's
    running job."""
    services = built(roots=[SAMPLES])
    with TestClient(create_app(services.settings, services=services)):
        other = built(data_dir=services.settings.data_dir)
        with pytest.raises(DataDirBusy, match="is served by pid"):
            with TestClient(create_app(other.settings, services=other)):
                pass
        env = {"SPECRAG_DATA_DIR": str(services.settings.data_dir), "SPECRAG_WORKERS": "0"}
        code, out = _cli(env, "ingest", str(SAMPLES))
        assert code == 1 and "is served by pid" in out and "POST /v1/ingest" in out, out
        code, out = _cli(env, "serve", "--port", "1")
        assert code == 1 and "is served by pid" in out
    assert services.ledger.all() == []  # nothing was written behind the server's back
    code, out = _cli(env, "ingest", "--json", str(SAMPLES))  # the server is gone: allowed
    assert code == 0 and json.loads(out)["files"]["ok"] == 5
    record("integrity_owner", {"held": True, "refused": "second server, CLI ingest, CLI serve"})


def test_a_cli_ingest_on_a_served_data_dir_is_handed_to_the_server(
    built: Any, tmp_path: Path
) -> None:
    """The CLI finds the server's address in the owner lock and runs the ingest as its job:
    the server's own vector search then finds the new documents, filters included."""
    services = built(roots=[SAMPLES])
    port = _free_port()
    app = create_app(services.settings, services=services, address=f"http://127.0.0.1:{port}")
    with served(app, port=port) as url:
        env = {"SPECRAG_DATA_DIR": str(services.settings.data_dir), "SPECRAG_WORKERS": "0"}
        code, out = _cli(env, "ingest", "--json", str(SAMPLES))
        assert code == 0, out
        assert "handing the ingest to it" in out
        import httpx

        doc_id = doc_id_for(str((SAMPLES / "lumen_e2.txt").resolve()))
        hits = httpx.post(
            f"{url}/v1/query",
            json={
                "query": "Lumen E2 battery",
                "k": 3,
                "mode": "vector",
                "filters": {"doc_id": doc_id},
            },
        )
        assert hits.status_code == 200 and len(hits.json()["results"]) == 3
        code, out = _cli(env, "delete", str(SAMPLES / "lumen_e2.txt"))
        assert code == 0 and "by the server" in out
        app_state(app).jobs.wait_idle(60)
    assert services.ledger.get(doc_id) is None
    record("integrity_handover", {"held": True, "filtered vector hits on the server": 3})


# --- 4. crash recovery at start-up -----------------------------------------------------------


def test_uncommitted_chunks_are_removed_at_start_and_delete_works_without_a_ledger_row(
    built: Any, samples: Samples, tmp_path: Path
) -> None:
    """Issue 13: chunks of a half-written document (no ledger row) were returned by search,
    not listed by /v1/documents, and DELETE answered 404."""
    data_dir = samples.copy(tmp_path / "index")
    services = built(data_dir=data_dir)
    dimension = services.embedder.dimension
    vector = services.embedder.embed_query("Lumen E2 battery capacity")
    half = "fedcba9876543210"

    def write_half(n: int) -> None:
        services.store.upsert(
            ids=[f"{half}:{i}" for i in range(n)],
            embeddings=np.tile(vector, (n, 1)).reshape(n, dimension).astype(np.float32),
            documents=[f"half-written chunk {i}" for i in range(n)],
            metadatas=[{"doc_id": half, "source": "/half.md", "ingested_at": 0.0}] * n,
        )

    write_half(4)
    with TestClient(create_app(services.settings, services=services)) as client:
        assert not services.store.ids_for(half)  # removed before the first request
        found = client.post("/v1/query", json={"query": "Lumen E2 battery capacity", "k": 10})
        assert all(r["citation"]["doc_id"] != half for r in found.json()["results"])
        write_half(2)  # as if another writer left them after start-up
        gone = client.delete(f"/v1/documents/{half}")
        assert gone.status_code == 200, gone.text
        assert gone.json() == {"doc_id": half, "source": "half.md", "chunks_deleted": 2}
        assert client.delete(f"/v1/documents/{half}").status_code == 404
    record("integrity_startup", {"held": True, "removed at start": 4, "deleted by id": 2})


def test_with_a_chroma_server_many_processes_share_a_data_dir(
    built: Any, chroma_server: str
) -> None:
    """`SPECRAG_CHROMA_URL`: no owner lock; two servers and a CLI ingest share the data dir,
    and each server's vector side reads what the other wrote (from the Chroma server)."""
    collection = f"t{doc_id_for(chroma_server)}"
    one = built(chroma_url=chroma_server, collection=collection, roots=[SAMPLES])
    two = built(chroma_url=chroma_server, collection=collection, roots=[SAMPLES])
    with (
        TestClient(create_app(one.settings, services=one)) as first,
        TestClient(create_app(two.settings, services=two)) as second,
    ):
        env = {
            "SPECRAG_DATA_DIR": str(one.settings.data_dir),
            "SPECRAG_CHROMA_URL": chroma_server,
            "SPECRAG_COLLECTION": collection,
            "SPECRAG_WORKERS": "0",
        }
        code, out = _cli(env, "ingest", "--json", str(SAMPLES / "lumen_e2.txt"))
        assert code == 0 and json.loads(out)["files"]["ok"] == 1, out
        doc_id = doc_id_for(str((SAMPLES / "lumen_e2.txt").resolve()))
        for client in (first, second):
            hits = client.post(
                "/v1/query",
                json={"query": "Lumen E2", "k": 2, "mode": "vector", "filters": {"doc_id": doc_id}},
            )
            assert hits.status_code == 200 and len(hits.json()["results"]) == 2, hits.text
