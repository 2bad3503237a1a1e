"""Duplicates across documents: a chunk text another document already stores is not stored
again (`ingest.pipeline.dedup` does the same within one document).

Why. Identical vectors fill HNSW's neighbour lists (hnswlib#263), so many copies of one text
(a footer every article repeats, one file uploaded under several names) crowd out other
documents' chunks. So each text is embedded and stored once per collection (one model's
vectors: the embedding model is part of the key).

The design, in terms of what already keeps the index consistent:
- Every record carries `text_key` (a digest of its normalised text). Before a parsed file is
  embedded, its chunk texts are looked up among the records of documents not being rewritten
  in this run, and among the chunks this run has already taken (`Sharing.take`). A match is
  not embedded or stored: the file *shares* that record (`ledger.Share`: where the text
  occurs in this file, for citations and for handing the record on).
- A document's ledger `chunk_ids` list the records it shares too. So the checks that keep the
  index whole hold unchanged: a file is skipped only when Chroma holds every record it lists
  (a shared record that went missing gets the file redone, storing the text itself); a record
  is an orphan only when no committed document lists it; `check` and `repair` likewise.
- A record belongs to one document (its metadata and id `{doc_id}:{chunk_index}`). Before a
  document is rewritten, pruned or deleted, each of its records that others share is handed on
  (`hand_on`): stored again under the first sharer's own id, with that sharer's document and
  place, from the same vector and text (no re-embedding), and the other sharers pointed at it,
  in one ledger transaction. A crash between the copy and the transaction leaves an orphan the
  next run removes; after it, the old record belongs to the leaving document alone.
- Not done: a search filtered to one document does not find the texts it shares (they are
  stored under the other document); `GET /v1/documents/{id}` counts them in `chunks`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from itertools import groupby

import numpy as np

from ingest.document import chunk_id, split_chunk_id
from ingest.ledger import Ledger, Share
from ingest.pipeline.dedup import text_key
from ingest.pipeline.plan import PlanItem
from ingest.pipeline.prepare import Prepared
from ingest.store import ChromaStore

# The record's own place: replaced by the heir's when a record is handed on.
_PLACE = ("page", "section", "header", "chunk_index", "tokens", "also_chunks", "also_pages")


class Sharing:
    """One run's look-up of the chunk texts already stored, by other documents or earlier in
    the run. `rewriting` are the documents this run replaces or deletes: their records may go,
    so nothing new shares them."""

    def __init__(self, store: ChromaStore, rewriting: Iterable[str]) -> None:
        self.store = store
        self.rewriting = set(rewriting)
        self.taken: dict[str, str] = {}  # text key → the record this run stores it as

    def take(self, item: PlanItem, prepared: Prepared) -> None:
        """Move `prepared`'s chunks whose text is stored already to `prepared.shares`."""
        keys = {chunk.index: text_key(chunk.text) for chunk in prepared.chunks}
        wanted = set(keys.values()) - self.taken.keys()
        stored = self.store.find_texts(wanted, exclude_docs=self.rewriting) if wanted else {}
        kept = []
        for chunk in prepared.chunks:
            key = keys[chunk.index]
            record = self.taken.get(key) or stored.get(key)
            if record is None:
                kept.append(chunk)
                self.taken[key] = chunk_id(item.doc_id, chunk.index)
                continue
            prepared.shares.append(
                Share(
                    doc_id=item.doc_id,
                    chunk_index=chunk.index,
                    record_id=record,
                    page=chunk.page,
                    section=chunk.section,
                    header=chunk.header,
                    tokens=chunk.tokens,
                )
            )
        prepared.chunks = kept


def hand_on(store: ChromaStore, ledger: Ledger, leaving: set[str]) -> int:
    """Before the documents `leaving` are rewritten or deleted: store each of their records
    that another document shares under that sharer's own id. Returns the records handed on."""
    owned = [
        record_id
        for doc_id in sorted(leaving)
        if (record := ledger.get(doc_id)) is not None
        for record_id in record.chunk_ids
        if split_chunk_id(record_id)[0] == doc_id
    ]
    shares = [s for s in ledger.shares_of(owned) if s.doc_id not in leaving]
    handed = 0
    for old_id, group in groupby(shares, key=lambda s: s.record_id):
        heir, *others = list(group)
        if _copy(store, ledger, old_id, heir):
            ledger.hand_on(old_id, heir, others)
            handed += 1
    return handed


def _copy(store: ChromaStore, ledger: Ledger, old_id: str, heir: Share) -> bool:
    """Store record `old_id` again as the heir's chunk; False when there is nothing to copy
    (the sharers then miss it, and the next run redoes them)."""
    hits = store.get([old_id])
    vectors = store.vectors([old_id])
    document = ledger.get(heir.doc_id)
    if not hits or old_id not in vectors or document is None:
        return False
    metadata = {k: v for k, v in hits[0].metadata.items() if k not in _PLACE}
    metadata.update(
        doc_id=heir.doc_id,
        source=document.source,
        file_type=document.file_type,
        title=document.title,
        sha256=document.sha256,
        section=heir.section,
        header=heir.header,
        chunk_index=heir.chunk_index,
        tokens=heir.tokens,
        ingested_at=time.time(),
    )
    if heir.page is not None:
        metadata["page"] = heir.page
    store.upsert(
        [heir.own_id],
        np.stack([vectors[old_id]]),
        [hits[0].text],
        [metadata],
    )
    return True
