"""The fast encoder backends: exported graphs load offline and give the torch model's vectors."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ingest.chunk import chunk_document
from ingest.document import ParsedDocument
from ingest.embedding import Embedder
from ingest.embedding.export import export
from ingest.embedding.model import MANIFEST, default_export_root, export_dir
from ingest.encodings import get_encoding
from ingest.errors import ExportMissing

MODEL = "all-MiniLM-L6-v2"
SAMPLE_FILES = [
    "auto-brochure-rag-venue/hyundai_venue_digital_brochure.pdf",
    "cars93-rendered/toyota_camry.txt",
    "clutch-sidecar-articles/honda-civic.md",
    "rsshub-cn-auto-news/cn06_zeekr_001.md",
    "rsshub-cn-auto-news/cn10_changan_cs55plus.md",
]


@pytest.fixture(scope="module")
def exported() -> Path:
    """The install-time export (`make install` makes it; this is a no-op when it is there)."""
    return export(MODEL)


@pytest.fixture(scope="module")
def chunk_texts(parsed_corpus: Callable[[str], ParsedDocument], embedder: Embedder) -> list[str]:
    """Real corpus chunks as the pipeline embeds them: English and Chinese, prose and tables."""
    encoding = get_encoding("cl100k_base")
    texts: list[str] = []
    for name in SAMPLE_FILES:
        doc = parsed_corpus(name)
        chunks = chunk_document(
            doc, max_tokens=256, overlap=32, encoding=encoding, fits=embedder.window_check()
        )
        texts += [c.embed_text for c in chunks[:16]]
    assert len(texts) >= 40, len(texts)
    return texts


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    """The fp32 torch model every other backend is held to (the session's may be another)."""
    return Embedder(MODEL, backend="torch")


@pytest.fixture(scope="module")
def reference(torch_embedder: Embedder, chunk_texts: list[str]) -> np.ndarray:
    return torch_embedder.embed_documents(chunk_texts)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


@pytest.mark.parametrize(
    ("backend", "floor"),
    # openvino-int8: 0.991 worst on 500 corpus chunks; quantising layer 0's feed-forward
    # output too (what the export leaves out) gave 0.978
    [("onnx", 0.9999), ("onnx-int8", 0.98), ("openvino", 0.999), ("openvino-int8", 0.985)],
)
def test_backend_vectors_match_torch_on_corpus_chunks(
    exported: Path,
    chunk_texts: list[str],
    reference: np.ndarray,
    embedder: Embedder,
    backend: str,
    floor: float,
) -> None:
    fast = Embedder(MODEL, backend=backend)  # type: ignore[arg-type]
    vectors = fast.embed_documents(chunk_texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(chunk_texts), embedder.dimension) == (len(chunk_texts), 384)
    assert fast.dimension == embedder.dimension
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    worst = cosines(vectors, reference).min()
    assert worst >= floor, f"{backend}: worst cosine to fp32 {worst:.4f} < {floor}"


def test_int8_query_vector_is_the_documents_row_and_ranks_like_torch(
    exported: Path, chunk_texts: list[str], reference: np.ndarray, torch_embedder: Embedder
) -> None:
    """Batches are sorted by length inside the encoder; rows must come back in input order."""
    fast = Embedder(MODEL, backend="onnx-int8")
    rows = fast.embed_documents(chunk_texts)
    for i in (0, len(chunk_texts) // 2, len(chunk_texts) - 1):
        single = fast.embed_query(chunk_texts[i])
        assert single.shape == (384,)
        assert float(single @ rows[i]) > 0.9999
    query = "What is the boot space of the Hyundai Venue?"
    top_fast = np.argsort(-(rows @ fast.embed_query(query)))[:3]
    top_torch = np.argsort(-(reference @ torch_embedder.embed_query(query)))[:3]
    assert top_fast[0] == top_torch[0]


def test_int8_is_a_different_model_to_the_index() -> None:
    """The store records `name` and the ingest fingerprint includes it: int8 must not pass
    for the fp32 model, while the fp32 runtimes share its identity."""
    names = {b: Embedder(MODEL, backend=b).name for b in ("torch", "onnx", "openvino")}
    assert set(names.values()) == {MODEL}
    int8 = Embedder(MODEL, backend="onnx-int8")
    assert int8.name == f"{MODEL}@int8"
    assert int8.model_name == MODEL and int8.path == Embedder(MODEL).path
    # static int8 on OpenVINO gives other vectors again: neither fp32's index nor ONNX int8's
    assert Embedder(MODEL, backend="openvino-int8").name == f"{MODEL}@ov-int8"


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedding backend 'tensorrt'"):
        Embedder(MODEL, backend="tensorrt")  # type: ignore[arg-type]


def test_missing_export_names_the_command_to_run(tmp_path: Path) -> None:
    fast = Embedder(MODEL, backend="onnx-int8", export_root=tmp_path)  # building it is free
    assert not fast.loaded
    with pytest.raises(ExportMissing) as raised:
        fast.embed_query("boot space")
    message = str(raised.value)
    assert "no ONNX export of 'all-MiniLM-L6-v2'" in message
    assert f"`python -m ingest.embedding.export --model {MODEL}`" in message
    assert str(tmp_path) in message


def test_export_of_other_weights_is_refused(exported: Path, tmp_path: Path) -> None:
    copy = export_dir(MODEL, Embedder(MODEL).path, tmp_path)
    shutil.copytree(exported, copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["source"]["weights_bytes"] += 1
    (copy / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ExportMissing, match="predates the model's current weights"):
        Embedder(MODEL, backend="onnx", export_root=tmp_path).embed_query("x")


def test_export_is_skipped_when_up_to_date(exported: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in exported.iterdir()}
    assert export(MODEL) == exported
    assert {p.name: p.stat().st_mtime_ns for p in exported.iterdir()} == before
    assert exported.parent == default_export_root()


@pytest.mark.slow
def test_export_from_packaged_weights_offline(tmp_path: Path, embedder: Embedder) -> None:
    """A fresh export with the network closed (conftest) writes both graphs and a manifest,
    and nothing into the model's own folder."""
    model_files = sorted(p.name for p in embedder.path.rglob("*"))
    folder = export(MODEL, root=tmp_path)
    assert folder.parent == tmp_path
    graphs = {"model.onnx", "model_int8.onnx", "model_ov_int8.xml", "model_ov_int8.bin"}
    assert {p.name for p in folder.iterdir()} == {*graphs, MANIFEST}
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["source"]["path"] == str(embedder.path)
    assert manifest["worst_cosine_to_torch"]["model_int8.onnx"] >= 0.98
    assert manifest["worst_cosine_to_torch"]["model_ov_int8.xml"] >= 0.99
    assert manifest["graphs"]["model_ov_int8.xml"]["calibration_texts"] > 100
    assert sorted(p.name for p in embedder.path.rglob("*")) == model_files
    assert not list(tmp_path.glob(".*build*"))
    fast = Embedder(MODEL, backend="onnx-int8", export_root=tmp_path)
    assert (
        float(fast.embed_query("fuel tank capacity") @ embedder.embed_query("fuel tank capacity"))
        > 0.98
    )


def test_openvino_throughput_hint_gives_the_same_vectors(
    exported: Path, chunk_texts: list[str], reference: np.ndarray
) -> None:
    """The server compiles for throughput (one core per call, many calls at once); only the
    scheduling differs, not the vectors."""
    fast = Embedder(MODEL, backend="openvino", hint="throughput")
    assert cosines(fast.embed_documents(chunk_texts), reference).min() >= 0.999


def test_openvino_int8_vectors_do_not_depend_on_the_batch(
    exported: Path, chunk_texts: list[str]
) -> None:
    """Static int8 fixes its scales at export: a text alone and in a padded batch of chunks
    gets the same vector (dynamic int8 did not, hence `ONE_TEXT_PER_RUN`)."""
    fast = Embedder(MODEL, backend="openvino-int8", batch_size=16)
    rows = fast.embed_documents(chunk_texts)
    for i in (0, len(chunk_texts) // 2, len(chunk_texts) - 1):
        assert float(fast.embed_query(chunk_texts[i]) @ rows[i]) > 0.999


@pytest.mark.slow
def test_an_index_built_on_openvino_int8_answers(corpus: Path, tmp_path: Path) -> None:
    """The real pipeline on five corpus files (never calibrated on) with the int8 backend:
    the store records the int8 identity, and vector search finds the asked-about car."""
    from api.services import Services
    from api.settings import Settings

    services = Services(
        Settings(data_dir=tmp_path / "index", workers=0, embed_backend="openvino-int8")
    )
    try:
        report = services.pipeline.run([corpus / name for name in SAMPLE_FILES])
        assert report.failed == 0 and report.ok == len(SAMPLE_FILES)
        metadata = services.store.collection().metadata or {}
        assert metadata["embed_model"] == f"{MODEL}@ov-int8"
        asked = {
            "What is the boot space of the Hyundai Venue?": "hyundai_venue_digital_brochure.pdf",
            "Toyota Camry engine horsepower and fuel economy": "toyota_camry.txt",
        }
        for query, source in asked.items():
            top = services.searcher.search(query, k=3, mode="vector")
            assert source in {Path(r.citation.source).name for r in top}, query
    finally:
        services.close()
