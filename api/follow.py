"""Keeps this instance's lexical index in step with a database other instances write too.

In a cluster (`SPECRAG_DATABASE_URL`) any instance or worker may ingest into the shared
Chroma server and ledger, and each API instance keeps its own BM25 index on its own disk. The
ledger's revision (`Ledger.revision`, raised in the transaction of every change, after the
change's chunks are in Chroma) says when that index is behind: each instance polls it, and
when it moved, rebuilds its lexical index from Chroma (unchanged chunks come from the token
cache; only the changed files' chunks are tokenized again). A search meanwhile answers from
the previous generation; the reader picks the new one up on its next search.

A rebuild costs time linear in the collection (BENCHMARKS.md, "Lexical index in a cluster"),
on a core the instance also answers on. While commits keep coming (workers ingesting), an
instance rebuilds back to back, about one core, and its index runs at most about two rebuilds
plus a poll behind. (Waiting as long as the last rebuild took before the next one halved that
CPU but doubled the lag: 66 s instead of 23 s at 30 000 chunks; the lag won.)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

FOLLOW_SECONDS = 1.0  # how often an instance asks the database whether the ledger moved


class Follower:
    """Calls `rebuild` whenever `revision()` differs from `built()`, the revision the live
    lexical index was built at (None: not known, e.g. just started on an existing index)."""

    def __init__(
        self,
        revision: Callable[[], int],
        built: Callable[[], int | None],
        rebuild: Callable[[], None],
        *,
        every: float = FOLLOW_SECONDS,
    ) -> None:
        self._revision = revision
        self._built = built
        self._rebuild = rebuild
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """One poll: rebuild if the ledger moved since the index was built; whether it did."""
        if self._revision() == self._built():
            return False
        self._rebuild()
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.check()
            except Exception:  # the database or Chroma away for a moment: try again next poll
                log.exception("cannot bring the lexical index in step with the shared ledger")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="specrag-follow", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop polling; waits for a rebuild under way (up to `timeout` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
