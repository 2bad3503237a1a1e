"""The embedding model behind one adapter (`Embedder`), on one of several runtimes.

`model.py` resolves the packaged weights and names the backends, `torch.py` and `graph.py`
are the runtimes, `export.py` makes the graphs the non-torch backends read.
"""

from __future__ import annotations

import json
import logging
import threading
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ingest.embedding.model import (
    BACKENDS,
    EXPORT_COMMAND,
    GRAPH_FILES,
    MANIFEST,
    NATIVE,
    NATIVE_TAG,
    ONE_TEXT_PER_RUN,
    OPENVINO,
    PRECISION_TAG,
    QUERY_BATCH,
    Backend,
    Encoder,
    Hint,
    WindowCheck,
    export_dir,
    resolve_model_path,
)
from ingest.embedding.torch import TorchEncoder
from ingest.errors import ExportMissing, ModelUnavailable

log = logging.getLogger(__name__)


class Embedder:
    """Batched, normalised sentence embeddings; documents and queries have separate entry points.

    `name` is the model's identity in an index: the model name, plus a precision tag for
    backends whose vectors differ from fp32 (`all-MiniLM-L6-v2@int8`); `model_name` is the
    name as given. The `NATIVE` models (`ingest.embedding.native`) bring their own runtime
    and ignore `backend`, `device` and `hint`; their tag is their own (`@q4` for 4-bit e5).
    """

    def __init__(
        self,
        name: str,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        backend: Backend = "torch",
        export_root: Path | None = None,
        hint: Hint = "latency",
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r}; one of {BACKENDS}")
        self.native = name in NATIVE
        if (backend != "torch" or self.native) and device != "cpu":
            raise ValueError(f"embedding model {name!r} on {backend!r} runs on the CPU only")
        self.model_name = name
        self.backend = backend
        self.name = name + (NATIVE_TAG[name] if self.native else PRECISION_TAG[backend])
        self.path = resolve_model_path(name)
        self.batch_size = batch_size
        self.device = device
        self.hint = hint
        self.export_dir = export_dir(name, self.path, export_root)
        self._model: Encoder | None = None
        self._lock = threading.Lock()

    @property
    def multilingual(self) -> bool:
        """Whether the model reads Chinese as well as English: the `NATIVE` models do;
        sentence-transformers' MiniLM reads English only (its vector of Chinese is noise)."""
        return self.native

    @property
    def model(self) -> Encoder:
        with self._lock:
            if self._model is None:
                log.info("loading embedding model %s (%s)", self.name, self.backend)
                self._model = self._load()
            return self._model

    def _load(self) -> Encoder:
        if self.native:
            from ingest.embedding.native import ENCODERS

            return ENCODERS[NATIVE[self.model_name]]()
        if self.backend == "torch":
            return TorchEncoder(self.path, self.device)
        graph = self.graph_file()
        runtime: Literal["onnx", "openvino"] = "openvino" if self.backend in OPENVINO else "onnx"
        try:
            from ingest.embedding.graph import GraphEncoder

            limit = 1 if self.backend in ONE_TEXT_PER_RUN else None
            return GraphEncoder(self.path, graph, runtime, batch_limit=limit, hint=self.hint)
        except ImportError as e:
            raise ModelUnavailable(
                f"backend {self.backend!r} needs the {e.name!r} package; reinstall specrag"
            ) from e

    def graph_file(self) -> Path:
        """The exported graph this backend runs; `ExportMissing` names the command that makes it."""
        graph = self.export_dir / GRAPH_FILES[self.backend]
        manifest = self.export_dir / MANIFEST
        problem = ""
        if not manifest.is_file() or not graph.is_file():
            problem = f"no ONNX export of {self.model_name!r} in {self.export_dir}"
        else:
            source = json.loads(manifest.read_text()).get("source", {})
            weights = self.path / str(source.get("weights", ""))
            if source.get("path") != str(self.path) or not weights.is_file():
                problem = f"the export in {self.export_dir} was made from another model folder"
            elif weights.stat().st_size != source.get("weights_bytes"):
                problem = f"the export in {self.export_dir} predates the model's current weights"
        if problem:
            raise ExportMissing(
                f"embedding backend {self.backend!r}: {problem}; run "
                f"`{EXPORT_COMMAND} --model {self.model_name}` (make install does it)"
            )
        return graph

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @cached_property
    def dimension(self) -> int:
        return self.model.dimension

    @property
    def streams(self) -> int:
        """Encoder calls worth running at once: OpenVINO's throughput hint makes streams of a
        core or two each (2 on this 2-core machine); else 1 (one call uses every core)."""
        return int(getattr(self.model, "streams", 1))

    def window_check(self) -> WindowCheck:
        return WindowCheck(self.path)

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        """One unit-length row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.model.encode(texts, self.batch_size)

    def embed_query(self, text: str) -> NDArray[np.float32]:
        row: NDArray[np.float32] = self.embed_queries([text])[0]
        return row

    def embed_queries(self, texts: list[str]) -> NDArray[np.float32]:
        """One unit-length row per query, in runs of up to `QUERY_BATCH` texts: four dev
        questions in one OpenVINO run cost ~4 ms of CPU each against ~6 ms alone. In a run a
        text is padded to the longest, which moves its bf16 vector by a cosine of about 1e-6
        (as bf16 against fp32 does); ONNX int8 runs one text at a time (`ONE_TEXT_PER_RUN`)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self.model.encode(texts, QUERY_BATCH, query=True), dtype=np.float32)
