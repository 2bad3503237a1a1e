"""The Chroma adapter on a real PersistentClient."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.errors import ModelMismatch
from ingest.store import ChromaStore


def _vectors(n: int, dim: int = 4) -> np.ndarray:
    rows = np.eye(n, dim, dtype=np.float32) + 0.01
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_first_write_after_a_dimensionless_open_keeps_cosine(tmp_path: Path) -> None:
    """Regression: opening the collection before any write (e.g. `specrag status`) and then
    upserting failed with Chroma's "Changing the distance function" error, because recording
    the dimension resent the `hnsw:space` metadata."""
    store = ChromaStore(collection="specrag", model_name="m", path=tmp_path)
    assert store.count() == 0
    store.upsert(["a:0", "a:1"], _vectors(2), ["x", "y"], [{"doc_id": "a"}, {"doc_id": "a"}])
    assert store.count() == 2
    assert store.collection().metadata["embed_dim"] == 4
    [hit, _] = store.query(_vectors(1)[0], k=2)
    assert hit.id == "a:0" and hit.distance == pytest.approx(0.0, abs=1e-3)  # cosine distance


def test_other_dimension_is_refused(tmp_path: Path) -> None:
    store = ChromaStore(collection="specrag", model_name="m", path=tmp_path)
    store.upsert(["a:0"], _vectors(1), ["x"], [{"doc_id": "a"}])
    reopened = ChromaStore(collection="specrag", model_name="m", path=tmp_path)
    with pytest.raises(ModelMismatch, match="4-dimensional"):
        reopened.upsert(["b:0"], _vectors(1, 8), ["y"], [{"doc_id": "b"}])


def test_ids_for_and_delete_document_and_paged_iteration(tmp_path: Path) -> None:
    store = ChromaStore(collection="specrag", model_name="m", path=tmp_path)
    n = 2500  # more than one page of iter_chunks
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(n, 4)).astype(np.float32)
    ids = [f"{'a' if i % 2 else 'b'}:{i}" for i in range(n)]
    store.upsert(ids, vectors, [f"t{i}" for i in range(n)], [{"doc_id": i[0]} for i in ids])
    assert len(list(store.iter_chunks())) == n
    assert store.ids_for("a") == {i for i in ids if i.startswith("a:")}
    assert store.delete_document("a") == n // 2
    assert store.count() == n // 2 and store.ids_for("a") == set()
    assert [h.id for h in store.get(["b:0", "missing", "b:2"])] == ["b:0", "b:2"]


def test_query_many_answers_each_row_as_query_does(tmp_path: Path) -> None:
    store = ChromaStore(collection="specrag", model_name="m", path=tmp_path)
    docs = [{"doc_id": "a" if i < 2 else "b"} for i in range(4)]
    store.upsert([f"c:{i}" for i in range(4)], _vectors(4), list("wxyz"), docs)
    rows = _vectors(4)[[2, 0]]
    for where in (None, {"doc_id": "a"}):
        many = store.query_many(rows, k=3, where=where, hydrate=False)
        single = [store.query(row, k=3, where=where, hydrate=False) for row in rows]
        assert [[h.id for h in hits] for hits in many] == [[h.id for h in hits] for hits in single]
        for mine, alone in zip(many, single, strict=True):
            assert [h.distance for h in mine] == pytest.approx([h.distance for h in alone])
    [filtered] = store.query_many(rows[:1], k=3, where={"doc_id": "a"})
    assert [h.id for h in filtered] == ["c:0", "c:1"] and filtered[0].text == "w"
