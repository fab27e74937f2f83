"""BM25: our sparse engine against the rank-bm25 reference, the tokenizer, storage."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from rag.index.bm25 import BM25Index, BM25Params
from rag.index.textindex import FieldWeights, bm25_tokens, tokenize
from tests.conftest import DOC_IDS, parsed_doc

SMALL = [
    ["digital", "divide", "women", "girl"],
    ["digital", "skill", "youth"],
    ["space", "connectivity", "satellite", "satellite"],
    ["digital", "divide", "rural", "area", "digital"],
    ["cybersecurity", "capacity", "building"],
    [],
]
QUERIES = [
    ["digital"],
    ["digital", "divide"],
    ["satellite", "satellite"],
    ["unknown"],
    ["youth", "digital", "space"],
]


def _ranking(scores: np.ndarray, k: int) -> list[int]:
    """Top-k rows by score (rounded so float summation order cannot flip exact ties), then row."""
    rounded = np.round(scores, 9)
    return [int(i) for i in np.lexsort((np.arange(len(scores)), -rounded))[:k] if scores[i] > 0]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_rank_bm25_on_a_small_corpus(query):
    ours, ref = BM25Index.fit(SMALL), BM25Okapi(SMALL)
    assert np.allclose(ours.scores(query), ref.get_scores(query))
    assert [i for i, _ in ours.top_k(query, 4)] == _ranking(ref.get_scores(query), 4)


def test_score_by_hand_including_the_epsilon_floor():
    index = BM25Index.fit(SMALL)
    n, avgdl = 6, 19 / 6  # 4 + 3 + 4 + 5 + 3 + 0 tokens in 6 documents
    # "digital" is in 3 of 6 documents: idf = ln(6-3+0.5) - ln(3+0.5) = 0 (not negative: no floor)
    assert index.idf[index.term_ids["digital"]] == pytest.approx(0.0)
    # "satellite" is in 1 document, twice, of length 4: idf = ln(5.5/1.5)
    idf = math.log(n - 1 + 0.5) - math.log(1 + 0.5)
    tf, dl = 2, 4
    expected = idf * tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * dl / avgdl))
    assert index.scores(["satellite"])[2] == pytest.approx(expected)


def test_negative_idf_is_floored_at_epsilon_times_mean_idf():
    corpus = [["common", "a"], ["common", "b"], ["common", "c"], ["d"]]
    index, ref = BM25Index.fit(corpus), BM25Okapi(corpus)
    # "common" is in 3 of 4 documents: ln(1.5) - ln(3.5) < 0, so it takes 0.25 x mean idf
    floored = index.idf[index.term_ids["common"]]
    assert floored == pytest.approx(ref.idf["common"]) and floored > 0
    assert np.allclose(index.scores(["common", "d"]), ref.get_scores(["common", "d"]))


@pytest.fixture(scope="module")
def real_tokens() -> list[list[str]]:
    return [bm25_tokens(p, FieldWeights()) for doc in DOC_IDS for p in parsed_doc(doc).passages]


@pytest.mark.parametrize(
    "query",
    [
        "technology transfer handbooks",
        "Resolution 15 instructs the Director of BDT",
        "digital divide women girls",
        "WTPF-26 §7.9.6 space connectivity",
        "least developed countries small island developing states",
        "the of and",
    ],
)
def test_top_k_equals_rank_bm25_on_the_real_passages(real_tokens, query):
    ours, ref = BM25Index.fit(real_tokens), BM25Okapi(real_tokens)
    q = tokenize(query)
    ref_scores = ref.get_scores(q)
    assert np.allclose(ours.scores(q), ref_scores)
    assert [i for i, _ in ours.top_k(q, 10)] == _ranking(ref_scores, 10)


def test_top_k_only_returns_allowed_matching_rows():
    index = BM25Index.fit(SMALL)
    allowed = np.array([False, True, True, True, True, True])
    # "divide" is in rows 0 and 3, "skill" in row 1; row 0 is not allowed. "digital" (in half the
    # documents) has idf 0 and matches nothing on its own.
    assert {i for i, _ in index.top_k(["divide", "skill"], 10, allowed=allowed)} == {1, 3}
    assert index.top_k(["digital"], 10) == []
    assert index.top_k(["unknown"], 10) == []
    assert index.top_k([], 10) == []


def test_ties_keep_index_order():
    index = BM25Index.fit([["a", "x"], ["b", "x"], ["c", "y"], ["d", "y"], ["e", "z"]])
    assert [i for i, _ in index.top_k(["x"], 2)] == [0, 1]


def test_save_and_load_round_trip(tmp_path):
    index = BM25Index.fit(SMALL, BM25Params(k1=1.2, b=0.5))
    index.save(tmp_path)
    again = BM25Index.load(tmp_path)
    assert again.params == index.params and again.vocab == index.vocab
    assert np.array_equal(again.scores(["digital", "space"]), index.scores(["digital", "space"]))


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Resolution 15 (Rev. Kigali, 2022)", ["resolution", "15", "rev", "kigali", "2022"]),
        ("§7.9.6 and 4.10.2.", ["7.9.6", "4.10.2"]),
        ("UNGA Resolution 70/1", ["unga", "resolution", "70/1"]),
        ("ITU-D Sector", ["itu-d", "itu", "sector"]),
        ("evidence-based analysis", ["evidence-based", "evidence", "based", "analysis"]),
        ("Resolution\u00a064", ["resolution", "64"]),
        ("COUNTRIES’ handbooks", ["country", "handbook"]),
        ("the of and to", []),
    ],
)
def test_tokenizer_keeps_references_and_folds_case_and_plurals(text, tokens):
    assert tokenize(text) == tokens


def test_field_weights_repeat_field_tokens():
    from rag.types import Passage

    p = Passage(
        id="d/1",
        doc="d",
        source="d.txt",
        start=0,
        end=5,
        text="handbooks",
        kind="clause",
        citation="D, Resolution 15",
        context="instructs BDT",
    )
    assert bm25_tokens(p, FieldWeights(citation=0, context=2, text=1)) == [
        "instruct",
        "bdt",
        "instruct",
        "bdt",
        "handbook",
    ]
