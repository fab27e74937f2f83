"""Query analysis, once per query: the ``AnalysedQuery`` every later stage reads instead of the text.

``analyse`` (a search) and ``analyse_draft`` (``POST /precedents``) do, in order:

1. validate the input (empty query, length, ``k`` range, mode, filter values: ``QueryError`` /
   ``ConfigError`` naming the valid choices);
2. take the query apart (``rag.query.analysis``): references ("Res. 15", "WTPF-26 §7.9.6") resolved
   through the passages' fields, the documents it names, a reference question's cited instruments;
3. correct misspelt words of the ranking text (``rag.query.spelling``; quoted phrases mean exactly
   what they say);
4. restrict the allowed rows to the passages holding each double-quoted phrase (case, whitespace,
   line breaks, NBSP and punctuation ignored), or, where no passage's own text does, whose context
   does (a heading or lead-in: "the \\"convinced\\" section of the template" finds the text under the
   heading "convinced");
5. tokenise the ranking text once: BM25 terms with the vocabulary's expansions
   (``rag.index.vocabulary``), the numbers it holds; embed it (not in BM25 mode). A query the
   multilingual leg answers (or an English one that must reach texts in other languages) is handed
   to the multilingual encoder before step 2, in the background: that encoder takes ~19 ms in ONNX
   Runtime with the GIL released, and steps 2-6 (with the English gloss and its MiniLM vector) run
   meanwhile. An English query goes to the English encoder so, as typed (for 95 % of the gold's
   questions that is the text embedded; when steps 2-3 change it, the changed text is embedded once
   known), and ``AnalysedQuery.vector`` waits for it only where a stage first reads it (the dense
   branch, after BM25 and the boosts): in-process 4.9 ms a search on the bench's questions against
   5.4 ms embedding in line;
6. read its intents once: the clause role its verb asks about, a when / how-many question, the
   documents and instruments it names, whether it reads as a draft clause and which role it opens
   with (``rag.query.drafts``), its words and word 3-grams (the reranker's wording signals).

Example:
    >>> query = analyse(context, "What does Res. 15 instruct?", k=5)     # doctest: +SKIP
    >>> query.parsed.references[0].instrument, query.role                # doctest: +SKIP
    (('resolution', '15'), 'instructs')
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import QueryError
from rag.index.shingles import Words, folded_words
from rag.index.textindex import tokenize, words
from rag.query.analysis import ParsedQuery
from rag.query.context import QueryContext
from rag.query.drafts import DraftRole, addressee_words, draft_role, looks_like_draft, role_from_str
from rag.query.intents import fact_intent, role_intent
from rag.query.language import check_language, detect_language
from rag.query.spelling import Correction
from rag.query.translate import gloss
from rag.types import ClauseRole, Mode, SearchFilters

_NUMBER = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, eq=False)
class AnalysedQuery:
    """A query read once: what the candidate stage, the reranker and the assembly need of it."""

    query: str  # as typed, stripped (a draft: as pasted)
    mode: Mode
    k: int
    filters: SearchFilters
    parsed: ParsedQuery  # references, phrases, named documents; ranking text after spelling
    text: str  # what the retrievers rank with (a search: the parsed ranking text)
    allowed: np.ndarray | None  # rows the filters and quoted phrases allow (None: every row)
    terms: Mapping[str, float]  # BM25 tokens of ``text`` with weights, vocabulary expansions included
    # the embedding of ``text`` (acronyms glossed) as it is being computed (``vector`` waits for it);
    # None in BM25 mode and when the multilingual leg answers (``ml_vector``)
    embedding: Future[np.ndarray] | None
    corrections: tuple[Correction, ...] = ()
    sequence: tuple[str, ...] = ()  # the ranking text's words in order (exact-wording run)
    has_rest: bool = False  # words beyond references, phrases and document names
    # intents (rag.query.intents), and what the reranker's features read of the query
    role: str | None = None  # the clause role the question's verb asks about (not a reference question)
    when: bool = False
    how_many: bool = False
    idf: Mapping[str, float] = dataclasses.field(default_factory=dict)
    words: tuple[str, ...] = ()  # folded words of the parsed ranking text
    numbers: frozenset[str] = frozenset()
    instrument_rows: frozenset[int] = frozenset()
    doc_hints: frozenset[str] = frozenset()  # documents named, by title or by a word standing for one
    shingles: frozenset[tuple[str, ...]] = frozenset()
    # a draft clause (rag.query.drafts): its words, the role it opens with (or the caller names)
    draft: Words | None = None
    draft_role: DraftRole | None = None
    draft_addressee: frozenset[str] = frozenset()
    # the query's language (rag.query.language: detected, or as the caller names it), and its vector in
    # the multilingual space when that leg answers it (not English, and the index has the leg)
    lang: str = "en"
    ml_vector: np.ndarray | None = None
    # the English gloss of such a query (rag.query.translate: its terms by glossary), what the English
    # BM25 and encoder rank with beside the multilingual vectors; empty for English
    gloss: str = ""
    gloss_terms: Mapping[str, float] = dataclasses.field(default_factory=dict)
    gloss_vector: np.ndarray | None = None
    # an English hybrid query's vector in the multilingual space, when the index holds documents in
    # other languages: they are found through it (rag.rank.candidates)
    foreign_vector: np.ndarray | None = None
    # the reranker's query x passage features by row (rag.rank.features), computed once a query:
    # candidate generation fills them for BM25's best while the vector is computed
    passage_features: dict[int, tuple[float, ...]] = dataclasses.field(default_factory=dict, repr=False)

    @functools.cached_property
    def vector(self) -> np.ndarray | None:
        """The embedding of ``text``, waited for when first read: the stages that do without it (BM25,
        the exact-wording and instrument runs) run while the encoder computes it on another core."""
        return self.embedding.result() if self.embedding is not None else None


def validate(settings: Settings, query: str, k: int) -> str:
    """The stripped query, or ``QueryError`` for an empty or too long one or ``k`` out of range."""
    if not isinstance(query, str) or not query.strip():
        raise QueryError("the query is empty", hint="type some words, a reference or a quoted phrase")
    if len(query) > settings.retrieval.max_query_chars:
        raise QueryError(
            f"the query has {len(query)} characters; the limit is {settings.retrieval.max_query_chars}"
        )
    _check_k(settings, k)
    return query.strip()


def _check_k(settings: Settings, k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= settings.retrieval.max_k:
        raise QueryError(f"k must be an integer from 1 to {settings.retrieval.max_k}, not {k!r}")


def analyse(
    context: QueryContext,
    query: str,
    k: int = 10,
    mode: Mode | str = Mode.HYBRID,
    filters: SearchFilters | None = None,
    lang: str | None = None,
) -> AnalysedQuery:
    """Read a search query once (see the module docstring for the steps).

    ``lang``: the query's language as the caller knows it (one of ``rag.query.language.LANGUAGES``);
    None: detected. Only English queries are spell-corrected and read as draft clauses.
    """
    query = validate(context.settings, query, k)
    mode = Mode.from_str(str(mode))
    lang = check_language(lang) if lang is not None else None
    # The English vector of the query as typed, begun before anything else is read when the query is
    # English or likely so (its letters all ASCII: French and Spanish questions mostly carry accents;
    # curly quotes and dashes pasted from Word say nothing): lingua's language detection takes ~0.4 ms
    # of a served query. Unused if the query proves to be in another language; otherwise begun once
    # that is known. The query as typed is what the encoder embeds for 95 % of the gold's questions
    # (no reference, misspelling or acronym changes it); a changed text is embedded once known.
    early = lang == "en" or (lang is None and _ascii_letters(query))
    guess = context.embed_later(query) if early and mode is not Mode.BM25 else None
    lang = lang or detect_language(query)
    english = lang == "en"
    if guess is None and english and mode is not Mode.BM25:
        guess = context.embed_later(query)
    filters = filters or SearchFilters()
    allowed = context.fields.allowed_rows(filters)
    retrieval = context.settings.retrieval
    # the multilingual leg answers it (when the index has one), and needs no English vector
    multilingual = not english and retrieval.multilingual and mode is not Mode.BM25
    foreign = english and mode is Mode.HYBRID and context.reaches_foreign
    # the multilingual vector (~19 ms) is computed while the rest is read, as the English one is
    pending = context.embed_multilingual_later(query) if multilingual or foreign else None
    parsed, corrections = _parse(context, query, lang)
    allowed = _phrase_rows(context, parsed, allowed)
    text = parsed.ranking_text
    tokens = tokenize(text)
    terms, dense_text = query_terms(context, text, tokens)
    drafted = english and mode is Mode.HYBRID and retrieval.precedent_search and looks_like_draft(text)
    draft = Words.of(text)
    leg = multilingual and pending is not None
    use_gloss = leg and retrieval.multilingual_gloss_weight > 0
    glossed = _glossed(context, query, lang) if use_gloss else {}
    signals = _signals(context, parsed, terms, tokens, draft, draft_role(text) if drafted else None)
    if mode is Mode.BM25 or leg:
        embedding = None
    else:
        embedding = guess if guess is not None and dense_text == query else _done(context.embed(dense_text))
    ml_vector = pending.result() if pending is not None else None
    return AnalysedQuery(
        query=query,
        mode=mode,
        k=k,
        filters=filters,
        parsed=parsed,
        text=text,
        allowed=allowed,
        terms=terms,
        embedding=embedding,
        corrections=corrections,
        **signals,
        draft=draft if drafted else None,
        lang=lang,
        ml_vector=ml_vector if multilingual else None,
        foreign_vector=ml_vector if foreign else None,
        **glossed,
    )


def analyse_draft(
    context: QueryContext,
    text: str,
    clause: ClauseRole | str | None = None,
    k: int = 10,
    filters: SearchFilters | None = None,
) -> AnalysedQuery:
    """Read a draft clause for the precedent search: the role to prefer (``clause``, or the one it
    opens with), its words, the cleaned text the retrievers rank with.

    Raises:
        QueryError: the draft has no words, or k is out of range.
        ConfigError: a filter value or clause role is unknown (the message lists the valid ones).
    """
    if not _WORD.search(text or ""):
        raise QueryError("the draft has no words", hint="paste the text of a draft clause")
    _check_k(context.settings, k)
    detected = draft_role(text)
    role = detected
    if clause is not None:
        given = clause if isinstance(clause, ClauseRole) else role_from_str(clause)
        role = DraftRole(given, given.value.split()[0][:6], detected.addressee if detected else ())
    query = " ".join(text.replace('"', " ").split())[: context.settings.retrieval.max_query_chars]
    filters = filters or SearchFilters()
    allowed = context.fields.allowed_rows(filters)
    tokens = tokenize(query)
    terms, dense_text = query_terms(context, query, tokens)
    parsed = context.resolver.parse(query)
    ranking = parsed.ranking_text
    ranking_tokens = tokens if ranking == query else tokenize(ranking)
    return AnalysedQuery(
        query=text,
        mode=Mode.HYBRID,
        k=k,
        filters=filters,
        parsed=parsed,
        text=query,
        allowed=allowed,
        terms=terms,
        embedding=context.embed_later(dense_text),
        **_signals(context, parsed, terms, ranking_tokens, Words.of(ranking), role),
        draft=Words.of(text),
    )


def _ascii_letters(text: str) -> bool:
    """Whether every letter of ``text`` is ASCII (its punctuation, digits and spaces may be anything)."""
    return text.isascii() or not any(c.isalpha() for c in text if not c.isascii())


def _done(vector: np.ndarray) -> Future[np.ndarray]:
    """A vector already computed, as ``AnalysedQuery.embedding`` holds one."""
    future: Future[np.ndarray] = Future()
    future.set_result(vector)
    return future


def _parse(
    context: QueryContext, query: str, language: str = "en"
) -> tuple[ParsedQuery, tuple[Correction, ...]]:
    """References and phrases of the query, and its ranking text's spelling corrected.

    Spelling is corrected in English only (``language``, from ``rag.query.language``): the corrector
    knows the corpus's and English words, and would read French "hommes" as "homes", "entre" as
    "entire" (9 of the 45 lang-dev questions had words "corrected" so).
    """
    parsed = context.resolver.parse(query)
    only_phrases = bool(parsed.phrases) and parsed.ranking_text == " ".join(parsed.phrases)
    if context.speller is None or only_phrases or language != "en":
        return parsed, ()
    # the words that rank, not quoted phrases: those mean exactly what they say
    corrected = context.speller.correct(parsed.ranking_text)
    if not corrected.corrections:
        return parsed, ()
    return dataclasses.replace(parsed, ranking_text=corrected.text), corrected.corrections


def _glossed(context: QueryContext, query: str, lang: str) -> dict[str, Any]:
    """The English gloss of a query in another language, its BM25 terms and its English vector."""
    english = gloss(query, lang).english
    tokens = tokenize(english)
    if not tokens:
        return {}
    return {"gloss": english, "gloss_terms": _counts(tokens), "gloss_vector": context.embed(english)}


def _phrase_rows(context: QueryContext, parsed: ParsedQuery, allowed: np.ndarray | None) -> np.ndarray | None:
    """The allowed rows narrowed to those holding each quoted phrase (in their text, else context)."""
    for phrase in parsed.phrases:
        sequence = words(phrase)
        held = context.phrases.rows(sequence)
        if not (held if allowed is None else held & allowed).any():
            # in no passage's own words: the passages under a heading or lead-in holding it
            held = context.context_phrases.rows(sequence)
        allowed = held if allowed is None else allowed & held
    return allowed


def query_terms(context: QueryContext, text: str, tokens: Sequence[str]) -> tuple[dict[str, float], str]:
    """BM25 tokens of the ranking text (``tokens``) with weights, and the text the encoder embeds.

    The query's own tokens count once each time they occur; the other forms of its acronyms and long
    forms (``rag.index.vocabulary``) count ``vocabulary_weight`` each, and the encoder sees the query
    with each acronym's long form after it.
    """
    terms = _counts(tokens)
    retrieval = context.settings.retrieval
    weight = retrieval.vocabulary_weight
    if context.vocabulary is None or not (weight or retrieval.vocabulary_dense):
        return terms, text
    expansion = context.vocabulary.expand(text)
    if expansion.empty:
        return terms, text
    if weight:
        for token in dict.fromkeys(tokenize(expansion.text)):
            if token not in terms:
                terms[token] = weight
    return terms, expansion.glossed if retrieval.vocabulary_dense else text


def _counts(tokens: Sequence[str]) -> dict[str, float]:
    """BM25 query terms: each token weighs as often as it occurs."""
    terms: dict[str, float] = {}
    for token in tokens:
        terms[token] = terms.get(token, 0.0) + 1.0
    return terms


def _signals(
    context: QueryContext,
    parsed: ParsedQuery,
    terms: Mapping[str, float],
    tokens: Sequence[str],
    ranking_words: Words,
    role: DraftRole | None,
) -> dict[str, Any]:
    """The intents and the reranker's query-side inputs; ``tokens`` are the parsed ranking text's."""
    instrument_rows: set[int] = set()
    for ref in parsed.references:
        if ref.instrument is not None:
            instrument_rows.update(context.resolver.instrument_rows(ref, parsed.doc_hints))
    when, how_many = fact_intent(parsed.raw)
    raw_tokens = tokens if parsed.raw == parsed.ranking_text else None  # else tokenised there
    return {
        "sequence": tuple(words(parsed.ranking_text)),
        "has_rest": bool(tokenize(parsed.rest)),
        "role": role_intent(parsed.raw) if not parsed.cited else None,
        "when": when,
        "how_many": how_many,
        "idf": context.idf(terms),
        "words": tuple(folded_words(parsed.ranking_text)),
        "numbers": frozenset(t for t in tokens if _NUMBER.search(t)),
        "instrument_rows": frozenset(instrument_rows),
        "doc_hints": frozenset(parsed.doc_hints)
        | frozenset(context.resolver.document_intent(parsed.raw, raw_tokens)),
        "shingles": frozenset(ranking_words.shingles()),
        "draft_role": role,
        "draft_addressee": (
            addressee_words(" ".join(role.addressee), context.vocabulary) if role is not None else frozenset()
        ),
    }
