"""One OpenVINO GenAI pipeline per model file and process, loaded once, on first use.

`openvino_genai.LLMPipeline(gguf, "CPU")` reads the GGUF directly (weights and tokenizer): a few
seconds, no install-time conversion. A pipeline runs one generation at a time, so each runtime
carries the lock its generations take; its tokenizer (`generation.llm.tokenizer`) needs none.
A file that is missing, not a GGUF, or of an architecture the reader does not know fails with
`LocalModelMissing` naming it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generation.errors import LocalModelMissing
from generation.gguf import check, resolve

if TYPE_CHECKING:
    from generation.models import ModelSpec

log = logging.getLogger(__name__)

DEVICE = "CPU"

_loaded: dict[Path, Runtime] = {}
_loading = threading.Lock()


@dataclass
class Runtime:
    """A loaded model: its pipeline (and through it the tokenizer) and the lock its
    generations take."""

    path: Path
    pipeline: Any
    load_seconds: float
    lock: threading.Lock = field(default_factory=threading.Lock)


def model_file(spec: ModelSpec | None) -> Path:
    """The GGUF file `spec` names (the packaged default when None or unnamed)."""
    return resolve(spec.gguf if spec else None)


def load_runtime(spec: ModelSpec | None = None) -> Runtime:
    """The runtime of `spec`'s model file, loaded on first call (blocking: seconds)."""
    path = model_file(spec)
    with _loading:
        runtime = _loaded.get(path)
        if runtime is None:
            runtime = _loaded[path] = _load(path)
    return runtime


def _load(path: Path) -> Runtime:
    check(path)
    import openvino_genai

    started = time.perf_counter()
    try:
        pipeline = openvino_genai.LLMPipeline(str(path), DEVICE)
    except RuntimeError as e:
        reason = str(e).strip().splitlines()
        raise LocalModelMissing(
            f"embedded model file {path}: OpenVINO GenAI cannot load it "
            f"(a GGUF of a llama, qwen2 or qwen3 model is needed): {reason[-1] if reason else e}"
        ) from e
    seconds = round(time.perf_counter() - started, 2)
    log.info("embedded model %s loaded in %.2fs", path.name, seconds)
    return Runtime(path, pipeline, seconds)
