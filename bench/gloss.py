"""Query translation by glossary (rag/query/translate.py) on lang-dev: coverage, latency, retrieval.

    OMP_NUM_THREADS=1 .venv/bin/python bench/gloss.py [--index DIR] [--corpus DIR] [--runs FILE]

Every lang-dev question (eval/gold/lang-dev.jsonl) is glossed in English. Printed per language and
overall: the share of content words the glossary matched (``Gloss.coverage``), gloss latency (p50 and
p99 over 200 passes, glossary already loaded, plus the one-time load), and Recall@10 / MRR@10 of the
English pipeline (hybrid, bm25, dense) on the raw question, on the gloss and on gloss + raw question.
A hit is a passage that covers at least half of the gold quote or of an ``also`` quote
(``eval.judge.Judge``, as ``rag eval`` judges). ``--runs`` saves, per question id, the top-100
passage ids of each mode on the gloss (and the gloss itself) for offline fusion with other legs.

Never run on eval/gold/lang.jsonl: it is the test set of issue 18.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from eval.gold_data import language_gold_paths, load_gold  # noqa: E402
from eval.judge import Judge, load_texts  # noqa: E402
from rag.config import make_settings  # noqa: E402
from rag.query.translate import LANGUAGES, gloss, load_glossary  # noqa: E402
from rag.rank.search import Searcher  # noqa: E402

MODES = ("hybrid", "bm25", "dense")
VARIANTS = ("raw", "gloss", "gloss+raw")


def latency(questions: list) -> None:
    """Glossary load once per language, then p50/p99 of one gloss over many passes."""
    for lang in LANGUAGES:
        start = time.perf_counter()
        load_glossary(lang)
        print(f"load {lang}: {(time.perf_counter() - start) * 1000:.1f} ms")
    times = []
    for _ in range(200):
        for q in questions:
            start = time.perf_counter()
            gloss(q.question, q.lang)
            times.append(time.perf_counter() - start)
    times.sort()
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    print(f"gloss latency: p50 {p50 * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us, max {times[-1] * 1e6:.0f} us")


def coverage(questions: list) -> None:
    by_lang = defaultdict(list)
    for q in questions:
        by_lang[q.lang].append(gloss(q.question, q.lang).coverage)
    for lang, values in sorted(by_lang.items()):
        print(f"coverage {lang}: mean {statistics.mean(values):.3f}, min {min(values):.2f}")
    everything = [v for values in by_lang.values() for v in values]
    print(f"coverage all: mean {statistics.mean(everything):.3f}")


def scores(ranked: list[str], relevant: set[str]) -> tuple[float, float]:
    """(hit in the top 10, reciprocal rank of the first hit within 10)."""
    for rank, passage_id in enumerate(ranked[:10], start=1):
        if passage_id in relevant:
            return 1.0, 1.0 / rank
    return 0.0, 0.0


def retrieval(questions: list, searcher: Searcher, relevant: dict[str, set[str]]) -> dict:
    """Per (variant, mode, lang): list of (recall, rr); and the gloss runs to save."""
    table: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    runs = {}
    for q in questions:
        english = gloss(q.question, q.lang).english
        texts = {"raw": q.question, "gloss": english, "gloss+raw": f"{english} {q.question}"}
        runs[q.id] = {"gloss": english}
        for mode in MODES:
            for variant, text in texts.items():
                k = 100 if variant == "gloss" else 10
                ranked = [h.passage.id for h in searcher.search(text, k=k, mode=mode).hits]
                if variant == "gloss":
                    runs[q.id][mode] = ranked
                for lang in (q.lang, "all"):
                    table[(variant, mode, lang)].append(scores(ranked, relevant[q.id]))
    return {"table": table, "runs": runs}


def print_table(table: dict, langs: list[str]) -> None:
    print(f"{'variant':10} {'mode':7} " + " ".join(f"{lang:>11}" for lang in langs))
    for variant in VARIANTS:
        for mode in MODES:
            cells = []
            for lang in langs:
                rows = table[(variant, mode, lang)]
                recall = sum(r for r, _ in rows) / len(rows)
                mrr = sum(m for _, m in rows) / len(rows)
                cells.append(f"{recall:.2f}/{mrr:.2f}")
            print(f"{variant:10} {mode:7} " + " ".join(f"{c:>11}" for c in cells))
    print("(cells: Recall@10 / MRR@10)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("/tmp/idx-seed"))
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "corpus")
    parser.add_argument("--runs", type=Path, default=None, help="save the gloss runs (top-100 ids) here")
    parser.add_argument("--no-search", action="store_true", help="coverage and latency only")
    args = parser.parse_args()
    questions = load_gold([p for p in language_gold_paths() if p.stem == "lang-dev"])
    latency(questions)
    coverage(questions)
    if args.no_search:
        return
    settings = make_settings(index_dir=args.index, corpus_dir=args.corpus)
    searcher = Searcher.load(settings)
    judge = Judge(load_texts(settings)[0], searcher.passages)
    relevant = {q.id: {p.id for p in judge.covering(Judge.answers(q))} for q in questions}
    result = retrieval(questions, searcher, relevant)
    print_table(result["table"], sorted({q.lang for q in questions}) + ["all"])
    if args.runs:
        args.runs.write_text(json.dumps(result["runs"], ensure_ascii=False), encoding="utf-8")
        print(f"runs saved to {args.runs}")


if __name__ == "__main__":
    main()
