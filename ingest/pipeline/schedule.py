"""The run loop: files parse in worker processes while this process keeps the encoder busy.

Chunks from finished files are embedded in full batches as they arrive, so parsing the
next files overlaps with embedding. With OpenVINO's throughput hint the encoder has streams
(one per core here), and one batch per stream is kept in flight from threads, while this
thread takes parsed files in and hands embedded chunks to the `Committer`.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import contextmanager
from typing import Any

from ingest.document import Chunk
from ingest.embedding import Embedder
from ingest.pipeline.commit import Committer, Staged, metadata
from ingest.pipeline.plan import ChunkOptions, PlanItem
from ingest.pipeline.prepare import Prepared, defer_to_encoder, prepare
from ingest.pipeline.report import Progress, Report
from ingest.pipeline.share import Sharing


class Scheduler:
    """One run's loop over the files to (re)ingest, with the pipeline's current settings."""

    def __init__(
        self,
        *,
        embedder: Embedder,
        chunking: ChunkOptions,
        committer: Committer,
        sharing: Sharing,
        workers: int,
        store_batch: int,
        encoder_calls: int | None,
    ) -> None:
        self.embedder = embedder
        self.chunking = chunking
        self.committer = committer
        self.sharing = sharing
        self.workers = workers
        self.store_batch = store_batch
        self.encoder_calls = encoder_calls

    def run(self, todo: list[PlanItem], report: Report, progress: Progress | None) -> None:
        model_dir = str(self.embedder.path)
        # Load the model while the first files are parsed, so the encoder never waits for it.
        loader = threading.Thread(target=lambda: self.embedder.model, daemon=True)
        loader.start()
        with self._executor(len(todo)) as pool:
            futures: dict[Future[Prepared], PlanItem] = {
                pool.submit(prepare, item.path, self.chunking, model_dir): item for item in todo
            }
            began = time.perf_counter()
            loader.join()
            report.add_time("load", time.perf_counter() - began)
            streams = max(1, self.encoder_calls or self.embedder.streams)
            loop = _Loop(self, futures, streams, report)
            try:
                with self._encoder(streams) as encoder:
                    while loop.has_work():
                        loop.step(encoder)
                        if progress:
                            progress(loop.done, len(todo), report.embedded, loop.current)
            except BaseException:
                # Files not yet parsed would never be stored: stop, instead of parsing them all
                # before the error gets out. (Committed files are complete; the rest is redone.)
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    @staticmethod
    def _encoder(streams: int) -> Executor:
        """Where encoder calls run. One stream: here, between the other steps, as a call uses
        every core (overlapping Chroma writes with it slowed it more than it hid them). More
        streams (OpenVINO's throughput hint): that many calls at once in threads, each stream
        on its own core, while this thread parses results in and writes Chroma."""
        if streams <= 1:
            return InlineExecutor()
        return ThreadPoolExecutor(max_workers=streams, thread_name_prefix="encode")

    @contextmanager
    def _executor(self, files: int) -> Iterator[Executor]:
        if self.workers <= 0 or files == 1:
            yield InlineExecutor()
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            min(self.workers, files),
            mp_context=context,
            initializer=defer_to_encoder,
            initargs=(os.getpid(),),
        ) as pool:
            yield pool


class _Loop:
    """One run's state between the parse workers, the encoder and the committer."""

    def __init__(
        self,
        scheduler: Scheduler,
        futures: dict[Future[Prepared], PlanItem],
        streams: int,
        report: Report,
    ) -> None:
        self.scheduler = scheduler
        self.committer = scheduler.committer
        self.batch_size = scheduler.embedder.batch_size
        self.futures = futures  # files still being parsed
        self.streams = streams
        self.report = report
        self.pending: list[tuple[PlanItem, Prepared, int]] = []  # (item, prepared, next chunk)
        self.waiting: dict[str, int] = {}  # doc_id → chunks not yet stored
        self.staged = Staged()  # embedded, not yet written to Chroma
        self.encoding: deque[_Encoding] = deque()  # batches in the encoder, oldest first
        self.busy = _Busy()  # when the encoder had work
        self.done = 0
        self.current: str | None = None  # the file of the last chunk given to the encoder

    def has_work(self) -> bool:
        return bool(self.futures or self.pending or self.encoding or self.staged)

    def step(self, encoder: Executor) -> None:
        """Take parsed files in, keep the encoder's streams busy, store what is embedded."""
        for future in self._ready():
            self._take_parsed(future)
        self._collect()  # first, so a finished batch's stream gets the next one
        while self._can_submit():
            self._submit(encoder)
        self._collect()  # inline batches are done already
        if len(self.staged) >= self.scheduler.store_batch or (
            self.staged and not self.futures and not self.pending and not self.encoding
        ):
            self._store()

    def _ready(self) -> list[Future[Prepared]]:
        """The parsed files; waits first when there is nothing else to do until a file is
        parsed or the oldest batch is encoded."""
        ready = [f for f in self.futures if f.done()]
        if not ready and not self._can_submit() and (self.futures or self.encoding):
            idle = not self.encoding
            began = time.perf_counter()
            either: list[Future[Any]] = [*self.futures]
            either += [self.encoding[0].future] if self.encoding else []
            wait(either, return_when=FIRST_COMPLETED)
            if idle:  # the encoder had nothing to do
                self.report.add_time("wait", time.perf_counter() - began)
            ready = [f for f in self.futures if f.done()]
        return ready

    def _take_parsed(self, future: Future[Prepared]) -> None:
        item = self.futures.pop(future)
        prepared = future.result()
        self.report.add_time("parse_cpu", prepared.cpu_seconds)
        if prepared.error:
            self.committer.fail(item, prepared, self.report)
            self.done += 1
            return
        self.scheduler.sharing.take(item, prepared)
        if not prepared.chunks:  # every text is stored already: nothing to embed
            self.committer.commit(item, prepared, self.report)
            self.done += 1
            return
        self.pending.append((item, prepared, 0))
        self.waiting[item.doc_id] = len(prepared.chunks)

    def _can_submit(self) -> bool:
        """A stream is free and there is a full batch, or the last chunks of the run."""
        if not self.pending or len(self.encoding) >= self.streams:
            return False
        queued = sum(len(p.chunks) - start for _, p, start in self.pending)
        return queued >= self.batch_size or not self.futures

    def _submit(self, encoder: Executor) -> None:
        taken = _take(self.pending, self.batch_size)
        self.current = taken[-1][0].path
        texts = [c.embed_text for _, _, c in taken]
        self.busy.start(self.encoding)
        began = time.perf_counter()  # inline, submit encodes right away
        encoded = encoder.submit(_timed, self.scheduler.embedder.embed_documents, texts)
        self.encoding.append(_Encoding(taken, encoded, began))

    def _collect(self) -> None:
        """Stage the batches the encoder has finished, oldest first."""
        while self.encoding and self.encoding[0].future.done():
            batch = self.encoding.popleft()
            self._stage(batch)
            self.busy.stop(batch, self.encoding, self.report)

    def _store(self) -> None:
        for item, prepared in self.committer.write(self.staged, self.waiting, self.report):
            began = time.perf_counter()
            self.committer.commit(item, prepared, self.report)
            self.report.add_time("commit", time.perf_counter() - began)
            self.done += 1

    def _stage(self, batch: _Encoding) -> None:
        """Move one encoded batch into `staged`, in the order its chunks were taken."""
        vectors, batch.ended = batch.future.result()
        seconds = batch.ended - batch.began
        self.report.embedded += len(batch.taken)
        now = time.time()
        for (item, prepared, chunk), vector in zip(batch.taken, vectors, strict=True):
            prepared.embed_seconds += seconds / len(batch.taken)  # its share of the batch
            self.staged.add(item, chunk, vector, metadata(item, prepared, chunk, now))
            self.staged.files.append((item, prepared))


Taken = list[tuple[PlanItem, Prepared, Chunk]]


def _take(pending: list[tuple[PlanItem, Prepared, int]], batch_size: int) -> Taken:
    """Up to `batch_size` queued chunks, first file first."""
    taken: Taken = []
    while pending and len(taken) < batch_size:
        item, prepared, start = pending[0]
        room = batch_size - len(taken)
        taken.extend((item, prepared, c) for c in prepared.chunks[start : start + room])
        if start + room >= len(prepared.chunks):
            pending.pop(0)
        else:
            pending[0] = (item, prepared, start + room)
    return taken


def _timed(encode: Callable[[list[str]], Any], texts: list[str]) -> tuple[Any, float]:
    """The vectors, and when the encoder finished them."""
    vectors = encode(texts)
    return vectors, time.perf_counter()


class _Encoding:
    """One batch in the encoder: its chunks, the future of (vectors, end time), when it began;
    `ended` is known once it is staged."""

    def __init__(self, taken: Taken, future: Future[tuple[Any, float]], began: float) -> None:
        self.taken = taken
        self.future = future
        self.began = self.ended = began


class _Busy:
    """The `embed` stage: wall time with at least one batch in the encoder."""

    def __init__(self) -> None:
        self.since = 0.0
        self.last = 0.0

    def start(self, encoding: deque[_Encoding]) -> None:
        if not encoding:
            self.since = self.last = time.perf_counter()

    def stop(self, batch: _Encoding, encoding: deque[_Encoding], report: Report) -> None:
        self.last = max(self.last, batch.ended)
        if not encoding:
            report.add_time("embed", self.last - self.since)


class InlineExecutor(Executor):
    """Runs tasks in this process: for one file, or `--workers 0`."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:
            future.set_exception(e)
        return future
