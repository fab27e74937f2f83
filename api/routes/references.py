"""``GET /references``: every passage citing an instrument, by document and clause role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import EngineDep
from api.routes._convert import citing_passage_public, json_response, reference_label
from api.routes._responses import error_responses
from api.schemas import ReferenceGroupPublic, ReferencesResponse

router = APIRouter(tags=["citator"])

TARGET_MAX_CHARS = 300


@router.get(
    "/references",
    response_model=ReferencesResponse,
    responses=error_responses(422, 503),
    summary="Every passage citing an instrument, grouped by document and clause role",
)
def references(
    engine: EngineDep,
    target: Annotated[
        str,
        Query(
            min_length=1,
            max_length=TARGET_MAX_CHARS,
            description='the instrument, written as the texts do or in short ("Resolution 70/1", '
            '"UNGA 70/1", "WTDC Resolution 15", "PP Res. 64", "Recommendation ITU-D 19", "SDG 9", '
            '"Action Line C5", "Q1/1", "AFR1") or as a key ("itu/wtdc/res/15")',
            examples=["Resolution 70/1"],
        ),
    ],
    addressee: Annotated[
        str | None,
        Query(
            max_length=TARGET_MAX_CHARS,
            description="also give, for each citing passage of an instrument, that instrument's operative "
            'clauses addressed to them ("Secretary-General"): what the texts citing the target ask of them',
            examples=["Secretary-General"],
        ),
    ] = None,
) -> Response:
    """Which texts recall (consider, note, ...) an instrument, however each writes it.

    A target no passage cites answers 200 with no groups; one that names no instrument is a 422
    whose hint shows forms that work. ``highlights`` of each passage mark its references to the target.
    """
    wanted = addressee.strip() if addressee and addressee.strip() else None
    report = engine.searcher.citator.references(target, addressee=wanted)
    return json_response(
        ReferencesResponse(
            query=report.query,
            key=report.key,
            label=reference_label(report.key),
            keys=list(report.keys),
            targets=list(report.targets),
            addressee=wanted,
            count=report.count,
            groups=[
                ReferenceGroupPublic(
                    doc=group.doc,
                    doc_title=group.doc_title,
                    role=group.role,
                    count=len(group.passages),
                    passages=[citing_passage_public(cp, engine.contexts) for cp in group.passages],
                )
                for group in report.groups
            ],
        )
    )
