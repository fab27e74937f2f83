"""The FastAPI app: ``create_app()`` wires settings, the index holder, routes, errors and middleware.

Run it with ``rag serve`` (builds the index first when needed), or directly with
``uvicorn --factory api.main:create_app``. The index is loaded in the lifespan into
``app.state.holder`` (``api.state.IndexHolder``); routes get it through ``api.deps``.

Example:
    >>> from fastapi.testclient import TestClient                     # doctest: +SKIP
    >>> with TestClient(create_app()) as client:                       # doctest: +SKIP
    ...     client.get("/search", params={"q": "digital skills"}).json()["results"][0]["citation"]
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

import rag
from api.deps import compute_slots
from api.errors import install_error_handlers
from api.gate import ComputeGate
from api.middleware import BodyLimitMiddleware, RequestLogMiddleware
from api.routes import (
    admin,
    ask,
    documents,
    health,
    pages,
    passages,
    precedents,
    references,
    search,
    versions,
)
from api.routes.pages import STATIC_DIR
from api.state import IndexHolder
from rag.config import Settings, get_settings

logger = logging.getLogger(__name__)

# Order matters where paths overlap: ``passages.router`` ends in a catch-all ``/passages/{id:path}``,
# so a router with passage sub-resources (``/passages/{id}/versions``) must come before it.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    search.router,
    ask.router,
    precedents.router,
    documents.router,
    references.router,
    versions.router,  # /passages/{id}/versions: before the /passages/{id:path} catch-all
    passages.router,
    pages.router,
)

DESCRIPTION = """
Search, question answering and precedent wording over ITU policy texts (WTPF reports and draft
opinions, the WTDC-25 Final Report, the WSIS action line roadmaps), each passage cited down to the
clause item or paragraph. A citator answers who cites an instrument (`/references`), what a passage
cites and what cites it (`/passages/{id}`), and how a paragraph changed between drafts
(`/passages/{id}/versions`).

Every error answer has the body `{"error": {"code", "message", "hint"}}`: 4xx for a problem with the
request (the message names the offending field or value and, for filters, lists the valid values),
503 while no usable index is loaded (the hint names `rag build`), 500 for a server fault (details
are only logged). Each answer carries an `X-Request-ID` header.
"""


def create_app(
    settings: Settings | None = None,
    *,
    holder: IndexHolder | None = None,
    reload_interval: float = 2.0,
    builder: admin.Builder | None = None,
) -> FastAPI:
    """Build the app.

    Args:
        settings: defaults to ``get_settings()`` (``RAG_*`` environment variables); ``rag serve``
            passes its options through the environment so that every worker process sees them.
        holder: an index holder to use (tests share one loaded index between apps); by default a new
            one that loads ``settings.index.index_dir`` at start-up.
        reload_interval: seconds between looks for a rebuilt index on disk (negative: never).
        builder: what ``POST /admin/reindex`` runs (default ``rag.index.store.build_index``); the
            route exists only when ``settings.server.admin_token`` is set.

    Raises:
        ConfigError: the admin token is too short to be safe.
    """
    settings = settings or get_settings()
    if settings.server.admin_token:
        admin.check_admin_token(settings.server.admin_token)
    holder = holder or IndexHolder(settings, check_interval=reload_interval)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if holder.engine is None:
            # in a worker thread: loading takes a second or two, and the event loop stays responsive
            await anyio.to_thread.run_sync(holder.load)
        yield
        holder.wait_for_reload(timeout=30.0)

    app = FastAPI(
        title="ITU policy texts retrieval API",
        version=rag.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.holder = holder
    app.state.compute_gate = ComputeGate(compute_slots(settings.server.workers))
    install_error_handlers(app)
    # an uploaded document may be larger than a query body: its own limit (and the multipart framing)
    uploads = (
        {"/admin/documents": settings.index.max_document_bytes + (64 << 10)}
        if settings.server.admin_token
        else {}
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.server.max_body_bytes, larger=uploads)
    if settings.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.server.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Authorization", "X-Request-ID"],
        )
    app.add_middleware(RequestLogMiddleware)  # added last: outermost, so it sees every answer
    for router in ROUTERS:
        app.include_router(router)
    if settings.server.admin_token:  # otherwise /admin/reindex is a 404 and not in OpenAPI
        app.state.reindexer = admin.Reindexer(settings, holder, builder or admin.default_builder)
        app.include_router(admin.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
