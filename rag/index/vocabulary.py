"""ITU vocabulary: acronyms mined from the corpus itself, and British/American spelling folding.

Delegates write "BDT" where a text says "the Telecommunication Development Bureau", "LDCs" where it
says "least developed countries", "recognising" where WTDC writes "recognizing". Two mechanisms close
those gaps without a hand-made list of ITU terms:

- **Acronyms from the corpus** (``Vocabulary.build``): the texts define their abbreviations the usual
  way, "least developed countries (LDCs)", "Telecommunication Development Bureau (BDT)", and now and
  then the other way round, "BDT (Telecommunication Development Bureau)". Each definition is found
  with the algorithm of Schwartz and Hearst ("A simple algorithm for identifying abbreviation
  definitions in biomedical text", PSB 2003): the long form is the shortest run of words before the
  parenthesis whose letters contain the acronym's letters in order, the first letter of the acronym
  starting a word. A new document defining new abbreviations extends the table at the next
  ``rag build``; the table is stored in the index as ``vocabulary.json``.
- **Spelling folding** (``fold_spelling``): -ise/-isation/-ising become -ize/-ization/-izing, and a
  short list of words spelled differently (programme, centre, labour, ...) takes one form. The BM25
  tokenizer applies it to passages and queries alike, so over-folding a word ("advise" -> "advize")
  costs nothing: both sides fold the same way.

At query time ``Vocabulary.expand`` finds the acronyms and long forms a query holds and returns the
other form of each: the searcher adds those tokens to the BM25 query at a reduced weight (an expansion
is a hint, not the delegate's own word) and writes the long form after an acronym in the text the
encoder embeds ("BDT (Telecommunication Development Bureau)"), since MiniLM knows few ITU acronyms.

Example:
    >>> v = Vocabulary.from_definitions([("LDCs", "least developed countries")])
    >>> v.expand("support for LDCs").long_forms
    ('least developed countries',)
    >>> fold_spelling("recognising"), fold_spelling("programmes")
    ('recognizing', 'programs')
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "vocabulary.json"
FORMAT_VERSION = 1

# ------------------------------------------------------------------------------------------------
# Spelling

# Whole words spelled differently on the two sides of the Atlantic (folded form: American). Only words
# a policy text uses; the -ise/-our families are handled by rule below.
_WORDS = {
    "programme": "program",
    "programmes": "programs",
    "programmed": "programed",
    "centre": "center",
    "centres": "centers",
    "defence": "defense",
    "licence": "license",
    "licences": "licenses",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analyses": "analyzes",
    "analysing": "analyzing",
    "modelling": "modeling",
    "modelled": "modeled",
    "travelling": "traveling",
    "labelling": "labeling",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "ageing": "aging",
    "judgement": "judgment",
}
_OUR = re.compile(r"^(behavi|lab|fav|hon|col|neighb|harb|vig|endeav|rum)our(s|ed|ing|able|ably)?$")
# -ise family: verb and noun endings. "analysis" and "crisis" do not end like this; words in
# _NOT_ISE are nouns or verbs never spelled with z.
_ISE = re.compile(r"^([a-z]{3,})is(e|es|ed|ing|ation|ations|ational|er|ers)$")
_NOT_ISE = frozenset(
    """advise advises advised advising adviser advisers exercise exercises exercised exercising
    expertise enterprise enterprises premise premises promise promises promised comprise comprises
    comprised comprising surprise surprises surprised compromise compromises compromised franchise
    franchises merchandise revise revised revises revising revision devise devised supervise
    supervised supervising supervisor televise improvise demise paradise treatise precise concise
    otherwise noise raise raised raising arise arises arising praise cruise despise disguise chastise
    chastised""".split()
)


@lru_cache(maxsize=1 << 15)
def fold_spelling(word: str) -> str:
    """The American spelling of a lower-case word where British and American differ; else the word.

    Example:
        >>> [fold_spelling(w) for w in ("harmonised", "organisations", "labour", "advise", "analysis")]
        ['harmonized', 'organizations', 'labor', 'advise', 'analysis']
    """
    if word in _WORDS:
        return _WORDS[word]
    if word in _NOT_ISE:
        return word
    m = _ISE.match(word)
    if m:
        return f"{m.group(1)}iz{m.group(2)}"
    m = _OUR.match(word)
    if m:
        return f"{m.group(1)}or{m.group(2) or ''}"
    return word


# ------------------------------------------------------------------------------------------------
# Acronym definitions (Schwartz and Hearst 2003)

# "(LDCs)", "(ITU-D)", "(NoW)", "(SMS4DC)", "(GSR-25)": 2-10 characters, at least two capitals.
_PAREN = re.compile(r"\(([A-Za-z][A-Za-z0-9&\-]{1,9})\)")
_WORD = re.compile(r"[^\s()\[\]]+")
_LONG_IN_PAREN = re.compile(r"\b([A-Z][A-Za-z0-9&\-]{1,9})\s+\(([^()]{6,120})\)")
_MINOR = frozenset("of and the for in on to a an with at by".split())


def _acronym_letters(short: str) -> str:
    """The acronym's letters and digits, lower-case, without a plural s ("LDCs" -> "ldc")."""
    core = short[:-1] if len(short) > 2 and short.endswith("s") and short[-2].isupper() else short
    return re.sub(r"[^a-z0-9]", "", core.lower())


def is_acronym(token: str) -> bool:
    """Two or more capitals and no spaces: "BDT", "LDCs", "ITU-D", "NoW", "IoT"."""
    return sum(c.isupper() for c in token) >= 2 and len(token) <= 10 and token[0].isalpha()


def _best_long_form(letters: str, candidate: str) -> str | None:
    """Schwartz-Hearst: the shortest tail of ``candidate`` whose characters hold ``letters`` in order.

    Scanning both from the end, each acronym letter must match a character of the long form, the
    first acronym letter at the start of a word.
    """
    s, lf = letters, candidate.lower()
    s_i, l_i = len(s) - 1, len(lf) - 1
    while s_i >= 0:
        c = s[s_i]
        if not c.isalnum():
            s_i -= 1
            continue
        while l_i >= 0 and (lf[l_i] != c or (s_i == 0 and l_i > 0 and lf[l_i - 1].isalnum())):
            l_i -= 1
        if l_i < 0:
            return None
        l_i -= 1
        s_i -= 1
    start = lf.rfind(" ", 0, l_i + 1) + 1
    return candidate[start:]


def find_definitions(text: str) -> list[tuple[str, str]]:
    """``(acronym, long form)`` pairs a text defines, in either order around a parenthesis.

    Example:
        >>> find_definitions("help least developed countries (LDCs) and the Bureau (BDT)")
        [('LDCs', 'least developed countries')]
    """
    found: list[tuple[str, str]] = []
    for m in _PAREN.finditer(text):
        short = m.group(1)
        if not is_acronym(short):
            continue
        letters = _acronym_letters(short)
        if len(letters) < 2:
            continue
        before = _WORD.findall(text[max(0, m.start() - 200) : m.start()])
        # at most min(|A| + 5, 2|A|) words, as in the paper
        window = before[-min(len(letters) + 5, 2 * len(letters)) :]
        if not window:
            continue
        words = [w.strip(",;:\"“”'‘’") for w in window]
        for long_form in (
            _clean_long_form(letters, _best_long_form(letters, " ".join(words))),
            _permuted_long_form(letters, words),
        ):
            if long_form and _plausible(letters, long_form):
                found.append((short, long_form))
                break
    for m in _LONG_IN_PAREN.finditer(text):
        short, inside = m.group(1), m.group(2)
        if not is_acronym(short):
            continue
        letters = _acronym_letters(short)
        words = inside.split()
        if len(letters) >= 2 and len(words) >= 2 and words[0][:1].lower() == letters[0]:
            long_form = _best_long_form(letters, inside)
            if long_form == inside and _plausible(letters, long_form):
                found.append((short, long_form))
    return found


def _clean_long_form(letters: str, long_form: str | None) -> str | None:
    """Drop leading minor words ("by the ...") and refuse a form that then starts with the wrong letter.

    Also refuses a form that opens with another acronym ("CEPT the Inter-American ..."), unless that
    acronym begins this one ("ITU Telecommunication Development Sector" for ITU-D).
    """
    if not long_form:
        return None
    words = long_form.split()
    while words and words[0].lower() in _MINOR:
        words = words[1:]
    if not words or words[0][:1].lower() != letters[0]:
        return None
    first = words[0]
    if is_acronym(first) and not letters.startswith(_acronym_letters(first)):
        return None
    return " ".join(words)


def _permuted_long_form(letters: str, words: Sequence[str]) -> str | None:
    """A capitalised name just before the parenthesis whose initials are the acronym's letters reordered.

    Acronyms taken from another language keep their letters in its word order: "Telecommunication
    Development Bureau (BDT)" abbreviates "Bureau de développement des télécommunications".
    """
    n = len(letters)
    if n < 2 or len(words) < n or not letters.isalpha():
        return None
    tail = list(words[-n:])
    if not all(w[:1].isupper() and w.lower() not in _MINOR for w in tail):
        return None
    if sorted(w[0].lower() for w in tail) != sorted(letters):
        return None
    return " ".join(tail)


def _plausible(letters: str, long_form: str) -> bool:
    """A long form of several words, most of whose content words start with an acronym letter."""
    words = [w for w in re.findall(r"[A-Za-z0-9]+", long_form)]
    content = [w for w in words if w.lower() not in _MINOR]
    if len(content) < 2 or len(words) > len(letters) + 4:
        return False
    initials = sum(1 for w in content if w[0].lower() in letters)
    return initials >= max(2, len(content) - 1)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# ------------------------------------------------------------------------------------------------
# The table


@dataclass(frozen=True, slots=True)
class Expansion:
    """What a query's acronyms and long forms add: the other form of each, as found in the table."""

    long_forms: tuple[str, ...] = ()  # written out for acronyms the query uses
    acronyms: tuple[str, ...] = ()  # for long forms the query spells out
    glossed: str = ""  # the query with "(long form)" after each acronym, for the encoder

    @property
    def empty(self) -> bool:
        return not (self.long_forms or self.acronyms)

    @property
    def text(self) -> str:
        """Every added form in one string, for the BM25 tokenizer."""
        return " ".join((*self.long_forms, *self.acronyms))


@dataclass(frozen=True)
class Vocabulary:
    """Acronym -> long forms, mined from the corpus (most frequent definition first).

    Keys are the acronym's letters, folded, without a plural s and hyphens ("ldc" for "LDCs", "itud"
    for "ITU-D"); ``printed`` keeps the form the texts print.
    """

    acronyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # the acronym as the texts print it most often ("LDCs", "ITU-D"), by key
    printed: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_definitions(cls, pairs: Iterable[tuple[str, str]], *, min_count: int = 1) -> Vocabulary:
        """The table of ``(acronym, long form)`` pairs seen ``min_count`` times or more."""
        seen: dict[str, Counter[str]] = {}
        shorts: dict[str, Counter[str]] = {}
        for short, long_form in pairs:
            key = _acronym_letters(short)
            seen.setdefault(key, Counter())[_fold(long_form)] += 1
            shorts.setdefault(key, Counter())[short] += 1
        acronyms: dict[str, tuple[str, ...]] = {}
        counts: dict[str, int] = {}
        printed: dict[str, str] = {}
        for key, forms in sorted(seen.items()):
            total = sum(forms.values())
            if total < min_count:
                continue
            # several spellings of one definition ("least developed countries", "least developed
            # country"): keep the most frequent forms, at most three
            acronyms[key] = tuple(f for f, _ in forms.most_common(3))
            counts[key] = total
            printed[key] = shorts[key].most_common(1)[0][0]
        return cls(acronyms, counts, printed)

    @classmethod
    def build(cls, texts: Iterable[str]) -> Vocabulary:
        """Mine the definitions of every text (a passage's words: context and text)."""
        pairs = [pair for text in texts for pair in find_definitions(text)]
        vocabulary = cls.from_definitions(pairs)
        logger.info("vocabulary: %d acronyms from %d definitions", len(vocabulary.acronyms), len(pairs))
        return vocabulary

    def __len__(self) -> int:
        return len(self.acronyms)

    def long_forms(self, acronym: str) -> tuple[str, ...]:
        return self.acronyms.get(_acronym_letters(acronym), ())

    @property
    def _long_index(self) -> dict[str, str]:
        # long form -> acronym key; computed per call is cheap enough for build-time use, and the
        # searcher keeps the compiled pattern below
        return {lf: key for key, forms in self.acronyms.items() for lf in forms}

    def matcher(self) -> VocabularyMatcher:
        """A compiled matcher for queries (build once per searcher)."""
        return VocabularyMatcher(self)

    def expand(self, query: str) -> Expansion:
        return self.matcher().expand(query)

    # --------------------------------------------------------------------------------- files

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "acronyms": {k: list(v) for k, v in self.acronyms.items()},
            "counts": self.counts,
            "printed": self.printed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"vocabulary format {data.get('format')!r}, expected {FORMAT_VERSION}")
        return cls(
            {str(k): tuple(str(x) for x in v) for k, v in data["acronyms"].items()},
            {str(k): int(v) for k, v in data.get("counts", {}).items()},
            {str(k): str(v) for k, v in data.get("printed", {}).items()},
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=0), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


class VocabularyMatcher:
    """Finds a table's acronyms and long forms in queries (regexes compiled once)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        longs = sorted(vocabulary._long_index.items(), key=lambda x: -len(x[0]))
        self._long_of = dict(longs)
        self._long_re = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(lf) for lf, _ in longs) + r")(?!\w)")
            if longs
            else None
        )
        self._short_re = re.compile(r"(?<![\w-])([A-Za-z][A-Za-z0-9&\-]{1,9})(?![\w-])")

    def expand(self, query: str) -> Expansion:
        """The long forms of the query's acronyms and the acronyms of its long forms."""
        longs: list[str] = []
        shorts: list[str] = []
        glossed: list[str] = []
        pos = 0
        folded = _fold(query)
        for m in self._short_re.finditer(query):
            token = m.group(1)
            if not is_acronym(token):
                continue
            forms = self.vocabulary.long_forms(token)
            # skip an acronym the query already spells out next to it
            new = [f for f in forms[:1] if f not in folded]
            if new:
                longs.extend(new)
                glossed.append(query[pos : m.end()] + f" ({new[0]})")
                pos = m.end()
        glossed.append(query[pos:])
        if self._long_re is not None:
            for m in self._long_re.finditer(folded):
                key = self._long_of[m.group(1)]
                printed = self.vocabulary.printed.get(key, key)
                if _fold(printed) not in folded:
                    shorts.append(printed)
        return Expansion(
            long_forms=tuple(dict.fromkeys(longs)),
            acronyms=tuple(dict.fromkeys(shorts)),
            glossed="".join(glossed),
        )


def vocabulary_texts(passages: Sequence[Any]) -> list[str]:
    """The texts definitions are mined from: each passage's own text (contexts repeat headings)."""
    return [p.text for p in passages]
