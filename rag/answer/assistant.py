"""One loaded index as a reader uses it beyond search: answers, passages in context, their versions.

``Assistant.from_searcher`` is the one place that reads a ``Searcher``'s insides (the BM25 idf and the
query encoder for the extractive answer; the index's documents, outlines and versions for context):
everything else (the CLI, the API, the harness) asks the assistant.

Example:
    >>> assistant = Assistant.load()                                           # doctest: +SKIP
    >>> answer = assistant.ask("What should BDT do about technology transfer handbooks?")  # doctest: +SKIP
    >>> answer.answered_by, answer.citations[0].id                             # doctest: +SKIP
    (<AnsweredBy.EXTRACTIVE: 'extractive'>, 'wtdc-25-final-report/res-15/instructs/4')
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from rag.answer.context import ContextIndex, PassageContext
from rag.answer.extractive import ExtractiveAnswerer, TermIdf
from rag.answer.llm import answerer_for
from rag.answer.types import Answer, Answerer
from rag.citator.versions import VersionIndex
from rag.config import LLMSettings, Settings
from rag.index.encoders import Encoder
from rag.rank.search import Searcher
from rag.types import SearchFilters

logger = logging.getLogger(__name__)

ASK_K = 5  # passages retrieved for a question (the answer quotes from them): POST /ask's default


@dataclass(frozen=True)
class Assistant:
    """A searcher with what answering and reading derive from its index, built once; never mutated.

    Args:
        searcher: the loaded index's search facade.
        contexts: each passage's place in its document (``rag.answer.context``).
        extractive: the extractive answerer over this index.
        versions: aligned drafts and counterparts, revision records (``rag.citator.versions``).
        llm: the language model settings ``ask`` uses unless told otherwise.
    """

    searcher: Searcher = field(repr=False)
    contexts: ContextIndex = field(repr=False)
    extractive: ExtractiveAnswerer = field(repr=False)
    versions: VersionIndex = field(repr=False)
    llm: LLMSettings = field(repr=False)

    @classmethod
    def load(cls, settings: Settings | None = None, *, encoder: Encoder | None = None) -> Assistant:
        """Load the index (``Searcher.load``: errors name `rag build`) and derive the rest."""
        return cls.from_searcher(Searcher.load(settings, encoder=encoder))

    @classmethod
    def from_searcher(cls, searcher: Searcher) -> Assistant:
        """Derive the answerer, the contexts and the versions from a loaded searcher (~0.1 s).

        The only reader of the searcher's insides (``index.bm25``, ``encoder``, ``index.*``).
        """
        index = searcher.index
        versions = index.versions
        if versions is None:  # an index built before versions.json existed: align now (about a second)
            logger.warning("the index has no versions.json; run `rag build` to add it")
            versions = VersionIndex.build(searcher.passages, index.documents)
        return cls(
            searcher=searcher,
            contexts=ContextIndex.build(searcher.passages, index.documents, index.outlines, index.structure),
            extractive=ExtractiveAnswerer(
                encoder=searcher.encoder,
                idf=TermIdf(index.bm25.term_ids, index.bm25.idf),
                multilingual=searcher.multilingual,
            ),
            versions=versions,
            llm=searcher.settings.llm,
        )

    def answerer(self, llm: LLMSettings | None = None) -> Answerer:
        """The language model of ``llm`` (default: this assistant's) with the extractive fallback, or
        the extractive answerer when none is configured."""
        return answerer_for(self.llm if llm is None else llm, self.extractive)

    def ask(
        self,
        question: str,
        *,
        k: int = ASK_K,
        filters: SearchFilters | None = None,
        llm: LLMSettings | None = None,
        lang: str | None = None,
    ) -> Answer:
        """Search (hybrid) and answer from the top ``k`` passages; ``lang``: the question's language
        (None: detected).

        Raises:
            QueryError, ConfigError: as ``Searcher.search`` (empty question, bad ``k``, unknown filter value).
        """
        results = self.searcher.search(question, k=k, filters=filters, lang=lang)
        return self.answerer(llm).answer(question, results)

    def context(self, passage_id: str) -> PassageContext:
        """The passage with this id, its parent heading and lead-in, and its neighbours.

        Raises:
            NotFoundError: no passage has this id.
        """
        return self.contexts.of(passage_id)
