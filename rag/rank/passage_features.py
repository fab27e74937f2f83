"""What the reranker's features read of every passage, computed once per loaded index.

Token sets of each passage's text, context, citation and addressee (BM25 tokens, so coverage is
measured as BM25 matches), its kind, length, whether it holds dates or figures, the roles its block
speaks in (``rag.query.intents.block_roles``), its document; and, on demand, its folded words joined
for the phrase and bigram features. ``rag.rank.features`` reads them for each candidate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from rag.index.shingles import folded_words
from rag.index.textindex import tokenize
from rag.query.intents import block_roles
from rag.types import Passage, PassageKind

KINDS: tuple[str, ...] = tuple(PassageKind.values())
_NUMBER = re.compile(r"\d")
_MONTH = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"19\d\d|20\d\d)\b",
    re.I,
)


class PassageFeatures:
    """What the features need of every passage, computed once per loaded index (about half a second)."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        cache: dict[str, frozenset[str]] = {}

        def tokens(text: str) -> frozenset[str]:
            found = cache.get(text)
            if found is None:
                found = cache[text] = frozenset(tokenize(text))
            return found

        self.text = [frozenset(tokenize(p.text)) for p in passages]
        self.context = [tokens(p.context) for p in passages]
        self.citation = [tokens(p.citation) for p in passages]
        self.addressee = [tokens(p.addressee) if p.addressee else frozenset() for p in passages]
        self.kind = np.array(
            [KINDS.index(p.kind) if p.kind in KINDS else -1 for p in passages], dtype=np.float64
        )
        self.length = np.log1p(np.array([len(p.text) for p in passages], dtype=np.float64))
        self.dated = np.array([bool(_MONTH.search(p.text)) for p in passages])
        self.figures = np.array([bool(_NUMBER.search(p.text)) for p in passages])
        self.clause = [p.clause or "" for p in passages]
        self.roles = [block_roles(p.clause, p.lead_in) for p in passages]
        self.doc = [p.doc for p in passages]
        # the same values as Python lists: ``features`` reads one item per candidate, and indexing a
        # list is several times cheaper than indexing an array and converting the numpy scalar
        self.kind_values: list[float] = self.kind.tolist()
        self.length_values: list[float] = self.length.tolist()
        self.dated_values: list[bool] = self.dated.tolist()
        self.figures_values: list[bool] = self.figures.tolist()
        self._words: dict[int, str] = {}
        self._word_sets: dict[int, frozenset[str]] = {}
        self._texts = [p.text for p in passages]

    def joined_words(self, row: int) -> str:
        """The passage text's folded words joined by spaces, with a space at each end (cached)."""
        found = self._words.get(row)
        if found is None:
            found = self._words[row] = " " + " ".join(folded_words(self._texts[row])) + " "
        return found

    def word_set(self, row: int) -> frozenset[str]:
        """The words of ``joined_words(row)`` (cached): a word w is one of them iff " w " is in it."""
        found = self._word_sets.get(row)
        if found is None:
            found = self._word_sets[row] = frozenset(self.joined_words(row).split())
        return found
