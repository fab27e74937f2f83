"""What query analysis reads of a loaded index, built once per index.

``QueryContext`` holds the passages and their row lookup, the reference resolver, the filter fields,
the citator, the phrase indexes, the acronym vocabulary, the spelling corrector and the query encoder.
``rag.rank.context.SearchContext`` extends it with what ranking reads (retrievers, shingles, the
reranker's passage features), so one object serves every stage and ``rag.query`` never imports
``rag.rank``. It is frozen: an index swap builds a new one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.citator.citator import Citator
from rag.config import Settings
from rag.index.encoders import Encoder, embed_query_later
from rag.index.phrases import PhraseIndex
from rag.index.store import LoadedIndex
from rag.index.vocabulary import VocabularyMatcher
from rag.query.analysis import ReferenceResolver
from rag.query.filters import PassageFields
from rag.query.spelling import SpellingCorrector
from rag.types import Passage


def _foreign_rows(passages: Sequence[Passage], index: LoadedIndex) -> np.ndarray | None:
    """The rows of passages in documents whose language is set and is not English, or None."""
    foreign = {d.id for d in index.documents if d.lang and d.lang.lower().split("-")[0] != "en"}
    if not foreign:
        return None
    return np.array([p.doc in foreign for p in passages], dtype=bool)


@dataclass(frozen=True, kw_only=True, eq=False)
class QueryContext:
    """The read side of one loaded index, as query analysis needs it."""

    settings: Settings
    index: LoadedIndex
    encoder: Encoder
    passages: Sequence[Passage]
    ids: Sequence[str]
    row_of: Mapping[str, int]
    resolver: ReferenceResolver
    fields: PassageFields
    citator: Citator
    phrases: PhraseIndex
    vocabulary: VocabularyMatcher | None
    speller: SpellingCorrector | None
    # the multilingual leg's query encoder (rag.index.multilingual); None: English only
    multilingual: Encoder | None = None
    # rows of the passages of documents in another language than English (an added French or Spanish
    # text), which an English question reaches through the multilingual leg; None: there are none
    foreign_rows: np.ndarray | None = None

    @staticmethod
    def parts(
        index: LoadedIndex, encoder: Encoder, settings: Settings, multilingual: Encoder | None = None
    ) -> dict[str, Any]:
        """The fields of a ``QueryContext`` over ``index`` (``SearchContext.build`` adds its own).

        ``multilingual`` is left out (no leg) when the index has no multilingual vectors.
        """
        passages = index.passages
        ids = [p.id for p in passages]
        citator = Citator.from_index(index)
        return {
            "settings": settings,
            "index": index,
            "encoder": encoder,
            "passages": passages,
            "ids": ids,
            "row_of": {pid: row for row, pid in enumerate(ids)},
            "resolver": ReferenceResolver(passages, index.documents),
            "fields": PassageFields(passages, index.documents, citator),
            "citator": citator,
            "phrases": PhraseIndex([p.text for p in passages]),
            "vocabulary": index.vocabulary.matcher() if index.vocabulary is not None else None,
            "speller": (
                SpellingCorrector.build(f"{p.citation} {p.context} {p.text}" for p in passages)
                if settings.retrieval.spelling
                else None
            ),
            "multilingual": multilingual if index.multilingual is not None else None,
            "foreign_rows": _foreign_rows(passages, index),
        }

    @property
    def reaches_foreign(self) -> bool:
        """Whether an English query needs its multilingual vector: some passages are in another
        language and the leg is on."""
        return self.foreign_rows is not None and self.settings.retrieval.multilingual

    @functools.cached_property
    def context_phrases(self) -> PhraseIndex:
        """Quoted phrases in the passages' contexts (headings, lead-ins), built on first use."""
        return PhraseIndex([p.context for p in self.passages])

    def embed(self, text: str) -> np.ndarray:
        """The query's vector (L2-normalised by the encoder)."""
        return self.encoder.embed_queries([text])[0]

    def embed_later(self, text: str) -> Future[np.ndarray]:
        """The query's vector, computed in the background (``rag.index.encoders.embed_query_later``)
        while the rest of the query is read."""
        return embed_query_later(self.encoder, text)

    def embed_multilingual_later(self, text: str) -> Future[np.ndarray] | None:
        """The query's vector in the multilingual space, computed in the background
        (``rag.index.encoders.embed_query_later``) while the rest of the query is read; None when
        there is no multilingual leg."""
        if self.multilingual is None:
            return None
        return embed_query_later(self.multilingual, text)

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25 idf of the terms the index knows (the others are left out)."""
        bm25 = self.index.bm25
        return {t: float(bm25.idf[bm25.term_ids[t]]) for t in terms if t in bm25.term_ids}
