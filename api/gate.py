"""The compute gate: how many searches one worker computes at once, and on which thread.

A search is CPU work of a few milliseconds (the query encoder, the reranker, Python in between).
``ComputeGate.run`` takes one of the worker's ``compute_slots`` and runs the work:

- on the event loop itself when it is the only gated work in this worker (the common case of a
  worker between requests): handing it to the thread pool and back costs two cross-thread wake-ups
  and GIL hand-overs, ~0.4 ms of a ~6 ms hybrid search over HTTP (client p50 6.1-6.2 ms against
  6.4-6.7 ms in three runs each on bench/targets.py's questions), and the loop has nothing else to
  serve meanwhile;
- in the thread pool otherwise, so that the loop goes on reading the other requests while it waits
  for a slot or computes.

A request that arrives during a search run on the loop is read once that search ends (a few
milliseconds; ~20-40 ms for a question in another language). Never does the loop wait for a slot:
when every slot is taken (``/ask`` holds one around its search, a thread-pool search another) the
work goes to the pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


class ComputeGate:
    """``slots`` searches at once in this worker; ``with gate:`` in a thread, ``await gate.run(work)``
    in an ``async`` route. Only the event loop's thread calls ``run`` (its counter needs no lock)."""

    def __init__(self, slots: int) -> None:
        self._semaphore = threading.BoundedSemaphore(slots)
        self._running = 0  # ``run`` calls begun and not ended, in the pool or on the loop

    def __enter__(self) -> ComputeGate:
        self._semaphore.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._semaphore.release()

    def acquire(self, blocking: bool = True) -> bool:
        return self._semaphore.acquire(blocking)

    def release(self) -> None:
        self._semaphore.release()

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` in a slot: on the loop when nothing else gated runs here, else in the pool."""
        alone = self._running == 0
        self._running += 1
        try:
            if alone and self._semaphore.acquire(blocking=False):
                try:
                    return work()
                finally:
                    self._semaphore.release()
            return await run_in_threadpool(self._in_slot, work)
        finally:
            self._running -= 1

    def _in_slot(self, work: Callable[[], T]) -> T:
        with self:
            return work()
