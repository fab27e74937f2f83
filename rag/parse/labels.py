"""Item labels: what kind a printed label is ("a)", "iv)", "2", "1.3.2", "–") and what comes next.

Lists in these texts are lettered, numbered or in roman numerals, nested, and sometimes printed with
revision marks run together ("dc)" for c deleted and d inserted). A reader cites the label an item has
in its sequence, so parsers ask ``reader_value`` what a printed label is worth after the previous one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.parse.tree import Node

_ROMAN = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _to_roman(n: int) -> str:
    out = []
    for value, numeral in _ROMAN:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _from_roman(s: str) -> int | None:
    values = {"i": 1, "v": 5, "x": 10, "l": 50}
    if not s or any(ch not in values for ch in s):
        return None
    total = 0
    for i, ch in enumerate(s):
        v = values[ch]
        total += -v if i + 1 < len(s) and values[s[i + 1]] > v else v
    return total if total and _to_roman_full(total) == s else None


def _to_roman_full(n: int) -> str:
    return "l" * (n // 50) + _to_roman(n % 50) if n >= 50 else _to_roman(n)


def _next_letter(s: str) -> str:
    """``a`` -> ``b``, ``z`` -> ``aa``, ``aa`` -> ``ab``: the letters of long preambular lists."""
    if s[-1] != "z":
        return s[:-1] + chr(ord(s[-1]) + 1)
    return "aa" if len(s) == 1 else _next_letter(s[:-1]) + "a"


KINDS_WITH_SEQUENCE = ("letter", "roman", "number", "paren")
INDENT_KINDS = ("dash", "bullet", "star")
FIRST_LABEL = {"letter": "a", "roman": "i", "number": "1", "paren": "1"}


def label_kinds(label: str) -> list[tuple[str, str]]:
    """The kinds a printed label may be, with its value in each: ``i)`` is a letter or a numeral."""
    if label in ("–", "—", "−", "-"):
        return [("dash", label)]
    if label == "•":
        return [("bullet", label)]
    if label == "*":
        return [("star", label)]
    if re.fullmatch(r"\d+(?:\.\d+)+\.?", label):
        return [("decimal", label.rstrip("."))]
    if re.fullmatch(r"\d+\)", label):
        return [("paren", label[:-1])]
    if re.fullmatch(r"\d+\.?", label):
        return [("number", label.rstrip("."))]
    value = label.rstrip(")")
    kinds = []
    if len(value) <= 2:
        kinds.append(("letter", value))
    if _from_roman(value):
        kinds.append(("roman", value))
    return kinds


def successor(kind: str, last: str | None) -> str | None:
    if last is None:
        return FIRST_LABEL.get(kind)
    if kind == "letter":
        return _next_letter(last)
    if kind == "roman":
        n = _from_roman(last)
        return _to_roman_full(n + 1) if n else None
    if kind in ("number", "paren"):
        return str(int(last) + 1)
    return None


def _is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


def reader_value(kind: str, printed: str, expected: str | None) -> str | None:
    """The value a reader cites for a printed label, or None if it does not fit the sequence.

    Revision marks run a deleted and an inserted label together (``dc`` = c deleted, d inserted;
    ``912`` = 9 -> 12; ``103`` = 10 -> 13 with the shared ``1`` printed once): the printed label then
    holds the expected one at its start or end, or as a subsequence of its digits.
    """
    if expected is None:
        return printed if kind not in KINDS_WITH_SEQUENCE else None
    if printed == expected:
        return expected
    if kind in ("letter", "number", "paren") and len(printed) > len(expected):
        if printed.startswith(expected) or printed.endswith(expected):
            return expected
        if kind == "number" and _is_subsequence(expected, printed):
            return expected
    return None


@dataclass(slots=True)
class ListLevel:
    """One open list of items: its label kind, the node it hangs under, the last value seen, its
    latest item, and the paragraph ending in ":" that led into it, if any."""

    kind: str
    parent: Node
    last: str | None = None
    node: Node | None = None
    lead_in: str | None = None
