"""Ignore rules (issue 17): SPECRAG_EXCLUDE globs and `.specragignore` files leave files out of
discovery, hence out of CLI ingest, `/v1/ingest` and `--prune` (which removes a file excluded
after it was indexed). Real files, real model, real Chroma."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from api.services import Services
from ingest.discover import discover

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
INVENTORY = "# Sources\n\n- aurora_x5.md: from the maker, 2025\n- lumen_e2.txt: press kit\n"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Two documents, an inventory of them, drafts, and a subfolder with its own rules."""
    folder = tmp_path / "library"
    (folder / "drafts").mkdir(parents=True)
    (folder / "sub").mkdir()
    shutil.copy(SAMPLES / "aurora_x5.md", folder / "aurora_x5.md")
    shutil.copy(SAMPLES / "lumen_e2.txt", folder / "sub" / "lumen_e2.txt")
    (folder / "SOURCES.md").write_text(INVENTORY)
    (folder / "drafts" / "idea.md").write_text("# Idea\n\nA draft.\n")
    (folder / "sub" / "SOURCES.md").write_text(INVENTORY)
    (folder / "sub" / "notes.csv").write_text("a,b\n1,2\n")
    (folder / "sub" / "keep.csv").write_text("make,model\nAurora,X5\n")
    return folder


def _names(paths: list[str], folder: Path) -> set[str]:
    return {Path(p).relative_to(folder).as_posix() for p in paths}


def test_exclude_globs_and_ignore_files_with_the_deeper_rule_winning(library: Path) -> None:
    (library / ".specragignore").write_text("# the inventory and the drafts\nSOURCES.md\ndrafts/\n")
    (library / "sub" / ".specragignore").write_text("*.csv\n!keep.csv\n!SOURCES.md\n")
    found = discover([library], roots=[], max_file_bytes=2**20)
    files = _names([f.path for f in found.files], library)
    assert files == {"aurora_x5.md", "sub/lumen_e2.txt", "sub/keep.csv", "sub/SOURCES.md"}
    reasons = {Path(e.path).relative_to(library).as_posix(): e.reason for e in found.excluded}
    assert reasons == {
        "SOURCES.md": "excluded by .specragignore: SOURCES.md",
        "drafts": "excluded by .specragignore: drafts/",
        "sub/notes.csv": "excluded by .specragignore: *.csv",
    }
    # SPECRAG_EXCLUDE's globs are relative to the folder given; a folder's file overrides them
    (library / ".specragignore").unlink()
    found = discover([library], roots=[], max_file_bytes=2**20, exclude=["SOURCES.md", "*.txt"])
    files = _names([f.path for f in found.files], library)
    assert files == {"aurora_x5.md", "drafts/idea.md", "sub/keep.csv", "sub/SOURCES.md"}
    assert {e.reason for e in found.excluded} == {
        "excluded by SPECRAG_EXCLUDE: SOURCES.md",
        "excluded by SPECRAG_EXCLUDE: *.txt",
        "excluded by .specragignore: *.csv",
    }
    # a file given by name obeys the rules of its folder too
    alone = discover([library / "SOURCES.md"], roots=[], max_file_bytes=2**20, exclude=["*.md"])
    assert alone.files == [] and alone.excluded[0].reason == "excluded by SPECRAG_EXCLUDE: *.md"


def _run(env: dict[str, str], *args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout) if result.exit_code == 0 else result.output


@pytest.mark.slow
def test_cli_keeps_an_excluded_file_until_prune_removes_it(tmp_path: Path, library: Path) -> None:
    """An inventory indexed before it was excluded is named at each run (not silently kept)
    and removed, chunks and all, by --prune."""
    shutil.rmtree(library / "drafts")
    env = {"SPECRAG_DATA_DIR": str(tmp_path / "index"), "SPECRAG_WORKERS": "0"}
    code, report = _run(env, "ingest", "--json", str(library))
    assert code == 0 and report["files"]["ok"] == 6, report
    env["SPECRAG_EXCLUDE"] = "SOURCES.md, *.csv"
    code, report = _run(env, "ingest", "--json", str(library))
    notes = {
        Path(n["path"]).relative_to(library).as_posix(): n["reason"] for n in report["skipped"]
    }
    assert set(notes) == {"SOURCES.md", "sub/SOURCES.md", "sub/notes.csv", "sub/keep.csv"}
    assert all("it stays in the index until a run with --prune" in r for r in notes.values())
    code, status = _run(env, "status", "--json")
    assert status["documents"] == {"ok": 6}
    code, report = _run(env, "ingest", "--json", "--prune", str(library))
    assert code == 0 and report["documents_deleted"] == 4, report
    code, status = _run(env, "status", "--json")
    assert status["documents"] == {"ok": 2} and not status["drift"]["warnings"], status
    code, hits = _run(env, "query", "--json", "-k", "10", "press kit from the maker")
    assert not any(Path(h["source"]).name in ("SOURCES.md", "keep.csv") for h in hits)


@pytest.mark.slow
def test_server_ingest_applies_the_exclude_setting_and_ignore_files(
    make_settings: Any, embedder: Any, library: Path
) -> None:
    (library / "sub" / ".specragignore").write_text("*.csv\n")
    settings = make_settings(roots=[library], exclude=["SOURCES.md", "drafts/"])
    services = Services(settings, embedder=embedder)
    with TestClient(create_app(settings, services=services)) as client:
        accepted = client.post("/v1/ingest", json={"paths": [str(library)]})
        assert accepted.status_code == 202, accepted.text
        url = f"/v1/jobs/{accepted.json()['job']['id']}"
        for _ in range(1500):
            job = client.get(url).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert job["status"] == "done" and job["report"]["files"]["ok"] == 2, job
        skipped = {n["path"]: n["reason"] for n in job["report"]["skipped"]}
        assert skipped == {
            "SOURCES.md": "excluded by SPECRAG_EXCLUDE: SOURCES.md",
            "sub/SOURCES.md": "excluded by SPECRAG_EXCLUDE: SOURCES.md",
            "drafts": "excluded by SPECRAG_EXCLUDE: drafts/",
            "sub/keep.csv": "excluded by .specragignore: *.csv",
            "sub/notes.csv": "excluded by .specragignore: *.csv",
        }
        listed = {d["source"] for d in client.get("/v1/documents").json()["documents"]}
        assert listed == {"aurora_x5.md", "sub/lumen_e2.txt"}
    services.close()
