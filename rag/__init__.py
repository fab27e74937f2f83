"""Retrieval assistant for ITU policy texts: clause-level passages, hybrid search, citations."""

from rag.errors import RagError
from rag.types import ClauseRole, DocumentMeta, Hit, Mode, Passage, PassageKind

__version__ = "0.1.0"

__all__ = ["ClauseRole", "DocumentMeta", "Hit", "Mode", "Passage", "PassageKind", "RagError", "__version__"]
