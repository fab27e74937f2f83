"""Gold questions with one typo each, to measure query spelling (``rag/query/spelling.py``) on real questions.

    .venv/bin/python -m eval.typos eval/gold/test.jsonl /tmp/test-typos.jsonl [--seed 1]
    .venv/bin/rag eval --gold /tmp/test-typos.jsonl --split all --modes hybrid --no-baseline \
        --pipelines clause,clause-no-spelling

Each question gets one edit (a letter dropped, doubled, swapped with the next or replaced, drawn with
``--seed``) inside one word of 6+ letters that has no capital after its first letter; the word's
first letter is never touched. Precedent drafts (agreed wording, pasted) and questions without such a
word are left out, so compare with the same questions as written (``per_question.jsonl`` of a normal
run).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
from pathlib import Path

_WORD = re.compile(r"[A-Za-z]{6,}")


def misspell(word: str, rng: random.Random) -> str:
    """``word`` with one edit after its first letter."""
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("drop", "double", "swap", "replace"))
    if edit == "double":
        return word[:i] + word[i] + word[i:]
    if edit == "swap" and word[i] != word[i + 1]:  # swapping "rr" would change nothing: drop one instead
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit in ("drop", "swap"):
        return word[:i] + word[i + 1 :]
    other = rng.choice([c for c in string.ascii_lowercase if c != word[i].lower()])
    return word[:i] + other + word[i + 1 :]


def with_typos(records: list[dict], seed: int) -> list[dict]:
    """The records (gold JSON lines) whose question can take a typo, each with one."""
    rng = random.Random(seed)
    out = []
    for record in records:
        if record["kind"] == "precedent":
            continue
        question = record["question"]
        words = [m for m in _WORD.finditer(question) if not any(c.isupper() for c in m.group()[1:])]
        if not words:
            continue
        m = rng.choice(words)
        out.append(
            {**record, "question": question[: m.start()] + misspell(m.group(), rng) + question[m.end() :]}
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("gold", type=Path, help="a gold file (eval/gold/*.jsonl)")
    parser.add_argument("out", type=Path, help="where to write the questions with typos")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    records = [
        json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    typed = with_typos(records, args.seed)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in typed), encoding="utf-8")
    print(f"{len(typed)} of {len(records)} questions with one typo each -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
