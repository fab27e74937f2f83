"""Query analysis: spelling is corrected in English only; the query's vector is computed while the
rest of the query is read, and is always the vector of the text the retrievers rank with."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest

from rag.index.encoders import HashEncoder
from rag.index.textindex import tokenize
from rag.query.analysed import _parse, analyse, query_terms
from rag.rank.search import Searcher
from tests.conftest import hash_encoder


def test_spelling_is_corrected_in_english_only(hash_searcher):
    context = hash_searcher.context
    query = "Quelle est la longueur maximale d'une contribution soumise aux commissions d'études ?"
    _, as_english = _parse(context, query)  # English by default, as before
    parsed, as_french = _parse(context, query, "fr")
    assert [c.typed for c in as_english][:2] == ["Quelle", "maximale"]  # "quell", "maximal"
    assert as_french == ()
    assert parsed.ranking_text == query


def test_english_spelling_is_still_corrected(hash_searcher):
    parsed, corrections = _parse(hash_searcher.context, "cybersecurty capacity bulding", "en")
    assert [c.typed for c in corrections] == ["cybersecurty", "bulding"]
    assert parsed.ranking_text == "cybersecurity capacity building"


class _Recording(HashEncoder):
    """The tests' hashing encoder, noting the thread and text of each query it embeds."""

    def __init__(self) -> None:
        super().__init__(dim=hash_encoder().dim)
        self.calls: list[tuple[str, str]] = []

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        self.calls += [(threading.current_thread().name, t) for t in texts]
        return super().embed_queries(texts)


def _recording_searcher(hash_searcher: Searcher) -> tuple[Searcher, _Recording]:
    encoder = _Recording()
    return Searcher(dataclasses.replace(hash_searcher.context, encoder=encoder)), encoder


def test_a_plain_question_is_embedded_as_typed_on_the_query_thread_and_answers_the_same(hash_searcher):
    searcher, encoder = _recording_searcher(hash_searcher)
    query = "digital skills for young people in rural areas"
    analysed = analyse(searcher.context, query)
    assert analysed.vector is not None
    [(thread, text)] = encoder.calls
    assert thread.startswith("query-embedding") and text == query
    assert np.array_equal(analysed.vector, hash_encoder().embed_queries([query])[0])
    assert searcher.search(query, k=5).hits == hash_searcher.search(query, k=5).hits


@pytest.mark.parametrize(
    "query",
    [
        "cybersecurty capacity bulding",  # corrected: "cybersecurity capacity building"
        "What does Res. 15 instruct about handbooks?",  # the reference is pinned, not ranked with
        '"digital skills" for young people',  # the quotes go
    ],
)
def test_a_query_whose_ranking_text_changes_is_embedded_as_changed(hash_searcher, query):
    searcher, encoder = _recording_searcher(hash_searcher)
    analysed = analyse(searcher.context, query)
    _, embedded = query_terms(searcher.context, analysed.text, tokenize(analysed.text))
    assert embedded != query
    assert analysed.vector is not None
    assert np.array_equal(analysed.vector, hash_encoder().embed_queries([embedded])[0])
    assert encoder.calls[-1][1] == embedded
    assert searcher.search(query, k=5).hits == hash_searcher.search(query, k=5).hits


def test_a_bm25_search_embeds_nothing(hash_searcher):
    searcher, encoder = _recording_searcher(hash_searcher)
    assert analyse(searcher.context, "digital skills", mode="bm25").vector is None
    assert encoder.calls == []


def test_an_ascii_question_is_embedded_before_its_language_is_detected(hash_searcher, monkeypatch):
    """lingua takes ~0.4 ms of a served query: the English vector of a question whose letters are all
    ASCII is begun before it (curly quotes pasted from Word or not); a question with accented letters
    waits for the detection (French and Spanish mostly have them)."""
    import rag.query.analysed as analysed_module

    searcher, encoder = _recording_searcher(hash_searcher)
    embedded_before: list[bool] = []
    detect = analysed_module.detect_language

    def spied(text: str) -> str:
        embedded_before.append(bool(encoder.calls))
        return detect(text)

    monkeypatch.setattr(analysed_module, "detect_language", spied)
    for query in (
        "digital skills for young people in rural areas",
        "What does Resolution 15 say about “digital skills” for the world’s youth?",
        "What do the texts say about Côte d’Ivoire?",  # ô: after the detection
    ):
        encoder.calls.clear()
        analyse(searcher.context, query)
    assert embedded_before == [True, True, False]


@pytest.mark.parametrize(
    "query",
    [
        "Que disent les textes sur les télécommunications d'urgence ?",
        "Quelle est la longueur maximale d une contribution ?",  # ASCII: its English vector is begun, unused
    ],
)
def test_a_question_in_another_language_is_answered_by_the_multilingual_leg_alone(hash_searcher, query):
    searcher, encoder = _recording_searcher(hash_searcher)
    analysed = analyse(searcher.context, query)
    assert analysed.lang == "fr" and analysed.vector is None and analysed.ml_vector is not None
    assert searcher.search(query, k=5).hits == hash_searcher.search(query, k=5).hits


class _Slow(_Recording):
    """An encoder that takes 0.2 s a query: the vector is still awaited when the candidates are read."""

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        time.sleep(0.2)
        return super().embed_queries(texts)


def test_while_the_vector_is_computed_the_rerankers_features_of_bm25s_best_are_made(hash_searcher):
    """The reranker's query x passage features of BM25's best are computed while the query's vector is
    awaited, and are those the reranker would compute itself: the same matrix, the same results."""
    from rag.rank.features import PREPARED_DEPTH, candidate_features

    # warmed up as a served index is (what the features read of the passages is built on first use)
    searcher = Searcher(dataclasses.replace(hash_searcher.context, encoder=_Slow()).warm_up())
    query = "digital skills for young people in rural areas"
    hash_searcher.search(query)  # lingua's models load on a first query
    slow, candidates = searcher.first_stage(query, 10)
    depth = searcher.settings.retrieval.rerank_depth
    bm25_best = {searcher.row_of[h.passage_id] for h in candidates.runs["bm25"][:PREPARED_DEPTH]}
    assert set(slow.passage_features) == bm25_best  # all made while waiting
    fast, _ = hash_searcher.first_stage(query, 10)
    assert not fast.passage_features  # the hashing encoder is instant: nothing made ahead
    head = candidates.ranked[:depth]
    assert np.array_equal(
        candidate_features(searcher.context, slow, head, candidates.runs),
        candidate_features(hash_searcher.context, fast, head, candidates.runs),
    )
    assert searcher.search(query, k=10).hits == hash_searcher.search(query, k=10).hits
