"""OpenAPI descriptions of the error answers, so clients (and schemathesis) know their shape."""

from __future__ import annotations

from typing import Any

from api.schemas import ErrorResponse

_DESCRIPTIONS = {
    400: "Malformed JSON body",
    401: "No bearer token, or another authorization scheme",
    403: "Wrong bearer token",
    404: "Unknown passage, document or endpoint",
    409: "A reindex or document change is already running in this worker, or the document is already "
    "in the corpus (document_exists), or it was not added by upload (not_removable)",
    413: "Request body (or uploaded document) larger than the limit",
    415: "The uploaded file is not a format read here, or its bytes are not the format its name claims",
    422: "Invalid request: a field is missing, has the wrong type or an unknown value; for an upload, an "
    "encrypted, scanned (no text layer) or damaged file",
    500: "Unexpected server error (logged; no details are sent)",
    503: "No usable index is loaded (missing, stale or corrupt); the hint names `rag build`",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each listed status with the error body model."""
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in (*codes, 500)}
