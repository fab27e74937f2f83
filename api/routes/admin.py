"""``POST /admin/reindex``, ``POST /admin/documents``, ``DELETE /admin/documents/{id}``: keep a shared
instance's corpus and index current, for the admin token's holder.

- ``/admin/reindex`` rebuilds the index from the corpus and swaps it in.
- ``/admin/documents`` adds an uploaded file (multipart: ``file`` plus the metadata fields of
  ``rag add``) and ``DELETE /admin/documents/{id}`` removes one added so; both rebuild the index
  (only the new passages are embedded) and swap it in before answering. A bad file is a 4xx naming
  the problem (``api.errors``: 413, 415, 422), with the corpus and the index untouched; a file already
  in the corpus is a 409.

The route exists only when ``RAG_ADMIN_TOKEN`` is set: ``api.main.create_app`` includes this router
then; otherwise ``/admin/reindex`` is a 404 like any unknown path, and absent from OpenAPI.

- Access: ``Authorization: Bearer <token>``. No header, another scheme or an empty token is a 401 (with
  ``WWW-Authenticate: Bearer``), a wrong token a 403. The token is compared with
  ``hmac.compare_digest`` (the time taken does not depend on where the strings differ), and it is
  never logged nor echoed. A token shorter than 16 characters is refused at start-up.
- Work: ``rag.index.store.build_index`` (incremental, atomic: a failed build leaves the served index
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
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from api.deps import HolderDep, SettingsDep
from api.errors import ApiError
from api.routes._responses import error_responses
from api.state import IndexHolder
from rag.config import Settings
from rag.errors import ConfigError
from rag.index.store import BuildReport, build_index
from rag.ingest.library import Overrides
from rag.manage import add_documents, remove_document

logger = logging.getLogger(__name__)

MIN_TOKEN_CHARS = 16

Builder = Callable[[Settings, bool], BuildReport]
"""Builds the index at ``settings.index.index_dir`` (``force``: even if nothing changed); tests inject one."""


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

    def add(self, data: bytes, name: str, overrides: Overrides) -> DocumentAddedResponse:
        """Add one uploaded file, build, swap (call after try_start); the corpus is restored on failure."""
        started = time.perf_counter()
        result = add_documents(
            self.settings, [(data, name)], overrides=overrides, builder=lambda s: self.builder(s, False)
        )
        swapped = self.holder.refresh_now()
        item = result.added[0]
        report = item.report
        assert result.build is not None
        return DocumentAddedResponse(
            id=item.meta.id,
            document=item.meta.to_dict(),
            structure=report.counts(),
            report=report.lines(),
            warnings=[*item.converted.warnings, *report.warnings, *report.problems],
            index=self._index_summary(result.build, swapped),
            seconds=round(time.perf_counter() - started, 3),
        )

    def remove(self, doc_id: str) -> DocumentRemovedResponse:
        started = time.perf_counter()
        result = remove_document(self.settings, doc_id, builder=lambda s: self.builder(s, False))
        swapped = self.holder.refresh_now()
        assert result.build is not None
        return DocumentRemovedResponse(
            id=result.removed.id,
            removed=[result.removed.file, result.removed.original],
            index=self._index_summary(result.build, swapped),
            seconds=round(time.perf_counter() - started, 3),
        )

    def _index_summary(self, report: BuildReport, swapped: bool) -> IndexChange:
        return IndexChange(
            build_id=self.holder.current().build_id,
            swapped=swapped,
            documents=report.documents,
            passages=report.passages,
            embedded=report.embedded,
            cached=report.cached,
        )


class IndexChange(BaseModel):
    """The index after a document was added or removed."""

    build_id: str = Field(description="the index served now (as in /healthz)")
    swapped: bool = Field(description="whether this worker now serves the new index")
    documents: int
    passages: int
    embedded: int = Field(description="texts that went through the model (the new document's)")
    cached: int = Field(description="texts whose vectors came from the embedding cache")


class DocumentAddedResponse(BaseModel):
    """What was added, what the reader understood of it, and the index now served."""

    id: str = Field(description="the new document's id", examples=["a-res-80-118"])
    document: dict[str, str] = Field(description="its documents.json entry (metadata read from the text)")
    structure: dict[str, Any] = Field(description="the structure report's counts (as in GET /documents)")
    report: list[str] = Field(description="the structure report as `rag add` prints it")
    warnings: list[str] = Field(description="what the converter or the reader could not do")
    index: IndexChange
    seconds: float


class DocumentRemovedResponse(BaseModel):
    id: str
    removed: list[str] = Field(description="the files deleted from corpus/")
    index: IndexChange
    seconds: float


_bearer = HTTPBearer(auto_error=False, description="the value of RAG_ADMIN_TOKEN")


def require_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """401 without a bearer token, 403 with a wrong one; the comparison takes constant time."""
    token = settings.server.admin_token
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


def _busy() -> ApiError:
    return ApiError(
        409,
        "reindex_running",
        "a reindex or another document change is running",
        "wait for it to finish and send the request again",
        headers={"Retry-After": "10"},
    )


Text = Annotated[str | None, Form()]


@router.post(
    "/documents",
    response_model=DocumentAddedResponse,
    status_code=201,
    responses=error_responses(401, 403, 409, 413, 415, 422, 503),
    summary="Add a document (Word, PDF, HTML, Akoma Ntoso, markdown, text) and index it (admin token)",
)
async def add_document(
    request: Request,
    file: Annotated[UploadFile, File(description="the file as published: .docx .doc .pdf .html .xml .md")],
    id: Text = None,  # noqa: A002 - the field's name is the CLI flag's
    title: Text = None,
    short_title: Text = None,
    event: Text = None,
    date: Text = None,
    lang: Text = None,
) -> DocumentAddedResponse:
    """Convert, parse to the clause and index the file; metadata not given is read from its text.

    Answers once the new index serves. 4xx with the corpus and index untouched for a bad file: 413
    over the size limit, 415 not a format read here or not the one its name claims, 422 encrypted,
    a scan without text, damaged; 409 when the same file or id is already in the corpus.
    """
    reindexer: Reindexer = request.app.state.reindexer
    data = await file.read()
    name = file.filename or "upload"
    overrides = Overrides(id=id, title=title, short_title=short_title, event=event, date=date, lang=lang)
    if not reindexer.try_start():
        raise _busy()
    try:
        result = await anyio.to_thread.run_sync(reindexer.add, data, name, overrides)
    finally:
        reindexer.finish()
    logger.info("document %s added, index %s", result.id, result.index.build_id)
    return result


@router.delete(
    "/documents/{doc_id}",
    response_model=DocumentRemovedResponse,
    responses=error_responses(401, 403, 404, 409, 503),
    summary="Remove a document added by upload or `rag add`, and reindex (admin token)",
)
async def delete_document(
    request: Request, doc_id: Annotated[str, Path(description="the document id")]
) -> DocumentRemovedResponse:
    """Remove the document's text, original and entry; the new index is as if it had never been added."""
    reindexer: Reindexer = request.app.state.reindexer
    if not reindexer.try_start():
        raise _busy()
    try:
        result = await anyio.to_thread.run_sync(reindexer.remove, doc_id)
    finally:
        reindexer.finish()
    logger.info("document %s removed, index %s", result.id, result.index.build_id)
    return result
