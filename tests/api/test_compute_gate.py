"""The compute gate: how many searches a worker computes at once (``api.deps.compute_slots``)."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from api.deps import compute_slots


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
