"""Clause roles as drafters write them: "Instructs ...", "recognising further that ...", "2 resolves".

Maps a role word or phrase (any case, British or American spelling, with "further"/"also") to its
``ClauseRole``, and detects the role a draft clause starts with.
"""

from __future__ import annotations

import re

from rag.types import ClauseRole

# Forms beyond the canonical value: British spellings, the plain verb, common synonyms.
_EXTRA_FORMS: dict[ClauseRole, tuple[str, ...]] = {
    ClauseRole.RECOGNIZING: ("recognising",),
    ClauseRole.EMPHASIZING: ("emphasising", "stressing", "underlining"),
    ClauseRole.NOTING: ("noting with concern", "noting with satisfaction", "noting with appreciation"),
    ClauseRole.TAKING_INTO_ACCOUNT: ("taking account of",),
    ClauseRole.WELCOMING: ("welcoming",),
    ClauseRole.CONCERNED: ("deeply concerned", "concerned"),
    ClauseRole.RESOLVES: ("resolve", "resolved"),
    ClauseRole.INSTRUCTS: ("instruct",),
    ClauseRole.INVITES: ("invite",),
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
    ClauseRole.UNDERTAKES: ("undertake",),
    ClauseRole.ENDORSES: ("endorse",),
}


def _forms() -> dict[str, ClauseRole]:
    forms: dict[str, ClauseRole] = {}
    for role in ClauseRole:
        forms[role.value] = role
        forms[role.value.replace("iz", "is")] = role
        for extra in _EXTRA_FORMS.get(role, ()):
            forms[extra] = role
    return forms


ROLE_FORMS = _forms()
_ALTERNATION = "|".join(
    re.escape(f).replace(r"\ ", r"\s+") for f in sorted(ROLE_FORMS, key=len, reverse=True)
)
# An optional printed label ("4", "a)", "(iii)", "4bis", "-"), an optional adverb, then the role.
_START = re.compile(
    rf"^\s*(?:(?:\(?[0-9a-z]{{1,5}}[).]|\d+(?:bis|ter)?|[-\u2013\u2022*])\s+)?"
    rf"(?:(?:further|also|moreover|furthermore|additionally)\s+)?(?P<role>{_ALTERNATION})\b",
    re.IGNORECASE,
)


def role_from_str(value: str) -> ClauseRole:
    """The role a word or phrase names ("recognising", "Instructs", "calls_upon").

    Raises:
        ConfigError: not a clause role; the message lists the valid ones.
    """
    key = " ".join(value.replace("_", " ").lower().split())
    role = ROLE_FORMS.get(key)
    if role is None:
        return ClauseRole.from_str(value)  # raises, naming the valid values
    return role


def detect_role(draft: str) -> ClauseRole | None:
    """The role a draft clause opens with, or None.

    Example:
        >>> detect_role("Recognising further that digital skills ..."), detect_role("to develop handbooks")
        (<ClauseRole.RECOGNIZING: 'recognizing'>, None)
    """
    match = _START.match(draft)
    if match is None:
        return None
    return ROLE_FORMS.get(" ".join(match.group("role").lower().split()))
