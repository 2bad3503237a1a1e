"""The worker side of a run: parse and chunk one file in a process of the pool."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ingest.document import Chunk
from ingest.embedding.model import WindowCheck
from ingest.encodings import get_encoding
from ingest.errors import IngestError
from ingest.ledger import Share
from ingest.pipeline.dedup import collapse, repoint_specs
from ingest.pipeline.plan import ChunkOptions
from ingest.specs.model import DocumentSpecs

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Prepared:
    """A worker's result for one file: its chunks, or why there are none."""

    title: str = ""
    chunks: list[Chunk] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    specs: DocumentSpecs = field(default_factory=DocumentSpecs)
    error: str | None = None
    parse_seconds: float = 0.0  # parsing and chunking, wall time in the worker
    embed_seconds: float = 0.0  # this file's share of the encoder's time, added as it embeds
    cpu_seconds: float = 0.0
    # The content identity: the sha256 of the very bytes that were parsed, and the file's
    # (size, mtime_ns) when they were read, to notice a change after the read.
    sha256: str = ""
    stamp: tuple[int, int] | None = None
    # Later occurrences of a chunk's text, by the stored chunk's index (`ingest.pipeline.dedup`):
    # `chunks` holds first occurrences only.
    copies: dict[int, list[Chunk]] = field(default_factory=dict)
    # Chunks whose text another document stores (`ingest.pipeline.share`), out of `chunks`.
    shares: list[Share] = field(default_factory=list)


@cache
def _window(model_dir: str) -> WindowCheck:
    return WindowCheck(Path(model_dir))


def prepare(path: str, options: ChunkOptions, model_dir: str) -> Prepared:
    """Parse and chunk one file (runs in a worker process). Never raises for a bad file."""
    began = time.thread_time()
    prepared = _prepare(path, options, model_dir)
    prepared.cpu_seconds = time.thread_time() - began
    return prepared


def _prepare(path: str, options: ChunkOptions, model_dir: str) -> Prepared:
    started = time.perf_counter()
    try:
        data, stamp = read_source(path)
    except OSError as e:
        reason = f"cannot read the file: {e.strerror or e}"
        return Prepared(error=reason, parse_seconds=time.perf_counter() - started)
    prepared = _parse(path, data, options, model_dir, started)
    prepared.sha256, prepared.stamp = hashlib.sha256(data).hexdigest(), stamp
    return prepared


def read_source(path: str) -> tuple[bytes, tuple[int, int]]:
    """The file's bytes, read once, and its (size, mtime_ns) as they were read: hashing and
    parsing both use these bytes, so a file rewritten meanwhile is never stored under the
    hash of other content."""
    with open(path, "rb") as handle:
        data = handle.read()
        stat = os.fstat(handle.fileno())
    return data, (stat.st_size, stat.st_mtime_ns)


def _parse(
    path: str, data: bytes, options: ChunkOptions, model_dir: str, started: float
) -> Prepared:
    from ingest.chunk import chunk_document
    from ingest.parse import parse_bytes
    from ingest.specs import extract_specs

    try:
        doc = parse_bytes(data, Path(path))
        chunks = chunk_document(
            doc,
            max_tokens=options.max_tokens,
            overlap=options.overlap,
            encoding=get_encoding(options.encoding),
            fits=_window(model_dir),
        )
    except IngestError as e:
        return Prepared(error=str(e), parse_seconds=time.perf_counter() - started)
    except Exception as e:  # a parser bug on one file must not stop the batch
        log.exception("unexpected failure preparing %s", path)
        return Prepared(
            error=f"{type(e).__name__}: {e}", parse_seconds=time.perf_counter() - started
        )
    if not chunks:
        return Prepared(
            title=doc.title,
            warnings=doc.warnings,
            error="no text to index",
            parse_seconds=time.perf_counter() - started,
        )
    specs = extract_specs(doc, chunks, options.specs) if options.specs else DocumentSpecs()
    stored, copies = collapse(chunks)
    return Prepared(
        title=doc.title,
        chunks=stored,
        copies=copies,
        warnings=doc.warnings,
        specs=repoint_specs(specs, copies),
        parse_seconds=time.perf_counter() - started,
    )


def defer_to_encoder(parent: int) -> None:
    """Parse workers run at the lowest CPU priority: they fill the cycles the encoder leaves
    idle instead of taking cores from it. A one-stream encoder's threads synchronise at every
    layer, so one descheduled thread stalls them all (independent streams suffer less);
    parsing is a few percent of the work, and when the encoder runs out of chunks it waits
    and the workers get the whole machine."""
    try:
        os.nice(19)
    except OSError:
        pass
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """A worker whose ingest was killed (SIGKILL leaves no time to stop the pool) would wait
    on its task queue forever, holding its memory; it exits once `parent` is gone (even if
    that happened before this worker got here)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
