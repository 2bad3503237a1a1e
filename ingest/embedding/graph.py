"""The embedding model's exported graph on ONNX Runtime or OpenVINO (one adapter for both).

`ingest.embedding.Embedder` builds a `GraphEncoder` for its non-torch backends; the graphs come
from `python -m ingest.embedding.export`. Only the transformer is in the graph: tokenization
(tokenizer.json), mean pooling and L2 normalisation run here, as the model's modules.json
says, and `check_mean_pooled` refuses models that say otherwise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ingest.embedding.model import max_seq_length
from ingest.errors import ModelUnavailable


def check_mean_pooled(model_dir: Path) -> None:
    """The graph backends re-implement Transformer → mean Pooling → Normalize; refuse the rest."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        kinds = [str(m["type"]).rsplit(".", 1)[-1] for m in modules]
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelUnavailable(
            f"{model_dir} is not a sentence-transformers model folder ({e}); use backend 'torch'"
        ) from e
    modes = sorted(key for key, on in pooling.items() if key.startswith("pooling_mode_") and on)
    if kinds != ["Transformer", "Pooling", "Normalize"] or modes != ["pooling_mode_mean_tokens"]:
        raise ModelUnavailable(
            f"{model_dir}: only Transformer + mean Pooling + Normalize models run outside torch "
            f"(found {kinds}, {modes}); use backend 'torch'"
        )


Feeds = dict[str, NDArray[np.int64]]


class GraphEncoder:
    """An exported transformer graph on ONNX Runtime or OpenVINO, pooled and normalised here.

    Texts are tokenized once, sorted by length and batched, so a batch pads to its own longest
    text (as sentence-transformers does); rows come back in the input order. `batch_limit`
    caps the batch whatever the caller asks (1: one text per run, see `ONE_TEXT_PER_RUN`).
    """

    def __init__(
        self,
        model_dir: Path,
        graph: Path,
        runtime: Literal["onnx", "openvino"],
        *,
        batch_limit: int | None = None,
        hint: Literal["latency", "throughput"] = "latency",
    ) -> None:
        from tokenizers import Tokenizer

        check_mean_pooled(model_dir)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json may carry its own fixed padding and a shorter window; the model's
        # sentence-transformers config is what the torch backend honours.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_seq_length(model_dir))
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        self.dimension = int(pooling["word_embedding_dimension"])
        self.pad_id = self.tokenizer.token_to_id(_pad_token(model_dir)) or 0
        self.batch_limit = batch_limit
        # Calls that can run at once, each on its own cores (OpenVINO's throughput streams).
        self.streams = 1
        if runtime == "onnx":
            self.run, self.inputs = _onnxruntime(graph)
        else:
            self.run, self.inputs, self.streams = _openvino(graph, hint.upper())

    def encode(
        self, texts: list[str], batch_size: int, *, query: bool = False
    ) -> NDArray[np.float32]:
        """`query` changes nothing: the models on these runtimes are symmetric."""
        if self.batch_limit:
            batch_size = min(batch_size, self.batch_limit)
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = [encodings[i] for i in rows]
            width = max(len(e.ids) for e in batch)
            ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, e in enumerate(batch):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.run({k: v for k, v in feeds.items() if k in self.inputs})
            out[rows] = _mean_normalised(hidden, mask)
        return out


def _pad_token(model_dir: Path) -> str:
    special = model_dir / "special_tokens_map.json"
    if special.is_file():
        pad = json.loads(special.read_text()).get("pad_token", "[PAD]")
        return str(pad["content"] if isinstance(pad, dict) else pad)
    return "[PAD]"


def _mean_normalised(hidden: NDArray[np.float32], mask: NDArray[np.int64]) -> NDArray[np.float32]:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    mean = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    return np.asarray(mean / np.clip(norms, 1e-12, None), dtype=np.float32)


Runner = Callable[[Feeds], NDArray[np.float32]]


def _onnxruntime(graph: Path) -> tuple[Runner, set[str]]:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    # Idle pool threads otherwise spin for a while after each run, taking a core from
    # everything else in the process (the parse workers, the HTTP server, another model).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}
    return (lambda feeds: np.asarray(session.run(None, feeds)[0], dtype=np.float32)), inputs


def _openvino(graph: Path, hint: str) -> tuple[Runner, set[str], int]:
    import openvino

    compiled = openvino.Core().compile_model(str(graph), "CPU", {"PERFORMANCE_HINT": hint})
    inputs = {name for port in compiled.inputs for name in port.get_names()}
    streams = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    local = threading.local()  # an infer request serves one call at a time

    def run(feeds: Feeds) -> NDArray[np.float32]:
        if not hasattr(local, "request"):
            local.request = compiled.create_infer_request()
        result = local.request.infer(feeds)
        return np.asarray(result[compiled.outputs[0]], dtype=np.float32)

    # One call now, before any caller has threads: OpenVINO's Python binding initialises a
    # C++ static on the first call that moves tensor data, under a guard it holds while it
    # waits for Python's lock. Two threads making their first calls at once deadlocked here
    # (an ingest with two encoder streams, stuck for good in `__cxa_guard_acquire`).
    run({port.any_name: np.ones((1, 2), dtype=np.int64) for port in compiled.inputs})
    return run, inputs, max(1, streams)
