"""Every error becomes ``{"error": {"code", "message", "hint"}}`` with a fitting status.

    RagError subclass          status  code
    NotFoundError              404     not_found
    QueryError                 422     invalid_query       (empty, too long, k out of range)
    ConfigError                422     invalid_value       (unknown mode or filter value; lists valid ones)
    IndexMissingError          503     index_missing       hint: run `rag build`
    IndexStaleError            503     index_stale
    IndexCorruptError          503     index_corrupt
    other IndexError_          503     index_unavailable
    DocumentTooLargeError      413     document_too_large  (POST /admin/documents)
    UnsupportedFormatError     415     unsupported_format  (not a format read, or not the one claimed)
    EncryptedDocumentError     422     encrypted_document
    NoTextLayerError           422     no_text_layer       (a scan)
    UnreadableDocumentError    422     unreadable_document (damaged)
    other DocumentError        422     bad_document
    DocumentExistsError        409     document_exists     (the same file or id is in the corpus)
    NotRemovableError          409     not_removable       (DELETE of a document not added by upload)
    other RagError             500     server_error

    request validation         422     invalid_request     (400 malformed_json for unparsable JSON)
    HTTP errors (routing)      their status: 404 not_found, 405 method_not_allowed, 413 body_too_large
    ApiError (the API's own)   its status and code: 401 unauthorized, 403 forbidden (admin token),
                               409 reindex_running
    anything else              500     internal_error      (logged with its traceback, never sent)

One handler walks the exception's class hierarchy through ``RAG_ERRORS``, so a new subclass gets its
parent's status without touching this module.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.errors import (
    ConfigError,
    DocumentError,
    DocumentExistsError,
    DocumentTooLargeError,
    EncryptedDocumentError,
    IndexCorruptError,
    IndexError_,
    IndexMissingError,
    IndexStaleError,
    NoTextLayerError,
    NotFoundError,
    NotRemovableError,
    QueryError,
    RagError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)

logger = logging.getLogger(__name__)

RAG_ERRORS: dict[type[RagError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    QueryError: (422, "invalid_query"),
    ConfigError: (422, "invalid_value"),
    IndexMissingError: (503, "index_missing"),
    IndexStaleError: (503, "index_stale"),
    IndexCorruptError: (503, "index_corrupt"),
    IndexError_: (503, "index_unavailable"),
    DocumentTooLargeError: (413, "document_too_large"),
    UnsupportedFormatError: (415, "unsupported_format"),
    EncryptedDocumentError: (422, "encrypted_document"),
    NoTextLayerError: (422, "no_text_layer"),
    UnreadableDocumentError: (422, "unreadable_document"),
    DocumentError: (422, "bad_document"),
    DocumentExistsError: (409, "document_exists"),
    NotRemovableError: (409, "not_removable"),
    RagError: (500, "server_error"),
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}
_DEFAULT_HINTS = {
    "invalid_value": "the message lists the accepted values",
    "invalid_query": "see /docs for the limits",
}
VALIDATION_HINT = "see /docs for the request schema"


class ApiError(StarletteHTTPException):
    """An error the API raises itself (not the library): its status, code, message and hint."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        hint: str = "",
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message, headers=headers)
        self.code = code
        self.hint = hint


def error_body(code: str, message: str, hint: str = "") -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "hint": hint}}


def error_response(
    status_code: int, code: str, message: str, hint: str = "", *, extra: dict[str, Any] | None = None
) -> JSONResponse:
    """The error body as a response; ``extra`` adds top-level fields (``/healthz`` adds ``status``)."""
    headers = {"Retry-After": "10"} if status_code == 503 else None
    return JSONResponse(
        error_body(code, message, hint) | (extra or {}), status_code=status_code, headers=headers
    )


def rag_error_status(exc: RagError) -> tuple[int, str]:
    """The HTTP status and code of a library error (its nearest mapped ancestor class)."""
    for cls in type(exc).__mro__:
        if cls in RAG_ERRORS:
            return RAG_ERRORS[cls]  # type: ignore[index]
    return 500, "server_error"


async def rag_error_handler(request: Request, exc: RagError) -> JSONResponse:
    status, code = rag_error_status(exc)
    if status == 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc)
    message = error_message(exc, request.app.state.settings.index.index_dir)
    return error_response(status, code, message, exc.hint or _DEFAULT_HINTS.get(code, ""))


def error_message(exc: RagError, index_dir: Path | None = None) -> str:
    """The message without the hint (and without the quotes ``KeyError`` puts around its argument).

    The index folder's absolute path is shortened to its name: clients need not learn the server's
    file layout.
    """
    message = str(exc.args[0]) if exc.args else exc.message
    if index_dir is not None:
        message = message.replace(str(index_dir), index_dir.name)
    return message


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def describe_validation(errors: list[dict[str, Any]]) -> str:
    """One readable line per problem: ``body.k: Input should be ... (got 500)``."""
    lines = []
    for err in errors[:10]:
        loc = tuple(err.get("loc", ()))
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            where = _loc(loc[:-1])
            line = f"{where}: unknown field {loc[-1]!r}" if loc else "unknown field"
        elif kind == "missing":
            line = f"{_loc(loc)}: required field is missing"
        else:
            line = f"{_loc(loc)}: {err.get('msg', 'invalid value')}"
            given = err.get("input")
            if isinstance(given, str | int | float | bool) and kind not in {"string_too_long"}:
                shown = (
                    repr(given)
                    if not isinstance(given, str) or len(given) <= 80
                    else repr(given[:77] + "...")
                )
                line += f" (got {shown})"
        lines.append(line)
    if len(errors) > 10:
        lines.append(f"... and {len(errors) - 10} more")
    return "; ".join(lines)


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        detail = next(e for e in errors if e.get("type") == "json_invalid")
        where = detail.get("ctx", {}).get("error", "")
        return error_response(
            400,
            "malformed_json",
            f"the request body is not valid JSON{f' ({where})' if where else ''}",
            'send a JSON object, e.g. {"query": "digital skills"}, with Content-Type: application/json',
        )
    return error_response(422, "invalid_request", describe_validation(errors), VALIDATION_HINT)


async def http_error_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if isinstance(exc, ApiError):
        return JSONResponse(
            error_body(exc.code, str(exc.detail), exc.hint), status_code=exc.status_code, headers=exc.headers
        )
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message, hint = (
            f"no such endpoint: {request.method} {request.url.path}",
            "see /docs for the endpoints",
        )
    elif exc.status_code == 405:
        message, hint = f"{request.method} is not allowed on {request.url.path}", "see /docs for the methods"
    else:
        message, hint = str(exc.detail), ""
    return JSONResponse(error_body(code, message, hint), status_code=exc.status_code, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; unexpected exceptions are turned into 500s by ``api.middleware``."""
    # Starlette types handlers as taking any Exception; each is registered for its own class only
    app.add_exception_handler(RagError, rag_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_handler)  # type: ignore[arg-type]
