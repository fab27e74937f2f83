"""Retrievers: BM25, dense, and the hybrid of the two, all behind one ``Retriever`` protocol.

A retriever maps a query to ranked ``Hit``s over the passages of one index; ``allowed`` (a boolean
mask over the index rows, from the search filters) restricts the ranking inside retrieval, so a
filtered search still returns ``k`` hits when ``k`` allowed passages match. ``HybridRetriever`` is
composed from the other two, as pyserini's ``HybridSearcher``: each branch returns ``depth`` hits
(more than the final ``k``; txtai asks for ``limit * 10``), and a fusion function from
``rag.rank.fusion`` merges them, keeping each hit's rank in each branch.

Example:
    >>> from rag.index.bm25 import BM25Index
    >>> from rag.index.dense import DenseIndex
    >>> from rag.index.encoders import HashEncoder
    >>> from rag.index.textindex import tokenize
    >>> texts = ["digital divide", "space connectivity", "digital skills"]
    >>> enc = HashEncoder()
    >>> ids = ["d/1", "d/2", "d/3"]
    >>> bm25 = BM25Retriever(BM25Index.fit([tokenize(t) for t in texts]), ids)
    >>> dense = DenseRetriever(DenseIndex.from_vectors(enc.embed_passages(texts)), enc, ids)
    >>> [h.passage_id for h in HybridRetriever(bm25, dense).search("digital skills", 2)]
    ['d/3', 'd/1']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from rag.index.bm25 import BM25Index
from rag.index.dense import DenseIndex
from rag.index.encoders import Encoder
from rag.index.textindex import tokenize
from rag.rank.fusion import RRF_K, Runs, fuse
from rag.types import FusionMethod, Hit


@runtime_checkable
class Retriever(Protocol):
    """Ranks the passages of an index for a query."""

    def search(self, query: str, k: int, *, allowed: np.ndarray | None = None) -> list[Hit]:
        """At most ``k`` hits, best first, ranks 1..n, only rows where ``allowed`` is True."""
        ...


def _hits(rows: Sequence[tuple[int, float]], ids: Sequence[str]) -> list[Hit]:
    # positional: keywords make a frozen dataclass a third slower, and a query builds a few hundred
    return [Hit(ids[row], score, i) for i, (row, score) in enumerate(rows, start=1)]


class BM25Retriever:
    """Lexical ranking: BM25Okapi over the passages' indexed tokens (``rag.index.textindex``)."""

    name = "bm25"

    def __init__(self, index: BM25Index, ids: Sequence[str]) -> None:
        if index.num_docs != len(ids):
            raise ValueError(f"BM25 index has {index.num_docs} documents but {len(ids)} ids were given")
        self.index = index
        self.ids = ids

    def scores(self, query: str | Mapping[str, float]) -> np.ndarray:
        """BM25 score of every row for the query (text, or token -> weight)."""
        return self.index.scores(_terms(query))

    def search(
        self, query: str | Mapping[str, float], k: int, *, allowed: np.ndarray | None = None
    ) -> list[Hit]:
        return _hits(self.index.top_k(_terms(query), k, allowed=allowed), self.ids)


def _terms(query: str | Mapping[str, float]) -> list[str] | Mapping[str, float]:
    return tokenize(query) if isinstance(query, str) else query


class DenseRetriever:
    """Semantic ranking: cosine between the query's vector and the passages' vectors."""

    name = "dense"

    def __init__(self, index: DenseIndex, encoder: Encoder, ids: Sequence[str]) -> None:
        if index.size != len(ids):
            raise ValueError(f"dense index has {index.size} vectors but {len(ids)} ids were given")
        if index.size and index.dim != encoder.dim:
            raise ValueError(f"dense index has dimension {index.dim}, the encoder {encoder.dim}")
        self.index = index
        self.encoder = encoder
        self.ids = ids

    def embed(self, query: str) -> np.ndarray:
        return self.encoder.embed_queries([query])[0]

    def search(self, query: str, k: int, *, allowed: np.ndarray | None = None) -> list[Hit]:
        return self.search_vector(self.embed(query), k, allowed=allowed)

    def search_vector(self, vector: np.ndarray, k: int, *, allowed: np.ndarray | None = None) -> list[Hit]:
        return _hits(self.index.top_k(vector, k, allowed=allowed), self.ids)


class HybridRetriever:
    """BM25 and dense rankings, each ``depth`` deep, fused (RRF by default) and cut to ``k``.

    Args:
        bm25, dense: the branch retrievers.
        method: a ``FusionMethod``; ``rag.rank.fusion.FUSERS`` holds the functions.
        weights: per-run weights (``{"bm25": 1.0, "dense": 1.0}``), also for extra runs such as
            the exact-phrase run the searcher adds.
        rrf_k: the RRF constant (see ``rag.rank.fusion.rrf``).
        depth: hits taken from each branch before fusing.
    """

    name = "hybrid"

    def __init__(
        self,
        bm25: BM25Retriever,
        dense: DenseRetriever,
        *,
        method: FusionMethod | str = FusionMethod.RRF,
        weights: Mapping[str, float] | None = None,
        rrf_k: int = RRF_K,
        depth: int = 100,
    ) -> None:
        self.bm25 = bm25
        self.dense = dense
        self.method = FusionMethod.from_str(str(method))
        self.weights = dict(weights or {})
        self.rrf_k = rrf_k
        self.depth = depth

    def runs(
        self,
        query: str,
        k: int,
        *,
        allowed: np.ndarray | None = None,
        vector: np.ndarray | None = None,
        terms: Mapping[str, float] | None = None,
    ) -> dict[str, list[Hit]]:
        """Each branch's ranking, ``branch_depth(k)`` deep.

        ``vector``: the query's embedding, if known; ``terms``: its BM25 tokens with weights, if they
        are not simply the query's tokens.
        """
        depth = self.branch_depth(k)
        if vector is None:
            vector = self.dense.embed(query)
        return {
            "bm25": self.bm25.search(query if terms is None else terms, depth, allowed=allowed),
            "dense": self.dense.search_vector(vector, depth, allowed=allowed),
        }

    def branch_depth(self, k: int) -> int:
        """How many hits each branch gives for ``k`` results."""
        return max(self.depth, k)

    def fuse(self, runs: Runs, k: int) -> list[Hit]:
        """Fuse runs and keep the best ``k``; each hit keeps its rank in every run."""
        return fuse(self.method, runs, weights=self.weights, rrf_k=self.rrf_k)[:k]

    def search(self, query: str, k: int, *, allowed: np.ndarray | None = None) -> list[Hit]:
        return self.fuse(self.runs(query, k, allowed=allowed), k)
