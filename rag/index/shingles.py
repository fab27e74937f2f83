"""Word 3-grams (shingles) of every passage: what "the same wording" means to the precedent search.

Words are folded (case, punctuation, British spellings: ``rag.index.vocabulary.fold_spelling``), so
"recognising" and "recognizing" are one word. The index is built once per loaded index
(``rag.rank.context``); the draft ranking (``rag.rank.drafts``), the reranker's ``wording`` feature and
the drafter's view (``rag.precedents.finder``) read it.

Example:
    >>> index = ShingleIndex(["to develop handbooks on technology", "develop handbooks on it"])
    >>> index.shared_counts(Words.of("develop handbooks on").shingles()).tolist()
    [1, 1]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.index.textindex import normalize_text
from rag.index.vocabulary import fold_spelling

SHINGLE = 3  # words per shingle: two-word runs recur everywhere ("Member States"), three rarely by chance

_WORD = re.compile(r"[^\W_]+")


def folded_words(text: str) -> list[str]:
    """The text's words, normalised and spelling-folded (no spans)."""
    return [fold_spelling(w) for w in _WORD.findall(normalize_text(text))]


@dataclass(frozen=True, slots=True)
class Words:
    """A text's folded words with their character spans in the text."""

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, text: str) -> Words:
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        for m in _WORD.finditer(text):
            words.append(fold_spelling(normalize_text(m.group())))
            spans.append((m.start(), m.end()))
        return cls(tuple(words), tuple(spans))

    def shingles(self) -> set[tuple[str, ...]]:
        w = self.words
        return {w[i : i + SHINGLE] for i in range(len(w) - SHINGLE + 1)}


class ShingleIndex:
    """Postings of every passage's word 3-grams, and every passage's folded words joined for look-ups.

    Built once per loaded index (about half a second for 6,000 passages).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        postings: dict[tuple[str, ...], list[int]] = {}
        counts = np.zeros(self.size, dtype=np.int32)
        parts: list[str] = []
        for row, text in enumerate(texts):
            words = Words.of(text)
            keys = words.shingles()
            counts[row] = len(keys)
            for key in keys:
                postings.setdefault(key, []).append(row)
            parts.append(" " + " ".join(words.words) + " ")
        self.postings = {key: np.asarray(rows, dtype=np.int32) for key, rows in postings.items()}
        self.shingle_counts = counts
        self._starts = np.cumsum([0] + [len(p) + 1 for p in parts[:-1]]) if parts else np.zeros(0, int)
        self._joined = "\n".join(parts)

    def shared_counts(self, keys: set[tuple[str, ...]] | frozenset[tuple[str, ...]]) -> np.ndarray:
        """For every passage, how many of ``keys`` (distinct shingles) it holds."""
        counts = np.zeros(self.size, dtype=np.int32)
        for key in keys:
            rows = self.postings.get(key)
            if rows is not None:
                counts[rows] += 1
        return counts

    def dice(self, keys: set[tuple[str, ...]]) -> np.ndarray:
        """Shingle Dice of every passage with a text whose shingles are ``keys``."""
        shared = self.shared_counts(keys).astype(np.float64)
        denominator = len(keys) + self.shingle_counts
        return np.divide(2 * shared, denominator, out=np.zeros_like(shared), where=denominator > 0)

    def rows_holding(self, words: Sequence[str]) -> list[int]:
        """Passages whose folded words hold this word sequence."""
        needle = " " + " ".join(words) + " "
        rows: list[int] = []
        pos = self._joined.find(needle)
        while pos >= 0:
            row = int(np.searchsorted(self._starts, pos, side="right") - 1)
            rows.append(row)
            nxt = self._starts[row + 1] if row + 1 < self.size else len(self._joined)
            pos = self._joined.find(needle, int(nxt))
        return rows
