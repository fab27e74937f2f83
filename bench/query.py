"""In-process query latency per mode, as a ratio to the query embedding time; memory of a loaded index.

    .venv/bin/python bench/query.py [--index DIR] [-n 200] [-k 10]

Queries are the gold questions (eval/gold/*.jsonl), so they have realistic lengths. Targets (issue 3):
p50 bm25 <= 2 ms, hybrid <= 15 ms; peak memory of a loaded index < 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from bench.common import pct  # noqa: E402
from rag.config import REPO_ROOT, make_settings  # noqa: E402
from rag.rank.search import Searcher  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    parser.add_argument("-n", type=int, default=200, help="number of queries")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    settings = make_settings(**({"index_dir": Path(args.index)} if args.index else {}))
    before = peak_mib()
    started = time.perf_counter()
    searcher = Searcher.load(settings)
    load_s = time.perf_counter() - started
    loaded = peak_mib()
    questions = []
    seed_gold = (REPO_ROOT / "eval" / "gold" / f"{split}.jsonl" for split in ("dev", "test", "train"))
    for f in (p for p in seed_gold if p.is_file()):
        questions += [
            json.loads(line)["question"] for line in f.read_text(encoding="utf-8").splitlines() if line
        ]
    questions = (questions or ["digital skills for women and girls"])[: args.n]
    for q in questions[:10]:  # warm up
        searcher.search(q, k=args.k)
    embed = []
    for q in questions:
        t = time.perf_counter()
        searcher.context.embed(q)
        embed.append(1000 * (time.perf_counter() - t))
    embed_p50 = pct(embed, 0.5)
    print(
        f"index {settings.index.index_dir}: {len(searcher.passages)} passages, "
        f"encoder {searcher.index.backend}; "
        f"loaded in {load_s:.2f} s; peak RSS {before:.0f} MiB before, {loaded:.0f} MiB loaded"
    )
    print(
        f"query embedding p50 {embed_p50:.2f} ms, p95 {pct(embed, 0.95):.2f} ms "
        f"({len(questions)} gold questions)"
    )
    print(f"{'mode':<8} {'p50 ms':>8} {'p95 ms':>8} {'p50 / embed':>12}  target")
    targets = {"bm25": 2.0, "hybrid": 15.0}
    for mode in ("bm25", "dense", "hybrid"):
        times = []
        for q in questions:
            t = time.perf_counter()
            searcher.search(q, k=args.k, mode=mode)
            times.append(1000 * (time.perf_counter() - t))
        p50 = pct(times, 0.5)
        target = f"<= {targets[mode]:.0f} ms: {p50 <= targets[mode]}" if mode in targets else ""
        print(f"{mode:<8} {p50:8.2f} {pct(times, 0.95):8.2f} {p50 / embed_p50:12.2f}  {target}")
    peak = peak_mib()
    print(f"peak RSS after queries {peak:.0f} MiB (< 1024 MiB: {peak < 1024})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
