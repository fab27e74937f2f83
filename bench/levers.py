"""What each retrieval lever of issue 8 costs per query, in milliseconds, in process.

    .venv/bin/python bench/levers.py [--index DIR] [-n 200] [--repeat 3]

Every gold question (eval/gold/*.jsonl, realistic lengths) is searched in hybrid mode by searchers that
differ in one lever each, round-robin per question, so machine load (the machine is shared) falls on
all configurations alike. Printed: p50 and p95 per configuration and the median per-query difference
to the served configuration, plus the parts of the served search (query embedding, the floor;
reranker features; model prediction; precedent scoring of draft-like queries).
Targets (issue 3): p50 bm25 <= 2 ms, hybrid <= 15 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from bench.common import pct  # noqa: E402
from rag.config import REPO_ROOT, make_settings  # noqa: E402
from rag.rank.search import Searcher  # noqa: E402

CONFIGS: dict[str, dict[str, object]] = {
    "served": {},
    "no reranker": {"rerank": False},
    "no precedent search": {"precedent_search": False},
    "drafts not reranked": {"rerank_drafts": False},
    "RRF fusion, no reranker": {"fusion": "rrf", "rerank": False},
    "vocabulary expansion on": {"vocabulary_weight": 0.5, "vocabulary_dense": True},
    "no spelling correction": {"spelling": False},
}


def questions(n: int) -> list[str]:
    out: list[str] = []
    seed_gold = (REPO_ROOT / "eval" / "gold" / f"{split}.jsonl" for split in ("dev", "test", "train"))
    for path in (p for p in seed_gold if p.is_file()):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["question"])
    return out[:n]


def timed(fn, *args, **kwargs) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - t0) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    parser.add_argument("-n", type=int, default=200, help="number of questions")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the questions")
    args = parser.parse_args()
    base = make_settings(**({"index_dir": Path(args.index)} if args.index else {}))
    served = Searcher.load(base)
    searchers = {
        name: served
        if not overrides
        else Searcher.from_index(served.index, served.encoder, base.updated(**overrides), served.multilingual)
        for name, overrides in CONFIGS.items()
    }
    qs = questions(args.n)
    for s in searchers.values():  # warm-up: lazy sessions, caches, role masks
        for q in qs[:5]:
            s.search(q, k=10)
    times: dict[str, list[float]] = {name: [] for name in searchers}
    bm25: list[float] = []
    parts: dict[str, list[float]] = {"query embedding": [], "reranker features": [], "reranker model": []}
    for _ in range(args.repeat):
        for q in qs:
            for name, s in searchers.items():
                times[name].append(timed(s.search, q, k=10)[0])
            bm25.append(timed(served.search, q, k=10, mode="bm25")[0])
            query, candidates = served.first_stage(q, k=10)
            parts["query embedding"].append(timed(served.context.embed, q)[0])
            if query.draft is None:
                ms, (_, matrix) = timed(served.rerank_features, query, candidates)  # type: ignore[misc]
                parts["reranker features"].append(ms)
                parts["reranker model"].append(timed(served.context.reranker.score, matrix)[0])  # type: ignore[union-attr]
    floor = statistics.median(parts["query embedding"])
    print(f"{len(qs)} questions x {args.repeat} passes, hybrid, k=10; load average {os.getloadavg()[0]:.1f}")
    print(f"{'configuration':28} {'p50 ms':>7} {'p95 ms':>7} {'p50/embed':>9} {'median delta vs served':>24}")
    for name, values in times.items():
        deltas = [a - b for a, b in zip(values, times["served"], strict=True)]
        print(
            f"{name:28} {pct(values, 0.5):7.2f} {pct(values, 0.95):7.2f} {pct(values, 0.5) / floor:9.2f} "
            f"{statistics.median(deltas):+24.2f}"
        )
    print(f"{'bm25 mode (served)':28} {pct(bm25, 0.5):7.2f} {pct(bm25, 0.95):7.2f}")
    for name, values in parts.items():
        print(f"part: {name:22} {pct(values, 0.5):7.2f} {pct(values, 0.95):7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
