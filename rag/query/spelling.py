"""Query spelling: a word that neither the corpus nor English holds is read as the word it misspells.

Delegates type fast: "cybersecurty capacity bulding" matches nothing in BM25 (neither word is a
corpus token) and reaches the encoder as word pieces of noise. A word is corrected only when

- it has at least ``min_length`` letters, no digit and no capital after its first letter (codes,
  numbers, acronyms and names such as "CyberTracks" stay as typed);
- neither the passages (as BM25 reads them: "telecoms" is "telecom", "recognises" is "recognizes")
  nor an English word list hold it, so "poorer", "lenders" or "outlawing" stay as typed. The list
  is pyspellchecker's English word frequencies (160,000 words, loaded in 0.2 s);
- one corpus word is nearest to it, at Damerau-Levenshtein distance 1 (2 from ``long_word``
  letters), or, with none, one English word is one edit away (see ``nearest`` for ties).

Corpus words come first because they are what BM25 can match. Distances are computed by rapidfuzz
(C++): about 1 ms a misspelt word over the corpus's ~6,300 words.

Example:
    >>> speller = SpellingCorrector(Counter({"cybersecurity": 90, "capacity": 50, "building": 40}), ())
    >>> speller.correct("cybersecurty capacity bulding").text
    'cybersecurity capacity building'
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from rag.index.textindex import normalize_text, tokenize
from rag.index.vocabulary import fold_spelling

_WORD = re.compile(r"[^\W\d_]+")  # letters only: "Director's" is "director" and "s"


@dataclass(frozen=True, slots=True)
class Correction:
    """One corrected word: as typed, as read, and where the query has it."""

    typed: str
    corrected: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class CorrectedQuery:
    """The query with its misspelt words replaced (``text``), and each replacement."""

    text: str
    corrections: tuple[Correction, ...] = ()


class SpellingCorrector:
    """Corrects the words of a query against the corpus's own words (see the module docstring)."""

    def __init__(
        self,
        corpus_words: Counter[str],
        known_words: Mapping[str, int] | Collection[str],
        *,
        min_length: int = 5,
        long_word: int = 10,
        rare: int = 3,
        rare_ratio: int = 50,
    ) -> None:
        self._counts = corpus_words
        # English words with their frequencies (a plain collection counts each word once)
        self._known: Mapping[str, int] = (
            known_words if isinstance(known_words, Mapping) else dict.fromkeys(known_words, 1)
        )
        # how often BM25 reads each token in the corpus ("telecoms" and "telecom" are one token)
        self._token_counts: Counter[str] = Counter()
        for word, n in corpus_words.items():
            for token in tokenize(word):
                self._token_counts[token] += n
        self._choices = sorted(w for w, n in corpus_words.items() if len(w) >= min_length - 1 and n >= rare)
        self.min_length = min_length
        self.long_word = long_word
        self.rare = rare
        self.rare_ratio = rare_ratio
        # queries repeat words; a cache of this corrector's own, freed with it when an index is reloaded
        self._read = lru_cache(maxsize=4096)(self._read)  # type: ignore[method-assign]

    @classmethod
    def build(
        cls, texts: Iterable[str], known_words: Mapping[str, int] | Collection[str] | None = None
    ) -> SpellingCorrector:
        """From the texts the passages hold (text, context and citation); English words by default."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(_WORD.findall(normalize_text(text)))
        return cls(counts, english_words() if known_words is None else known_words)

    def _known_word(self, word: str) -> bool:
        """English, or a corpus word or a form BM25 folds onto one ("telecoms", "modernising").

        A word the corpus holds fewer than ``rare`` times, next to one it holds ``rare_ratio`` times
        as often, is the corpus's own typo ("telecomunication" once, "telecommunication" 2,000
        times): it does not make the query's typo right.
        """
        if word in self._known or fold_spelling(word) in self._known:  # "deputise": "deputize"
            return True
        tokens = tokenize(word)
        if not tokens or not all(self._token_counts[t] for t in tokens):
            return False
        if all(self._token_counts[t] >= self.rare for t in tokens):
            return True
        count = self._counts.get(word, 0)
        neighbours = process.extract(
            word, self._choices, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=None
        )
        return not any(self._counts[w] >= self.rare_ratio * max(count, 1) for w, _, _ in neighbours)

    def nearest(self, word: str) -> str | None:
        """The word ``word`` misspells, or None (known word, too short, nothing near, or a tie)."""
        read = self._read(word)
        return None if read == word else read

    def _read(self, word: str) -> str | None:
        """How ``word`` is read: itself (known, or too short to judge), the word it misspells, or None.

        None: unknown, and nothing near or two equally likely words. Corpus words first (they are what
        BM25 can match); else an English word one edit away, which the encoder reads better than the
        typo ("speakeer" -> "speaker"). Among equally near words, one that keeps the first letter wins
        (typists rarely miss the first letter: "aknowledge" is "acknowledge", not "knowledge"), then
        the commoner (corpus tokens, so "indicators" counts for "indicator"; English frequencies for
        English words).
        """
        if len(word) < self.min_length or self._known_word(word):
            return word
        limit = 2 if len(word) >= self.long_word else 1
        found = process.extract(
            word, self._choices, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None
        )
        if found:
            best = min(distance for _, distance, _ in found)
            ranked = [(w, self._frequency(w)) for w, distance, _ in found if distance == best]
        else:
            ranked = [(w, self._known[w]) for w in _one_edit(word) if w in self._known]
        if not ranked:
            return None
        ordered = sorted(((w[0] == word[0], n, w) for w, n in ranked), reverse=True)
        if len(ordered) > 1 and ordered[0][:2] == ordered[1][:2]:
            return None  # two equally likely readings: leave the word as typed
        return ordered[0][2]

    def _frequency(self, word: str) -> int:
        tokens = tokenize(word)
        return sum(self._token_counts[t] for t in tokens) if tokens else self._counts.get(word, 0)

    def correct(self, query: str) -> CorrectedQuery:
        """``query`` with each misspelt word replaced by its corpus word (case of the query kept)."""
        text = normalize_text(query)
        if len(text) != len(query):  # folding changed the length: spans would not map back
            return CorrectedQuery(query)
        corrections = []
        unread = 0  # unknown words nothing is near
        for m in _WORD.finditer(text):
            typed = query[m.start() : m.end()]
            if any(c.isupper() for c in typed[1:]):
                continue  # "CyberTracks", "ITU": names and acronyms are written as meant
            read = self._read(m.group())
            if read is None:
                unread += 1
            elif read != m.group():
                corrections.append(Correction(typed, read, m.span()))
        if not corrections or unread > len(corrections):
            # mostly words nothing is near: another language ("ciberseguridad en países en
            # desarrollo"), where a near English word ("passes") would be a guess, not a correction
            return CorrectedQuery(query)
        out, pos = [], 0
        for c in corrections:
            out += [query[pos : c.span[0]], c.corrected]
            pos = c.span[1]
        out.append(query[pos:])
        return CorrectedQuery("".join(out), tuple(corrections))


def apply_corrections(text: str, corrections: Iterable[Correction]) -> str:
    """``text`` with each corrected word (as a whole word) replaced by what it was read as.

    Example:
        >>> apply_corrections("Emergancy plans?", [Correction("Emergancy", "emergency", (0, 9))])
        'emergency plans?'
    """
    for c in corrections:
        text = re.sub(rf"(?<!\w){re.escape(c.typed)}(?!\w)", c.corrected, text)
    return text


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in string.ascii_lowercase),
        *(a + c + b for a, b in splits for c in string.ascii_lowercase),
    }


@lru_cache(maxsize=1)
def english_words() -> Mapping[str, int]:
    """pyspellchecker's English words (lower case) with their frequencies, loaded once."""
    from spellchecker import SpellChecker

    return MappingProxyType(dict(SpellChecker(language="en").word_frequency.dictionary))
