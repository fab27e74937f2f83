"""``POST /admin/reindex``: rebuild the index from the corpus and swap it in, for the admin token's holder.

The route exists only when ``RAG_ADMIN_TOKEN`` is set: ``api.main.create_app`` includes this router
then; otherwise ``/admin/reindex`` is a 404 like any unknown path, and absent from OpenAPI.

- Access: ``Authorization: Bearer <token>``. No header, another scheme or an empty token is a 401 (with
  ``WWW-Authenticate: Bearer``), a wrong token a 403. The token is compared with
  ``hmac.compare_digest`` (the time taken does not depend on where the strings differ), and it is
  never logged nor echoed. A token shorter than 16 characters is refused at start-up.
- Work: ``rag.index_store.build_index`` (incremental, atomic: a failed build leaves the served index
  alone) and the load of the new index run in a worker thread, so the event loop keeps answering
  other requests; the old index serves every request until the new one is swapped in.
- Concurrent calls: while a reindex runs in a worker process, another call to that worker gets 409
  ``reindex_running`` (with Retry-After) at once instead of queueing a second identical build: the
  running call's answer says what happened. Across worker processes the build lock serialises the
  builds: a call that reaches another worker waits for the running build, then finds the index up to
  date and loads it. Workers that were not called notice the new manifest within the holder's check
  interval (2 s) and swap it in as well.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from api.deps import HolderDep, SettingsDep
from api.errors import ApiError
from api.routes._responses import error_responses
from api.state import IndexHolder
from rag.config import Settings
from rag.errors import ConfigError
from rag.index_store import BuildReport, build_index

logger = logging.getLogger(__name__)

MIN_TOKEN_CHARS = 16

Builder = Callable[[Settings, bool], BuildReport]
"""Builds the index at ``settings.index_dir`` (``force``: even if nothing changed); tests inject one."""


def default_builder(settings: Settings, force: bool) -> BuildReport:
    return build_index(settings, force=force, show_progress=False)


def check_admin_token(token: str) -> None:
    """Refuse a token that is too easy to guess, at start-up rather than in production.

    Raises:
        ConfigError: shorter than ``MIN_TOKEN_CHARS`` or containing whitespace.
    """
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() for c in token):
        raise ConfigError(
            f"RAG_ADMIN_TOKEN must be at least {MIN_TOKEN_CHARS} characters without spaces",
            hint='make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"',
        )


class ReindexRequest(BaseModel):
    """Options of a reindex (the body may be omitted)."""

    model_config = ConfigDict(extra="forbid")

    force: bool = Field(False, description="rebuild even if nothing changed (cached vectors are still used)")


class ReindexResponse(BaseModel):
    """What the reindex did."""

    status: Literal["rebuilt", "unchanged"] = Field(
        description="rebuilt: a new index was written; unchanged: corpus, settings and code were as "
        "the index was built (a no-op build)"
    )
    swapped: bool = Field(description="whether this worker now serves another index than before")
    build_id: str = Field(description="the index served now (as in /healthz)")
    previous_build_id: str | None = Field(description="the index served before, if any")
    documents: int
    passages: int
    parsed: int = Field(description="documents parsed again")
    embedded: int = Field(description="texts that went through the model")
    cached: int = Field(description="texts whose vectors came from the embedding cache")
    build_seconds: float
    load_seconds: float = Field(description="loading the new index (0 when nothing was swapped)")
    seconds: float = Field(description="the whole call")


class Reindexer:
    """Runs one reindex at a time in this process and swaps the result into the holder."""

    def __init__(self, settings: Settings, holder: IndexHolder, builder: Builder = default_builder) -> None:
        self.settings = settings
        self.holder = holder
        self.builder = builder
        self._running = threading.Lock()

    def try_start(self) -> bool:
        return self._running.acquire(blocking=False)

    def finish(self) -> None:
        self._running.release()

    def run(self, force: bool) -> ReindexResponse:
        """Build, then load and swap if the index on disk is not the one served (call after try_start)."""
        started = time.perf_counter()
        previous = self.holder.engine.build_id if self.holder.engine is not None else None
        report = self.builder(self.settings, force)
        built = time.perf_counter()
        swapped = self.holder.refresh_now()  # IndexError_ (503) if the new index cannot be loaded
        engine = self.holder.current()
        ended = time.perf_counter()
        return ReindexResponse(
            status="rebuilt" if report.status == "built" else "unchanged",
            swapped=swapped,
            build_id=engine.build_id,
            previous_build_id=previous,
            documents=report.documents,
            passages=report.passages,
            parsed=report.parsed,
            embedded=report.embedded,
            cached=report.cached,
            build_seconds=round(built - started, 3),
            load_seconds=round(ended - built, 3) if swapped else 0.0,
            seconds=round(ended - started, 3),
        )


_bearer = HTTPBearer(auto_error=False, description="the value of RAG_ADMIN_TOKEN")


def require_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """401 without a bearer token, 403 with a wrong one; the comparison takes constant time."""
    token = settings.admin_token
    if not token:  # the router is only mounted with a token; never let an empty one through
        raise ApiError(404, "not_found", "no such endpoint", "see /docs for the endpoints")
    if credentials is None or not credentials.credentials:
        raise ApiError(
            401,
            "unauthorized",
            "this endpoint needs the admin token as a bearer token",
            "send the header Authorization: Bearer <RAG_ADMIN_TOKEN>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(credentials.credentials.encode("utf-8"), token.encode("utf-8")):
        raise ApiError(403, "forbidden", "the admin token is wrong", "use the value of RAG_ADMIN_TOKEN")


router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.post(
    "/reindex",
    response_model=ReindexResponse,
    responses=error_responses(400, 401, 403, 409, 413, 422, 503),
    summary="Rebuild the index from the corpus and serve it (admin token required)",
)
async def reindex(request: Request, holder: HolderDep, body: ReindexRequest | None = None) -> ReindexResponse:
    """Run ``rag build`` (a no-op when nothing changed) and swap the new index in; answers when done.

    409 while another reindex runs in this worker. 503 (the old index keeps serving) if the new index
    cannot be loaded.
    """
    reindexer: Reindexer = request.app.state.reindexer
    if not reindexer.try_start():
        raise ApiError(
            409,
            "reindex_running",
            "a reindex is already running",
            "wait for it to finish; its answer says what it did",
            headers={"Retry-After": "10"},
        )
    request_id = request.scope.get("state", {}).get("request_id", "-")
    logger.info("reindex started (request %s)", request_id)
    try:
        force = body.force if body is not None else False
        # a thread: the build takes seconds to minutes and must not block the event loop
        result = await anyio.to_thread.run_sync(reindexer.run, force)
    finally:
        reindexer.finish()
    logger.info(
        "reindex done (request %s): %s, %d passages, %d embedded, swapped %s, index %s, %.1f s",
        request_id,
        result.status,
        result.passages,
        result.embedded,
        result.swapped,
        result.build_id,
        result.seconds,
    )
    return result
