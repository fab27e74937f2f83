"""Answers to questions: extractive by default, composed by a language model only when one is configured.

Extractive: the top passages of a hybrid search are split into sentences; each sentence is scored by

    0.5 * cosine(sentence, question) + 0.5 * idf-weighted share of the question's terms it holds
    + 0.1 / rank of its passage

and the best ``MAX_SENTENCES`` (at most ``PER_PASSAGE`` from one passage, none below ``MIN_SCORE``)
form the answer, each followed by ``[n]``, where ``n`` numbers the cited passages in order of first
mention. Nothing is generated, so the answer can only say what the passages say.

LLM composition (``rag.config.Settings.llm_*``) sends only the retrieved passages, numbered, and
requires the answer to cite them as ``[n]``; an answer that cites nothing or cites a number it was
not given is rejected. Any failure falls back to the extractive answer with a notice saying why.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.config import Settings
from rag.index.textindex import tokenize
from rag.query.spelling import apply_corrections
from rag.rank.search import Searcher, SearchHit, SearchResults

logger = logging.getLogger(__name__)

COSINE_WEIGHT = 0.5
OVERLAP_WEIGHT = 0.5
RANK_WEIGHT = 0.1  # a sentence of the top passage gets +0.1, of the second +0.05, ...
SENTENCE_PASSAGES = 5  # passages whose sentences compete for the answer
MAX_SENTENCES = 3
PER_PASSAGE = 2
MIN_WORDS = 4  # shorter pieces ("Done.", "a) Introduction") are no answer
_NOT_ANSWERS = frozenset({"title", "heading"})  # name a topic, say nothing about it; found, never quoted
MIN_SCORE = 0.25  # below this a sentence says too little about the question to be quoted
LLM_PASSAGES = 8  # passages sent to a language model
LLM_TIMEOUT_S = 30.0
_ABBREVIATIONS = frozenset(
    "rev res no nos art arts para paras vol e.g i.e cf etc mr mrs ms dr st fig op doc ref sect ch".split()
)
# a sentence ends at . ! ? before a capital or a number; a clause list item at a semicolon
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'\u201c(\[]?[A-Z0-9\u2022-])|(?<=;)\s+")
_LAST_WORD = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]+)*")
_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass(frozen=True, slots=True)
class Citation:
    n: int
    id: str
    citation: str


@dataclass(frozen=True, slots=True)
class Answer:
    answer: str
    citations: tuple[Citation, ...]
    results: SearchResults
    answered_by: str  # "extractive" or "llm"
    notice: str | None = None


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


def _idf(searcher: Searcher, terms: Sequence[str]) -> dict[str, float]:
    bm25 = searcher.index.bm25
    return {t: float(bm25.idf[bm25.term_ids[t]]) if t in bm25.term_ids else 0.0 for t in set(terms)}


def extractive_answer(
    searcher: Searcher, question: str, results: SearchResults
) -> tuple[str, tuple[Citation, ...]]:
    """The best sentences of the top passages with ``[n]`` markers, and the citations they point to."""
    hits = results.hits[:SENTENCE_PASSAGES]
    if not hits:
        return "No passage of the indexed documents matches this question.", ()
    terms = tokenize(results.parsed.ranking_text or question)
    idf = _idf(searcher, terms)
    total = sum(idf.values()) or 1.0
    candidates: list[tuple[SearchHit, str]] = []
    for hit in hits:
        if hit.passage.kind in _NOT_ANSWERS:
            continue
        text = hit.passage.text
        for a, b in split_sentences(text):
            sentence = text[a:b].strip()
            if len(sentence.split()) >= MIN_WORDS:
                candidates.append((hit, sentence))
    if not candidates:
        candidates = [(hit, hit.passage.text) for hit in hits]
    encoder = searcher.encoder
    read = apply_corrections(question, results.corrections)  # as searched: "emergancy" is "emergency"
    vectors = encoder.embed_queries([read, *(s for _, s in candidates)])
    cosines = vectors[1:] @ vectors[0]
    scores = []
    for (hit, sentence), cosine in zip(candidates, cosines, strict=True):
        held = set(tokenize(sentence))
        overlap = sum(w for t, w in idf.items() if t in held) / total
        scores.append(COSINE_WEIGHT * float(cosine) + OVERLAP_WEIGHT * overlap + RANK_WEIGHT / hit.rank)
    chosen: list[int] = []
    per_passage: dict[str, int] = {}
    for i in np.argsort(scores)[::-1].tolist():
        hit = candidates[i][0]
        if len(chosen) >= MAX_SENTENCES or (chosen and scores[i] < MIN_SCORE):
            break
        if per_passage.get(hit.passage.id, 0) >= PER_PASSAGE:
            continue
        per_passage[hit.passage.id] = per_passage.get(hit.passage.id, 0) + 1
        chosen.append(i)
    numbers: dict[str, int] = {}
    parts = []
    for i in chosen:
        hit, sentence = candidates[i]
        n = numbers.setdefault(hit.passage.id, len(numbers) + 1)
        parts.append(f"{sentence} [{n}]")
    by_id = {h.passage.id: h.passage for h in hits}
    citations = tuple(Citation(n=n, id=pid, citation=by_id[pid].citation) for pid, n in numbers.items())
    return " ".join(parts), citations


class LLMError(Exception):
    """The configured language model could not give a usable answer (the message says why)."""


def llm_configured(settings: Settings) -> bool:
    return bool(settings.llm.base_url and settings.llm.model)


def _prompt(question: str, hits: Sequence[SearchHit]) -> list[dict[str, str]]:
    sources = "\n\n".join(
        f"[{i}] {h.passage.citation}\n{h.passage.text}" for i, h in enumerate(hits, start=1)
    )
    system = (
        "You answer questions about ITU policy texts using only the numbered passages given. "
        "Cite every statement with the passage number in square brackets, like [1] or [2]. "
        "Cite only the numbers given. If the passages do not answer the question, say so briefly. "
        "Answer in at most five sentences."
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Passages:\n\n{sources}\n\nQuestion: {question}"},
    ]


def llm_answer(
    settings: Settings, question: str, hits: Sequence[SearchHit]
) -> tuple[str, tuple[Citation, ...]]:
    """Ask an OpenAI-compatible chat endpoint to compose an answer from ``hits`` only.

    Raises:
        LLMError: the endpoint failed, timed out, or answered without valid citations.
    """
    hits = list(hits[:LLM_PASSAGES])
    if not hits:
        raise LLMError("no passage matched, so there was nothing to send to the language model")
    url = str(settings.llm.base_url).rstrip("/") + "/chat/completions"
    body = json.dumps(
        {"model": settings.llm.model, "messages": _prompt(question, hits), "temperature": 0}
    ).encode()
    headers = {"Content-Type": "application/json"}
    if settings.llm.api_key:
        headers["Authorization"] = f"Bearer {settings.llm.api_key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=LLM_TIMEOUT_S) as response:  # noqa: S310 - configured URL
            data = json.loads(response.read())
        text = str(data["choices"][0]["message"]["content"]).strip()
    except urllib.error.HTTPError as exc:
        raise LLMError(f"the language model endpoint answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LLMError(f"the language model endpoint could not be reached ({exc})") from exc
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError("the language model endpoint sent a response that is not a chat completion") from exc
    logger.info("language model answered in %.0f ms", 1000 * (time.perf_counter() - started))
    cited = [int(n) for n in _MARKER.findall(text)]
    if not cited:
        raise LLMError("the language model's answer cited no passage")
    wrong = sorted({n for n in cited if not 1 <= n <= len(hits)})
    if wrong:
        raise LLMError(f"the language model cited passages it was not given: {wrong}")
    citations = tuple(
        Citation(n=n, id=hits[n - 1].passage.id, citation=hits[n - 1].passage.citation)
        for n in sorted(set(cited))
    )
    return text, citations


def answer_question(searcher: Searcher, settings: Settings, question: str, results: SearchResults) -> Answer:
    """The answer to ``question`` from ``results``: by the language model if configured, else extractive."""
    notice = None
    if llm_configured(settings):
        try:
            text, citations = llm_answer(settings, question, results.hits)
            return Answer(text, citations, results, answered_by="llm")
        except LLMError as exc:
            logger.warning("language model answer failed, answering extractively: %s", exc)
            notice = f"The language model gave no usable answer ({exc}); this answer quotes the passages."
    text, citations = extractive_answer(searcher, question, results)
    return Answer(text, citations, results, answered_by="extractive", notice=notice)
