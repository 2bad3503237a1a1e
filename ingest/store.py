"""Chroma, behind one adapter: embedded (`PersistentClient`) or a `chroma run` server.

Chroma is always handed the vectors; its own embedding function is never asked for one
(its default would try to download a model). The collection records the embedding model's
name and dimension, and refuses to mix vectors from another model.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlparse

import numpy as np
from numpy.typing import NDArray

from ingest.errors import (
    DiskFull,
    IngestError,
    ModelMismatch,
    StoreUnavailable,
    disk_full_reason,
)
from ingest.segments import check_vector_segments, repair_hint

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)

Metadata = Mapping[str, str | int | float | bool]
PAGE_SIZE = 1000
ID_PAGE_SIZE = 20_000  # ids alone are small: fewer, larger pages
# Chroma's default search depth (ef_search 100) missed 49-57 of the 430 exact top-10
# neighbours on the dev questions; 400 misses 3 at a few ms more per query. A pooled hybrid
# search asks for 500 neighbours, where 400 (so 500) missed 10-13 of the exact 500, and not
# the same ones in each process (Chroma adds the records not yet in the persisted graph at
# load, in no fixed order): the same query ranked differently from one process to the next.
# 1500 finds the same 500 every time (BENCHMARKS.md "Sixteenth pass").
SEARCH_EF = 1500
HNSW = {
    "hnsw:space": "cosine",
    "hnsw:search_ef": SEARCH_EF,
    "hnsw:construction_ef": 200,
    "hnsw:M": 32,
}
# Room an embedded write must find free before it starts. Chroma applies a write to its
# segments after logging it; if the disk fills in between, every later read fails ("Failed to
# apply logs to the metadata segment") until space is freed. The corpus takes ~6.4 KB a chunk
# on disk; a write asks for 16 KB a chunk plus this reserve for SQLite's journal and compaction.
WRITE_RESERVE_BYTES = 32 << 20
WRITE_BYTES_PER_CHUNK = 16 << 10


class Hit(NamedTuple):
    """A chunk Chroma found or read: text and metadata are empty where not asked for. A named
    tuple: a pooled search makes 500 a query, and a frozen dataclass cost 0.5 µs each."""

    id: str
    text: str
    metadata: dict[str, Any]
    distance: float


class ChromaStore:
    """One Chroma collection of chunks with ids `{doc_id}:{chunk_index}`."""

    def __init__(
        self,
        *,
        collection: str,
        model_name: str,
        path: Path | None = None,
        url: str | None = None,
    ) -> None:
        if (path is None) == (url is None):
            raise ValueError("give exactly one of path (embedded) or url (server)")
        self.path = path
        self.url = url
        self.collection_name = collection
        self.model_name = model_name
        self._client: ClientAPI | None = None
        self._collection: Collection | None = None

    def _connect(self) -> ClientAPI:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self.url is not None:
                parsed = urlparse(self.url)
                return chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or 8000,
                    ssl=parsed.scheme == "https",
                    settings=settings,
                )
            assert self.path is not None
            self.path.mkdir(parents=True, exist_ok=True)
            damaged = check_vector_segments(self.path)
            if damaged:  # hnswlib would segfault on them: say so instead
                raise StoreUnavailable(
                    f"the vector index is damaged: {damaged[0]}. {repair_hint(self.path)}"
                )
            return chromadb.PersistentClient(path=str(self.path), settings=settings)
        except StoreUnavailable:
            raise
        except Exception as e:
            self._raise_if_full(e)  # Chroma cannot even open on a disk with no room
            where = self.url or self.path
            raise StoreUnavailable(f"cannot open Chroma at {where}: {e}") from e

    @property
    def client(self) -> ClientAPI:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def collection(self, dimension: int | None = None) -> Collection:
        """The collection, created on first use; refuses another model's collection."""
        if self._collection is None:
            metadata: dict[str, Any] = {**HNSW, "embed_model": self.model_name}
            if dimension:
                metadata["embed_dim"] = dimension
            self._collection = self.client.get_or_create_collection(
                self.collection_name, metadata=metadata, embedding_function=None
            )
            _search_deep_enough(self._collection)
        found = self._collection.metadata or {}
        if found.get("embed_model") != self.model_name:
            raise ModelMismatch(
                f"collection {self.collection_name!r} was built with embedding model "
                f"{found.get('embed_model')!r}, not {self.model_name!r}; use another "
                "collection or data dir, or delete the index and re-ingest"
            )
        if dimension and found.get("embed_dim") not in (None, dimension):
            raise ModelMismatch(
                f"collection {self.collection_name!r} holds {found.get('embed_dim')}-dimensional "
                f"vectors; the model gives {dimension}"
            )
        if dimension and "embed_dim" not in found:
            # Resending `hnsw:*` keys makes Chroma refuse the change ("Changing the distance
            # function"); the space lives on in the collection's configuration.
            kept = {k: v for k, v in found.items() if not k.startswith("hnsw:")}
            self._collection.modify(metadata={**kept, "embed_dim": dimension})
        return self._collection

    def mark(self, key: str, value: str | bool = True) -> None:
        """Set `key` to `value` in the collection's metadata (a derived collection's "synced",
        or the collection it is derived from)."""
        found = self.collection().metadata or {}
        if found.get(key) != value:
            kept = {k: v for k, v in found.items() if not k.startswith("hnsw:")}
            self.collection().modify(metadata={**kept, key: value})

    def existing(self) -> tuple[dict[str, Any], int] | None:
        """The collection's metadata and chunk count as stored, whatever model built it, or
        None when there is no such collection (nothing is created)."""
        if self.collection_name not in {c.name for c in self.client.list_collections()}:
            return None
        found = self.client.get_collection(self.collection_name)
        return dict(found.metadata or {}), found.count()

    def drop(self) -> None:
        """Delete the collection, whatever model built it (a derived one is built again)."""
        self._collection = None
        if self.collection_name in {c.name for c in self.client.list_collections()}:
            self.client.delete_collection(self.collection_name)

    def upsert(
        self,
        ids: Sequence[str],
        embeddings: NDArray[np.float32],
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        collection = self.collection(int(embeddings.shape[1]) if len(ids) else None)
        self._ensure_room(len(ids))
        step = max(1, min(self.client.get_max_batch_size(), PAGE_SIZE))
        for start in range(0, len(ids), step):
            end = start + step
            try:
                collection.upsert(
                    ids=list(ids[start:end]),
                    embeddings=embeddings[start:end],
                    documents=list(documents[start:end]),
                    metadatas=[dict(m) for m in metadatas[start:end]],
                )
            except Exception as e:
                self._raise_if_full(e)
                raise

    @property
    def data_dir(self) -> Path | None:
        """The folder holding an embedded Chroma (None for a server)."""
        return None if self.path is None else self.path.parent

    def _free_bytes(self) -> int | None:
        if self.path is None:
            return None
        try:
            return shutil.disk_usage(self.path).free
        except OSError:
            return None

    def _ensure_room(self, chunks: int) -> None:
        """Refuse an embedded write the disk cannot hold, before Chroma starts it."""
        free = self._free_bytes()
        needed = WRITE_RESERVE_BYTES + chunks * WRITE_BYTES_PER_CHUNK
        if free is not None and free < needed and self.data_dir is not None:
            raise DiskFull(
                self.data_dir,
                f"{free // 1024} KB free; writing {chunks} chunks needs about {needed // 1024} KB",
            )

    def _raise_if_full(self, error: Exception) -> None:
        """DiskFull for a Chroma failure that a full disk explains (Chroma's own message
        rarely says so: "Failed to apply logs to the metadata segment")."""
        if self.data_dir is None or isinstance(error, IngestError):
            return
        reason = disk_full_reason(error)
        free = self._free_bytes()
        if reason is None and free is not None and free < WRITE_RESERVE_BYTES:
            reason = f"Chroma failed ({error}) with {free // 1024} KB free"
        if reason is not None:
            raise DiskFull(self.data_dir, reason) from error

    def ids_for(self, doc_id: str) -> set[str]:
        """Every chunk id stored for `doc_id`, whatever the ledger believes."""
        result = self.collection().get(where={"doc_id": doc_id}, include=[])
        return set(result["ids"])

    def present(self, ids: Sequence[str]) -> set[str]:
        """Those of `ids` the collection holds."""
        found: set[str] = set()
        ids = list(ids)
        for start in range(0, len(ids), PAGE_SIZE):
            found.update(
                self.collection().get(ids=ids[start : start + PAGE_SIZE], include=[])["ids"]
            )
        return found

    def find_texts(self, keys: Iterable[str], *, exclude_docs: set[str]) -> dict[str, str]:
        """The record that stores each of these chunk text keys (`text_key` metadata), if
        any, leaving out the records of `exclude_docs`; the lowest id when several do."""
        wanted = sorted(set(keys))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), PAGE_SIZE):
            where: dict[str, Any] = {"text_key": {"$in": wanted[start : start + PAGE_SIZE]}}
            page = self.collection().get(
                where=where,
                include=["metadatas"],
            )
            for chunk_id, metadata in zip(page["ids"], page["metadatas"] or [], strict=True):
                if not metadata or metadata.get("doc_id") in exclude_docs:
                    continue
                key = str(metadata.get("text_key"))
                if key not in found or chunk_id < found[key]:
                    found[key] = chunk_id
        return found

    def all_ids(self) -> set[str]:
        """Every chunk id the collection holds, ids only: the one look-up per run that lets
        the plan and the integrity checks compare Chroma with the ledger."""
        collection = self.collection()
        found: set[str] = set()
        offset = 0
        while True:
            page = collection.get(include=[], limit=ID_PAGE_SIZE, offset=offset)
            if not page["ids"]:
                return found
            found.update(page["ids"])
            offset += len(page["ids"])

    def vectors(self, ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """The stored vectors of these chunks (missing ids left out)."""
        if not ids:
            return {}
        page = self.collection().get(ids=list(ids), include=["embeddings"])
        embeddings = page["embeddings"] if page["embeddings"] is not None else []
        return {
            chunk_id: np.asarray(vector, dtype=np.float32)
            for chunk_id, vector in zip(page["ids"], embeddings, strict=True)
        }

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), PAGE_SIZE):
            self.collection().delete(ids=ids[start : start + PAGE_SIZE])

    def delete_document(self, doc_id: str) -> int:
        ids = sorted(self.ids_for(doc_id))
        self.delete(ids)
        return len(ids)

    def count(self) -> int:
        try:
            return int(self.collection().count())
        except Exception as e:  # a read applies pending writes first, and needs room for it
            self._raise_if_full(e)
            raise

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every stored (id, text, metadata), page by page."""
        collection = self.collection()
        offset = 0
        while True:
            page = collection.get(
                include=["documents", "metadatas"], limit=PAGE_SIZE, offset=offset
            )
            ids = page["ids"]
            if not ids:
                return
            documents = page["documents"] or [""] * len(ids)
            metadatas = page["metadatas"] or [{}] * len(ids)
            for chunk_id, text, metadata in zip(ids, documents, metadatas, strict=True):
                yield chunk_id, text or "", dict(metadata or {})
            offset += len(ids)

    def get(self, ids: Sequence[str]) -> list[Hit]:
        """The chunks with these ids, in the order asked (missing ids left out)."""
        if not ids:
            return []
        page = self.collection().get(ids=list(ids), include=["documents", "metadatas"])
        found = {
            chunk_id: Hit(chunk_id, text or "", dict(metadata or {}), 0.0)
            for chunk_id, text, metadata in zip(
                page["ids"], page["documents"] or [], page["metadatas"] or [], strict=True
            )
        }
        return [found[i] for i in ids if i in found]

    def query(
        self,
        embedding: NDArray[np.float32],
        *,
        k: int,
        where: dict[str, Any] | None = None,
        hydrate: bool = True,
    ) -> list[Hit]:
        """The `k` nearest chunks by cosine distance, optionally filtered on metadata.

        With `hydrate=False` the hits carry only id and distance (text and metadata empty):
        reading 50 texts and metadata rows took 9 of a query's 10 ms here, and a caller that
        keeps 5 of them reads those with `get`.
        """
        return self.query_many(embedding.reshape(1, -1), k=k, where=where, hydrate=hydrate)[0]

    def query_many(
        self,
        embeddings: NDArray[np.float32],
        *,
        k: int,
        where: dict[str, Any] | None = None,
        hydrate: bool = True,
    ) -> list[list[Hit]]:
        """`query` for each row of `embeddings`, in one Chroma call: a call costs ~1.8 ms of
        CPU here whatever it asks, so four queries in one cost ~1.6 ms each against ~2.7."""
        collection = self.collection()
        result = collection.query(
            query_embeddings=embeddings,
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"] if hydrate else ["distances"],
        )
        found: list[list[Hit]] = []
        if not hydrate:  # ids and distances only: 500 hits a pooled search, no copies to make
            for ids, distances in zip(result["ids"], result["distances"] or [], strict=True):
                found.append(
                    [Hit(i, "", {}, float(d)) for i, d in zip(ids, distances, strict=True)]
                )
            return found
        for row, ids in enumerate(result["ids"]):
            documents = result["documents"][row] if result["documents"] else [""] * len(ids)
            metadatas = result["metadatas"][row] if result["metadatas"] else [{}] * len(ids)
            distances = result["distances"][row] if result["distances"] else []
            found.append(
                [
                    Hit(chunk_id, text or "", dict(metadata or {}), float(distance))
                    for chunk_id, text, metadata, distance in zip(
                        ids, documents, metadatas, distances, strict=True
                    )
                ]
            )
        return found


def _search_deep_enough(collection: Collection) -> None:
    """Raise an index's search depth to `SEARCH_EF` where an older build set less (its
    configuration, not its metadata, is what Chroma searches with)."""
    hnsw = (collection.configuration or {}).get("hnsw") or {}
    found = hnsw.get("ef_search")
    if found is None or found >= SEARCH_EF:
        return
    try:
        collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
    except Exception as e:  # an older server: search as before, ranking may vary per process
        log.warning("could not raise the vector search depth to %d: %s", SEARCH_EF, e)
