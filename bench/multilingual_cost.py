"""What the multilingual leg costs (issue 18): build time, query latency over HTTP, memory.

    .venv/bin/python bench/multilingual_cost.py [--index DIR] [-n 45] [--rounds 1] [--sample 300]
                                                [--skip-build]

1. Build. The leg embeds every passage a second time (multilingual-e5-small, ONNX Runtime). Timed:
   the encoder's throughput on a sample of the index's passage texts (``--sample``, longest and
   shortest alike: every n-th), the cold embedding of the whole index extrapolated from it, and a
   rebuild of a copy of the index with both embedding caches warm (what ``rag build`` costs after
   the first time, and what ``rag add`` costs for the documents already there).
2. Latency over HTTP. ``rag serve`` on a free port; every question is a ``POST /search`` (hybrid) on a
   new connection, as simple clients do: the English dev questions against the lang-dev questions
   (fr, es, ru, ar, zh), asked in alternation (one of each in turn, ``--rounds`` times), so that on a
   shared machine both meet the same load. Printed: p50 and p95 of each and the ratio of the p50s
   (target <= 2x), and the load average before and after.
3. Memory. The server's resident set after the questions, and what the leg adds in a process: the
   encoder loaded, and the second vector index's bytes.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from bench.common import (  # noqa: E402
    free_port,
    gold_questions,
    load_average,
    pct,
    search_on_new_connection,
    start_rag_serve,
    stop,
)
from rag.config import make_settings  # noqa: E402
from rag.index.store import build_index, load_index, seed_caches  # noqa: E402


def rss_mib(pid: int | None = None) -> float:
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024


def questions(split: str, n: int) -> list[str]:
    return gold_questions((split,))[:n]


def build_part(index_dir: Path, sample: int) -> None:
    from rag.index.multilingual import multilingual_encoder
    from rag.index.textindex import dense_texts

    settings = make_settings(index_dir=index_dir)
    index = load_index(settings)
    texts, contexts = dense_texts(index.passages)
    unique = list(dict.fromkeys([*texts, *(c for c in contexts if c)]))
    chosen = unique[:: max(1, len(unique) // sample)][:sample]
    base = rss_mib()
    started = time.perf_counter()
    encoder = multilingual_encoder(settings)
    assert encoder is not None, "RAG_MULTILINGUAL_MODEL=none: no leg to measure"
    encoder.embed_passages(chosen[:4])
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    encoder.embed_passages(chosen)
    rate = len(chosen) / (time.perf_counter() - started)
    print(f"encoder load {load_s:.2f} s, +{rss_mib() - base:.0f} MiB resident")
    print(
        f"cold multilingual embedding: {rate:.1f} texts/s on {len(chosen)} sampled texts; the whole "
        f"index's {len(unique)} texts: about {len(unique) / rate / 60:.1f} min "
        f"({settings.index.multilingual_threads} threads)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "index"
        seed_caches(index_dir, copy)
        started = time.perf_counter()
        report = build_index(make_settings(index_dir=copy), show_progress=False)
        warm = time.perf_counter() - started
    print(
        f"build with both caches warm: {warm:.1f} s ({report.multilingual_embedded} multilingual and "
        f"{report.embedded} English texts embedded)"
    )
    ml = index.multilingual
    if ml is not None:
        print(f"multilingual vectors: {ml.size} x {ml.dim} float32 = {ml.size * ml.dim * 4 / 2**20:.1f} MiB")


def time_new_connections(port: int, queries: list[str]) -> tuple[list[float], list[str]]:
    times, langs = [], []
    for q in queries:
        ms, answer = search_on_new_connection(port, q)
        times.append(ms)
        langs.append(answer["lang"])
    return times, langs


def http_part(index_dir: Path, n: int, rounds: int = 1) -> None:
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench-ml-cost-{port}.log"
    process = start_rag_serve(port, index_dir, 1, log)
    load_before = load_average()
    try:
        english, other = questions("dev", n), questions("lang-dev", n)
        time_new_connections(port, english[:5] + other[:5])  # warm-up
        en_times, ml_times, langs = [], [], []
        for _ in range(rounds):
            # one English question, then one in another language: on a shared machine both groups
            # meet the same load, so the ratio of the p50s does not follow the load's drift
            for en_q, ml_q in zip(english, other, strict=False):
                en_times += time_new_connections(port, [en_q])[0]
                times, found = time_new_connections(port, [ml_q])
                ml_times += times
                langs += found
        server_mib = rss_mib(process.pid)
    finally:
        stop(process)
    en50, ml50 = pct(en_times, 0.5), pct(ml_times, 0.5)
    print(f"load average before / after: {load_before} / {load_average()}")
    print(f"POST /search hybrid, a new connection per request, 1 worker, {os.cpu_count()} CPUs")
    print(
        f"  English (dev, {len(en_times)}):            p50 {en50:6.1f} ms  p95 {pct(en_times, 0.95):6.1f} ms"
    )
    print(
        f"  other languages (lang-dev, {len(ml_times)}): p50 {ml50:6.1f} ms  "
        f"p95 {pct(ml_times, 0.95):6.1f} ms"
    )
    print(f"  ratio of the p50s: {ml50 / en50:.2f}x (target <= 2.0x); detected: {sorted(set(langs))}")
    print(f"server resident set after the questions: {server_mib:.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, default=make_settings().index.index_dir)
    parser.add_argument("-n", type=int, default=45, help="questions per language group")
    parser.add_argument("--sample", type=int, default=300, help="texts embedded to time the encoder")
    parser.add_argument("--rounds", type=int, default=1, help="times each question is asked")
    parser.add_argument("--skip-build", action="store_true", help="only the HTTP and memory figures")
    args = parser.parse_args()
    if load_index(make_settings(index_dir=args.index)).multilingual is None:
        raise SystemExit(f"{args.index} has no multilingual vectors: run `rag build` with the leg on")
    if not args.skip_build:
        build_part(args.index, args.sample)
    http_part(args.index, args.n, args.rounds)
    print(
        "this process's peak resident set: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
