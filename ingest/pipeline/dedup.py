"""Duplicates before HNSW: a document's identical chunk texts are embedded and stored once.

Why. Identical vectors fill HNSW's neighbour lists (hnswlib#263): one file of 1,539 chunks
with 16 distinct texts made 15-19 chunks of *other* documents unreachable by vector search,
even filtered on their own doc id. Storing each distinct text once keeps the graph navigable.
Measured on ../shared/corpus (4,299 chunks) with a flood of 1,536 chunks of 16 texts ingested
first, every stored chunk queried with its own vector and its doc-id filter (`self_probe`):
with Chroma's default HNSW settings 29 chunks of other documents were lost before, 0 after;
with ours (`ingest.store.HNSW`: M 32, search ef 400) 0 were lost either way, but 1,376 of the
flood's own 1,536 chunks could not find themselves (their twins tie) and a search listed one
text many times. `tests/test_dedup.py` holds the flood beside data/samples.

The design:
- Key: the chunk's text, NFC-normalised with its whitespace collapsed. The embedding model is
  implicitly part of the key: a collection holds one model's vectors (`ChromaStore` refuses
  another), so "once per collection" is "once per (text, model)".
- Scope: one document. The first occurrence of a text is the stored record, with its usual id
  `{doc_id}:{chunk_index}`; the later occurrences are not embedded and not stored. A document
  owns all of its records, so deleting, pruning or replacing a document, the plan's "skip only
  what Chroma holds", `check`/`repair` and start-up recovery stay exactly as they were: the
  ledger lists the stored ids only, and each of them is in Chroma.
- Places kept for citations: the stored record's metadata lists the other occurrences' chunk
  indices (`also_chunks`) and their pages (`also_pages`, when they differ from its own), and
  its `cars` are the union of all occurrences' cars, so a car filter finds the text wherever it
  occurred. A spec fact found in a later occurrence cites the stored record.
- Lexical index: it is built from what Chroma holds, so it mirrors the dedup and a search never
  shows the same text of one document twice.
- Identical texts in *different* documents: `ingest.pipeline.share` (each record carries
  `text_key`, the digest of `dedup_key`, for that look-up).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace

from ingest.document import Chunk
from ingest.specs.model import DocumentSpecs

_SPACE = re.compile(r"\s+")


def dedup_key(text: str) -> str:
    """What makes two chunk texts the same passage: NFC, whitespace collapsed, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def text_key(text: str) -> str:
    """The digest that names a chunk text for `dedup_key`'s notion of sameness: stored as
    each record's `text_key`, so other documents find it (`ingest.pipeline.share`)."""
    return hashlib.sha256(dedup_key(text).encode()).hexdigest()[:32]


def collapse(chunks: list[Chunk]) -> tuple[list[Chunk], dict[int, list[Chunk]]]:
    """The chunks to embed and store (first occurrences, in order) and, by stored chunk index,
    the later occurrences of the same text."""
    first: dict[str, Chunk] = {}
    copies: dict[int, list[Chunk]] = {}
    for chunk in chunks:
        kept = first.setdefault(dedup_key(chunk.text), chunk)
        if kept is not chunk:
            copies.setdefault(kept.index, []).append(chunk)
    if not copies:
        return chunks, {}
    return list(first.values()), copies


def repoint_specs(specs: DocumentSpecs, copies: dict[int, list[Chunk]]) -> DocumentSpecs:
    """`specs` with every fact and car of a later occurrence moved to its stored chunk."""
    if not copies:
        return specs
    stored_of = {c.index: kept for kept, found in copies.items() for c in found}
    facts = [
        replace(f, chunk_index=stored_of[f.chunk_index])
        if f.chunk_index is not None and f.chunk_index in stored_of
        else f
        for f in specs.facts
    ]
    cars: dict[int, set[str]] = {}
    for index, found in specs.chunk_cars.items():
        cars.setdefault(stored_of.get(index, index), set()).update(found)
    return replace(
        specs,
        facts=facts,
        chunk_cars={i: tuple(sorted(c)) for i, c in sorted(cars.items())},
    )


def occurrence_metadata(chunk: Chunk, copies: dict[int, list[Chunk]]) -> dict[str, list[int]]:
    """The metadata naming the other places of a stored chunk's text (none when unique)."""
    found = copies.get(chunk.index)
    if not found:
        return {}
    extra: dict[str, list[int]] = {"also_chunks": [c.index for c in found]}
    pages = sorted({c.page for c in found if c.page is not None and c.page != chunk.page})
    if pages:  # Chroma takes no empty lists
        extra["also_pages"] = pages
    return extra
