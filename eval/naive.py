"""The naive baseline: the common tutorial pipeline, scored on the same gold in the same run.

Each source file's text is cut by langchain-text-splitters' ``RecursiveCharacterTextSplitter``
(1000 characters, 200 overlap, ``add_start_index=True``, so every chunk keeps its offset in the file
and can be scored by span like any passage). The chunks are indexed with the *same* pieces as the
clause-level index, so the comparison shows what parsing and context buy and nothing else: the same
encoder (``rag/index/encoders.py``, the one the index was built with), the same BM25 engine and parameters
(``rag/index/bm25.py``) over the same tokenizer (``rag/index/textindex.py``), and reciprocal rank fusion
(``rag/rank/fusion.py``, the configured RRF constant and branch depth). It gets no query understanding:
no references, no phrase boost, no context fields.

Chunk vectors are cached by text hash (``rag.index.store.cache_key``) in
``<cache_dir>/naive-embeddings.npz``, so only the first run pays for embedding the chunks.

Example:
    >>> index = NaiveIndex.build(corpus, encoder, cache_dir=Path("eval/runs/.cache"))  # doctest: +SKIP
    >>> [c.citation for c in index.search("submarine cables", 3, "hybrid")]  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.corpus import Corpus
from rag.errors import ConfigError
from rag.index.bm25 import BM25Index, BM25Params
from rag.index.dense import DenseIndex
from rag.index.encoders import Encoder
from rag.index.store import EmbeddingCache, cache_key
from rag.index.textindex import tokenize
from rag.rank.retrievers import BM25Retriever, DenseRetriever, HybridRetriever, Retriever
from rag.types import Mode, Passage, PassageKind

logger = logging.getLogger(__name__)

CACHE_FILE = "naive-embeddings.npz"
# The tutorial defaults issue 6 names; variants may change them.
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


@dataclass(frozen=True, slots=True)
class ChunkParams:
    """How the baseline cuts the text (and, for variants, fuses)."""

    chunk_size: int = CHUNK_SIZE
    chunk_overlap: int = CHUNK_OVERLAP

    def __post_init__(self) -> None:
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise ConfigError(
                f"chunk_overlap must be at least 0 and below chunk_size ({self.chunk_size}), "
                f"not {self.chunk_overlap}"
            )


def split_corpus(corpus: Corpus, params: ChunkParams = ChunkParams()) -> list[Passage]:  # noqa: B008
    """Cut every source file into chunks, as ``Passage`` records with their spans in the file.

    Ids are ``<doc id>/chars-<start>`` (stable while the text before the chunk is); the citation names
    the document and the characters, which is all a chunk can say about where it comes from.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=params.chunk_size, chunk_overlap=params.chunk_overlap, add_start_index=True
    )
    chunks: list[Passage] = []
    for meta in corpus.documents:
        text = corpus.text(meta)
        seen: set[str] = set()
        for doc in splitter.create_documents([text]):
            start = int(doc.metadata["start_index"])
            content = doc.page_content
            end = start + len(content)
            # add_start_index finds the chunk with str.find; it must be the exact text at that place
            if start < 0 or text[start:end] != content:
                raise ConfigError(f"{meta.file}: a chunk's start_index {start} does not locate its text")
            pid = f"{meta.id}/chars-{start}"
            if pid in seen or not content.strip():
                continue
            seen.add(pid)
            chunks.append(
                Passage(
                    id=pid,
                    doc=meta.id,
                    source=meta.file,
                    start=start,
                    end=end,
                    text=content,
                    kind=PassageKind.PARAGRAPH.value,
                    citation=f"{meta.short_title}, characters {start}-{end}",
                )
            )
    return chunks


class NaiveIndex:
    """The chunks behind the library's own retrievers: BM25, dense, and their RRF fusion for hybrid."""

    def __init__(
        self,
        chunks: Sequence[Passage],
        bm25: BM25Index,
        dense: DenseIndex,
        encoder: Encoder,
        settings: Settings,
    ) -> None:
        self.passages = tuple(chunks)
        self.row_of = {c.id: row for row, c in enumerate(self.passages)}
        ids = [c.id for c in self.passages]
        self.retrievers: dict[Mode, Retriever] = {
            Mode.BM25: BM25Retriever(bm25, ids),
            Mode.DENSE: DenseRetriever(dense, encoder, ids),
        }
        self.retrievers[Mode.HYBRID] = HybridRetriever(
            self.retrievers[Mode.BM25],  # type: ignore[arg-type]
            self.retrievers[Mode.DENSE],  # type: ignore[arg-type]
            method=settings.retrieval.fusion,
            weights={"bm25": settings.retrieval.weight_bm25, "dense": settings.retrieval.weight_dense},
            rrf_k=settings.retrieval.rrf_k,
            depth=settings.retrieval.branch_depth,
        )

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        encoder: Encoder,
        settings: Settings,
        *,
        params: ChunkParams = ChunkParams(),  # noqa: B008
        cache_dir: Path | None = None,
        show_progress: bool | None = None,
    ) -> NaiveIndex:
        """Chunk the corpus and index the chunks (vectors from the cache where possible)."""
        started = time.perf_counter()
        chunks = split_corpus(corpus, params)
        texts = [c.text for c in chunks]
        bm25 = BM25Index.fit(
            [tokenize(t) for t in texts],
            BM25Params(settings.index.bm25_k1, settings.index.bm25_b, settings.index.bm25_epsilon),
        )
        vectors = embed_cached(texts, encoder, cache_dir, show_progress=show_progress)
        dense = DenseIndex.from_vectors(vectors)
        logger.info(
            "naive baseline: %d chunks of %d/%d characters indexed in %.1f s",
            len(chunks),
            params.chunk_size,
            params.chunk_overlap,
            time.perf_counter() - started,
        )
        return cls(chunks, bm25, dense, encoder, settings)

    def search(self, query: str, k: int, mode: Mode | str) -> list[tuple[Passage, float]]:
        """The ``k`` best chunks for the query in this mode, best first, with their scores."""
        hits = self.retrievers[Mode.from_str(str(mode))].search(query, k)
        return [(self.passages[self.row_of[h.passage_id]], h.score) for h in hits[:k]]


def embed_cached(
    texts: Sequence[str], encoder: Encoder, cache_dir: Path | None, *, show_progress: bool | None = None
) -> np.ndarray:
    """Passage vectors of ``texts``, reading and updating ``<cache_dir>/naive-embeddings.npz``."""
    keys = [cache_key(encoder.name, t) for t in texts]
    path = cache_dir / CACHE_FILE if cache_dir is not None else None
    cache = EmbeddingCache.read(path, encoder.dim) if path is not None else EmbeddingCache()
    missing = list(dict.fromkeys(t for t, key in zip(texts, keys, strict=True) if key not in cache.vectors))
    if missing:
        logger.info(
            "naive baseline: embedding %d chunks (%d cached)", len(missing), len(texts) - len(missing)
        )
        vectors = encoder.embed_passages(missing, show_progress=show_progress)
        for text, vector in zip(missing, vectors, strict=True):
            cache.vectors[cache_key(encoder.name, text)] = vector
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            cache.write(path, keys, limit=2 * len(keys) + 1000)
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([cache.vectors[key] for key in keys]).astype(np.float32)
