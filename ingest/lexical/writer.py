"""Builds the lexical index (format: `ingest.lexical.format`) from every chunk in Chroma.

Rebuilds stay cheap because each chunk's tokens are cached in SQLite, keyed by chunk id and
the sha1 of what was tokenized: after a one-file change only that file's chunks are
tokenized again. One rebuild at a time (a file lock).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from array import array
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from ingest.analysis import TOKENIZER_VERSION, tokenize
from ingest.errors import LexicalIndexError, StoreCorrupt
from ingest.lexical.boilerplate import Boilerplate
from ingest.lexical.format import (
    BM25_PARAMS,
    CURRENT,
    FILES,
    FORMAT_VERSION,
    INT_FIELDS,
    MANIFEST,
    TEXT_FIELDS,
    TEXTS,
    checksums,
    field_value,
    lexical_text,
    pack_tokens,
    pointer,
    unpack_tokens,
    verify,
)
from ingest.storage.engine import open_database, upsert
from ingest.storage.tables import meta, tokens
from ingest.store import ChromaStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RebuildStats:
    chunks: int
    tokenized: int  # chunks whose tokens were not in the cache
    vocabulary: int
    generation: str
    seconds: float


class TokenCache:
    """Tokens per chunk id, valid while the sha1 of the tokenized text is unchanged."""

    def __init__(self, location: Path | str) -> None:
        self._db = open_database(location, store="tokens")
        version = sa.select(meta.c.value).where(meta.c.key == "tokenizer")
        with self._db.write() as connection:
            if connection.execute(version).scalar() != TOKENIZER_VERSION:
                connection.execute(sa.delete(tokens))
                connection.execute(
                    upsert(connection, meta, ["key"]),
                    {"key": "tokenizer", "value": TOKENIZER_VERSION},
                )

    def load(self) -> dict[str, tuple[str, bytes]]:
        query = sa.select(tokens.c.chunk_id, tokens.c.sha1, tokens.c.tokens)
        with self._db.read() as connection:
            return {chunk_id: (sha1, blob) for chunk_id, sha1, blob in connection.execute(query)}

    def save(self, rows: list[tuple[str, str, bytes]], gone: list[str]) -> None:
        fresh = [{"chunk_id": i, "sha1": sha1, "tokens": blob} for i, sha1, blob in rows]
        with self._db.write() as connection:
            if fresh:
                connection.execute(upsert(connection, tokens, ["chunk_id"]), fresh)
            if gone:
                connection.execute(
                    sa.delete(tokens).where(tokens.c.chunk_id == sa.bindparam("gone")),
                    [{"gone": chunk_id} for chunk_id in gone],
                )

    def close(self) -> None:
        self._db.close()


class _Columns:
    """Chunk ids, texts and filterable metadata, aligned with the BM25 document order."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.texts: list[bytes] = []
        self.values: dict[str, dict[str, int]] = {f: {} for f in TEXT_FIELDS}
        self.codes: dict[str, array[int]] = {f: array("i") for f in TEXT_FIELDS}
        self.ints: dict[str, array[int]] = {f: array("i") for f in INT_FIELDS}

    def add(self, chunk_id: str, text: str, metadata: Mapping[str, Any]) -> None:
        self.ids.append(chunk_id)
        self.texts.append(text.encode("utf-8"))
        for field in TEXT_FIELDS:
            value = field_value(metadata, field)
            table = self.values[field]
            self.codes[field].append(table.setdefault(value, len(table)))
        for field in INT_FIELDS:
            raw = metadata.get(field)
            self.ints[field].append(int(raw) if isinstance(raw, int | float) else -1)

    def write(self, folder: Path) -> dict[str, list[str]]:
        for field in TEXT_FIELDS:
            np.save(folder / f"{field}.codes.npy", np.asarray(self.codes[field], dtype=np.int32))
        for field in INT_FIELDS:
            np.save(folder / f"{field}.npy", np.asarray(self.ints[field], dtype=np.int32))
        (folder / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), "utf-8")
        # Texts as one UTF-8 blob and the offset of each: a reader slices its results out of
        # the memory-mapped blob instead of asking Chroma for them.
        offsets = np.zeros(len(self.texts) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in self.texts], out=offsets[1:])
        np.save(folder / f"{TEXTS}.offsets.npy", offsets)
        (folder / f"{TEXTS}.bin").write_bytes(b"".join(self.texts))
        return {field: list(self.values[field]) for field in TEXT_FIELDS}


class LexicalIndex:
    """Writes the BM25 index of one Chroma collection into `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def exists(self) -> bool:
        """Whether CURRENT is there (sound or not: `problem` says)."""
        return (self.directory / CURRENT).exists()

    def problem(self) -> str | None:
        """What is wrong with the live generation (a file that does not match its checksum, a
        garbled CURRENT), or None when it is sound or was never built. Reads every file: on
        the shared corpus index this cost about as much as loading it."""
        return verify(self.directory)

    def rebuild(self, store: ChromaStore) -> RebuildStats:
        """Build a fresh generation from every chunk now in `store`, and make it live."""
        started = time.perf_counter()
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._locked():
            cache = self._open_cache()
            try:
                stats = self._build(store, cache, started)
            finally:
                cache.close()
        log.info(
            "lexical index %s: %d chunks (%d tokenized), %d terms, %.2f s",
            stats.generation,
            stats.chunks,
            stats.tokenized,
            stats.vocabulary,
            stats.seconds,
        )
        return stats

    def _open_cache(self) -> TokenCache:
        """The token cache; a damaged one is only a cache: moved aside, and started afresh."""
        location = self.directory / "tokens.sqlite3"
        try:
            return TokenCache(location)
        except StoreCorrupt as e:
            aside = location.with_name(f"tokens.corrupt-{int(time.time())}.sqlite3")
            log.warning("%s; moved to %s, every chunk is tokenized again", e, aside.name)
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{location}{suffix}")
                if part.exists():
                    os.replace(part, Path(f"{aside}{suffix}"))
            return TokenCache(location)

    def _build(self, store: ChromaStore, cache: TokenCache, started: float) -> RebuildStats:
        cached = cache.load()
        fresh: list[tuple[str, str, bytes]] = []
        columns = _Columns()
        vocabulary: dict[str, int] = {}
        corpus: list[array[int]] = []
        chunks = list(store.iter_chunks())
        # Lines many documents of a source repeat are left out of what BM25 sees.
        boilerplate = Boilerplate.find((text, metadata) for _, text, metadata in chunks)
        for chunk_id, text, metadata in chunks:
            source = lexical_text(boilerplate.strip(text, metadata), metadata)
            digest = hashlib.sha1(source.encode("utf-8")).hexdigest()
            hit = cached.get(chunk_id)
            if hit is not None and hit[0] == digest:
                tokens = unpack_tokens(hit[1])
            else:
                tokens = tokenize(source)
                fresh.append((chunk_id, digest, pack_tokens(tokens)))
            corpus.append(array("i", (vocabulary.setdefault(t, len(vocabulary)) for t in tokens)))
            columns.add(chunk_id, text, metadata)
        present = set(columns.ids)
        cache.save(fresh, [chunk_id for chunk_id in cached if chunk_id not in present])
        generation = self._write(corpus, vocabulary, columns)
        return RebuildStats(
            chunks=len(columns.ids),
            tokenized=len(fresh),
            vocabulary=len(vocabulary),
            generation=generation,
            seconds=time.perf_counter() - started,
        )

    def _write(
        self, corpus: list[array[int]], vocabulary: dict[str, int], columns: _Columns
    ) -> str:
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=self.directory))
        try:
            manifest: dict[str, Any] = {
                "format": FORMAT_VERSION,
                "tokenizer": TOKENIZER_VERSION,
                "count": len(columns.ids),
                "built_at": time.time(),
                "bm25": BM25_PARAMS,
            }
            manifest["values"] = columns.write(staging)
            if any(len(doc) for doc in corpus):
                _write_bm25(staging / "bm25", corpus, vocabulary)
            else:
                manifest["empty"] = True  # no chunk has a token: every query finds nothing
            manifest[FILES] = checksums(staging)
            body = json.dumps(manifest, ensure_ascii=False).encode("utf-8")
            (staging / MANIFEST).write_bytes(body)
            name = self._next_generation()
            os.rename(staging, self.directory / name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        staged_pointer = self.directory / f".{CURRENT}.tmp"
        staged_pointer.write_text(pointer(name, body), encoding="utf-8")
        os.replace(staged_pointer, self.directory / CURRENT)
        self._prune(keep={name, *_previous(self.directory, name)})
        return name

    def _next_generation(self) -> str:
        numbers = [int(p.name[4:]) for p in self.directory.glob("gen-*") if p.name[4:].isdigit()]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def _prune(self, *, keep: set[str]) -> None:
        for path in self.directory.iterdir():
            stale_build = path.name.startswith(".build-")
            if (path.name.startswith("gen-") and path.name not in keep) or stale_build:
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.directory / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _previous(directory: Path, name: str) -> list[str]:
    """The generation just before `name`, kept for a reader that may still be loading it."""
    older = sorted(p.name for p in directory.glob("gen-*") if p.name < name)
    return older[-1:]


def _write_bm25(folder: Path, corpus: list[array[int]], vocabulary: dict[str, int]) -> None:
    import bm25s

    # bm25s sets its own logger to DEBUG on import, which bypasses the application's level
    # and prints "Building index from IDs" on every rebuild; put it back under the root's.
    logging.getLogger("bm25s").setLevel(logging.NOTSET)

    try:
        model = bm25s.BM25(**BM25_PARAMS)
        model.index((corpus, vocabulary), show_progress=False)
        model.save(str(folder), show_progress=False)
    except Exception as e:
        raise LexicalIndexError(f"cannot build the BM25 index in {folder}: {e}") from e
