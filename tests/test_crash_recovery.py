"""An ingest killed with SIGKILL part way, then run again, builds the same index as a clean run."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.services import Services

pytestmark = pytest.mark.slow

FILES = (
    "itversity-toyota-specs/Toyota_Camry_Specifications.pdf",
    "itversity-toyota-specs/Toyota_Corolla_Specifications.pdf",
    "clutch-sidecar-articles/tesla-model-3.md",
    "clutch-sidecar-articles/toyota-rav4.md",
    "clutch-sidecar-articles/hyundai-ioniq-5.md",
    "drivewise-metadata-rag/hyundai_creta.txt",
    "kei-docs-subaru-sambar/diagnostics.md",
    "rsshub-cn-auto-news/cn02_nissan_xtrail_2021.md",
)


def _ingest_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "api.cli", "ingest", "--json", str(folder)]


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Small batches, written to Chroma one at a time: many commits to kill the run between.
    env.update(
        SPECRAG_DATA_DIR=str(data_dir),
        SPECRAG_EMBED_BATCH_SIZE="8",
        SPECRAG_STORE_BATCH="8",
        SPECRAG_WORKERS="1",
    )
    return env


def _ledger_rows(data_dir: Path) -> int:
    path = data_dir / "specrag.ledger.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2) as db:
            return int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def _snapshot(services: Services) -> tuple[dict[str, str], list[tuple[str, str, list[str]]]]:
    chunks = {chunk_id: text for chunk_id, text, _ in services.store.iter_chunks()}
    ledger = [(r.doc_id, r.sha256, r.chunk_ids) for r in services.ledger.all() if r.status == "ok"]
    return chunks, ledger


@pytest.fixture
def folder(tmp_path: Path, corpus: Path) -> Path:
    target = tmp_path / "docs"
    target.mkdir()
    for name in FILES:
        shutil.copy(corpus / name, target / Path(name).name)
    return target


def test_sigkill_mid_ingest_then_rerun_equals_clean_run(
    folder: Path, tmp_path: Path, make_settings, embedder
) -> None:
    clean = Services(make_settings(data_dir=tmp_path / "clean"))
    clean.__dict__["embedder"] = embedder
    clean.pipeline.run([folder])
    expected = _snapshot(clean)
    clean.close()
    assert len(expected[0]) > 40

    rng = random.Random(20261126)
    for attempt in range(2):
        data_dir = tmp_path / f"killed{attempt}"
        process = subprocess.Popen(
            _ingest_command(folder),
            env=_env(data_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait until the run has committed some files but not all, then kill it at a random
        # instant a little later: mid-batch, mid-upsert or mid-ledger-write.
        deadline = time.monotonic() + 180
        while _ledger_rows(data_dir) < 1 + attempt and process.poll() is None:
            assert time.monotonic() < deadline, "ingest made no progress"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.5))
        killed_mid_run = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert killed_mid_run, "the run finished before it could be killed"
        assert _ledger_rows(data_dir) < len(FILES)

        rerun = subprocess.run(
            _ingest_command(folder), env=_env(data_dir), capture_output=True, text=True
        )
        assert rerun.returncode == 0, rerun.stderr[-2000:]

        recovered = Services(make_settings(data_dir=data_dir))
        assert _snapshot(recovered) == expected
        recovered.close()
