"""The search facade the CLI and the API use: load an index once, answer ``search`` calls.

``Searcher.search(query, k, mode, filters)`` does, in order:

1. validate the input (empty query, length, ``k`` range, mode, filter values: ``QueryError`` /
   ``ConfigError`` naming the valid choices);
2. take the query apart (``rag.query.analysis``): double-quoted phrases restrict the results to passages
   whose text holds them (case, whitespace, line breaks, NBSP and punctuation ignored), or, where no
   passage's own text does, whose context does (a heading or lead-in: "the \"convinced\" section of
   the template" finds the text under the heading "convinced"), references
   ("Res. 15", "WTPF-26 §7.9.6") are resolved to passages through their fields;
3. rank with the mode's retriever inside the allowed rows (filters AND phrases); in hybrid mode the
   passages holding the query's exact word sequence (at least ``phrase_min_words`` words) form a third
   ranked list fused with weight ``phrase_weight``: the measured exact-wording boost. A query that
   reads as a draft clause ("invites Member States to ...", ``rag.precedents.finder.looks_like_draft``) has
   its precedents put first (same role, shared wording, meaning). Steps 1-3 are ``first_stage``;
4. hybrid: the second stage (``rag.rank.rerank``) reorders the fused ranking's best ``rerank_depth``
   passages with the learned model (a draft's precedents of its role still first, as in
   ``find_precedents``);
5. put the passages the references name first (at most ``max_pinned``, in the order the ranking
   gives them), then, for a reference question ("which texts recall UNGA Resolution 70/1?"), the
   passages citing the instrument it names, ranked by the same mode among themselves
   (``rag.citator.citator``), then the rest of the ranking.

The ``cites`` filter keeps the passages citing given instruments; ``searcher.citator`` answers
"what does this passage cite" and "who cites it".

A ``Searcher`` holds everything in memory and is never mutated, so the API can swap in a new one
after a rebuild while queries run: each query is answered wholly by the old or wholly by the new.

Example:
    >>> searcher = Searcher.load()                                   # doctest: +SKIP
    >>> results = searcher.search("Res. 15 technology transfer handbooks", k=5)  # doctest: +SKIP
    >>> results.hits[0].passage.citation                             # doctest: +SKIP
    'WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022)'
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.citator.citator import Citator, resolve_target
from rag.config import Settings, get_settings
from rag.errors import ConfigError, NotFoundError, QueryError
from rag.index.encoders import Encoder
from rag.index.store import LoadedIndex, load_index, load_query_encoder
from rag.index.textindex import _forms, normalize_text, tokenize, words
from rag.precedents.finder import (
    DraftRole,
    ShingleIndex,
    Words,
    candidate_rows,
    draft_role,
    looks_like_draft,
    score_candidates,
)
from rag.query.analysis import ParsedQuery, ReferenceResolver, instrument_key
from rag.query.spelling import Correction, SpellingCorrector
from rag.rank.rerank import PassageFeatures, Reranker, role_intent
from rag.rank.retrievers import BM25Retriever, DenseRetriever, HybridRetriever
from rag.types import FILTER_FIELDS, ClauseRole, Hit, Mode, Passage, PassageKind, SearchFilters

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the passage, its score in the chosen mode, its rank, and its rank in each run.

    ``ranks`` maps run names (``bm25``, ``dense``, ``phrase``, ``reference``, ``cites``) to the
    passage's rank in that run, None where the run did not return it. ``pinned`` marks passages put
    first because the query names them; ``cites`` is the rank among the passages citing what a
    reference question asks about.
    """

    passage: Passage
    score: float
    rank: int
    ranks: dict[str, int | None] = field(default_factory=dict)
    pinned: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``{"rank", "score", every passage field, "ranks", "pinned"}``: the JSON result record."""
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            **self.passage.to_dict(),
            "ranks": dict(self.ranks),
            "pinned": self.pinned,
        }


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The answer to one search."""

    query: str
    mode: str
    k: int
    hits: tuple[SearchHit, ...]
    parsed: ParsedQuery
    filters: SearchFilters = SearchFilters()
    took_ms: float = 0.0
    # misspelt words of the query and the corpus words they were read as (rag.query.spelling)
    corrections: tuple[Correction, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"query": self.query, "mode": self.mode}
        if self.corrections:
            out["corrections"] = [{"typed": c.typed, "corrected": c.corrected} for c in self.corrections]
        return {**out, "results": [h.to_dict() for h in self.hits]}


# a word of a passage for highlighting: letters/digits, joined by . / - or ' (7.9.6, ITU-D, Member's)
_HIGHLIGHT_WORD = re.compile(r"[^\W_]+(?:[./\-'][^\W_]+)*")


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of ``text`` whose words match the query's tokens (after the same folding as BM25).

    Example:
        >>> highlight_spans("to develop handbooks on technology", "handbook technologies")
        [(11, 20), (24, 34)]
    """
    wanted = _query_tokens(query)
    if not wanted:
        return []
    return [m.span() for m in _HIGHLIGHT_WORD.finditer(text) if not wanted.isdisjoint(_word_forms(m.group()))]


@functools.lru_cache(maxsize=256)
def _query_tokens(query: str) -> frozenset[str]:
    """The query's BM25 tokens (cached: the same query highlights each of its results)."""
    return frozenset(tokenize(query))


@functools.lru_cache(maxsize=1 << 16)
def _word_forms(word: str) -> tuple[str, ...]:
    """BM25 forms of one word of a passage (cached: ten results a query repeat the corpus's words)."""
    return _forms(normalize_text(word))


class PhraseIndex:
    """Every passage's words, folded and joined, so a word sequence is found with ``str.find``.

    Matching works on words only: case, whitespace (line breaks, NBSP, tabs) and punctuation between
    words do not matter, and a sequence matches whole words only ("act" does not match "action").
    """

    def __init__(self, texts: Sequence[str]) -> None:
        parts = [" " + " ".join(words(t)) + " " for t in texts]
        self._starts = np.cumsum([0] + [len(p) + 1 for p in parts[:-1]]) if parts else np.zeros(0, int)
        self._joined = "\n".join(parts)
        self.size = len(parts)
        # The passages holding each word: a sequence can only be in a passage holding all its words,
        # so ``rows`` searches those few passages instead of the whole corpus (0.35 ms a query).
        postings: dict[str, list[int]] = {}
        for row, part in enumerate(parts):
            for word in set(part.split()):
                postings.setdefault(word, []).append(row)
        self._postings = postings
        starts = self._starts.tolist()
        # each part's start and the next part's start (past the end + 1 for the last part)
        self._bounds = list(zip(starts, [*starts[1:], len(self._joined) + 1][: len(starts)], strict=True))

    def rows(self, sequence: Sequence[str]) -> np.ndarray:
        """Boolean mask of passages holding the word sequence (all False for an empty one)."""
        mask = np.zeros(self.size, dtype=bool)
        if not sequence:
            return mask
        needle = " " + " ".join(sequence) + " "
        if all(w and not any(c.isspace() for c in w) for w in sequence):  # words as ``words`` gives them
            candidates = [self._postings.get(w, ()) for w in set(sequence)]
            bounds, joined = self._bounds, self._joined
            for row in min(candidates, key=len):
                start, next_start = bounds[row]  # the part ends before the newline at next_start - 1
                if joined.find(needle, start, next_start - 1) >= 0:
                    mask[row] = True
            return mask
        pos = self._joined.find(needle)
        while pos >= 0:
            row = int(np.searchsorted(self._starts, pos, side="right") - 1)
            mask[row] = True
            # continue after this passage: one hit per passage is enough
            nxt = self._starts[row + 1] if row + 1 < self.size else len(self._joined)
            pos = self._joined.find(needle, int(nxt))
        return mask


@dataclass(frozen=True)
class FirstStage:
    """Everything the first stage of a search found, before reranking and assembly."""

    query: str
    mode: Mode
    filters: SearchFilters
    allowed: np.ndarray | None
    parsed: ParsedQuery
    terms: dict[str, float]
    vector: np.ndarray | None
    runs: dict[str, list[Hit]]
    ranked: list[Hit]
    citing: list[Hit]
    draft: bool
    corrections: tuple[Correction, ...] = ()


class Searcher:
    """A loaded index with its retrievers; ``search`` is the one entry point.

    Args:
        index: the loaded index (``rag.index.store.load_index``).
        encoder: the query encoder; must be the model the index was built with.
        settings: fusion, limits and boosts.
    """

    def __init__(self, index: LoadedIndex, encoder: Encoder, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.passages = index.passages
        self.ids = [p.id for p in self.passages]
        self.row_of = {pid: row for row, pid in enumerate(self.ids)}
        self.bm25 = BM25Retriever(index.bm25, self.ids)
        self.dense = DenseRetriever(index.dense, encoder, self.ids)
        self.hybrid = HybridRetriever(
            self.bm25,
            self.dense,
            method=settings.retrieval.fusion,
            weights={
                "bm25": settings.retrieval.weight_bm25,
                "dense": settings.retrieval.weight_dense,
                "phrase": settings.retrieval.phrase_weight,
            },
            rrf_k=settings.retrieval.rrf_k,
            depth=settings.retrieval.branch_depth,
        )
        self.resolver = ReferenceResolver(self.passages, index.documents)
        self.phrases = PhraseIndex([p.text for p in self.passages])
        self._field_values = {
            "doc": np.array([p.doc for p in self.passages], dtype=object),
            "instrument": np.array([p.instrument or "" for p in self.passages], dtype=object),
            "clause": np.array([p.clause or "" for p in self.passages], dtype=object),
            "kind": np.array([p.kind for p in self.passages], dtype=object),
        }
        self._instrument_names = self._instrument_aliases()
        self.citator = Citator.from_index(index)
        self.vocabulary = index.vocabulary.matcher() if index.vocabulary is not None else None
        self.shingles = ShingleIndex([p.text for p in self.passages])
        self.speller = (
            SpellingCorrector.build(f"{p.citation} {p.context} {p.text}" for p in self.passages)
            if settings.retrieval.spelling
            else None
        )
        self.reranker: Reranker | None = None
        if settings.retrieval.rerank:
            self.reranker = (
                Reranker.load(settings.retrieval.rerank_model)
                if settings.retrieval.rerank_model
                else Reranker.load()
            )
            _ = self.passage_features  # built now, not in the first query
        # instrument type words ("resolution", "opinion"), for "which draft opinions recall ..."
        self._instrument_types = np.array(
            [(instrument_key(p.instrument) or ("",))[0] if p.instrument else "" for p in self.passages],
            dtype=object,
        )

    @functools.cached_property
    def context_phrases(self) -> PhraseIndex:
        """Quoted phrases in the passages' contexts (headings, lead-ins), built on first use."""
        return PhraseIndex([p.context for p in self.passages])

    @functools.cached_property
    def passage_features(self) -> PassageFeatures:
        """Per-passage inputs of the reranker's features (built once, on first use)."""
        return PassageFeatures(self.passages)

    @classmethod
    def load(cls, settings: Settings | None = None, *, encoder: Encoder | None = None) -> Searcher:
        """Load the index at ``settings.index.index_dir`` (checked) and the encoder it was built with.

        Raises:
            IndexMissingError, IndexStaleError, IndexCorruptError: naming ``rag build`` as the fix.
        """
        settings = settings or get_settings()
        started = time.perf_counter()
        index = load_index(settings)
        encoder = encoder or load_query_encoder(settings, index)
        searcher = cls(index, encoder, settings)
        logger.info(
            "loaded %d passages from %s in %.1f s",
            len(index.passages),
            index.folder,
            time.perf_counter() - started,
        )
        return searcher

    # ------------------------------------------------------------------------------------- filters

    def _instrument_aliases(self) -> dict[str, set[str]]:
        """Lower-cased instrument names (full, and before the parenthesis) -> instrument values."""
        names: dict[str, set[str]] = {}
        for value in set(self._field_values["instrument"].tolist()) - {""}:
            for alias in (value, value.split(" (", 1)[0]):
                names.setdefault(" ".join(alias.lower().split()), set()).add(value)
        return names

    def valid_values(self, name: str) -> list[str]:
        """The values a filter field accepts (for error messages and the API's documentation)."""
        if name == "clause":
            return ClauseRole.values()
        if name == "kind":
            return PassageKind.values()
        if name == "doc":
            return [d.id for d in self.index.documents]
        if name == "instrument":
            return sorted(set(self._field_values["instrument"].tolist()) - {""})
        if name == "cites":
            return sorted(self.citator.data.cited_by)
        raise ConfigError(f"unknown filter {name!r}; choose one of: {', '.join(FILTER_FIELDS)}")

    def allowed_rows(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Boolean mask of the rows the filters allow (None: no filter); unknown values raise ConfigError."""
        if filters is None or filters.empty:
            return None
        mask = np.ones(len(self.passages), dtype=bool)
        for name in ("doc", "instrument", "clause", "kind"):
            values = getattr(filters, name)
            if not values:
                continue
            accepted: set[str] = set()
            for value in values:
                accepted |= self._resolve_filter_value(name, value)
            mask &= np.isin(self._field_values[name], sorted(accepted))
        if filters.cites:
            # canonical keys, so "Resolution 70/1", "UNGA 70/1" and "un/ga/res/70/1" filter alike;
            # a known instrument no passage cites leaves no passage (no error)
            mask &= self.citator.citing_mask([resolve_target(value) for value in filters.cites])
        return mask

    def _resolve_filter_value(self, name: str, value: str) -> set[str]:
        if name == "clause":
            return {ClauseRole.from_str(value).value}
        if name == "kind":
            return {PassageKind.from_str(value).value}
        if name == "doc":
            if value in {d.id for d in self.index.documents}:
                return {value}
        if name == "instrument":
            found = self._instrument_names.get(" ".join(value.lower().split()))
            if found:
                return found
        valid = self.valid_values(name)
        shown = ", ".join(valid[:40]) + (f", ... ({len(valid)} in all)" if len(valid) > 40 else "")
        raise ConfigError(f"unknown {name} {value!r}; choose one of: {shown}")

    # -------------------------------------------------------------------------------------- search

    def _validate(self, query: str, k: int) -> str:
        if not isinstance(query, str) or not query.strip():
            raise QueryError("the query is empty", hint="type some words, a reference or a quoted phrase")
        if len(query) > self.settings.retrieval.max_query_chars:
            raise QueryError(
                f"the query has {len(query)} characters; "
                f"the limit is {self.settings.retrieval.max_query_chars}"
            )
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= self.settings.retrieval.max_k:
            raise QueryError(f"k must be an integer from 1 to {self.settings.retrieval.max_k}, not {k!r}")
        return query.strip()

    def search(
        self,
        query: str,
        k: int = 10,
        mode: Mode | str = Mode.HYBRID,
        filters: SearchFilters | None = None,
    ) -> SearchResults:
        """Rank passages for ``query``; see the module docstring for the steps.

        Raises:
            QueryError: empty or too long query, ``k`` outside 1..max_k.
            ConfigError: unknown mode or filter value (the message lists the valid ones).
        """
        started = time.perf_counter()
        stage = self.first_stage(query, k, mode, filters)
        ranked = stage.ranked
        if (
            stage.mode is Mode.HYBRID
            and self.reranker is not None
            and (self.settings.retrieval.rerank_drafts or not stage.draft)
        ):
            ranked = self._reranked(stage)
        parsed = stage.parsed
        if stage.draft:
            # a draft clause that mentions "Resolution 15" asks for its own precedent, not that title
            parsed = dataclasses.replace(parsed, references=())
        hits = self._assemble(
            ranked,
            stage.runs,
            parsed,
            stage.allowed,
            k,
            stage.mode,
            stage.vector,
            stage.terms,
            first=stage.citing,
        )
        return SearchResults(
            query=stage.query,
            mode=stage.mode.value,
            k=k,
            hits=tuple(hits),
            parsed=parsed,
            filters=stage.filters,
            took_ms=(time.perf_counter() - started) * 1000,
            corrections=stage.corrections,
        )

    def first_stage(
        self,
        query: str,
        k: int = 10,
        mode: Mode | str = Mode.HYBRID,
        filters: SearchFilters | None = None,
    ) -> FirstStage:
        """Steps 1-3 of ``search``: validate, parse, rank with the mode's retrievers and fuse.

        ``search`` then reranks (hybrid) and puts references and citing passages first; the reranker's
        trainer (``eval/train_reranker.py``) takes its candidates from here, so both see the same.
        """
        query = self._validate(query, k)
        mode = Mode.from_str(str(mode))
        filters = filters or SearchFilters()
        allowed = self.allowed_rows(filters)
        parsed = self.resolver.parse(query)
        corrections: tuple[Correction, ...] = ()
        only_phrases = bool(parsed.phrases) and parsed.ranking_text == " ".join(parsed.phrases)
        if self.speller is not None and not only_phrases:
            # the words that rank, not quoted phrases: those mean exactly what they say
            corrected = self.speller.correct(parsed.ranking_text)
            if corrected.corrections:
                corrections = corrected.corrections
                parsed = dataclasses.replace(parsed, ranking_text=corrected.text)
        for phrase in parsed.phrases:
            sequence = words(phrase)
            held = self.phrases.rows(sequence)
            if not (held if allowed is None else held & allowed).any():
                # in no passage's own words: the passages under a heading or lead-in holding it
                held = self.context_phrases.rows(sequence)
            allowed = held if allowed is None else allowed & held
        text = parsed.ranking_text
        terms, dense_text = self.query_terms(text)
        vector = None if mode is Mode.BM25 else self.dense.embed(dense_text)
        depth = k + self.settings.retrieval.max_pinned
        draft = False
        if mode is Mode.BM25:
            ranked = self.bm25.search(terms, depth, allowed=allowed)
            runs: dict[str, list[Hit]] = {"bm25": ranked}
        elif mode is Mode.DENSE:
            ranked = self.dense.search_vector(vector, depth, allowed=allowed)
            runs = {"dense": ranked}
        else:
            runs = self.hybrid.runs(text, k, allowed=allowed, vector=vector, terms=terms)
            phrase_run = self._phrase_run(parsed, allowed, terms)
            if phrase_run:
                runs["phrase"] = phrase_run
            instrument_run = self._instrument_run(parsed, allowed, terms)
            if instrument_run:
                runs["instrument"] = instrument_run
            # all fused hits (a few hundred), so that pinned passages keep their fused score
            ranked = self.hybrid.fuse(runs, 2 * self.settings.retrieval.branch_depth + depth)
            if self.settings.retrieval.precedent_search and looks_like_draft(text):
                draft = True
                ranked = self._precedent_order(text, ranked, allowed, vector, terms)
        citing = self._citing_run(parsed, allowed, mode, text, vector, depth, terms)
        if citing:
            runs["cites"] = citing
        return FirstStage(
            query=query,
            mode=mode,
            filters=filters,
            allowed=allowed,
            parsed=parsed,
            terms=terms,
            vector=vector,
            runs=runs,
            ranked=ranked,
            citing=citing,
            draft=draft,
            corrections=corrections,
        )

    def rerank_features(self, stage: FirstStage) -> tuple[list[Hit], np.ndarray]:
        """The candidates the reranker sees (the fused ranking's best ``rerank_depth``) and their features."""
        hits = stage.ranked[: self.settings.retrieval.rerank_depth]
        if not hits or stage.vector is None:
            return list(hits), np.zeros((0, 0))
        role = draft_role(stage.parsed.ranking_text) if stage.draft else None
        matrix = self.candidate_features(
            hits, stage.parsed, stage.terms, stage.vector, stage.runs, draft_role=role
        )
        return list(hits), matrix

    def candidate_features(
        self,
        hits: Sequence[Hit],
        parsed: ParsedQuery,
        terms: dict[str, float],
        vector: np.ndarray,
        runs: dict[str, list[Hit]],
        *,
        draft_role: DraftRole | None = None,
    ) -> np.ndarray:
        """The reranker's features of ``hits`` for a query (``draft_role``: the query is a draft clause).

        ``runs`` are the query's branch rankings (``bm25`` is read); ``find_precedents`` calls this too.
        """
        from rag.rank.rerank import features, query_view

        bm25 = {h.passage_id: h.score for h in runs.get("bm25", ())}
        rows = [self.row_of[h.passage_id] for h in hits]
        cosines = self.index.dense.vectors(rows) @ vector
        view = query_view(self, parsed, terms, draft_role=draft_role)
        return features(self, view, hits, bm25, cosines)

    def _reranked(self, stage: FirstStage) -> list[Hit]:
        """The fused ranking with its best ``rerank_depth`` reordered by the reranker (``rag.rank.rerank``).

        A draft clause keeps its precedents of the same role first (``rag.precedents.finder``), each group in
        the model's order.
        """
        from rag.rank.rerank import FEATURES, rerank

        hits, matrix = self.rerank_features(stage)
        if len(hits) < 2 or self.reranker is None:
            return stage.ranked
        first = matrix[:, FEATURES.index("draft_role")] > 0 if stage.draft else None
        top = rerank(hits, self.reranker.score(matrix), first=first)
        # the rest keeps its order below the reranked head, with scores under the head's lowest
        floor = min(h.score for h in top)
        rest = [
            Hit(h.passage_id, floor - i, len(top) + i, ranks=h.ranks)
            for i, h in enumerate(stage.ranked[len(hits) :], start=1)
        ]
        return top + rest

    def query_terms(self, text: str) -> tuple[dict[str, float], str]:
        """BM25 tokens of the ranking text with weights, and the text the encoder embeds.

        The query's own tokens count once each time they occur; the other forms of its acronyms
        and long forms (``rag.index.vocabulary``) count ``vocabulary_weight`` each, and the encoder sees the
        query with each acronym's long form after it.
        """
        terms: dict[str, float] = {}
        for token in tokenize(text):
            terms[token] = terms.get(token, 0.0) + 1.0
        weight = self.settings.retrieval.vocabulary_weight
        if self.vocabulary is None or not (weight or self.settings.retrieval.vocabulary_dense):
            return terms, text
        expansion = self.vocabulary.expand(text)
        if expansion.empty:
            return terms, text
        if weight:
            for token in dict.fromkeys(tokenize(expansion.text)):
                if token not in terms:
                    terms[token] = weight
        return terms, expansion.glossed if self.settings.retrieval.vocabulary_dense else text

    def _precedent_order(
        self,
        text: str,
        ranked: list[Hit],
        allowed: np.ndarray | None,
        vector: np.ndarray,
        terms: dict[str, float],
    ) -> list[Hit]:
        """A draft clause's precedents first (``rag.precedents.finder``: role, wording, meaning), then
        the rest."""
        draft = Words.of(text)
        role = draft_role(text)
        rows = candidate_rows(
            self,
            draft,
            allowed,
            [self.row_of[h.passage_id] for h in ranked],
            role=role,
            query=(text, terms, vector),
        )
        scored = score_candidates(self, rows, draft, vector, role)
        fused = {h.passage_id: h for h in ranked}
        out: list[Hit] = []
        for row, score in zip(scored.rows.tolist(), scored.score.tolist(), strict=True):
            pid = self.ids[row]
            ranks = fused[pid].ranks if pid in fused else ()
            out.append(Hit(pid, float(score), len(out) + 1, ranks=ranks))
        seen = {h.passage_id for h in out}
        out.extend(
            Hit(h.passage_id, h.score, len(out) + i, ranks=h.ranks)
            for i, h in enumerate((h for h in ranked if h.passage_id not in seen), start=1)
        )
        return out

    def _phrase_run(
        self, parsed: ParsedQuery, allowed: np.ndarray | None, terms: dict[str, float]
    ) -> list[Hit]:
        """Passages holding the query's exact word sequence, ordered by BM25: the exact-wording boost."""
        sequence = parsed.sequence
        if (
            len(sequence) < self.settings.retrieval.phrase_min_words
            or not self.settings.retrieval.phrase_weight
        ):
            return []
        mask = self.phrases.rows(sequence)
        if allowed is not None:
            mask &= allowed
        if not mask.any():
            return []
        return self.bm25.search(terms, self.settings.retrieval.branch_depth, allowed=mask)

    def _citing_run(
        self,
        parsed: ParsedQuery,
        allowed: np.ndarray | None,
        mode: Mode,
        text: str,
        vector: np.ndarray | None,
        depth: int,
        terms: dict[str, float],
    ) -> list[Hit]:
        """For a reference question, the passages citing what it names, ranked by the mode among themselves.

        Passages in the documents and instruments of the kind the question names ("which WTDC texts",
        "which draft opinions") come first, then those in the clause role its verb names ("recall":
        recalling clauses), each group in the mode's order.
        """
        if not parsed.cited:
            return []
        mask = self.citator.citing_mask(parsed.cited)
        if allowed is not None:
            mask &= allowed
        if not mask.any():
            return []
        # every citing passage (a few dozen at most), so the preferences below see them all
        depth = max(depth, int(mask.sum()))
        if mode is Mode.BM25:
            hits = self.bm25.search(terms, depth, allowed=mask)
        elif mode is Mode.DENSE:
            hits = self.dense.search_vector(vector, depth, allowed=mask)
        else:
            hits = self.hybrid.fuse(
                self.hybrid.runs(text, depth, allowed=mask, vector=vector, terms=terms), depth
            )

        def preference(hit: Hit) -> tuple[bool, bool]:
            row = self.row_of[hit.passage_id]
            out_of_scope = bool(parsed.cited_docs) and self._field_values["doc"][row] not in parsed.cited_docs
            if parsed.cited_types and self._instrument_types[row] not in parsed.cited_types:
                out_of_scope = True
            other_role = (
                parsed.cited_role is not None and self._field_values["clause"][row] != parsed.cited_role
            )
            return out_of_scope, other_role

        ordered = sorted(hits, key=preference)  # stable: the mode's order within each group
        return [Hit(h.passage_id, h.score, rank) for rank, h in enumerate(ordered, start=1)]

    def _instrument_run(
        self, parsed: ParsedQuery, allowed: np.ndarray | None, terms: dict[str, float]
    ) -> list[Hit]:
        """Passages of the instruments a question names, ordered by BM25: a soft boost, not a pin."""
        if not self.settings.retrieval.instrument_weight or not tokenize(parsed.rest):
            return []
        mask = np.zeros(len(self.passages), dtype=bool)
        for ref in parsed.references:
            if ref.instrument is not None and not (ref.clause or ref.label or ref.kind):
                mask[self.resolver.instrument_rows(ref, parsed.doc_hints)] = True
        if allowed is not None:
            mask &= allowed
        if not mask.any():
            return []
        return self.bm25.search(terms, self.settings.retrieval.branch_depth, allowed=mask)

    def _assemble(
        self,
        ranked: list[Hit],
        runs: dict[str, list[Hit]],
        parsed: ParsedQuery,
        allowed: np.ndarray | None,
        k: int,
        mode: Mode,
        vector: np.ndarray | None,
        terms: dict[str, float],
        *,
        first: Sequence[Hit] = (),
    ) -> list[SearchHit]:
        pinned_rows = self._pinned(parsed, allowed, ranked, runs)
        position = {h.passage_id: h for h in ranked}
        run_ranks = {name: {h.passage_id: h.rank for h in hits} for name, hits in runs.items()}
        out: list[SearchHit] = []
        seen: set[str] = set()

        def add(pid: str, score: float, pinned: bool) -> None:
            ranks: dict[str, int | None] = {name: table.get(pid) for name, table in run_ranks.items()}
            if pinned:
                ranks["reference"] = len([h for h in out if h.pinned]) + 1
            out.append(
                SearchHit(
                    passage=self.passages[self.row_of[pid]],
                    score=score,
                    rank=len(out) + 1,
                    ranks=ranks,
                    pinned=pinned,
                )
            )
            seen.add(pid)

        if pinned_rows:
            scores = self._scores_for(pinned_rows, terms, mode, position, vector)
            for row in pinned_rows:
                add(self.ids[row], scores[row], True)
        for hit in first:
            if len(out) >= k:
                break
            if hit.passage_id not in seen:
                add(
                    hit.passage_id,
                    position[hit.passage_id].score if hit.passage_id in position else hit.score,
                    False,
                )
        for hit in ranked:
            if len(out) >= k:
                break
            if hit.passage_id not in seen:
                add(hit.passage_id, hit.score, False)
        return out[:k]

    def _pinned(
        self, parsed: ParsedQuery, allowed: np.ndarray | None, ranked: list[Hit], runs: dict[str, list[Hit]]
    ) -> list[int]:
        """Rows the query's references name, best ranked first, at most ``max_pinned``.

        A reference to one place pins it whatever its rank. A reference to several (a block, an
        instrument in two documents) pins those the ranking returned, best first, or else the first
        in document order, so the rest of the ranking still follows the query's words.
        """
        if not parsed.references or not self.settings.retrieval.max_pinned:
            return []
        order: dict[str, tuple[int, int]] = {}
        for i, h in enumerate(ranked):
            order.setdefault(h.passage_id, (0, i))
        for hits in runs.values():
            for h in hits:
                best = order.get(h.passage_id)
                if best is None or (best[0] == 1 and h.rank < best[1]):
                    order[h.passage_id] = (1, h.rank)
        rows: list[int] = []
        bare = not tokenize(parsed.rest)
        role = None if parsed.cited else role_intent(parsed.raw)
        for ref in parsed.references:
            if not bare and ref.instrument is not None and not (ref.clause or ref.label or ref.kind):
                if role is None:
                    # "What does Resolution 31 say about RPMs?" asks about a place inside the instrument,
                    # not for its title: such references boost the instrument's passages (see search)
                    continue
                # "What does Resolution 15 recall?": the instrument's block of that role
                ref = dataclasses.replace(ref, clause=role)
            found = self.resolver.resolve(ref, parsed.doc_hints)
            if allowed is not None:
                found = [r for r in found if allowed[r]]
            if len(found) > 1:
                ranked_rows = sorted(
                    (r for r in found if self.ids[r] in order), key=lambda r: order[self.ids[r]]
                )
                found = ranked_rows or found[:1]
            rows.extend(r for r in found if r not in rows)
        return rows[: self.settings.retrieval.max_pinned]

    def _scores_for(
        self,
        rows: list[int],
        terms: dict[str, float],
        mode: Mode,
        ranked: dict[str, Hit],
        vector: np.ndarray | None,
    ) -> dict[int, float]:
        """The mode's own score of pinned rows (its fused score, BM25 score or cosine; 0 if unranked)."""
        if mode is Mode.BM25:
            scores = self.bm25.scores(terms)
            return {r: float(scores[r]) for r in rows}
        if mode is Mode.DENSE and vector is not None:
            vectors = self.index.dense.vectors(rows)
            return {r: float(v @ vector) for r, v in zip(rows, vectors, strict=True)}
        return {r: ranked[self.ids[r]].score if self.ids[r] in ranked else 0.0 for r in rows}

    # ------------------------------------------------------------------------------------- lookups

    def get(self, passage_id: str) -> Passage:
        """The passage with this id (``NotFoundError`` otherwise)."""
        row = self.row_of.get(passage_id)
        if row is None:
            raise NotFoundError(
                f"unknown passage {passage_id!r}",
                hint="ids look like wtdc-25-final-report/res-15/instructs/4",
            )
        return self.passages[row]
