"""Judging: which returned passages answer a gold question (the span rule of ``eval.metrics``), which
passages of a collection could, and how pure a hit's citation is; plus the questions and texts a run
judges against."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from eval.gold_data import GoldQuestion
from eval.metrics import AnswerSpan, covers, gold_line, purity
from eval.types import EvalError, Retrieved
from rag.config import Settings
from rag.types import Passage


class Judge:
    """Decides hits for one pipeline: the answers' spans, their gold lines, and the covering passages."""

    def __init__(self, texts: Mapping[str, str], passages: Sequence[Passage] | None) -> None:
        self.texts = texts
        self.passages = passages
        grouped: dict[str, list[Passage]] = {}
        for p in passages or ():
            grouped.setdefault(p.source, []).append(p)
        # per source: start and end arrays, so the passages near an answer are found without a scan
        self._by_source = {
            src: (
                np.fromiter((p.start for p in items), dtype=np.int64, count=len(items)),
                np.fromiter((p.end for p in items), dtype=np.int64, count=len(items)),
                items,
            )
            for src, items in grouped.items()
        }

    @staticmethod
    def answers(question: GoldQuestion) -> list[AnswerSpan]:
        return [AnswerSpan(a.source, a.start, a.end) for a in question.answers]

    def covering(self, answers: Sequence[AnswerSpan]) -> list[Passage]:
        """The collection's passages that cover at least half of any answer."""
        found: dict[str, Passage] = {}
        for answer in answers:
            entry = self._by_source.get(answer.source)
            if entry is None:
                continue
            starts, ends, items = entry
            for row in np.flatnonzero((starts < answer.end) & (ends > answer.start)):
                p = items[int(row)]
                if covers(p.source, p.spans, answer):
                    found.setdefault(p.id, p)
        return list(found.values())

    def purity(self, hit: Retrieved, answer: AnswerSpan) -> float:
        line = gold_line(self.texts[answer.source], answer.start, answer.end)
        return purity(hit.spans, line)


def select_questions(questions: Sequence[GoldQuestion], split: str) -> list[GoldQuestion]:
    """The questions of a split (``all``: every one)."""
    chosen = [q for q in questions if split == "all" or q.split == split]
    if not chosen:
        splits = sorted({q.split for q in questions})
        raise EvalError(
            f"no gold questions in split {split!r}; the gold files hold the split(s) {', '.join(splits)}",
            hint="use --split all for files not named dev.jsonl or test.jsonl",
        )
    return chosen


def load_texts(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Decoded source texts by file name, and the document id of each file."""
    from rag.corpus import load_corpus

    corpus = load_corpus(settings.index.corpus_dir)
    return {d.file: corpus.text(d) for d in corpus.documents}, {d.file: d.id for d in corpus.documents}
