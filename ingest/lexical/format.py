"""The lexical (BM25) index: built from every chunk in Chroma, persisted beside it.

Chroma is the source of truth; this index is derived from it and rebuilt whole after every
ingest run that changed Chroma (the pipeline's `after_write`). Rebuilds stay cheap because
each chunk's tokens are cached in SQLite, keyed by chunk id and the sha1 of what was
tokenized: after a one-file change only that file's chunks are tokenized again.

Layout of `directory`:

    CURRENT             name of the live generation, replaced atomically
    gen-000007/         one complete index: bm25s arrays, vocab, manifest.json, columns,
                        and the chunk texts
    tokens.sqlite3      the token cache
    .lock               one rebuild at a time

A generation is written under a temporary name, renamed into place, and only then named
in CURRENT, so a reader sees the old index or the new one, never half of one. The previous
generation is kept for readers still loading it; older ones are removed.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMAT_VERSION = 2  # 2: the cars each chunk is about
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
# Metadata kept per chunk so filters and citations work without asking Chroma.
TEXT_FIELDS = ("source", "file_type", "title", "section", "doc_id", "cars")
CAR_SEPARATOR = "|"  # `cars` is a list in Chroma; here its ids joined, sorted


def field_value(metadata: Mapping[str, Any], field: str) -> str:
    """A text field of a chunk's metadata as the lexical index keeps it."""
    raw = metadata.get(field)
    if isinstance(raw, list | tuple):
        return CAR_SEPARATOR.join(sorted(str(v) for v in raw))
    return str(raw or "")


INT_FIELDS = ("chunk_index", "page")  # -1 where absent
TEXTS = "texts"  # texts.bin and texts.offsets.npy; generations written before them lack both
# b below the usual 0.75: chunks are already length-capped, and full length normalisation
# let near-empty chunks (a PDF page holding only a title) outrank real passages.
BM25_PARAMS: dict[str, Any] = {"k1": 1.2, "b": 0.5, "method": "lucene"}


def lexical_text(text: str, metadata: Mapping[str, Any]) -> str:
    """What BM25 sees for a chunk: its header (title and section path), then its text."""
    header = str(metadata.get("header") or "")
    if not header:
        parts = [str(metadata.get(key) or "") for key in ("title", "section")]
        header = " > ".join(p for p in parts if p)
    return f"{header}\n{text}" if header else text


def read_current(directory: Path) -> str | None:
    """The live generation's folder name, or None before the first build."""
    try:
        name = (directory / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def pack_tokens(tokens: list[str]) -> bytes:
    # Tokens never hold whitespace (the tokenizer splits on it), so a space joins them.
    return zlib.compress(" ".join(tokens).encode("utf-8"), 1)


def unpack_tokens(blob: bytes) -> list[str]:
    text = zlib.decompress(blob).decode("utf-8")
    return text.split(" ") if text else []
