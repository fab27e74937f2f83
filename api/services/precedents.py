"""Precedent finder: the existing clauses closest to a draft clause, in meaning and in wording.

Candidates come from two places: the hybrid search (BM25 + dense, as ``/search`` ranks) run on the
draft, and the passages sharing the most 3-word shingles with it. Each candidate gets

    score = WORDING * dice + MEANING * cosine

where ``dice`` = 2 |shared shingles| / (|draft shingles| + |passage shingles|) measures reused wording
(1.0 for the same words in the same order, ~0.6 for a clause with a few words changed) and ``cosine``
is the similarity of the draft's and the passage's vectors (the dense index's). A lightly reworded
clause scores high on both, so the original comes first; a paraphrase still finds its precedents
through the meaning term. When the draft opens with a clause role ("instructs ...", "recognising
that ...") or the caller names one, passages of that role rank before all others.

Each result lists the maximal word sequences (3+ words) it shares with the draft, with their spans in
both texts and how many other passages of the corpus hold the same sequence: agreed language that
recurs across texts versus wording unique to one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np

from api.services.roles import detect_role
from api.services.wording import ShingleIndex, Words, shared_sequences
from rag.errors import QueryError
from rag.search import Searcher
from rag.textindex import words
from rag.types import ClauseRole, Passage, SearchFilters

WORDING = 0.5  # weight of shingle overlap (Dice) in the score
MEANING = 0.5  # weight of the cosine similarity of draft and passage vectors
CANDIDATES = 50  # taken from each source (hybrid search, shingle overlap) before re-scoring
_QUOTES = re.compile('["\u201c\u201d\u201e]')


@dataclass(frozen=True, slots=True)
class SharedWording:
    """A word sequence common to the draft and a passage."""

    text: str  # as the passage prints it
    words: int
    draft: tuple[int, int]  # character span in the draft
    passage: tuple[int, int]  # character span in the passage text
    also_in: int  # other passages of the corpus holding the same sequence


@dataclass(frozen=True, slots=True)
class Precedent:
    passage: Passage
    rank: int
    score: float
    wording: float
    meaning: float
    shared: tuple[SharedWording, ...]


@dataclass(frozen=True, slots=True)
class PrecedentResults:
    clause: ClauseRole | None
    clause_source: str | None  # "given", "detected" or None
    results: tuple[Precedent, ...]
    took_ms: float


def _search_text(draft: str, limit: int) -> str:
    """The draft as a search query: quotes dropped (they would demand exact phrases), cut to ``limit``."""
    text = " ".join(_QUOTES.sub(" ", draft).split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    return text


def find_precedents(
    searcher: Searcher,
    shingles: ShingleIndex,
    draft: str,
    *,
    k: int = 10,
    clause: ClauseRole | None = None,
    filters: SearchFilters | None = None,
) -> PrecedentResults:
    """Rank existing passages by closeness to ``draft``; see the module docstring.

    Raises:
        QueryError: the draft has no words.
        ConfigError: a filter value is unknown (the message lists the valid ones).
    """
    started = time.perf_counter()
    source = "given" if clause is not None else None
    if clause is None:
        clause = detect_role(draft)
        source = "detected" if clause is not None else None
    query = _search_text(draft, searcher.settings.max_query_chars)
    if not words(query):
        raise QueryError("the draft has no words", hint="paste the text of a draft clause")
    allowed = searcher.allowed_rows(filters)
    # the hybrid ranking without the query parsing of ``Searcher.search``: a draft that mentions
    # "Resolution 15" should not have that resolution's title pinned first; one embedding serves both
    vector = searcher.dense.embed(query)
    hybrid = searcher.hybrid.fuse(
        searcher.hybrid.runs(query, CANDIDATES, allowed=allowed, vector=vector), CANDIDATES
    )

    draft_words = shingles.words(draft)
    draft_keys = shingles.shingles(draft_words)
    counts = shingles.shared_counts(draft_keys)
    if allowed is not None:
        counts = np.where(allowed, counts, 0)
    lexical = np.flatnonzero(counts)
    lexical = lexical[np.argsort(-counts[lexical], kind="stable")][:CANDIDATES]
    rows = list(dict.fromkeys([searcher.row_of[h.passage_id] for h in hybrid] + lexical.tolist()))
    if not rows:
        return PrecedentResults(clause, source, (), (time.perf_counter() - started) * 1000)

    cosines = searcher.index.dense.vectors(rows) @ vector
    sizes = shingles.shingle_counts[rows].astype(float)
    shared = counts[rows].astype(float)
    denominator = len(draft_keys) + sizes
    dice = np.divide(2 * shared, denominator, out=np.zeros_like(shared), where=denominator > 0)
    scores = WORDING * dice + MEANING * cosines
    same_role = np.array(
        [clause is not None and searcher.passages[r].clause == clause.value for r in rows], dtype=bool
    )
    # same role first, then by score; ties keep the hybrid order (rows were listed in it)
    order = np.lexsort((-scores, ~same_role))[:k]

    results = []
    for rank, i in enumerate(order.tolist(), start=1):
        row = rows[i]
        passage = searcher.passages[row]
        results.append(
            Precedent(
                passage=passage,
                rank=rank,
                score=float(scores[i]),
                wording=float(dice[i]),
                meaning=float(cosines[i]),
                shared=_shared_wording(shingles, draft_words, row, passage),
            )
        )
    return PrecedentResults(clause, source, tuple(results), (time.perf_counter() - started) * 1000)


def _shared_wording(
    shingles: ShingleIndex, draft_words: Words, row: int, passage: Passage
) -> tuple[SharedWording, ...]:
    words = shingles.passage_words(row, passage.text)
    out = []
    for seq in shared_sequences(draft_words, words, index=shingles):
        ids = words.ids[seq.passage_start : seq.passage_start + seq.length]
        others = int(np.count_nonzero(shingles.sequence_rows(ids) != row))
        start, end = seq.passage_span
        out.append(
            SharedWording(
                text=passage.text[start:end],
                words=seq.length,
                draft=seq.draft_span,
                passage=seq.passage_span,
                also_in=others,
            )
        )
    return tuple(out)
