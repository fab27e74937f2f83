"""What of a passage is indexed, and how text becomes BM25 tokens.

A clause item often says little alone ("4 to continue to develop handbooks ..."); its instrument, role,
addressee and lead-in say what it is. Both indexes therefore see them:

- BM25 indexes three fields, each repeated ``weight`` times (integer field weights keep the scores
  those of plain BM25Okapi over a token list, so the parity test with ``rank-bm25`` still holds):
  the citation (document short title, instrument, role with abbreviated addressee, label), the
  context (headings, instrument title, lead-in, parent item) and the passage's own text.
- The dense vector is ``normalise(v(text) + w * v(context))``: the own text and the context are
  embedded separately. Items of one block share one context, so the encoder sees each context once
  (a third of the tokens of embedding "context + text" per passage on this corpus, which keeps a full
  build within its time budget), and ``w`` can be tuned without re-embedding anything.

The tokenizer lower-cases, folds Unicode compatibility forms (NBSP, ligatures), keeps references such
as ``7.9.6``, ``70/1`` and ``ITU-D`` as one token (a hyphenated word also yields its parts, so
"evidence based" finds "evidence-based"), drops English stop words and strips plural endings with the
S-stemmer (Harman 1991): ``handbooks`` and ``handbook`` meet, ``countries`` becomes ``country``. British
spellings fold to American ones first (``rag.index.vocabulary.fold_spelling``: ``recognising`` and
``recognizing``, ``programme`` and ``program`` meet).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rag.index.vocabulary import fold_spelling
from rag.types import Passage

# A run of letters and digits: the word unit of shingles, word counts and pair mining.
WORD = re.compile(r"[^\W_]+")
# A word, or words/numbers joined by . / - ' (7.9.6, 70/1, ITU-D, evidence-based, WTPF-26).
_TOKEN = re.compile(r"[^\W_]+(?:[./\-'][^\W_]+)*")
_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u2010": "-", "\u2011": "-", "\u2013": " ", "\u2014": " "}
)

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not of off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours
    yourself yourselves s t""".split()
)


def _s_stem(word: str) -> str:
    """Harman's S-stemmer: strip English plural endings, leave everything else alone."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss", "is")):  # "is": analysis, basis
        return word[:-1]
    return word


def normalize_text(text: str) -> str:
    """Unicode-fold and lower-case: the form both tokens and phrase matching start from."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()


def tokenize(text: str) -> list[str]:
    """BM25 tokens of a text (queries and passages alike).

    Example:
        >>> tokenize("Resolution 15 instructs BDT: §7.9.6, ITU-D handbooks")
        ['resolution', '15', 'instruct', 'bdt', '7.9.6', 'itu-d', 'itu', 'handbook']
    """
    tokens: list[str] = []
    for raw in _TOKEN.findall(normalize_text(text)):
        tokens.extend(_forms(raw))
    return tokens


@lru_cache(maxsize=1 << 16)
def _forms(raw: str) -> tuple[str, ...]:
    """The tokens one matched word yields (cached: the vocabulary is small, the corpus is not)."""
    token = raw.strip("'")
    if token.endswith("'s"):
        token = token[:-2]
    if not token or token in STOPWORDS:
        return ()
    if "-" in token and any(c.isalpha() for c in token):
        parts = (
            _s_stem(fold_spelling(part))
            for part in token.split("-")
            if len(part) > 1 and part not in STOPWORDS
        )
        return (token, *parts)
    return (_s_stem(fold_spelling(token)),)


@lru_cache(maxsize=1 << 14)
def _field_tokens(text: str) -> tuple[str, ...]:
    # Contexts and citation prefixes repeat across the items of a block: tokenise each once.
    return tuple(tokenize(text))


def words(text: str) -> list[str]:
    """The text's words in order, folded but unstemmed and with stop words kept: for exact sequences."""
    return re.findall(r"[^\W_]+", normalize_text(text))


@dataclass(frozen=True, slots=True)
class FieldWeights:
    """How many times each field's tokens count in a passage's BM25 document."""

    citation: int = 1
    context: int = 1
    text: int = 1


def bm25_tokens(passage: Passage, weights: FieldWeights = FieldWeights()) -> list[str]:  # noqa: B008
    """The token list BM25 indexes for a passage: its fields, each repeated by its weight."""
    tokens: list[str] = []
    for value, weight in (
        (passage.citation, weights.citation),
        (passage.context, weights.context),
        (passage.text, weights.text),
    ):
        if weight and value:
            field_tokens = _field_tokens(value)
            for _ in range(weight):
                tokens.extend(field_tokens)
    return tokens


def dense_context(passage: Passage) -> str:
    """The words embedded as a passage's context vector (empty: the passage stands alone)."""
    return passage.context.strip()


def dense_texts(passages: Iterable[Passage]) -> tuple[list[str], list[str]]:
    """Own texts and contexts of passages, aligned, for embedding."""
    texts: list[str] = []
    contexts: list[str] = []
    for p in passages:
        texts.append(p.text)
        contexts.append(dense_context(p))
    return texts, contexts
