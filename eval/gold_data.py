"""Gold questions for the evaluation harness: load them, check them, and place their answers in the sources.

Each answer is a quote of its source file, not a passage id, so the gold survives any re-segmentation:
the harness maps a quote to whichever passages cover its span when it scores a run. A quote is only a
usable answer if it pins down one place, so loading checks that every quote (and every ``also`` quote)
occurs exactly once in its source, is 40-200 characters long and stays within one line. The format and
the rules for writing questions are described in ``eval/gold/README.md``. Questions written in another
language (``eval/gold/lang.jsonl``, ``lang-dev.jsonl``) carry an optional ``lang`` field; their answers
are quotes of the same English sources.

Example:
    >>> from eval.gold_data import load_gold
    >>> questions = load_gold()  # eval/gold/dev.jsonl and eval/gold/test.jsonl
    >>> q = questions[0]
    >>> q.id, q.kind.value, q.answer.source  # doctest: +SKIP
    ('q002', 'fact', '002_2cd29aff50f41401.txt')
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from rag.config import REPO_ROOT
from rag.corpus import load_corpus
from rag.errors import RagError

logger = logging.getLogger(__name__)

GOLD_DIR = Path(__file__).resolve().parent / "gold"
SPLITS = ("dev", "test")
# Questions written only to train the reranker: never tuned on, scored only by cross-validation
# (see eval/gold/README.md)
TRAIN_SPLIT = "train"
QUOTE_MIN_CHARS = 40
QUOTE_MAX_CHARS = 200
FIELDS = ("id", "question", "kind", "source", "quote", "citation", "also")
# The language of the question, for the questions written in other languages (issue 18): an ISO 639-1
# code. Absent means English, the language of every seed document.
OPTIONAL_FIELDS = ("lang",)
LANG_CODE = re.compile(r"[a-z]{2}")
# Questions in the other official languages of the Union, answered by the English seed documents
LANG_SPLITS = ("lang-dev", "lang")
# The language of a question without a ``lang`` field
ENGLISH = "en"
# Listing every problem at once beats fixing a file one error per run; past this many the rest is noise.
MAX_REPORTED_PROBLEMS = 20


class GoldDataError(RagError, ValueError):
    """A gold file cannot be used: bad JSON, a missing field, or a quote that does not pin down one span."""


class GoldKind(StrEnum):
    """What a question tests (see ``eval/gold/README.md`` for how each kind is written)."""

    NAMED = "named"
    TOPICAL = "topical"
    CLAUSE_TYPE = "clause-type"
    PARAPHRASE = "paraphrase"
    FACT = "fact"
    PRECEDENT = "precedent"
    REFERENCE = "reference"

    @classmethod
    def from_str(cls, value: str) -> GoldKind:
        try:
            return cls(value)
        except ValueError:
            legal = ", ".join(k.value for k in cls)
            raise GoldDataError(f"unknown question kind {value!r}", hint=f"use one of: {legal}") from None


@dataclass(frozen=True, slots=True)
class GoldAnswer:
    """One acceptable answer: a quote and the span it occupies in its source file's decoded text."""

    source: str
    quote: str
    start: int
    end: int

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "quote": self.quote}


@dataclass(frozen=True, slots=True)
class GoldQuestion:
    """A question with its answers; ``answers[0]`` is the main answer, the rest are the ``also`` entries."""

    id: str
    question: str
    kind: GoldKind
    citation: str
    answers: tuple[GoldAnswer, ...]
    split: str
    lang: str | None = None

    def __post_init__(self) -> None:
        if not self.answers:
            raise GoldDataError(f"{self.id}: a gold question needs at least one answer")

    @property
    def answer(self) -> GoldAnswer:
        return self.answers[0]

    @property
    def also(self) -> tuple[GoldAnswer, ...]:
        return self.answers[1:]

    @property
    def language(self) -> str:
        """The language the question is written in (``lang``, English when absent)."""
        return self.lang or ENGLISH

    def to_dict(self) -> dict[str, Any]:
        """The question in its JSON-lines shape (the split is the file it lives in, not a field)."""
        record: dict[str, Any] = {"id": self.id}
        if self.lang is not None:
            record["lang"] = self.lang
        return record | {
            "question": self.question,
            "kind": self.kind.value,
            "source": self.answer.source,
            "quote": self.answer.quote,
            "citation": self.citation,
            "also": [a.to_dict() for a in self.also],
        }

    def __repr__(self) -> str:
        text = self.question if len(self.question) <= 60 else self.question[:57] + "..."
        return f"GoldQuestion(id={self.id!r}, kind={self.kind.value!r}, question={text!r})"


def default_gold_paths() -> list[Path]:
    """The committed gold files, dev first."""
    return [GOLD_DIR / f"{split}.jsonl" for split in SPLITS]


def training_gold_paths() -> list[Path]:
    """The committed gold files with the training questions: dev, test (never used, only checked for
    id clashes) and, where it exists, ``train.jsonl``."""
    train = GOLD_DIR / f"{TRAIN_SPLIT}.jsonl"
    return default_gold_paths() + ([train] if train.is_file() else [])


def language_gold_paths() -> list[Path]:
    """Questions in other languages (issue 18): ``lang-dev.jsonl`` to tune on, ``lang.jsonl`` to report."""
    return [GOLD_DIR / f"{split}.jsonl" for split in LANG_SPLITS]


def split_gold_paths(split: str) -> list[Path]:
    """The gold files a split is read from unless others are given: a language split its own file,
    every other split dev and test (``--split all`` means all of those, not the language files)."""
    if split in LANG_SPLITS:
        return [GOLD_DIR / f"{split}.jsonl"]
    return default_gold_paths()


def quote_problem(text: str, quote: str) -> str | None:
    """Say why ``quote`` cannot serve as an answer span in ``text``, or return None if it can."""
    if not QUOTE_MIN_CHARS <= len(quote) <= QUOTE_MAX_CHARS:
        return f"is {len(quote)} characters long; quotes must be {QUOTE_MIN_CHARS}-{QUOTE_MAX_CHARS}"
    if "\n" in quote or "\r" in quote:
        return "spans more than one line; quote part of a single line"
    count = text.count(quote)
    if count == 0:
        return (
            "does not occur in the source; copy it byte for byte with a script "
            "(non-breaking spaces U+00A0, curly quotes and en dashes must match)"
        )
    if count > 1:
        return f"occurs {count} times in the source; lengthen it until it occurs exactly once"
    return None


def load_gold(
    paths: Path | str | Iterable[Path | str] | None = None, *, corpus_dir: Path | str | None = None
) -> list[GoldQuestion]:
    """Read gold JSON-lines files and check every question against the corpus.

    Args:
        paths: one file or several; by default ``eval/gold/dev.jsonl`` and ``eval/gold/test.jsonl``.
            A file's stem (``dev``, ``test``) becomes its questions' ``split``.
        corpus_dir: the folder with the source files and ``documents.json``; by default the
            repository's ``corpus/``.

    Returns:
        The questions in file order.

    Raises:
        GoldDataError: a file is missing or malformed, or any question is invalid; the message lists
            every problem found (up to a limit), each with its file, line and question id.
    """
    if paths is None:
        path_list = default_gold_paths()
    elif isinstance(paths, str | Path):
        path_list = [Path(paths)]
    else:
        path_list = [Path(p) for p in paths]
    corpus = load_corpus(corpus_dir if corpus_dir is not None else REPO_ROOT / "corpus")
    texts = _SourceTexts(corpus)

    questions: list[GoldQuestion] = []
    problems: list[str] = []
    seen_ids: dict[str, str] = {}
    for path in path_list:
        if not path.is_file():
            raise GoldDataError(f"gold file {path} does not exist", hint="pass existing .jsonl files")
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{line_no}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not valid JSON ({exc.msg})")
                continue
            question, errors = _parse_record(record, where, path.stem, texts)
            problems.extend(errors)
            if question is None:
                continue
            if question.id in seen_ids:
                problems.append(f"{where} [{question.id}]: id already used at {seen_ids[question.id]}")
                continue
            seen_ids[question.id] = where
            questions.append(question)
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        listing = "\n  ".join(shown) + (f"\n  ... and {more} more" if more else "")
        raise GoldDataError(f"{len(problems)} problem(s) in the gold data:\n  {listing}")
    logger.info("loaded %d gold questions from %d file(s)", len(questions), len(path_list))
    return questions


class _SourceTexts:
    """Decoded source texts by file name, read once."""

    def __init__(self, corpus: Any) -> None:
        self._corpus = corpus
        self._by_file = {d.file: d for d in corpus.documents}
        self._texts: dict[str, str] = {}

    def get(self, file: str) -> str | None:
        if file not in self._by_file:
            return None
        if file not in self._texts:
            self._texts[file] = self._corpus.text(self._by_file[file])
        return self._texts[file]

    def known(self) -> str:
        return ", ".join(sorted(self._by_file))


def _parse_record(
    record: Any, where: str, split: str, texts: _SourceTexts
) -> tuple[GoldQuestion | None, list[str]]:
    if not isinstance(record, Mapping):
        return None, [f"{where}: expected a JSON object, got {type(record).__name__}"]
    qid = record.get("id")
    label = f"{where} [{qid}]" if isinstance(qid, str) else where
    errors: list[str] = []
    missing = [f for f in FIELDS if f not in record]
    if missing:
        errors.append(f"{label}: missing field(s) {', '.join(missing)}")
    extra = sorted(set(record) - set(FIELDS) - set(OPTIONAL_FIELDS))
    if extra:
        legal = ", ".join(FIELDS + OPTIONAL_FIELDS)
        errors.append(f"{label}: unknown field(s) {', '.join(extra)}; the fields are {legal}")
    lang = record.get("lang")
    if "lang" in record and not (isinstance(lang, str) and LANG_CODE.fullmatch(lang)):
        errors.append(f"{label}: lang must be a two-letter ISO 639-1 code such as 'fr', got {lang!r}")
    for name in ("id", "question", "kind", "source", "quote", "citation"):
        if name in record and (not isinstance(record[name], str) or not record[name].strip()):
            errors.append(f"{label}: {name} must be a non-empty string")
    also = record.get("also", [])
    if not isinstance(also, Sequence) or isinstance(also, str):
        errors.append(f"{label}: also must be a list of {{source, quote}} objects")
        also = []
    if errors:
        return None, errors

    try:
        kind = GoldKind.from_str(record["kind"])
    except GoldDataError as exc:
        errors.append(f"{label}: {exc}")
        kind = None

    answers: list[GoldAnswer] = []
    entries = [(record["source"], record["quote"], "quote")]
    for i, entry in enumerate(also):
        if not isinstance(entry, Mapping) or set(entry) != {"source", "quote"}:
            errors.append(f"{label}: also[{i}] must be an object with exactly source and quote")
            continue
        entries.append((entry["source"], entry["quote"], f"also[{i}]"))
    for source, quote, name in entries:
        if not isinstance(source, str) or not isinstance(quote, str):
            errors.append(f"{label}: {name} source and quote must be strings")
            continue
        text = texts.get(source)
        if text is None:
            errors.append(f"{label}: {name} source {source!r} is not a corpus file ({texts.known()})")
            continue
        problem = quote_problem(text, quote)
        if problem:
            errors.append(f"{label}: {name} {quote[:60]!r} {problem}")
            continue
        start = text.index(quote)
        answers.append(GoldAnswer(source=source, quote=quote, start=start, end=start + len(quote)))
    spans = [(a.source, a.start) for a in answers]
    if len(set(spans)) != len(spans):
        errors.append(f"{label}: the same span is listed twice among quote and also")
    if errors or kind is None:
        return None, errors
    return (
        GoldQuestion(
            id=record["id"],
            question=record["question"],
            kind=kind,
            citation=record["citation"],
            answers=tuple(answers),
            split=split,
            lang=record.get("lang"),
        ),
        [],
    )
