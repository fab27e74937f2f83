"""Answers from the retrieved passages (extractive, or a language model with an extractive fallback),
and passages shown in their context."""

from rag.answer.assistant import ASK_K, Assistant
from rag.answer.context import ContextIndex, ParentInfo, PassageContext
from rag.answer.extractive import ExtractiveAnswerer, TermIdf, split_sentences
from rag.answer.llm import LLMAnswerer, answerer_for, llm_configured
from rag.answer.types import Answer, AnswerCitation, AnsweredBy, Answerer

__all__ = [
    "ASK_K",
    "Answer",
    "AnswerCitation",
    "AnsweredBy",
    "Answerer",
    "Assistant",
    "ContextIndex",
    "ExtractiveAnswerer",
    "LLMAnswerer",
    "ParentInfo",
    "PassageContext",
    "TermIdf",
    "answerer_for",
    "llm_configured",
    "split_sentences",
]
