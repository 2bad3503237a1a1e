"""A non-editable install: the wheel carries every package and `data/`, and settings find it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CODE = ("api", "generation", "ingest", "retrieval")
DATA_FILES = (
    "prompts_dir",
    "realise_dir",
    "sensitive_words_dir",
    "glossary",
    "models_file",
    "samples_dir",
)

PROBE = """
import json
from api.settings import Settings
from generation.facts.plan import Plan
from generation.guard import Guard
from generation.models import ModelRegistry
from generation.prompts import PromptLibrary
from retrieval.glossary import Glossary

s = Settings()
print(json.dumps({
    "paths": {name: str(getattr(s, name)) for name in %r},
    "prompt": PromptLibrary(s.prompts_dir).resolve("polish", "paragraph", "local")[0],
    "plan": sorted(Plan.load(s.realise_dir / "plan.toml").groups),
    "words": len(Guard.from_folder(s.sensitive_words_dir)),
    "default_model": ModelRegistry.load(s.models_file).get(None).name,
    "glossary": bool(Glossary.load(s.glossary).expand("wheelbase").chinese),
    "samples": sorted(p.name for p in s.samples_dir.iterdir()),
}))
"""


def test_every_package_is_listed_for_the_wheel() -> None:
    """pyproject.toml lists the packages (so that it can map data/): a new one must be added."""
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for package in CODE
        for init in (REPO / package).rglob("__init__.py")
    }
    assert listed - {"specrag_data"} == found


@pytest.mark.slow
def test_an_installed_wheel_finds_prompts_word_lists_glossary_and_models(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for name in (*CODE, "data"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    pip += ["--disable-pip-version-check", "--quiet", "-w", str(tmp_path / "dist"), str(source)]
    subprocess.run(pip, check=True, cwd=tmp_path, capture_output=True)
    installed = tmp_path / "site"
    (wheel,) = (tmp_path / "dist").glob("specrag-*.whl")
    zipfile.ZipFile(wheel).extractall(installed)
    shutil.rmtree(source)  # nothing may come from the sources

    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRAG_")}
    env["PYTHONPATH"] = str(installed)
    run = subprocess.run(
        [sys.executable, "-c", PROBE % (DATA_FILES,)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(run.stdout)
    data = installed / "specrag_data"
    assert found["paths"] == {
        "prompts_dir": str(data / "prompts"),
        "realise_dir": str(data / "realise"),
        "sensitive_words_dir": str(data / "sensitive_words"),
        "glossary": str(data / "glossary" / "car_terms.txt"),
        "models_file": str(data / "models.toml"),
        "samples_dir": str(data / "samples"),
    }
    assert found["prompt"] == "polish/paragraph.j2"
    assert "engine" in found["plan"]
    assert found["words"] > 40
    assert found["default_model"] == "local"
    assert found["glossary"]
    assert found["samples"] == sorted(p.name for p in (REPO / "data" / "samples").iterdir())
