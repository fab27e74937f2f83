"""Answer evaluation: does the answer to a gold question cite a passage that holds the gold quote?

Retrieval is judged by where the gold passage ranks; an answer by what it cites. For each gold question
the library's assistant answers (``rag.answer.Assistant.ask``: extractive, or the configured language
model with its fallback), and the answer is

- *supported* when a passage one of its ``[n]`` markers cites covers at least half of one of the
  question's gold quotes (``eval.metrics.covers``, the rule retrieval is judged by);
- *retrieved* when any passage it was drawn from does, cited or not.

``supported / retrieved`` is the composer's own share: of the answers whose evidence was retrieved,
how many cite it. No new gold is needed: the quotes of ``eval/gold/*.jsonl`` are the evidence.

    .venv/bin/python -m eval.answers [--split dev] [-k 5] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eval.gold_data import GoldQuestion, default_gold_paths, load_gold
from eval.metrics import AnswerSpan, covers
from rag.answer import ASK_K, Answer
from rag.types import Passage


class Asker(Protocol):
    """What the evaluation needs of ``rag.answer.Assistant``."""

    def ask(self, question: str, *, k: int = ASK_K) -> Answer: ...


@dataclass(frozen=True, slots=True)
class AnswerJudgement:
    """One gold question's answer: what it cites, and which of those hold a gold quote."""

    question_id: str
    answered_by: str
    cited: tuple[str, ...]
    supporting: tuple[str, ...]  # cited passages covering a gold quote
    retrieved: bool  # a passage the answer was drawn from covers a gold quote

    @property
    def supported(self) -> bool:
        return bool(self.supporting)


def _holds_quote(passage: Passage, quotes: Sequence[AnswerSpan]) -> bool:
    return any(covers(passage.source, passage.spans, q) for q in quotes)


def judge_answer(question: GoldQuestion, answer: Answer) -> AnswerJudgement:
    """Whether ``answer`` cites (and whether it retrieved) a passage holding one of the gold quotes."""
    quotes = [AnswerSpan(a.source, a.start, a.end) for a in question.answers]
    drawn_from = {h.passage.id: h.passage for h in answer.results.hits}
    cited = answer.cited_ids
    return AnswerJudgement(
        question_id=question.id,
        answered_by=answer.answered_by.value,
        cited=cited,
        supporting=tuple(pid for pid in cited if _holds_quote(drawn_from[pid], quotes)),
        retrieved=any(_holds_quote(p, quotes) for p in drawn_from.values()),
    )


@dataclass(frozen=True, slots=True)
class AnswerEvaluation:
    """The judgements of a set of questions and their shares."""

    judgements: tuple[AnswerJudgement, ...]

    @property
    def supported(self) -> float:
        """Share of answers citing a passage that holds a gold quote."""
        return sum(j.supported for j in self.judgements) / len(self.judgements) if self.judgements else 0.0

    @property
    def supported_when_retrieved(self) -> float:
        """Among answers whose passages held a gold quote, the share that cites one."""
        retrieved = [j for j in self.judgements if j.retrieved]
        return sum(j.supported for j in retrieved) / len(retrieved) if retrieved else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "questions": len(self.judgements),
            "supported": round(self.supported, 4),
            "retrieved": sum(j.retrieved for j in self.judgements),
            "supported_when_retrieved": round(self.supported_when_retrieved, 4),
            "unsupported": [j.question_id for j in self.judgements if not j.supported],
        }


def evaluate_answers(asker: Asker, questions: Sequence[GoldQuestion], *, k: int = ASK_K) -> AnswerEvaluation:
    """Ask every question (top ``k`` passages, as ``POST /ask``) and judge each answer's citations."""
    return AnswerEvaluation(tuple(judge_answer(q, asker.ask(q.question, k=k)) for q in questions))


def main(argv: Sequence[str] | None = None) -> int:
    import json

    from rag.answer import Assistant
    from rag.errors import RagError

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="dev", choices=("dev", "test", "all"), help="gold split")
    parser.add_argument("-k", type=int, default=ASK_K, help="passages retrieved per question")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    args = parser.parse_args(argv)
    try:
        questions = [q for q in load_gold(default_gold_paths()) if args.split in ("all", q.split)]
        evaluation = evaluate_answers(Assistant.load(), questions[: args.limit], k=args.k)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(evaluation.to_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
