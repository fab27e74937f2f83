"""Dependencies the routes declare: settings, the index holder, and the engine for this request.

``EngineDep`` is the one a route needs to answer from the index: it is resolved once per request
(FastAPI caches a dependency within a request), so the whole request uses one engine even if a
rebuilt index is swapped in meanwhile. It raises the holder's reason (503, naming ``rag build``)
while no usable index is loaded.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from api.gate import ComputeGate
from api.state import Engine, IndexHolder, cores_per_worker
from rag.config import Settings

# The dependencies below only read a reference, so they are ``async``: FastAPI runs a plain ``def``
# dependency in the thread pool, a hand-off each (0.2 ms of a search's 0.8 ms in the framework,
# measured in-process through the ASGI app), and a waiting request must not queue for a pool slot.


async def get_app_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_holder(request: Request) -> IndexHolder:
    return cast(IndexHolder, request.app.state.holder)


async def get_engine(holder: Annotated[IndexHolder, Depends(get_holder)]) -> Engine:
    return holder.current()


def compute_slots(workers: int, cores: int | None = None) -> int:
    """How many searches one worker computes at once: the cores each worker has, at least one.

    A search is CPU work (the query encoder, the reranker, Python in between). Run in the thread
    pool without a limit, a worker's concurrent searches share its core by taking turns at the GIL,
    so each waits for all the others to finish: with 2 workers on 2 cores and 8 clients, p95 latency
    was 86 ms that way and 64 ms with one search at a time per worker, at the same throughput
    (``bench/load.py``; README, Load). With fewer workers than cores a worker may use the spare
    cores (the encoder and FAISS release the GIL), so it gets a slot per core it has.
    """
    return cores_per_worker(workers, cores)


async def get_compute_gate(request: Request) -> ComputeGate:
    return cast(ComputeGate, request.app.state.compute_gate)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
HolderDep = Annotated[IndexHolder, Depends(get_holder)]
EngineDep = Annotated[Engine, Depends(get_engine)]
# ``await gate.run(work)`` (an async route) or ``with gate:`` (in a thread) around a route's CPU-bound
# work: ``compute_slots`` searches at once per worker (``api.gate``)
ComputeGateDep = Annotated[ComputeGate, Depends(get_compute_gate)]
