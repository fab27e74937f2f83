"""The added split's gold (eval/gold/added.jsonl) answers with exact spans of the converted texts.

Its questions ask about the development set (../shared/corpus-more) as ``rag add`` converts it, so
they are checked against a corpus made the way ``rag eval --split added`` makes it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.added import ADDED_GOLD, added_corpus, development_files
from eval.gold_data import GoldKind, load_gold, training_gold_paths
from rag.config import get_settings


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    settings, converted = added_corpus(get_settings(), tmp_path_factory.mktemp("added"))
    return settings.index.corpus_dir, converted


def test_every_added_question_quotes_its_converted_text_exactly_once(added):
    corpus_dir, converted = added
    questions = load_gold([ADDED_GOLD], corpus_dir=corpus_dir)  # raises, listing every bad quote
    assert len(questions) >= 40 and {q.split for q in questions} == {"added"}
    sources = Counter(q.answer.source for q in questions)
    # every development document is asked about, several times
    assert set(sources) == set(converted.values()) and min(sources.values()) >= 5
    kinds = Counter(q.kind for q in questions)
    assert {GoldKind.NAMED, GoldKind.TOPICAL, GoldKind.PARAPHRASE, GoldKind.FACT} <= set(kinds)


def test_the_development_set_is_the_ten_published_files():
    names = [p.name for p in development_files()]
    assert len(names) == 10 and {Path(n).suffix for n in names} == {
        ".pdf",
        ".md",
        ".html",
        ".xml",
        ".doc",
        ".docx",
    }


def test_added_ids_never_clash_with_the_seed_gold():
    seed_ids = {
        json.loads(line)["id"] for p in training_gold_paths() for line in p.read_text().splitlines() if line
    }
    added_ids = {json.loads(line)["id"] for line in ADDED_GOLD.read_text().splitlines() if line}
    assert not seed_ids & added_ids


def test_training_questions_on_added_documents_never_answer_on_an_added_split_line(added):
    """The ranker learns from eval/gold/added-train.jsonl; the added split must stay unseen by it."""
    from eval.added import ADDED_TRAIN

    corpus_dir, _ = added
    gold = load_gold([ADDED_GOLD], corpus_dir=corpus_dir)
    train = load_gold([ADDED_TRAIN], corpus_dir=corpus_dir)
    assert len(train) >= 100 and {q.split for q in train} == {"added-train"}

    def lines(q):  # type: ignore[no-untyped-def]
        found = set()
        for answer in (q.answer, *q.also):
            text = (corpus_dir / answer.source).read_text(encoding="utf-8")
            found.add((answer.source, text.count("\n", 0, text.index(answer.quote))))
        return found

    used = set().union(*(lines(q) for q in gold))
    assert not [q.id for q in train if lines(q) & used]
