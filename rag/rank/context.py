"""What every ranking stage reads of a loaded index: one frozen ``SearchContext``, built once per index.

It extends ``rag.query.context.QueryContext`` (passages, row lookup, resolver, filter fields,
citator, phrase indexes, vocabulary, speller, encoder) with the retrievers, the shingle index, the
role masks and addressee words of the draft signals, the reranker's passage features, and the
second stage itself behind the ``Reranker`` protocol. Stages receive the context and the values the
stage before handed them (``AnalysedQuery``, ``Candidates``), never the facade that calls them.

``build`` makes the parts every query needs; ``warm_up`` the ones only the reranker reads (about
half a second), so that the first query does not pay for them. ``rag.rank.search.Searcher.load``
does both.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rag.config import Settings
from rag.index.encoders import Encoder
from rag.index.shingles import ShingleIndex
from rag.index.store import LoadedIndex
from rag.query.analysed import AnalysedQuery
from rag.query.context import QueryContext
from rag.query.drafts import AddresseeWords, RoleMasks
from rag.rank.passage_features import PassageFeatures
from rag.rank.retrievers import BM25Retriever, DenseRetriever, HybridRetriever
from rag.types import Hit


class Reranker(Protocol):
    """The second stage: reorders the best of a first-stage ranking (LambdaRank today,
    ``rag.rank.rerank``; a cross-encoder could take its place)."""

    def rerank(
        self,
        context: SearchContext,
        query: AnalysedQuery,
        ranked: Sequence[Hit],
        runs: Mapping[str, Sequence[Hit]],
    ) -> list[Hit]:
        """``ranked`` with its best ``rerank_depth`` reordered and rescored, the rest below in order.

        ``runs`` are the query's branch rankings (``bm25``, ``dense``, ...).
        """
        ...


@dataclass(frozen=True, kw_only=True, eq=False)
class SearchContext(QueryContext):
    """The read side of one loaded index, for every stage of a search and the precedent search."""

    bm25: BM25Retriever
    dense: DenseRetriever
    hybrid: HybridRetriever
    shingles: ShingleIndex
    role_masks: RoleMasks
    addressees: AddresseeWords
    reranker: Reranker | None
    # the multilingual leg's retriever over the index's multilingual vectors; None: English only
    multilingual_dense: DenseRetriever | None = None

    @classmethod
    def build(
        cls,
        index: LoadedIndex,
        encoder: Encoder,
        settings: Settings,
        *,
        reranker: Reranker | None = None,
        multilingual: Encoder | None = None,
    ) -> SearchContext:
        """The context over ``index``; ``reranker``: the second stage (None: the first stage's order);
        ``multilingual``: the multilingual leg's query encoder (None, or an index without the leg's
        vectors: English only)."""
        parts = QueryContext.parts(index, encoder, settings, multilingual)
        ids = parts["ids"]
        bm25 = BM25Retriever(index.bm25, ids)
        dense = DenseRetriever(index.dense, encoder, ids)
        ml_encoder = parts["multilingual"]
        ml_dense = None
        if ml_encoder is not None and index.multilingual is not None:
            ml_dense = DenseRetriever(index.multilingual, ml_encoder, ids)
        retrieval = settings.retrieval
        hybrid = HybridRetriever(
            bm25,
            dense,
            method=retrieval.fusion,
            weights={
                "bm25": retrieval.weight_bm25,
                "dense": retrieval.weight_dense,
                "phrase": retrieval.phrase_weight,
            },
            rrf_k=retrieval.rrf_k,
            depth=retrieval.branch_depth,
        )
        return cls(
            **parts,
            bm25=bm25,
            dense=dense,
            hybrid=hybrid,
            shingles=ShingleIndex([p.text for p in index.passages]),
            role_masks=RoleMasks(index.passages),
            addressees=AddresseeWords(parts["vocabulary"]),
            reranker=reranker,
            multilingual_dense=ml_dense,
        )

    def warm_up(self) -> SearchContext:
        """Build what the reranker reads now rather than in the first query (a no-op without one)."""
        if self.reranker is not None:
            _ = self.features
        return self

    @functools.cached_property
    def features(self) -> PassageFeatures:
        """Per-passage inputs of the reranker's features (built once, on first use or ``warm_up``)."""
        return PassageFeatures(self.passages)
