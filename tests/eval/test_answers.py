"""Answer evaluation: an answer is supported when a passage it cites covers half a gold quote."""

from __future__ import annotations

import pytest

from eval.answers import AnswerEvaluation, evaluate_answers, judge_answer
from eval.gold_data import GoldAnswer, GoldKind, GoldQuestion, load_gold
from rag.answer import ASK_K, Answer, AnswerCitation, AnsweredBy, Assistant
from rag.query.analysis import ParsedQuery
from rag.rank.search import SearchHit, SearchResults
from rag.types import Passage

QUESTION = "What does Resolution 15 instruct BDT to do about handbooks?"
GOLD = GoldQuestion(
    id="q1",
    question=QUESTION,
    kind=GoldKind.NAMED,
    citation="D, 4",
    answers=(GoldAnswer("d.txt", "the quote", 100, 120),),
    split="dev",
)


def _hit(pid: str, start: int, end: int, rank: int) -> SearchHit:
    p = Passage(
        id=pid, doc="d", source="d.txt", start=start, end=end, text="text", kind="clause", citation=pid
    )
    return SearchHit(passage=p, score=1.0, rank=rank)


# d/holds covers 100-115: 15 of the quote's 20 characters (at least half); d/near covers 115-140: 5 of 20
HITS = (_hit("d/near", 115, 140, 1), _hit("d/holds", 90, 115, 2))


def _answer(*cited: str) -> Answer:
    results = SearchResults(
        query=QUESTION, mode="hybrid", k=5, hits=HITS, parsed=ParsedQuery(raw=QUESTION, ranking_text=QUESTION)
    )
    citations = tuple(AnswerCitation(n, pid, pid) for n, pid in enumerate(cited, start=1))
    return Answer("text [1]", citations, results, AnsweredBy.EXTRACTIVE)


def test_an_answer_citing_the_passage_that_holds_the_quote_is_supported():
    judged = judge_answer(GOLD, _answer("d/near", "d/holds"))
    assert judged.supported and judged.supporting == ("d/holds",) and judged.retrieved
    assert judged.cited == ("d/near", "d/holds") and judged.answered_by == "extractive"


def test_an_answer_citing_only_other_passages_is_unsupported_though_its_evidence_was_retrieved():
    judged = judge_answer(GOLD, _answer("d/near"))
    assert not judged.supported and judged.retrieved


class _Asker:
    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []

    def ask(self, question: str, *, k: int = ASK_K) -> Answer:
        self.asked.append((question, k))
        return self.answers[question]


def test_the_shares_count_supported_answers_overall_and_among_retrieved_ones():
    other = GoldQuestion(
        id="q2", question="elsewhere?", kind=GoldKind.FACT, citation="E",
        answers=(GoldAnswer("e.txt", "elsewhere", 0, 9),), split="dev",
    )  # fmt: skip
    asker = _Asker({QUESTION: _answer("d/holds"), "elsewhere?": _answer("d/near")})
    evaluation = evaluate_answers(asker, [GOLD, other], k=3)
    assert asker.asked == [(QUESTION, 3), ("elsewhere?", 3)]
    # q1 supported; q2's quote is in another file, so neither retrieved nor supported: 1/2 overall, 1/1
    assert (evaluation.supported, evaluation.supported_when_retrieved) == (0.5, 1.0)
    assert evaluation.to_dict() == {
        "questions": 2, "supported": 0.5, "retrieved": 1, "supported_when_retrieved": 1.0,
        "unsupported": ["q2"],
    }  # fmt: skip
    assert AnswerEvaluation(()).supported == 0.0


@pytest.mark.slow
def test_the_library_answer_to_a_gold_question_cites_the_gold_clause(real_searcher):
    questions = {q.id: q for q in load_gold()}
    assistant = Assistant.from_searcher(real_searcher)
    evaluation = evaluate_answers(assistant, [questions["q101"], questions["q102"]])
    q101 = evaluation.judgements[0]
    assert q101.answered_by == "extractive"
    assert q101.supporting == ("wtdc-25-final-report/res-15/instructs/4",)
    assert all(j.retrieved for j in evaluation.judgements if j.supported)
