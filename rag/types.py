"""Value types shared by every stage: documents, passages, hits.

Everything here is immutable. A passage is created once by the parser and then only read by the
indexes, the retriever, the API and the harness; use ``dataclasses.replace`` to derive a changed copy.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from rag.errors import ConfigError


class _ChoiceEnum(StrEnum):
    """A string enum whose ``from_str`` names the legal values when given a bad one."""

    @classmethod
    def from_str(cls, value: str) -> _ChoiceEnum:
        normalized = value.strip().lower().replace("_", " ")
        for member in cls:
            if member.value == normalized or member.value == value.strip().lower():
                return member
        choices = ", ".join(m.value for m in cls)
        raise ConfigError(f"unknown {cls.__name__} {value!r}; choose one of: {choices}")

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    def __str__(self) -> str:
        return self.value


class ClauseRole(_ChoiceEnum):
    """The role of a clause block or paragraph in an instrument (resolution, opinion, recommendation, ...).

    The value is the canonical lower-case English role; qualified headings ("recognizing further",
    "noting with concern", "recognising", "Also requests"), French and Spanish ones ("considérant",
    "charge le Directeur", "resuelve") map to their base role, so filtering by ``recognizing`` finds
    all of them. The printed words are kept in the passage's path and citation. Preambular roles are
    participles ("recalling"), operative ones verbs ("requests"); the vocabulary of the printed forms
    is in ``rag.parse.roles``.
    """

    # preambular
    RECALLING = "recalling"
    CONSIDERING = "considering"
    RECOGNIZING = "recognizing"
    NOTING = "noting"
    BEARING_IN_MIND = "bearing in mind"
    TAKING_INTO_ACCOUNT = "taking into account"
    EMPHASIZING = "emphasizing"
    ACKNOWLEDGING = "acknowledging"
    AWARE = "aware"
    CONSCIOUS = "conscious"
    CONVINCED = "convinced"
    MINDFUL = "mindful"
    REAFFIRMING = "reaffirming"
    CONFIRMING = "confirming"
    HAVING_REGARD_TO = "having regard to"
    OBSERVING = "observing"
    WELCOMING = "welcoming"
    CONCERNED = "concerned"
    # preambular, as UN resolutions and declarations open their paragraphs ("Stressing ...")
    STRESSING = "stressing"
    EXPRESSING = "expressing"
    UNDERLINING = "underlining"
    HIGHLIGHTING = "highlighting"
    REITERATING = "reiterating"
    AFFIRMING = "affirming"
    DETERMINED = "determined"
    GUIDED_BY = "guided by"
    ALARMED = "alarmed"
    COMMITTED = "committed"
    ENCOURAGED = "encouraged"
    DESIRING = "desiring"
    BELIEVING = "believing"
    DEPLORING = "deploring"
    REGRETTING = "regretting"
    SEEKING = "seeking"
    LOOKING_FORWARD = "looking forward"
    HAVING_CONSIDERED = "having considered"
    # operative
    RESOLVES = "resolves"
    INSTRUCTS = "instructs"
    INVITES = "invites"
    ENCOURAGES = "encourages"
    REQUESTS = "requests"
    APPEALS_TO = "appeals to"
    URGES = "urges"
    CALLS_UPON = "calls upon"
    DECIDES = "decides"
    RECOMMENDS = "recommends"
    IS_OF_THE_VIEW = "is of the view"
    DECLARES = "declares"
    AFFIRMS = "affirms"
    REAFFIRMS = "reaffirms"
    UNDERTAKES = "undertakes"
    ENDORSES = "endorses"
    # operative, as UN resolutions and declarations word their numbered paragraphs ("2. Stresses ...")
    STRESSES = "stresses"
    EMPHASIZES = "emphasizes"
    WELCOMES = "welcomes"
    TAKES_NOTE = "takes note"
    NOTES = "notes"
    RECOGNIZES = "recognizes"
    ACKNOWLEDGES = "acknowledges"
    EXPRESSES = "expresses"
    UNDERLINES = "underlines"
    UNDERSCORES = "underscores"
    HIGHLIGHTS = "highlights"
    REITERATES = "reiterates"
    RECALLS = "recalls"
    COMMENDS = "commends"
    SUPPORTS = "supports"
    APPROVES = "approves"
    ADOPTS = "adopts"
    AUTHORIZES = "authorizes"
    AGREES = "agrees"
    CONFIRMS = "confirms"
    CONSIDERS = "considers"
    BELIEVES = "believes"
    CALLS_FOR = "calls for"
    DEMANDS = "demands"
    CONDEMNS = "condemns"
    DEPLORES = "deplores"
    REGRETS = "regrets"
    PROCLAIMS = "proclaims"
    DESIGNATES = "designates"
    LOOKS_FORWARD = "looks forward"
    # neither: a WSIS roadmap's action points
    SPECIFIC_ACTION_POINT = "specific action point"

    @property
    def operative(self) -> bool:
        """Operative blocks act (resolves, instructs ...); preambular ones give reasons."""
        return self in _OPERATIVE


_OPERATIVE = frozenset(
    {
        ClauseRole.RESOLVES,
        ClauseRole.INSTRUCTS,
        ClauseRole.INVITES,
        ClauseRole.ENCOURAGES,
        ClauseRole.REQUESTS,
        ClauseRole.APPEALS_TO,
        ClauseRole.URGES,
        ClauseRole.CALLS_UPON,
        ClauseRole.DECIDES,
        ClauseRole.RECOMMENDS,
        ClauseRole.IS_OF_THE_VIEW,
        ClauseRole.DECLARES,
        ClauseRole.AFFIRMS,
        ClauseRole.REAFFIRMS,
        ClauseRole.UNDERTAKES,
        ClauseRole.ENDORSES,
        ClauseRole.SPECIFIC_ACTION_POINT,
        ClauseRole.STRESSES,
        ClauseRole.EMPHASIZES,
        ClauseRole.WELCOMES,
        ClauseRole.TAKES_NOTE,
        ClauseRole.NOTES,
        ClauseRole.RECOGNIZES,
        ClauseRole.ACKNOWLEDGES,
        ClauseRole.EXPRESSES,
        ClauseRole.UNDERLINES,
        ClauseRole.UNDERSCORES,
        ClauseRole.HIGHLIGHTS,
        ClauseRole.REITERATES,
        ClauseRole.RECALLS,
        ClauseRole.COMMENDS,
        ClauseRole.SUPPORTS,
        ClauseRole.APPROVES,
        ClauseRole.ADOPTS,
        ClauseRole.AUTHORIZES,
        ClauseRole.AGREES,
        ClauseRole.CONFIRMS,
        ClauseRole.CONSIDERS,
        ClauseRole.BELIEVES,
        ClauseRole.CALLS_FOR,
        ClauseRole.DEMANDS,
        ClauseRole.CONDEMNS,
        ClauseRole.DEPLORES,
        ClauseRole.REGRETS,
        ClauseRole.PROCLAIMS,
        ClauseRole.DESIGNATES,
        ClauseRole.LOOKS_FORWARD,
    }
)


class PassageKind(_ChoiceEnum):
    """What sort of unit of the source a passage is; the ``kind`` search filter uses these values."""

    CLAUSE = "clause"  # an item of a clause block, or an unnumbered block body
    TITLE = "title"  # an instrument's heading and title
    PREAMBLE = "preamble"  # "The World Telecommunication Development Conference (Baku, 2025)," and similar
    FOOTNOTE = "footnote"
    ANNEX = "annex"  # text of an annex to an instrument that is not itself a clause list
    PARAGRAPH = "paragraph"  # a numbered (or unnumbered) report paragraph
    BOX = "box"  # a case study, fact box or source note inside a report paragraph
    TABLE_ROW = "table-row"
    TABLE_CELL = "table-cell"
    OBJECTIVE = "objective"  # a regional initiative's objective
    RESULT = "result"  # an expected result of a regional initiative or an output
    QUESTION = "question"  # a section or item of an ITU-D study Question
    HEADING = "heading"  # a heading that carries words of its own (section titles with content)


class Mode(_ChoiceEnum):
    """Retrieval mode."""

    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"


class FusionMethod(_ChoiceEnum):
    """How hybrid retrieval merges the BM25 and dense rankings (see ``rag/rank/fusion.py``)."""

    RRF = "rrf"
    WEIGHTED = "weighted"


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """One entry of ``corpus/documents.json``: what a source file is and how to cite it."""

    id: str
    file: str
    title: str
    short_title: str
    event: str
    date: str
    kind: str
    # Set by ``rag add`` (empty for documents entered by hand): the instrument's symbol as printed
    # ("A/RES/80/118"), the language (ISO 639-1), the published file it was converted from, kept
    # beside the text in corpus/, with its format and sha256, and when it was added (ISO 8601).
    symbol: str = ""
    lang: str = ""
    format: str = ""
    original: str = ""
    original_sha256: str = ""
    added: str = ""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.id):
            raise ConfigError(
                f"document id {self.id!r} must be lower-case letters, digits and hyphens "
                "(it becomes the first segment of every passage id)"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMeta:
        names = {f.name for f in fields(cls)}
        missing = sorted(_REQUIRED_META - data.keys())
        if missing:
            raise ConfigError(f"document entry {data.get('id', data)!r} lacks {', '.join(missing)}")
        return cls(**{k: str(data[k]) for k in names if k in data})

    def to_dict(self) -> dict[str, Any]:
        """The entry as ``documents.json`` holds it; the fields ``rag add`` sets only when set."""
        return {k: v for k, v in asdict(self).items() if k in _REQUIRED_META or v}


_REQUIRED_META = frozenset({"id", "file", "title", "short_title", "event", "date", "kind"})


@dataclass(frozen=True, slots=True)
class Passage:
    """A citable unit of a source document, with its exact place in the file.

    ``source_text[start:end]`` is the passage in the file as printed (label and markup included);
    ``text`` is its own words with label and markup removed and whitespace normalised.

    Example:
        >>> p = Passage(id="d/1", doc="d", source="d.txt", start=0, end=7, text="Hello.", kind="paragraph",
        ...             citation="D, §1")
        >>> Passage.from_dict(p.to_dict()) == p
        True
    """

    id: str
    doc: str
    source: str
    start: int
    end: int
    text: str
    kind: str
    citation: str
    label: str | None = None
    clause: str | None = None
    addressee: str | None = None
    instrument: str | None = None
    instrument_title: str | None = None
    lead_in: str | None = None
    path: tuple[str, ...] = field(default_factory=tuple)
    context: str = ""
    # Set only when the passage is split in the file (a table cell continued after a page break):
    # the pieces, in order, whose cleaned texts joined by a space give ``text``. ``start``/``end`` then
    # span the first piece's start to the last piece's end.
    fragments: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not self.id or not self.id.startswith(self.doc + "/"):
            raise ValueError(f"passage id {self.id!r} must start with its document id {self.doc!r}/")
        if not 0 <= self.start < self.end:
            raise ValueError(f"passage {self.id}: bad span [{self.start}, {self.end})")
        if not self.text.strip():
            raise ValueError(f"passage {self.id}: empty text")
        if self.kind not in PassageKind.values():
            raise ValueError(f"passage {self.id}: unknown kind {self.kind!r}")
        if self.fragments and (self.fragments[0][0] != self.start or self.fragments[-1][1] != self.end):
            raise ValueError(f"passage {self.id}: fragments must run from start to end")
        if self.clause is not None and self.clause not in ClauseRole.values():
            raise ValueError(f"passage {self.id}: unknown clause role {self.clause!r}")

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"Passage(id={self.id!r}, span=[{self.start}, {self.end}), text={text!r})"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = list(self.path)
        data["fragments"] = [list(f) for f in self.fragments]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs["path"] = tuple(kwargs.get("path") or ())
        kwargs["fragments"] = tuple((int(a), int(b)) for a, b in kwargs.get("fragments") or ())
        return cls(**kwargs)

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """The character ranges of the file this passage occupies (one unless it is split)."""
        return self.fragments or ((self.start, self.end),)


@dataclass(frozen=True, slots=True)
class OutlineNode:
    """A node of a document's table of contents; ``passage_id`` is set where the node is a passage."""

    title: str
    kind: str
    start: int
    end: int
    passage_id: str | None = None
    children: tuple[OutlineNode, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "passage_id": self.passage_id,
            "children": [c.to_dict() for c in self.children],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutlineNode:
        return cls(
            title=data["title"],
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            passage_id=data.get("passage_id"),
            children=tuple(cls.from_dict(c) for c in data.get("children", ())),
        )


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """What the parser makes of one file: passages in document order, the outline, and layout spans.

    ``layout`` lists spans of non-blank source lines that carry no words (page-break rows, empty markup);
    ``headings`` lists spans of structural heading lines that live in the outline rather than in a
    passage. Both exist so that coverage can prove no line of the source was dropped.
    """

    meta: DocumentMeta
    passages: tuple[Passage, ...]
    outline: OutlineNode
    headings: tuple[tuple[int, int], ...] = ()
    layout: tuple[tuple[int, int], ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked result of a retriever: which passage, its score, and its 1-based rank."""

    passage_id: str
    score: float
    rank: int
    # rank in each fused mode, e.g. (("bm25", 3), ("dense", None)); empty for a single-mode search
    ranks: tuple[tuple[str, int | None], ...] = ()


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrict a search to passages whose fields take one of the listed values.

    Each field is a tuple of accepted values (empty: no restriction); fields combine with AND, values
    within a field with OR. ``instrument`` values match the full instrument (``"Resolution 15 (Rev.
    Kigali, 2022)"``) or its name before the parenthesis (``"Resolution 15"``), case-insensitively.
    ``cites`` keeps passages citing one of the instruments, given as keys or as written
    (``"Resolution 70/1"``, ``"UNGA 70/1"``, ``"itu/pp/res/64"``; see ``rag.citator.citator``).
    Values are checked against the index when the search runs (unknown ones raise ``ConfigError``).
    """

    doc: tuple[str, ...] = ()
    instrument: tuple[str, ...] = ()
    clause: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in FILTER_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):  # a lone string would be taken letter by letter
                object.__setattr__(self, name, (value,))
            elif not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in FILTER_FIELDS)

    def to_dict(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in FILTER_FIELDS}


FILTER_FIELDS = ("doc", "instrument", "clause", "kind", "cites")
