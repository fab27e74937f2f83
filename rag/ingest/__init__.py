"""Ingest: published files (Word, PDF, HTML, Akoma Ntoso, markdown, text) turned into reading text."""

from rag.ingest.base import Converted, Converter, SourceFormat
from rag.ingest.reading import ReadingText, clean_inline, footnote_call

__all__ = ["Converted", "Converter", "ReadingText", "SourceFormat", "clean_inline", "footnote_call"]
