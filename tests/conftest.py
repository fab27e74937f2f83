"""Shared fixtures: the real corpus, parsed once per session."""

from __future__ import annotations

import os
from functools import cache, lru_cache

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

from rag.config import REPO_ROOT  # noqa: E402
from rag.corpus import Corpus, load_corpus  # noqa: E402
from rag.parse import parse_document  # noqa: E402
from rag.types import ParsedDocument  # noqa: E402

CORPUS_DIR = REPO_ROOT / "corpus"


@lru_cache(maxsize=1)
def _corpus() -> Corpus:
    return load_corpus(CORPUS_DIR)


@cache
def parsed_doc(doc_id: str) -> ParsedDocument:
    """Parse one real document once per test session."""
    corpus = _corpus()
    meta = corpus.get(doc_id)
    return parse_document(meta, corpus.text(meta))


def source_text(doc_id: str) -> str:
    corpus = _corpus()
    return corpus.text(corpus.get(doc_id))


def passage(doc_id: str, passage_id: str):  # type: ignore[no-untyped-def]
    """The passage with this id, or a failure listing near misses."""
    doc = parsed_doc(doc_id)
    for p in doc.passages:
        if p.id == passage_id:
            return p
    prefix = passage_id.rsplit("/", 1)[0]
    near = [p.id for p in doc.passages if p.id.startswith(prefix)][:20]
    pytest.fail(f"no passage {passage_id!r}; ids under {prefix!r}: {near}")


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return _corpus()


DOC_IDS = [d.id for d in load_corpus(CORPUS_DIR).documents]
