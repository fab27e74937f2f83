"""``GET /passages/{id}``: a passage in its context, what it cites and what cites it.

Passage ids contain slashes, so the route takes the rest of the path (``{passage_id:path}``). Routes
for sub-resources of a passage (``/passages/{id}/versions``, ...) must be registered before this
catch-all: put them in a router listed before ``passages.router`` in ``api.main.ROUTERS``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import EngineDep
from api.routes._convert import citing_passage_public, json_response, passage_public, reference_public
from api.routes._responses import error_responses
from api.schemas import ParentPublic, PassageContext, PassageDetail

router = APIRouter(tags=["passages"])


@router.get(
    "/passages/{passage_id:path}",
    response_model=PassageDetail,
    responses=error_responses(404, 422, 503),
    summary="A passage with its heading, lead-in, neighbours, references and citing passages",
)
def get_passage(
    passage_id: Annotated[
        str,
        Path(description="passage id", examples=["wtdc-25-final-report/res-15/instructs/4"]),
    ],
    engine: EngineDep,
) -> Response:
    """The passage plus ``context`` (the heading and lead-in above it, the passages before and after),
    ``cites`` (its references to other instruments, with the passage each points at where the
    instrument is in the corpus) and ``cited_by`` (the passages citing it or its instrument).
    """
    context = engine.assistant.context(passage_id)
    passage, parent, contexts = context.passage, context.parent, engine.contexts
    citator = engine.searcher.citator
    return json_response(
        PassageDetail(
            **passage_public(passage).model_dump(),
            context=PassageContext(
                parent=ParentPublic(
                    heading=parent.heading,
                    kind=parent.kind,
                    passage_id=parent.passage_id,
                    lead_in=parent.lead_in,
                    path=list(parent.path),
                ),
                previous=passage_public(context.previous) if context.previous is not None else None,
                next=passage_public(context.next) if context.next is not None else None,
            ),
            cites=[reference_public(c, contexts) for c in citator.cites(passage.id)],
            cited_by=[citing_passage_public(cp, contexts) for cp in citator.cited_by(passage.id)],
        )
    )
