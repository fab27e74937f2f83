"""``GET /healthz``: is an index loaded, and which."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import HolderDep, SettingsDep
from api.errors import error_message, error_response, rag_error_status
from api.routes._responses import error_responses
from api.schemas import BuildProgress, HealthResponse, IndexSummary
from rag.errors import IndexError_
from rag.index.build_status import BUILDING, DONE, read_status

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    response_model=HealthResponse,
    responses=error_responses(503),
    summary="Service and index status",
)
async def healthz(holder: HolderDep, settings: SettingsDep) -> HealthResponse | JSONResponse:
    """200 with the loaded index's summary (and the background build's progress); 503 with the reason
    while no usable index is loaded."""
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
            interim=summary["interim"],
        ),
        build=build_progress(settings.index.index_dir),
    )


def build_progress(index_dir: Path, now: float | None = None) -> BuildProgress | None:
    """The background build's status file as ``/healthz`` shows it; None when none runs or failed."""
    status = read_status(index_dir)
    if status is None or status.state == DONE:
        return None
    state = "interrupted" if status.state == BUILDING and not status.running else status.state
    left = status.seconds_left(now) if state == BUILDING else None
    return BuildProgress(
        state=state,
        task=status.task,
        done=status.done,
        total=status.total or None,
        started_at=datetime.fromtimestamp(status.started_at, UTC).isoformat(timespec="seconds"),
        task_seconds_left=None if left is None else round(left, 1),
        error=status.error,
    )
