"""The process environment: written by the entry points in `api/` only."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from api.runtime import OFFLINE, TORCH, configure_environment

REPO = Path(__file__).resolve().parents[1]
MUTATORS = {"setdefault", "update", "pop", "popitem", "clear", "__setitem__", "__delitem__"}


def _is_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def environment_writes(source: str) -> list[int]:
    """Line numbers of every write to `os.environ` (or `os.putenv`) in `source`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            if isinstance(node.ctx, ast.Store | ast.Del):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, owner = node.func.attr, node.func.value
            if (method in MUTATORS and _is_environ(owner)) or method in ("putenv", "unsetenv"):
                lines.append(node.lineno)
    return lines


def test_the_scan_sees_every_kind_of_write() -> None:
    source = (
        "import os\n"
        "os.environ['A'] = '1'\n"
        "os.environ.setdefault('B', '1')\n"
        "del os.environ['C']\n"
        "os.putenv('D', '1')\n"
        "x = os.environ.get('E')\n"
    )
    assert environment_writes(source) == [2, 3, 4, 5]


@pytest.mark.parametrize("package", ["ingest", "retrieval", "generation"])
def test_nothing_below_api_writes_the_environment(package: str) -> None:
    writes = {
        str(path.relative_to(REPO)): found
        for path in sorted((REPO / package).rglob("*.py"))
        if (found := environment_writes(path.read_text(encoding="utf-8")))
    }
    assert writes == {}


def test_entry_points_fill_in_what_is_unset_and_keep_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [*OFFLINE, *TORCH]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "true")
    configure_environment("openvino")
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["TOKENIZERS_PARALLELISM"] == "true"  # the caller's choice stands
    assert "ONEDNN_PRIMITIVE_CACHE_CAPACITY" not in os.environ  # torch is not the encoder
    configure_environment("torch")
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "4"
