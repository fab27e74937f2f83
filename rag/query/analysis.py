"""Query understanding: quoted phrases, references to places in the texts, exact word sequences.

A delegate types "Resolution 17 resolves 4", "Res. 15", "WTPF-26 §7.9.6", "Draft Opinion 4 invites",
"AFR1 expected result 13" or "Question 1/1" and expects that place first. ``parse_query`` finds such
references and double-quoted phrases in the query; ``ReferenceResolver`` resolves references against
the passages' own fields (instrument, clause role, label, kind, document short title and event), so
nothing here knows a particular id: a new document or instrument is found the same way.

How references resolve:

- an instrument name ("Resolution 15", "Res. 15", "Rec. 19", "Draft Opinion 4", "Question 1/1",
  "AFR1", "Action Line C5") matches passages whose ``instrument`` has that type word and number;
  codes made of letters and digits (``AFR1``, ``C5``) also match alone;
- a clause role after it ("resolves", "instructs", "recalling", "recognising") narrows to that block,
  a label after the role ("4", "a)") or "expected result 13" / "objective" narrows to the item;
- "§7.9.6", "paragraph 7.9.6", "section 4.10" or a bare number with two dots are paragraph labels;
- document names in the query ("WTPF-26", "WTDC-25 Final Report") narrow where to look;
- an instrument named alone resolves to its title passage.

Reference questions ("which texts recall UNGA Resolution 70/1?", "WTDC resolutions recalling PP
Res. 214", "where is Article 40 of the Constitution cited?") name an instrument as the object of a
citing verb. ``cited_keys`` finds them and gives the instruments' canonical keys (``rag.citator.references``);
the searcher then ranks the passages citing those keys first, and the instrument itself is not
pinned: the question is about who cites it, not about its own text. "What does Resolution 15
recall?" and "the project cited in Resolution 11" are not reference questions: there the instrument
is the one doing the citing.

Example:
    >>> q = parse_query('Res. 15 "transfer of technology" handbooks')
    >>> q.phrases, q.ranking_text, q.references[0].instrument
    (('transfer of technology',), 'Resolution 15 handbooks', ('resolution', '15'))
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.citator.reference_words import Rewritten, english_forms
from rag.citator.references import extract_references
from rag.index.textindex import normalize_text, tokenize, words
from rag.parse.roles import role_alternation
from rag.types import DocumentMeta, Passage

# Type words of instrument names, as written in queries -> the type word of ``Passage.instrument``.
# These are the ITU's document categories (vocabulary), not identifiers of particular texts.
TYPE_ALIASES: dict[str, str] = {
    "resolution": "resolution",
    "resolutions": "resolution",
    "res": "resolution",
    "recommendation": "recommendation",
    "recommendations": "recommendation",
    "rec": "recommendation",
    "draft opinion": "opinion",
    "opinion": "opinion",
    "opinions": "opinion",
    "question": "question",
    "questions": "question",
    "q": "question",
    "regional initiative": "initiative",
    "initiative": "initiative",
    "ri": "initiative",
    "action line": "line",
    "al": "line",
    "decision": "decision",
    "dec": "decision",
}
# British spellings and qualified headings of clause roles, as a delegate may type them.
# Function words of French and Spanish titles (English ones are not BM25 tokens at all).
_FUNCTION_WORDS = frozenset(
    "pour dans avec sans sont cette leur leurs entre sous chez aussi même tout tous toute toutes "
    "para como entre sobre desde hasta todos todas este esta estos estas cual cuando donde".split()
)
_ROLE_VARIANTS: dict[str, str] = {
    "recognising": "recognizing",
    "emphasising": "emphasizing",
    "resolve": "resolves",
    "resolved": "resolves",
    "instruct": "instructs",
    "invite": "invites",
    "encourage": "encourages",
    "request": "requests",
    "urge": "urges",
    "decide": "decides",
    "recommend": "recommends",
    "noting with concern": "noting",
    "noting with appreciation": "noting",
    "calls on": "calls upon",
}
_ROLE_RE = role_alternation(_ROLE_VARIANTS)
_ID = r"[a-z]{0,3}\d+(?:/\d+)?"
_LABEL = r"(?:\d+(?:\.\d+)*|[a-z]{1,2}\)|[a-z]\b|[ivx]{1,4}\))"
_TYPE_RE = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(TYPE_ALIASES, key=len, reverse=True))
_INSTRUMENT = re.compile(
    rf"\b(?P<type>{_TYPE_RE})\.?\s*(?:itu-d\s*)?(?:no\.?\s*)?(?P<id>{_ID})(?![\w/])", re.IGNORECASE
)
# What may follow an instrument: a role with an optional qualifier and label, or a result/objective.
_AFTER = re.compile(
    rf"[\s,:;-]*(?:(?P<role>{_ROLE_RE})(?:\s+(?:further|also|moreover|in\s+addition))?"
    # an addressee may sit between role and label: "instructs the Director of BDT, 4"
    rf"(?:\s+[a-z][^,;\d]{{0,80}}?,)?"
    rf"(?:[\s,]*(?:item|para(?:graph)?|§|no\.?)?\s*(?P<label>{_LABEL}))?"
    rf"|(?:expected\s+)?(?P<result>results?|output)\s*(?P<rlabel>\d+)|(?P<objective>objective)"
    rf"|(?P<title>title))",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(
    r"(?:§\s*|\b(?:paragraph|para|section|sec)\.?\s+)(?P<label>\d+(?:\.\d+)*)\b|(?<![\w.])(?P<bare>\d+\.\d+\.\d+(?:\.\d+)*)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]+)[\"“”„«»]")


@dataclass(frozen=True, slots=True)
class Reference:
    """A place named in a query, before it is resolved to passages.

    ``instrument`` is (type word, number) as in ``instrument_key``; ``label`` the cited label without
    its bracket ("4", "a", "7.9.6"); ``kind`` a passage kind the place must have (title, result,
    objective); ``span`` where the query says it.
    """

    text: str
    span: tuple[int, int]
    instrument: tuple[str, str] | None = None
    clause: str | None = None
    label: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query taken apart: what ranks the passages, what restricts them, what is pinned first."""

    raw: str
    ranking_text: str
    phrases: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    doc_hints: tuple[str, ...] = field(default=())
    # the query's words outside phrases, references and document names: empty for a bare reference
    rest: str = ""
    # canonical keys of the instruments a reference question asks about ("which texts recall X")
    cited: tuple[str, ...] = ()
    # where the query names them (``cited_keys``)
    cited_spans: tuple[tuple[int, int], ...] = ()
    # what such a question prefers among the citing passages: the clause role its verb names
    # ("recall" -> recalling), instrument types ("which draft opinions ...": opinion) and documents
    # ("which WTDC texts ...": the documents of that body's events) it names
    cited_role: str | None = None
    cited_types: tuple[str, ...] = ()
    cited_docs: tuple[str, ...] = ()

    @property
    def sequence(self) -> tuple[str, ...]:
        """The query's words in order (unquoted part), for the exact-sequence boost."""
        return tuple(words(self.ranking_text))


def instrument_key(instrument: str) -> tuple[str, str] | None:
    """("resolution", "15") for "Resolution 15 (Rev. Kigali, 2022)"; None if it has no number.

    Example:
        >>> instrument_key("Regional initiative AFR1"), instrument_key("WSIS Action Line C5")
        (('initiative', 'afr1'), ('line', 'c5'))
    """
    name = re.sub(r"\([^)]*\)", " ", normalize_text(instrument))
    match = re.search(rf"(?P<type>[a-z][a-z\s-]*?)\s*(?:itu-d\s+)?(?P<id>{_ID})\s*$", name.strip())
    if not match:
        return None
    type_words = match.group("type").split()
    return (type_words[-1] if type_words else "", match.group("id"))


def _label_key(label: str) -> str:
    return normalize_text(label).strip().rstrip(").").lstrip("(§").strip()


# How the ranking text spells an instrument type, so "Res. 15" ranks like "Resolution 15".
_CANONICAL = {
    "resolution": "Resolution",
    "recommendation": "Recommendation",
    "opinion": "Opinion",
    "question": "Question",
    "initiative": "initiative",
    "line": "Action Line",
    "decision": "Decision",
}


def _canonical_name(match: re.Match[str]) -> str:
    type_word = TYPE_ALIASES[" ".join(match.group("type").lower().split())]
    if type_word == "opinion" and "draft" in match.group("type").lower():
        return match.group()
    return f"{_CANONICAL[type_word]} {match.group('id')}"


# Verbs of citing. An active form before an instrument makes it the cited one ("texts recalling X");
# a passive form after it too ("X is recalled"), unless "in"/"by" follows, which names the citer
# ("the project cited in Resolution 11").
_CITING_VERB = re.compile(
    r"\b(?:(?P<passive>recalled|cited|referred\s+to|mentioned|referenced|invoked|quoted)"
    r"(?P<agent>\s+(?:in|by)\b)?"
    r"|recall(?:s|ing)?|cit(?:e|es|ing)|refer(?:s|ring)?\s+to|mention(?:s|ing)?|referenc(?:e|es|ing)"
    r"|invok(?:e|es|ing)|quot(?:e|es|ing)|(?:build|draw)(?:s|ing)?\s+on|based\s+on)\b",
    re.IGNORECASE,
)
# Shorthands people type that the reference extractor reads only in full; the replacement keeps
# offsets mappable back to the query.
_QUERY_SHORTHANDS = (
    (re.compile(r"\b(?P<w>[Rr]es)\.?\s*(?=\d)"), "Resolution "),
    (re.compile(r"\bRES\.?\s*(?=\d)"), "Resolution "),
    (re.compile(r"\bPlenipotentiary(?:\s+Conference)?\s+(?=[Rr]esolutions?\b)"), "PP "),
    (re.compile(r"\b[Rr]ec\.?\s*(?=ITU)"), "Recommendation "),
)


_PINPOINT_GAP = re.compile(r"\s+(?:of|in|to)\s+(?:the\s+)?", re.IGNORECASE)


def _expand_shorthands(query: str) -> tuple[str, list[int]]:
    """The query with shorthands written out, and for each character its offset in the query."""
    text, back = query, list(range(len(query) + 1))
    for pattern, replacement in _QUERY_SHORTHANDS:
        out: list[str] = []
        out_back: list[int] = []
        pos = 0
        for m in pattern.finditer(text):
            out.append(text[pos : m.start()])
            out_back.extend(back[pos : m.start()])
            out.append(replacement)
            out_back.extend([back[m.start()]] * len(replacement))
            pos = m.end()
        out.append(text[pos:])
        out_back.extend(back[pos:])
        text, back = "".join(out), out_back
    return text, back


@dataclass(frozen=True, slots=True)
class CitedRefs:
    """What a reference question asks about: keys, where the query names them, the verb's clause role."""

    keys: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    role: str | None = None


def cited_keys(query: str) -> CitedRefs:
    """Keys of the instruments a reference question asks about, and where the query names them.

    Example:
        >>> cited_keys("Which texts recall UNGA Resolution 70/1?").keys
        ('un/ga/res/70/1',)
        >>> cited_keys("What does Resolution 15 recall?").keys
        ()
    """
    english = english_forms(query, verbs=True)  # "Quels textes rappellent la Résolution 66 ?"
    text, back = _expand_shorthands(english.text)
    verbs = list(_CITING_VERB.finditer(text))
    if not verbs:
        return CitedRefs()
    keys: list[str] = []
    spans: list[tuple[int, int]] = []
    recall = False
    for ref in extract_references(text):
        cited_by = [
            verb
            for verb in verbs
            if (verb.group("passive") is None and verb.end() <= ref.start)  # "texts recalling X"
            or (
                verb.group("passive") is not None
                and (ref.end <= verb.start() or (verb.group("agent") is None and verb.end() <= ref.start))
            )  # "X is recalled", "is X cited in ...", "recalled X"; not "cited in X"
        ]
        if cited_by:
            keys.append(ref.key)
            spans.append(english.span(back[ref.start], back[min(ref.end, len(back) - 1)]))
            recall |= any(v.group().lower().startswith("recall") for v in cited_by)
    return CitedRefs(tuple(dict.fromkeys(keys)), tuple(spans), "recalling" if recall and keys else None)


# Instrument types named without a number ("which draft opinions", "WTDC resolutions"): full words only.
_BARE_TYPES = re.compile(
    r"\b(?P<type>draft\s+opinions?|opinions?|resolutions?|recommendations?|questions?|regional\s+initiatives?"
    r"|action\s+lines?|decisions?)\b(?!\s*(?:no\.?\s*)?[a-z]{0,3}\d)",
    re.IGNORECASE,
)


def _bare_types(text: str) -> tuple[str, ...]:
    found = []
    for m in _BARE_TYPES.finditer(text):
        word = " ".join(m.group("type").lower().split())
        found.append(TYPE_ALIASES.get(word, TYPE_ALIASES.get(word.rstrip("s"), "")))
    return tuple(dict.fromkeys(t for t in found if t))


def _rest(text: str, references: Sequence[Reference]) -> str:
    """The folded query's words outside its references and quoted phrases.

    References are blanked in place first, so that every span still points where it did; quoted
    phrases are removed after.
    """
    for ref in references:
        text = text[: ref.span[0]] + " " * (ref.span[1] - ref.span[0]) + text[ref.span[1] :]
    return " ".join(_QUOTED.sub(" ", text).split())


def parse_query(query: str, codes: Sequence[str] = ()) -> ParsedQuery:
    """Find quoted phrases and references in ``query``.

    Args:
        query: the query as typed.
        codes: instrument codes that may stand alone ("afr1", "c5"), from ``ReferenceResolver.codes``.
    """
    phrases = tuple(p.strip() for p in _QUOTED.findall(query) if words(p))
    # "Résolution 66", "第66号决议": read, and ranked, as "Resolution 66"; spans still index the query
    english = english_forms(query)
    rest = _INSTRUMENT.sub(_canonical_name, _QUOTED.sub(" ", english.text))
    ranking = " ".join(rest.split()) or " ".join(phrases)
    text = normalize_text(query)
    references = _references(english.text, normalize_text(english.text), codes)
    if english.changed:
        references = [_in_original(r, english) for r in references]
    cited_refs = cited_keys(query)
    cited, cited_spans = cited_refs.keys, cited_refs.spans
    cited_types: tuple[str, ...] = ()
    if cited:
        outside = _QUOTED.sub(" ", query)
        for s, e in cited_spans:
            outside = outside[:s] + " " * (e - s) + outside[e:]
        cited_types = _bare_types(outside)
        # the cited instrument, and a part of it named just before ("paragraph 37 of the Geneva
        # Declaration"), are what others cite, not places of the corpus the question asks about
        references = [
            r
            for r in references
            if not any(
                (r.span[0] < e and s < r.span[1]) or _PINPOINT_GAP.fullmatch(query[r.span[1] : s])
                for s, e in cited_spans
            )
        ]
    references.sort(key=lambda r: r.span)
    return ParsedQuery(
        raw=query,
        ranking_text=ranking,
        phrases=phrases,
        references=tuple(references),
        rest=_rest(text, references),
        cited=cited,
        cited_spans=cited_spans,
        cited_role=cited_refs.role,
        cited_types=cited_types,
    )


def _in_original(ref: Reference, english: Rewritten) -> Reference:
    """``ref``, found in the query's English forms, with its span and words in the query as typed."""
    start, end = english.span(*ref.span)
    return dataclasses.replace(ref, text=english.original[start:end], span=(start, end))


def _references(query: str, text: str, codes: Sequence[str]) -> list[Reference]:
    """Instrument references (with the role, label, result or objective after them), then paragraph
    labels outside them, in ``text`` (the folded query); spans index ``query`` as typed."""
    references: list[Reference] = []
    taken: list[tuple[int, int]] = []
    matches = [
        (m.start(), m.end(), TYPE_ALIASES[" ".join(m.group("type").lower().split())], m.group("id"))
        for m in _INSTRUMENT.finditer(text)
    ]
    if codes:
        code_re = re.compile(
            r"\b(" + "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True)) + r")\b"
        )
        for m in code_re.finditer(text):
            if not any(s <= m.start() < e for s, e, _, _ in matches):
                matches.append((m.start(), m.end(), "", m.group(1)))
    for start, end, type_word, ident in sorted(matches):
        after = _AFTER.match(text, end)
        clause = label = kind = None
        if after:
            if after.group("role"):
                role = " ".join(after.group("role").lower().split())
                clause = _ROLE_VARIANTS.get(role, role)
                label = _label_key(after.group("label")) if after.group("label") else None
            elif after.group("result"):
                kind, label = "result", after.group("rlabel")
            elif after.group("objective"):
                kind = "objective"
            elif after.group("title"):
                kind = "title"
            end = after.end()
        references.append(
            Reference(
                text=query[start:end],
                span=(start, end),
                instrument=(type_word, ident),
                clause=clause,
                label=label,
                kind=kind,
            )
        )
        taken.append((start, end))
    for m in _PARAGRAPH.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        label = m.group("label") or m.group("bare")
        references.append(Reference(text=query[m.start() : m.end()], span=(m.start(), m.end()), label=label))
    return references


_RECOMMENDATION_NUMBER = re.compile(r"(?<![\w.])([A-Z]{1,3}\.\d+(?:\.\d+)?(?:-\d+)?)(?![\w.])")


class ReferenceResolver:
    """Resolves ``Reference``s to passage rows through the passages' fields.

    Built once per index; resolving is a few dictionary look-ups and mask operations.
    """

    def __init__(self, passages: Sequence[Passage], documents: Sequence[DocumentMeta]) -> None:
        n = len(passages)
        self._instrument_rows: dict[tuple[str, str], list[int]] = {}
        self._codes: dict[str, list[tuple[str, str]]] = {}
        self._labels: dict[str, list[int]] = {}
        self._kind = np.array([p.kind for p in passages], dtype=object)
        self._clause = np.array([p.clause or "" for p in passages], dtype=object)
        self._doc = np.array([p.doc for p in passages], dtype=object)
        for row, p in enumerate(passages):
            if p.instrument:
                key = instrument_key(p.instrument)
                if key:
                    self._instrument_rows.setdefault(key, []).append(row)
            for form in self._label_forms(p):
                self._labels.setdefault(form, []).append(row)
        for key in self._instrument_rows:
            if re.fullmatch(r"[a-z]+\d+", key[1]):  # AFR1, C5: codes that name an instrument alone
                self._codes.setdefault(key[1], []).append(key)
        self._names = self._named_instruments(passages)
        for rows_of_name in self._names.values():
            for key, rows in rows_of_name.items():
                self._instrument_rows.setdefault(key, rows)
        self._doc_names = self._document_names(documents)
        self._doc_words = self._document_words(passages, documents)
        # the bodies whose events the documents record ("WTDC" for WTDC-25): "which WTDC texts ..."
        self._bodies: dict[str, set[str]] = {}
        for d in documents:
            body = re.match(r"[A-Za-z]+", d.event or "")
            if body and len(body.group()) >= 3:
                self._bodies.setdefault(body.group().lower(), set()).add(d.id)
        self.size = n

    @staticmethod
    def _label_forms(p: Passage) -> set[str]:
        """The labels a reader may cite a passage by: printed, and the cited number of id and citation."""
        forms = set()
        if p.label:
            forms.add(_label_key(p.label))
        parent, _, tail = p.id.rpartition("/")
        forms.add(tail)
        section = re.search(r"/(\d+(?:\.\d+)+)$", parent) if re.fullmatch(r"p\d+", tail) else None
        if section:  # "§7.6, paragraph 1" (id .../7.6/p1) is in the section a reader cites as "7.6"
            forms.add(section.group(1))
        for part in p.citation.split(", ")[1:-1]:  # "§7.6, 1": item 1 is in the section cited "7.6" too
            numbered = re.fullmatch(r"§\s*(\d+(?:\.\d+)+)", part.strip())
            if numbered:
                forms.add(numbered.group(1))
        number = re.search(r"(\d+(?:\.\d+)*|^[a-z])$", tail)
        if number:
            forms.add(number.group(1))
        cite_tail = p.citation.rsplit(",", 1)[-1].strip()
        match = re.search(r"(?:§\s*)?(\d+(?:\.\d+)*|\b[a-z]\))$", cite_tail)
        if match:
            forms.add(_label_key(match.group(1)))
        forms.discard("")
        return forms

    @staticmethod
    def _named_instruments(passages: Sequence[Passage]) -> dict[str, dict[tuple[str, str], list[int]]]:
        """Instruments with a name but no number ("Baku Declaration"): query pattern -> key -> rows.

        Such a name is read in a query as written, as "Declaration of Baku", and as "the Declaration"
        when no other instrument's name ends in that word, so that "what does the Declaration say
        about skills" is about the Baku Declaration the way "Resolution 15 handbooks" is about
        Resolution 15. Keys are (type word, the other words): ("declaration", "baku").
        """
        rows: dict[tuple[str, str], list[int]] = {}
        forms: dict[tuple[str, str], tuple[str, ...]] = {}
        for row, p in enumerate(passages):
            if not p.instrument or instrument_key(p.instrument):
                continue
            name = words(re.sub(r"\([^)]*\)", " ", p.instrument))
            if len(name) < 2:
                continue
            key = (name[-1], " ".join(name[:-1]))
            rows.setdefault(key, []).append(row)
            forms[key] = (" ".join(name), f"{name[-1]} of {' '.join(name[:-1])}")
        by_type: dict[str, list[tuple[str, str]]] = {}
        for key in rows:
            by_type.setdefault(key[0], []).append(key)
        patterns: dict[str, dict[tuple[str, str], list[int]]] = {}
        for key, names in forms.items():
            alone = len(by_type[key[0]]) == 1 and key[0] not in TYPE_ALIASES
            # "the Declaration", but not "the Declaration of Principles" or "the Geneva Declaration"
            bare = [rf"\bthe\s+{re.escape(key[0])}\b(?!\s+(?:of|on)\b)"] if alone else []
            written = [r"\b" + r"\s+".join(map(re.escape, n.split())) + r"\b" for n in names]
            for pattern in written + bare:
                patterns.setdefault(pattern, {})[key] = rows[key]
        return patterns

    def named_references(self, query: str, taken: Sequence[tuple[int, int]] = ()) -> list[Reference]:
        """References to the instruments of ``_named_instruments`` in ``query`` (outside ``taken``).

        The longest name wins where two overlap ("the Baku Declaration" over "the Declaration").
        """
        text = normalize_text(query)
        matches = [
            (m.start(), m.end(), keys)
            for pattern, keys in self._names.items()
            for m in re.finditer(pattern, text, re.IGNORECASE)
        ]
        found: list[Reference] = []
        spans = list(taken)
        for start, end, keys in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
            if any(start < e and s < end for s, e in spans):
                continue
            spans.append((start, end))
            found.extend(Reference(text=query[start:end], span=(start, end), instrument=key) for key in keys)
        return found

    @staticmethod
    def _document_names(documents: Sequence[DocumentMeta]) -> list[tuple[str, tuple[str, ...]]]:
        """(name as it may appear in a query, document ids it means), longest names first."""
        names: dict[str, set[str]] = {}
        for d in documents:
            # a Recommendation is named by its number alone: "E.119" for "Recommandation UIT-T E.119",
            # "S.354" and "S.354-2" for "Recommendation ITU-R S.354-2"
            numbers = _RECOMMENDATION_NUMBER.findall(f"{d.symbol or ''} {d.short_title}")
            versionless = [n.split("-")[0] for n in numbers]
            for name in (d.short_title, d.event, d.id, *numbers, *versionless):
                if name and len(name) >= 4:
                    names.setdefault(normalize_text(name), set()).add(d.id)
        return sorted(((n, tuple(sorted(ids))) for n, ids in names.items()), key=lambda x: -len(x[0]))

    @staticmethod
    def _document_words(
        passages: Sequence[Passage], documents: Sequence[DocumentMeta]
    ) -> dict[str, tuple[str, ...]]:  # (words under 4 letters and function words of the texts'
        # languages never name a document: "un", "de", "pour" in a French title are everywhere else)
        """Title words that stand for one document ("roadmap", "Baku"): token -> document ids.

        A word of one document's title (and no other's) that at least half of that document's
        passages hold (in their text or headings), at most 5 % of the other passages, and at most 10 %
        of any other one document's: it names the document the way "roadmap" names the WSIS roadmaps,
        while "development" (everywhere) does not, nor "draft" once a report full of draft opinions or
        a draft resolution is in the corpus beside the first draft outline.
        """
        title_tokens = {d.id: set(tokenize(f"{d.title} {d.short_title} {d.event or ''}")) for d in documents}
        counts: dict[str, int] = {}
        for tokens in title_tokens.values():
            for t in tokens:
                counts[t] = counts.get(t, 0) + 1
        size: dict[str, int] = {}
        held: dict[tuple[str, str], int] = {}
        candidates = {
            t
            for t, n in counts.items()
            if n == 1 and len(t) >= 4 and t not in _FUNCTION_WORDS and not any(c.isdigit() for c in t)
        }
        for p in passages:
            size[p.doc] = size.get(p.doc, 0) + 1
            for t in candidates.intersection(tokenize(f"{p.context} {p.text}")):
                held[(p.doc, t)] = held.get((p.doc, t), 0) + 1
        total = sum(size.values())
        out: dict[str, tuple[str, ...]] = {}
        added = {d.id for d in documents if d.kind == "auto"}
        for doc, tokens in title_tokens.items():
            if doc in added:
                # a title read from an added text holds its subject's words ("security", "health"),
                # which would name the document in every question on the subject; it is named by
                # its symbol or short title instead (``_doc_names``)
                continue
            n_in = size.get(doc, 0)
            n_out = total - n_in
            for t in tokens & candidates:
                inside = held.get((doc, t), 0)
                others = [(v, size[d]) for (d, tok), v in held.items() if tok == t and d != doc]
                outside = sum(v for v, _ in others)
                if (
                    n_in
                    and inside / n_in >= 0.5
                    and (not n_out or outside / n_out <= 0.05)
                    and all(v / n <= 0.1 for v, n in others)
                ):
                    out[t] = (doc,)
        return out

    def document_intent(self, query: str, tokens: Sequence[str] | None = None) -> tuple[str, ...]:
        """Documents the query names by a word that stands for one ("in the roadmaps", "Baku").

        ``tokens``: the query's BM25 tokens, when the caller has them already.
        """
        tokens = tokenize(query) if tokens is None else tokens
        return tuple(sorted({d for t in tokens for d in self._doc_words.get(t, ())}))

    @property
    def codes(self) -> list[str]:
        return sorted(self._codes)

    def parse(self, query: str) -> ParsedQuery:
        """``parse_query`` with this index's codes, plus the documents the query names."""
        parsed = parse_query(query, self.codes)
        named = self.named_references(
            parsed.raw, [r.span for r in parsed.references] + list(parsed.cited_spans)
        )
        if named:
            references = tuple(sorted((*parsed.references, *named), key=lambda r: r.span))
            rest = _rest(normalize_text(parsed.raw), references)
            parsed = dataclasses.replace(parsed, references=references, rest=rest)
        text = parsed.rest
        hints: set[str] = set()
        cited_docs: set[str] = set()
        if parsed.cited:
            outside = parsed.raw
            for s, e in parsed.cited_spans:
                outside = outside[:s] + " " * (e - s) + outside[e:]
            for body, ids in self._bodies.items():
                if re.search(rf"(?<![\w-]){re.escape(body)}(?![\w])", outside, re.IGNORECASE):
                    cited_docs.update(ids)
        for name, ids in self._doc_names:
            pattern = r"(?<![\w-])" + re.escape(name) + r"(?![\w-])"
            if re.search(pattern, text):
                hints.update(ids)
                text = re.sub(pattern, " ", text)  # "WTPF-26 SG Report" should not also count as "WTPF-26"
        return dataclasses.replace(
            parsed,
            doc_hints=tuple(sorted(hints)),
            rest=" ".join(text.split()),
            cited_docs=tuple(sorted(cited_docs | (hints if parsed.cited else set()))),
        )

    def instrument_rows(self, ref: Reference, doc_hints: Sequence[str] = ()) -> list[int]:
        """Every row of the instrument the reference names (hinted documents first, if any match)."""
        if ref.instrument is None:
            return []
        return self.resolve(
            Reference(text=ref.text, span=ref.span, instrument=ref.instrument, kind="*"), doc_hints
        )

    def resolve(self, ref: Reference, doc_hints: Sequence[str] = ()) -> list[int]:
        """Rows the reference names, in document order (empty when nothing matches)."""
        mask = np.ones(self.size, dtype=bool)
        if ref.instrument is not None:
            type_word, ident = ref.instrument
            keys = [(type_word, ident)] if type_word else self._codes.get(ident, [])
            rows = [r for key in keys for r in self._instrument_rows.get(key, [])]
            if not rows:
                return []
            inst = np.zeros(self.size, dtype=bool)
            inst[rows] = True
            mask &= inst
        if ref.clause:
            mask &= self._clause == ref.clause
        if ref.kind and ref.kind != "*":  # "*": any kind, and no narrowing to the title below
            mask &= self._kind == ref.kind
        if ref.label:
            lab = np.zeros(self.size, dtype=bool)
            lab[self._labels.get(ref.label, [])] = True
            mask &= lab
        if doc_hints:
            hinted = mask & np.isin(self._doc, list(doc_hints))
            if hinted.any():
                mask = hinted
        rows = np.flatnonzero(mask)
        if ref.instrument is not None and not (ref.clause or ref.label or ref.kind):
            titles = rows[self._kind[rows] == "title"]
            if len(titles):
                return titles.tolist()
            # no title passage: the instrument's first passage in each document stands for it
            first: dict[str, int] = {}
            for r in rows.tolist():
                first.setdefault(self._doc[r], r)
            return sorted(first.values())
        if ref.instrument is None and ref.label:
            # a paragraph number alone: prefer paragraphs and headings over clause items
            para = rows[np.isin(self._kind[rows], ["paragraph", "heading"])]
            if len(para):
                return para.tolist()
        return rows.tolist()


def ranking_tokens(parsed: ParsedQuery) -> list[str]:
    """BM25 tokens of the part of the query that ranks."""
    return tokenize(parsed.ranking_text)
