"""``GET /healthz``: is an index loaded, and which."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import HolderDep, SettingsDep
from api.errors import error_message, error_response, rag_error_status
from api.routes._responses import error_responses
from api.schemas import HealthResponse, IndexSummary
from rag.errors import IndexError_

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    response_model=HealthResponse,
    responses=error_responses(503),
    summary="Service and index status",
)
async def healthz(holder: HolderDep, settings: SettingsDep) -> HealthResponse | JSONResponse:
    """200 with the loaded index's summary; 503 with the reason while no usable index is loaded."""
    try:
        engine = holder.current()
    except IndexError_ as exc:
        status, code = rag_error_status(exc)
        return error_response(
            status,
            code,
            error_message(exc, settings.index.index_dir),
            exc.hint or "",
            extra={"status": "unavailable"},
        )
    summary = engine.summary()
    return HealthResponse(
        status="ok",
        passages=len(engine.contexts.passages),
        documents=len(engine.contexts.documents),
        index=IndexSummary(
            build_id=summary["build_id"],
            built_at=summary["built_at"],
            loaded_at=summary["loaded_at"],
            schema_version=summary["schema"],
            rag_version=summary["rag_version"],
            passages=summary["passages"],
            documents=summary["documents"],
            encoder=summary["encoder"],
            multilingual=summary["multilingual"],
            fusion=summary["fusion"],
            reload_error=holder.reload_error,
        ),
    )
