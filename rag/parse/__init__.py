"""Parse source documents into passages: one parser per document kind, plain paragraphs otherwise.

Example:
    >>> from rag.corpus import load_corpus
    >>> from rag.parse import parse_document
    >>> corpus = load_corpus("corpus")                      # doctest: +SKIP
    >>> doc = parse_document(corpus.documents[0], corpus.text(corpus.documents[0]))  # doctest: +SKIP
"""

from __future__ import annotations

import logging

from rag.errors import ParseError
from rag.parse.plain import parse_plain
from rag.parse.tree import DocumentParser, Node, ParseContext, build_document
from rag.types import DocumentMeta, ParsedDocument

logger = logging.getLogger(__name__)


def _registry() -> dict[str, DocumentParser]:
    # Imported here so that a broken structure parser cannot stop the fallback from working.
    from rag.parse.documents import PARSERS

    return PARSERS


def parse_document(meta: DocumentMeta, text: str, *, quiet: bool = False) -> ParsedDocument:
    """Parse one document by its ``kind``; unknown kinds and failures fall back to plain paragraphs.

    A failure is never silent: the returned document carries a warning naming the file and line
    (also logged, unless ``quiet``: a trial parse whose warnings the caller reports itself).
    """
    parser = _registry().get(meta.kind)
    ctx = ParseContext(meta=meta, text=text, quiet=quiet)
    if parser is None:
        ctx.warn(1, f"no structure parser for kind {meta.kind!r}; indexed as plain paragraphs")
        return build_document(ctx, parse_plain(ctx))
    try:
        return build_document(ctx, parser(ctx))
    except (ParseError, ValueError, IndexError, KeyError) as exc:
        line_no = ctx.line_at(exc.offset).no if isinstance(exc, ParseError) and exc.offset else 1
        fallback = ParseContext(meta=meta, text=text, quiet=quiet)
        fallback.warn(
            line_no,
            f"structure parser for kind {meta.kind!r} failed ({exc}); indexed as plain paragraphs",
        )
        return build_document(fallback, parse_plain(fallback))


__all__ = ["DocumentParser", "Node", "ParseContext", "build_document", "parse_document"]
