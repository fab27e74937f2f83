"""OpenAPI descriptions of the error answers, so clients (and schemathesis) know their shape."""

from __future__ import annotations

from typing import Any

from api.schemas import ErrorResponse

_DESCRIPTIONS = {
    400: "Malformed JSON body",
    401: "No bearer token, or another authorization scheme",
    403: "Wrong bearer token",
    404: "Unknown passage, document or endpoint",
    409: "A reindex is already running in this worker",
    413: "Request body larger than the limit",
    422: "Invalid request: a field is missing, has the wrong type or an unknown value",
    500: "Unexpected server error (logged; no details are sent)",
    503: "No usable index is loaded (missing, stale or corrupt); the hint names `rag build`",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each listed status with the error body model."""
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in (*codes, 500)}
