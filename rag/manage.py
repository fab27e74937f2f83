"""Add or remove documents and bring the index up to date: what ``rag add``, ``rag remove`` and
``/admin/documents`` call.

The corpus work is ``rag.ingest.library``'s; this module runs it with the index build after it, so
that the corpus and the index change together: when the build fails, the corpus is put back as it
was and the error is raised, leaving the previous corpus and index intact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from rag.corpus import load_corpus
from rag.index.store import BuildReport, build_index
from rag.ingest.library import Overrides, Prepared, add_prepared, prepare, remove_from_corpus, restore_entries
from rag.types import DocumentMeta

Builder = Callable[[Settings], BuildReport]
"""Brings the index up to date with the corpus (``settings.index``); tests and the API inject one."""


@dataclass(frozen=True, slots=True)
class AddResult:
    """What ``add_documents`` did: the documents prepared and written, and the build (None if skipped)."""

    added: tuple[Prepared, ...]
    build: BuildReport | None


@dataclass(frozen=True, slots=True)
class RemoveResult:
    removed: DocumentMeta
    build: BuildReport | None


def add_documents(
    settings: Settings,
    files: Sequence[tuple[bytes, str]],
    *,
    overrides: Overrides = Overrides(),  # noqa: B008 - frozen, never mutated
    build: bool = True,
    builder: Builder | None = None,
    show_progress: bool | None = None,
) -> AddResult:
    """Add files (their bytes and names) to the corpus and rebuild the index; all or nothing.

    Every file is converted and parsed before anything is written, so one bad file leaves the corpus
    as it was. Overrides with an ``id`` apply to one file only.

    Raises:
        DocumentError: a file cannot be read (its message names the file and the problem).
        CorpusError: a file is already in the corpus, or the id asked for is taken.
        ConfigError: an override is invalid, or an ``id`` was given for several files.
    """
    from rag.errors import ConfigError

    if overrides.id is not None and len(files) != 1:
        raise ConfigError("--id names one document; give one file with it", hint="add the files one by one")
    corpus_dir = settings.index.corpus_dir
    corpus = load_corpus(corpus_dir)
    taken = {d.id for d in corpus.documents}
    prepared: list[Prepared] = []
    for data, name in files:
        item = prepare(
            data, name, overrides=overrides, taken=taken, max_bytes=settings.index.max_document_bytes
        )
        taken.add(item.meta.id)
        prepared.append(item)
    add_prepared(corpus_dir, prepared)
    report = _build_or_restore(settings, corpus.documents, {}, builder, show_progress) if build else None
    return AddResult(tuple(prepared), report)


def remove_document(
    settings: Settings,
    doc_id: str,
    *,
    build: bool = True,
    builder: Builder | None = None,
    show_progress: bool | None = None,
) -> RemoveResult:
    """Remove an added document from the corpus and rebuild the index without it."""
    corpus = load_corpus(settings.index.corpus_dir)
    meta = corpus.get(doc_id)
    saved = _files(settings.index.corpus_dir, meta)
    removed = remove_from_corpus(settings.index.corpus_dir, doc_id)
    report = _build_or_restore(settings, corpus.documents, saved, builder, show_progress) if build else None
    return RemoveResult(removed, report)


def _files(corpus_dir: Path, meta: DocumentMeta) -> dict[str, bytes]:
    return {
        f: (corpus_dir / f).read_bytes()
        for f in (meta.file, meta.original)
        if f and (corpus_dir / f).is_file()
    }


def _build_or_restore(
    settings: Settings,
    before: Sequence[DocumentMeta],
    files: dict[str, bytes],
    builder: Builder | None,
    show_progress: bool | None,
) -> BuildReport:
    try:
        if builder is not None:
            return builder(settings)
        return build_index(settings, show_progress=show_progress)
    except BaseException:
        restore_entries(settings.index.corpus_dir, before, files)
        raise
