"""The reranker's features: each a reason a reader could give for preferring one passage.

======================  ===========================================================================
feature                 why
======================  ===========================================================================
fused, fused_rank       the first stage's verdict (normalised weighted sum of the branches; for a
                        draft clause, the precedent score and order of ``rag.rank.drafts``)
bm25, bm25_rank         lexical match of the whole passage (score / best score of the query)
dense, dense_gap        cosine with the query, and its distance to the best cosine of the query
cov_text                idf-weighted share of the query's tokens in the passage's own words
cov_context             ... in its context (instrument title, headings, lead-in)
cov_citation            ... in its citation (document, instrument, role, addressee, label)
phrase                  longest run of query words the passage's text holds, over the query length
bigrams                 share of the query's word pairs the text holds
role_intent             the query asks what a text *resolves / instructs / recognizes / ...* and
                        the passage speaks in that role (1: its block, or its lead-in's verb, as in
                        "resolves to instruct"), in another role (-1), no role asked (0)
addressee               share of the passage's addressee words the query names ("Member States")
instrument              the passage belongs to an instrument the query names ("Res. 15 ...")
doc_intent              the passage's document is the one the query names (WTPF-21 report,
                        "roadmap"): 1, another document: -1, none named: 0
numbers                 share of the query's numbers ("2030", "7.9.6") the passage holds
fact_match              a when/how-many/how-much question and a passage holding dates or figures
kind                    passage kind (clause, paragraph, table row, title, ...), categorical
length                  log of the passage's length in characters
wording                 Dice of the word 3-gram sets of query and passage (``rag.rank.drafts``): the
                        drafter's "same wording"
draft_role              a draft clause opening with a role ("invites Member States to ...") and a
                        passage of that role, or a block whose heading carries the verb (1), of
                        another (-1); not a draft or no role (0)
draft_addressee         share of the draft's addressee words in the passage's addressee
======================  ===========================================================================

The last three are the precedent search's own signals, so one model orders draft clauses and
questions alike and the search box and ``find_precedents`` agree on a draft's best precedent. The
query's side comes from the ``AnalysedQuery`` (read once), the passages' side from the context's
``PassageFeatures`` (built once per index).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np

from rag.query.analysed import AnalysedQuery
from rag.query.drafts import addressee_overlap
from rag.rank.context import SearchContext
from rag.types import Hit

FEATURES: tuple[str, ...] = (
    "fused",
    "fused_rank",
    "bm25",
    "bm25_rank",
    "dense",
    "dense_gap",
    "cov_text",
    "cov_context",
    "cov_citation",
    "phrase",
    "bigrams",
    "role_intent",
    "addressee",
    "instrument",
    "doc_intent",
    "numbers",
    "fact_match",
    "kind",
    "length",
    "wording",
    "draft_role",
    "draft_addressee",
)


def candidate_features(
    context: SearchContext, query: AnalysedQuery, hits: Sequence[Hit], runs: Mapping[str, Sequence[Hit]]
) -> np.ndarray:
    """The feature matrix of ``hits`` for ``query`` (rows: ``hits`` in order, columns: ``FEATURES``).

    ``runs`` are the query's branch rankings; ``bm25`` is read. Needs the query's vector.
    """
    assert query.vector is not None, "features need the query's vector"
    bm25 = {h.passage_id: h.score for h in runs.get("bm25", ())}
    rows = [context.row_of[h.passage_id] for h in hits]
    cosines = context.index.dense.vectors(rows) @ query.vector
    return feature_matrix(context, query, hits, bm25, cosines)


def feature_matrix(
    context: SearchContext,
    query: AnalysedQuery,
    hits: Sequence[Hit],
    bm25_scores: Mapping[str, float],
    cosines: np.ndarray,
) -> np.ndarray:
    """The feature matrix from the candidates' BM25 scores and cosines (rows: ``hits`` in order)."""
    rows = [context.row_of[h.passage_id] for h in hits]
    if not rows:
        return np.zeros((0, len(FEATURES)), dtype=np.float64)
    table = _Table(context, query, hits, rows, bm25_scores, cosines)
    return np.array(
        [table.row(i, hit, row) for i, (hit, row) in enumerate(zip(hits, rows, strict=True))],
        dtype=np.float64,
    )


def _weighted_terms(q: AnalysedQuery) -> list[tuple[str, float]]:
    """Each query term with idf x weight, in the terms' order: what ``_coverage`` sums, once a query."""
    return [(t, q.idf.get(t, 0.0) * w) for t, w in q.terms.items()]


def _coverage(weighted: Sequence[tuple[str, float]], tokens: frozenset[str], total: float) -> float:
    if total <= 0:
        return 0.0
    # the same products added in the same order as summing idf x weight term by term: same floats
    return sum([value for t, value in weighted if t in tokens]) / total


class _QuerySide:
    """What the features read of the query alone (its terms' weights, word runs and pairs, a draft's
    role mask), and each passage's features that depend on nothing but the query and the passage,
    kept by row in ``query.passage_features``: computed once a query, whoever asks first."""

    def __init__(self, context: SearchContext, query: AnalysedQuery) -> None:
        self.context, self.q, self.pf = context, query, context.features
        self.total = sum(query.idf.get(t, 0.0) * w for t, w in query.terms.items())
        self.weighted = _weighted_terms(query)
        qwords = query.words
        self.runs = _Runs(qwords)
        self.bigrams = {f" {a} {b} " for a, b in zip(qwords, qwords[1:], strict=False)}
        role = query.draft_role
        self.same_role = context.role_masks.mask(role) if role is not None else None
        self.memo = query.passage_features

    def passage(self, row: int) -> tuple[float, ...]:
        """The query x passage features of ``row``: ``FEATURES`` from cov_text to length, then
        draft_role and draft_addressee."""
        found = self.memo.get(row)
        if found is None:
            found = self.memo[row] = self._passage(row)
        return found

    def _passage(self, row: int) -> tuple[float, ...]:
        q, pf = self.q, self.pf
        joined = pf.joined_words(row)
        addressee = pf.addressee[row]
        draft_role, draft_addressee = self._draft(row)
        return (
            _coverage(self.weighted, pf.text[row], self.total),
            _coverage(self.weighted, pf.context[row], self.total),
            _coverage(self.weighted, pf.citation[row], self.total),
            self.runs.longest_in(joined, pf.word_set(row)) / len(q.words) if q.words else 0.0,
            (sum(1 for b in self.bigrams if b in joined) / len(self.bigrams)) if self.bigrams else 0.0,
            self._role(row),
            (len(addressee & q.terms.keys()) / len(addressee)) if addressee else 0.0,
            1.0 if row in q.instrument_rows else 0.0,
            (1.0 if pf.doc[row] in q.doc_hints else -1.0) if q.doc_hints else 0.0,
            (sum(1 for t in q.numbers if t in pf.text[row]) / len(q.numbers)) if q.numbers else 0.0,
            self._fact(row),
            pf.kind_values[row],
            pf.length_values[row],
            draft_role,
            draft_addressee,
        )

    def _role(self, row: int) -> float:
        if self.q.role is None:
            return 0.0
        return 1.0 if self.q.role in self.pf.roles[row] else (-1.0 if self.pf.clause[row] else -0.5)

    def _fact(self, row: int) -> float:
        fact = 0.0
        if self.q.when:
            fact += 1.0 if self.pf.dated_values[row] else -1.0
        if self.q.how_many:
            fact += 1.0 if self.pf.figures_values[row] else -1.0
        return fact

    def _draft(self, row: int) -> tuple[float, float]:
        """(draft_role, draft_addressee) of a row: 0, 0 for a query that is no draft with a role."""
        if self.q.draft_role is None or self.same_role is None:
            return 0.0, 0.0
        theirs = self.context.addressees.of(self.context.passages[row].addressee)
        return (1.0 if self.same_role[row] else -1.0), addressee_overlap(self.q.draft_addressee, theirs)


# How many of BM25's best ``prepare_passage_features`` makes at most. Of the reranker's head (the
# fused 50), BM25's 20 best are 80-100 % (bench questions and gold), its ranks 21-30 60 %, 31-50 only
# 25-40 %: beyond 30 most rows would be made for nothing, which costs a busy server its throughput.
PREPARED_DEPTH = 30


def prepare_passage_features(
    context: SearchContext, query: AnalysedQuery, hits: Sequence[Hit], until: Future[Any]
) -> None:
    """The query x passage features of ``hits`` (best first, at most ``PREPARED_DEPTH``), computed
    until ``until`` is done. Candidate generation calls it while the query's vector is still being
    computed: the reranker then finds many of its candidates' rows ready (a row is ~15 µs of
    Python, ~0.75 ms for the head of 50; the wait was ~0.7 ms)."""
    side = _QuerySide(context, query)
    for hit in hits[: min(PREPARED_DEPTH, context.settings.retrieval.rerank_depth)]:
        if until.done():
            return
        side.passage(context.row_of[hit.passage_id])


class _Table:
    """What one query's feature rows share, computed once: the query's side, the best scores and the
    candidates' wording overlap with the query."""

    def __init__(
        self,
        context: SearchContext,
        query: AnalysedQuery,
        hits: Sequence[Hit],
        rows: Sequence[int],
        bm25_scores: Mapping[str, float],
        cosines: np.ndarray,
    ) -> None:
        self.side = _QuerySide(context, query)
        self.bm25_scores = bm25_scores
        self.top_fused = max(h.score for h in hits) or 1.0
        self.top_bm25 = max(bm25_scores.values(), default=0.0) or 1.0
        self.bm25_order = {
            pid: r for r, pid in enumerate(sorted(bm25_scores, key=lambda p: -bm25_scores[p]), start=1)
        }
        self.top_cos = float(cosines.max()) if len(rows) else 0.0
        wording = np.zeros(len(rows))
        if query.shingles:
            rows_a = np.asarray(rows, dtype=np.int64)
            shingles = context.shingles
            shared = shingles.shared_counts(set(query.shingles))[rows_a].astype(np.float64)
            wording = 2 * shared / (len(query.shingles) + shingles.shingle_counts[rows_a])
        # Python floats of the same values (float() of each item, as the columns held before)
        self.cosine_values: list[float] = cosines.tolist()
        self.wording_values: list[float] = wording.tolist()

    def row(self, i: int, hit: Hit, row: int) -> tuple[float, ...]:
        """The features of the ``i``-th candidate (``row`` of the index), in ``FEATURES`` order."""
        bm = self.bm25_scores.get(hit.passage_id, 0.0)
        cosine = self.cosine_values[i]
        passage = self.side.passage(row)
        return (
            hit.score / self.top_fused,
            math.log1p(i),
            bm / self.top_bm25,
            math.log1p(self.bm25_order.get(hit.passage_id, 200)),
            cosine,
            cosine - self.top_cos,
            *passage[:13],
            self.wording_values[i],
            *passage[13:],
        )


class _Runs:
    """Runs of consecutive query words, joined with a space at each end, built once a query as needed."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        self.built: list[dict[int, str]] = [{} for _ in words]  # built[i][length]: words i..i+length-1
        self.spaced = [" " in w for w in words]  # never from _WORD, but then only a substring test tells

    def longest_in(self, joined: str, word_set: frozenset[str]) -> int:
        """Longest run of consecutive query words that occurs in the passage's joined words.

        A run can only occur where each of its words does, so runs are tried only within the
        stretches of query words that the passage has (``word_set``), in the same order as trying
        every start and length: the same answer with far fewer substring searches.
        """
        words, built = self.words, self.built
        present = [
            f" {w} " in joined if spaced else w in word_set
            for w, spaced in zip(words, self.spaced, strict=True)
        ]
        n = len(words)
        best = 0
        i = 0
        while i < n:
            if not present[i]:
                i += 1
                continue
            end = i  # the stretch of present words i..end-1
            while end < n and present[end]:
                end += 1
            for start in range(i, end - best):
                runs = built[start]
                # only try runs that could beat the best so far
                length = best + 1
                while start + length <= end:
                    run = runs.get(length)
                    if run is None:
                        run = runs[length] = " " + " ".join(words[start : start + length]) + " "
                    if run not in joined:
                        break
                    best = length
                    length += 1
            i = end
        return best
