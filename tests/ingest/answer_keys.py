"""Scoring the reader against the hand-checked answer keys of tests/data/answer_keys/ (see its README).

Each key item is a quote of a clause item or paragraph with the instrument, role and label a reader
cites. An item is right when the quote lies inside exactly one passage of paragraph size whose
instrument, clause role and label are the key's. Quotes are found loosely (letters and digits only,
case folded: whitespace, line-end hyphenation and footnote calls do not matter), so the key does not
depend on a converter's spacing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rag.ingest.formats import convert
from rag.ingest.metadata import detect_metadata, document_id
from rag.parse import parse_document
from rag.types import DocumentMeta, ParsedDocument, Passage

KEYS_DIR = Path(__file__).resolve().parents[1] / "data" / "answer_keys"
PARAGRAPH_CHARS = 2000
_CALL = re.compile(r"\[\^[^\]\s]{1,12}\]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00ad": None})
_BULLETS = {"–", "—", "−", "•", "-", "*", "·", "▪"}


@dataclass(frozen=True)
class Verdict:
    item: dict[str, str | None]
    passage: Passage | None
    problem: str | None  # None when right

    @property
    def ok(self) -> bool:
        return self.problem is None


def key_files() -> list[Path]:
    return sorted(KEYS_DIR.glob("*.jsonl"))


def key_items(path: Path) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def added(source: Path) -> tuple[ParsedDocument, str]:
    """What ``rag add`` makes of a file, without writing anything: the parsed document and its text."""
    data = source.read_bytes()
    converted = convert(data, source.name)
    meta = detect_metadata(converted, source.name)
    doc = DocumentMeta(
        id=document_id(meta, source.name, set()), file=source.name + ".txt", title=meta.title,
        short_title=meta.short_title, event=meta.event, date=meta.date, kind="auto", symbol=meta.symbol,
        lang=meta.lang,
    )  # fmt: skip
    return parse_document(doc, converted.text), converted.text


def judge(parsed: ParsedDocument, text: str, item: dict[str, str | None]) -> Verdict:
    span = find_quote(text, str(item["quote"]))
    if span is None:
        return Verdict(item, None, "quote not found in the converted text")
    holders = [p for p in parsed.passages if any(a <= span[0] and span[1] <= b for a, b in p.spans)]
    if len(holders) != 1:
        return Verdict(item, None, f"quote lies in {len(holders)} passages (straddles a boundary)")
    passage = holders[0]
    wrong = []
    if passage.end - passage.start > PARAGRAPH_CHARS and "\n" in text[passage.start : passage.end].strip():
        wrong.append(f"passage of {passage.end - passage.start} characters")
    if _fold(passage.instrument) != _fold(item.get("instrument")):
        wrong.append(f"instrument {passage.instrument!r}, key {item.get('instrument')!r}")
    if passage.clause != item.get("clause"):
        wrong.append(f"clause {passage.clause!r}, key {item.get('clause')!r}")
    if _label(passage.label) != _label(item.get("label")):
        wrong.append(f"label {passage.label!r}, key {item.get('label')!r}")
    return Verdict(item, passage, "; ".join(wrong) or None)


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """The span of ``quote`` in ``text``, whitespace, case, quote marks and footnote calls aside."""
    clean = _CALL.sub(lambda m: " " * len(m.group(0)), text).translate(_QUOTES)
    positions = [i for i, ch in enumerate(clean) if not ch.isspace()]
    letters = "".join(clean[i] for i in positions).casefold()
    wanted = "".join(ch for ch in quote.translate(_QUOTES) if not ch.isspace()).casefold()
    at = letters.find(wanted)
    if not wanted or at < 0 or letters.find(wanted, at + 1) >= 0:
        return None
    return positions[at], positions[at + len(wanted) - 1] + 1


def _fold(value: str | None) -> str | None:
    return " ".join(value.split()).casefold() if value else None


def _label(value: str | None) -> str | None:
    if value is None or value.strip() in _BULLETS:
        return None
    return value.strip().strip("().").replace(")", "").casefold() or None
