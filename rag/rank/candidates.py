"""Candidate generation, the first stage: the mode's retrievers, the boosts beside them, fusion.

From an ``AnalysedQuery`` (``rag.query.analysed``) to ``Candidates``:

- BM25 or dense mode: that retriever's ranking inside the allowed rows (filters AND quoted phrases);
- hybrid: BM25 and dense, each ``branch_depth`` deep, plus two boosts fused with them
  (``rag.rank.fusion``): the passages holding the query's exact word sequence (at least
  ``phrase_min_words`` words, weight ``phrase_weight``: the measured exact-wording boost) and the
  passages of the instruments the question names (weight ``instrument_weight``). A query that reads
  as a draft clause has its precedents put first (``rag.rank.drafts``: role, wording, meaning);
- every mode: for a reference question ("which texts recall UNGA Resolution 70/1?"), the passages
  citing the instrument it names (``rag.citator``), ranked by the mode among themselves.

The reranker (``rag.rank.rerank``) and its trainer (``eval/train_reranker.py``) take their candidates
from here, so both see the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.query.analysed import AnalysedQuery
from rag.rank.context import SearchContext
from rag.rank.drafts import precedent_order, rank_draft
from rag.rank.features import prepare_passage_features
from rag.rank.fusion import fuse
from rag.types import FusionMethod, Hit, Mode


@dataclass(frozen=True)
class Candidates:
    """What the first stage found: each run, their fusion, and a reference question's citing passages.

    ``runs`` maps run names (``bm25``, ``dense``, ``phrase``, ``instrument``, ``cites``) to their
    rankings; ``ranked`` is the mode's ranking (hybrid: all fused hits, a few hundred, so that pinned
    passages keep their fused score; a draft's precedents first); ``citing`` the passages citing what
    a reference question names, which assembly puts first.
    """

    runs: dict[str, list[Hit]]
    ranked: list[Hit]
    citing: list[Hit]


def generate(context: SearchContext, query: AnalysedQuery) -> Candidates:
    """The first stage's rankings for an analysed query (see the module docstring)."""
    depth = query.k + context.settings.retrieval.max_pinned
    runs: dict[str, list[Hit]]
    if query.ml_vector is not None and context.multilingual_dense is not None:
        runs, ranked = _multilingual(context, query, depth)
    elif query.mode is Mode.BM25:
        ranked = context.bm25.search(query.terms, depth, allowed=query.allowed)
        runs = {"bm25": ranked}
    elif query.mode is Mode.DENSE:
        assert query.vector is not None
        ranked = context.dense.search_vector(query.vector, depth, allowed=query.allowed)
        runs = {"dense": ranked}
    else:
        runs = _hybrid_runs(context, query)
        # all fused hits (a few hundred), so that pinned passages keep their fused score
        ranked = context.hybrid.fuse(runs, 2 * context.settings.retrieval.branch_depth + depth)
        if query.draft is not None:
            scored = rank_draft(context, query, [context.row_of[h.passage_id] for h in ranked])
            ranked = precedent_order(context, scored, ranked)
    citing = citing_run(context, query, depth)
    if citing:
        runs["cites"] = citing
    return Candidates(runs=runs, ranked=ranked, citing=citing)


def _multilingual(
    context: SearchContext, query: AnalysedQuery, depth: int
) -> tuple[dict[str, list[Hit]], list[Hit]]:
    """A question in another language: the multilingual vectors; in hybrid mode fused (RRF) with what
    still matches across languages (BM25 on its numbers, symbols, acronyms and references), the English
    BM25 and encoder on its English gloss (``rag.query.translate``), and the passages of the
    instruments it names. Measured on lang-dev (45 questions): the vectors alone R@10 0.822 / MRR
    0.587, with BM25 at weight 0.5 0.800 / 0.632, with the gloss's two runs at weight 1 0.867 / 0.715."""
    assert context.multilingual_dense is not None and query.ml_vector is not None
    retrieval = context.settings.retrieval
    branch = max(retrieval.branch_depth, depth)
    vectors = context.multilingual_dense.search_vector(query.ml_vector, branch, allowed=query.allowed)
    if query.mode is Mode.DENSE:
        return {"multilingual": vectors}, vectors[:depth]
    runs = {
        "multilingual": vectors,
        "bm25": context.bm25.search(query.terms, branch, allowed=query.allowed),
    }
    if query.gloss_terms:
        runs["gloss_bm25"] = context.bm25.search(query.gloss_terms, branch, allowed=query.allowed)
    if query.gloss_vector is not None:
        runs["gloss_dense"] = context.dense.search_vector(query.gloss_vector, branch, allowed=query.allowed)
    instrument = instrument_run(context, query)
    if instrument:
        runs["instrument"] = instrument
    weights = {
        "multilingual": 1.0,
        "bm25": retrieval.multilingual_bm25_weight,
        "gloss_bm25": retrieval.multilingual_gloss_weight,
        "gloss_dense": retrieval.multilingual_gloss_weight,
        "instrument": retrieval.instrument_weight,
    }
    ranked = fuse(FusionMethod.RRF, runs, weights=weights, rrf_k=retrieval.rrf_k)
    return runs, ranked[: 2 * branch + depth]


def _hybrid_runs(context: SearchContext, query: AnalysedQuery) -> dict[str, list[Hit]]:
    """BM25 and dense, each ``branch_depth`` deep, and the exact-wording and instrument runs.

    What needs no vector comes first, as the query's embedding may still be being computed
    (``AnalysedQuery.vector``): BM25, the boosts, and while the vector is still awaited the reranker's
    query x passage features of BM25's best (``prepare_passage_features``). The runs keep the order
    ``HybridRetriever.runs`` gives them (fusion adds in that order).
    """
    depth = context.hybrid.branch_depth(query.k)
    bm25 = context.bm25.search(query.terms, depth, allowed=query.allowed)
    phrase = phrase_run(context, query)
    instrument = instrument_run(context, query)
    embedding = query.embedding
    if embedding is not None and context.reranker is not None and not embedding.done():
        prepare_passage_features(context, query, bm25, until=embedding)
    assert query.vector is not None, "a hybrid search embeds its query"
    runs = {"bm25": bm25, "dense": context.dense.search_vector(query.vector, depth, allowed=query.allowed)}
    if phrase:
        runs["phrase"] = phrase
    if instrument:
        runs["instrument"] = instrument
    foreign = foreign_run(context, query)
    if foreign:
        runs["foreign"] = foreign
    return runs


def foreign_run(context: SearchContext, query: AnalysedQuery) -> list[Hit]:
    """An English question's multilingual ranking of the passages in other languages (an added French
    text): the English vectors and BM25 barely reach them. Passages in English are not in this run, so
    their fused scores, and their order among themselves, are as without it."""
    if query.foreign_vector is None or context.multilingual_dense is None or context.foreign_rows is None:
        return []
    mask = context.foreign_rows if query.allowed is None else context.foreign_rows & query.allowed
    if not mask.any():
        return []
    depth = context.settings.retrieval.branch_depth
    return context.multilingual_dense.search_vector(query.foreign_vector, depth, allowed=mask)


def phrase_run(context: SearchContext, query: AnalysedQuery) -> list[Hit]:
    """Passages holding the query's exact word sequence, ordered by BM25: the exact-wording boost."""
    retrieval = context.settings.retrieval
    if len(query.sequence) < retrieval.phrase_min_words or not retrieval.phrase_weight:
        return []
    mask = context.phrases.rows(query.sequence)
    if query.allowed is not None:
        mask &= query.allowed
    if not mask.any():
        return []
    return context.bm25.search(query.terms, retrieval.branch_depth, allowed=mask)


def instrument_run(context: SearchContext, query: AnalysedQuery) -> list[Hit]:
    """Passages of the instruments a question names, ordered by BM25: a soft boost, not a pin."""
    if not context.settings.retrieval.instrument_weight or not query.has_rest:
        return []
    parsed = query.parsed
    mask = np.zeros(len(context.passages), dtype=bool)
    for ref in parsed.references:
        if ref.instrument is not None and not (ref.clause or ref.label or ref.kind):
            mask[context.resolver.instrument_rows(ref, parsed.doc_hints)] = True
    if query.allowed is not None:
        mask &= query.allowed
    if not mask.any():
        return []
    return context.bm25.search(query.terms, context.settings.retrieval.branch_depth, allowed=mask)


def citing_run(context: SearchContext, query: AnalysedQuery, depth: int) -> list[Hit]:
    """For a reference question, the passages citing what it names, ranked by the mode among themselves.

    Passages in the documents and instruments of the kind the question names ("which WTDC texts",
    "which draft opinions") come first, then those in the clause role its verb names ("recall":
    recalling clauses), each group in the mode's order.
    """
    parsed = query.parsed
    if not parsed.cited:
        return []
    mask = context.citator.citing_mask(parsed.cited)
    if query.allowed is not None:
        mask &= query.allowed
    if not mask.any():
        return []
    # every citing passage (a few dozen at most), so the preferences below see them all
    depth = max(depth, int(mask.sum()))
    if query.mode is Mode.BM25:
        hits = context.bm25.search(query.terms, depth, allowed=mask)
    elif query.ml_vector is not None and context.multilingual_dense is not None:
        hits = context.multilingual_dense.search_vector(query.ml_vector, depth, allowed=mask)
    elif query.mode is Mode.DENSE:
        assert query.vector is not None
        hits = context.dense.search_vector(query.vector, depth, allowed=mask)
    else:
        runs = context.hybrid.runs(query.text, depth, allowed=mask, vector=query.vector, terms=query.terms)
        hits = context.hybrid.fuse(runs, depth)
    fields = context.fields

    def preference(hit: Hit) -> tuple[bool, bool]:
        row = context.row_of[hit.passage_id]
        out_of_scope = bool(parsed.cited_docs) and fields.doc[row] not in parsed.cited_docs
        if parsed.cited_types and fields.instrument_type[row] not in parsed.cited_types:
            out_of_scope = True
        other_role = parsed.cited_role is not None and fields.clause[row] != parsed.cited_role
        return out_of_scope, other_role

    ordered = sorted(hits, key=preference)  # stable: the mode's order within each group
    return [Hit(h.passage_id, h.score, rank) for rank, h in enumerate(ordered, start=1)]
