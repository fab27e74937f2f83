"""The answerers behind one protocol: extractive quotes with [n] markers, a language model with fallback."""

from __future__ import annotations

import re

import numpy as np

from rag.answer import (
    Answer,
    AnsweredBy,
    ExtractiveAnswerer,
    LLMAnswerer,
    TermIdf,
    answerer_for,
    split_sentences,
)
from rag.answer.extractive import NO_MATCH
from rag.answer.llm import checked_citations, prompt
from rag.config import LLMSettings
from rag.errors import LanguageModelError
from rag.index.encoders import HashEncoder
from rag.query.analysis import ParsedQuery
from rag.rank.search import SearchHit, SearchResults
from rag.types import Passage

QUESTION = "Who publishes handbooks on technology transfer?"
MARKER = re.compile(r"\[(\d+)\]")


def _hit(pid: str, text: str, rank: int, kind: str = "paragraph") -> SearchHit:
    p = Passage(
        id=pid, doc="d", source="d.txt", start=rank, end=rank + 1, text=text, kind=kind, citation=f"D {pid}"
    )
    return SearchHit(passage=p, score=1.0 / rank, rank=rank)


def _results(*hits: SearchHit, question: str = QUESTION) -> SearchResults:
    return SearchResults(
        query=question, mode="hybrid", k=5, hits=hits, parsed=ParsedQuery(raw=question, ranking_text=question)
    )


HITS = (
    _hit("d/title", "Handbooks on technology transfer", 1, kind="title"),
    _hit(
        "d/1",
        "The Bureau shall publish handbooks on technology transfer every two years. It reports to the "
        "Council on the handbooks it published. Nothing else is said here at all.",
        2,
    ),
    _hit("d/2", "Member States are invited to share technology transfer experience with the Bureau.", 3),
)
TERMS = {"handbooks": 2.0, "technology": 1.0, "transfer": 1.0, "publishes": 1.5}


def extractive() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(encoder=HashEncoder(dim=64), idf=lambda t: TERMS.get(t, 0.0))


def test_a_question_nothing_matches_gets_the_plain_answer_without_citations():
    answer = extractive().answer(QUESTION, _results())
    assert (answer.text, answer.citations, answer.answered_by) == (NO_MATCH, (), AnsweredBy.EXTRACTIVE)


def test_the_extractive_answer_quotes_sentences_whose_markers_resolve_to_their_passages():
    answer = extractive().answer(QUESTION, _results(*HITS))
    pieces = MARKER.split(answer.text)
    sentences, numbers = pieces[0::2], [int(n) for n in pieces[1::2]]
    assert 1 <= len(numbers) <= 3 and sentences[-1] == ""
    by_n = {c.n: c for c in answer.citations}
    assert sorted(by_n) == list(range(1, len(by_n) + 1))  # numbered 1, 2, ... by first mention
    assert numbers[0] == 1
    texts = {h.passage.id: h.passage.text for h in HITS}
    for sentence, n in zip(sentences, numbers, strict=False):
        assert sentence.strip() in texts[by_n[n].id]
    assert "d/title" not in answer.cited_ids  # a title names a topic; it is never quoted
    assert max(numbers.count(n) for n in set(numbers)) <= 2  # at most two sentences of one passage
    assert answer.results.hits == HITS and answer.notice is None


def test_term_idf_reads_the_index_table_and_is_zero_for_unknown_terms():
    idf = TermIdf({"handbooks": 1, "bureau": 0}, np.array([0.5, 2.25]))
    assert (idf("handbooks"), idf("bureau"), idf("zebra")) == (2.25, 0.5, 0.0)


def test_sentences_split_at_ends_and_semicolons_not_after_abbreviations():
    text = "See Res. 15 of WTDC. It asks BDT to act; and to report."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "See Res. 15 of WTDC.",
        "It asks BDT to act;",
        "and to report.",
    ]


def test_without_a_configured_model_the_extractive_answerer_answers():
    base = extractive()
    assert answerer_for(LLMSettings(), base) is base
    assert answerer_for(LLMSettings(base_url="http://127.0.0.1:9/v1"), base) is base  # no model name
    composed = answerer_for(LLMSettings(base_url="http://127.0.0.1:9/v1", model="m"), base)
    assert isinstance(composed, LLMAnswerer) and composed.fallback is base


def test_an_unreachable_model_falls_back_to_the_extractive_answer_and_says_why():
    base = extractive()
    llm = LLMAnswerer(
        LLMSettings(base_url="http://127.0.0.1:9/v1", model="m"), fallback=base
    )  # port 9: closed
    answer = llm.answer(QUESTION, _results(*HITS))
    expected = base.answer(QUESTION, _results(*HITS))
    assert isinstance(answer, Answer) and answer.answered_by is AnsweredBy.EXTRACTIVE
    assert (answer.text, answer.citations) == (expected.text, expected.citations)
    assert answer.notice is not None and "could not be reached" in answer.notice
    assert answer.notice.endswith("; this answer quotes the passages.")


def test_a_composed_answer_must_cite_only_the_numbers_it_was_given():
    hits = HITS[1:]
    cited = checked_citations("Handbooks [2] are published [1].", hits)
    assert [(c.n, c.id) for c in cited] == [(1, "d/1"), (2, "d/2")]
    for text, reason in (("No marker.", "cited no passage"), ("Yes [3].", "not given: [3]")):
        try:
            checked_citations(text, hits)
        except LanguageModelError as exc:
            assert reason in str(exc)
        else:
            raise AssertionError(f"{text!r} was accepted")
    messages = prompt(QUESTION, hits)
    assert f"[1] D d/1\n{hits[0].passage.text}" in messages[-1]["content"]


def test_the_answer_record_has_the_fields_of_post_ask():
    data = extractive().answer(QUESTION, _results(*HITS)).to_dict()
    assert list(data) == [
        "question",
        "lang",
        "corrections",
        "answer",
        "citations",
        "answered_by",
        "notice",
        "results",
    ]
    assert data["answered_by"] == "extractive" and data["question"] == QUESTION
    assert [r["id"] for r in data["results"]] == [h.passage.id for h in HITS]
