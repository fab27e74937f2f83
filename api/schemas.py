"""Request and response models of the HTTP API: the JSON field names the issue fixes, documented.

Pydantic lives only here, at the edge; the routes convert the library's dataclasses with the
``from_*`` helpers. Request models forbid unknown fields, so a typo ("querry") is a 422 that names
the field instead of a silently ignored option.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.services.roles import ROLE_FORMS
from rag.types import ClauseRole, Mode, PassageKind

QUERY_MAX_CHARS = 2000  # issue 4: a query is 1-2000 characters
DRAFT_MAX_CHARS = 5000  # a draft clause may be long; its first QUERY_MAX_CHARS rank, all of it is matched
K_MAX = 100
FILTER_MAX_VALUES = 50

Span = Annotated[
    tuple[int, int],
    Field(description="[start, end) character offsets", examples=[[11, 20]]),
]
FilterValues = Annotated[
    list[Annotated[str, Field(max_length=300)]],
    Field(max_length=FILTER_MAX_VALUES),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------------ errors


class ErrorBody(BaseModel):
    """What went wrong and what to do about it."""

    code: str = Field(
        description="machine-readable error code",
        examples=["invalid_request", "not_found", "index_missing"],
    )
    message: str = Field(description="what went wrong, naming the offending value")
    hint: str = Field("", description="what to do about it")


class ErrorResponse(BaseModel):
    """Every 4xx and 5xx answer has this body."""

    error: ErrorBody = Field(description="the error")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "invalid_request",
                        "message": "body.k: Input should be less than or equal to 100 (got 500)",
                        "hint": "see /docs for the request schema",
                    }
                }
            ]
        }
    )


# ------------------------------------------------------------------------------------------ search


class Filters(_Request):
    """Restrict results to passages whose fields take one of the listed values.

    Fields combine with AND, the values of one field with OR. Unknown values are a 422 that lists
    the valid ones.
    """

    doc: FilterValues = Field(
        default_factory=list,
        description="document ids (GET /documents lists them)",
        examples=[["wtdc-25-final-report"]],
    )
    instrument: FilterValues = Field(
        default_factory=list,
        description='instrument names, full or before the parenthesis, any case: "Resolution 15"',
        examples=[["Resolution 15"]],
    )
    clause: FilterValues = Field(
        default_factory=list,
        description="clause roles (British spellings accepted): " + ", ".join(ClauseRole.values()),
        examples=[["instructs", "resolves"]],
    )
    kind: FilterValues = Field(
        default_factory=list,
        description="passage kinds: " + ", ".join(PassageKind.values()),
        examples=[["clause"]],
    )

    @field_validator("clause")
    @classmethod
    def _roles(cls, values: list[str]) -> list[str]:
        out = []
        for value in values:
            role = ROLE_FORMS.get(" ".join(value.replace("_", " ").lower().split()))
            out.append(role.value if role is not None else value)  # unknown: the searcher lists valid ones
        return out


class SearchRequest(_Request):
    """A search: query, number of results, mode and filters."""

    query: str = Field(
        min_length=1,
        max_length=QUERY_MAX_CHARS,
        description='the query: words, a reference ("Res. 15 instructs 4", "WTPF-26 §7.9.6") or a '
        '"quoted phrase" every result must contain',
        examples=["technology transfer handbooks"],
    )
    k: int = Field(10, ge=1, le=K_MAX, description="number of results")
    mode: Mode = Field(Mode.HYBRID, description="hybrid (BM25 + dense, fused), bm25 or dense")
    filters: Filters = Field(default_factory=Filters, description="optional restrictions")


class SearchResultPublic(BaseModel):
    """One ranked passage."""

    rank: int = Field(description="1-based rank", examples=[1])
    score: float = Field(description="the mode's score (fused RRF score in hybrid mode)")
    id: str = Field(description="stable passage id", examples=["wtdc-25-final-report/res-15/instructs/4"])
    doc: str = Field(description="document id", examples=["wtdc-25-final-report"])
    source: str = Field(description="source file name in corpus/")
    start: int = Field(description="character offset of the passage in the source file")
    end: int = Field(description="end offset (exclusive) in the source file")
    citation: str = Field(
        description="how to cite the passage",
        examples=[
            "WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), instructs the Director of BDT, 4"
        ],
    )
    text: str = Field(description="the passage's own words, label and markup removed")
    label: str | None = Field(None, description='printed label ("4", "a)", "7.9.6")')
    clause: str | None = Field(None, description="clause role, e.g. instructs, recognizing")
    addressee: str | None = Field(None, description="who an operative clause addresses, as printed")
    instrument: str | None = Field(None, description='e.g. "Resolution 15 (Rev. Kigali, 2022)"')
    kind: str = Field(description="passage kind: " + ", ".join(PassageKind.values()))
    path: list[str] = Field(description="titles of the enclosing headings, outermost first")
    highlights: list[Span] = Field(description="spans of `text` that match the query's words")


class SearchResponse(BaseModel):
    """Ranked passages for a query."""

    query: str = Field(description="the query as searched (surrounding whitespace removed)")
    mode: str = Field(description="the mode used")
    took_ms: float = Field(description="time spent searching, in milliseconds")
    results: list[SearchResultPublic] = Field(description="best first; empty when nothing matches")


# ---------------------------------------------------------------------------------------- passages


class PassagePublic(BaseModel):
    """A citable unit of a source document, with its exact place in the file."""

    id: str = Field(description="stable passage id", examples=["wtdc-25-final-report/res-15/instructs/4"])
    doc: str = Field(description="document id")
    source: str = Field(description="source file name in corpus/")
    start: int = Field(description="character offset in the source file")
    end: int = Field(description="end offset (exclusive)")
    text: str = Field(description="the passage's own words, label and markup removed")
    kind: str = Field(description="passage kind: " + ", ".join(PassageKind.values()))
    citation: str = Field(description="how to cite the passage")
    label: str | None = Field(None, description='printed label ("4", "a)", "7.9.6")')
    clause: str | None = Field(None, description="clause role, e.g. instructs, recognizing")
    addressee: str | None = Field(None, description="who an operative clause addresses, as printed")
    instrument: str | None = Field(None, description='e.g. "Resolution 15 (Rev. Kigali, 2022)"')
    instrument_title: str | None = Field(None, description="the instrument's title line")
    lead_in: str | None = Field(None, description="the block heading as printed, and any lead-in sentence")
    path: list[str] = Field(description="titles of the enclosing headings, outermost first")
    fragments: list[Span] = Field(
        default_factory=list, description="pieces of a passage split in the file (usually empty)"
    )


class ParentPublic(BaseModel):
    """The heading and lead-in a passage sits under."""

    heading: str | None = Field(description="the heading the passage sits under")
    kind: str | None = Field(description="outline kind of that heading (section, block, instrument, ...)")
    passage_id: str | None = Field(description="the parent's passage id, where the parent is a passage")
    lead_in: str | None = Field(description="the lead-in the passage continues")
    path: list[str] = Field(description="all enclosing headings, outermost first")


class PassageContext(BaseModel):
    """A passage's surroundings: what it sits under and its neighbours."""

    parent: ParentPublic = Field(description="the heading and lead-in above the passage")
    previous: PassagePublic | None = Field(description="the passage before, in document order")
    next: PassagePublic | None = Field(description="the passage after, in document order")


class PassageDetail(PassagePublic):
    """A passage and its surroundings."""

    context: PassageContext = Field(description="heading, lead-in and neighbouring passages")


# --------------------------------------------------------------------------------------- documents


class DocumentPublic(BaseModel):
    """An indexed source document."""

    id: str = Field(
        description="document id (first segment of its passage ids)", examples=["wtdc-25-final-report"]
    )
    title: str = Field(description="full title")
    short_title: str = Field(description="title used in citations", examples=["WTDC-25 Final Report"])
    event: str = Field(description="the conference or forum", examples=["WTDC-25"])
    date: str = Field(description="date of the document (ISO, as precise as known)", examples=["2025-11-28"])
    kind: str = Field(description="document kind (which parser read it)")
    source: str = Field(description="source file name in corpus/")
    passages: int = Field(description="number of passages")


class DocumentsResponse(BaseModel):
    """The indexed documents, in corpus order."""

    documents: list[DocumentPublic] = Field(description="every indexed document")


class OutlineNodePublic(BaseModel):
    """A node of a document's table of contents."""

    title: str = Field(description="heading or passage title as printed")
    kind: str = Field(description="document, part, section, instrument, block, ... or a passage kind")
    start: int = Field(description="character offset of the node's own span in the source file")
    end: int = Field(description="end offset (exclusive); equal to start for a node without a heading line")
    passage_id: str | None = Field(None, description="set where the node is a passage")
    children: list[OutlineNodePublic] = Field(default_factory=list, description="sub-nodes in order")


class OutlineResponse(BaseModel):
    """A document's table of contents."""

    doc: str = Field(description="document id")
    title: str = Field(description="full title")
    short_title: str = Field(description="title used in citations")
    outline: OutlineNodePublic = Field(description="the table of contents, with passage ids")


# -------------------------------------------------------------------------------------- precedents


class PrecedentRequest(_Request):
    """A draft clause to find precedent wording for."""

    text: str = Field(
        min_length=1,
        max_length=DRAFT_MAX_CHARS,
        description="the draft clause; a leading role word (instructs, recognizing that, ...) ranks "
        "clauses of that role first",
        examples=[
            "instructs the Director of the Telecommunication Development Bureau to continue to "
            "develop handbooks on technology transfer"
        ],
    )
    clause: str | None = Field(
        None,
        description="rank clauses of this role first (overrides the role the draft starts with)",
        examples=["instructs"],
    )
    k: int = Field(10, ge=1, le=K_MAX, description="number of results")
    filters: Filters = Field(default_factory=Filters, description="optional restrictions")


class SharedWordingPublic(BaseModel):
    """Words a passage has in common with the draft."""

    text: str = Field(description="the shared words as the passage prints them")
    words: int = Field(description="number of words (3 or more)")
    draft: Span = Field(description="span in the draft text")
    passage: Span = Field(description="span in the passage's `text`")
    also_in: int = Field(description="how many other passages of the corpus contain the same words")


class PrecedentResult(SearchResultPublic):
    """A search result plus the wording it shares with the draft (``highlights`` mark that wording)."""

    wording: float = Field(description="shared 3-word sequences, Dice coefficient 0-1")
    meaning: float = Field(description="cosine similarity of the draft and passage vectors")
    shared: list[SharedWordingPublic] = Field(description="the shared word sequences, in draft order")


class PrecedentResponse(BaseModel):
    """The passages closest to a draft, best first (those of ``clause``'s role before all others)."""

    clause: str | None = Field(description="the role ranked first, if any")
    clause_source: str | None = Field(description='"given", "detected" (from the draft) or null')
    took_ms: float = Field(description="time spent, in milliseconds")
    results: list[PrecedentResult] = Field(description="best first")


# --------------------------------------------------------------------------------------------- ask


class AskRequest(_Request):
    """A question to answer from the passages."""

    question: str = Field(
        min_length=1,
        max_length=QUERY_MAX_CHARS,
        description="a question in plain words",
        examples=["What does WTDC ask BDT to do about technology transfer?"],
    )
    k: int = Field(5, ge=1, le=K_MAX, description="number of passages retrieved")
    filters: Filters = Field(default_factory=Filters, description="optional restrictions")


class CitationPublic(BaseModel):
    """What an answer's ``[n]`` marker points to."""

    n: int = Field(description="the number used in the answer's [n] markers")
    id: str = Field(description="passage id")
    citation: str = Field(description="how to cite the passage")


class AskResponse(BaseModel):
    """An answer with numbered citations and the passages it was drawn from."""

    question: str = Field(description="the question as searched")
    answer: str = Field(description="sentences of the passages (or a composed answer), each with [n] markers")
    citations: list[CitationPublic] = Field(description="the passages the answer's [n] markers cite")
    results: list[SearchResultPublic] = Field(description="the passages retrieved for the question")
    answered_by: str = Field(description='"extractive" or "llm"')
    notice: str | None = Field(None, description="set when a configured language model failed")
    took_ms: float = Field(description="time spent, in milliseconds")


# ------------------------------------------------------------------------------------------ health


class IndexSummary(BaseModel):
    """Which index is loaded."""

    build_id: str = Field(description="fingerprint of the index manifest; changes with every build")
    built_at: str | None = Field(description="when `rag build` wrote it (UTC, ISO 8601)")
    loaded_at: str = Field(description="when this process loaded it (UTC, ISO 8601)")
    schema_version: int | None = Field(description="index schema version")
    rag_version: str | None = Field(description="version of rag that built it")
    passages: int | None = Field(description="passages, as the manifest counts them")
    documents: int | None = Field(description="documents, as the manifest counts them")
    encoder: str | None = Field(description="the embedding model and backend")
    fusion: str | None = Field(description="how hybrid search fuses BM25 and dense rankings")
    reload_error: str | None = Field(None, description="why the last reload of a rebuilt index failed")


class HealthResponse(BaseModel):
    """The service is up and answering from a loaded index."""

    status: str = Field(description='"ok"', examples=["ok"])
    passages: int = Field(description="passages loaded")
    documents: int = Field(description="documents loaded")
    index: IndexSummary = Field(description="which index is loaded")
