"""Request and response models of the HTTP API: the JSON field names the issue fixes, documented.

Pydantic lives only here, at the edge; the routes convert the library's dataclasses with the
``from_*`` helpers. Request models forbid unknown fields, so a typo ("querry") is a 422 that names
the field instead of a silently ignored option.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from rag.citator.references import RefKind
from rag.citator.versions import VersionRelation
from rag.config import DRAFT_MAX_CHARS, K_MAX, QUERY_MAX_CHARS
from rag.errors import ConfigError
from rag.query.drafts import ROLE_FORMS
from rag.query.language import LANGUAGES, check_language
from rag.types import ClauseRole, Mode, PassageKind

# The request limits are rag.config's, defined there once (the settings' defaults read them too).
FILTER_MAX_VALUES = 50

Span = Annotated[
    tuple[int, int],
    Field(description="[start, end) character offsets", examples=[[11, 20]]),
]
FilterValues = Annotated[
    list[Annotated[str, Field(max_length=300)]],
    Field(max_length=FILTER_MAX_VALUES),
]


# Control characters that are not whitespace (NUL, escape, DEL, C1 controls): no query or draft holds
# them; they come from a broken client or someone probing, and would reach the logs and the tokenizers.
# Whitespace controls (tab, newlines, form feed, vertical tab, the separators U+001C-U+001F, NEL) are
# kept: pasted text carries them.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
CONTROL_NOTE = "control characters other than whitespace (NUL, escape, ...) are refused"


def plain_text(value: str) -> str:
    """Refuse control characters that are not whitespace, naming the first one and where it is."""
    found = _CONTROL.search(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "contains the control character U+{code} at position {position}; send plain text",
            {"code": f"{ord(found.group()):04X}", "position": found.start()},
        )
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]


def language_code(value: str) -> str:
    """One of the six official languages' codes ("fr", "fr-FR", "FRA" are French), else a 422."""
    try:
        return check_language(value)
    except ConfigError:
        raise PydanticCustomError(
            "language",
            "unknown language {given!r}; use one of {codes}",
            {"given": value, "codes": ", ".join(LANGUAGES)},
        ) from None


LANG_NOTE = (
    "the language of the query: ar, en, es, fr, ru or zh (regional forms such as fr-FR are read as fr); "
    "omitted: detected. English goes the English way; the others are answered by the multilingual leg "
    "(passages and citations stay in the document's language)"
)
LanguageCode = Annotated[str, AfterValidator(language_code), Field(max_length=20)]


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
    cites: FilterValues = Field(
        default_factory=list,
        description="keep passages citing one of these instruments, written as the texts do or in short "
        '("Resolution 70/1", "UNGA 70/1", "WTDC Resolution 15", "PP Res. 64", "SDG 9") or as keys '
        '("itu/wtdc/res/15"; GET /references shows an instrument\'s key); an instrument no passage '
        "cites leaves no result, an unrecognisable one is a 422",
        examples=[["Resolution 70/1"]],
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

    query: PlainText = Field(
        min_length=1,
        max_length=QUERY_MAX_CHARS,
        description='the query: words, a reference ("Res. 15 instructs 4", "WTPF-26 §7.9.6") or a '
        '"quoted phrase" every result must contain; ' + CONTROL_NOTE,
        examples=["technology transfer handbooks"],
    )
    k: int = Field(10, ge=1, le=K_MAX, description="number of results")
    mode: Mode = Field(Mode.HYBRID, description="hybrid (BM25 + dense, fused), bm25 or dense")
    filters: Filters = Field(default_factory=Filters, description="optional restrictions")
    lang: LanguageCode | None = Field(None, description=LANG_NOTE, examples=["fr"])


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


class SpellingCorrectionPublic(BaseModel):
    """A query word no passage and no English word list holds, and the word it was read as."""

    typed: str = Field(description="the word as typed", examples=["cybersecurty"])
    corrected: str = Field(
        description="the word searched for instead: the corpus word nearest to it, else an English word one "
        "edit away",
        examples=["cybersecurity"],
    )


class SearchResponse(BaseModel):
    """Ranked passages for a query."""

    query: str = Field(description="the query as searched (surrounding whitespace removed)")
    mode: str = Field(description="the mode used")
    lang: str = Field(description="the query's language, as detected or given: ar, en, es, fr, ru or zh")
    took_ms: float = Field(description="time spent searching, in milliseconds")
    corrections: list[SpellingCorrectionPublic] = Field(
        default_factory=list,
        description="misspelt words of the query and the words searched for instead; "
        "empty when every word was read as typed",
    )
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


# ---------------------------------------------------------------------------------------- citator


class ReferencePublic(BaseModel):
    """A reference in a passage's text to an instrument, and where that instrument is in the corpus."""

    key: str = Field(
        description="canonical key of the cited instrument, the same however it is written",
        examples=["itu/wtdc/res/15", "un/ga/res/70/1"],
    )
    label: str = Field(
        description="a human name of the cited instrument",
        examples=["WTDC Resolution 15", "UNGA Resolution 70/1"],
    )
    surface: str = Field(
        description="the words as printed: `text[start:end]` of the citing passage",
        examples=["Resolution 15 (Rev. Kigali, 2022)"],
    )
    start: int = Field(description="offset of the reference in the citing passage's `text` (not the file)")
    end: int = Field(description="end offset (exclusive) in the citing passage's `text`")
    kind: str = Field(description="what sort of instrument: " + ", ".join(RefKind.values()))
    revision: str | None = Field(None, description='the edition as printed ("Rev. Kigali, 2022")')
    pinpoint: str | None = Field(
        None, description='the part of the instrument pointed at ("resolves 2", "Annex 4", "§ 96")'
    )
    target: str | None = Field(
        None,
        description="id of the passage the reference points at (the instrument's title, or the pinpointed "
        "item); null when the instrument is not in the corpus (a UNGA or PP resolution)",
        examples=["wtdc-25-final-report/res-15/title"],
    )
    target_citation: str | None = Field(
        None, description="how to cite the target passage, where there is one"
    )


class CitingPassagePublic(PassagePublic):
    """A passage citing what was asked about, with the references in it that do so."""

    highlights: list[Span] = Field(description="spans of `text` holding those references (from `cites`)")
    cites: list[ReferencePublic] = Field(description="the references of the passage that cite it, text order")
    scope: Literal["instrument", "passage"] = Field(
        description='"passage": a reference pinpoints the asked passage itself; "instrument": it cites '
        "the whole instrument (for GET /references, the instrument asked about)"
    )
    asks: list[PassagePublic] = Field(
        default_factory=list,
        description="GET /references with `addressee`: the operative clauses of the citing instrument "
        "addressed to them (what the texts citing the target ask of them); empty otherwise",
    )


class PassageDetail(PassagePublic):
    """A passage, its surroundings, what it cites and what cites it."""

    context: PassageContext = Field(description="heading, lead-in and neighbouring passages")
    cites: list[ReferencePublic] = Field(
        description="the references in the passage's text to other instruments, in text order"
    )
    cited_by: list[CitingPassagePublic] = Field(
        description="passages citing this passage, or the instrument it belongs to, in index order; "
        "`scope` says which"
    )


class ReferenceGroupPublic(BaseModel):
    """The citing passages of one document with one clause role (the passage kind where it has none)."""

    doc: str = Field(description="document id", examples=["wtdc-25-final-report"])
    doc_title: str = Field(description="the document's short title", examples=["WTDC-25 Final Report"])
    role: str = Field(
        description="clause role of the citing passages (recalling, considering, ...), or their passage "
        "kind (paragraph, table-cell, ...) where they are not clauses",
        examples=["recalling"],
    )
    count: int = Field(description="number of passages in the group")
    passages: list[CitingPassagePublic] = Field(description="the citing passages, in document order")


class ReferencesResponse(BaseModel):
    """Every passage of the corpus citing an instrument, by document and clause role."""

    query: str = Field(description="the target as asked", examples=["Resolution 70/1"])
    key: str = Field(description="its canonical key", examples=["un/ga/res/70/1"])
    label: str = Field(description="a human name of it", examples=["UNGA Resolution 70/1"])
    keys: list[str] = Field(
        description="the keys cited in the corpus that answer it (a resolution without a stated body "
        "answers for every body's resolution of that number; a document for its parts)"
    )
    targets: list[str] = Field(
        description="passages standing for the instrument where it is in the corpus (its title passage); "
        "empty when it is not"
    )
    addressee: str | None = Field(None, description="the addressee asked about, if any")
    count: int = Field(description="number of citing passages")
    groups: list[ReferenceGroupPublic] = Field(
        description="by document (corpus order), then clause role; empty when nothing cites the target"
    )


# --------------------------------------------------------------------------------------- versions


class DiffOpPublic(BaseModel):
    """A run of words unchanged, inserted or deleted from the earlier text to the later one."""

    op: Literal["equal", "insert", "delete"] = Field(description="what happened to the run")
    text: str = Field(description="the run as printed: from the later text, or the earlier for `delete`")
    a: Span | None = Field(description="span of the run in the earlier text; null for `insert`")
    b: Span | None = Field(description="span of the run in the later text; null for `delete`")


class VersionPublic(BaseModel):
    """Another version of a passage: its earlier or later draft, or a counterpart clause of another forum."""

    relation: str = Field(
        description="what the other passage is to the asked one: " + ", ".join(VersionRelation.values()),
        examples=["earlier"],
    )
    similarity: float = Field(description="share of words in common, 0-1 (difflib ratio over words)")
    unchanged: bool = Field(description="true when no word was inserted or deleted")
    earlier: str = Field(description="id of the earlier passage of the two: the diff's text a")
    later: str = Field(description="id of the later passage of the two: the diff's text b")
    passage: PassagePublic = Field(description="the other passage")
    diff: list[DiffOpPublic] = Field(
        description="word-level diff from the earlier passage's `text` (a) to the later one's (b)"
    )


class RevisionPublic(BaseModel):
    """When a resolution was adopted or last revised, and what that version revises, as the texts state."""

    instrument: str = Field(
        description="the instrument as named", examples=["Resolution 1 (Rev. Baku, 2025)"]
    )
    doc: str = Field(description="document id")
    number: str = Field(description="resolution number", examples=["1"])
    version: str = Field(description="its version as printed", examples=["Rev. Baku, 2025"])
    place: str = Field(description="where it was adopted or revised", examples=["Baku"])
    year: int = Field(description="when", examples=[2025])
    revised: bool = Field(description="true for a revision, false for a new resolution")
    revises: str | None = Field(
        None,
        description="the previous version, where the document's status table lists the history",
        examples=["Resolution 1 (Rev. Kigali, 2022)"],
    )
    first_approved: str | None = Field(
        None, description="where and when first approved", examples=["Doha, 2006"]
    )
    history: list[str] = Field(description="the status table's history cell, oldest first")
    status: str | None = Field(None, description="the status table's status", examples=["In force"])
    title_passage: str | None = Field(None, description="id of the resolution's title passage")
    source: str | None = Field(None, description="id of the status table row the history comes from")
    description: str = Field(
        description="one line",
        examples=[
            "Resolution 1 (Rev. Baku, 2025): revised at Baku, 2025; revises Resolution 1 (Rev. Kigali, 2022)"
        ],
    )


class VersionsResponse(BaseModel):
    """A passage's versions in the other drafts and forums of the corpus, with word diffs."""

    passage_id: str = Field(description="the passage asked about")
    citation: str = Field(description="how to cite it")
    draft_status: Literal["new", "gone"] | None = Field(
        description='"new": only in the later of two drafts (e.g. not in the WTPF-26 First Draft '
        'Outline); "gone": only in the earlier one; null otherwise'
    )
    versions: list[VersionPublic] = Field(
        description="earlier and later drafts first, then counterparts, most similar first; empty when "
        "the passage has no other version"
    )
    revision: RevisionPublic | None = Field(
        description="revision record of the passage's resolution, where it belongs to one"
    )


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
    kind: str = Field(description="document kind (which parser read it; auto: added with `rag add`)")
    source: str = Field(description="source file name in corpus/")
    passages: int = Field(description="number of passages")
    symbol: str | None = Field(
        None, description="the instrument's symbol as printed", examples=["A/RES/80/118"]
    )
    lang: str | None = Field(None, description="language (ISO 639-1)", examples=["en"])
    format: str | None = Field(
        None, description="format of the added file: docx, doc, pdf, html, akn, md, txt", examples=["pdf"]
    )
    original: str | None = Field(None, description="the added file as published, kept in corpus/")
    added: str | None = Field(None, description="when it was added (ISO 8601)")
    structure: dict[str, Any] | None = Field(
        None,
        description="for an added document, the counts of its structure report: passages, instruments, "
        "clauses, items, kinds, roles, unstructured, oversized, warnings",
    )


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

    text: PlainText = Field(
        min_length=1,
        max_length=DRAFT_MAX_CHARS,
        description="the draft clause; a leading role word (instructs, recognizing that, ...) ranks "
        "clauses of that role first; " + CONTROL_NOTE,
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


class SameWordingPublic(BaseModel):
    """Another passage worded almost exactly like a precedent (agreed language reused elsewhere)."""

    id: str = Field(description="passage id")
    citation: str = Field(description="how to cite it")
    dice: float = Field(description="shared 3-word sequences with the precedent, Dice coefficient 0-1")


class PrecedentResult(SearchResultPublic):
    """A search result plus the wording it shares with the draft (``highlights`` mark that wording)."""

    wording: float = Field(description="shared 3-word sequences, Dice coefficient 0-1")
    meaning: float = Field(description="cosine similarity of the draft and passage vectors")
    same_role: bool = Field(description="whether the passage has the clause role ranked first")
    same_wording: list[SameWordingPublic] = Field(
        description="near-duplicates of this passage in other texts, folded into this result"
    )
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

    question: PlainText = Field(
        min_length=1,
        max_length=QUERY_MAX_CHARS,
        description="a question in plain words; " + CONTROL_NOTE,
        examples=["What does WTDC ask BDT to do about technology transfer?"],
    )
    k: int = Field(5, ge=1, le=K_MAX, description="number of passages retrieved")
    filters: Filters = Field(default_factory=Filters, description="optional restrictions")
    lang: LanguageCode | None = Field(
        None, description=LANG_NOTE.replace("query", "question"), examples=["fr"]
    )


class CitationPublic(BaseModel):
    """What an answer's ``[n]`` marker points to."""

    n: int = Field(description="the number used in the answer's [n] markers")
    id: str = Field(description="passage id")
    citation: str = Field(description="how to cite the passage")


class AskResponse(BaseModel):
    """An answer with numbered citations and the passages it was drawn from."""

    question: str = Field(description="the question as searched")
    lang: str = Field(description="the question's language, as detected or given: ar, en, es, fr, ru or zh")
    corrections: list[SpellingCorrectionPublic] = Field(
        default_factory=list, description="misspelt words of the question and what was searched for instead"
    )
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
    multilingual: str | None = Field(
        None,
        description="the multilingual leg's encoder (questions in ar, es, fr, ru, zh); null: English only",
    )
    fusion: str | None = Field(description="how hybrid search fuses BM25 and dense rankings")
    reload_error: str | None = Field(None, description="why the last reload of a rebuilt index failed")
    interim: bool = Field(
        False,
        description="true: the interim index (BM25 and word hashing, English only) answers while the "
        "full index is built in the background (`build`); false: the full index",
    )


class BuildProgress(BaseModel):
    """The background build of the full index (``rag serve`` on a first start), from its status file."""

    state: str = Field(
        description="building; interrupted (its process is gone: the next `rag serve` starts it again); "
        "failed (see `error`)",
        examples=["building"],
    )
    task: str = Field(
        description="what it is doing: parse, fine-tuning, ONNX export, embedding, multilingual vectors, "
        "indexes",
        examples=["fine-tuning"],
    )
    done: int = Field(description="units of the task done (fine-tuning steps, texts embedded)")
    total: int | None = Field(description="units of the task in all; null: not known")
    started_at: str = Field(description="when the build started (UTC, ISO 8601)")
    task_seconds_left: float | None = Field(
        None, description="estimated seconds left in the current task at its rate so far; null: not known"
    )
    error: str | None = Field(None, description="why it failed or stopped")


class HealthResponse(BaseModel):
    """The service is up and answering from a loaded index."""

    status: str = Field(description='"ok"', examples=["ok"])
    passages: int = Field(description="passages loaded")
    documents: int = Field(description="documents loaded")
    index: IndexSummary = Field(description="which index is loaded")
    build: BuildProgress | None = Field(
        None, description="the background build of the full index, while one runs or after it failed"
    )
