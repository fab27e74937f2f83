"""The compute gate: how many searches a worker computes at once (``api.deps.compute_slots``), and
on which thread (``api.gate.ComputeGate``)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi.testclient import TestClient

from api.deps import compute_slots
from api.gate import ComputeGate


def test_a_worker_computes_one_search_per_core_it_has_and_at_least_one():
    assert compute_slots(2, cores=2) == 1  # rag serve --workers 2 on this 2-core machine
    assert compute_slots(1, cores=2) == 2  # one worker may use both cores
    assert compute_slots(3, cores=2) == 1
    assert compute_slots(2, cores=8) == 4
    assert compute_slots(1) >= 1  # from the cores this process may run on


def test_a_search_waits_for_a_free_slot_and_frees_it_after(client: TestClient):
    gate = client.app.state.compute_gate  # type: ignore[attr-defined]
    slots = compute_slots(client.app.state.settings.server.workers)  # type: ignore[attr-defined]
    for _ in range(slots):  # every slot busy, as with other searches running
        assert gate.acquire(blocking=False)
    answers: list[int] = []

    def ask() -> None:
        answers.append(client.post("/search", json={"query": "digital skills", "k": 2}).status_code)

    search = threading.Thread(target=ask)
    search.start()
    search.join(timeout=1.0)
    assert search.is_alive() and not answers  # queued behind the running searches
    for _ in range(slots):
        gate.release()
    search.join(timeout=60)
    assert answers == [200]
    for _ in range(slots):  # the search gave its slot back
        assert gate.acquire(blocking=False)
    for _ in range(slots):
        gate.release()


def test_a_lone_search_runs_on_the_event_loop_the_others_in_the_pool_and_the_loop_never_waits():
    """``ComputeGate.run``: no thread hand-off for the only gated work of a worker (~0.4 ms of a
    search); with other work in flight, or every slot taken, the pool, and the loop stays free."""
    gate = ComputeGate(2)

    async def scenario() -> None:
        loop_thread = threading.get_ident()
        assert await gate.run(threading.get_ident) == loop_thread  # alone: on the loop
        for _ in range(2):  # every slot taken (``/ask`` holds one around its search)
            assert gate.acquire(blocking=False)
        started, release = threading.Event(), threading.Event()

        def long_search() -> int:
            started.set()
            assert release.wait(10)
            return threading.get_ident()

        first = asyncio.ensure_future(gate.run(long_search))
        await asyncio.sleep(0.05)  # the loop runs on while the search waits for a slot in the pool
        assert not started.is_set() and not first.done()
        gate.release()
        assert await asyncio.to_thread(started.wait, 10)
        # another search while the first runs: in the pool too, on the slot it leaves
        gate.release()
        assert await gate.run(threading.get_ident) != loop_thread
        release.set()
        assert await first != loop_thread
        with pytest.raises(ValueError, match="bad query"):
            await gate.run(lambda: (_ for _ in ()).throw(ValueError("bad query")))
        assert await gate.run(threading.get_ident) == loop_thread  # alone again: nothing leaked
        for _ in range(2):  # and both slots are free
            assert gate.acquire(blocking=False)

    asyncio.run(scenario())
