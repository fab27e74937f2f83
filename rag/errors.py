"""Errors raised by the library, each saying what happened and what to do next.

    RagError
    ├── ConfigError          a setting, option, filter or argument has a bad value
    ├── QueryError           a query the retriever cannot run (empty, too long, bad k)
    ├── ParseError           a source file could not be read as expected (carries file and offset)
    ├── CorpusError          the corpus folder or its documents.json is missing or inconsistent
    │   ├── DocumentExistsError  the file or the id asked for is already in the corpus
    │   └── NotRemovableError    a document `rag remove` does not own (a seed, an entry by hand)
    ├── DocumentError        a file given to `rag add` cannot become text (``rag.ingest``)
    │   ├── UnsupportedFormatError   not a format the converters read, or not the format it claims
    │   ├── EncryptedDocumentError   password-protected or encrypted
    │   ├── NoTextLayerError         a scan: pages without a text layer
    │   ├── DocumentTooLargeError    over the size limit (``Settings.index.max_document_bytes``)
    │   └── UnreadableDocumentError  damaged: the converter's library could not open it
    ├── NotFoundError        an unknown passage or document id
    ├── LanguageModelError   the configured language model gave no usable answer (``rag.answer.llm``)
    └── IndexError_          base of index problems
        ├── IndexMissingError    no index has been built at the configured place
        ├── IndexStaleError      the index was built from other corpus files or settings
        └── IndexCorruptError    an index file does not match the checksum in its manifest

The CLI prints a ``RagError`` as one line and exits non-zero; the API maps each class to an HTTP status.
"""

from __future__ import annotations


class RagError(Exception):
    """Base of every error this library raises on purpose."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message} ({self.hint})" if self.hint else message

    @property
    def message(self) -> str:
        return super().__str__()


class ConfigError(RagError, ValueError):
    """A setting, option, filter or argument has a value the library cannot use."""


class QueryError(RagError, ValueError):
    """A query the retriever cannot run: empty, too long, or asking for an impossible k."""


class ParseError(RagError):
    """A source file could not be parsed as expected."""

    def __init__(self, message: str, *, file: str, offset: int | None = None, hint: str | None = None):
        where = file if offset is None else f"{file} at offset {offset}"
        super().__init__(f"{where}: {message}", hint=hint)
        self.file = file
        self.offset = offset


class CorpusError(RagError):
    """The corpus folder or its metadata file is missing or inconsistent."""


class DocumentExistsError(CorpusError):
    """The file, or the id asked for, is already in the corpus."""


class NotRemovableError(CorpusError):
    """The document was not added with ``rag add``, so ``rag remove`` does not delete its files."""


class DocumentError(RagError):
    """A file given to ``rag add`` (or ``POST /admin/documents``) cannot be turned into text."""


class UnsupportedFormatError(DocumentError):
    """Not a format the converters read, or its bytes are not the format its name claims."""


class EncryptedDocumentError(DocumentError):
    """The file is password-protected or encrypted."""


class NoTextLayerError(DocumentError):
    """The file has pages but no text to extract (a scan without a text layer)."""


class DocumentTooLargeError(DocumentError):
    """The file is larger than the configured limit."""


class UnreadableDocumentError(DocumentError):
    """The file is damaged: the converter's library could not open it."""


class NotFoundError(RagError, KeyError):
    """An unknown passage or document id."""

    def __str__(self) -> str:  # KeyError's would quote the message, and so would RagError's through it
        return f"{self.message} ({self.hint})" if self.hint else self.message

    @property
    def message(self) -> str:
        return Exception.__str__(self)


class LanguageModelError(RagError):
    """The configured language model gave no usable answer; the message says why (answers fall back)."""


class IndexError_(RagError):  # noqa: N801 - trailing underscore avoids shadowing the builtin IndexError
    """Base of problems with the built index."""

    hint = "run `rag build` to (re)build the index"


class IndexMissingError(IndexError_):
    """No index has been built at the configured place."""


class IndexStaleError(IndexError_):
    """The index was built from other corpus files or other settings than the current ones."""


class IndexCorruptError(IndexError_):
    """An index file is truncated or altered: its checksum differs from the manifest's."""
