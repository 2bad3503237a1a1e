"""The ingest run behind one facade, `Pipeline`: plan → prepare (parse and chunk, in worker
processes) → schedule (embed in this one) → commit (Chroma, then the ledger) → report.

A file is committed to the ledger only after all of its chunks are in Chroma and its stale
chunks are gone, so a run killed at any instant and run again converges to the index a
clean run builds.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from ingest.embedding import Embedder
from ingest.ledger import Ledger
from ingest.pipeline.commit import Committer, dirty_marker
from ingest.pipeline.plan import (
    PIPELINE_VERSION,
    ChunkOptions,
    Plan,
    PlanItem,
    plan_deletions,
    plan_files,
)
from ingest.pipeline.recover import remove_orphans
from ingest.pipeline.report import Progress, Report
from ingest.pipeline.schedule import Scheduler
from ingest.pipeline.share import Sharing, hand_on
from ingest.store import ChromaStore


class Pipeline:
    """Ingest into one store and ledger with one embedder. Build once, run many times."""

    def __init__(
        self,
        *,
        store: ChromaStore,
        ledger: Ledger,
        embedder: Embedder,
        chunking: ChunkOptions,
        roots: list[Path] | None = None,
        max_file_bytes: int = 100 * 2**20,
        exclude: Sequence[str] = (),
        workers: int = 1,
        lock_path: Path | None = None,
        after_write: Callable[[], None] | None = None,
        store_batch: int = 256,
        encoder_calls: int | None = None,
        orphan_grace: float = 0.0,
    ) -> None:
        self.store = store
        self.store_batch = store_batch
        self.encoder_calls = encoder_calls  # None: as many as the embedder has streams
        self.ledger = ledger
        self.embedder = embedder
        self.chunking = chunking
        self.roots = roots or []
        self.max_file_bytes = max_file_bytes
        self.exclude = tuple(exclude)  # gitignore globs left out of every run (`ingest.ignore`)
        self.workers = workers
        self.lock_path = lock_path
        self.after_write = after_write
        # Orphan chunks younger than this are kept at the start of a run: with a Chroma
        # server, another instance may be between a document's chunks and its ledger row.
        self.orphan_grace = orphan_grace

    @property
    def fingerprint(self) -> str:
        c = self.chunking
        return f"v{PIPELINE_VERSION}:{c.encoding}:{c.max_tokens}:{c.overlap}:{self.embedder.name}"

    def plan(self, paths: list[Path], *, prune: bool = False, held: set[str] | None = None) -> Plan:
        """What a run over `paths` would do, file by file. Reads files, changes nothing.

        An unchanged file is planned again when Chroma lacks any of its chunks: `held` (the
        ids Chroma holds) is read here when not given.
        """
        return plan_files(
            paths,
            ledger=self.ledger,
            fingerprint=self.fingerprint,
            roots=self.roots,
            max_file_bytes=self.max_file_bytes,
            exclude=self.exclude,
            prune=prune,
            held=self.store.all_ids() if held is None else held,
        )

    def deletions(self, paths: list[Path]) -> list[PlanItem]:
        """What `plan(paths, prune=True)` would delete, from a listing of the folders alone."""
        return plan_deletions(
            paths,
            ledger=self.ledger,
            roots=self.roots,
            max_file_bytes=self.max_file_bytes,
            exclude=self.exclude,
        )

    def delete(self, doc_id: str) -> int:
        """Remove one document's chunks and ledger row; returns the chunks deleted."""
        with self._locked():
            self.mark_dirty()
            hand_on(self.store, self.ledger, {doc_id})
            deleted = self.store.delete_document(doc_id)
            self.ledger.delete(doc_id)
            self._sync_derived()
        return deleted

    @property
    def _dirty_marker(self) -> Path | None:
        if self.lock_path is None or self.after_write is None:
            return None
        return dirty_marker(self.lock_path)

    def mark_dirty(self) -> None:
        """Note, before touching Chroma, that derived indexes must be rebuilt."""
        if self._dirty_marker is not None:
            self._dirty_marker.touch()

    def _sync_derived(self) -> None:
        """Rebuild derived indexes (the lexical one) from Chroma, then clear the mark.

        A run killed between its writes and this call leaves the mark behind, so the next
        run rebuilds even when it has nothing else to do.
        """
        marker = self._dirty_marker
        if self.after_write is None or (marker is not None and not marker.exists()):
            return
        self.after_write()
        if marker is not None:
            marker.unlink(missing_ok=True)

    def run(
        self,
        paths: list[Path],
        *,
        prune: bool = False,
        progress: Progress | None = None,
        held: set[str] | None = None,
    ) -> Report:
        """Ingest `paths`. `held`: the chunk ids Chroma holds of the documents under `paths`,
        when the caller knows them (a queue worker's one file): the run then skips the sweep
        of orphan chunks, which reads every id of the collection, once per file there."""
        started = time.perf_counter()
        with self._locked():
            orphans: list[str] = []
            if held is None:
                held, orphans = remove_orphans(self.store, self.ledger, grace=self.orphan_grace)
            if orphans:
                self.mark_dirty()  # the lexical index may hold them: rebuilt below
            plan = self.plan(paths, prune=prune, held=held)
            report = Report(skipped=len(plan.of("skip")), orphans_removed=len(orphans))
            report.add_time("plan", time.perf_counter() - started)
            report.errors.extend(plan.discovery.failed)
            report.failed = len(plan.discovery.failed)
            passed = plan.discovery.unsupported + plan.discovery.excluded
            report.notes.extend(passed)
            report.skipped += len(passed)
            todo = plan.of("add") + plan.of("update")
            leaving = {i.doc_id for i in plan.of("update") + plan.of("delete")}
            if todo or leaving:
                self.mark_dirty()
            # Records others share are stored again as theirs before these documents change.
            hand_on(self.store, self.ledger, leaving)
            for item in plan.of("delete"):
                report.deleted += self.store.delete_document(item.doc_id)
                self.ledger.delete(item.doc_id)
                report.documents_deleted += 1
            if todo:
                self._ingest(todo, report, progress, leaving)
                self._replan_changed(report, progress)
            began = time.perf_counter()
            self._sync_derived()
            report.add_time("derived", time.perf_counter() - began)
        report.seconds = time.perf_counter() - started
        return report

    def recover(self) -> int:
        """Crash recovery at start-up: remove the chunks of documents never committed, and
        rebuild the derived indexes if a run left them behind. Returns the chunks removed.

        Never waits: while another process's run holds the lock (a Chroma server's other
        writers), that run does the same at its start, and this returns 0.
        """
        with self._locked(wait=False) as held:
            if not held:
                return 0
            _, orphans = remove_orphans(self.store, self.ledger, grace=self.orphan_grace)
            if orphans:
                self.mark_dirty()
            self._sync_derived()
        return len(orphans)

    def _replan_changed(self, report: Report, progress: Progress | None) -> None:
        """The files that changed while they were ingested are planned once more, at once:
        each is stored as it was read, and a file that moved on is ingested as it is now."""
        if not report.changed:
            return
        again = plan_files(
            [Path(p) for p in report.changed],
            ledger=self.ledger,
            fingerprint=self.fingerprint,
            roots=self.roots,
            max_file_bytes=self.max_file_bytes,
            exclude=self.exclude,
        )
        todo = again.of("add") + again.of("update")
        if not todo:
            return
        second = Report()
        hand_on(self.store, self.ledger, {item.doc_id for item in todo})
        self._ingest(todo, second, progress)
        # Each file is counted once, by its first pass; the chunks and notes of both count.
        report.added += second.added
        report.updated += second.updated
        report.deleted += second.deleted
        report.embedded += second.embedded
        report.shared += second.shared
        report.errors.extend(second.errors)
        report.notes.extend(second.notes)
        for stage, seconds in second.stages.items():
            report.add_time(stage, seconds)

    def locked(self) -> AbstractContextManager[bool]:
        """Hold the ingest lock (not reentrant: never around `run` or `delete`)."""
        return self._locked()

    def sync_derived(self) -> None:
        """Rebuild the derived indexes if a write left them behind (call holding the lock)."""
        self._sync_derived()

    @contextmanager
    def _locked(self, *, wait: bool = True) -> Iterator[bool]:
        """One writer at a time per data dir: a second run waits for the first (or, with
        `wait=False`, goes on at once, told False)."""
        if self.lock_path is None:
            yield True
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ingest(
        self,
        todo: list[PlanItem],
        report: Report,
        progress: Progress | None,
        rewriting: set[str] | None = None,
    ) -> None:
        """Ingest `todo`; `rewriting` (default: its documents) are the documents whose records
        may go in this run, which nothing new may share (`ingest.pipeline.share`)."""
        rewriting = {item.doc_id for item in todo} | (rewriting or set())
        scheduler = Scheduler(
            embedder=self.embedder,
            chunking=self.chunking,
            committer=Committer(self.store, self.ledger, self.fingerprint),
            sharing=Sharing(self.store, rewriting),
            workers=self.workers,
            store_batch=self.store_batch,
            encoder_calls=self.encoder_calls,
        )
        scheduler.run(todo, report, progress)
