"""What an answer is, and the one protocol every way of composing one follows.

An ``Answerer`` turns a question and the search results retrieved for it into an ``Answer``: text
whose statements carry ``[n]`` markers, the passages those numbers cite, and which composer wrote it.
The extractive composer quotes sentences (``rag.answer.extractive``); a language model composes from
the same passages (``rag.answer.llm``) and falls back to the extractive answer when it fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from rag.rank.search import SearchResults


class AnsweredBy(StrEnum):
    """Which composer wrote an answer (the API's ``answered_by``)."""

    EXTRACTIVE = "extractive"
    LLM = "llm"


@dataclass(frozen=True, slots=True)
class AnswerCitation:
    """What an answer's ``[n]`` marker points to: the passage's id and how to cite it."""

    n: int
    id: str
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "id": self.id, "citation": self.citation}


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to a question, with the citations of its ``[n]`` markers and the results it drew on.

    ``notice`` says why a configured language model did not answer (None otherwise).
    """

    text: str
    citations: tuple[AnswerCitation, ...]
    results: SearchResults
    answered_by: AnsweredBy
    notice: str | None = None

    @property
    def question(self) -> str:
        """The question as it was searched (the results' query)."""
        return self.results.query

    @property
    def cited_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.citations)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of ``rag ask --json``: the ``POST /ask`` fields, results as ``rag search``'s."""
        corrections = [{"typed": c.typed, "corrected": c.corrected} for c in self.results.corrections]
        return {
            "question": self.question,
            "lang": self.results.lang,
            "corrections": corrections,
            "answer": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "answered_by": self.answered_by.value,
            "notice": self.notice,
            "results": [h.to_dict() for h in self.results.hits],
        }


class Answerer(Protocol):
    """Composes an answer to ``question`` from the results retrieved for it."""

    def answer(self, question: str, results: SearchResults) -> Answer: ...
