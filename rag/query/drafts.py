"""Draft clauses: whether a text reads as one, the role it opens with, and the passages of that role.

A drafter pastes "invites Member States to set up national computer incident response teams ..."; a
searcher types the same into the search box. ``looks_like_draft`` tells such a clause from a question,
``draft_role`` reads the role it opens with, the verb it uses and its addressee's words, and
``role_matches`` says whether a passage speaks in that role: same clause role, a block whose heading
carries the verb ("resolves to instruct the Director of BDT"), or an agreed text speaking in the first
person with that verb. ``RoleMasks`` and ``AddresseeWords`` keep those answers per loaded index, so
that the draft ranking (``rag.rank.drafts``) and the reranker's features compute each once.

Example:
    >>> looks_like_draft("invites Member States to share best practices on emergency telecommunication plans")
    True
    >>> draft_role("instructs the Director of BDT to keep producing handbooks").addressee
    ('director', 'bdt')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.index.shingles import folded_words
from rag.index.textindex import STOPWORDS
from rag.index.vocabulary import VocabularyMatcher, fold_spelling
from rag.types import ClauseRole, Passage

MIN_DRAFT_WORDS = 8  # a role word followed by at least this many words reads as a draft clause
MIN_BARE_DRAFT_WORDS = 18  # without a role word, a clause-like text this long does

_WORD = re.compile(r"[^\W_]+")
# Role words as drafters type them, beyond each role's canonical value and its British spelling.
_EXTRA_FORMS: dict[ClauseRole, tuple[str, ...]] = {
    ClauseRole.RECOGNIZING: ("recognize",),
    ClauseRole.EMPHASIZING: ("stressing", "underlining"),
    ClauseRole.NOTING: (
        "noting with concern",
        "noting with satisfaction",
        "noting with appreciation",
        "having noted",
    ),
    ClauseRole.TAKING_INTO_ACCOUNT: ("taking account of",),
    ClauseRole.CONCERNED: ("deeply concerned",),
    ClauseRole.RESOLVES: ("resolve", "resolved", "resolves further", "further resolves"),
    ClauseRole.INSTRUCTS: ("instruct", "further instructs"),
    ClauseRole.INVITES: ("invite", "further invites"),
    ClauseRole.ENCOURAGES: ("encourage",),
    ClauseRole.REQUESTS: ("request",),
    ClauseRole.URGES: ("urge",),
    ClauseRole.CALLS_UPON: ("call upon", "calls on", "call on"),
    ClauseRole.APPEALS_TO: ("appeal to",),
    ClauseRole.DECIDES: ("decide",),
    ClauseRole.RECOMMENDS: ("recommend",),
    ClauseRole.DECLARES: ("declare",),
    ClauseRole.AFFIRMS: ("affirm",),
    ClauseRole.REAFFIRMS: ("reaffirm",),
    ClauseRole.ENDORSES: ("endorse",),
}


def _role_forms() -> dict[str, ClauseRole]:
    forms: dict[str, ClauseRole] = {}
    for role in ClauseRole:
        forms[role.value] = role
        forms[role.value.replace("iz", "is")] = role
        for extra in _EXTRA_FORMS.get(role, ()):
            forms[extra] = role
    return forms


ROLE_FORMS = _role_forms()
_ROLE_ALTERNATION = "|".join(
    re.escape(f).replace(r"\ ", r"\s+") for f in sorted(ROLE_FORMS, key=len, reverse=True)
)
# An optional printed label ("4", "a)", "(iii)", "-"), an optional adverb, then the role word.
_START = re.compile(
    rf"^\s*(?:(?:\(?[0-9a-z]{{1,5}}[).]|\d+(?:bis|ter)?|[-\u2013\u2022*])\s+)?"
    rf"(?:(?:further|also|moreover|furthermore|additionally)\s+)?(?P<role>{_ROLE_ALTERNATION})\b"
    rf"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Where an addressee ends: "invites Member States, Sector Members and Academia to ...", "... that ..."
_ADDRESSEE_END = re.compile(r"\b(?:to|that)\b|[;:]", re.IGNORECASE)
_QUESTION_START = re.compile(
    r"^\s*(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|should"
    r"|may|will|would|list|name|find|show|give|tell)\b",
    re.IGNORECASE,
)


def role_from_str(value: str) -> ClauseRole:
    """The role a word or phrase names, as drafters type it ("recognising", "Instructs", "calls_upon").

    Raises:
        ConfigError: not a clause role; the message lists the valid ones.
    """
    role = ROLE_FORMS.get(" ".join(value.replace("_", " ").lower().split()))
    return role if role is not None else ClauseRole.from_str(value)


@dataclass(frozen=True, slots=True)
class DraftRole:
    """The role a draft opens with, the verb it uses, and the words of its addressee (if any)."""

    role: ClauseRole
    verb: str  # folded first word of the role form ("instruct" for "instructs")
    addressee: tuple[str, ...] = ()


def draft_role(text: str) -> DraftRole | None:
    """The clause role a draft opens with ("Recognising further that ...", "instructs BDT to ..."), or None.

    Example:
        >>> d = draft_role("invites Member States, Sector Members and Academia to promote AI")
        >>> d.role.value, d.addressee
        ('invites', ('member', 'states', 'sector', 'members', 'academia'))
    """
    match = _START.match(text)
    if match is None:
        return None
    form = " ".join(match.group("role").lower().split())
    role = ROLE_FORMS.get(form)
    if role is None:
        return None
    verb = fold_spelling(form.split()[0])
    verb = re.sub(r"(s|ing|ed|d)$", "", verb) if len(verb) > 4 else verb
    rest = match.group("rest")
    addressee: tuple[str, ...] = ()
    if role.operative:
        # "resolves to instruct the Director of BDT to ..." names its addressee after the second verb
        inner = re.match(
            r"\s*to\s+(instruct|invite|request|encourage|urge)\s+(?P<rest>.*)$", rest, re.I | re.S
        )
        if inner:
            verb, rest = inner.group(1).lower(), inner.group("rest")
        end = _ADDRESSEE_END.search(rest)
        head = rest[: end.start()] if end else ""
        addressee = tuple(w for w in folded_words(head) if w not in STOPWORDS)[:12]
    return DraftRole(role, verb, addressee)


def looks_like_draft(text: str) -> bool:
    """A clause as a drafter pastes it: a role word and a sentence after it, or a long clause-like text.

    Questions ("What does ... instruct", "Which resolution ...?") are not drafts.
    """
    stripped = text.strip()
    if not stripped or stripped.endswith("?") or _QUESTION_START.match(stripped):
        return False
    n = len(_WORD.findall(stripped))
    if draft_role(stripped) is not None:
        return n >= MIN_DRAFT_WORDS
    return n >= MIN_BARE_DRAFT_WORDS


# How far after "we" the verb of a first-person operative sentence may come ("We also call upon",
# "we declare our commitment to ... and call upon Member States")
_FIRST_PERSON_REACH = 25


def role_matches(role: DraftRole, passage: Passage) -> bool:
    """Same role, or a block whose heading carries the draft's verb ("resolves to instruct ..."), or an
    agreed text speaking in the first person with that verb (the Baku Declaration's "We call upon all
    policy-makers ..." for a draft that "calls upon all policy-makers ...")."""
    if passage.clause == role.role.value:
        return True
    heading = folded_words((passage.lead_in or "").split(",")[0])[:4]
    if any(w.startswith(role.verb) for w in heading):
        return True
    return bool(passage.instrument) and _says_we(role.verb, passage.text)


def _says_we(verb: str, text: str) -> bool:
    """Whether ``text`` has "we" followed, within a few words, by a word starting with ``verb``."""
    if " we " not in f" {text.lower()} ":
        return False
    words = folded_words(text)
    return any(
        w == "we" and any(x.startswith(verb) for x in words[i + 1 : i + 1 + _FIRST_PERSON_REACH])
        for i, w in enumerate(words)
    )


def addressee_words(text: str, vocabulary: VocabularyMatcher | None = None) -> frozenset[str]:
    """Content words of an addressee, singular, with its acronyms' long forms ("BDT" -> "bureau" ...)."""
    if vocabulary is not None:
        # acronyms as printed: the draft's words are folded, so short words are tried upper-cased
        printed = " ".join(w.upper() if len(w) <= 5 and w.islower() else w for w in text.split())
        text = text + " " + vocabulary.expand(printed).text
    return frozenset(w[:-1] if w.endswith("s") else w for w in folded_words(text) if w not in STOPWORDS)


def addressee_overlap(wanted: frozenset[str], theirs: frozenset[str]) -> float:
    """Share of the draft's addressee words found in the passage's addressee."""
    return len(wanted & theirs) / len(wanted) if wanted else 0.0


class RoleMasks:
    """Boolean masks of the passages ``role_matches`` accepts, computed once per role and verb.

    A draft's (role, verb) pairs are few but not known in advance, so each mask is made on first use
    and kept for the life of the loaded index.
    """

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = passages
        self._masks: dict[tuple[str, str], np.ndarray] = {}

    def mask(self, role: DraftRole) -> np.ndarray:
        key = (role.role.value, role.verb)
        found = self._masks.get(key)
        if found is None:
            found = self._masks[key] = np.array([role_matches(role, p) for p in self._passages], dtype=bool)
        return found


class AddresseeWords:
    """``addressee_words`` of passages' addressees, computed once per distinct addressee."""

    def __init__(self, vocabulary: VocabularyMatcher | None) -> None:
        self.vocabulary = vocabulary
        self._found: dict[str, frozenset[str]] = {}

    def of(self, text: str | None) -> frozenset[str]:
        if not text:
            return frozenset()
        found = self._found.get(text)
        if found is None:
            found = self._found[text] = addressee_words(text, self.vocabulary)
        return found
