"""Precedent search: the existing clauses a draft clause repeats, rewords or builds on.

A drafter pastes "invites Member States to set up national computer incident response teams ..." and
needs the clause it comes from first, then every other text that uses the same wording. Three signals
decide, each cheap and explainable:

- **wording**: the Dice coefficient of the word 3-gram (shingle) sets of draft and passage, after
  folding case, punctuation and British spellings (``rag.index.vocabulary.fold_spelling``), so
  "recognising" and "recognizing" are one word. 1.0 for the same words in the same order, about 0.6
  for a clause with a few words changed, 0 for a paraphrase;
- **meaning**: the cosine of the draft's and the passage's vectors (the dense index's), which keeps a
  reworded clause ("manuals" for "handbooks") in reach;
- **role**: when the draft opens with a clause role ("instructs the Director of BDT to ...",
  "Recognising further that ..."), or the caller names one, passages of that role come first; a
  block whose heading carries the verb ("resolves to instruct the Director of BDT") counts as that
  role, and the addressee's words ("Member States", "BDT", with acronyms expanded) break ties
  between blocks of one role.

score = 0.5 x wording + 0.5 x meaning + 0.1 x addressee overlap, inside the role groups. Candidates are
the hybrid ranking's best and the passages sharing the most shingles with the draft. When the searcher
has a reranker (``rag.rank.rerank``, whose features include these three signals), it reorders the best
``rerank_depth`` candidates inside the role groups and its score is the result's score: the one model
that orders questions, so ``find_precedents`` and ``Searcher.search`` rank a draft alike.

For each precedent ``find_precedents`` also returns the maximal word sequences (3+ words, at least one
not a stop word) it shares with the draft, with their spans in both texts and the number of other
passages holding each one (agreed language that recurs, against wording unique to one text), and its
near-duplicates across the corpus (shingle Dice >= ``DUPLICATE_DICE``): the same wording in other
resolutions, opinions or drafts, grouped so the drafter sees every text using it.

``Searcher.search`` uses the same scoring for queries that look like draft clauses
(``looks_like_draft``), so the search box and ``POST /precedents`` agree.

Example:
    >>> from rag.rank.search import Searcher                                           # doctest: +SKIP
    >>> searcher = Searcher.load()                                                # doctest: +SKIP
    >>> found = find_precedents(searcher, "instructs the Director of BDT to keep producing "
    ...                         "handbooks on technology transfer", k=3)          # doctest: +SKIP
    >>> found.results[0].passage.citation                                         # doctest: +SKIP
    'WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), instructs the Director of BDT, 4'
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rag.errors import QueryError
from rag.index.textindex import STOPWORDS, normalize_text
from rag.index.vocabulary import fold_spelling
from rag.types import ClauseRole, Hit, Passage, SearchFilters

if TYPE_CHECKING:
    from rag.index.vocabulary import VocabularyMatcher
    from rag.rank.search import Searcher

SHINGLE = 3  # words per shingle: two-word runs recur everywhere ("Member States"), three rarely by chance
WORDING = 0.5  # weight of shingle Dice in the score
MEANING = 0.5  # weight of the cosine of draft and passage vectors
ADDRESSEE = 0.1  # weight of the addressee overlap: a tie-breaker between blocks of one role
CANDIDATES = 50  # taken from each source (hybrid ranking, shingle overlap) before scoring
DUPLICATE_DICE = 0.6  # shingle Dice at which another passage holds "the same wording"
MIN_DRAFT_WORDS = 8  # a role word followed by at least this many words reads as a draft clause
MIN_BARE_DRAFT_WORDS = 18  # without a role word, a clause-like text this long does

_WORD = re.compile(r"[^\W_]+")

# Role words as drafters type them, beyond each role's canonical value and its British spelling.
_EXTRA_FORMS: dict[ClauseRole, tuple[str, ...]] = {
    ClauseRole.RECOGNIZING: ("recognize",),
    ClauseRole.EMPHASIZING: ("stressing", "underlining"),
    ClauseRole.NOTING: (
        "noting with concern",
        "noting with satisfaction",
        "noting with appreciation",
        "having noted",
    ),
    ClauseRole.TAKING_INTO_ACCOUNT: ("taking account of",),
    ClauseRole.CONCERNED: ("deeply concerned",),
    ClauseRole.RESOLVES: ("resolve", "resolved", "resolves further", "further resolves"),
    ClauseRole.INSTRUCTS: ("instruct", "further instructs"),
    ClauseRole.INVITES: ("invite", "further invites"),
    ClauseRole.ENCOURAGES: ("encourage",),
    ClauseRole.REQUESTS: ("request",),
    ClauseRole.URGES: ("urge",),
    ClauseRole.CALLS_UPON: ("call upon", "calls on", "call on"),
    ClauseRole.APPEALS_TO: ("appeal to",),
    ClauseRole.DECIDES: ("decide",),
    ClauseRole.RECOMMENDS: ("recommend",),
    ClauseRole.DECLARES: ("declare",),
    ClauseRole.AFFIRMS: ("affirm",),
    ClauseRole.REAFFIRMS: ("reaffirm",),
    ClauseRole.ENDORSES: ("endorse",),
}


def _role_forms() -> dict[str, ClauseRole]:
    forms: dict[str, ClauseRole] = {}
    for role in ClauseRole:
        forms[role.value] = role
        forms[role.value.replace("iz", "is")] = role
        for extra in _EXTRA_FORMS.get(role, ()):
            forms[extra] = role
    return forms


ROLE_FORMS = _role_forms()
_ROLE_ALTERNATION = "|".join(
    re.escape(f).replace(r"\ ", r"\s+") for f in sorted(ROLE_FORMS, key=len, reverse=True)
)
# An optional printed label ("4", "a)", "(iii)", "-"), an optional adverb, then the role word.
_START = re.compile(
    rf"^\s*(?:(?:\(?[0-9a-z]{{1,5}}[).]|\d+(?:bis|ter)?|[-\u2013\u2022*])\s+)?"
    rf"(?:(?:further|also|moreover|furthermore|additionally)\s+)?(?P<role>{_ROLE_ALTERNATION})\b"
    rf"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Where an addressee ends: "invites Member States, Sector Members and Academia to ...", "... that ..."
_ADDRESSEE_END = re.compile(r"\b(?:to|that)\b|[;:]", re.IGNORECASE)
_QUESTION_START = re.compile(
    r"^\s*(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|should"
    r"|may|will|would|list|name|find|show|give|tell)\b",
    re.IGNORECASE,
)


def role_from_str(value: str) -> ClauseRole:
    """The role a word or phrase names, as drafters type it ("recognising", "Instructs", "calls_upon").

    Raises:
        ConfigError: not a clause role; the message lists the valid ones.
    """
    role = ROLE_FORMS.get(" ".join(value.replace("_", " ").lower().split()))
    return role if role is not None else ClauseRole.from_str(value)


@dataclass(frozen=True, slots=True)
class DraftRole:
    """The role a draft opens with, the verb it uses, and the words of its addressee (if any)."""

    role: ClauseRole
    verb: str  # folded first word of the role form ("instruct" for "instructs")
    addressee: tuple[str, ...] = ()


def draft_role(text: str) -> DraftRole | None:
    """The clause role a draft opens with ("Recognising further that ...", "instructs BDT to ..."), or None.

    Example:
        >>> d = draft_role("invites Member States, Sector Members and Academia to promote AI")
        >>> d.role.value, d.addressee
        ('invites', ('member', 'states', 'sector', 'members', 'academia'))
    """
    match = _START.match(text)
    if match is None:
        return None
    form = " ".join(match.group("role").lower().split())
    role = ROLE_FORMS.get(form)
    if role is None:
        return None
    verb = fold_spelling(form.split()[0])
    verb = re.sub(r"(s|ing|ed|d)$", "", verb) if len(verb) > 4 else verb
    rest = match.group("rest")
    addressee: tuple[str, ...] = ()
    if role.operative:
        # "resolves to instruct the Director of BDT to ..." names its addressee after the second verb
        inner = re.match(
            r"\s*to\s+(instruct|invite|request|encourage|urge)\s+(?P<rest>.*)$", rest, re.I | re.S
        )
        if inner:
            verb, rest = inner.group(1).lower(), inner.group("rest")
        end = _ADDRESSEE_END.search(rest)
        head = rest[: end.start()] if end else ""
        addressee = tuple(w for w in _folded(head) if w not in STOPWORDS)[:12]
    return DraftRole(role, verb, addressee)


def looks_like_draft(text: str) -> bool:
    """A clause as a drafter pastes it: a role word and a sentence after it, or a long clause-like text.

    Questions ("What does ... instruct", "Which resolution ...?") are not drafts.
    """
    stripped = text.strip()
    if not stripped or stripped.endswith("?") or _QUESTION_START.match(stripped):
        return False
    n = len(_WORD.findall(stripped))
    if draft_role(stripped) is not None:
        return n >= MIN_DRAFT_WORDS
    return n >= MIN_BARE_DRAFT_WORDS


# ------------------------------------------------------------------------------------------------
# Words and shingles


def _folded(text: str) -> list[str]:
    return [fold_spelling(w) for w in _WORD.findall(normalize_text(text))]


@dataclass(frozen=True, slots=True)
class Words:
    """A text's folded words with their character spans in the text."""

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, text: str) -> Words:
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        for m in _WORD.finditer(text):
            words.append(fold_spelling(normalize_text(m.group())))
            spans.append((m.start(), m.end()))
        return cls(tuple(words), tuple(spans))

    def shingles(self) -> set[tuple[str, ...]]:
        w = self.words
        return {w[i : i + SHINGLE] for i in range(len(w) - SHINGLE + 1)}


class ShingleIndex:
    """Postings of every passage's word 3-grams, and every passage's folded words joined for look-ups.

    Built once per searcher (about half a second for 6,000 passages).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        postings: dict[tuple[str, ...], list[int]] = {}
        counts = np.zeros(self.size, dtype=np.int32)
        parts: list[str] = []
        for row, text in enumerate(texts):
            words = Words.of(text)
            keys = words.shingles()
            counts[row] = len(keys)
            for key in keys:
                postings.setdefault(key, []).append(row)
            parts.append(" " + " ".join(words.words) + " ")
        self.postings = {key: np.asarray(rows, dtype=np.int32) for key, rows in postings.items()}
        self.shingle_counts = counts
        self._starts = np.cumsum([0] + [len(p) + 1 for p in parts[:-1]]) if parts else np.zeros(0, int)
        self._joined = "\n".join(parts)
        self._addressees: dict[str, frozenset[str]] = {}
        self.role_masks: dict[tuple[str, str], np.ndarray] = {}

    def addressee(self, text: str | None, vocabulary: VocabularyMatcher | None) -> frozenset[str]:
        """``addressee_words`` of a passage's addressee, computed once per distinct addressee."""
        if not text:
            return frozenset()
        found = self._addressees.get(text)
        if found is None:
            found = self._addressees[text] = addressee_words(text, vocabulary)
        return found

    def shared_counts(self, keys: set[tuple[str, ...]]) -> np.ndarray:
        """For every passage, how many of ``keys`` (distinct shingles) it holds."""
        counts = np.zeros(self.size, dtype=np.int32)
        for key in keys:
            rows = self.postings.get(key)
            if rows is not None:
                counts[rows] += 1
        return counts

    def dice(self, keys: set[tuple[str, ...]]) -> np.ndarray:
        """Shingle Dice of every passage with a text whose shingles are ``keys``."""
        shared = self.shared_counts(keys).astype(np.float64)
        denominator = len(keys) + self.shingle_counts
        return np.divide(2 * shared, denominator, out=np.zeros_like(shared), where=denominator > 0)

    def rows_holding(self, words: Sequence[str]) -> list[int]:
        """Passages whose folded words hold this word sequence."""
        needle = " " + " ".join(words) + " "
        rows: list[int] = []
        pos = self._joined.find(needle)
        while pos >= 0:
            row = int(np.searchsorted(self._starts, pos, side="right") - 1)
            rows.append(row)
            nxt = self._starts[row + 1] if row + 1 < self.size else len(self._joined)
            pos = self._joined.find(needle, int(nxt))
        return rows


@dataclass(frozen=True, slots=True)
class SharedSequence:
    """A maximal word sequence common to the draft and a passage."""

    text: str  # as the passage prints it
    words: int
    draft: tuple[int, int]  # character span in the draft
    passage: tuple[int, int]  # character span in the passage's text
    also_in: int  # other passages of the corpus holding the same words


def shared_sequences(draft: Words, passage: Words, *, min_words: int = SHINGLE) -> list[tuple[int, int, int]]:
    """Maximal common word runs as (draft start, passage start, length), longest first, not overlapping.

    A run must hold a word that is not a stop word ("of the", "and the" say nothing).

    Example:
        >>> a = Words.of("to develop handbooks on technology transfer")
        >>> shared_sequences(a, Words.of("develop handbooks on it"))
        [(1, 0, 3)]
    """
    where: dict[tuple[str, ...], list[int]] = {}
    d = draft.words
    p = passage.words
    for i in range(len(d) - min_words + 1):
        where.setdefault(d[i : i + min_words], []).append(i)
    runs: list[tuple[int, int, int]] = []
    for j in range(len(p) - min_words + 1):
        for i in where.get(p[j : j + min_words], ()):
            if i > 0 and j > 0 and d[i - 1] == p[j - 1]:
                continue  # not maximal: the run starts earlier
            n = min_words
            while i + n < len(d) and j + n < len(p) and d[i + n] == p[j + n]:
                n += 1
            if any(w not in STOPWORDS for w in d[i : i + n]):
                runs.append((i, j, n))
    runs.sort(key=lambda r: (-r[2], r[0]))
    chosen: list[tuple[int, int, int]] = []
    used_d: set[int] = set()
    used_p: set[int] = set()
    for i, j, n in runs:
        if used_d.intersection(range(i, i + n)) or used_p.intersection(range(j, j + n)):
            continue
        chosen.append((i, j, n))
        used_d.update(range(i, i + n))
        used_p.update(range(j, j + n))
    return chosen


# ------------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True, slots=True)
class Scored:
    """Precedent scores of candidate rows, best first (role group, then score)."""

    rows: np.ndarray
    score: np.ndarray
    wording: np.ndarray
    meaning: np.ndarray
    same_role: np.ndarray


# How far after "we" the verb of a first-person operative sentence may come ("We also call upon",
# "we declare our commitment to ... and call upon Member States")
_FIRST_PERSON_REACH = 25


def role_matches(role: DraftRole, passage: Passage) -> bool:
    """Same role, or a block whose heading carries the draft's verb ("resolves to instruct ..."), or an
    agreed text speaking in the first person with that verb (the Baku Declaration's "We call upon all
    policy-makers ..." for a draft that "calls upon all policy-makers ...")."""
    if passage.clause == role.role.value:
        return True
    heading = _folded((passage.lead_in or "").split(",")[0])[:4]
    if any(w.startswith(role.verb) for w in heading):
        return True
    return bool(passage.instrument) and _says_we(role.verb, passage.text)


def _says_we(verb: str, text: str) -> bool:
    """Whether ``text`` has "we" followed, within a few words, by a word starting with ``verb``."""
    if " we " not in f" {text.lower()} ":
        return False
    words = _folded(text)
    return any(
        w == "we" and any(x.startswith(verb) for x in words[i + 1 : i + 1 + _FIRST_PERSON_REACH])
        for i, w in enumerate(words)
    )


def addressee_words(text: str, vocabulary: VocabularyMatcher | None = None) -> frozenset[str]:
    """Content words of an addressee, singular, with its acronyms' long forms ("BDT" -> "bureau" ...)."""
    if vocabulary is not None:
        # acronyms as printed: the draft's words are folded, so short words are tried upper-cased
        printed = " ".join(w.upper() if len(w) <= 5 and w.islower() else w for w in text.split())
        text = text + " " + vocabulary.expand(printed).text
    return frozenset(w[:-1] if w.endswith("s") else w for w in _folded(text) if w not in STOPWORDS)


def addressee_overlap(wanted: frozenset[str], theirs: frozenset[str]) -> float:
    """Share of the draft's addressee words found in the passage's addressee."""
    return len(wanted & theirs) / len(wanted) if wanted else 0.0


def score_candidates(
    searcher: Searcher,
    rows: Sequence[int],
    draft: Words,
    vector: np.ndarray,
    role: DraftRole | None,
) -> Scored:
    """Wording, meaning and role of each candidate row, ordered: same role first, then by score."""
    rows_a = np.asarray(list(dict.fromkeys(rows)), dtype=np.int64)
    if not len(rows_a):
        empty = np.zeros(0)
        return Scored(rows_a, empty, empty, empty, np.zeros(0, dtype=bool))
    shingles = searcher.shingles
    keys = draft.shingles()
    shared = shingles.shared_counts(keys)[rows_a].astype(np.float64)
    denominator = len(keys) + shingles.shingle_counts[rows_a]
    wording = np.divide(2 * shared, denominator, out=np.zeros_like(shared), where=denominator > 0)
    meaning = searcher.index.dense.vectors(rows_a.tolist()) @ vector
    passages = [searcher.passages[r] for r in rows_a.tolist()]
    if role is not None:
        same_role = np.array([role_matches(role, p) for p in passages], dtype=bool)
        wanted = addressee_words(" ".join(role.addressee), searcher.vocabulary)
        overlap = np.array(
            [
                addressee_overlap(wanted, shingles.addressee(p.addressee, searcher.vocabulary))
                for p in passages
            ]
        )
    else:
        same_role = np.zeros(len(rows_a), dtype=bool)
        overlap = np.zeros(len(rows_a))
    score = WORDING * wording + MEANING * meaning + ADDRESSEE * overlap
    order = np.lexsort((-score, ~same_role))
    return Scored(rows_a[order], score[order], wording[order], meaning[order], same_role[order])


def reranked(
    searcher: Searcher,
    scored: Scored,
    query: str,
    terms: dict[str, float],
    vector: np.ndarray,
    runs: dict[str, list[Hit]],
    role: DraftRole | None,
) -> Scored:
    """The best ``rerank_depth`` candidates reordered by the searcher's reranker, as ``search`` does.

    Same-role passages stay first; within each group the model's order, and its score replaces the
    precedent score (wording, meaning and role are kept for the drafter to see).
    """
    from rag.rank.rerank import rerank

    depth = min(searcher.settings.retrieval.rerank_depth, len(scored.rows))
    if depth < 2 or searcher.reranker is None:
        return scored
    head = [
        Hit(searcher.ids[r], float(s), i)
        for i, (r, s) in enumerate(
            zip(scored.rows[:depth].tolist(), scored.score[:depth].tolist(), strict=True), start=1
        )
    ]
    parsed = searcher.resolver.parse(query)
    matrix = searcher.candidate_features(head, parsed, terms, vector, runs, draft_role=role)
    first = scored.same_role[:depth] if role is not None else None
    ordered = rerank(head, searcher.reranker.score(matrix), first=first)
    order = [searcher.row_of[h.passage_id] for h in ordered]
    model = {searcher.row_of[h.passage_id]: h.score for h in ordered}
    position = {r: i for i, r in enumerate(scored.rows[:depth].tolist())}
    index = np.array([position[r] for r in order] + list(range(depth, len(scored.rows))), dtype=np.int64)
    score = scored.score[index].copy()
    score[:depth] = [model[r] for r in order]
    # below the head, scores stay under the head's lowest so the order reads from the scores
    if len(score) > depth:
        score[depth:] = score[:depth].min() - np.arange(1, len(score) - depth + 1)
    return Scored(
        scored.rows[index], score, scored.wording[index], scored.meaning[index], scored.same_role[index]
    )


def candidate_rows(
    searcher: Searcher,
    draft: Words,
    allowed: np.ndarray | None,
    first: Sequence[int],
    *,
    role: DraftRole | None = None,
    query: tuple[str, dict[str, float], np.ndarray] | None = None,
) -> list[int]:
    """Rows worth scoring: ``first`` (the hybrid ranking's best), the rows sharing the most shingles
    with the draft, and, when a role is asked for, the hybrid ranking's best among that role's rows.

    ``query`` is (ranking text, BM25 terms, vector) for that role-restricted ranking; without it, or
    without a role, it is skipped.
    """
    counts = searcher.shingles.shared_counts(draft.shingles())
    if allowed is not None:
        counts = np.where(allowed, counts, 0)
    lexical = np.flatnonzero(counts)
    lexical = lexical[np.argsort(-counts[lexical], kind="stable")][:CANDIDATES]
    rows = [*first[:CANDIDATES], *lexical.tolist()]
    if role is not None and query is not None:
        mask = role_mask(searcher, role)
        if allowed is not None:
            mask = mask & allowed
        if mask.any():
            text, terms, vector = query
            runs = searcher.hybrid.runs(text, CANDIDATES, allowed=mask, vector=vector, terms=terms)
            rows.extend(searcher.row_of[h.passage_id] for h in searcher.hybrid.fuse(runs, CANDIDATES))
    return list(dict.fromkeys(rows))


def role_mask(searcher: Searcher, role: DraftRole) -> np.ndarray:
    """Boolean mask of the passages ``role_matches`` accepts (computed once per role and verb)."""
    key = (role.role.value, role.verb)
    masks = searcher.shingles.role_masks
    if key not in masks:
        masks[key] = np.array([role_matches(role, p) for p in searcher.passages], dtype=bool)
    return masks[key]


# ------------------------------------------------------------------------------------------------
# The drafter's view


@dataclass(frozen=True, slots=True)
class Precedent:
    """One existing passage close to the draft, with why, and the other texts using its wording."""

    passage: Passage
    rank: int
    score: float
    wording: float  # shingle Dice with the draft
    meaning: float  # cosine with the draft
    same_role: bool
    shared: tuple[SharedSequence, ...]
    duplicates: tuple[tuple[Passage, float], ...]  # near-duplicates elsewhere, with their Dice


@dataclass(frozen=True, slots=True)
class PrecedentResults:
    draft: str
    clause: ClauseRole | None
    clause_source: str | None  # "given", "detected" or None
    results: tuple[Precedent, ...]
    took_ms: float


def find_precedents(
    searcher: Searcher,
    text: str,
    clause: ClauseRole | str | None = None,
    k: int = 10,
    *,
    filters: SearchFilters | None = None,
    group: bool = True,
) -> PrecedentResults:
    """The existing passages closest to a draft clause, best first; see the module docstring.

    Args:
        searcher: a loaded ``Searcher`` (its indexes, encoder and shingle index).
        text: the draft clause as pasted.
        clause: the role to prefer; None: the role the draft opens with, if any.
        k: how many precedents (groups of near-duplicates, when ``group``).
        filters: as for search (doc, instrument, clause, kind, cites).
        group: fold a result into an earlier one whose near-duplicate it is (it is listed in that
            result's ``duplicates``), so k results show k different wordings.

    Raises:
        QueryError: the draft has no words, or k is out of range.
        ConfigError: a filter value or clause role is unknown (the message lists the valid ones).
    """
    started = time.perf_counter()
    if not _WORD.search(text or ""):
        raise QueryError("the draft has no words", hint="paste the text of a draft clause")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= searcher.settings.retrieval.max_k:
        raise QueryError(f"k must be an integer from 1 to {searcher.settings.retrieval.max_k}, not {k!r}")
    detected = draft_role(text)
    source: str | None = None
    role = detected
    if clause is not None:
        given = clause if isinstance(clause, ClauseRole) else role_from_str(clause)
        role = DraftRole(given, given.value.split()[0][:6], detected.addressee if detected else ())
        source = "given"
    elif detected is not None:
        source = "detected"
    query = " ".join(text.replace('"', " ").split())[: searcher.settings.retrieval.max_query_chars]
    allowed = searcher.allowed_rows(filters)
    terms, dense_text = searcher.query_terms(query)
    vector = searcher.dense.embed(dense_text)
    runs = searcher.hybrid.runs(query, CANDIDATES, allowed=allowed, vector=vector, terms=terms)
    hybrid = searcher.hybrid.fuse(runs, CANDIDATES)
    draft = Words.of(text)
    rows = candidate_rows(
        searcher,
        draft,
        allowed,
        [searcher.row_of[h.passage_id] for h in hybrid],
        role=role,
        query=(query, terms, vector),
    )
    scored = score_candidates(searcher, rows, draft, vector, role)
    if searcher.reranker is not None and searcher.settings.retrieval.rerank_drafts:
        scored = reranked(searcher, scored, query, terms, vector, runs, role)
    results: list[Precedent] = []
    grouped: set[int] = set()
    for i, row in enumerate(scored.rows.tolist()):
        if len(results) >= k:
            break
        if group and row in grouped:
            continue
        passage = searcher.passages[row]
        duplicates = near_duplicates(searcher, row)
        grouped.update(r for r, _ in duplicates)
        results.append(
            Precedent(
                passage=passage,
                rank=len(results) + 1,
                score=float(scored.score[i]),
                wording=float(scored.wording[i]),
                meaning=float(scored.meaning[i]),
                same_role=bool(scored.same_role[i]),
                shared=shared_wording(searcher, draft, row),
                duplicates=tuple((searcher.passages[r], d) for r, d in duplicates),
            )
        )
    return PrecedentResults(
        draft=text,
        clause=role.role if role else None,
        clause_source=source,
        results=tuple(results),
        took_ms=(time.perf_counter() - started) * 1000,
    )


def shared_wording(searcher: Searcher, draft: Words, row: int) -> tuple[SharedSequence, ...]:
    """The maximal 3+ word runs a passage shares with the draft, each with how many others hold it."""
    passage = searcher.passages[row]
    words = Words.of(passage.text)
    out: list[SharedSequence] = []
    for i, j, n in shared_sequences(draft, words):
        start, end = words.spans[j][0], words.spans[j + n - 1][1]
        holders = searcher.shingles.rows_holding(words.words[j : j + n])
        out.append(
            SharedSequence(
                text=passage.text[start:end],
                words=n,
                draft=(draft.spans[i][0], draft.spans[i + n - 1][1]),
                passage=(start, end),
                also_in=sum(1 for r in holders if r != row),
            )
        )
    return tuple(sorted(out, key=lambda s: s.draft))


def near_duplicates(
    searcher: Searcher, row: int, threshold: float = DUPLICATE_DICE
) -> list[tuple[int, float]]:
    """Other passages whose shingle Dice with this one reaches ``threshold``, most alike first."""
    keys = Words.of(searcher.passages[row].text).shingles()
    if not keys:
        return []
    dice = searcher.shingles.dice(keys)
    dice[row] = 0.0
    found = np.flatnonzero(dice >= threshold)
    found = found[np.argsort(-dice[found], kind="stable")]
    return [(int(r), round(float(dice[r]), 3)) for r in found]
