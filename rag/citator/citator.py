"""The citator: which passage cites which instrument, resolved to the corpus where the target is in it.

A drafter asks "which texts recall Resolution 70/1, and what do they ask of the Secretary-General?" or
"who cites this resolution?". ``rag.citator.references`` finds the references in a text and gives each a
canonical key; this module runs it over every passage once, at index build time, and keeps:

- per passage, its ``cites``: each reference with its key, surface and span in the passage's text,
  kind, revision, pinpoint, and ``target``: the passage of the corpus it points at, or None when the
  instrument is not in the corpus (a PP resolution, a UNGA resolution);
- per key, the passages citing it (``cited_by``);
- per key, the instruments of the corpus that have it (``instruments``): the passages whose
  ``instrument`` field maps to the key through :func:`rag.citator.references.instrument_key`, or, for a
  document part without an instrument field ("Part II – Baku Action Plan"), whose heading names it.

Targets: an instrument's title passage (its first passage where it has no title); a reference that
pinpoints an item ("resolves 2 of Resolution 9", "recognizing g) of Resolution 9", "Annex 4 to
Resolution 1") targets that item. A WTPF-26 draft opinion recalling "WTDC Resolution 11" thus links to
``wtdc-25-final-report/res-11/title``. Self-references are dropped: an instrument's own name in its
heading or body ("Question 4/1" inside Question 4/1), unless the reference names another edition
("Resolution 18 (Rev. Dubai, 2014)" recalled by Resolution 18 (Rev. Baku, 2025)) or pinpoints an
item of it ("Annex 4 to Resolution 1" inside Resolution 1).

The data is saved as ``references.json`` in the index (see :meth:`ReferenceIndex.to_dict`) and served
by :class:`Citator`.

Example:
    >>> citator = Citator(passages, ReferenceIndex.build(passages, documents))      # doctest: +SKIP
    >>> report = citator.references("Resolution 70/1")                              # doctest: +SKIP
    >>> report.label, report.count                                                  # doctest: +SKIP
    ('UNGA Resolution 70/1', 24)
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.citator.references import (
    Reference,
    RefKind,
    canonical_key,
    describe,
    extract_references,
    instrument_key,
    key_matches,
)
from rag.errors import ConfigError, IndexStaleError, NotFoundError
from rag.parse.roles import role_alternation
from rag.parse.spans import single_spaced
from rag.types import ClauseRole, DocumentMeta, Passage

logger = logging.getLogger(__name__)

__all__ = [
    "Citation",
    "CitingPassage",
    "Citator",
    "InstrumentTarget",
    "ReferenceGroup",
    "ReferenceIndex",
    "ReferenceReport",
    "resolve_target",
]

SCHEMA = 1
REFERENCES_FILE = "references.json"

_TARGET_HINT = (
    'write an instrument as the texts do or in short: "Resolution 70/1", "UNGA 70/1", "PP Res. 64", '
    '"WTDC Resolution 15", "Recommendation ITU-D 19", "Article 40 of the Constitution", "SDG 9", '
    '"Action Line C5", "Q1/1", "AFR1", or a key such as un/ga/res/70/1'
)


# --------------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class Citation:
    """One reference in a passage, with the passage of the corpus it points at.

    Attributes:
        key: canonical key (``rag.citator.references``), e.g. ``itu/wtdc/res/11``.
        surface: the words as printed; ``passage.text[start:end] == surface``.
        start: offset in the passage's ``text`` (not in the source file).
        end: offset just after it.
        kind: a ``RefKind`` value ("itu-resolution", "unga-resolution", ...).
        revision: the edition as printed ("Rev. Kigali, 2022"), or None.
        pinpoint: the part of the instrument pointed at ("resolves 2", "Annex 4", "§ 96"), or None.
        target: id of the passage of the corpus the reference points at, None if not in the corpus.
    """

    key: str
    surface: str
    start: int
    end: int
    kind: str
    revision: str | None = None
    pinpoint: str | None = None
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "surface": self.surface,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "revision": self.revision,
            "pinpoint": self.pinpoint,
            "target": self.target,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        return cls(
            key=data["key"],
            surface=data["surface"],
            start=int(data["start"]),
            end=int(data["end"]),
            kind=data["kind"],
            revision=data.get("revision"),
            pinpoint=data.get("pinpoint"),
            target=data.get("target"),
        )

    @property
    def label(self) -> str:
        """A human label of the cited instrument ("UNGA Resolution 70/1")."""
        return describe(self.key)


@dataclass(frozen=True, slots=True)
class InstrumentTarget:
    """An instrument of the corpus that a key names: where it is and which passages belong to it."""

    key: str
    doc: str
    name: str  # as printed in the passages' ``instrument`` field, or the part heading
    target: str  # the passage standing for the whole instrument (its title, else its first passage)
    passages: tuple[str, ...]  # every passage of it, in document order

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "doc": self.doc,
            "name": self.name,
            "target": self.target,
            "passages": list(self.passages),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InstrumentTarget:
        return cls(data["key"], data["doc"], data["name"], data["target"], tuple(data["passages"]))


# --------------------------------------------------------------------------------------------------
# Building


# A pinpoint written just before a reference: "resolves 2 of", "recognizing g) of", "the further
# resolves of", "Annex 4 to". Clause role words come from ``ClauseRole`` plus British spellings.
_ROLE_SPELLINGS = {"recognising": "recognizing", "emphasising": "emphasizing", "resolve": "resolves"}
_ROLE_RE = role_alternation(_ROLE_SPELLINGS)
_PINPOINT_BEFORE = re.compile(
    rf"(?:\b(?P<further>further\s+)?(?P<role>{_ROLE_RE})(?:\s+(?:further|also))?"
    r"(?:\s*(?P<label>\d{1,2}(?:\.\d{1,2})?|[a-z]{1,2}\)|[ivx]{1,4}\)))?\s+of"
    r"|\b[Aa]nnex(?:\s+(?P<annex>\d{1,2}|[IVX]{1,4}))?\s+to)"
    r"\s+(?:the\s+)?$"
)
_PINPOINT_WINDOW = 50
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
# Part headings that name an instrument without an ``instrument`` field: "Part II – Baku Action Plan".
_PART_PREFIX = re.compile(r"^(?:Part\s+[IVX]+|Chapter\s+\d+|Section\s+\d+)\s*[–—-]\s*", re.I)


def _last_segment(passage_id: str) -> str:
    return passage_id.rsplit("/", 1)[-1]


@dataclass
class _Instrument:
    key: str
    doc: str
    name: str
    revision: str | None
    rows: list[Passage] = field(default_factory=list)

    def target(self) -> str:
        """The title passage nearest the instrument's top, else its first passage."""
        titles = [p for p in self.rows if p.kind == "title"]
        if titles:
            return min(titles, key=lambda p: (len(p.path), self.rows.index(p))).id
        return self.rows[0].id

    def item(self, role: str | None, label: str | None, annex: str | None) -> str | None:
        """The passage a pinpoint names ("resolves 2", "recognizing g)", "Annex 4"), or None."""
        if annex is not None or (role is None and label is None):
            number = annex.lower() if annex else ""
            forms = {f"annex-{number}", f"annex-{_ROMAN.get(number, number)}"} if number else {"annex"}
            inside = [p for p in self.rows if any(f"/{f}/" in p.id + "/" for f in forms)]
            chosen = [p for p in inside if p.kind == "title"] or inside
            return chosen[0].id if chosen else None
        base = single_spaced(role or "").lower().removeprefix("further ")
        try:
            wanted_role = ClauseRole.from_str(_ROLE_SPELLINGS.get(base, base))
        except ConfigError:
            return None
        block = [p for p in self.rows if p.clause == wanted_role.value]
        if label:
            tail = label.rstrip(")").lower()
            block = [p for p in block if _last_segment(p.id) == tail]
        return block[0].id if block else None


def _own_revision(name: str, event: str | None) -> str | None:
    refs = extract_references(name, event=event)
    return refs[0].revision if refs else None


def _part_key(headings: tuple[str, ...], event: str | None) -> tuple[str, str] | None:
    """(key, heading) of a document part that names an instrument ("Part II – Baku Action Plan"), from
    a passage's second and third headings (``path[1:3]``)."""
    for segment in headings:
        name = _PART_PREFIX.sub("", single_spaced(segment))
        refs = extract_references(name, event=event)
        if (
            len(refs) == 1
            and single_spaced(refs[0].surface) == name
            and refs[0].kind is RefKind.OTHER_INSTRUMENT
        ):
            return refs[0].key, segment
    return None


def _instruments(
    passages: Sequence[Passage], events: Mapping[str, str | None]
) -> dict[str, list[_Instrument]]:
    """Instruments of the corpus by key, each with its passages in document order."""
    found: dict[tuple[str, str, str], _Instrument] = {}
    # An instrument's passages repeat its name and headings (hundreds of times for a long one): key
    # each (name or headings, event) once.
    key_of, part_of = functools.cache(instrument_key), functools.cache(_part_key)
    for p in passages:
        event = events.get(p.doc)
        if p.instrument:
            key, name = key_of(p.instrument, event), p.instrument
        else:
            part = part_of(tuple(p.path[1:3]), event)
            key, name = part if part else (None, "")
        if key is None:
            continue
        ident = (key, p.doc, name)
        if ident not in found:
            found[ident] = _Instrument(key, p.doc, name, _own_revision(name, event))
        found[ident].rows.append(p)
    by_key: dict[str, list[_Instrument]] = {}
    for inst in found.values():
        by_key.setdefault(inst.key, []).append(inst)
    return by_key


def _pinpoint(text: str, ref: Reference) -> tuple[str | None, str | None, str | None, int]:
    """(role, label, annex, start) of a pinpoint written before the reference; start -1 if none."""
    m = _PINPOINT_BEFORE.search(text, max(0, ref.start - _PINPOINT_WINDOW), ref.start)
    if not m:
        return None, None, None, -1
    role = single_spaced(f"{m.group('further') or ''}{m.group('role')}") if m.group("role") else None
    return role, m.group("label"), m.group("annex"), m.start()


def _pinpoint_words(role: str | None, label: str | None, annex: str | None) -> str:
    if role is None:
        return single_spaced(f"Annex {annex or ''}")
    return single_spaced(f"{role} {label or ''}")


@dataclass(frozen=True)
class ReferenceIndex:
    """Every citation of the corpus, by citing passage and by key; the content of ``references.json``.

    Attributes:
        cites: passage id -> its citations, in text order (passages citing nothing are left out).
        cited_by: key -> ids of the passages citing it, in index order.
        instruments: key -> the instruments of the corpus having that key.
    """

    cites: Mapping[str, tuple[Citation, ...]]
    cited_by: Mapping[str, tuple[str, ...]]
    instruments: Mapping[str, tuple[InstrumentTarget, ...]]

    @classmethod
    def build(cls, passages: Sequence[Passage], documents: Sequence[DocumentMeta]) -> ReferenceIndex:
        """Extract, resolve and index the references of every passage (about a second for the corpus)."""
        events: dict[str, str | None] = {d.id: d.event for d in documents}
        instruments = _instruments(passages, events)
        owner: dict[str, _Instrument] = {
            p.id: inst for group in instruments.values() for inst in group for p in inst.rows
        }
        cites: dict[str, tuple[Citation, ...]] = {}
        cited_by: dict[str, list[str]] = {}
        for p in passages:
            own = owner.get(p.id)
            found: list[Citation] = []
            for ref in extract_references(p.text, event=events.get(p.doc)):
                citation = cls._resolve(p, ref, own, instruments)
                if citation is not None:
                    found.append(citation)
            if found:
                cites[p.id] = tuple(found)
                for key in dict.fromkeys(c.key for c in found):
                    cited_by.setdefault(key, []).append(p.id)
        targets = {
            key: tuple(
                InstrumentTarget(i.key, i.doc, i.name, i.target(), tuple(r.id for r in i.rows)) for i in group
            )
            for key, group in sorted(instruments.items())
        }
        index = cls(
            cites=cites, cited_by={k: tuple(v) for k, v in sorted(cited_by.items())}, instruments=targets
        )
        logger.info(
            "references: %d in %d passages, %d keys, %d resolved to the corpus",
            index.count,
            len(cites),
            len(cited_by),
            index.resolved,
        )
        return index

    @staticmethod
    def _resolve(
        p: Passage, ref: Reference, own: _Instrument | None, instruments: Mapping[str, list[_Instrument]]
    ) -> Citation | None:
        role, label, annex, pin_start = _pinpoint(p.text, ref)
        pinned = pin_start >= 0
        if own is not None and ref.key == own.key and not pinned:
            same_edition = ref.revision is None or single_spaced(ref.revision) == single_spaced(
                own.revision or ""
            )
            if same_edition or p.kind == "title":
                return None  # the instrument naming itself
        candidates = instruments.get(ref.key)
        if not candidates:
            loose = [group for key, group in instruments.items() if key_matches(ref.key, key)]
            candidates = loose[0] if len(loose) == 1 else None
        target = None
        pinpoint = ref.pinpoint
        if candidates:
            inst = next((i for i in candidates if own is not None and i is own), candidates[0])
            target = inst.target()
            if pinned:
                item = inst.item(role, label, annex)
                if item is not None:
                    target, pinpoint = item, _pinpoint_words(role, label, annex)
        elif pinned and pinpoint is None:
            pinpoint = _pinpoint_words(role, label, annex)
        return Citation(
            key=ref.key,
            surface=ref.surface,
            start=ref.start,
            end=ref.end,
            kind=ref.kind.value,
            revision=ref.revision,
            pinpoint=pinpoint,
            target=target,
        )

    # ----------------------------------------------------------------------------------- figures

    @property
    def count(self) -> int:
        """References kept (self-references dropped)."""
        return sum(len(c) for c in self.cites.values())

    @property
    def resolved(self) -> int:
        """References whose target is a passage of the corpus."""
        return sum(1 for cs in self.cites.values() for c in cs if c.target is not None)

    def counts(self) -> dict[str, int]:
        return {
            "references": self.count,
            "resolved": self.resolved,
            "citing_passages": len(self.cites),
            "keys": len(self.cited_by),
            "instruments": sum(len(v) for v in self.instruments.values()),
        }

    # -------------------------------------------------------------------------------------- JSON

    def to_dict(self) -> dict[str, Any]:
        """``{"schema", "counts", "passages": {id: [citation]}, "cited_by": {key: [id]}, "instruments":
        {key: [instrument]}}``; citations as :meth:`Citation.to_dict`."""
        return {
            "schema": SCHEMA,
            "counts": self.counts(),
            "passages": {pid: [c.to_dict() for c in cs] for pid, cs in self.cites.items()},
            "cited_by": {key: list(ids) for key, ids in self.cited_by.items()},
            "instruments": {key: [i.to_dict() for i in group] for key, group in self.instruments.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferenceIndex:
        """Read what :meth:`to_dict` wrote.

        Raises:
            IndexStaleError: the data was written with another schema version.
        """
        if data.get("schema") != SCHEMA:
            raise IndexStaleError(
                f"reference data has schema {data.get('schema')!r}, this code reads {SCHEMA}",
                hint="run `rag build` to update the index",
            )
        return cls(
            cites={pid: tuple(Citation.from_dict(c) for c in cs) for pid, cs in data["passages"].items()},
            cited_by={key: tuple(ids) for key, ids in data["cited_by"].items()},
            instruments={
                key: tuple(InstrumentTarget.from_dict(i) for i in group)
                for key, group in data["instruments"].items()
            },
        )


# --------------------------------------------------------------------------------------------------
# Answers


@dataclass(frozen=True, slots=True)
class CitingPassage:
    """A passage citing what was asked for, with the citations in it that matched.

    ``scope`` (for ``cited_by``) is "passage" when a citation targets the asked passage itself and
    "instrument" when it cites the instrument the asked passage belongs to. ``asks`` holds the
    operative clauses of the citing instrument addressed to whom the question named (see
    :meth:`Citator.references`).
    """

    passage: Passage
    citations: tuple[Citation, ...]
    scope: str = "instrument"
    asks: tuple[Passage, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        p = self.passage
        data: dict[str, Any] = {
            "id": p.id,
            "doc": p.doc,
            "citation": p.citation,
            "instrument": p.instrument,
            "clause": p.clause,
            "kind": p.kind,
            "addressee": p.addressee,
            "text": p.text,
            "cites": [c.to_dict() for c in self.citations],
            "scope": self.scope,
        }
        if self.asks:
            data["asks"] = [
                {
                    "id": a.id,
                    "citation": a.citation,
                    "clause": a.clause,
                    "addressee": a.addressee,
                    "text": a.text,
                }
                for a in self.asks
            ]
        return data


@dataclass(frozen=True, slots=True)
class ReferenceGroup:
    """The citing passages of one document with one clause role (the passage kind where no role)."""

    doc: str
    doc_title: str
    role: str
    passages: tuple[CitingPassage, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "doc_title": self.doc_title,
            "role": self.role,
            "count": len(self.passages),
            "passages": [c.to_dict() for c in self.passages],
        }


@dataclass(frozen=True, slots=True)
class ReferenceReport:
    """Everything citing one target: the answer to ``Citator.references``.

    Attributes:
        query: the target as asked ("Resolution 70/1").
        key: its canonical key; ``label`` a human name of it (``rag.citator.references.describe``).
        keys: the keys of the corpus's citations that answer it (a key with an unstated body, such as
            ``itu/res/15``, answers for every body's Resolution 15; a document key for its paragraphs).
        targets: the passages standing for the instrument where it is in the corpus.
        groups: by document (corpus order), then clause role (order of first appearance).
    """

    query: str
    key: str
    label: str
    keys: tuple[str, ...]
    targets: tuple[str, ...]
    groups: tuple[ReferenceGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(g.passages) for g in self.groups)

    @property
    def passages(self) -> list[CitingPassage]:
        return [c for g in self.groups for c in g.passages]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "key": self.key,
            "label": self.label,
            "keys": list(self.keys),
            "targets": list(self.targets),
            "count": self.count,
            "groups": [g.to_dict() for g in self.groups],
        }


def resolve_target(target: str) -> str:
    """The canonical key of what a user typed ("Res 70/1", "UNGA 70/1", a key).

    Raises:
        ConfigError: the text names no instrument; the hint shows forms that work.
    """
    key = canonical_key(target) if isinstance(target, str) else None
    if key is None:
        raise ConfigError(f"{target!r} names no instrument I can recognise", hint=_TARGET_HINT)
    return key


class Citator:
    """Answers "what does this passage cite", "who cites it" and "who cites this instrument".

    Args:
        passages: the index's passages, in row order.
        data: the reference data built with them (``references.json``).
        documents: the corpus's documents, for group titles and order.

    Example:
        >>> citator = Citator.from_index(load_index(get_settings()))   # doctest: +SKIP
        >>> cites = citator.cites("wtpf-26-sg-report/draft-opinion-4/recalling/e")  # doctest: +SKIP
        >>> [c.target for c in cites if c.key == "itu/wtdc/res/11"]              # doctest: +SKIP
        ['wtdc-25-final-report/res-11/title']
    """

    def __init__(
        self, passages: Sequence[Passage], data: ReferenceIndex, documents: Sequence[DocumentMeta] = ()
    ) -> None:
        self.passages = passages
        self.data = data
        self.row_of = {p.id: row for row, p in enumerate(passages)}
        self.documents = {d.id: d for d in documents}
        self._doc_order = {d.id: i for i, d in enumerate(documents)}
        self._owner: dict[str, InstrumentTarget] = {
            pid: inst for group in data.instruments.values() for inst in group for pid in inst.passages
        }

    @classmethod
    def from_index(cls, index: Any) -> Citator:
        """From a ``LoadedIndex``; an index built before ``references.json`` existed is indexed now."""
        data = getattr(index, "references", None)
        if data is None:
            logger.warning("the index in %s has no references.json; run `rag build` to add it", index.folder)
            data = ReferenceIndex.build(index.passages, index.documents)
        return cls(index.passages, data, index.documents)

    # ------------------------------------------------------------------------------------ lookups

    def _passage(self, passage_id: str) -> Passage:
        row = self.row_of.get(passage_id)
        if row is None:
            raise NotFoundError(
                f"unknown passage {passage_id!r}",
                hint="ids look like wtdc-25-final-report/res-15/instructs/4",
            )
        return self.passages[row]

    def cites(self, passage_id: str) -> tuple[Citation, ...]:
        """The references in a passage, in text order, with their targets in the corpus.

        Raises:
            NotFoundError: no passage has this id.
        """
        self._passage(passage_id)
        return self.data.cites.get(passage_id, ())

    def instrument_of(self, passage_id: str) -> InstrumentTarget | None:
        """The corpus instrument a passage belongs to (its key, title passage, passages), if any."""
        return self._owner.get(passage_id)

    def cited_by(self, passage_id: str) -> list[CitingPassage]:
        """Passages citing this passage, or the instrument it belongs to, in index order.

        A citation that pinpoints another item of the instrument ("resolves 2 of Resolution 9" asked
        about Resolution 9, recognizing g)) is left out; one targeting this passage has scope
        "passage", one citing the whole instrument scope "instrument".

        Raises:
            NotFoundError: no passage has this id.
        """
        self._passage(passage_id)
        inst = self._owner.get(passage_id)
        out: list[CitingPassage] = []
        citing = set()
        if inst is not None:
            citing.update(self.data.cited_by.get(inst.key, ()))
        citing.update(pid for pid, cs in self.data.cites.items() if any(c.target == passage_id for c in cs))
        for pid in sorted(citing, key=lambda i: self.row_of.get(i, -1)):
            matched = []
            for c in self.data.cites.get(pid, ()):
                if inst is not None and c.key == inst.key and c.target in (inst.target, None):
                    matched.append((c, "instrument"))  # the whole instrument (its title stands for it)
                elif c.target == passage_id:
                    matched.append((c, "passage"))  # a pinpoint on this very passage
            if matched and pid in self.row_of:
                scope = "passage" if any(s == "passage" for _, s in matched) else "instrument"
                out.append(CitingPassage(self._passage(pid), tuple(c for c, _ in matched), scope))
        return out

    def matching_keys(self, key: str) -> tuple[str, ...]:
        """The keys cited in the corpus that answer a query for ``key`` (``key_matches``)."""
        return tuple(k for k in self.data.cited_by if key_matches(key, k))

    def citing_mask(self, keys: Iterable[str]) -> np.ndarray:
        """Boolean mask over the passages (row order) of those citing any of the keys (or their parts)."""
        mask = np.zeros(len(self.passages), dtype=bool)
        for key in keys:
            for k in self.matching_keys(key):
                rows = [self.row_of[pid] for pid in self.data.cited_by[k] if pid in self.row_of]
                mask[rows] = True
        return mask

    def references(self, target: str, *, addressee: str | None = None) -> ReferenceReport:
        """Every passage citing ``target``, grouped by document and clause role.

        Args:
            target: a key or anything :func:`rag.citator.references.canonical_key` reads ("Resolution 70/1",
                "UNGA 70/1", "Res 15", "PP Res. 64", "itu/pp/res/64").
            addressee: also give, for each citing passage of an instrument, that instrument's
                operative clauses whose addressee contains these words ("Secretary-General"): what the
                texts recalling the target ask of them.

        Raises:
            ConfigError: ``target`` names no instrument (the hint lists forms that work).
        """
        key = resolve_target(target)
        keys = self.matching_keys(key)
        targets = tuple(
            i.target for k, group in self.data.instruments.items() if key_matches(key, k) for i in group
        )
        citing: dict[str, list[Citation]] = {}
        for k in keys:
            for pid in self.data.cited_by[k]:
                if pid in self.row_of:
                    citing.setdefault(pid, []).extend(c for c in self.data.cites[pid] if c.key == k)
        rows = sorted(citing, key=lambda pid: self.row_of[pid])
        groups: dict[tuple[str, str], list[CitingPassage]] = {}
        for pid in rows:
            p = self._passage(pid)
            asks = self._asks(p, addressee) if addressee else ()
            found = tuple(sorted(citing[pid], key=lambda c: c.start))
            groups.setdefault((p.doc, p.clause or p.kind), []).append(CitingPassage(p, found, asks=asks))
        ordered = sorted(
            groups.items(), key=lambda item: self._doc_order.get(item[0][0], len(self._doc_order))
        )
        return ReferenceReport(
            query=target,
            key=key,
            label=describe(key),
            keys=keys,
            targets=targets,
            groups=tuple(
                ReferenceGroup(
                    doc=doc,
                    doc_title=self.documents[doc].short_title if doc in self.documents else doc,
                    role=role,
                    passages=tuple(ps),
                )
                for (doc, role), ps in ordered
            ),
        )

    def _asks(self, p: Passage, addressee: str) -> tuple[Passage, ...]:
        """Operative clauses of ``p``'s instrument addressed to someone matching ``addressee``."""
        inst = self._owner.get(p.id)
        if inst is None:
            return ()
        wanted = single_spaced(addressee).lower()
        out = []
        for pid in inst.passages:
            q = self.passages[self.row_of[pid]] if pid in self.row_of else None
            if q is None or not q.clause or not ClauseRole.from_str(q.clause).operative:
                continue
            if (
                wanted in single_spaced(q.addressee or "").lower()
                or wanted in single_spaced(q.lead_in or "").lower()
            ):
                out.append(q)
        return tuple(out)
