"""``GET /documents`` and ``GET /documents/{doc}/outline``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import EngineDep
from api.routes._convert import json_response
from api.routes._responses import error_responses
from api.schemas import DocumentPublic, DocumentsResponse, OutlineNodePublic, OutlineResponse
from rag.types import OutlineNode

router = APIRouter(tags=["documents"])


@router.get(
    "/documents",
    response_model=DocumentsResponse,
    responses=error_responses(503),
    summary="The indexed documents",
)
def list_documents(engine: EngineDep) -> Response:
    """Every document of the index with its metadata and passage count."""
    contexts = engine.contexts
    return json_response(
        DocumentsResponse(
            documents=[
                DocumentPublic(
                    id=d.id,
                    title=d.title,
                    short_title=d.short_title,
                    event=d.event,
                    date=d.date,
                    kind=d.kind,
                    source=d.file,
                    passages=contexts.passage_count(d.id),
                    symbol=d.symbol or None,
                    lang=d.lang or None,
                    format=d.format or None,
                    original=d.original or None,
                    added=d.added or None,
                    structure=contexts.structure(d.id),
                )
                for d in contexts.documents
            ]
        )
    )


def _node(node: OutlineNode) -> OutlineNodePublic:
    return OutlineNodePublic.model_construct(
        title=node.title,
        kind=node.kind,
        start=node.start,
        end=node.end,
        passage_id=node.passage_id,
        children=[_node(c) for c in node.children],
    )


@router.get(
    "/documents/{doc}/outline",
    response_model=OutlineResponse,
    responses=error_responses(404, 422, 503),
    summary="A document's table of contents",
)
def document_outline(
    doc: Annotated[str, Path(description="document id", examples=["wtdc-25-final-report"])],
    engine: EngineDep,
) -> Response:
    """The outline tree (parts, sections, instruments, clause blocks, passages) with passage ids."""
    meta = engine.contexts.document(doc)
    outline = _node(engine.contexts.outline(doc))
    return json_response(
        OutlineResponse(doc=meta.id, title=meta.title, short_title=meta.short_title, outline=outline)
    )
