"""``GET /passages/{id}/versions``: a passage's other versions (drafts, counterparts) with word diffs.

Registered before ``passages.router``, whose ``/passages/{id:path}`` would otherwise take the whole
path as an id (see ``api.main.ROUTERS``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response

from api.deps import EngineDep
from api.routes._convert import json_response, passage_public
from api.routes._responses import error_responses
from api.schemas import DiffOpPublic, RevisionPublic, VersionPublic, VersionsResponse
from api.state import Engine
from rag.citator.versions import DiffOp, DiffTag, PairKind, Revision, VersionLink, VersionRelation
from rag.types import Passage

router = APIRouter(tags=["citator"])


def diff_op_public(op: DiffOp) -> DiffOpPublic:
    """A diff run; the side the run is absent from (a for an insertion, b for a deletion) is null."""
    return DiffOpPublic(
        op=op.tag.value,  # type: ignore[arg-type]  # DiffTag values are the Literal's
        text=op.text,
        a=None if op.tag is DiffTag.INSERT else (op.a_start, op.a_end),
        b=None if op.tag is DiffTag.DELETE else (op.b_start, op.b_end),
    )


def _asked_is_earlier(engine: Engine, asked: Passage, link: VersionLink) -> bool:
    """Whether the asked passage is the diff's text a: its document is the pair's earlier one."""
    if link.relation is not VersionRelation.COUNTERPART:
        return link.relation is VersionRelation.LATER
    return any(
        (r.pair.earlier, r.pair.later) == (asked.doc, link.doc) for r in engine.assistant.versions.reports
    )


def version_public(engine: Engine, asked: Passage, link: VersionLink) -> VersionPublic:
    other = engine.contexts.get(link.passage_id)
    if _asked_is_earlier(engine, asked, link):
        earlier, later = asked.id, other.id
    else:
        earlier, later = other.id, asked.id
    return VersionPublic(
        relation=link.relation.value,
        similarity=round(link.similarity, 4),
        unchanged=link.diff.unchanged,
        earlier=earlier,
        later=later,
        passage=passage_public(other),
        diff=[diff_op_public(op) for op in link.diff.ops],
    )


def revision_public(rev: Revision) -> RevisionPublic:
    return RevisionPublic(
        instrument=rev.instrument,
        doc=rev.doc,
        number=rev.number,
        version=rev.version,
        place=rev.place,
        year=rev.year,
        revised=rev.revised,
        revises=rev.revises,
        first_approved=rev.first_approved,
        history=list(rev.history),
        status=rev.status,
        title_passage=rev.title_passage,
        source=rev.source,
        description=rev.describe(),
    )


def draft_status(engine: Engine, passage_id: str) -> Literal["new", "gone"] | None:
    """ "new" or "gone" where a draft alignment left the passage without a partner, else None."""
    for report in engine.assistant.versions.reports:
        if report.pair.kind is not PairKind.DRAFTS:
            continue
        if passage_id in report.new:
            return "new"
        if passage_id in report.gone:
            return "gone"
    return None


@router.get(
    "/passages/{passage_id:path}/versions",
    response_model=VersionsResponse,
    responses=error_responses(404, 422, 503),
    summary="A passage's versions in other drafts and forums, with word diffs",
)
def passage_versions(
    passage_id: Annotated[
        str,
        Path(description="passage id", examples=["wtpf-26-sg-report/1.5"]),
    ],
    engine: EngineDep,
) -> Response:
    """Where the passage is aligned with a passage of another version of its document (the WTPF-26
    First Draft Outline and the final report, paragraph by paragraph) or with a corresponding clause
    of another forum's opinions (WTPF-21 and WTPF-26), each with a word-level diff from the earlier
    text to the later one; and the revision record of the passage's resolution ("Rev. Baku, 2025"
    revising "Rev. Kigali, 2022") where the texts state it.
    """
    passage = engine.contexts.get(passage_id)
    versions = engine.assistant.versions
    revision = versions.revision(passage.instrument, doc=passage.doc) if passage.instrument else None
    return json_response(
        VersionsResponse(
            passage_id=passage.id,
            citation=passage.citation,
            draft_status=draft_status(engine, passage.id),
            versions=[
                version_public(engine, passage, link)
                for link in versions.versions_of(passage.id)
                if link.passage_id in engine.contexts  # versions.json is built with the passages
            ],
            revision=revision_public(revision) if revision is not None else None,
        )
    )
