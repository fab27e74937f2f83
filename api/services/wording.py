"""Word-level matching of a draft against the corpus: folded words with their spans, 3-word shingles.

A drafter's clause and an existing clause share wording when they share word sequences. Words are
compared folded (Unicode compatibility forms, case, curly quotes) and with British ``-ise`` spellings
mapped to the ``-ize`` form the corpus uses, so "recognising the organisation" meets "recognizing the
organization". Every word keeps its character span in the text it came from, so a shared sequence can
be shown in both texts.

``ShingleIndex`` holds every passage's word ids and a sorted array of its distinct 3-word shingles
(three word ids packed into one int64), built once per loaded index (~0.5 s, a few MB for this
corpus). It answers two questions fast: which passages share the most shingles with a draft, and how
many passages contain a given word sequence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.textindex import STOPWORDS, normalize_text

SHINGLE = 3  # words per shingle: the shortest shared sequence worth showing a drafter
_WORD = re.compile(r"[^\W_]+")
# British endings and the American ones the ITU texts mostly use; a word is folded only when its
# American form occurs in the corpus, so "promise" or "exercise" never turn into non-words.
_BRITISH = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
)


@dataclass(frozen=True, slots=True)
class Words:
    """A text's words: folded forms, word ids (-1: not in the corpus) and character spans."""

    forms: tuple[str, ...]
    ids: np.ndarray
    spans: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.forms)


@dataclass(frozen=True, slots=True)
class SharedSequence:
    """A maximal run of words common to a draft and a passage, with its place in both."""

    draft_start: int  # word positions
    passage_start: int
    length: int
    draft_span: tuple[int, int]  # character spans
    passage_span: tuple[int, int]


def _raw_words(text: str) -> list[tuple[str, int, int]]:
    return [(normalize_text(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def _pack(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """Distinct 3-word shingle keys of a word-id array (none where a word is unknown)."""
    if len(ids) < SHINGLE:
        return np.zeros(0, dtype=np.int64)
    a, b, c = (ids[i : len(ids) - SHINGLE + 1 + i].astype(np.int64) for i in range(SHINGLE))
    keys = (a * vocab_size + b) * vocab_size + c
    return np.unique(keys[(a >= 0) & (b >= 0) & (c >= 0)])


class ShingleIndex:
    """Word ids and 3-word shingles of every passage text, for shared-wording search.

    Example:
        >>> index = ShingleIndex(["to develop handbooks on technology transfer", "handbooks on technology"])
        >>> draft = index.words("Develop handbooks on technology, please")
        >>> [index.sequence_count(draft.ids[1:4])]
        [2]
    """

    def __init__(self, texts: Sequence[str]) -> None:
        raw = [_raw_words(t) for t in texts]
        forms = {form for words in raw for form, _, _ in words}
        self._fold = self._spelling_map(forms)
        self.vocab: dict[str, int] = {}
        self.rows: list[np.ndarray] = []
        for words in raw:
            ids = [self.vocab.setdefault(self._fold.get(f, f), len(self.vocab)) for f, _, _ in words]
            self.rows.append(np.array(ids, dtype=np.int32))
        self.vocab_size = max(len(self.vocab), 1)
        self._content = np.array(
            [form not in STOPWORDS and not form.isdigit() for form in self.vocab], dtype=bool
        )
        keys, owners, sizes = [], [], []
        for row, ids in enumerate(self.rows):
            k = _pack(ids, self.vocab_size)
            keys.append(k)
            owners.append(np.full(len(k), row, dtype=np.int32))
            sizes.append(len(k))
        all_keys = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        all_rows = np.concatenate(owners) if owners else np.zeros(0, np.int32)
        order = np.argsort(all_keys, kind="stable")
        self._keys = all_keys[order]
        self._owners = all_rows[order]
        self.shingle_counts = np.array(sizes, dtype=np.int32)  # distinct shingles per passage
        self.size = len(self.rows)

    @staticmethod
    def _spelling_map(forms: set[str]) -> dict[str, str]:
        fold: dict[str, str] = {}
        for form in forms:
            for british, american in _BRITISH:
                if form.endswith(british) and len(form) > len(british) + 2:
                    target = form[: -len(british)] + american
                    if target in forms:
                        fold[form] = target
                    break
        return fold

    def _fold_form(self, form: str) -> str:
        folded = self._fold.get(form)
        if folded is not None:
            return folded
        for british, american in _BRITISH:
            if form.endswith(british) and len(form) > len(british) + 2:
                target = form[: -len(british)] + american
                return target if target in self.vocab else form
        return form

    def words(self, text: str) -> Words:
        """The words of a text (a draft) with ids in this index's vocabulary (-1 when unknown)."""
        raw = _raw_words(text)
        forms = tuple(self._fold_form(f) for f, _, _ in raw)
        ids = np.array([self.vocab.get(f, -1) for f in forms], dtype=np.int32)
        return Words(forms=forms, ids=ids, spans=tuple((s, e) for _, s, e in raw))

    def passage_words(self, row: int, text: str) -> Words:
        """The words of passage ``row`` (its ``text``) with their spans."""
        raw = _raw_words(text)
        forms = tuple(self._fold.get(f, f) for f, _, _ in raw)
        return Words(forms=forms, ids=self.rows[row], spans=tuple((s, e) for _, s, e in raw))

    def shingles(self, words: Words) -> np.ndarray:
        return _pack(words.ids, self.vocab_size)

    def _postings(self, key: int) -> np.ndarray:
        lo = int(np.searchsorted(self._keys, key, side="left"))
        hi = int(np.searchsorted(self._keys, key, side="right"))
        return self._owners[lo:hi]

    def shared_counts(self, keys: np.ndarray) -> np.ndarray:
        """For every passage, how many of the given (distinct) shingle keys it contains."""
        lo = np.searchsorted(self._keys, keys, side="left")
        hi = np.searchsorted(self._keys, keys, side="right")
        if not len(keys) or not (hi > lo).any():
            return np.zeros(self.size, dtype=np.int32)
        rows = np.concatenate([self._owners[a:b] for a, b in zip(lo, hi, strict=True) if b > a])
        return np.bincount(rows, minlength=self.size).astype(np.int32)

    def has_content(self, ids: np.ndarray) -> bool:
        """True if a word sequence holds at least one word that is not a stop word or a number."""
        known = ids[ids >= 0]
        return bool(len(known) and self._content[known].any())

    def sequence_rows(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the passages that contain this word sequence (of at least 3 known words)."""
        ids = np.asarray(ids, dtype=np.int32)
        if len(ids) < SHINGLE or (ids < 0).any():
            return np.zeros(0, dtype=np.int32)
        keys = _pack(ids, self.vocab_size)
        # start from the rarest shingle's passages, then check the whole sequence in each
        postings = sorted((self._postings(int(k)) for k in keys), key=len)
        candidates = postings[0]
        for more in postings[1:3]:
            candidates = np.intersect1d(candidates, more, assume_unique=True)
            if not len(candidates):
                break
        if len(ids) == SHINGLE:
            return candidates
        found = []
        n = len(ids)
        for row in candidates.tolist():
            words = self.rows[row]
            for start in np.flatnonzero(words[: len(words) - n + 1] == ids[0]).tolist():
                if np.array_equal(words[start : start + n], ids):
                    found.append(row)
                    break
        return np.array(found, dtype=np.int32)

    def sequence_count(self, ids: np.ndarray) -> int:
        return len(self.sequence_rows(ids))


def shared_sequences(draft: Words, passage: Words, *, index: ShingleIndex) -> list[SharedSequence]:
    """The maximal word sequences (3+ words, at least one content word) common to draft and passage.

    Every maximal match is found, then they are taken longest first so that no two overlap in
    either text (a one-to-one alignment, as a diff shows it), and returned in draft order.
    """
    d, p = draft.ids, passage.ids
    if len(d) < SHINGLE or len(p) < SHINGLE:
        return []
    where: dict[int, list[int]] = {}
    for j, w in enumerate(p.tolist()):
        where.setdefault(w, []).append(j)
    matches: list[tuple[int, int, int]] = []
    nd, np_ = len(d), len(p)
    for i, w in enumerate(d.tolist()):
        if w < 0:
            continue
        for j in where.get(w, ()):
            if i and j and d[i - 1] == p[j - 1]:
                continue  # not maximal on the left: found from an earlier start
            n = 1
            while i + n < nd and j + n < np_ and d[i + n] == p[j + n] and d[i + n] >= 0:
                n += 1
            if n >= SHINGLE and index.has_content(d[i : i + n]):
                matches.append((i, j, n))
    matches.sort(key=lambda m: (-m[2], m[0], m[1]))
    used_d = np.zeros(nd, dtype=bool)
    used_p = np.zeros(np_, dtype=bool)
    chosen: list[SharedSequence] = []
    for i, j, n in matches:
        if used_d[i : i + n].any() or used_p[j : j + n].any():
            continue
        used_d[i : i + n] = True
        used_p[j : j + n] = True
        chosen.append(
            SharedSequence(
                draft_start=i,
                passage_start=j,
                length=n,
                draft_span=(draft.spans[i][0], draft.spans[i + n - 1][1]),
                passage_span=(passage.spans[j][0], passage.spans[j + n - 1][1]),
            )
        )
    chosen.sort(key=lambda s: s.draft_start)
    return chosen
