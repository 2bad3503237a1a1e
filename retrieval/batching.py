"""Concurrent calls that share one run of an expensive function: `Coalescer`.

A model run costs about as much for one short text as for a few: OpenVINO runs MiniLM on one
19-token query in ~6 ms of CPU here, most of it streaming the weights through the cache, and
four queries in one run in ~4 ms each (dev questions, batch 1 → 4). A loaded server embeds one
query per search, from several threads at once; a `Coalescer` lets those calls share runs.

There is no waiting window, so a lone call is never delayed: a call that finds a slot free runs
at once, taking with it the calls queued before it (oldest first, up to `max_items` items);
calls that arrive while every slot is busy queue, and the first of their callers to find a slot
free runs them together. A caller whose call is already in a run only waits for that run. The
run happens in a caller's thread: no worker threads to start or stop.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(eq=False, slots=True)
class _Call(Generic[T, R]):
    items: list[T]
    results: list[R] | None = None
    error: BaseException | None = None
    taken: bool = False  # in a run (or done)
    done: bool = False


class Coalescer(Generic[T, R]):
    """`run(items) -> results` (one result per item, in order), shared by concurrent callers.

    Args:
        slots: runs that may go on at once (an OpenVINO model's streams).
        max_items: items per run; a single call with more still runs whole.
        alone_on_error: whether a shared run that raised this error is retried call by call,
            so that one caller's bad input is not the others' error. Say no for failures
            that are nobody's input (a store that is down): retrying would only repeat them.
    """

    def __init__(
        self,
        run: Callable[[list[T]], list[R]],
        *,
        slots: int,
        max_items: int,
        alone_on_error: Callable[[Exception], bool] = lambda error: True,
    ) -> None:
        if slots < 1 or max_items < 1:
            raise ValueError("slots and max_items must be at least 1")
        self._run = run
        self.slots = slots
        self.max_items = max_items
        self._alone_on_error = alone_on_error
        self._cond = threading.Condition()
        self._queue: deque[_Call[T, R]] = deque()
        self._busy = 0
        self.calls = 0  # calls served
        self.runs = 0  # runs made: calls / runs is the mean sharing

    def __call__(self, items: Sequence[T]) -> list[R]:
        call: _Call[T, R] = _Call(list(items))
        if not call.items:
            return []
        with self._cond:
            self._queue.append(call)
        while True:
            with self._cond:
                while not call.done and (call.taken or self._busy >= self.slots):
                    self._cond.wait()
                if call.done:
                    break
                self._busy += 1
                batch = self._take()
            try:
                self._execute(batch)
            except BaseException as e:  # an interrupt: the run's other callers learn of it
                for taken in batch:
                    if taken.results is None and taken.error is None:
                        taken.error = RuntimeError(f"the shared run was interrupted ({e!r})")
                raise
            finally:
                with self._cond:
                    self._busy -= 1
                    for taken in batch:
                        taken.done = True
                    self._cond.notify_all()
        if call.error is not None:
            raise call.error
        assert call.results is not None
        return call.results

    def _take(self) -> list[_Call[T, R]]:
        """The queued calls, oldest first, up to `max_items` items (at least one call)."""
        batch = [self._queue.popleft()]
        count = len(batch[0].items)
        while self._queue and count + len(self._queue[0].items) <= self.max_items:
            count += len(self._queue[0].items)
            batch.append(self._queue.popleft())
        for call in batch:
            call.taken = True
        return batch

    def _execute(self, batch: list[_Call[T, R]]) -> None:
        try:
            results = self._checked([item for call in batch for item in call.items])
        except Exception as e:
            error = e
        else:
            start = 0
            for call in batch:
                call.results = results[start : start + len(call.items)]
                start += len(call.items)
            with self._cond:
                self.calls += len(batch)
                self.runs += 1
            return
        if len(batch) > 1 and self._alone_on_error(error):  # whose input was it? each alone
            for call in batch:
                self._execute([call])
        else:
            for call in batch:
                call.error = error

    def _checked(self, items: list[T]) -> list[R]:
        results = list(self._run(items))
        if len(results) != len(items):
            raise RuntimeError(f"run gave {len(results)} results for {len(items)} items")
        return results
