"""`Coalescer`: concurrent calls share runs, a lone call runs at once, errors stay their own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from retrieval.batching import Coalescer


class Recorder:
    """A run that doubles its items, records each run, and can be held until released."""

    def __init__(self) -> None:
        self.runs: list[list[int]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Semaphore(0)
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def __call__(self, items: list[int]) -> list[int]:
        with self._lock:
            self.runs.append(list(items))
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.started.release()
        self.hold.wait(10)
        with self._lock:
            self.running -= 1
        if any(item < 0 for item in items):
            raise ValueError(f"negative item in {items}")
        return [item * 2 for item in items]


def _thread(outcomes: list[object], i: int, call: Callable[[], object]) -> threading.Thread:
    """A thread that stores what `call` returns, or raises, in `outcomes[i]`."""

    def run() -> None:
        try:
            outcomes[i] = call()
        except BaseException as e:
            outcomes[i] = e

    return threading.Thread(target=run)


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def _joined(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()


def _queued_behind_a_held_run(
    coalescer: Coalescer[int, int], recorder: Recorder, items: list[list[int]]
) -> list[object]:
    """The first call's run holds the only slot while the others queue behind it, in order;
    then all go on. What each call returned or raised."""
    recorder.hold.clear()
    outcomes: list[object] = [None] * len(items)
    threads = [_thread(outcomes, i, lambda b=batch: coalescer(b)) for i, batch in enumerate(items)]
    threads[0].start()
    assert recorder.started.acquire(timeout=10)  # the first run has begun
    for queued, thread in enumerate(threads[1:], 1):
        thread.start()
        _until(lambda n=queued: len(coalescer._queue) == n)
    recorder.hold.set()
    _joined(threads)
    return outcomes


def test_a_lone_call_runs_at_once_with_only_its_items() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder, slots=1, max_items=4)
    assert coalescer([1, 2]) == [2, 4]
    assert coalescer([3]) == [6]
    assert coalescer([]) == []
    assert recorder.runs == [[1, 2], [3]]
    assert (coalescer.calls, coalescer.runs) == (2, 2)


def test_calls_queued_behind_a_busy_slot_share_the_next_run_in_order() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder, slots=1, max_items=4)
    outcomes = _queued_behind_a_held_run(coalescer, recorder, [[1], [2], [3, 4], [5]])
    assert outcomes == [[2], [4], [6, 8], [10]]
    assert recorder.runs == [[1], [2, 3, 4, 5]]
    assert (coalescer.calls, coalescer.runs) == (4, 2)


def test_a_run_takes_at_most_max_items_but_a_big_call_goes_whole() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder, slots=1, max_items=2)
    outcomes = _queued_behind_a_held_run(coalescer, recorder, [[1], [2], [3], [4, 5, 6]])
    assert outcomes == [[2], [4], [6], [8, 10, 12]]
    assert recorder.runs == [[1], [2, 3], [4, 5, 6]]


def test_a_failing_shared_run_fails_only_the_call_that_caused_it() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder, slots=1, max_items=4)
    outcomes = _queued_behind_a_held_run(coalescer, recorder, [[1], [2], [-3], [4]])
    assert outcomes[0] == [2] and outcomes[1] == [4] and outcomes[3] == [8]
    assert isinstance(outcomes[2], ValueError) and "[-3]" in str(outcomes[2])
    assert recorder.runs == [[1], [2, -3, 4], [2], [-3], [4]]  # the shared run, then one by one
    with pytest.raises(ValueError, match="negative"):
        coalescer([-1])


def test_runs_go_on_at_once_up_to_the_slots() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder, slots=2, max_items=1)
    recorder.hold.clear()
    outcomes: list[object] = [None] * 4
    threads = [_thread(outcomes, i, lambda i=i: coalescer([i])) for i in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(2):  # two runs begin, and while they are held no third does
        assert recorder.started.acquire(timeout=10)
    _until(lambda: len(coalescer._queue) == 2)
    assert recorder.running == 2
    recorder.hold.set()
    _joined(threads)
    assert outcomes == [[0], [2], [4], [6]]
    assert recorder.most_at_once == 2


def test_a_failure_that_is_nobodys_input_fails_the_shared_run_once() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder, slots=1, max_items=4, alone_on_error=lambda e: False)
    outcomes = _queued_behind_a_held_run(coalescer, recorder, [[1], [2], [-3], [4]])
    assert outcomes[0] == [2]
    assert all(isinstance(o, ValueError) for o in outcomes[1:])
    assert recorder.runs == [[1], [2, -3, 4]]


class Interrupt(BaseException):
    """Stands for KeyboardInterrupt or SystemExit inside a run."""


def test_an_interrupted_shared_run_ends_every_call_in_it() -> None:
    def run(items: list[int]) -> list[int]:
        if 99 in items:
            raise Interrupt
        return recorder(items)

    recorder = Recorder()
    coalescer = Coalescer(run, slots=1, max_items=4)
    outcomes = _queued_behind_a_held_run(coalescer, recorder, [[1], [2], [99], [3]])
    assert outcomes[0] == [2]
    shared = outcomes[1:]  # the caller that ran them raises the interrupt, the others learn of it
    assert sum(isinstance(o, Interrupt) for o in shared) == 1
    assert sum(isinstance(o, RuntimeError) and "interrupted" in str(o) for o in shared) == 2
    assert coalescer([5]) == [10]  # and the slot is free again


def test_a_run_giving_the_wrong_number_of_results_is_an_error() -> None:
    coalescer: Coalescer[int, int] = Coalescer(lambda items: items[:-1], slots=1, max_items=4)
    with pytest.raises(RuntimeError, match="1 results for 2 items"):
        coalescer([1, 2])


def test_slots_and_max_items_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Coalescer(Recorder(), slots=0, max_items=1)
    with pytest.raises(ValueError):
        Coalescer(Recorder(), slots=1, max_items=0)
