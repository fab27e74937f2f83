"""HTTP latency of ``POST /search`` over the loopback, as a ratio to the in-process query time.

    .venv/bin/python bench/http_latency.py [--index DIR] [-n 200] [-k 10] [--workers 1]

Starts ``rag serve`` on a free port (the index is built first if needed), sends the gold questions
(eval/gold/*.jsonl) one at a time over one keep-alive connection, then times the same queries with
``Searcher.search`` in this process. The difference is what the API adds: HTTP parsing, validation,
JSON encoding of the results with highlights, the request log line. Issue 4 asks for the hybrid
p50/p95 and their ratio to the in-process time; bm25 is shown too, since its tiny query time makes the
fixed per-request cost visible.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from bench.common import free_port, gold_questions, pct, start_rag_serve, stop  # noqa: E402
from rag.config import make_settings  # noqa: E402
from rag.rank.search import Searcher  # noqa: E402


def time_http(port: int, questions: list[str], k: int, mode: str) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    times = []
    for q in questions:
        body = json.dumps({"query": q, "k": k, "mode": mode})
        started = time.perf_counter()
        conn.request("POST", "/search", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        times.append(1000 * (time.perf_counter() - started))
        if response.status != 200:
            raise SystemExit(f"{response.status} for {q!r}: {payload[:300]!r}")
        json.loads(payload)
    conn.close()
    return times


def time_in_process(searcher: Searcher, questions: list[str], k: int, mode: str) -> list[float]:
    times = []
    for q in questions:
        started = time.perf_counter()
        searcher.search(q, k=k, mode=mode)
        times.append(1000 * (time.perf_counter() - started))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    parser.add_argument("-n", type=int, default=200, help="number of queries")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = parser.parse_args()
    questions = (gold_questions() or ["digital skills for women and girls"])[: args.n]
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-http-{port}.log"
    process = start_rag_serve(port, args.index, args.workers, log)
    try:
        http_times = {}
        for mode in ("hybrid", "bm25"):
            time_http(port, questions[:10], args.k, mode)  # warm up
            http_times[mode] = time_http(port, questions, args.k, mode)
    finally:
        stop(process)

    settings = make_settings(**({"index_dir": Path(args.index)} if args.index else {}))
    searcher = Searcher.load(settings)
    print(
        f"{len(questions)} gold questions, k={args.k}, one keep-alive connection, "
        f"{args.workers} worker(s), {os.cpu_count()} CPUs"
    )
    widths = {
        "mode": -8,
        "HTTP p50": 9,
        "p95": 8,
        "in-proc p50": 12,
        " p95": 8,
        "p50 ratio": 10,
        "p95 ratio": 10,
    }
    print(
        " ".join(f"{name.strip():<{-w}}" if w < 0 else f"{name.strip():>{w}}" for name, w in widths.items())
    )
    for mode in ("hybrid", "bm25"):
        time_in_process(searcher, questions[:10], args.k, mode)  # warm up
        local = time_in_process(searcher, questions, args.k, mode)
        remote = http_times[mode]
        h50, h95, l50, l95 = pct(remote, 0.5), pct(remote, 0.95), pct(local, 0.5), pct(local, 0.95)
        print(f"{mode:<8} {h50:9.2f} {h95:8.2f} {l50:12.2f} {l95:8.2f} {h50 / l50:10.2f} {h95 / l95:10.2f}")
        print(f"{'':<8} HTTP adds {h50 - l50:.2f} ms at p50")
    return 0


if __name__ == "__main__":
    sys.exit(main())
