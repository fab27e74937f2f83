"""The extractive answer: the best sentences of the top passages, quoted, each followed by ``[n]``.

The top passages of a search are split into sentences; each sentence is scored by

    0.5 * cosine(sentence, question) + 0.5 * idf-weighted share of the question's terms it holds
    + 0.1 / rank of its passage

and the best ``MAX_SENTENCES`` (at most ``PER_PASSAGE`` from one passage, none below ``MIN_SCORE``)
form the answer, each followed by ``[n]``, where ``n`` numbers the cited passages in order of first
mention. Nothing is generated, so the answer can only say what the passages say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rag.answer.types import Answer, AnswerCitation, AnsweredBy
from rag.index.encoders import Encoder
from rag.index.textindex import tokenize
from rag.query.spelling import apply_corrections
from rag.rank.search import SearchHit, SearchResults

COSINE_WEIGHT = 0.5
OVERLAP_WEIGHT = 0.5
RANK_WEIGHT = 0.1  # a sentence of the top passage gets +0.1, of the second +0.05, ...
SENTENCE_PASSAGES = 5  # passages whose sentences compete for the answer
MAX_SENTENCES = 3
PER_PASSAGE = 2
MIN_WORDS = 4  # shorter pieces ("Done.", "a) Introduction") are no answer
_NOT_ANSWERS = frozenset({"title", "heading"})  # name a topic, say nothing about it; found, never quoted
MIN_SCORE = 0.25  # below this a sentence says too little about the question to be quoted
NO_MATCH = "No passage of the indexed documents matches this question."
_ABBREVIATIONS = frozenset(
    "rev res no nos art arts para paras vol e.g i.e cf etc mr mrs ms dr st fig op doc ref sect ch".split()
)
# a sentence ends at . ! ? before a capital or a number; a clause list item at a semicolon
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'\u201c(\[]?[A-Z0-9\u2022-])|(?<=;)\s+")
_LAST_WORD = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]+)*")

Candidate = tuple[SearchHit, str]  # a sentence and the hit it comes from


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (clause lists split at semicolons too).

    Example:
        >>> t = "See Res. 15 of WTDC. It asks BDT to act; and to report."
        >>> [t[a:b] for a, b in split_sentences(t)]
        ['See Res. 15 of WTDC.', 'It asks BDT to act;', 'and to report.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        words = _LAST_WORD.findall(text, start, m.start())
        last = words[-1].lower() if words else ""
        if text[m.start() - 1] == "." and (last in _ABBREVIATIONS or len(last) == 1):
            continue  # "Res. 15", "No. 3", "e.g. ITU", "a. b." are no sentence ends
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


@dataclass(frozen=True, slots=True)
class TermIdf:
    """The BM25 idf of a term (0 for a term the index does not hold): what makes a question word count."""

    term_ids: Mapping[str, int]
    idf: np.ndarray

    def __call__(self, term: str) -> float:
        return float(self.idf[self.term_ids[term]]) if term in self.term_ids else 0.0


@dataclass(frozen=True, slots=True)
class ExtractiveAnswerer:
    """Quotes the sentences of the top passages that best answer the question (see the module docstring).

    Args:
        encoder: the index's query encoder; sentences are embedded as queries, like the question.
        idf: a term's idf in the index (``TermIdf``).
        multilingual: the multilingual leg's encoder, for a question in another language than
            English (its sentences and the question meet in one space); None: ``encoder`` for all.
    """

    encoder: Encoder
    idf: Callable[[str], float]
    multilingual: Encoder | None = None

    def answer(self, question: str, results: SearchResults) -> Answer:
        hits = results.hits[:SENTENCE_PASSAGES]
        if not hits:
            return Answer(NO_MATCH, (), results, AnsweredBy.EXTRACTIVE)
        candidates = _candidates(hits)
        scores = self._scores(question, results, candidates)
        text, citations = _compose(candidates, _choose(candidates, scores), hits)
        return Answer(text, citations, results, AnsweredBy.EXTRACTIVE)

    def _scores(self, question: str, results: SearchResults, candidates: Sequence[Candidate]) -> list[float]:
        terms = tokenize(results.parsed.ranking_text or question)
        idf = {t: self.idf(t) for t in set(terms)}
        total = sum(idf.values()) or 1.0
        read = apply_corrections(question, results.corrections)  # as searched: "emergancy" is "emergency"
        encoder = self.encoder
        if results.lang != "en" and self.multilingual is not None:
            encoder = self.multilingual
        vectors = encoder.embed_queries([read, *(s for _, s in candidates)])
        cosines = vectors[1:] @ vectors[0]
        scores = []
        for (hit, sentence), cosine in zip(candidates, cosines, strict=True):
            held = set(tokenize(sentence))
            overlap = sum(w for t, w in idf.items() if t in held) / total
            scores.append(COSINE_WEIGHT * float(cosine) + OVERLAP_WEIGHT * overlap + RANK_WEIGHT / hit.rank)
        return scores


def _candidates(hits: Sequence[SearchHit]) -> list[Candidate]:
    """The sentences that may be quoted (whole passages if no sentence is long enough)."""
    candidates: list[Candidate] = []
    for hit in hits:
        if hit.passage.kind in _NOT_ANSWERS:
            continue
        text = hit.passage.text
        for a, b in split_sentences(text):
            sentence = text[a:b].strip()
            if len(sentence.split()) >= MIN_WORDS:
                candidates.append((hit, sentence))
    return candidates or [(hit, hit.passage.text) for hit in hits]


def _choose(candidates: Sequence[Candidate], scores: Sequence[float]) -> list[int]:
    """The best candidates, at most ``PER_PASSAGE`` a passage, none below ``MIN_SCORE`` after the first."""
    chosen: list[int] = []
    per_passage: dict[str, int] = {}
    for i in np.argsort(scores)[::-1].tolist():
        pid = candidates[i][0].passage.id
        if len(chosen) >= MAX_SENTENCES or (chosen and scores[i] < MIN_SCORE):
            break
        if per_passage.get(pid, 0) >= PER_PASSAGE:
            continue
        per_passage[pid] = per_passage.get(pid, 0) + 1
        chosen.append(i)
    return chosen


def _compose(
    candidates: Sequence[Candidate], chosen: Sequence[int], hits: Sequence[SearchHit]
) -> tuple[str, tuple[AnswerCitation, ...]]:
    """The chosen sentences with ``[n]`` markers, numbered by first mention, and their citations."""
    numbers: dict[str, int] = {}
    parts = []
    for i in chosen:
        hit, sentence = candidates[i]
        n = numbers.setdefault(hit.passage.id, len(numbers) + 1)
        parts.append(f"{sentence} [{n}]")
    by_id = {h.passage.id: h.passage for h in hits}
    citations = tuple(AnswerCitation(n=n, id=pid, citation=by_id[pid].citation) for pid, n in numbers.items())
    return " ".join(parts), citations
