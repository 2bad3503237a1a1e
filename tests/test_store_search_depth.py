"""The vector search depth (`ingest.store.SEARCH_EF`): deep enough that a pooled search's 500
neighbours are the same in every process."""

from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.config import Settings

from ingest.store import SEARCH_EF, ChromaStore


def test_an_index_built_with_a_shallower_search_is_raised_when_opened(tmp_path: Path) -> None:
    """Regression: at ef 400 a 500-deep search missed 10-13 of the exact 500, other ones in
    each process, and the same query ranked differently from one process to the next."""
    client = chromadb.PersistentClient(
        path=str(tmp_path), settings=Settings(anonymized_telemetry=False)
    )
    client.create_collection(
        "old",
        metadata={"hnsw:space": "cosine", "hnsw:search_ef": 400, "embed_model": "m"},
        embedding_function=None,
    )
    del client
    store = ChromaStore(collection="old", model_name="m", path=tmp_path)
    assert store.collection().configuration["hnsw"]["ef_search"] == SEARCH_EF
    fresh = ChromaStore(collection="new", model_name="m", path=tmp_path)
    assert fresh.collection().configuration["hnsw"]["ef_search"] == SEARCH_EF
