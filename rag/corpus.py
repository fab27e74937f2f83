"""The corpus folder: source files plus ``documents.json`` naming each one.

Adding a document needs nothing but its file and an entry in ``documents.json``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rag.errors import CorpusError, NotFoundError
from rag.types import DocumentMeta

METADATA_FILE = "documents.json"


@dataclass(frozen=True)
class Corpus:
    """The documents of a corpus folder, in metadata order, and access to their texts."""

    root: Path
    documents: tuple[DocumentMeta, ...]

    def path(self, doc: DocumentMeta) -> Path:
        return self.root / doc.file

    def text(self, doc: DocumentMeta) -> str:
        """The file's decoded text, exactly as passages' offsets index it."""
        try:
            return self.path(doc).read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(
                f"{self.path(doc)} is not UTF-8 (byte {exc.start})",
                hint="convert the file to UTF-8 with LF line endings",
            ) from exc

    def sha256(self, doc: DocumentMeta) -> str:
        return hashlib.sha256(self.path(doc).read_bytes()).hexdigest()

    @cached_property
    def by_id(self) -> dict[str, DocumentMeta]:
        return {d.id: d for d in self.documents}

    def get(self, doc_id: str) -> DocumentMeta:
        try:
            return self.by_id[doc_id]
        except KeyError:
            raise NotFoundError(
                f"unknown document {doc_id!r}", hint=f"known documents: {', '.join(self.by_id)}"
            ) from None


def load_corpus(root: str | Path) -> Corpus:
    """Read ``documents.json`` from ``root`` and check that every named file exists.

    Raises:
        CorpusError: the folder, the metadata file or a named source file is missing, or two
            entries share an id or a file.
    """
    root = Path(root)
    meta_path = root / METADATA_FILE
    if not meta_path.is_file():
        raise CorpusError(
            f"no {METADATA_FILE} in corpus folder {root.resolve()}",
            hint="set RAG_CORPUS_DIR to the folder holding the source files and documents.json",
        )
    try:
        raw = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{meta_path} is not valid JSON: {exc}") from exc
    entries = raw.get("documents") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f'{meta_path} must hold {{"documents": [ ... ]}} with at least one entry')
    documents = tuple(DocumentMeta.from_dict(e) for e in entries)
    for attr in ("id", "file"):
        values = [getattr(d, attr) for d in documents]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise CorpusError(f"{meta_path}: duplicate document {attr}(s): {', '.join(dupes)}")
    missing = [d.file for d in documents if not (root / d.file).is_file()]
    if missing:
        raise CorpusError(
            f"{meta_path} names files that are not in {root}: {', '.join(missing)}",
            hint="copy the files into the corpus folder or remove their entries",
        )
    return Corpus(root=root, documents=documents)
