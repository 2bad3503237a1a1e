"""`Coalescer`: concurrent calls share runs, a lone call runs at once, errors stay their own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from ingest.coalesce import Coalescer


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


def _in_threads(calls: list[Callable[[], object]]) -> list[object]:
    """Start each call in a thread, a moment apart (so they queue in order); their outcomes."""
    outcomes: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            outcomes[i] = calls[i]()
        except Exception as e:
            outcomes[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
        time.sleep(0.02)
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    return outcomes


def _queued_behind_a_held_run(
    coalescer: Coalescer[int, int], recorder: Recorder, items: list[list[int]]
) -> list[object]:
    """The first call holds the only slot; the others queue behind it; then all go on."""
    recorder.hold.clear()

    def release_when_queued() -> None:
        recorder.started.acquire(timeout=10)  # the first run has begun
        deadline = time.monotonic() + 10
        while len(coalescer._queue) < len(items) - 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        recorder.hold.set()

    releaser = threading.Thread(target=release_when_queued)
    releaser.start()
    outcome = _in_threads([lambda batch=batch: coalescer(batch) for batch in items])
    releaser.join(10)
    return outcome


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

    def release_when_two_run() -> None:
        for _ in range(2):
            recorder.started.acquire(timeout=10)
        recorder.hold.set()

    releaser = threading.Thread(target=release_when_two_run)
    releaser.start()
    outcomes = _in_threads([lambda i=i: coalescer([i]) for i in range(4)])
    releaser.join(10)
    assert outcomes == [[0], [2], [4], [6]]
    assert recorder.most_at_once == 2


def test_a_run_giving_the_wrong_number_of_results_is_an_error() -> None:
    coalescer: Coalescer[int, int] = Coalescer(lambda items: items[:-1], slots=1, max_items=4)
    with pytest.raises(RuntimeError, match="1 results for 2 items"):
        coalescer([1, 2])


def test_slots_and_max_items_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Coalescer(Recorder(), slots=0, max_items=1)
    with pytest.raises(ValueError):
        Coalescer(Recorder(), slots=1, max_items=0)
