"""Precedent search: the existing clauses a draft clause repeats, rewords or builds on.

A drafter pastes "invites Member States to set up national computer incident response teams ..." and
needs the clause it comes from first, then every other text that uses the same wording. The draft is
read once (``rag.query.analysed.analyse_draft``: the role it opens with or the caller names, its
words), its candidates are ranked by wording, meaning and role (``rag.rank.drafts``, the ranking the
search box uses for a draft too), and the reranker (``rag.rank.rerank``) reorders the best
``rerank_depth`` inside the role groups; its score is the result's score, so ``find_precedents`` and
``Searcher.search`` rank a draft alike.

For each precedent ``find_precedents`` also returns the maximal word sequences (3+ words, at least one
not a stop word) it shares with the draft, with their spans in both texts and the number of other
passages holding each one (agreed language that recurs, against wording unique to one text), and its
near-duplicates across the corpus (shingle Dice >= ``DUPLICATE_DICE``): the same wording in other
resolutions, opinions or drafts, grouped so the drafter sees every text using it.

Example:
    >>> from rag.rank.search import Searcher                                      # doctest: +SKIP
    >>> searcher = Searcher.load()                                                # doctest: +SKIP
    >>> found = find_precedents(searcher.context, "instructs the Director of BDT to keep producing "
    ...                         "handbooks on technology transfer", k=3)          # doctest: +SKIP
    >>> found.results[0].passage.citation                                         # doctest: +SKIP
    'WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), instructs the Director of BDT, 4'
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from rag.index.shingles import SHINGLE, Words
from rag.index.textindex import STOPWORDS
from rag.query.analysed import AnalysedQuery, analyse_draft
from rag.rank.context import SearchContext
from rag.rank.drafts import CANDIDATES, Scored, rank_draft
from rag.types import ClauseRole, Hit, Passage, SearchFilters

DUPLICATE_DICE = 0.6  # shingle Dice at which another passage holds "the same wording"


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
    context: SearchContext,
    text: str,
    clause: ClauseRole | str | None = None,
    k: int = 10,
    *,
    filters: SearchFilters | None = None,
    group: bool = True,
) -> PrecedentResults:
    """The existing passages closest to a draft clause, best first; see the module docstring.

    Args:
        context: a loaded index's ``SearchContext`` (``Searcher.context``).
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
    query = analyse_draft(context, text, clause, k, filters)
    draft = query.draft
    assert draft is not None, "analyse_draft reads the draft's words"
    scored = rank_precedents(context, query)
    results: list[Precedent] = []
    grouped: set[int] = set()
    for i, row in enumerate(scored.rows.tolist()):
        if len(results) >= k:
            break
        if group and row in grouped:
            continue
        duplicates = near_duplicates(context, row)
        grouped.update(r for r, _ in duplicates)
        results.append(
            Precedent(
                passage=context.passages[row],
                rank=len(results) + 1,
                score=float(scored.score[i]),
                wording=float(scored.wording[i]),
                meaning=float(scored.meaning[i]),
                same_role=bool(scored.same_role[i]),
                shared=shared_wording(context, draft, row),
                duplicates=tuple((context.passages[r], d) for r, d in duplicates),
            )
        )
    role = query.draft_role
    return PrecedentResults(
        draft=text,
        clause=role.role if role else None,
        clause_source="given" if clause is not None else ("detected" if role is not None else None),
        results=tuple(results),
        took_ms=(time.perf_counter() - started) * 1000,
    )


def rank_precedents(context: SearchContext, query: AnalysedQuery) -> Scored:
    """The draft's candidates ranked as the search box ranks them: scored, then reranked (when the
    context has a reranker and ``rerank_drafts`` is on) inside the role groups."""
    runs = context.hybrid.runs(
        query.text, CANDIDATES, allowed=query.allowed, vector=query.vector, terms=query.terms
    )
    hybrid = context.hybrid.fuse(runs, CANDIDATES)
    scored = rank_draft(context, query, [context.row_of[h.passage_id] for h in hybrid])
    if context.reranker is None or not context.settings.retrieval.rerank_drafts:
        return scored
    ids = context.ids
    head = [
        Hit(ids[r], float(s), i)
        for i, (r, s) in enumerate(zip(scored.rows.tolist(), scored.score.tolist(), strict=True), start=1)
    ]
    ordered = context.reranker.rerank(context, query, head, runs)
    position = {r: i for i, r in enumerate(scored.rows.tolist())}
    index = np.array([position[context.row_of[h.passage_id]] for h in ordered], dtype=np.int64)
    score = np.array([h.score for h in ordered], dtype=np.float64)
    return Scored(
        scored.rows[index], score, scored.wording[index], scored.meaning[index], scored.same_role[index]
    )


def shared_wording(context: SearchContext, draft: Words, row: int) -> tuple[SharedSequence, ...]:
    """The maximal 3+ word runs a passage shares with the draft, each with how many others hold it."""
    passage = context.passages[row]
    words = Words.of(passage.text)
    out: list[SharedSequence] = []
    for i, j, n in shared_sequences(draft, words):
        start, end = words.spans[j][0], words.spans[j + n - 1][1]
        holders = context.shingles.rows_holding(words.words[j : j + n])
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
    context: SearchContext, row: int, threshold: float = DUPLICATE_DICE
) -> list[tuple[int, float]]:
    """Other passages whose shingle Dice with this one reaches ``threshold``, most alike first."""
    keys = Words.of(context.passages[row].text).shingles()
    if not keys:
        return []
    dice = context.shingles.dice(keys)
    dice[row] = 0.0
    found = np.flatnonzero(dice >= threshold)
    found = found[np.argsort(-dice[found], kind="stable")]
    return [(int(r), round(float(dice[r]), 3)) for r in found]
