"""One contract every Retriever keeps: BM25, dense and hybrid run the same tests."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from rag.index.bm25 import BM25Index
from rag.index.dense import DenseIndex
from rag.index.encoders import HashEncoder
from rag.index.textindex import tokenize
from rag.rank.retrievers import BM25Retriever, DenseRetriever, HybridRetriever, Retriever
from rag.types import Hit

TEXTS = [
    "Member States are invited to develop digital skills strategies for women and girls",
    "The Bureau shall publish handbooks on technology transfer and applied research",
    "Space connectivity through satellites can bridge the digital divide in rural areas",
    "Cybersecurity capacity building for least developed countries",
    "Digital skills training for youth and digital inclusion of older persons",
    "Spectrum management and satellite orbit resources",
    "Digital transformation of small island developing states",
    "Emergency telecommunications and digital early warning systems",
]
IDS = [f"doc/{i}" for i in range(len(TEXTS))]
ENCODER = HashEncoder(dim=64)


def make_bm25() -> BM25Retriever:
    return BM25Retriever(BM25Index.fit([tokenize(t) for t in TEXTS]), IDS)


def make_dense() -> DenseRetriever:
    return DenseRetriever(DenseIndex.from_vectors(ENCODER.embed_passages(TEXTS)), ENCODER, IDS)


class RetrieverContract:
    """Override the ``retriever`` fixture; every test here must pass for it."""

    @pytest.fixture
    def retriever(self) -> Retriever:
        raise NotImplementedError

    def test_search_takes_the_protocol_s_arguments_and_returns_hits(self, retriever):
        """The protocol's signature, not just a ``search`` attribute (all a runtime isinstance checks)."""
        params = inspect.signature(retriever.search).parameters
        wanted = inspect.signature(Retriever.search).parameters
        assert [(n, p.kind) for n, p in params.items()] == [
            (n, p.kind) for n, p in wanted.items() if n != "self"
        ]
        assert params["allowed"].default is None
        hits = retriever.search("digital skills", 2, allowed=None)
        assert hits and all(type(h) is Hit for h in hits)

    def test_returns_at_most_k_ranked_hits(self, retriever):
        hits = retriever.search("digital skills", 3)
        assert 1 <= len(hits) <= 3
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))
        assert len({h.passage_id for h in hits}) == len(hits)

    def test_best_hit_shares_the_query_words(self, retriever):
        assert retriever.search("handbooks technology transfer", 1)[0].passage_id == "doc/1"

    def test_k_larger_than_the_corpus_returns_what_exists(self, retriever):
        hits = retriever.search("digital", 100)
        assert 1 <= len(hits) <= len(TEXTS)

    def test_allowed_rows_restrict_inside_retrieval_and_still_fill_k(self, retriever):
        allowed = np.zeros(len(TEXTS), dtype=bool)
        allowed[[0, 4, 6, 7]] = True  # four passages that all hold "digital"
        hits = retriever.search("digital", 3, allowed=allowed)
        assert len(hits) == 3
        assert {h.passage_id for h in hits} <= {"doc/0", "doc/4", "doc/6", "doc/7"}

    def test_nothing_allowed_returns_nothing(self, retriever):
        assert retriever.search("digital", 5, allowed=np.zeros(len(TEXTS), dtype=bool)) == []

    def test_is_deterministic(self, retriever):
        assert retriever.search("satellite spectrum", 5) == retriever.search("satellite spectrum", 5)


class TestBM25Retriever(RetrieverContract):
    @pytest.fixture
    def retriever(self):
        return make_bm25()

    def test_query_without_known_words_returns_nothing(self, retriever):
        assert retriever.search("zzz qqq", 5) == []


class TestDenseRetriever(RetrieverContract):
    @pytest.fixture
    def retriever(self):
        return make_dense()


class TestHybridRetriever(RetrieverContract):
    @pytest.fixture
    def retriever(self):
        return HybridRetriever(make_bm25(), make_dense(), depth=4)

    def test_hits_carry_their_rank_in_each_branch(self, retriever):
        bm25 = {h.passage_id: h.rank for h in make_bm25().search("digital skills", 4)}
        dense = {h.passage_id: h.rank for h in make_dense().search("digital skills", 4)}
        for hit in retriever.search("digital skills", 5):
            assert dict(hit.ranks) == {"bm25": bm25.get(hit.passage_id), "dense": dense.get(hit.passage_id)}


class TestHybridWeightedSum(RetrieverContract):
    @pytest.fixture
    def retriever(self):
        return HybridRetriever(make_bm25(), make_dense(), method="weighted", weights={"dense": 0.5})
