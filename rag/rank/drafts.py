"""The ranking of a draft clause's precedents, one for the search box and ``POST /precedents``.

A drafter pastes "invites Member States to set up national computer incident response teams ..." and
needs the clause it comes from first, then every other text that uses the same wording. Three signals
decide, each cheap and explainable:

- **wording**: the Dice coefficient of the word 3-gram (shingle) sets of draft and passage
  (``rag.index.shingles``: folded case, punctuation and British spellings). 1.0 for the same words in
  the same order, about 0.6 for a clause with a few words changed, 0 for a paraphrase;
- **meaning**: the cosine of the draft's and the passage's vectors (the dense index's), which keeps a
  reworded clause ("manuals" for "handbooks") in reach;
- **role**: when the draft opens with a clause role ("instructs the Director of BDT to ...",
  "Recognising further that ..."), or the caller names one, passages of that role come first
  (``rag.query.drafts.role_matches``), and the addressee's words ("Member States", "BDT", with
  acronyms expanded) break ties between blocks of one role.

score = 0.5 x wording + 0.5 x meaning + 0.1 x addressee overlap, inside the role groups. Candidates
are the hybrid ranking's best, the passages sharing the most shingles with the draft and, with a
role, the hybrid ranking's best among that role's passages. The reranker (``rag.rank.rerank``, whose
features include these three signals) then reorders the best ``rerank_depth`` inside the role
groups, so the search box (``rag.rank.candidates``) and ``find_precedents`` (``rag.precedents``) rank
a draft alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.query.analysed import AnalysedQuery
from rag.query.drafts import addressee_overlap, role_matches
from rag.rank.context import SearchContext
from rag.types import Hit

WORDING = 0.5  # weight of shingle Dice in the score
MEANING = 0.5  # weight of the cosine of draft and passage vectors
ADDRESSEE = 0.1  # weight of the addressee overlap: a tie-breaker between blocks of one role
CANDIDATES = 50  # taken from each source (hybrid ranking, shingle overlap) before scoring


@dataclass(frozen=True, slots=True)
class Scored:
    """Precedent scores of candidate rows, best first (role group, then score)."""

    rows: np.ndarray
    score: np.ndarray
    wording: np.ndarray
    meaning: np.ndarray
    same_role: np.ndarray


def rank_draft(context: SearchContext, query: AnalysedQuery, first: Sequence[int]) -> Scored:
    """A draft's candidates (``first``: the rows of the hybrid ranking, best first), scored and ordered."""
    return score_candidates(context, query, candidate_rows(context, query, first))


def candidate_rows(context: SearchContext, query: AnalysedQuery, first: Sequence[int]) -> list[int]:
    """Rows worth scoring: ``first[:CANDIDATES]``, the rows sharing the most shingles with the draft,
    and, when a role is asked for, the hybrid ranking's best among that role's rows."""
    assert query.draft is not None, "a draft ranking needs a draft"
    allowed = query.allowed
    counts = context.shingles.shared_counts(query.draft.shingles())
    if allowed is not None:
        counts = np.where(allowed, counts, 0)
    lexical = np.flatnonzero(counts)
    lexical = lexical[np.argsort(-counts[lexical], kind="stable")][:CANDIDATES]
    rows = [*first[:CANDIDATES], *lexical.tolist()]
    if query.draft_role is not None:
        mask = context.role_masks.mask(query.draft_role)
        if allowed is not None:
            mask = mask & allowed
        if mask.any():
            runs = context.hybrid.runs(
                query.text, CANDIDATES, allowed=mask, vector=query.vector, terms=query.terms
            )
            rows.extend(context.row_of[h.passage_id] for h in context.hybrid.fuse(runs, CANDIDATES))
    return list(dict.fromkeys(rows))


def score_candidates(context: SearchContext, query: AnalysedQuery, rows: Sequence[int]) -> Scored:
    """Wording, meaning and role of each candidate row, ordered: same role first, then by score."""
    assert query.draft is not None and query.vector is not None, "a draft ranking needs a draft"
    rows_a = np.asarray(list(dict.fromkeys(rows)), dtype=np.int64)
    if not len(rows_a):
        empty = np.zeros(0)
        return Scored(rows_a, empty, empty, empty, np.zeros(0, dtype=bool))
    shingles = context.shingles
    keys = query.draft.shingles()
    shared = shingles.shared_counts(keys)[rows_a].astype(np.float64)
    denominator = len(keys) + shingles.shingle_counts[rows_a]
    wording = np.divide(2 * shared, denominator, out=np.zeros_like(shared), where=denominator > 0)
    meaning = context.index.dense.vectors(rows_a.tolist()) @ query.vector
    passages = [context.passages[r] for r in rows_a.tolist()]
    role = query.draft_role
    if role is not None:
        same_role = np.array([role_matches(role, p) for p in passages], dtype=bool)
        wanted = query.draft_addressee
        overlap = np.array([addressee_overlap(wanted, context.addressees.of(p.addressee)) for p in passages])
    else:
        same_role = np.zeros(len(rows_a), dtype=bool)
        overlap = np.zeros(len(rows_a))
    score = WORDING * wording + MEANING * meaning + ADDRESSEE * overlap
    order = np.lexsort((-score, ~same_role))
    return Scored(rows_a[order], score[order], wording[order], meaning[order], same_role[order])


def precedent_order(context: SearchContext, scored: Scored, ranked: Sequence[Hit]) -> list[Hit]:
    """The search box's order for a draft: its scored precedents, then the rest of ``ranked``.

    Each precedent keeps its ranks in the fused runs, when it had some.
    """
    fused = {h.passage_id: h for h in ranked}
    out: list[Hit] = []
    for row, score in zip(scored.rows.tolist(), scored.score.tolist(), strict=True):
        pid = context.ids[row]
        ranks = fused[pid].ranks if pid in fused else ()
        out.append(Hit(pid, float(score), len(out) + 1, ranks=ranks))
    seen = {h.passage_id for h in out}
    out.extend(
        Hit(h.passage_id, h.score, len(out) + i, ranks=h.ranks)
        for i, h in enumerate((h for h in ranked if h.passage_id not in seen), start=1)
    )
    return out
