"""The phrase index: every passage's words, folded and joined, so a quoted phrase is found with ``str.find``.

Search builds one over the passages' texts and one over their contexts (headings, lead-ins), once per
loaded index (``rag.rank.context``), and reads it for quoted phrases and the exact-wording run.

Example:
    >>> index = PhraseIndex(["Member\u00a0States, Sector Members", "member states only"])
    >>> index.rows(["states", "sector"]).tolist()
    [True, False]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.index.textindex import words


class PhraseIndex:
    """Every passage's words, folded and joined, so a word sequence is found with ``str.find``.

    Matching works on words only: case, whitespace (line breaks, NBSP, tabs) and punctuation between
    words do not matter, and a sequence matches whole words only ("act" does not match "action").
    """

    def __init__(self, texts: Sequence[str]) -> None:
        parts = [" " + " ".join(words(t)) + " " for t in texts]
        self._starts = np.cumsum([0] + [len(p) + 1 for p in parts[:-1]]) if parts else np.zeros(0, int)
        self._joined = "\n".join(parts)
        self.size = len(parts)
        # The passages holding each word: a sequence can only be in a passage holding all its words,
        # so ``rows`` searches those few passages instead of the whole corpus (0.35 ms a query).
        postings: dict[str, list[int]] = {}
        for row, part in enumerate(parts):
            for word in set(part.split()):
                postings.setdefault(word, []).append(row)
        self._postings = postings
        starts = self._starts.tolist()
        # each part's start and the next part's start (past the end + 1 for the last part)
        self._bounds = list(zip(starts, [*starts[1:], len(self._joined) + 1][: len(starts)], strict=True))

    def rows(self, sequence: Sequence[str]) -> np.ndarray:
        """Boolean mask of passages holding the word sequence (all False for an empty one)."""
        mask = np.zeros(self.size, dtype=bool)
        if not sequence:
            return mask
        needle = " " + " ".join(sequence) + " "
        if all(w and not any(c.isspace() for c in w) for w in sequence):  # words as ``words`` gives them
            candidates = [self._postings.get(w, ()) for w in set(sequence)]
            bounds, joined = self._bounds, self._joined
            for row in min(candidates, key=len):
                start, next_start = bounds[row]  # the part ends before the newline at next_start - 1
                if joined.find(needle, start, next_start - 1) >= 0:
                    mask[row] = True
            return mask
        pos = self._joined.find(needle)
        while pos >= 0:
            row = int(np.searchsorted(self._starts, pos, side="right") - 1)
            mask[row] = True
            # continue after this passage: one hit per passage is enough
            nxt = self._starts[row + 1] if row + 1 < self.size else len(self._joined)
            pos = self._joined.find(needle, int(nxt))
        return mask
