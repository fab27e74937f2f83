"""The search facade the CLI, the API and the harness call: load an index once, answer ``search`` calls.

A query passes four stages, each handing the next a frozen value, all reading one ``SearchContext``
built once per loaded index (``rag.rank.context``):

1. query analysis (``rag.query.analysed.analyse``): validation, references, quoted phrases, spelling,
   BM25 terms, the embedding, intents, draft clauses, read once -> ``AnalysedQuery``;
2. candidate generation (``rag.rank.candidates``): the mode's retrievers, the exact-wording and
   instrument runs, fusion, a draft's precedents first, a reference question's citing passages
   -> ``Candidates``;
3. the second stage (hybrid): the ``Reranker`` behind its protocol (``rag.rank.rerank``: LambdaRank)
   reorders the best ``rerank_depth`` -> ranked hits;
4. assembly (``rag.rank.assemble``): pinned references, citing passages, the ranking, cut to ``k``
   -> ``SearchResults``.

The ``cites`` filter keeps the passages citing given instruments; ``searcher.citator`` answers
"what does this passage cite" and "who cites it". ``rag.precedents.finder.find_precedents`` takes
``searcher.context`` and ranks a draft as step 2 and 3 do.

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
import logging
import time
from collections.abc import Mapping, Sequence

import numpy as np

from rag.citator.citator import Citator
from rag.config import Settings, get_settings
from rag.errors import NotFoundError
from rag.index.encoders import Encoder
from rag.index.interim import interim_settings
from rag.index.store import LoadedIndex, load_index, load_multilingual_encoder, load_query_encoder
from rag.query.analysed import AnalysedQuery, analyse
from rag.rank.assemble import assemble, highlight_spans, pinned_references
from rag.rank.candidates import Candidates, generate
from rag.rank.context import SearchContext
from rag.rank.rerank import head_features, load_reranker
from rag.rank.results import SearchHit, SearchResults
from rag.types import Hit, Mode, Passage, SearchFilters

__all__ = ["SearchHit", "SearchResults", "Searcher", "highlight_spans"]

logger = logging.getLogger(__name__)


class Searcher:
    """A loaded index's ``SearchContext`` and the stages of a query; ``search`` is the one entry point."""

    def __init__(self, context: SearchContext) -> None:
        self.context = context

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        encoder: Encoder | None = None,
        multilingual: Encoder | None = None,
    ) -> Searcher:
        """Load the index at ``settings.index.index_dir`` (checked) and the encoders it was built with
        (``encoder``, ``multilingual``: test encoders instead, except for an interim index's own).

        Raises:
            IndexMissingError, IndexStaleError, IndexCorruptError: naming ``rag build`` as the fix.
        """
        settings = settings or get_settings()
        started = time.perf_counter()
        index = load_index(settings)
        # an interim index names its own encoder (rag.index.interim), which no injected one replaces
        injected = encoder if not index.manifest.interim else None
        query_encoder = injected or load_query_encoder(settings, index)
        multilingual = multilingual or load_multilingual_encoder(settings, index)
        searcher = cls.from_index(index, query_encoder, settings, multilingual)
        seconds = time.perf_counter() - started
        logger.info("loaded %d passages from %s in %.1f s", len(index.passages), index.folder, seconds)
        return searcher

    @classmethod
    def from_index(
        cls, index: LoadedIndex, encoder: Encoder, settings: Settings, multilingual: Encoder | None = None
    ) -> Searcher:
        """A searcher over an index already in memory (the harness's variants share one), warmed up;
        ``multilingual``: the multilingual leg's query encoder (None: English only). An interim index
        is searched as ``interim_settings`` says (BM25 alone in hybrid, then the reranker)."""
        if index.manifest.interim:
            settings = interim_settings(settings)
        context = SearchContext.build(
            index, encoder, settings, reranker=load_reranker(settings), multilingual=multilingual
        )
        return cls(context.warm_up())

    # What callers read of the loaded index: its files, passages, rows, citator and query encoder.

    @property
    def settings(self) -> Settings:
        return self.context.settings

    @property
    def index(self) -> LoadedIndex:
        return self.context.index

    @property
    def passages(self) -> Sequence[Passage]:
        return self.context.passages

    @property
    def row_of(self) -> Mapping[str, int]:
        return self.context.row_of

    @property
    def citator(self) -> Citator:
        return self.context.citator

    @property
    def encoder(self) -> Encoder:
        return self.context.encoder

    @property
    def multilingual(self) -> Encoder | None:
        """The multilingual leg's query encoder (None: English only)."""
        return self.context.multilingual if self.context.multilingual_dense is not None else None

    def search(
        self,
        query: str,
        k: int = 10,
        mode: Mode | str = Mode.HYBRID,
        filters: SearchFilters | None = None,
        lang: str | None = None,
    ) -> SearchResults:
        """Rank passages for ``query``; see the module docstring for the stages.

        ``lang``: the query's language (ar, en, es, fr, ru, zh); None: detected.

        Raises:
            QueryError: empty or too long query, ``k`` outside 1..max_k, an unknown language.
            ConfigError: unknown mode or filter value (the message lists the valid ones).
        """
        started = time.perf_counter()
        analysed, candidates = self.first_stage(query, k, mode, filters, lang)
        hits = assemble(self.context, analysed, candidates, self._second_stage(analysed, candidates))
        return SearchResults(
            query=analysed.query,
            mode=analysed.mode.value,
            k=k,
            hits=tuple(hits),
            parsed=dataclasses.replace(analysed.parsed, references=pinned_references(analysed)),
            filters=analysed.filters,
            took_ms=(time.perf_counter() - started) * 1000,
            corrections=analysed.corrections,
            lang=analysed.lang,
        )

    def first_stage(
        self,
        query: str,
        k: int = 10,
        mode: Mode | str = Mode.HYBRID,
        filters: SearchFilters | None = None,
        lang: str | None = None,
    ) -> tuple[AnalysedQuery, Candidates]:
        """The analysed query and its candidates: what ``search`` reranks and assembles."""
        analysed = analyse(self.context, query, k, mode, filters, lang)
        return analysed, generate(self.context, analysed)

    def rerank_features(self, query: AnalysedQuery, candidates: Candidates) -> tuple[list[Hit], np.ndarray]:
        """The candidates the reranker sees and their features (``rag train-reranker`` learns from them)."""
        return head_features(self.context, query, candidates.ranked, candidates.runs)

    def _second_stage(self, query: AnalysedQuery, candidates: Candidates) -> list[Hit]:
        """Hybrid: the reranker's order (drafts too, unless ``rerank_drafts`` is off); else the first
        stage's."""
        reranker = self.context.reranker
        if query.mode is not Mode.HYBRID or reranker is None:
            return candidates.ranked
        if query.ml_vector is not None:  # learned on English features: the multilingual fusion's order
            return candidates.ranked
        if query.draft is not None and not self.settings.retrieval.rerank_drafts:
            return candidates.ranked
        return reranker.rerank(self.context, query, candidates.ranked, candidates.runs)

    def get(self, passage_id: str) -> Passage:
        """The passage with this id (``NotFoundError`` otherwise)."""
        row = self.context.row_of.get(passage_id)
        if row is None:
            raise NotFoundError(
                f"unknown passage {passage_id!r}",
                hint="ids look like wtdc-25-final-report/res-15/instructs/4",
            )
        return self.context.passages[row]

    def valid_values(self, name: str) -> list[str]:
        """The values a filter field accepts (for error messages and the API's documentation)."""
        return self.context.fields.valid_values(name)
