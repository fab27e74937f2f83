"""Assembly, the last stage: pinned references first, then a reference question's citing passages,
then the ranking, cut to ``k``; and the words of a result to highlight.

The passages the query's references name come first (at most ``max_pinned``, in the order the
ranking gives them), with the mode's own score; then, for a reference question, the passages citing
the instrument it names (``Candidates.citing``); then the rest of the ranking. A draft clause that
mentions "Resolution 15" asks for its own precedents, not that title: its references pin nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence

from rag.index.textindex import _forms, normalize_text, tokenize
from rag.query.analysed import AnalysedQuery
from rag.query.analysis import Reference
from rag.rank.candidates import Candidates
from rag.rank.context import SearchContext
from rag.rank.results import SearchHit
from rag.types import Hit, Mode


def pinned_references(query: AnalysedQuery) -> tuple[Reference, ...]:
    """The references that pin passages: none for a draft clause (it asks for its own precedents)."""
    return () if query.draft is not None else query.parsed.references


def assemble(
    context: SearchContext, query: AnalysedQuery, candidates: Candidates, ranked: Sequence[Hit]
) -> list[SearchHit]:
    """The ``k`` results: pinned references, citing passages, then ``ranked`` (reranked or not)."""
    pinned_rows = _pinned(context, query, ranked, candidates.runs)
    position = {h.passage_id: h for h in ranked}
    run_ranks = {name: {h.passage_id: h.rank for h in hits} for name, hits in candidates.runs.items()}
    out: list[SearchHit] = []
    seen: set[str] = set()

    def add(pid: str, score: float, pinned: bool) -> None:
        ranks: dict[str, int | None] = {name: table.get(pid) for name, table in run_ranks.items()}
        if pinned:
            ranks["reference"] = len([h for h in out if h.pinned]) + 1
        passage = context.passages[context.row_of[pid]]
        out.append(SearchHit(passage=passage, score=score, rank=len(out) + 1, ranks=ranks, pinned=pinned))
        seen.add(pid)

    if pinned_rows:
        scores = _scores_for(context, query, pinned_rows, position)
        for row in pinned_rows:
            add(context.ids[row], scores[row], True)
    for hit in candidates.citing:
        if len(out) >= query.k:
            break
        if hit.passage_id not in seen:
            add(
                hit.passage_id,
                position[hit.passage_id].score if hit.passage_id in position else hit.score,
                False,
            )
    for hit in ranked:
        if len(out) >= query.k:
            break
        if hit.passage_id not in seen:
            add(hit.passage_id, hit.score, False)
    return out[: query.k]


def _pinned(
    context: SearchContext, query: AnalysedQuery, ranked: Sequence[Hit], runs: dict[str, list[Hit]]
) -> list[int]:
    """Rows the query's references name, best ranked first, at most ``max_pinned``.

    A reference to one place pins it whatever its rank. A reference to several (a block, an
    instrument in two documents) pins those the ranking returned, best first, or else the first
    in document order, so the rest of the ranking still follows the query's words.
    """
    references = pinned_references(query)
    if not references or not context.settings.retrieval.max_pinned:
        return []
    order: dict[str, tuple[int, int]] = {}
    for i, h in enumerate(ranked):
        order.setdefault(h.passage_id, (0, i))
    for hits in runs.values():
        for h in hits:
            best = order.get(h.passage_id)
            if best is None or (best[0] == 1 and h.rank < best[1]):
                order[h.passage_id] = (1, h.rank)
    rows: list[int] = []
    ids, parsed, allowed = context.ids, query.parsed, query.allowed
    for ref in references:
        if query.has_rest and ref.instrument is not None and not (ref.clause or ref.label or ref.kind):
            if query.role is None:
                # "What does Resolution 31 say about RPMs?" asks about a place inside the instrument,
                # not for its title: such references boost the instrument's passages (see search)
                continue
            # "What does Resolution 15 recall?": the instrument's block of that role
            ref = dataclasses.replace(ref, clause=query.role)
        found = context.resolver.resolve(ref, parsed.doc_hints)
        if allowed is not None:
            found = [r for r in found if allowed[r]]
        if len(found) > 1:
            ranked_rows = sorted((r for r in found if ids[r] in order), key=lambda r: order[ids[r]])
            found = ranked_rows or found[:1]
        rows.extend(r for r in found if r not in rows)
    return rows[: context.settings.retrieval.max_pinned]


def _scores_for(
    context: SearchContext, query: AnalysedQuery, rows: list[int], ranked: dict[str, Hit]
) -> dict[int, float]:
    """The mode's own score of pinned rows (its fused score, BM25 score or cosine; 0 if unranked)."""
    if query.mode is Mode.BM25:
        scores = context.bm25.scores(query.terms)
        return {r: float(scores[r]) for r in rows}
    if query.mode is Mode.DENSE and query.vector is not None:
        vectors = context.index.dense.vectors(rows)
        return {r: float(v @ query.vector) for r, v in zip(rows, vectors, strict=True)}
    ids = context.ids
    return {r: ranked[ids[r]].score if ids[r] in ranked else 0.0 for r in rows}


# a word of a passage for highlighting: letters/digits, joined by . / - or ' (7.9.6, ITU-D, Member's)
_HIGHLIGHT_WORD = re.compile(r"[^\W_]+(?:[./\-'][^\W_]+)*")


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of ``text`` whose words match the query's tokens (after the same folding as BM25).

    Example:
        >>> highlight_spans("to develop handbooks on technology", "handbook technologies")
        [(11, 20), (24, 34)]
    """
    wanted = _query_tokens(query)
    if not wanted:
        return []
    return [m.span() for m in _HIGHLIGHT_WORD.finditer(text) if not wanted.isdisjoint(_word_forms(m.group()))]


@functools.lru_cache(maxsize=256)
def _query_tokens(query: str) -> frozenset[str]:
    """The query's BM25 tokens (cached: the same query highlights each of its results)."""
    return frozenset(tokenize(query))


@functools.lru_cache(maxsize=1 << 16)
def _word_forms(word: str) -> tuple[str, ...]:
    """BM25 forms of one word of a passage (cached: ten results a query repeat the corpus's words)."""
    return _forms(normalize_text(word))
