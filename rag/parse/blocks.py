"""Clause blocks: how sibling blocks are told apart in ids and citations, and bureaux abbreviated.

Two blocks of one instrument may print the same role ("invites Member States", "invites Sector
Members"); their ids and citations then add the addressee, shortened the way ITU texts shorten it
(the Telecommunication Development Bureau is BDT; "..., in collaboration with ..." is dropped), and
only as much of it as tells them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.parse.tree import Node, slugify

# Bureau names shortened in citations and id slugs, as ITU texts abbreviate them.
_BUREAUX = [
    (re.compile(r"(?:the\s+)?Telecommunication\s+Development\s+Bureau", re.IGNORECASE), "BDT"),
    (re.compile(r"(?:the\s+)?Radiocommunication\s+Bureau", re.IGNORECASE), "BR"),
    (re.compile(r"(?:the\s+)?Telecommunication\s+Standardization\s+Bureau", re.IGNORECASE), "TSB"),
    # French and Spanish texts keep the English abbreviations ("le Directeur du TSB", "de la BDT")
    (re.compile(r"Bureau\s+de\s+développement\s+des\s+télécommunications", re.I), "BDT"),
    (re.compile(r"Bureau\s+des\s+radiocommunications", re.I), "BR"),
    (re.compile(r"Bureau\s+de\s+la\s+normalisation\s+des\s+télécommunications", re.I), "TSB"),
    (re.compile(r"Oficina\s+de\s+Desarrollo\s+de\s+las\s+Telecomunicaciones", re.I), "BDT"),
    (re.compile(r"Oficina\s+de\s+Radiocomunicaciones", re.I), "BR"),
    (re.compile(r"Oficina\s+de\s+Normalización\s+de\s+las\s+Telecomunicaciones", re.I), "TSB"),
]
# Where a short addressee stops: before the collaborators and the scope of the mandate.
_ADDRESSEE_CUT = re.compile(
    r",?\s+(?:in\s+(?:close\s+)?(?:collaboration|cooperation|consultation|coordination)\s+with"
    r"|each\s+within|within\s+(?:its|their)\b|as\s+appropriate\b"
    r"|en\s+(?:étroite\s+)?(?:collaboration|coopération|concertation|consultation)\s+avec"
    r"|en\s+(?:estrecha\s+)?(?:colaboración|cooperación|consulta|coordinación)\s+con)"
)
# "... other stakeholders to work collaboratively": the purpose is not part of the addressee.
ADDRESSEE_PURPOSE = re.compile(r"\s+to\s+[a-z][a-z ]*$")
_STOPWORDS = {"the", "of", "and", "a", "an", "in", "with", "to", "its", "their"}


def abbreviate(text: str) -> str:
    for pattern, short in _BUREAUX:
        text = pattern.sub(short, text)
    return text


def short_addressee(addressee: str) -> str:
    m = _ADDRESSEE_CUT.search(addressee)
    return addressee[: m.start()] if m else addressee


def _addressee_slug(addressee: str, *, max_words: int) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", abbreviate(addressee).lower()) if w not in _STOPWORDS]
    return "-".join(words[:max_words])


@dataclass(slots=True)
class BlockInfo:
    node: Node
    phrase: str
    addressee: str | None


def name_blocks(blocks: list[BlockInfo], warn: list[str]) -> None:
    """Give sibling blocks their slugs and cites, adding the addressee only where two would clash."""
    base = [slugify(b.phrase, max_words=8) for b in blocks]
    slugs = list(base)
    for level in (
        lambda b: _addressee_slug(short_addressee(b.addressee or ""), max_words=6),
        lambda b: _addressee_slug(b.addressee or "", max_words=10),
    ):
        counts: dict[str, int] = {}
        for s in slugs:
            counts[s] = counts.get(s, 0) + 1
        for i, b in enumerate(blocks):
            if counts[slugs[i]] > 1 and b.addressee:
                extra = level(b)
                slugs[i] = f"{base[i]}-{extra}" if extra else slugs[i]
    seen: dict[str, int] = {}
    for i, b in enumerate(blocks):
        n = seen.get(slugs[i], 0) + 1
        seen[slugs[i]] = n
        b.node.slug = slugs[i] if n == 1 else f"{slugs[i]}-{n}"
        if n > 1:
            warn.append(f"two blocks '{b.phrase}' with the same addressee; the second is {b.node.slug}")
    cites = [_block_cite(b, full=False) for b in blocks]
    for i, b in enumerate(blocks):
        if cites.count(cites[i]) > 1:
            b.node.cite = _block_cite(b, full=True)
        else:
            b.node.cite = cites[i]


def _block_cite(b: BlockInfo, *, full: bool) -> str:
    if not b.addressee:
        return b.phrase
    addressee = b.addressee if full else short_addressee(b.addressee)
    return f"{b.phrase} {abbreviate(addressee)}"
