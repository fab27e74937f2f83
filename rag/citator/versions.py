"""Versions of a text: passages aligned across drafts and forums, word-level diffs, revision history.

A drafter asks "how did this paragraph change between the first draft outline and the final report?"
and "did WTPF-21 already say this?". This module answers from the passages alone (what the index
stores), so the alignment can be computed once at index build time and saved as JSON.

Two sorts of document pairs (see :func:`version_pairs`):

- **drafts**: two documents of the same event and kind (the WTPF-26 First Draft Outline and the final
  WTPF-26 report). Every passage of the earlier one is aligned with at most one passage of the later
  one by a monotone alignment over document order (:func:`align_drafts`); what has no partner is
  *gone* (earlier only) or *new* (later only).
- **counterparts**: two documents of the same kind from different events (the WTPF-21 and WTPF-26
  reports). Only clauses of instruments are compared, item by item within the same clause role, and
  only above a similarity threshold (:func:`align_counterparts`); most items have no counterpart.

The WTDC report carries a third kind of version information that is metadata, not text: an
instrument's name says when it was last revised ("Resolution 15 (Rev. Kigali, 2022)") and the
report's table "Status of all resolutions ..." lists each resolution's history, which tells what a
Baku revision revises (:func:`extract_revisions`). Nothing is inferred beyond what the texts state.

Example:
    >>> word_diff("the old text", "the new text").render()
    'the [-old-] [+new+] text'
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

from rag.errors import IndexStaleError, NotFoundError
from rag.parse.spans import single_spaced
from rag.types import DocumentMeta, Passage, _ChoiceEnum

logger = logging.getLogger(__name__)

__all__ = [
    "AlignedPair",
    "ChangeReport",
    "DiffOp",
    "DiffTag",
    "DocPair",
    "PairKind",
    "Revision",
    "VersionIndex",
    "VersionLink",
    "VersionRelation",
    "VersionedPassage",
    "WordDiff",
    "align_counterparts",
    "align_drafts",
    "extract_revisions",
    "related_documents",
    "similarity",
    "version_pairs",
    "word_diff",
]

SCHEMA = 1

# Thresholds, on difflib's ratio 2*M/(|a|+|b|) over lower-cased word tokens (punctuation ignored).
# Measured on the corpus (004 -> 000, WTPF-21 -> WTPF-26 opinions); see tests/test_versions.py.
#
# Drafts: the paragraphs of 004 that 000 kept score 0.84-1.0 with their final form; 004's "Next
# Steps", which 000 dropped, scores at most 0.2 with anything. Wrong partners above 0.5 exist (1.3 vs
# 3.6, 0.51, share the five theme lines; timetable rows resemble each other up to 0.88): the one-to-one
# monotone alignment, not the threshold, rejects those. 0.5 keeps a heavily reworded paragraph and
# leaves one sharing only boilerplate "new"/"gone".
DRAFT_MATCH = 0.5
# The same printed number ("2.3" and "2.3") is strong evidence but numbering shifts between drafts,
# so it only lowers the bar, and adds a small weight that breaks near-ties in the alignment.
DRAFT_LABEL_MATCH = 0.35
LABEL_WEIGHT = 0.1
# A passage right after (or before) an aligned pair, of the same kind, in a gap of both documents, is
# taken as the next version when it shares this much: the timetable's last row went from "First half
# of 2026 Seventh World ... Forum" to "8-11 June 2026 Seventh World ... (WTPF-26) in the Bahamas ..."
# (0.35). Nothing in 004 that is really gone scores above 0.2 with its neighbour slot.
DRAFT_NEIGHBOUR = 0.3
# A title may become a paragraph, a row a box ...: a change of kind needs near-identical words.
CROSS_KIND_MATCH = 0.8
# Counterparts: of the same-role pairs between WTPF-21 and WTPF-26 opinions that cite no different
# instruments, every one at 0.45 or more is the same clause reused or adapted (22 pairs kept); the
# best unrelated pair scores 0.35 ("to adopt flexible ... spectrum policies" vs "to create an enabling
# environment ... access to finance"). Between 0.3 and 0.45 true counterparts (items merged or
# rewritten around a reused phrase) and false ones mix, so they are left out: a missing link costs a
# drafter less than a wrong one.
COUNTERPART_MATCH = 0.45

_SIM_TOKEN = re.compile(r"\w+")
# Diff tokens: words (with inner apostrophes) and single punctuation marks; whitespace, NBSP
# included (``\s`` matches U+00A0 in ``str`` patterns), only separates them.
_DIFF_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


# --------------------------------------------------------------------------------------------------
# Word-level diff


class DiffTag(_ChoiceEnum):
    """What a diff operation does to the earlier text."""

    EQUAL = "equal"
    INSERT = "insert"  # words only in the later text
    DELETE = "delete"  # words only in the earlier text


@dataclass(frozen=True, slots=True)
class DiffOp:
    """A run of words that is unchanged, inserted or deleted.

    ``a_start:a_end`` and ``b_start:b_end`` are character spans of the run in the earlier (a) and later
    (b) text; an inserted run has an empty span in a (where it goes), a deleted one an empty span in b.
    ``text`` is the run as printed: from b for ``equal`` and ``insert``, from a for ``delete``.
    """

    tag: DiffTag
    text: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag.value,
            "text": self.text,
            "a": [self.a_start, self.a_end],
            "b": [self.b_start, self.b_end],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DiffOp:
        (a_start, a_end), (b_start, b_end) = data["a"], data["b"]
        return cls(DiffTag.from_str(data["tag"]), data["text"], a_start, a_end, b_start, b_end)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class WordDiff:
    """The word-level difference from an earlier text ``a`` to a later text ``b``."""

    a: str
    b: str
    ops: tuple[DiffOp, ...]

    @property
    def unchanged(self) -> bool:
        """True when no word was inserted or deleted (whitespace may still differ)."""
        return all(op.tag is DiffTag.EQUAL for op in self.ops)

    def inserted(self) -> list[str]:
        """The inserted runs, as printed in the later text."""
        return [op.text for op in self.ops if op.tag is DiffTag.INSERT]

    def deleted(self) -> list[str]:
        """The deleted runs, as printed in the earlier text."""
        return [op.text for op in self.ops if op.tag is DiffTag.DELETE]

    def render(
        self, *, insert: tuple[str, str] = ("[+", "+]"), delete: tuple[str, str] = ("[-", "-]")
    ) -> str:
        """One line showing both versions: unchanged words, ``[+inserted+]`` and ``[-deleted-]`` ones.

        The space between runs is taken from the text the next run comes from, so punctuation keeps
        its place ("2022[-)-]." rather than "2022 [-)-] .").
        """
        out: list[str] = []
        pos_a = pos_b = 0
        for op in self.ops:
            if op.tag is DiffTag.DELETE:
                out += [_gap(self.a[pos_a : op.a_start]), delete[0], op.text, delete[1]]
                pos_a = op.a_end
                continue
            if op.tag is DiffTag.INSERT:
                out += [_gap(self.b[pos_b : op.b_start]), insert[0], op.text, insert[1]]
            else:  # after a deletion the space before an unchanged run is in a
                out += [_gap(self.a[pos_a : op.a_start] + self.b[pos_b : op.b_start]), op.text]
                pos_a = op.a_end
            pos_b = op.b_end
        return "".join(out).strip()

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "ops": [op.to_dict() for op in self.ops]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WordDiff:
        return cls(data["a"], data["b"], tuple(DiffOp.from_dict(op) for op in data["ops"]))


def _gap(space: str) -> str:
    return " " if space else ""


def _diff_tokens(text: str) -> list[re.Match[str]]:
    return list(_DIFF_TOKEN.finditer(text))


def word_diff(a: str, b: str) -> WordDiff:
    """Diff two texts word by word (punctuation marks count as words; whitespace does not).

    difflib's SequenceMatcher over the token lists, without its "autojunk" heuristic (which would
    ignore frequent words such as "the" in long passages and report them as changed). A replaced run
    becomes a ``delete`` followed by an ``insert``. Whitespace differences, NBSP for a space included,
    are no change.

    Example:
        >>> d = word_diff("Resolution 2 (Rev. Bucharest)", "as per Resolution\\u00a02 (Rev. Bucharest)")
        >>> [(op.tag.value, op.text) for op in d.ops]
        [('insert', 'as per'), ('equal', 'Resolution\\xa02 (Rev. Bucharest)')]
    """
    ta, tb = _diff_tokens(a), _diff_tokens(b)
    matcher = difflib.SequenceMatcher(None, [m.group() for m in ta], [m.group() for m in tb], autojunk=False)

    def span(tokens: list[re.Match[str]], i: int, j: int, text: str) -> tuple[int, int]:
        if i < j:
            return tokens[i].start(), tokens[j - 1].end()
        at = tokens[i].start() if i < len(tokens) else len(text)
        return at, at

    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        (a0, a1), (b0, b1) = span(ta, i1, i2, a), span(tb, j1, j2, b)
        if tag == "equal":
            ops.append(DiffOp(DiffTag.EQUAL, b[b0:b1], a0, a1, b0, b1))
            continue
        if i1 < i2:
            ops.append(DiffOp(DiffTag.DELETE, a[a0:a1], a0, a1, b0, b0))
        if j1 < j2:
            ops.append(DiffOp(DiffTag.INSERT, b[b0:b1], a1, a1, b0, b1))
    return WordDiff(a, b, tuple(ops))


# --------------------------------------------------------------------------------------------------
# Similarity


def _sim_tokens(text: str) -> list[str]:
    return [w.lower() for w in _SIM_TOKEN.findall(text)]


def _ratio(ta: Sequence[str], tb: Sequence[str], floor: float = 0.0) -> float:
    """difflib ratio of two token lists; 0.0 when the cheap upper bound is already below ``floor``."""
    if not ta and not tb:
        return 1.0
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    if floor and (matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor):
        return 0.0
    return matcher.ratio()


def similarity(a: str, b: str) -> float:
    """How much two texts share, 0..1: difflib ratio 2*M/(|a|+|b|) over lower-cased word tokens.

    Punctuation, case and whitespace are ignored, so "(UNGA), on Transforming" and "(UNGA) on
    “Transforming" are the same; word order counts, unlike a bag-of-words Jaccard, so a text that
    reuses the vocabulary of another in a different sentence scores lower.

    Example:
        >>> round(similarity("the purpose of WTPF", "The purpose of the WTPF"), 3)
        0.889
    """
    return _ratio(_sim_tokens(a), _sim_tokens(b))


# --------------------------------------------------------------------------------------------------
# Value types of the alignment


class PairKind(_ChoiceEnum):
    """How two documents relate: drafts of one text, or texts of two forums on related topics."""

    DRAFTS = "drafts"
    COUNTERPARTS = "counterparts"


class VersionRelation(_ChoiceEnum):
    """What the other passage of a :class:`VersionLink` is to the passage asked about."""

    EARLIER = "earlier"  # its version in an earlier draft
    LATER = "later"  # its version in a later draft
    COUNTERPART = "counterpart"  # the corresponding clause of an opinion of another forum


@dataclass(frozen=True, slots=True)
class DocPair:
    """Two documents to align, earlier first; ``instrument`` (a reference key) limits the alignment to
    that instrument's passages in each (two editions of one resolution in two collections)."""

    earlier: str
    later: str
    kind: PairKind
    instrument: str | None = None

    def to_dict(self) -> dict[str, str]:
        data = {"earlier": self.earlier, "later": self.later, "kind": self.kind.value}
        return data | ({"instrument": self.instrument} if self.instrument else {})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocPair:
        kind = PairKind.from_str(data["kind"])
        return cls(data["earlier"], data["later"], kind, data.get("instrument"))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """A passage of the earlier document and its version (or counterpart) in the later one."""

    earlier: str
    later: str
    similarity: float
    identical: bool = False  # same words (whitespace and NBSP aside)

    def to_dict(self) -> dict[str, Any]:
        return {
            "earlier": self.earlier,
            "later": self.later,
            "similarity": self.similarity,
            "identical": self.identical,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AlignedPair:
        return cls(data["earlier"], data["later"], float(data["similarity"]), bool(data["identical"]))


@dataclass(frozen=True, slots=True)
class ChangeReport:
    """What changed from one document to another.

    ``aligned`` lists the pairs in the later document's order. For drafts ``new`` holds the passages
    only in the later document and ``gone`` those only in the earlier one; for counterparts they hold
    the clauses without a counterpart (only clauses are compared there).
    """

    pair: DocPair
    aligned: tuple[AlignedPair, ...]
    new: tuple[str, ...]
    gone: tuple[str, ...]

    @property
    def changed(self) -> tuple[AlignedPair, ...]:
        """The aligned pairs whose words differ."""
        return tuple(p for p in self.aligned if not p.identical)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.pair.to_dict(),
            "aligned": [p.to_dict() for p in self.aligned],
            "new": list(self.new),
            "gone": list(self.gone),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChangeReport:
        return cls(
            pair=DocPair.from_dict(data),
            aligned=tuple(AlignedPair.from_dict(p) for p in data["aligned"]),
            new=tuple(data["new"]),
            gone=tuple(data["gone"]),
        )


@dataclass(frozen=True, slots=True)
class VersionedPassage:
    """What the version index keeps of a passage: enough to name it and diff it."""

    id: str
    doc: str
    citation: str
    text: str

    @classmethod
    def of(cls, p: Passage) -> VersionedPassage:
        return cls(p.id, p.doc, p.citation, p.text)

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "doc": self.doc, "citation": self.citation, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VersionedPassage:
        return cls(data["id"], data["doc"], data["citation"], data["text"])


@dataclass(frozen=True, slots=True)
class VersionLink:
    """Another version of a passage: which passage, how it relates, how similar, and the diff.

    ``diff`` always runs from the earlier document's text (a) to the later one's (b), whichever of the
    two was asked about, so an inserted word is one the later version added.
    """

    passage_id: str
    doc: str
    citation: str
    relation: VersionRelation
    similarity: float
    diff: WordDiff

    def to_dict(self) -> dict[str, Any]:
        return {
            "passage_id": self.passage_id,
            "doc": self.doc,
            "citation": self.citation,
            "relation": self.relation.value,
            "similarity": self.similarity,
            "diff": self.diff.to_dict(),
        }


# --------------------------------------------------------------------------------------------------
# Which documents to align


def version_pairs(documents: Sequence[DocumentMeta]) -> list[DocPair]:
    """The document pairs worth aligning, derived from the corpus metadata.

    Same kind and same event: drafts of one text (the First Draft Outline of the WTPF-26 report and
    the report). Same kind, different events: counterparts (the WTPF-21 and WTPF-26 reports, whose
    opinions overlap). Documents added with ``rag add`` (kind ``auto``, any body) pair only when
    their titles are the same words: a UN draft and the resolution adopted from it (drafts), the
    yearly resolutions on one subject (counterparts). Earlier means an earlier ``date``; ISO dates
    and bare years compare as strings.
    """
    pairs = []
    for x, y in combinations(documents, 2):
        if x.kind != y.kind:
            continue
        if x.kind == "auto" and not _same_text(x, y):
            continue  # added documents pair only with the other versions of the same text
        earlier, later = (x, y) if x.date <= y.date else (y, x)
        kind = PairKind.DRAFTS if x.event == y.event else PairKind.COUNTERPARTS
        pairs.append(DocPair(earlier.id, later.id, kind))
    return pairs


def instrument_pairs(
    keys: Mapping[tuple[str, str | None], str], documents: Sequence[DocumentMeta]
) -> list[DocPair]:
    """Editions of one instrument in two documents, where one was added with ``rag add``.

    "Resolution 2 (Rev. Dubai, 2018)" in the PP-18 Final Acts and "Resolution 2 (Rev. Bucharest,
    2022)" in the PP-22 Final Acts have one reference key (``itu/pp/res/2``): their passages are aligned
    as drafts of one text, the edition with the earlier year first. Documents already paired whole
    (:func:`version_pairs`) are not paired again.
    """
    meta = {d.id: d for d in documents}
    whole = {frozenset((p.earlier, p.later)) for p in version_pairs(documents)}
    editions: dict[str, dict[str, str]] = {}
    for (doc, name), key in keys.items():
        if name is not None and doc in meta:
            editions.setdefault(key, {}).setdefault(doc, name)
    pairs = []
    for key, docs in sorted(editions.items()):
        for x, y in combinations(sorted(docs), 2):
            if "auto" not in (meta[x].kind, meta[y].kind) or frozenset((x, y)) in whole:
                continue
            earlier, later = sorted(
                (x, y), key=lambda d: (_edition_year(docs[d]) or meta[d].date[:4], meta[d].date)
            )
            pairs.append(DocPair(earlier, later, PairKind.DRAFTS, instrument=key))
    return pairs


def _instrument_keys(
    by_doc: Mapping[str, Sequence[Passage]], events: Mapping[str, str]
) -> dict[tuple[str, str | None], str]:
    """(document, instrument name) -> the instrument's reference key, for every named instrument."""
    from rag.citator.references import instrument_key

    keys: dict[tuple[str, str | None], str] = {}
    for doc, rows in by_doc.items():
        for name in {p.instrument for p in rows if p.instrument}:
            key = instrument_key(name, events.get(doc))
            if key is not None:
                keys[(doc, name)] = key
    return keys


def _edition_year(name: str) -> str | None:
    m = re.search(r"\b((?:19|20)\d\d)\)\s*$", name)
    return m.group(1) if m else None


def _same_text(x: DocumentMeta, y: DocumentMeta) -> bool:
    """Two added documents are versions of one text when their titles are the same words.

    A UN draft ("A/C.2/80/L.17") and the resolution adopted from it ("A/RES/80/118") share their
    title, and so do the yearly resolutions on one subject (counterparts across sessions).
    """
    a, b = _title_words(x.title), _title_words(y.title)
    return len(a) >= 4 and a == b


def _title_words(title: str) -> list[str]:
    return re.findall(r"[^\W_]+", title.casefold())


def related_documents(documents: Sequence[DocumentMeta], doc_id: str) -> set[str]:
    """The document itself and every document :func:`version_pairs` pairs it with."""
    related = {doc_id}
    for pair in version_pairs(documents):
        if doc_id in (pair.earlier, pair.later):
            related |= {pair.earlier, pair.later}
    return related


# --------------------------------------------------------------------------------------------------
# Drafts: monotone alignment over document order


def _same_label(a: Passage, b: Passage) -> bool:
    return a.label is not None and a.label == b.label


def _draft_score(a: Passage, b: Passage, ta: list[str], tb: list[str]) -> float | None:
    """The pair's similarity when it may be aligned, else None."""
    same_kind = a.kind == b.kind
    floor = DRAFT_NEIGHBOUR if same_kind else CROSS_KIND_MATCH
    sim = _ratio(ta, tb, floor)
    if not same_kind:
        return sim if sim >= CROSS_KIND_MATCH else None
    if sim >= DRAFT_MATCH or (_same_label(a, b) and sim >= DRAFT_LABEL_MATCH):
        return sim
    return None


def align_drafts(earlier: Sequence[Passage], later: Sequence[Passage]) -> ChangeReport:
    """Align two drafts passage by passage, keeping document order.

    1. Score every pair that may correspond (:data:`DRAFT_MATCH`, or :data:`DRAFT_LABEL_MATCH` with
       the same printed number; a change of kind needs :data:`CROSS_KIND_MATCH`).
    2. Choose the order-preserving set of pairs with the largest total score (similarity plus
       :data:`LABEL_WEIGHT` for a shared number): a dynamic programme like the longest common
       subsequence, O(n*m). Order decides between look-alikes, such as rows of a timetable.
    3. Fill gaps: the passage right after (or before) an aligned pair is the next version of the
       other document's passage in the same slot when both are of one kind and share
       :data:`DRAFT_NEIGHBOUR`.

    What remains unpaired is gone (earlier only) or new (later only).

    Args:
        earlier: the earlier draft's passages, in document order.
        later: the later draft's passages, in document order.
    """
    if not earlier or not later:
        raise ValueError("align_drafts needs passages of both documents")
    ta = [_sim_tokens(p.text) for p in earlier]
    tb = [_sim_tokens(p.text) for p in later]
    n, m = len(earlier), len(later)
    score: dict[tuple[int, int], float] = {}
    for i, a in enumerate(earlier):
        for j, b in enumerate(later):
            s = _draft_score(a, b, ta[i], tb[j])
            if s is not None:
                score[i, j] = s
    # best[i][j]: best total using earlier[:i] and later[:j]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, prev = best[i], best[i - 1]
        for j in range(1, m + 1):
            value = max(prev[j], row[j - 1])
            s = score.get((i - 1, j - 1))
            if s is not None:
                weight = s + (LABEL_WEIGHT if _same_label(earlier[i - 1], later[j - 1]) else 0.0)
                value = max(value, prev[j - 1] + weight)
            row[j] = value
    pairs: dict[int, int] = {}
    i, j = n, m
    while i and j:
        s = score.get((i - 1, j - 1))
        weight = None if s is None else s + (LABEL_WEIGHT if _same_label(earlier[i - 1], later[j - 1]) else 0)
        if weight is not None and abs(best[i][j] - (best[i - 1][j - 1] + weight)) < 1e-9:
            pairs[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    _fill_gaps(earlier, later, ta, tb, pairs)
    return _report(DocPair(earlier[0].doc, later[0].doc, PairKind.DRAFTS), earlier, later, pairs, ta, tb)


def _fill_gaps(
    earlier: Sequence[Passage],
    later: Sequence[Passage],
    ta: list[list[str]],
    tb: list[list[str]],
    pairs: dict[int, int],
) -> None:
    """Pair the unpaired neighbours of aligned pairs (and of the documents' ends) that fit the slot."""
    n, m = len(earlier), len(later)
    changed = True
    while changed:
        changed = False
        used_b = set(pairs.values())
        anchors = [(-1, -1), *sorted(pairs.items()), (n, m)]
        for (i0, j0), (i1, j1) in zip(anchors, anchors[1:], strict=False):
            for i, j in ((i0 + 1, j0 + 1), (i1 - 1, j1 - 1)):  # after the first anchor, before the next
                if not (i0 < i < i1 and j0 < j < j1) or i in pairs or j in used_b:
                    continue
                if (
                    earlier[i].kind == later[j].kind
                    and _ratio(ta[i], tb[j], DRAFT_NEIGHBOUR) >= DRAFT_NEIGHBOUR
                ):
                    pairs[i] = j
                    changed = True
                    break
            if changed:
                break


def _report(
    pair: DocPair,
    earlier: Sequence[Passage],
    later: Sequence[Passage],
    pairs: Mapping[int, int],
    ta: list[list[str]],
    tb: list[list[str]],
) -> ChangeReport:
    aligned = [
        AlignedPair(
            earlier[i].id,
            later[j].id,
            _ratio(ta[i], tb[j]),
            identical=_same_words(earlier[i].text, later[j].text),
        )
        for i, j in sorted(pairs.items(), key=lambda ij: (ij[1], ij[0]))
    ]
    used_b = set(pairs.values())
    return ChangeReport(
        pair=pair,
        aligned=tuple(aligned),
        new=tuple(p.id for j, p in enumerate(later) if j not in used_b),
        gone=tuple(p.id for i, p in enumerate(earlier) if i not in pairs),
    )


def _same_words(a: str, b: str) -> bool:
    return [m.group() for m in _DIFF_TOKEN.finditer(a)] == [m.group() for m in _DIFF_TOKEN.finditer(b)]


# --------------------------------------------------------------------------------------------------
# Counterparts: clauses of opinions of two forums


def _has_clauses(passages: Iterable[Passage]) -> bool:
    return any(p.clause and p.instrument for p in passages)


def _cited_keys(text: str, event: str | None) -> frozenset[str]:
    from rag.citator.references import extract_references

    return frozenset(r.key for r in extract_references(text, event=event))


def align_counterparts(
    earlier: Sequence[Passage],
    later: Sequence[Passage],
    *,
    earlier_event: str | None = None,
    later_event: str | None = None,
) -> ChangeReport:
    """Match clauses of the instruments of two documents that say the same thing.

    Only passages with a clause role and an instrument take part (the items of draft opinions). For
    every pair of instruments (WTPF-21 Draft Opinion 2, WTPF-26 Draft Opinion 4) and every clause role
    both have, items are paired greedily by similarity, best first, each item at most once per
    instrument pair, and only at :data:`COUNTERPART_MATCH` or above. Two items that cite instruments
    and share none are never counterparts, however alike their wording: "Resolution 70/1 of the United
    Nations General Assembly (UNGA), on Transforming our world ..." and "Resolution 76/3 of the United
    Nations General Assembly (UNGA) on the “Space2030” Agenda ..." score 0.63 on words alone.

    An item may thus have counterparts in several opinions of the other forum (WTPF-26's recalling of
    Resolution 70/1 has one in three WTPF-21 opinions).

    Args:
        earlier: the earlier document's passages (any; non-clauses are ignored).
        later: the later document's passages.
        earlier_event: the earlier document's event, which tells the references' bodies.
        later_event: the later document's event.
    """
    ea = [p for p in earlier if p.clause and p.instrument]
    la = [p for p in later if p.clause and p.instrument]
    if not ea or not la:
        raise ValueError("align_counterparts needs clauses of instruments in both documents")
    ta = [_sim_tokens(p.text) for p in ea]
    tb = [_sim_tokens(p.text) for p in la]
    ka = [_cited_keys(p.text, earlier_event) for p in ea]
    kb = [_cited_keys(p.text, later_event) for p in la]
    candidates: list[tuple[float, int, int]] = []
    for j, b in enumerate(la):
        for i, a in enumerate(ea):
            if a.clause != b.clause or (ka[i] and kb[j] and not ka[i] & kb[j]):
                continue
            sim = _ratio(ta[i], tb[j], COUNTERPART_MATCH)
            if sim >= COUNTERPART_MATCH:
                candidates.append((sim, i, j))
    candidates.sort(key=lambda c: (-c[0], c[2], c[1]))
    # each item at most once per instrument of the other document
    used_a: set[tuple[int, str | None]] = set()  # (earlier item, later instrument)
    used_b: set[tuple[int, str | None]] = set()  # (later item, earlier instrument)
    links: list[tuple[int, int]] = []
    for _sim, i, j in candidates:
        if (i, la[j].instrument) in used_a or (j, ea[i].instrument) in used_b:
            continue
        used_a.add((i, la[j].instrument))
        used_b.add((j, ea[i].instrument))
        links.append((i, j))
    pair = DocPair(ea[0].doc, la[0].doc, PairKind.COUNTERPARTS)
    aligned = [
        AlignedPair(ea[i].id, la[j].id, _ratio(ta[i], tb[j]), identical=_same_words(ea[i].text, la[j].text))
        for i, j in sorted(links, key=lambda ij: (ij[1], ij[0]))
    ]
    linked_a, linked_b = {i for i, _ in links}, {j for _, j in links}
    return ChangeReport(
        pair=pair,
        aligned=tuple(aligned),
        new=tuple(p.id for j, p in enumerate(la) if j not in linked_b),
        gone=tuple(p.id for i, p in enumerate(ea) if i not in linked_a),
    )


# --------------------------------------------------------------------------------------------------
# Revision metadata of resolutions


@dataclass(frozen=True, slots=True)
class Revision:
    """When a resolution's text was adopted or last revised, and what that version revises.

    ``version`` is as its name prints it ("Rev. Kigali, 2022", or "Baku, 2025" for a new one);
    ``revises`` names the previous version ("Resolution 1 (Rev. Kigali, 2022)") only where the
    document's status table lists the history, else None. ``history`` and ``status`` are the table's
    cells; ``source`` the table row's passage id.
    """

    instrument: str
    doc: str
    number: str
    version: str
    place: str
    year: int
    revised: bool
    title_passage: str | None = None
    revises: str | None = None
    first_approved: str | None = None
    history: tuple[str, ...] = ()
    status: str | None = None
    source: str | None = None

    def describe(self) -> str:
        """One line: "Resolution 1 (Rev. Baku, 2025): revised at Baku, 2025; revises ..."."""
        verb = "revised" if self.revised else "adopted"
        parts = [f"{self.instrument}: {verb} at {self.place}, {self.year}"]
        if self.revises:
            parts.append(f"revises {self.revises}")
        if self.first_approved:
            parts.append(f"first approved {self.first_approved}")
        if self.status:
            parts.append(f"status: {self.status}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "doc": self.doc,
            "number": self.number,
            "version": self.version,
            "place": self.place,
            "year": self.year,
            "revised": self.revised,
            "title_passage": self.title_passage,
            "revises": self.revises,
            "first_approved": self.first_approved,
            "history": list(self.history),
            "status": self.status,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Revision:
        return cls(**{**data, "history": tuple(data.get("history") or ())})


_RES_NAME = re.compile(
    r"Resolution\s+(?P<number>\d+[A-Z]?)\s+\((?P<rev>Rev\.\s+)?(?P<place>[^,()]+?),\s*(?P<year>\d{4})\)"
)
# A history entry of the status table: "Rev. Kigali, 2022", "Abr. Istanbul, 2002", "Replaced by Res. 3
# (Valletta, 1998)".
_ENTRY = r"(?:(?:Rev|Abr)\.\s[^;,()]+?,\s\d{4}|Replaced by Res\.\s\d+\s\([^)]*\))"
_ROW_TAIL = re.compile(
    rf"\s(?P<history>–|{_ENTRY}(?:[;,]\s{_ENTRY})*)\s(?P<status>[A-Z][a-z]+(?:\s[a-z]+)?)$"
)
_REV_ENTRY = re.compile(r"(?P<kind>Rev|Abr)\.\s(?P<place>[^;,()]+?),\s(?P<year>\d{4})")
_STATUS_COLUMNS = ("Res.", "Title", "First approved", "History", "Status")


@dataclass(frozen=True, slots=True)
class _StatusRow:
    number: str
    first: str | None  # "Doha, 2006"
    history: tuple[str, ...]
    status: str
    passage_id: str


def _status_rows(passages: Iterable[Passage]) -> list[_StatusRow]:
    """The rows of a "Status of all resolutions" table (columns Res. | Title | First approved | ...)."""
    rows = [
        p
        for p in passages
        if p.kind == "table-row"
        and p.lead_in
        and tuple(c.strip() for c in p.lead_in.split("|")) == _STATUS_COLUMNS
    ]
    # The places of every dated entry and name, to cut "First approved" from the end of the title
    # ("... (LDCs) Buenos Aires, 1994"): a title may end in capitalised words itself.
    texts = [single_spaced(p.text) for p in rows]
    places = {m.group("place") for t in texts for m in _REV_ENTRY.finditer(t)}
    places |= {m.group(1) for t in texts for m in re.finditer(r"\(([^,()]+), \d{4}\)", t)}
    place_rx = "|".join(re.escape(x) for x in sorted(places, key=len, reverse=True)) or r"(?!)"
    # a known place, else one capitalised word ("Valletta, 1998"), or a month ("March 2010")
    first_rx = re.compile(rf"\s(?P<first>(?:{place_rx}|[A-Z][\w'’-]+),\s\d{{4}}|[A-Z][a-z]+\s\d{{4}})$")
    out = []
    for p, text in zip(rows, texts, strict=True):
        number = re.match(r"(\d+[A-Z]?)\s", text)
        tail = _ROW_TAIL.search(text)
        if not number or not tail:
            logger.debug("status row %s not understood: %r", p.id, text[:120])
            continue
        first = first_rx.search(text[: tail.start()])
        cell = tail.group("history")
        history = () if cell == "–" else tuple(re.split(r"[;,]\s(?=Rev\.|Abr\.|Replaced)", cell))
        out.append(
            _StatusRow(
                number=number.group(1),
                first=first.group("first") if first else None,
                history=history,
                status=tail.group("status"),
                passage_id=p.id,
            )
        )
    return out


def extract_revisions(passages: Sequence[Passage]) -> tuple[Revision, ...]:
    """Revision metadata of every resolution among ``passages`` (one document's).

    From the instrument's name: its version ("Rev. Kigali, 2022" -> last revised at Kigali, 2022).
    From the document's status table, where there is one and it lists that version: its history and
    status, and the version it revises, i.e. the history entry before its own (or the first approval
    when its own is the first revision). Example: "1 Rules of procedure ... Doha, 2006 Rev. Hyderabad,
    2010; ...; Rev. Kigali, 2022; Rev. Baku, 2025 In force" makes Resolution 1 (Rev. Baku, 2025) revise
    Resolution 1 (Rev. Kigali, 2022).
    """
    rows_by_number: dict[str, list[_StatusRow]] = {}
    for row in _status_rows(passages):
        rows_by_number.setdefault(row.number, []).append(row)
    names: dict[str, re.Match[str]] = {}  # in document order
    titles: dict[str, str] = {}
    for p in passages:
        name = single_spaced(p.instrument or "")
        m = names.get(name) or _RES_NAME.fullmatch(name)
        if m is None:
            continue
        names[name] = m
        if p.kind == "title":
            titles.setdefault(name, p.id)
    revisions = []
    for name, m in names.items():
        number, place, year = m.group("number"), single_spaced(m.group("place")), int(m.group("year"))
        revised = bool(m.group("rev"))
        version = f"{'Rev. ' if revised else ''}{place}, {year}"
        revision = Revision(
            instrument=name,
            doc=passages[0].doc,
            number=number,
            version=version,
            place=place,
            year=year,
            revised=revised,
            title_passage=titles.get(name),
        )
        row = _find_row(rows_by_number.get(number, ()), version, revised)
        if row is not None:
            revision = _with_row(revision, row)
        revisions.append(revision)
    return tuple(revisions)


def _find_row(rows: Iterable[_StatusRow], version: str, revised: bool) -> _StatusRow | None:
    for row in rows:
        if (revised and version in row.history) or (not revised and row.first == version):
            return row
    return None


def _with_row(revision: Revision, row: _StatusRow) -> Revision:
    revises = None
    if revision.revised:
        at = row.history.index(revision.version)
        previous = row.history[at - 1] if at else row.first
        if previous and (previous.startswith("Rev. ") or not at):
            revises = f"Resolution {revision.number} ({previous})"
    return replace(
        revision,
        revises=revises,
        first_approved=row.first,
        history=row.history,
        status=row.status,
        source=row.passage_id,
    )


# --------------------------------------------------------------------------------------------------
# The index


@dataclass(frozen=True, slots=True)
class VersionIndex:
    """Every alignment and revision record of a corpus, built once, saved as JSON.

    Example:
        >>> index = VersionIndex.build(passages, corpus.documents)          # doctest: +SKIP
        >>> [l.passage_id for l in index.versions_of("wtpf-26-sg-report/1.5")]  # doctest: +SKIP
        ['wtpf-26-first-draft-outline/1.5']
        >>> VersionIndex.from_dict(index.to_dict()) == index                 # doctest: +SKIP
        True
    """

    reports: tuple[ChangeReport, ...]
    passages: Mapping[str, VersionedPassage]
    revisions: tuple[Revision, ...] = ()
    _links: dict[str, list[tuple[ChangeReport, AlignedPair]]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        links: dict[str, list[tuple[ChangeReport, AlignedPair]]] = {}
        for report in self.reports:
            for pair in report.aligned:
                links.setdefault(pair.earlier, []).append((report, pair))
                links.setdefault(pair.later, []).append((report, pair))
        object.__setattr__(self, "_links", links)

    @classmethod
    def build(
        cls,
        passages: Iterable[Passage],
        documents: Sequence[DocumentMeta],
        *,
        pairs: Sequence[DocPair] | None = None,
    ) -> VersionIndex:
        """Align the documents' passages (the pairs of :func:`version_pairs` unless given).

        A pair is skipped, with a debug message, when a document has no passages to align (a
        document not among ``passages``, or a counterpart without clauses).
        """
        by_doc: dict[str, list[Passage]] = {}
        for p in passages:
            by_doc.setdefault(p.doc, []).append(p)
        events = {d.id: d.event for d in documents}
        keys = _instrument_keys(by_doc, events)
        if pairs is None:
            pairs = version_pairs(documents) + instrument_pairs(keys, documents)
        reports = []
        for pair in pairs:
            earlier, later = by_doc.get(pair.earlier, []), by_doc.get(pair.later, [])
            if pair.instrument is not None:
                earlier = [p for p in earlier if keys.get((p.doc, p.instrument)) == pair.instrument]
                later = [p for p in later if keys.get((p.doc, p.instrument)) == pair.instrument]
            if pair.kind is PairKind.DRAFTS and earlier and later:
                report = replace(align_drafts(earlier, later), pair=pair)
            elif pair.kind is PairKind.COUNTERPARTS and _has_clauses(earlier) and _has_clauses(later):
                report = align_counterparts(
                    earlier, later, earlier_event=events.get(pair.earlier), later_event=events.get(pair.later)
                )
            else:
                logger.debug(
                    "versions: %s %s -> %s skipped: nothing to align", pair.kind, pair.earlier, pair.later
                )
                continue
            logger.debug(
                "versions: %s -> %s: %d aligned, %d new, %d gone",
                pair.earlier,
                pair.later,
                len(report.aligned),
                len(report.new),
                len(report.gone),
            )
            reports.append(report)
        needed = {pid for r in reports for pid in (*r.new, *r.gone)}
        needed |= {pid for r in reports for a in r.aligned for pid in (a.earlier, a.later)}
        kept = {p.id: VersionedPassage.of(p) for ps in by_doc.values() for p in ps if p.id in needed}
        revisions = tuple(rev for ps in by_doc.values() for rev in extract_revisions(ps))
        return cls(reports=tuple(reports), passages=kept, revisions=revisions)

    def versions_of(self, passage_id: str) -> list[VersionLink]:
        """The passage's versions in other documents: drafts first, then counterparts, best first.

        An id the index does not know (a passage without versions) gives an empty list.
        """
        links = []
        for report, pair in self._links.get(passage_id, ()):
            asked_earlier = pair.earlier == passage_id
            other = self.passages[pair.later if asked_earlier else pair.earlier]
            if report.pair.kind is PairKind.COUNTERPARTS:
                relation = VersionRelation.COUNTERPART
            else:
                relation = VersionRelation.LATER if asked_earlier else VersionRelation.EARLIER
            diff = word_diff(self.passages[pair.earlier].text, self.passages[pair.later].text)
            links.append(VersionLink(other.id, other.doc, other.citation, relation, pair.similarity, diff))
        links.sort(
            key=lambda link: (link.relation is VersionRelation.COUNTERPART, -link.similarity, link.passage_id)
        )
        return links

    def changes(self, doc_a: str, doc_b: str) -> ChangeReport:
        """What changed between two documents (in either order; the report says which is earlier).

        Raises:
            NotFoundError: the two documents were not aligned.
        """
        for report in self.reports:
            if {report.pair.earlier, report.pair.later} == {doc_a, doc_b}:
                return report
        known = ", ".join(f"{r.pair.earlier} -> {r.pair.later}" for r in self.reports) or "none"
        raise NotFoundError(f"no alignment of {doc_a!r} with {doc_b!r}", hint=f"aligned pairs: {known}")

    def revision(self, instrument: str, *, doc: str | None = None) -> Revision | None:
        """The revision record of an instrument named as printed ("Resolution 15 (Rev. Kigali, 2022)")."""
        name = single_spaced(instrument)
        for rev in self.revisions:
            if rev.instrument == name and (doc is None or rev.doc == doc):
                return rev
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "reports": [r.to_dict() for r in self.reports],
            "passages": [p.to_dict() for p in self.passages.values()],
            "revisions": [r.to_dict() for r in self.revisions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VersionIndex:
        """Read what :meth:`to_dict` wrote.

        Raises:
            IndexStaleError: the data was written with another schema version.
        """
        if data.get("schema") != SCHEMA:
            raise IndexStaleError(f"version data has schema {data.get('schema')!r}, this code reads {SCHEMA}")
        passages = (VersionedPassage.from_dict(p) for p in data["passages"])
        return cls(
            reports=tuple(ChangeReport.from_dict(r) for r in data["reports"]),
            passages={p.id: p for p in passages},
            revisions=tuple(Revision.from_dict(r) for r in data["revisions"]),
        )
