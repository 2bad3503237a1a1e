"""The lexical (BM25) index: built from every chunk in Chroma, persisted beside it.

Chroma is the source of truth; this index is derived from it and rebuilt whole after every
ingest run that changed Chroma (the pipeline's `after_write`). Rebuilds stay cheap because
each chunk's tokens are cached in SQLite, keyed by chunk id and the sha1 of what was
tokenized: after a one-file change only that file's chunks are tokenized again.

Layout of `directory`:

    CURRENT             the live generation's name and its manifest's digest, replaced
                        atomically
    gen-000007/         one complete index: bm25s arrays, vocab, manifest.json, columns,
                        and the chunk texts
    tokens.sqlite3      the token cache
    .lock               one rebuild at a time

A generation is written under a temporary name, renamed into place, and only then named
in CURRENT, so a reader sees the old index or the new one, never half of one. The previous
generation is kept for readers still loading it; older ones are removed.

Every file is checked before it is used: the manifest lists each file of its generation with
its size and blake2b digest, and CURRENT carries the manifest's own digest, so an edited,
truncated or missing file, or a garbled CURRENT, is a `LexicalIndexCorrupt` at load, never a
passage text or a citation. Readers hold what they verified (the texts and columns in memory),
not a map of a file that could change under them.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ingest.errors import LexicalIndexCorrupt

# 2: the cars each chunk is about; 3: the manifest lists every file's size and digest, and
# CURRENT the manifest's digest; 4: the other places of a repeated text (`also_chunks`,
# `also_pages`: `ingest.pipeline.dedup`).
FORMAT_VERSION = 4
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
# The other places of a stored chunk's text: lists of ints in Chroma.
PLACE_FIELDS = ("also_chunks", "also_pages")
# Metadata kept per chunk so filters and citations work without asking Chroma.
TEXT_FIELDS = ("source", "file_type", "title", "section", "doc_id", "cars", *PLACE_FIELDS)
CAR_SEPARATOR = "|"  # a list in Chroma (`cars`, the places); here its values joined, sorted


def field_value(metadata: Mapping[str, Any], field: str) -> str:
    """A text field of a chunk's metadata as the lexical index keeps it."""
    raw = metadata.get(field)
    if isinstance(raw, list | tuple):
        return CAR_SEPARATOR.join(sorted(str(v) for v in raw))
    return str(raw or "")


INT_FIELDS = ("chunk_index", "page")  # -1 where absent
TEXTS = "texts"  # texts.bin and texts.offsets.npy
FILES = "files"  # manifest key: every other file of the generation → [bytes, blake2b hex]
# What a generation holds besides bm25/ (absent when no chunk has a token).
REQUIRED = (
    "ids.json",
    f"{TEXTS}.bin",
    f"{TEXTS}.offsets.npy",
    *(f"{f}.codes.npy" for f in TEXT_FIELDS),
    *(f"{f}.npy" for f in INT_FIELDS),
)
_POINTER = re.compile(r"(gen-\d{6}) ([0-9a-f]{32})")
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


def digest(data: bytes) -> str:
    """The checksum of a file's bytes: blake2b, 128 bits."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def pointer(name: str, manifest: bytes) -> str:
    """What CURRENT holds: the live generation and the digest of its manifest."""
    return f"{name} {digest(manifest)}\n"


def read_current(directory: Path) -> tuple[str, str] | None:
    """(generation, manifest digest) named by CURRENT, or None before the first build.

    Raises LexicalIndexCorrupt when CURRENT holds anything else (a truncated or edited file).
    """
    try:
        raw = (directory / CURRENT).read_bytes()
    except FileNotFoundError:
        return None
    found = _POINTER.fullmatch(raw.decode("utf-8", "replace").strip())
    if found is None:
        raise LexicalIndexCorrupt(
            f"{directory / CURRENT} does not name a generation and its digest "
            f"(it holds {raw[:60]!r})"
        )
    return found[1], found[2]


def checksums(folder: Path) -> dict[str, list[int | str]]:
    """Size and digest of every file under `folder` but the manifest, by relative path."""
    found: dict[str, list[int | str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name != MANIFEST:
            data = path.read_bytes()
            found[name] = [len(data), digest(data)]
    return found


def read_manifest(folder: Path, expected_digest: str) -> dict[str, Any]:
    """The generation's manifest, once its bytes match CURRENT's digest and its format and
    file list are this version's."""
    try:
        raw = (folder / MANIFEST).read_bytes()
    except FileNotFoundError:
        raise LexicalIndexCorrupt(f"{folder / MANIFEST} is missing") from None
    if digest(raw) != expected_digest:
        raise LexicalIndexCorrupt(f"{folder / MANIFEST} does not match the digest in CURRENT")
    manifest: dict[str, Any] = json.loads(raw)
    if manifest.get("format") != FORMAT_VERSION:
        raise LexicalIndexCorrupt(
            f"{folder} was written in format {manifest.get('format')}, not {FORMAT_VERSION}"
        )
    files = manifest.get(FILES)
    missing = [n for n in REQUIRED if not isinstance(files, dict) or n not in files]
    if missing:
        raise LexicalIndexCorrupt(f"{folder / MANIFEST} lists no checksum for {missing[0]}")
    return manifest


def read_checked(folder: Path, manifest: Mapping[str, Any], name: str) -> bytes:
    """The bytes of one file of the generation, once they match the manifest's size and digest."""
    size, expected = manifest[FILES][name]
    path = folder / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LexicalIndexCorrupt(f"{path} is missing") from None
    if len(data) != size or digest(data) != expected:
        raise LexicalIndexCorrupt(
            f"{path} does not match its checksum ({len(data)} bytes, {size} written)"
        )
    return data


def verify(directory: Path) -> str | None:
    """Check the live generation whole (CURRENT, manifest, every file): None when it holds
    what was written (or no index was ever built), else what is wrong."""
    try:
        current = read_current(directory)
        if current is None:
            return None
        folder = directory / current[0]
        manifest = read_manifest(folder, current[1])
        for name in manifest[FILES]:
            read_checked(folder, manifest, name)
    except LexicalIndexCorrupt as e:
        return str(e)
    except (OSError, ValueError) as e:  # unreadable, or a manifest that is not JSON
        return f"cannot read the lexical index in {directory}: {e}"
    return None


def pack_tokens(tokens: list[str]) -> bytes:
    # Tokens never hold whitespace (the tokenizer splits on it), so a space joins them.
    return zlib.compress(" ".join(tokens).encode("utf-8"), 1)


def unpack_tokens(blob: bytes) -> list[str]:
    text = zlib.decompress(blob).decode("utf-8")
    return text.split(" ") if text else []
