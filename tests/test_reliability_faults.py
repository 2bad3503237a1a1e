"""Derived indexes verified, and resource faults as named errors (issue 13, points 6 and 7).

Real parts throughout: the session's sample index copied per test, the real app and CLI, a
real tmpfs for the full disk (mounting one needs root; the disk tests skip without it).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import DISK_FULL_EXIT, main
from api.services import Services
from generation.callbacks import build_callbacks
from generation.usage import UsageLedger
from ingest.lexical.format import CURRENT, read_current, verify
from ingest.segments import check_vector_segments
from ingest.store import ChromaStore
from retrieval.lexical import LexicalReader
from tests.reliability import record
from tests.samples import Samples
from tests.serving import wait_until

pytestmark = pytest.mark.slow
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
REPAIR_SECONDS = 120.0


@pytest.fixture
def data_dir(samples: Samples, tmp_path: Path) -> Path:
    return samples.copy(tmp_path / "index")


@pytest.fixture
def started(make_settings: Any, embedder: Any) -> Iterator[Any]:
    """Start the real app on a data dir; closed at the end."""
    opened: list[tuple[TestClient, Services]] = []

    def start(data_dir: Path, **overrides: Any) -> TestClient:
        services = Services(make_settings(data_dir=data_dir, **overrides), embedder=embedder)
        client = TestClient(create_app(services.settings, services=services))
        client.__enter__()
        opened.append((client, services))
        return client

    yield start
    for client, services in reversed(opened):
        client.__exit__(None, None, None)
        services.close()


def _held(kind: str, scenario: str, seen: str) -> None:
    """Record, for RELIABILITY.md, a scenario whose every assertion passed."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{kind} {scenario}".lower()).strip("-")
    record(f"fault-{slug}", {"class": kind, "scenario": scenario, "seen": seen})


def _live_folder(lexical: Path) -> Path:
    current = read_current(lexical)
    assert current is not None
    return lexical / current[0]


def _chroma_texts(data_dir: Path, embedder: Any, ids: list[str]) -> dict[str, str]:
    store = ChromaStore(collection="specrag", model_name=embedder.name, path=data_dir / "chroma")
    return {hit.id: hit.text for hit in store.get(ids)}


# --- point 6: the lexical index is checked before anything is read from it ---------------------


def test_an_edited_texts_bin_never_reaches_a_passage_and_is_rebuilt(
    data_dir: Path, started: Any, embedder: Any
) -> None:
    """Regression: an edited lexical texts.bin changed passage text and citations (140 → 410
    hp) in every mode, with exit 0; now the index fails its checksum, hybrid answers from
    vectors (the trace says so), /readyz says degraded, and the index is rebuilt."""
    lexical = data_dir / "specrag.lexical"
    texts = _live_folder(lexical) / "texts.bin"
    blob = texts.read_bytes()
    assert b"85 kW" in blob
    texts.write_bytes(blob.replace(b"85 kW", b"58 kW"))  # same size: only a checksum sees it
    client = started(data_dir)  # start-up recovery rebuilds it before the first request
    assert client.get("/readyz").json()["status"] == "ready"
    assert verify(lexical) is None
    body = {"query": "Lumen E2 motor power kW", "k": 5}
    assert not any(
        "58 kW" in r["text"] for r in client.post("/v1/query", json=body).json()["results"]
    )
    # A generation damaged on disk goes live while serving: the reader checks it as it loads.
    live = read_current(lexical)
    assert live is not None
    damaged = Path(shutil.copytree(lexical / live[0], lexical / "gen-900000"))
    blob = (damaged / "texts.bin").read_bytes()
    (damaged / "texts.bin").write_bytes(blob.replace(b"85 kW", b"58 kW"))
    # Hold the rebuild lock so that the repair waits: the degraded state is observable.
    with open(lexical / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        (lexical / ".again").write_text(f"gen-900000 {live[1]}\n")
        os.replace(lexical / ".again", lexical / CURRENT)
        answer = client.post("/v1/query", json=body)
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        trace = answer.json()["trace"][0]["data"]
        assert trace["mode_used"] == "vector" and "texts.bin" in trace["degraded"]
        assert results and all(r["scores"]["lexical"] is None for r in results)
        truth = _chroma_texts(data_dir, embedder, [r["chunk_id"] for r in results])
        assert {r["chunk_id"]: r["text"] for r in results} == truth
        assert not any("58 kW" in r["text"] for r in results)
        assert any("85 kW" in r["text"] for r in results)
        ready = client.get("/readyz").json()
        assert ready["status"] == "degraded"
        (part,) = ready["degraded"]
        assert part["store"] == "lexical index" and "texts.bin" in part["problem"]
        assert "rebuilt from Chroma" in part["action"] and "specrag ingest" in part["action"]
        lexical_only = client.post("/v1/query", json={**body, "mode": "lexical"})
        assert lexical_only.status_code == 503 and "rebuilt" in lexical_only.text
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert wait_until(
        lambda: client.get("/readyz").json()["status"] == "ready", seconds=REPAIR_SECONDS
    )
    again = client.post("/v1/query", json=body).json()
    assert again["trace"][0]["data"]["mode_used"] == "hybrid"
    assert any(r["scores"]["lexical"] is not None for r in again["results"])
    assert not any("58 kW" in r["text"] for r in again["results"])
    assert verify(lexical) is None
    _held(
        "derived index",
        "texts.bin edited (85 kW → 58 kW)",
        "hybrid answers from vectors with Chroma's text, trace says degraded, /readyz degraded, "
        "lexical mode 503; rebuilt from Chroma, then hybrid again",
    )


def test_a_garbled_current_degrades_hybrid_and_ingest_repairs_it_with_nothing_changed(
    data_dir: Path,
) -> None:
    """Regression: a broken CURRENT made every hybrid query fail, and `specrag ingest` (no file
    changed) did not repair it."""
    lexical = data_dir / "specrag.lexical"
    (lexical / CURRENT).write_bytes(b"\x00garbage")
    assert "does not name a generation" in (verify(lexical) or "")
    env = {"SPECRAG_DATA_DIR": str(data_dir), "SPECRAG_WORKERS": "0"}
    runner = CliRunner()
    hybrid = runner.invoke(main, ["query", "Lumen E2 battery", "--json"], env=env)
    assert hybrid.exit_code == 0, hybrid.output
    assert "answered from vectors only" in hybrid.stderr and '"id"' in hybrid.stdout
    (lexical / CURRENT).write_bytes(b"\x00garbage")  # the query's repair fixed it: break it again
    ingest = runner.invoke(main, ["ingest", str(SAMPLES), "--json"], env=env)
    assert ingest.exit_code == 0, ingest.output
    assert '"skipped": 5' in ingest.stdout  # nothing changed, and yet:
    assert verify(lexical) is None
    reader = LexicalReader(lexical)
    assert reader.problem is None and reader.count > 0
    _held(
        "derived index",
        "CURRENT garbled",
        "hybrid query exit 0 with a warning; `specrag ingest` with nothing changed rebuilds it",
    )


def test_a_damaged_token_cache_is_set_aside_and_the_rebuild_goes_on(data_dir: Path) -> None:
    """The token cache is only a cache: garbage in it must not stop every rebuild (and so
    every repair) of the lexical index."""
    lexical = data_dir / "specrag.lexical"
    (lexical / "tokens.sqlite3").write_bytes(os.urandom(8192))
    (lexical / CURRENT).write_bytes(b"garbage")
    env = {"SPECRAG_DATA_DIR": str(data_dir), "SPECRAG_WORKERS": "0"}
    ingest = CliRunner().invoke(main, ["ingest", str(SAMPLES)], env=env)
    assert ingest.exit_code == 0, ingest.output
    assert verify(lexical) is None and LexicalReader(lexical).count > 0
    assert list(lexical.glob("tokens.corrupt-*.sqlite3"))
    _held("derived index", "token cache garbled", "set aside; the rebuild tokenizes afresh")


@pytest.mark.parametrize(
    "damage",
    ["truncate_bm25", "edit_manifest_values", "remove_ids", "point_at_missing_generation"],
)
def test_every_kind_of_damage_is_named_before_anything_is_read(data_dir: Path, damage: str) -> None:
    lexical = data_dir / "specrag.lexical"
    folder = _live_folder(lexical)
    assert verify(lexical) is None
    if damage == "truncate_bm25":
        target = next(p for p in sorted((folder / "bm25").iterdir()) if p.stat().st_size > 8)
        target.write_bytes(target.read_bytes()[:-4])
    elif damage == "edit_manifest_values":  # the citations' strings live in the manifest
        manifest = folder / "manifest.json"
        manifest.write_text(manifest.read_text().replace("Lumen", "Lunen"))
    elif damage == "remove_ids":
        (folder / "ids.json").unlink()
    else:
        (lexical / CURRENT).write_text("gen-999999 " + "0" * 32 + "\n")
    problem = verify(lexical)
    assert problem is not None
    reader = LexicalReader(lexical, dirty_marker=data_dir / "absent.dirty")
    assert reader.problem is not None
    assert reader.passages([f"{'x' * 3}:0"]) == {}
    _held("derived index", f"damage: {damage}", problem[:120])


# --- point 7: resource faults ------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 48 MB tmpfs: real ENOSPC from the kernel. Mounting needs root (CAP_SYS_ADMIN)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, *, leave: int) -> None:
    """Take the disk's free space down to `leave` bytes with one real file."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "ab") as out:
        os.posix_fallocate(out.fileno(), 0, max(0, free - leave))


def test_ingest_on_a_full_disk_exits_with_the_data_dir_named_and_the_index_stays_readable(
    samples: Samples, small_disk: Path, tmp_path: Path
) -> None:
    """Regression: a full disk gave a raw Chroma traceback ("Error in compaction: Failed to
    apply logs…") and left the index unreadable until space was freed."""
    data_dir = samples.copy(small_disk / "index")
    new = tmp_path / "new"
    new.mkdir()
    (new / "venue.md").write_text("# Venue\n\n" + "The Venue boot holds 350 litres. " * 400)
    _fill(small_disk, leave=1 << 20)
    env = {"SPECRAG_DATA_DIR": str(data_dir), "SPECRAG_WORKERS": "0"}
    runner = CliRunner()
    ingest = runner.invoke(main, ["ingest", str(new)], env=env)
    assert ingest.exit_code == DISK_FULL_EXIT, ingest.output
    assert str(data_dir) in ingest.stderr and "no space left" in ingest.stderr
    status = runner.invoke(main, ["status", "--json"], env=env)
    assert status.exit_code == 0, status.output
    query = runner.invoke(main, ["query", "Lumen E2 battery", "--json"], env=env)
    assert query.exit_code == 0 and "lumen_e2.txt" in query.stdout, query.output
    (small_disk / "filler").unlink()  # with room again, the same command goes through
    assert runner.invoke(main, ["ingest", str(new)], env=env).exit_code == 0
    _held(
        "disk full",
        "CLI ingest with 1 MB free",
        f"exit {DISK_FULL_EXIT}, the data dir named; status and query work; ingest passes "
        "once room is made",
    )


def test_the_server_starts_on_a_full_disk_names_it_and_recovers_when_room_is_made(
    samples: Samples, small_disk: Path, started: Any
) -> None:
    """Regression: with the disk full the server would not start (a raw Chroma error)."""
    data_dir = samples.copy(small_disk / "index")
    _fill(small_disk, leave=0)
    client = started(data_dir)  # Chroma and the ledger cannot open: it starts without them
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503, ready.text
    chroma = ready.json()["error"]["detail"]["checks"]["chroma"]["error"]
    # named for the client as "<data dir>" (the log has the path): no server path in responses
    assert "no space left" in chroma and "<data dir>" in chroma and str(data_dir) not in chroma
    upload = client.post("/v1/documents", files={"files": ("a.txt", b"hello there")})
    assert upload.status_code == 507, upload.text
    assert upload.json()["error"]["type"] == "insufficient_storage"
    assert "<data dir>" in upload.json()["error"]["message"]
    (small_disk / "filler").unlink()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "degraded", ready.text
    assert {d["store"] for d in ready.json()["degraded"]} >= {"ledger"}
    answer = client.post("/v1/query", json={"query": "Lumen E2 battery", "k": 3})
    assert answer.status_code == 200 and answer.json()["results"], answer.text
    _held(
        "disk full",
        "server start with 0 bytes free",
        "starts; /readyz 503 naming the full data dir; upload 507; degraded and searching once "
        "room is made",
    )


def test_upload_hitting_enospc_mid_write_is_507(
    samples: Samples, small_disk: Path, started: Any
) -> None:
    data_dir = samples.copy(small_disk / "index")
    client = started(data_dir)
    _fill(small_disk, leave=100_000)  # the job store is open; the 300 KB file cannot fit
    upload = client.post("/v1/documents", files={"files": ("big.txt", b"y" * 300_000)})
    assert upload.status_code == 507, upload.text
    assert "<data dir>" in upload.json()["error"]["message"]
    assert not [p for p in (data_dir / "uploads").iterdir() if p.name.startswith(".upload-")]
    assert client.post("/v1/query", json={"query": "Aurora X5", "k": 2}).status_code == 200
    _held("disk full", "upload hits ENOSPC mid-write", "507 naming the data dir, no partial file")


def test_corrupt_side_databases_are_named_and_the_server_still_starts(
    data_dir: Path, started: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: a corrupt jobs database stopped the server; a corrupt usage database
    stopped billing in silence."""
    for store in ("jobs", "sessions", "usage"):
        (data_dir / f"specrag.{store}.sqlite3").write_bytes(os.urandom(8192))
    client = started(data_dir)
    ready = client.get("/readyz").json()
    assert ready["status"] == "degraded"
    named = {d["store"]: d for d in ready["degraded"]}
    assert set(named) == {"jobs", "sessions", "usage"}
    for store, part in named.items():
        assert part["path"].endswith(f"specrag.{store}.sqlite3")
        assert "not a database" in part["problem"] and "move the file aside" in part["action"]
    upload = client.post("/v1/documents", files={"files": ("a.txt", b"hello there")})
    assert upload.status_code == 503 and "jobs store" in upload.json()["error"]["message"]
    usage = client.get("/v1/usage")
    assert usage.status_code == 503 and "usage store" in usage.json()["error"]["message"]
    chat = client.post("/v1/chat", json={"message": "boot space of the Aurora X5?"})
    assert chat.status_code == 503 and "sessions store" in chat.json()["error"]["message"]
    assert client.post("/v1/query", json={"query": "Aurora X5", "k": 2}).status_code == 200
    _held(
        "corrupt side database",
        "jobs, sessions and usage overwritten with random bytes",
        "server starts; /readyz degraded naming each store and what to do; their routes 503",
    )


def test_a_billing_failure_is_an_error_and_counted(tmp_path: Path, caplog: Any) -> None:
    """Regression: usage the ledger could not record vanished without a word."""
    location = tmp_path / "usage.sqlite3"
    ledger = UsageLedger(location)
    failures: list[int] = []
    callbacks = build_callbacks(
        ["ledger"], ledger=ledger, on_ledger_failure=lambda: failures.append(1)
    )
    payload = {"model": "m", "prompt_tokens": 10, "completion_tokens": 5, "cost": 0.01}
    callbacks.emit("llm.end", **payload)
    assert [row["calls"] for row in ledger.summary()] == [1]
    ledger.close()
    for name in ("usage.sqlite3", "usage.sqlite3-wal", "usage.sqlite3-shm"):
        path = tmp_path / name
        if path.exists():
            path.write_bytes(os.urandom(path.stat().st_size or 4096))
    with caplog.at_level(logging.ERROR, logger="generation.callbacks"):
        callbacks.emit("llm.end", **payload)
    assert failures == [1]
    assert any("usage NOT recorded" in r.getMessage() for r in caplog.records)
    unopened = build_callbacks(["ledger"], on_ledger_failure=lambda: failures.append(1))
    unopened.emit("llm.end", **payload)
    assert failures == [1, 1]
    _held("corrupt side database", "usage ledger fails mid-run", "error logged, call counted")


# --- point 7: a damaged HNSW segment never crashes a command ----------------------------------


@pytest.fixture
def hnsw_index(tmp_path: Path, embedder: Any) -> Path:
    """A data dir whose Chroma has persisted an HNSW segment (it does past 1,000 vectors)."""
    import numpy as np

    data_dir = tmp_path / "hnsw"
    store = ChromaStore(collection="specrag", model_name=embedder.name, path=data_dir / "chroma")
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(1500, embedder.dimension)).astype(np.float32)
    ids = [f"doc:{i}" for i in range(len(vectors))]
    store.upsert(ids, vectors, [f"text {i}" for i in ids], [{"doc_id": "doc"}] * len(ids))
    del store
    return data_dir


def _segment(data_dir: Path) -> Path:
    (segment,) = [p for p in (data_dir / "chroma").iterdir() if p.is_dir()]
    return segment


def _status(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPECRAG_DATA_DIR": str(data_dir), "SPECRAG_WORKERS": "0"}
    command = [sys.executable, "-m", "api.cli", "status"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("damage", ["neighbours", "header", "link_lists", "pickle"])
def test_a_garbled_hnsw_segment_is_named_never_a_segfault(hnsw_index: Path, damage: str) -> None:
    """Regression: garbage in an HNSW file segfaulted `query`, `status` and `serve`."""
    segment = _segment(hnsw_index)
    assert check_vector_segments(hnsw_index / "chroma") == []
    header = (segment / "header.bin").read_bytes()
    count, per_element = struct.unpack_from("<QQ", header, 20)
    assert count > 0
    if damage == "neighbours":
        level0 = bytearray((segment / "data_level0.bin").read_bytes())
        for row in range(count):
            level0[row * per_element + 4 : row * per_element + 36] = os.urandom(32)
        (segment / "data_level0.bin").write_bytes(bytes(level0))
    elif damage == "header":
        (segment / "header.bin").write_bytes(header[:20] + os.urandom(80))
    elif damage == "link_lists":
        (segment / "link_lists.bin").write_bytes(os.urandom(4096))
    else:  # Chroma's id maps: garbage there was a traceback from deep inside Chroma
        assert (segment / "index_metadata.pickle").is_file()
        (segment / "index_metadata.pickle").write_bytes(b"!" + os.urandom(4095))
    problems = check_vector_segments(hnsw_index / "chroma")
    assert problems and problems[0].segment == segment
    done = _status(hnsw_index)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "vector index is damaged" in done.stderr and "specrag ingest" in done.stderr
    env = {"SPECRAG_DATA_DIR": str(hnsw_index), "SPECRAG_WORKERS": "0"}
    check = CliRunner().invoke(main, ["check"], env=env)  # detected before Chroma opens
    assert check.exit_code == 1 and "vector index is damaged" in check.output, check.output
    seen = "`specrag status` and `specrag check` exit 1 naming the file, no segfault"
    _held("HNSW segment", f"garbled {damage}", seen)


def test_the_server_starts_on_a_damaged_hnsw_segment_and_names_it(
    hnsw_index: Path, started: Any
) -> None:
    segment = _segment(hnsw_index)
    (segment / "link_lists.bin").write_bytes(os.urandom(4096))
    client = started(hnsw_index)  # before: a segfault here
    ready = client.get("/readyz")
    assert ready.status_code == 503, ready.text
    error = ready.json()["error"]["detail"]["checks"]["chroma"]["error"]
    assert "vector index is damaged" in error and "link_lists.bin" in error
    _held(
        "HNSW segment", "server start on a garbled link_lists.bin", "starts; /readyz 503 naming it"
    )
