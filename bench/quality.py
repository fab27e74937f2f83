"""Retrieval quality per mode on the gold questions: Recall@10, MRR@10, Recall@1, per question kind.

A hit is a returned passage whose span covers at least half of a gold quote's span in its source file
(the gold's main quote or any of its ``also`` quotes), so the gold survives re-segmentation.

    .venv/bin/python bench/quality.py [--split dev|test|all] [--index DIR] [--gold DIR] [-k 10]
        [--ablate]   also hybrid without the exact-sequence boost and without references

Settings come from RAG_* variables as everywhere (e.g. RAG_RRF_K=30, RAG_WEIGHT_DENSE=1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.config import REPO_ROOT, make_settings  # noqa: E402
from rag.search import Searcher  # noqa: E402
from rag.types import Passage  # noqa: E402


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """The quote's span in the source: exact, else with any whitespace between its words."""
    pos = text.find(quote)
    if pos >= 0:
        return pos, pos + len(quote)
    parts = quote.split()
    if not parts:
        return None
    m = re.search(r"[\s\u00a0]+".join(re.escape(p) for p in parts), text)
    return (m.start(), m.end()) if m else None


def covers(p: Passage, source: str, span: tuple[int, int]) -> bool:
    """Whether the passage covers at least half of the span in that source file."""
    if p.source != source:
        return False
    a, b = span
    overlap = sum(max(0, min(b, e) - max(a, s)) for s, e in p.spans)
    return overlap * 2 >= (b - a)


def load_gold(gold_dir: Path, split: str) -> list[dict]:
    files = sorted(gold_dir.glob("*.jsonl")) if split == "all" else [gold_dir / f"{split}.jsonl"]
    out = []
    for f in files:
        if f.is_file():
            out += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def evaluate(searcher: Searcher, gold: list[dict], texts: dict[str, str], mode: str, k: int) -> dict:
    per_kind: dict[str, list[float]] = defaultdict(list)
    recall = rr = r1 = 0.0
    misses = []
    times = []
    for g in gold:
        answers = []
        for src, quote in [(g["source"], g["quote"])] + [
            (a["source"], a["quote"]) for a in g.get("also", [])
        ]:
            span = locate(texts[src], quote)
            if span:
                answers.append((src, span))
        started = time.perf_counter()
        hits = searcher.search(g["question"], k=k, mode=mode).hits
        times.append(time.perf_counter() - started)
        rank = next((h.rank for h in hits if any(covers(h.passage, s, sp) for s, sp in answers)), None)
        found = rank is not None
        recall += found
        rr += 1 / rank if found else 0.0
        r1 += rank == 1
        per_kind[g.get("kind", "?")].append(float(found))
        if not found:
            misses.append(g["id"])
    n = len(gold)
    return {
        "recall": recall / n,
        "mrr": rr / n,
        "recall1": r1 / n,
        "kinds": {kind: sum(v) / len(v) for kind, v in sorted(per_kind.items())},
        "misses": misses,
        "ms": 1000 * sorted(times)[len(times) // 2],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="all", help="dev, test or all (default)")
    parser.add_argument("--gold", default=str(REPO_ROOT / "eval" / "gold"))
    parser.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--ablate", action="store_true", help="also hybrid without boost / references")
    parser.add_argument("--misses", action="store_true", help="list the ids of missed questions")
    args = parser.parse_args()

    settings = make_settings(**({"index_dir": Path(args.index)} if args.index else {}))
    gold = load_gold(Path(args.gold), args.split)
    if not gold:
        print(f"no gold questions in {args.gold} ({args.split})", file=sys.stderr)
        return 1
    searcher = Searcher.load(settings)
    texts = {}
    for d in searcher.index.manifest["corpus"]:
        texts[d["file"]] = (settings.corpus_dir / d["file"]).read_bytes().decode("utf-8")
    unlocatable = [
        g["id"] for g in gold if g["source"] not in texts or not locate(texts[g["source"]], g["quote"])
    ]
    print(
        f"gold: {len(gold)} questions ({args.split}) from {args.gold}; index {settings.index_dir} "
        f"({len(searcher.passages)} passages); quotes not found in their source: {len(unlocatable)}"
    )
    runs = {mode: evaluate(searcher, gold, texts, mode, args.k) for mode in ("bm25", "dense", "hybrid")}
    if args.ablate:
        plain = Searcher(
            searcher.index, searcher.dense.encoder, settings.model_copy(update={"phrase_weight": 0.0})
        )
        runs["hybrid, no sequence boost"] = evaluate(plain, gold, texts, "hybrid", args.k)
        noref = Searcher(
            searcher.index, searcher.dense.encoder, settings.model_copy(update={"max_pinned": 0})
        )
        runs["hybrid, no references"] = evaluate(noref, gold, texts, "hybrid", args.k)
    print(f"{'mode':<28} {'R@' + str(args.k):>7} {'MRR@' + str(args.k):>7} {'R@1':>7} {'p50 ms':>7}")
    for mode, r in runs.items():
        print(f"{mode:<28} {r['recall']:>7.3f} {r['mrr']:>7.3f} {r['recall1']:>7.3f} {r['ms']:>7.1f}")
    best_single = max(runs["bm25"]["recall"], runs["dense"]["recall"])
    best_single_mrr = max(runs["bm25"]["mrr"], runs["dense"]["mrr"])
    h = runs["hybrid"]
    print(
        f"hybrid / best single mode: recall x{h['recall'] / best_single:.3f}, "
        f"MRR x{h['mrr'] / best_single_mrr:.3f}; "
        f"hybrid beats both: recall {h['recall'] > best_single}, MRR {h['mrr'] > best_single_mrr}; "
        f"hybrid R@{args.k} >= 0.90: {h['recall'] >= 0.90}"
    )
    kinds = sorted({kind for r in runs.values() for kind in r["kinds"]})
    print("recall per question kind: " + ", ".join(kinds))
    for mode, r in runs.items():
        print(f"  {mode:<26} " + " ".join(f"{kind}={r['kinds'].get(kind, 0):.2f}" for kind in kinds))
    if args.misses:
        for mode, r in runs.items():
            print(f"misses {mode}: {' '.join(r['misses'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
