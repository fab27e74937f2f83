"""Adding documents to the corpus and removing them: ``rag add``, ``rag remove``, ``/admin/documents``.

Adding a file is three steps, and nothing is written until the first two succeed for every file:

1. **prepare**: convert it (``rag.ingest.formats``), read its metadata from the text
   (``rag.ingest.metadata``) with the caller's overrides on top, choose an id, parse it with the
   reader of instruments and make its structure report (``rag.parse.structure``);
2. **write**: the reading text as ``corpus/<id>.txt`` (what every passage's span indexes), the
   original file beside it as ``corpus/<id>.source.<ext>``, and its entry in ``documents.json`` with
   the original's sha256, all under a lock, the JSON replaced atomically;
3. **index**: the caller runs ``rag.index.store.build_index``, which reparses only the new document
   and embeds only its passages (the embedding cache holds the rest). If the build fails, the
   corpus is put back as it was.

Removing a document deletes its two files and its entry; the next build leaves the index as if it
had never been added. Only documents added this way can be removed: the seed documents and entries
written by hand are not this module's to delete.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePath

from rag.corpus import METADATA_FILE, load_corpus
from rag.errors import (
    DocumentExistsError,
    DocumentTooLargeError,
    NoTextLayerError,
    NotRemovableError,
)
from rag.ingest.base import Converted
from rag.ingest.formats import convert
from rag.ingest.metadata import DetectedMeta, detect_metadata, document_id, with_overrides
from rag.parse import parse_document
from rag.parse.structure import StructureReport
from rag.types import DocumentMeta

logger = logging.getLogger(__name__)

LOCK_FILE = ".corpus.lock"


@dataclass(frozen=True, slots=True)
class Overrides:
    """Metadata given by the user; None leaves what was read from the text."""

    id: str | None = None
    title: str | None = None
    short_title: str | None = None
    event: str | None = None
    date: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A file ready to be written: its entry, its reading text, its bytes and what the reader found."""

    meta: DocumentMeta
    converted: Converted
    data: bytes
    report: StructureReport

    @property
    def source_file(self) -> str:
        return self.meta.original


def prepare(
    data: bytes,
    name: str,
    *,
    overrides: Overrides = Overrides(),  # noqa: B008 - frozen, never mutated
    taken: set[str],
    max_bytes: int,
) -> Prepared:
    """Convert, describe and parse one file without writing anything (see the module docstring).

    Raises:
        DocumentError: the file is too large, not a format read here, encrypted, a scan, damaged.
        ConfigError: an override is not valid (an id with capitals or spaces).
        CorpusError: the id asked for is taken.
    """
    if len(data) > max_bytes:
        raise DocumentTooLargeError(
            f"{name} is {len(data) / 2**20:.1f} MiB, over the limit of {max_bytes / 2**20:.0f} MiB",
            hint="split the document, or raise RAG_MAX_DOCUMENT_BYTES",
        )
    converted = convert(data, name)
    if not any(ch.isalnum() for ch in converted.text):
        raise NoTextLayerError(
            f"{name} holds no text", hint="a scanned document needs OCR before it can be added"
        )
    detected = with_overrides(detect_metadata(converted, name), **_meta_overrides(overrides))
    doc_id = overrides.id or document_id(detected, name, taken)
    if doc_id in taken:
        raise DocumentExistsError(
            f"document id {doc_id!r} is already in the corpus",
            hint=f"choose another --id, or remove the old one first: rag remove {doc_id}",
        )
    meta = _entry(doc_id, name, data, detected, converted)
    parsed = parse_document(meta, converted.text, quiet=True)
    return Prepared(meta, converted, data, StructureReport.of(parsed, converted.text))


def add_prepared(corpus_dir: Path, items: Sequence[Prepared]) -> list[DocumentMeta]:
    """Write prepared files into the corpus: texts, originals and ``documents.json`` entries, or nothing.

    Raises:
        CorpusError: a file of the same bytes is already in the corpus, or a target file exists.
    """
    with corpus_lock(corpus_dir):
        corpus = load_corpus(corpus_dir)
        by_sha = {d.original_sha256: d.id for d in corpus.documents if d.original_sha256}
        for item in items:
            if item.meta.original_sha256 in by_sha:
                raise DocumentExistsError(
                    f"{item.meta.original.split('.source')[0]}: this file is already in the corpus as "
                    f"{by_sha[item.meta.original_sha256]!r}",
                    hint="nothing to do; to add it again, first: "
                    f"rag remove {by_sha[item.meta.original_sha256]}",
                )
            for file in (item.meta.file, item.meta.original):
                if (corpus_dir / file).exists():
                    raise DocumentExistsError(
                        f"{corpus_dir / file} already exists", hint="choose another --id"
                    )
        written: list[Path] = []
        try:
            for item in items:
                written.append(_write(corpus_dir / item.meta.file, item.converted.text.encode("utf-8")))
                written.append(_write(corpus_dir / item.meta.original, item.data))
            _write_entries(corpus_dir, [*corpus.documents, *(i.meta for i in items)])
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return [i.meta for i in items]


def remove_from_corpus(corpus_dir: Path, doc_id: str) -> DocumentMeta:
    """Delete an added document's text, original and entry.

    Raises:
        NotFoundError: no document has this id.
        CorpusError: the document was not added with ``rag add`` (a seed or a hand-written entry).
    """
    with corpus_lock(corpus_dir):
        corpus = load_corpus(corpus_dir)
        meta = corpus.get(doc_id)
        if not meta.original:
            raise NotRemovableError(
                f"{doc_id!r} was not added with `rag add`; its files are not removed by `rag remove`",
                hint=f"to drop it, delete its entry from {corpus_dir / METADATA_FILE} by hand",
            )
        _write_entries(corpus_dir, [d for d in corpus.documents if d.id != doc_id])
        for file in (meta.file, meta.original):
            (corpus_dir / file).unlink(missing_ok=True)
    logger.info("removed %s (%s, %s)", doc_id, meta.file, meta.original)
    return meta


def restore_entries(corpus_dir: Path, documents: Sequence[DocumentMeta], files: dict[str, bytes]) -> None:
    """Put the corpus back as it was (after a failed build): the entries and the files given."""
    with corpus_lock(corpus_dir):
        current = load_corpus(corpus_dir)
        keep = {d.file for d in documents} | {d.original for d in documents if d.original}
        for meta in current.documents:
            for file in (meta.file, meta.original):
                if file and file not in keep:
                    (corpus_dir / file).unlink(missing_ok=True)
        for file, data in files.items():
            if not (corpus_dir / file).exists():
                _write(corpus_dir / file, data)
        _write_entries(corpus_dir, list(documents))


@contextlib.contextmanager
def corpus_lock(corpus_dir: Path) -> Iterator[None]:
    """One writer of the corpus folder at a time (``rag add`` in a shell and the API, say)."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with open(corpus_dir / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _meta_overrides(overrides: Overrides) -> dict[str, str | None]:
    return {k: getattr(overrides, k) for k in ("title", "short_title", "event", "date", "lang")}


def _entry(doc_id: str, name: str, data: bytes, detected: DetectedMeta, converted: Converted) -> DocumentMeta:
    suffix = PurePath(name).suffix.lower() or f".{converted.format.value}"
    return DocumentMeta(
        id=doc_id,
        file=f"{doc_id}.txt",
        title=detected.title or PurePath(name).stem,
        short_title=detected.short_title or detected.title[:60] or doc_id,
        event=detected.event,
        date=detected.date,
        kind="auto",
        symbol=detected.symbol,
        lang=detected.lang,
        format=converted.format.value,
        original=f"{doc_id}.source{suffix}",
        original_sha256=hashlib.sha256(data).hexdigest(),
        added=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


def _write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def _write_entries(corpus_dir: Path, documents: Sequence[DocumentMeta]) -> None:
    path = corpus_dir / METADATA_FILE
    raw = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"schema": 1}
    raw["documents"] = [d.to_dict() for d in documents]
    _write(path, (json.dumps(raw, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def without_added(meta: DocumentMeta) -> DocumentMeta:
    """The entry with its time of adding cleared (for comparisons that should not depend on it)."""
    return replace(meta, added="")
