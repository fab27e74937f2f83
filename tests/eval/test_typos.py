"""eval/typos.py: each question of a gold file with exactly one typo, the same ones for the same seed."""

from __future__ import annotations

import json

from rapidfuzz.distance import DamerauLevenshtein

from eval.typos import with_typos
from rag.config import REPO_ROOT


def test_each_question_gets_one_edit_inside_one_word_and_drafts_are_left_out():
    path = REPO_ROOT / "eval" / "gold" / "dev.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    typed = with_typos(records, seed=1)
    by_id = {r["id"]: r for r in records}
    assert len(typed) > 0.8 * len(records)
    assert not any(r["kind"] == "precedent" for r in typed)
    for r in typed:
        original = by_id[r["id"]]
        assert DamerauLevenshtein.distance(r["question"], original["question"]) == 1, r["question"]
        assert {k: v for k, v in r.items() if k != "question"} == {
            k: v for k, v in original.items() if k != "question"
        }
    assert with_typos(records, seed=1) == typed and with_typos(records, seed=2) != typed
