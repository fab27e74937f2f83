"""What a question asks for, read from its words: a clause role, a date, a figure.

``role_intent`` reads the role a question's verb names ("What did WTDC resolve ...": resolves);
``block_roles`` the roles a passage's block speaks in (its own and its lead-in's verbs), so that
the two meet in the reranker's ``role_intent`` feature and in pinning "What does Resolution 15
recall?" to the instrument's recalling block. ``fact_intent`` reads when / how-many questions.
Each is read once per query, in ``rag.query.analysed``.

Example:
    >>> role_intent("What are Member States invited to do on IXPs?"), fact_intent("When was GSR-25?")
    ('invites', (True, False))
"""

from __future__ import annotations

import re

# "When", "what year", "how many", "how much", "what share/percentage", "which date": fact questions
_WHEN = re.compile(
    r"\b(?:when|what\s+(?:year|date|day|month)|which\s+(?:year|date|day|month)|dates?)\b", re.I
)
_HOW_MANY = re.compile(
    r"\b(?:how\s+(?:many|much|often|long|large|big|fast)|what\s+(?:share|percentage|proportion|number|amount)"
    r"|number\s+of|per\s*cent|percent|%)",
    re.I,
)
# A question's verb naming a clause role: "what did WTDC resolve", "which resolution instructs",
# "what are Member States invited to", "what does it recognise", "what does Resolution 15 recall" (a
# question about who recalls an instrument is a reference question: no role intent then). Role values
# from rag.types.ClauseRole.
_ROLE_INTENT: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), role)
    for pattern, role in (
        (r"\bresolv(?:e|es|ed|ing)\b", "resolves"),
        (r"\brecall(?:s|ed|ing)?\b", "recalling"),
        (r"\binstruct(?:s|ed|ing)?\b", "instructs"),
        (r"\binvit(?:e|es|ed|ing)\b", "invites"),
        (r"\bencourag(?:e|es|ed|ing)\b", "encourages"),
        (r"\brequest(?:s|ed|ing)?\b", "requests"),
        (r"\burg(?:e|es|ed|ing)\b", "urges"),
        (r"\bcall(?:s|ed|ing)?\s+(?:up)?on\b", "calls upon"),
        (r"\bdecid(?:e|es|ed|ing)\b", "decides"),
        (r"\brecommend(?:s|ed|ing)?\b", "recommends"),
        (r"\brecogni[sz](?:e|es|ed|ing)\b", "recognizing"),
        (r"\bconsider(?:s|ed|ing)?\b", "considering"),
        (r"\bnot(?:e|es|ed|ing)\b", "noting"),
        (r"\bemphasi[sz](?:e|es|ed|ing)\b", "emphasizing"),
        (r"\btak(?:e|es|ing|en)\s+into\s+account\b", "taking into account"),
        (r"\bbear(?:s|ing)?\s+in\s+mind\b", "bearing in mind"),
        (r"\bof\s+the\s+view\b", "is of the view"),
        (r"\bdeclar(?:e|es|ed|ing)\b", "declares"),
        (r"\backnowledg(?:e|es|ed|ing)\b", "acknowledging"),
    )
)


# A UN operative verb answers a question in the ITU preambular form the intents use: "What does the
# General Assembly recognize ..." asks for "recognizing" and is answered by a paragraph that
# "Recognizes ...". (The seed texts hold none of these roles, so their features do not change.)
_ROLE_FAMILY = {
    "recognizes": "recognizing",
    "notes": "noting",
    "takes note": "noting",
    "emphasizes": "emphasizing",
    "stresses": "emphasizing",
    "acknowledges": "acknowledging",
    "recalls": "recalling",
    "considers": "considering",
}


def role_intent(question: str) -> str | None:
    """The clause role a question asks about ("What did WTDC resolve ..." -> "resolves"), or None.

    Example:
        >>> role_intent("What are Member States invited to do on IXPs?"), role_intent("When was GSR-25?")
        ('invites', None)
    """
    found = [(m.start(), role) for pattern, role in _ROLE_INTENT for m in [pattern.search(question)] if m]
    return min(found)[1] if found else None


def block_roles(clause: str | None, lead_in: str | None) -> frozenset[str]:
    """The roles a clause block speaks in: its own, and those its lead-in's verbs add.

    "resolves to instruct the Director of BDT" is an instruction to BDT as much as a resolution, so a
    question about what WTDC *instructed* BDT to do matches its items too.

    Example:
        >>> sorted(block_roles("resolves", "resolves to instruct the Director of the Bureau"))
        ['instructs', 'resolves']
    """
    if not clause:
        return frozenset()
    verbs = (lead_in or "").split(",")[0]  # the operative phrase, before any qualification
    roles = {clause, *(role for pattern, role in _ROLE_INTENT if pattern.search(verbs))}
    return frozenset(roles | {_ROLE_FAMILY[r] for r in roles if r in _ROLE_FAMILY})


def fact_intent(question: str) -> tuple[bool, bool]:
    """(asks when, asks how many / how much)."""
    return bool(_WHEN.search(question)), bool(_HOW_MANY.search(question))
