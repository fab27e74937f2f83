"""Clause-role vocabulary: the printed words that open a clause block or paragraph, in three layouts.

Instruments say what each clause does by its first words, and the bodies that write them do so in
three ways, each read by one function here:

- **ITU block headings** (``itu_block_heading``): the role alone on its line, in lower case, operative
  ones followed by their addressee: "considering", "recognizing further", "instructs the Director of
  the Telecommunication Standardization Bureau", French "charge le Directeur du Bureau ...", Spanish
  "encarga al Director ...". Items follow under the heading.
- **UN paragraphs** (``un_preambular``, ``un_operative``): every paragraph opens with its role,
  capitalised: preambular ones with a participle ("Recalling also its resolution ...", "Deeply
  concerned that ..."), operative ones, numbered, with a verb ("2. Also requests the
  Secretary-General ..."). The adverbs before or after ("also", "further", "strongly") do not change
  the role.
- **Declarations in the first person** (``declaration_verb``): "We reaffirm ...", "We commit to ...".

Each returns the words as printed (for citations and ids) and the canonical ``ClauseRole`` (for
filters): "décide" in an ITU French resolution is ``resolves`` (its English text says "resolves"),
while "Décide" opening a numbered UN paragraph is ``decides``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.parse.spans import clean_text
from rag.types import ClauseRole as R


def role_alternation(variants: Iterable[str] = ()) -> str:
    """A regex alternation of every canonical role and ``variants``, longest first, any spaces between words.

    For finding role words inside running text (a pinpoint "recognizing g) of", a query "instructs BDT").
    """
    words = sorted({*R.values(), *variants}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)


# --------------------------------------------------------------------------------------------------
# ITU block headings (role on its own line)

ITU_PREAMBULAR: dict[str, R] = {
    # English (British spellings too)
    "recalling": R.RECALLING,
    "considering": R.CONSIDERING,
    "recognizing": R.RECOGNIZING,
    "recognising": R.RECOGNIZING,
    "noting": R.NOTING,
    "having noted": R.NOTING,
    "taking note of": R.NOTING,
    "taking note": R.NOTING,
    "taking cognizance of": R.NOTING,
    "appreciating": R.NOTING,
    "bearing in mind": R.BEARING_IN_MIND,
    "taking into account": R.TAKING_INTO_ACCOUNT,
    "taking into consideration": R.TAKING_INTO_ACCOUNT,
    "emphasizing": R.EMPHASIZING,
    "emphasising": R.EMPHASIZING,
    "stressing": R.STRESSING,
    "underlining": R.UNDERLINING,
    "highlighting": R.HIGHLIGHTING,
    "acknowledging": R.ACKNOWLEDGING,
    "aware": R.AWARE,
    "conscious": R.CONSCIOUS,
    "convinced": R.CONVINCED,
    "mindful": R.MINDFUL,
    "reaffirming": R.REAFFIRMING,
    "confirming": R.CONFIRMING,
    "having regard to": R.HAVING_REGARD_TO,
    "observing": R.OBSERVING,
    "welcoming": R.WELCOMING,
    "concerned": R.CONCERNED,
    "expressing": R.EXPRESSING,
    "having considered": R.HAVING_CONSIDERED,
    "guided by": R.GUIDED_BY,
    # French
    "rappelant": R.RECALLING,
    "considérant": R.CONSIDERING,
    "reconnaissant": R.RECOGNIZING,
    "notant": R.NOTING,
    "prenant note": R.NOTING,
    "ayant noté": R.NOTING,
    "tenant compte": R.TAKING_INTO_ACCOUNT,
    "ayant à l'esprit": R.BEARING_IN_MIND,
    "ayant à l’esprit": R.BEARING_IN_MIND,
    "soulignant": R.EMPHASIZING,
    "conscient": R.AWARE,
    "consciente": R.AWARE,
    "convaincu": R.CONVINCED,
    "convaincue": R.CONVINCED,
    "préoccupé": R.CONCERNED,
    "préoccupée": R.CONCERNED,
    "réaffirmant": R.REAFFIRMING,
    "se félicitant": R.WELCOMING,
    "accueillant avec satisfaction": R.WELCOMING,
    "observant": R.OBSERVING,
    "vu": R.HAVING_REGARD_TO,
    # Spanish
    "recordando": R.RECALLING,
    "considerando": R.CONSIDERING,
    "reconociendo": R.RECOGNIZING,
    "observando": R.NOTING,
    "tomando nota": R.NOTING,
    "habiendo tomado nota": R.NOTING,
    "teniendo en cuenta": R.TAKING_INTO_ACCOUNT,
    "teniendo presente": R.BEARING_IN_MIND,
    "destacando": R.EMPHASIZING,
    "subrayando": R.UNDERLINING,
    "convencida": R.CONVINCED,
    "convencido": R.CONVINCED,
    "preocupada": R.CONCERNED,
    "preocupado": R.CONCERNED,
    "reafirmando": R.REAFFIRMING,
    "acogiendo con beneplácito": R.WELCOMING,
    "acogiendo con satisfacción": R.WELCOMING,
}
# Qualifiers printed after (or before) a preambular role: "recognizing further", "noting with concern",
# "considérant en outre", "considerando además".
_PRE_QUALIFIER = (
    r"(?:also|further|furthermore|in particular|moreover|with [^\W\d]{3,}(?: [^\W\d]+){0,4}"
    r"|en outre|également|aussi|en particulier|avec [^\W\d]{3,}(?: [^\W\d]+){0,3}"
    r"|además|asimismo|también|en particular|con [^\W\d]{3,}(?: [^\W\d]+){0,3})"
)

# Operative phrases, longest first within a verb; the addressee follows ("instructs the Director ...").
ITU_OPERATIVE: list[tuple[str, R]] = [
    ("resolves to continue to instruct", R.RESOLVES),
    ("resolves to instruct", R.RESOLVES),
    ("resolves to invite", R.RESOLVES),
    ("resolves to request", R.RESOLVES),
    ("resolves to urge", R.RESOLVES),
    ("resolves to encourage", R.RESOLVES),
    ("resolves further", R.RESOLVES),
    ("resolves also", R.RESOLVES),
    ("further resolves", R.RESOLVES),
    ("resolves", R.RESOLVES),
    ("further instructs", R.INSTRUCTS),
    ("instructs further", R.INSTRUCTS),
    ("also instructs", R.INSTRUCTS),
    ("instructs", R.INSTRUCTS),
    ("further invites", R.INVITES),
    ("invites also", R.INVITES),
    ("invites further", R.INVITES),
    ("invites", R.INVITES),
    ("further encourages", R.ENCOURAGES),
    ("encourages", R.ENCOURAGES),
    ("further requests", R.REQUESTS),
    ("requests", R.REQUESTS),
    ("appeals to", R.APPEALS_TO),
    ("urges", R.URGES),
    ("calls upon", R.CALLS_UPON),
    ("calls on", R.CALLS_UPON),
    ("decides", R.DECIDES),
    ("recommends further", R.RECOMMENDS),
    ("further recommends", R.RECOMMENDS),
    ("recommends", R.RECOMMENDS),
    ("is of the view", R.IS_OF_THE_VIEW),
    ("are of the view", R.IS_OF_THE_VIEW),
    ("declares", R.DECLARES),
    ("reaffirms", R.REAFFIRMS),
    ("affirms", R.AFFIRMS),
    ("undertakes", R.UNDERTAKES),
    ("endorses", R.ENDORSES),
    ("approves", R.APPROVES),
    ("adopts", R.ADOPTS),
    ("welcomes", R.WELCOMES),
    ("supports", R.SUPPORTS),
    # French
    ("décide en outre", R.RESOLVES),
    ("décide également", R.RESOLVES),
    ("décide d'inviter", R.RESOLVES),
    ("décide d’inviter", R.RESOLVES),
    ("décide de charger", R.RESOLVES),
    ("décide", R.RESOLVES),
    ("charge en outre", R.INSTRUCTS),
    ("charge", R.INSTRUCTS),
    ("invite en outre", R.INVITES),
    ("invite", R.INVITES),
    ("encourage", R.ENCOURAGES),
    ("prie instamment", R.URGES),
    ("prie", R.REQUESTS),
    ("demande", R.REQUESTS),
    ("exhorte", R.URGES),
    ("lance un appel", R.APPEALS_TO),
    ("recommande", R.RECOMMENDS),
    ("est d'avis", R.IS_OF_THE_VIEW),
    ("est d’avis", R.IS_OF_THE_VIEW),
    ("déclare", R.DECLARES),
    ("réaffirme", R.REAFFIRMS),
    ("approuve", R.APPROVES),
    # Spanish
    ("resuelve además", R.RESOLVES),
    ("resuelve asimismo", R.RESOLVES),
    ("resuelve", R.RESOLVES),
    ("encarga además", R.INSTRUCTS),
    ("encarga", R.INSTRUCTS),
    ("invita además", R.INVITES),
    ("invita", R.INVITES),
    ("alienta", R.ENCOURAGES),
    ("pide", R.REQUESTS),
    ("solicita", R.REQUESTS),
    ("insta", R.URGES),
    ("exhorta", R.CALLS_UPON),
    ("hace un llamamiento", R.APPEALS_TO),
    ("recomienda", R.RECOMMENDS),
    ("decide", R.DECIDES),
    ("declara", R.DECLARES),
    ("reafirma", R.REAFFIRMS),
    ("opina", R.IS_OF_THE_VIEW),
]

_MAX_HEADING_CHARS = 320  # the longest block heading seen has 261 characters

_ITU_PRE_RE = re.compile(
    r"(?:(?:further|also|en outre)\s+)?(?P<role>"
    + "|".join(sorted((re.escape(k) for k in ITU_PREAMBULAR), key=len, reverse=True))
    + rf")(?:\s+{_PRE_QUALIFIER})?(?:\s+(?:that|que|qu['’]|que))?\s*[:,]?",
    re.IGNORECASE,
)
_ITU_OP_RE = re.compile(
    r"(?P<role>"
    + "|".join(re.escape(p) for p, _ in sorted(ITU_OPERATIVE, key=lambda pr: len(pr[0]), reverse=True))
    + r")(?:\s+(?P<addr>\S.*?))?\s*[:,]?",
    re.IGNORECASE | re.DOTALL,
)
_TRAILING_THAT = re.compile(r"\s+(?:that|que|qu['’])$", re.IGNORECASE)
_ITU_OP_BY_PHRASE = {p.lower(): r for p, r in ITU_OPERATIVE}
_ITU_PRE_BY_PHRASE = {p.lower(): r for p, r in ITU_PREAMBULAR.items()}
# An addressee holds no sentence: it is a noun phrase, not "to continue ..." nor "that ...".
# (Spanish "a los Estados Miembros" is an addressee, "a participar" is not.)
_NOT_ADDRESSEE = re.compile(
    r"^(?:that|que|qu['’]|to\s|de\s|à\s|a\s+(?!los\b|las\b|la\b|el\b|un\b|una\b|todos\b|todas\b|sus\b))"
    r"|[;.]$|:.",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class RoleWords:
    """A role as printed and as canonical: ``phrase`` ("instructs", "Also requests", "considérant")."""

    phrase: str
    role: R
    addressee: str | None = None


def itu_block_heading(text: str) -> RoleWords | None:
    """Read a whole paragraph as an ITU block heading, or None.

    Example:
        >>> words = itu_block_heading("instructs the Director of the Radiocommunication Bureau")
        >>> words.phrase, words.role.value, words.addressee
        ('instructs', 'instructs', 'the Director of the Radiocommunication Bureau')
        >>> itu_block_heading("considérant en outre").role.value, itu_block_heading("that x;") is None
        ('considering', True)
    """
    text = clean_text(text)
    if not text or len(text) > _MAX_HEADING_CHARS or text.endswith((";", ".")):
        return None
    if text[0].isupper() and not _capitalised_heading_ok(text):
        return None
    m = _ITU_PRE_RE.fullmatch(text)
    if m:
        phrase = _TRAILING_THAT.sub("", text.rstrip(":, "))
        return RoleWords(phrase, _ITU_PRE_BY_PHRASE[m.group("role").lower()])
    m = _ITU_OP_RE.fullmatch(text)
    if m:
        phrase = m.group("role")
        addressee = (m.group("addr") or "").strip() or None
        if addressee and _NOT_ADDRESSEE.search(addressee):
            return None
        return RoleWords(phrase, _ITU_OP_BY_PHRASE[phrase.lower()], addressee)
    return None


def _capitalised_heading_ok(text: str) -> bool:
    """A capitalised role heading only when it is the role words alone ("Considering", "Resolves:")."""
    words = text.rstrip(":, ").lower()
    return words in _ITU_PRE_BY_PHRASE or words in _ITU_OP_BY_PHRASE


# --------------------------------------------------------------------------------------------------
# UN paragraphs (role at the start of each paragraph)

UN_PREAMBULAR: dict[str, R] = {
    "recalling": R.RECALLING,
    "reaffirming": R.REAFFIRMING,
    "recognizing": R.RECOGNIZING,
    "recognising": R.RECOGNIZING,
    "acknowledging": R.ACKNOWLEDGING,
    "noting": R.NOTING,
    "taking note": R.NOTING,
    "having noted": R.NOTING,
    "appreciating": R.NOTING,
    "emphasizing": R.EMPHASIZING,
    "emphasising": R.EMPHASIZING,
    "stressing": R.STRESSING,
    "underlining": R.UNDERLINING,
    "underscoring": R.UNDERLINING,
    "highlighting": R.HIGHLIGHTING,
    "welcoming": R.WELCOMING,
    "expressing": R.EXPRESSING,
    "reiterating": R.REITERATING,
    "affirming": R.AFFIRMING,
    "considering": R.CONSIDERING,
    "bearing in mind": R.BEARING_IN_MIND,
    "taking into account": R.TAKING_INTO_ACCOUNT,
    "taking into consideration": R.TAKING_INTO_ACCOUNT,
    "mindful": R.MINDFUL,
    "aware": R.AWARE,
    "cognizant": R.AWARE,
    "conscious": R.CONSCIOUS,
    "convinced": R.CONVINCED,
    "concerned": R.CONCERNED,
    "alarmed": R.ALARMED,
    "determined": R.DETERMINED,
    "guided by": R.GUIDED_BY,
    "committed": R.COMMITTED,
    "encouraged": R.ENCOURAGED,
    "desiring": R.DESIRING,
    "believing": R.BELIEVING,
    "deploring": R.DEPLORING,
    "regretting": R.REGRETTING,
    "seeking": R.SEEKING,
    "looking forward": R.LOOKING_FORWARD,
    "having considered": R.HAVING_CONSIDERED,
    "having examined": R.HAVING_CONSIDERED,
    "having reviewed": R.HAVING_CONSIDERED,
    "observing": R.OBSERVING,
    "confirming": R.CONFIRMING,
    "acting": R.CONSIDERING,
    # French
    "rappelant": R.RECALLING,
    "réaffirmant": R.REAFFIRMING,
    "reconnaissant": R.RECOGNIZING,
    "notant": R.NOTING,
    "prenant note": R.NOTING,
    "soulignant": R.STRESSING,
    "considérant": R.CONSIDERING,
    "consciente": R.AWARE,
    "conscient": R.AWARE,
    "convaincue": R.CONVINCED,
    "préoccupée": R.CONCERNED,
    "se félicitant": R.WELCOMING,
    "accueillant avec satisfaction": R.WELCOMING,
    "sachant": R.AWARE,
    "ayant examiné": R.HAVING_CONSIDERED,
    "tenant compte": R.TAKING_INTO_ACCOUNT,
    "constatant": R.NOTING,
    "insistant": R.STRESSING,
    # Spanish
    "recordando": R.RECALLING,
    "reafirmando": R.REAFFIRMING,
    "reconociendo": R.RECOGNIZING,
    "observando": R.NOTING,
    "tomando nota": R.NOTING,
    "destacando": R.STRESSING,
    "subrayando": R.UNDERLINING,
    "considerando": R.CONSIDERING,
    "convencida": R.CONVINCED,
    "preocupada": R.CONCERNED,
    "acogiendo con beneplácito": R.WELCOMING,
    "teniendo presente": R.BEARING_IN_MIND,
    "teniendo en cuenta": R.TAKING_INTO_ACCOUNT,
    "poniendo de relieve": R.EMPHASIZING,
    "expresando": R.EXPRESSING,
}
# Adverbs that qualify a preambular participle without changing it: "Deeply concerned", "Recalling
# further", "Noting with appreciation".
_UN_PRE_BEFORE = (
    r"(?:(?:also|further|deeply|gravely|seriously|strongly|firmly|fully|profondément|vivement"
    r"|profundamente|gravemente|plenamente|sumamente)\s+)*"
)
_UN_PRE_AFTER = (
    r"(?:\s+(?:also|further|furthermore|again|in particular|with (?:deep |great |grave |serious )?"
    r"(?:appreciation|concern|satisfaction|interest|regret|alarm)|en outre|également|aussi|además"
    r"|asimismo|también|con (?:aprecio|preocupación|satisfacción|reconocimiento)))*"
)

UN_OPERATIVE: dict[str, R] = {
    "decides": R.DECIDES,
    "resolves": R.RESOLVES,
    "stresses": R.STRESSES,
    "emphasizes": R.EMPHASIZES,
    "emphasises": R.EMPHASIZES,
    "welcomes": R.WELCOMES,
    "takes note": R.TAKES_NOTE,
    "notes": R.NOTES,
    "calls upon": R.CALLS_UPON,
    "calls on": R.CALLS_UPON,
    "calls for": R.CALLS_FOR,
    "urges": R.URGES,
    "encourages": R.ENCOURAGES,
    "invites": R.INVITES,
    "requests": R.REQUESTS,
    "reaffirms": R.REAFFIRMS,
    "affirms": R.AFFIRMS,
    "acknowledges": R.ACKNOWLEDGES,
    "expresses": R.EXPRESSES,
    "recognizes": R.RECOGNIZES,
    "recognises": R.RECOGNIZES,
    "underlines": R.UNDERLINES,
    "underscores": R.UNDERSCORES,
    "highlights": R.HIGHLIGHTS,
    "reiterates": R.REITERATES,
    "recalls": R.RECALLS,
    "commends": R.COMMENDS,
    "supports": R.SUPPORTS,
    "approves": R.APPROVES,
    "adopts": R.ADOPTS,
    "endorses": R.ENDORSES,
    "authorizes": R.AUTHORIZES,
    "authorises": R.AUTHORIZES,
    "agrees": R.AGREES,
    "confirms": R.CONFIRMS,
    "considers": R.CONSIDERS,
    "believes": R.BELIEVES,
    "declares": R.DECLARES,
    "proclaims": R.PROCLAIMS,
    "designates": R.DESIGNATES,
    "demands": R.DEMANDS,
    "condemns": R.CONDEMNS,
    "deplores": R.DEPLORES,
    "regrets": R.REGRETS,
    "appeals to": R.APPEALS_TO,
    "instructs": R.INSTRUCTS,
    "recommends": R.RECOMMENDS,
    "looks forward": R.LOOKS_FORWARD,
    "undertakes": R.UNDERTAKES,
    "is of the view": R.IS_OF_THE_VIEW,
    # French
    "décide": R.DECIDES,
    "souligne": R.STRESSES,
    "insiste": R.STRESSES,
    "se félicite": R.WELCOMES,
    "accueille avec satisfaction": R.WELCOMES,
    "prend note": R.TAKES_NOTE,
    "constate": R.NOTES,
    "note": R.NOTES,
    "demande": R.CALLS_UPON,
    "engage": R.URGES,
    "exhorte": R.URGES,
    "prie instamment": R.URGES,
    "encourage": R.ENCOURAGES,
    "invite": R.INVITES,
    "prie": R.REQUESTS,
    "réaffirme": R.REAFFIRMS,
    "affirme": R.AFFIRMS,
    "reconnaît": R.RECOGNIZES,
    "exprime": R.EXPRESSES,
    "rappelle": R.RECALLS,
    "approuve": R.APPROVES,
    "adopte": R.ADOPTS,
    "considère": R.CONSIDERS,
    "déclare": R.DECLARES,
    # Spanish
    "decide": R.DECIDES,
    "destaca": R.STRESSES,
    "subraya": R.UNDERLINES,
    "acoge con beneplácito": R.WELCOMES,
    "acoge con satisfacción": R.WELCOMES,
    "toma nota": R.TAKES_NOTE,
    "observa": R.NOTES,
    "exhorta": R.CALLS_UPON,
    "insta": R.URGES,
    "alienta": R.ENCOURAGES,
    "invita": R.INVITES,
    "solicita": R.REQUESTS,
    "pide": R.REQUESTS,
    "reafirma": R.REAFFIRMS,
    "afirma": R.AFFIRMS,
    "reconoce": R.RECOGNIZES,
    "expresa": R.EXPRESSES,
    "recuerda": R.RECALLS,
    "aprueba": R.APPROVES,
    "considera": R.CONSIDERS,
    "declara": R.DECLARES,
}
_UN_OP_BEFORE = (
    r"(?:(?:also|further|furthermore|again|once\s+again|strongly|firmly|urgently|further\s+strongly"
    r"|in\s+this\s+regard|in\s+this\s+context|moreover|additionally|therefore|encore|également"
    r"|en\s+outre|aussi|vivement|además|asimismo|también|una\s+vez\s+más|igualmente)[\s,]+)*"
)
_UN_PRE_RE = re.compile(
    _UN_PRE_BEFORE
    + r"(?P<role>"
    + "|".join(sorted((re.escape(k) for k in UN_PREAMBULAR), key=len, reverse=True))
    + r")\b"
    + _UN_PRE_AFTER,
    re.IGNORECASE,
)
_UN_OP_RE = re.compile(
    _UN_OP_BEFORE
    + r"(?P<role>"
    + "|".join(sorted((re.escape(k) for k in UN_OPERATIVE), key=len, reverse=True))
    + r")\b"
    + r"(?:\s+(?:also|further|again|once again|strongly|en outre|también|además))?",
    re.IGNORECASE,
)
_UN_PRE_BY_WORD = {k.lower(): v for k, v in UN_PREAMBULAR.items()}
_UN_OP_BY_WORD = {k.lower(): v for k, v in UN_OPERATIVE.items()}


def un_preambular(text: str) -> RoleWords | None:
    """The participle opening a UN preambular paragraph ("Recalling also its resolution ..."), or None.

    The paragraph must start with a capital and go on after the participle; a lone word is a heading.

    Example:
        >>> un_preambular("Deeply concerned that the digital divide persists,").role.value
        'concerned'
        >>> un_preambular("Recalling further its resolution 70/1,").phrase
        'Recalling further'
    """
    text = clean_text(text)
    if not text[:1].isupper():
        return None
    m = _UN_PRE_RE.match(text)
    if not m or m.end() >= len(text) or not text[m.end()].isspace() and text[m.end()] not in ",:":
        return None
    return RoleWords(text[: m.end()], _UN_PRE_BY_WORD[_fold(m.group("role"))])


def un_operative(text: str) -> RoleWords | None:
    """The verb opening a UN operative paragraph ("Also requests the Secretary-General ..."), or None.

    Example:
        >>> un_operative("Further decides that the review will be concluded;").role.value
        'decides'
        >>> un_operative("Takes note with appreciation of the report").phrase
        'Takes note'
    """
    text = clean_text(text)
    if not text[:1].isupper():
        return None
    m = _UN_OP_RE.match(text)
    if not m or m.end() >= len(text) or not (text[m.end()].isspace() or text[m.end()] in ",:"):
        return None
    return RoleWords(text[: m.end()], _UN_OP_BY_WORD[_fold(m.group("role"))])


def _fold(words: str) -> str:
    return " ".join(words.lower().split())


# --------------------------------------------------------------------------------------------------
# Declarations in the first person

DECLARATION_VERBS: dict[str, R] = {
    "declare": R.DECLARES,
    "affirm": R.AFFIRMS,
    "reaffirm": R.REAFFIRMS,
    "resolve": R.RESOLVES,
    "decide": R.DECIDES,
    "undertake": R.UNDERTAKES,
    "commit": R.UNDERTAKES,
    "pledge": R.UNDERTAKES,
    "endorse": R.ENDORSES,
    "adopt": R.ADOPTS,
    "recognize": R.RECOGNIZES,
    "recognise": R.RECOGNIZES,
    "acknowledge": R.ACKNOWLEDGES,
    "stress": R.STRESSES,
    "emphasize": R.EMPHASIZES,
    "emphasise": R.EMPHASIZES,
    "underline": R.UNDERLINES,
    "underscore": R.UNDERSCORES,
    "highlight": R.HIGHLIGHTS,
    "welcome": R.WELCOMES,
    "note": R.NOTES,
    "take note": R.TAKES_NOTE,
    "recall": R.RECALLS,
    "reiterate": R.REITERATES,
    "express": R.EXPRESSES,
    "call upon": R.CALLS_UPON,
    "call on": R.CALLS_UPON,
    "call for": R.CALLS_FOR,
    "urge": R.URGES,
    "encourage": R.ENCOURAGES,
    "invite": R.INVITES,
    "request": R.REQUESTS,
    "support": R.SUPPORTS,
    "agree": R.AGREES,
    "commend": R.COMMENDS,
    "look forward": R.LOOKS_FORWARD,
    "are convinced": R.CONVINCED,
    "are concerned": R.CONCERNED,
    "are determined": R.DETERMINED,
    "are committed": R.UNDERTAKES,
    "remain committed": R.UNDERTAKES,
    "remain concerned": R.CONCERNED,
}
_WE_RE = re.compile(
    r"(?:We|Nous|Nosotros)(?:,[^.;:]{0,400}?,)?\s+(?:(?:also|further|strongly|firmly|therefore|again|fully"
    r"|hereby|collectively|once again)\s+)*(?P<verb>"
    + "|".join(sorted((re.escape(k) for k in DECLARATION_VERBS), key=len, reverse=True))
    + r")\b"
)


def declaration_verb(text: str) -> RoleWords | None:
    """The verb of a declaration's first-person paragraph ("We reaffirm our commitment ..."), or None.

    Example:
        >>> declaration_verb("We commit to strengthening cooperation").role.value
        'undertakes'
    """
    m = _WE_RE.match(clean_text(text))
    if not m:
        return None
    return RoleWords(f"we {m.group('verb')}", DECLARATION_VERBS[m.group("verb")])
