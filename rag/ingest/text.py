"""Markdown and plain text (``.md``, ``.txt``) to reading text, and the typed-label helpers the web converters share.

Markdown here is mostly third-party text extracted from UN PDFs (YAML front matter, then one
paragraph per blank-line block, with the PDF's page furniture left in); plain text is the same
without the markup. Both become the reading text (``rag.ingest.reading``): the front matter becomes
metadata hints, headings keep their ``#`` marks, list items and typed labels become ``label<TAB>text``,
hard-wrapped lines are joined, and two conservative page-furniture repairs are made (see
``_repair_page_breaks``).

Encoding: a BOM decides; else strict UTF-8; else charset-normalizer's best guess; else cp1252 (which
decodes every byte), and the choice is said in a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# --- typed labels ---------------------------------------------------------------------------------

# A label typed at the start of a paragraph, as the reader sees it printed before the words.
_LABEL = re.compile(
    r"""^(?P<label>
        \d{1,3}(?:\.\d{1,3})+\.?            # 1.1  1.1.1  9.1.4.
      | [A-Z](?:\.\d{1,3})+\.?              # A.1  A.1.1.
      | \d{1,3}[.)]                         # 1.  1)
      | \(\d{1,3}\)                         # (1)
      | \([a-z]{1,2}\) | [a-z]{1,2}\)       # (a)  a)  aa)
      | \([ivxlc]{1,7}\) | [ivxlc]{1,7}\)   # (iv)  iv)
      | \([A-Z]\) | [A-Z]\)                 # (A)  A)
      | [A-Z]\. | [IVXLC]{1,6}\.            # A.  II.
      | [•▪◦·‣●○■□–—-]                      # bullets and dashes
    )(?P<gap>[ \t\u00a0\u2002-\u2009]+)(?=\S)""",
    re.VERBOSE,
)
# A bare number before lowercase words, ITU's operative style ("1 to provide", "2 that ..."), taken
# as a label only where the caller knows one is expected or a TAB stands after it.
_BARE_NUMBER = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2})*)(?P<gap>[ \t\u00a0]+)(?=[a-z])")
# Words that make a leading bare number a quantity, not a label ("2 billion people").
_QUANTITY_WORDS = frozenset(
    "per percent million millions billion billions thousand hundred years year months month days day "
    "hours weeks times km kg countries states members".split()
)


def split_typed_label(text: str, *, bare_numbers: bool = False) -> tuple[str | None, str]:
    """Split a label typed at the start of a paragraph off its words: ``"a) that"`` -> ``("a)", "that")``.

    Web pages and extracted text carry labels as typed characters, not as list numbering; the reading
    text wants them first with one TAB after them. Only clear labels are split (a number with a dot or
    bracket, a letter in brackets, a roman numeral with a dot or bracket, a bullet); a bare number
    (``"1 to provide"``) only when ``bare_numbers`` is set or a TAB follows it, and never before a word
    that makes it a quantity (``"2 billion"``).

    Returns:
        ``(label, rest)``, or ``(None, text)`` when the text does not open with a label.
    """
    stripped = text.lstrip(" \u00a0")
    match = _LABEL.match(stripped)
    if match is None:
        match = _BARE_NUMBER.match(stripped)
        if match is None or not (bare_numbers or "\t" in match.group("gap")):
            return None, text
        next_word = stripped[match.end() :].split(None, 1)[0].strip(",;:.").lower()
        if next_word in _QUANTITY_WORDS:
            return None, text
    return match.group("label"), stripped[match.end() :]


def starts_with_label(line: str) -> bool:
    """Whether a line opens with a clear typed label (``1.``, ``a)``, ``(i)``, ``1.2.3``, ``•``, ``–``)."""
    return _LABEL.match(line.lstrip(" \u00a0")) is not None


# --- language codes -------------------------------------------------------------------------------

# ISO 639-2 (bibliographic and terminology) codes of the languages the corpus meets, to ISO 639-1.
_ISO639_2 = {
    "eng": "en", "fra": "fr", "fre": "fr", "spa": "es", "rus": "ru", "ara": "ar", "zho": "zh",
    "chi": "zh", "deu": "de", "ger": "de", "por": "pt", "ita": "it", "jpn": "ja", "kor": "ko",
    "nld": "nl", "dut": "nl", "swe": "sv", "pol": "pl", "tur": "tr", "ukr": "uk", "hin": "hi",
    "fas": "fa", "per": "fa", "swa": "sw", "ind": "id", "vie": "vi", "tha": "th", "ell": "el",
    "gre": "el", "ces": "cs", "cze": "cs", "fin": "fi", "dan": "da", "nor": "no", "heb": "he",
    "hun": "hu", "ron": "ro", "rum": "ro", "bul": "bg", "srp": "sr", "hrv": "hr", "slk": "sk",
    "slo": "sk", "slv": "sl", "est": "et", "lav": "lv", "lit": "lt", "msa": "ms", "may": "ms",
}  # fmt: skip
# English names, as metadata blocks sometimes write them ("language: English").
_LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "français": "fr", "spanish": "es", "español": "es",
    "russian": "ru", "arabic": "ar", "chinese": "zh", "german": "de", "portuguese": "pt",
}  # fmt: skip


def iso639_1(value: str | None) -> str | None:
    """A language tag as ISO 639-1 (``"en"``): from ``"en"``, ``"EN"``, ``"en-GB"``, ``"eng"``, ``"English"``.

    Returns None for what it does not know, so that a wrong hint is never given.
    """
    if not value:
        return None
    tag = value.strip().lower().replace("_", "-").split("-")[0]
    if re.fullmatch(r"[a-z]{2}", tag):
        return tag
    return _ISO639_2.get(tag) or _LANGUAGE_NAMES.get(tag)
