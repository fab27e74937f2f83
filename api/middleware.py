"""Pure ASGI middleware: request ids and one log line per request, a body size limit, the last-resort 500.

``RequestLogMiddleware`` (outermost) gives each request an id (the client's ``X-Request-ID`` when it
is short and plain, else a new one), returns it in the ``X-Request-ID`` header, and logs one JSON line
per request on the ``api.access`` logger: request id, method, route template (never the raw path or
query string, which carry user text), status and latency. An exception no handler took becomes a
500 with the error body; its traceback goes to the log, never to the client.

``BodyLimitMiddleware`` answers 413 when ``Content-Length`` exceeds the limit, and stops reading a
body without one (chunked) as soon as it grows past the limit.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body

access_log = logging.getLogger("api.access")
logger = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (FastAPI re-raises HTTPExceptions)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")
        self.limit = limit


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        error_body("body_too_large", f"the request body is larger than the limit of {limit} bytes", ""),
        status_code=413,
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}  # path -> its own limit (document uploads are larger than queries)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger.get(scope.get("path", ""), self.max_bytes)
        length = Headers(scope=scope).get("content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared > max_bytes:
                await _too_large(max_bytes)(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        await self.app(scope, limited_receive, send)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BodyTooLarge as exc:
            if not response_started:
                await _too_large(exc.limit)(scope, receive, send_with_id)
        except Exception:
            logger.exception(
                "unhandled error in %s %s (request %s)", scope["method"], _route(scope), request_id
            )
            if not response_started:
                body = error_body(
                    "internal_error",
                    "the server failed to answer this request",
                    f"try again; if it persists, report request id {request_id}",
                )
                await JSONResponse(body, status_code=500)(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s",
                json.dumps(
                    {
                        "request_id": request_id,
                        "method": scope["method"],
                        "route": _route(scope),
                        "status": status,
                        "ms": round(1000 * (time.perf_counter() - started), 1),
                    }
                ),
            )


def _route(scope: Scope) -> str:
    """The matched route's template ("/passages/{passage_id:path}"), or "-" when none matched."""
    route = scope.get("route")
    return str(getattr(route, "path", "-")) if route is not None else "-"
