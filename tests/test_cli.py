"""The `specrag` command line, through click's CliRunner, on the real sample corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main

pytestmark = pytest.mark.slow
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Parsing in-process: a parse pool costs a second per ingest (test_pipeline.py and the
    crash tests cover the pool)."""
    return {"SPECRAG_DATA_DIR": str(tmp_path / "index"), "SPECRAG_WORKERS": "0"}


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLES, tmp_path / "samples"))


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Exit code and stdout (stderr carries logs and progress)."""
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_ingest_json_report_then_noop_then_dry_run(env: dict[str, str], samples: Path) -> None:
    code, out = _run(env, "ingest", "--json", str(samples))
    assert code == 0, out
    report = json.loads(out)
    assert report["files"] == {"ok": 5, "skipped": 0, "failed": 0}
    assert report["chunks"]["embedded"] == report["chunks"]["added"] > 5
    assert report["errors"] == [] and report["seconds"] > 0

    code, out = _run(env, "ingest", "--json", str(samples))
    again = json.loads(out)
    assert again["files"]["skipped"] == 5 and again["chunks"]["embedded"] == 0

    (samples / "lumen_e2.txt").unlink()
    (samples / "new.md").write_text("# Lumen E3\n\nThe E3 has a 60 kWh battery.\n")
    code, out = _run(env, "ingest", "--dry-run", "--prune", str(samples))
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("add") and line.endswith("new.md") for line in lines)
    assert any(line.startswith("delete") and line.endswith("lumen_e2.txt") for line in lines)
    assert lines[-1] == "1 add, 0 update, 1 delete, 4 skip"
    code, out = _run(env, "status", "--json")
    assert json.loads(out)["documents"] == {"ok": 5}  # the dry run changed nothing


def test_failed_file_sets_exit_code_and_is_named(env: dict[str, str], samples: Path) -> None:
    (samples / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    code, out = _run(env, "ingest", str(samples))
    assert code == 1
    assert "5 ok" in out and "1 failed" in out
    assert f"FAILED {samples / 'broken.pdf'}:" in out
    code, out = _run(env, "status", "--json")
    status = json.loads(out)
    assert status["failed"][0]["path"].endswith("broken.pdf") and status["chunks"] > 5


def test_status_reads_as_a_summary_and_names_drift_in_words(
    env: dict[str, str], samples: Path, embedder: object
) -> None:
    """Regression (issue 17): `specrag status` printed Python reprs (`documents: {'ok': 5}`)
    and no word on whether the stores agree."""
    from api.services import Services
    from api.settings import Settings

    (samples / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    _run(env, "ingest", str(samples))
    code, out = _run(env, "status")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == f"Data dir:   {env['SPECRAG_DATA_DIR']}"
    assert lines[2] == "Documents:  5 indexed, 1 failed"
    chunks = json.loads(_run(env, "status", "--json")[1])["chunks"]
    assert lines[3] == (
        f"Chunks:     {chunks} in Chroma, {chunks} listed by the ledger, "
        f"{chunks} in the lexical index"
    )
    assert lines[4] == "In step:    yes, the ledger, Chroma and the lexical index agree"
    assert lines[5] == "Failed documents (1):" and len(lines) == 7
    assert lines[6].startswith(f"  {samples / 'broken.pdf'}: ") and len(lines[6]) > 40
    assert not any(mark in out for mark in ("{'", "':", "None", "[]"))

    # Chroma loses a document's chunks: the ledger and the lexical index no longer agree
    services = Services(Settings(data_dir=Path(env["SPECRAG_DATA_DIR"])), embedder=embedder)
    lumen = next(r for r in services.ledger.all() if r.source.endswith("lumen_e2.txt"))
    services.store.delete_document(lumen.doc_id)
    services.close()
    code, out = _run(env, "status")
    lost = len(lumen.chunk_ids)
    assert f"Chunks:     {chunks - lost} in Chroma, {chunks} listed by the ledger" in out
    assert "In step:    NO" in out
    assert f"1 document(s) of the ledger miss {lost} chunk(s) in Chroma" in out
    assert f"    {lumen.source}: {lost} chunk(s) missing" in out
    assert f"the lexical index holds {chunks} chunk(s), Chroma {chunks - lost}" in out


def test_query_prints_cited_hits_and_delete_removes_a_document(
    env: dict[str, str], samples: Path
) -> None:
    _run(env, "ingest", str(samples))
    code, out = _run(env, "query", "--json", "-k", "3", "Lumen E2 battery capacity and WLTP range")
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 3
    assert hits[0]["source"].endswith("lumen_e2.txt")
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]
    assert "kWh" in " ".join(h["text"] for h in hits)

    code, out = _run(env, "query", "Meridian S brochure")
    assert code == 0 and out.startswith("1. [") and "meridian" in out.lower()

    code, out = _run(env, "delete", str(samples / "lumen_e2.txt"))
    assert code == 0 and "deleted" in out
    code, out = _run(env, "query", "--json", "-k", "5", "Lumen E2 battery capacity")
    assert all(not h["source"].endswith("lumen_e2.txt") for h in json.loads(out))
    code, out = _run(env, "delete", "no-such-document")
    assert code == 1 and "no indexed document matches" in out


def test_bad_settings_and_empty_query_are_usage_errors(env: dict[str, str]) -> None:
    code, out = _run({**env, "SPECRAG_CHUNK_TOKENS": "10"}, "status")
    assert code == 2 and "SPECRAG_" in out and "chunk_tokens" in out
    code, out = _run(env, "query", "   ")
    assert code == 2 and "empty" in out


def test_the_cli_starts_without_the_llm_clients() -> None:
    """`specrag ingest`, `query` and `status` never talk to a model: importing the CLI must not
    load the openai client or transformers (about 0.7 s and 2 s of every command's start)."""
    import subprocess
    import sys

    probe = (
        "import sys, api.cli; "
        "print(sorted(m for m in ('openai', 'transformers', 'torch') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
