"""Where a served hybrid search spends its CPU, in-process, over the gold questions.

    .venv/bin/python bench/profile_search.py [--index DIR] [--mode hybrid] [-k 10] [--repeat 3]
                                             [--profile cprofile|pyinstrument] [--top 40]
                                             [--dump FILE] [--compare FILE]

Loads the index as a server worker does (``api.state.serving_settings``: the query encoder on one
thread), runs every gold question (eval/gold/*.jsonl) once to warm up, then ``--repeat`` times
through what ``POST /search`` does in-process: ``Searcher.search``, the conversion to the response
model (highlights) and its JSON encoding. HTTP parsing, request validation and the middleware are
not in it: ``bench/load.py`` measures the whole server.

Reported: thread CPU per request (mean, p50, p95), the process's CPU per request (all threads: work
that a library hands to its own threads shows only there, as does the query's vector, computed on the
encoder's thread while the query is read) and the CPU of each component per request, timed by
wrapping the functions that do the work (nested ones are inside their callers: the reranker's
features and model inside ``rerank``; "encoder" counts only the vectors embedded in line, ~5 % of
the questions, whose ranking text differs from what was typed).

``--dump FILE`` writes each question's results (ids, scores, ranks per run, pinned, highlights) as JSON
lines and ``--compare FILE`` checks them against such a file, so that a speed change can be shown
to leave every answer as it was (exit 1 on any difference).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
# this checkout's packages (rag, api) first, from the project root rather than the script's folder
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from api.routes._convert import search_results  # noqa: E402
from api.routes.search import run_search  # noqa: E402
from api.schemas import SearchRequest  # noqa: E402
from api.state import serving_settings  # noqa: E402
from bench.common import pct  # noqa: E402
from rag.config import make_settings  # noqa: E402
from rag.rank.search import Searcher  # noqa: E402


def gold_questions() -> list[str]:
    questions = []
    seed_gold = (REPO_ROOT / "eval" / "gold" / f"{split}.jsonl" for split in ("dev", "test", "train"))
    for path in (p for p in seed_gold if p.is_file()):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    return questions


class Timers:
    """Thread CPU time spent in wrapped callables, per name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._depth: dict[str, int] = defaultdict(int)

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth[name]:  # recursion or re-entry: count the outermost call only
                return original(*args, **kwargs)
            self._depth[name] += 1
            began = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.thread_time() - began
                self.calls[name] += 1
                self._depth[name] -= 1

        setattr(owner, attribute, timed)


def instrument(searcher: Searcher, timers: Timers) -> None:
    """Wrap the pieces of a hybrid search (the context's objects, and the stage functions where their
    callers look them up), so each stage's CPU is counted."""
    import api.routes._convert as convert_module
    import api.routes.search as search_route
    import rag.query.analysed as analysed_module
    import rag.rank.candidates as candidates_module
    import rag.rank.features as features_module
    import rag.rank.rerank as rerank_module
    import rag.rank.search as search_module

    context = searcher.context
    timers.wrap(context.encoder, "embed_queries", "encoder (embed_queries)")
    timers.wrap(context.resolver, "parse", "query parse (references)")
    timers.wrap(analysed_module, "query_terms", "query terms")
    timers.wrap(search_module, "analyse", "query analysis (total)")
    timers.wrap(context.bm25, "search", "bm25 search")
    timers.wrap(context.dense, "search_vector", "dense search")
    timers.wrap(context.hybrid, "fuse", "fusion")
    timers.wrap(candidates_module, "phrase_run", "phrase run")
    timers.wrap(candidates_module, "instrument_run", "instrument run")
    timers.wrap(candidates_module, "citing_run", "citing run")
    timers.wrap(candidates_module, "rank_draft", "precedent order (drafts)")
    timers.wrap(search_module, "generate", "candidate generation (total)")
    if context.reranker is not None:
        timers.wrap(context.reranker, "rerank", "rerank (total)")
        timers.wrap(context.reranker, "score", "rerank model")
    timers.wrap(rerank_module, "candidate_features", "rerank features")
    timers.wrap(features_module, "feature_matrix", "rerank feature matrix")
    timers.wrap(search_module, "assemble", "assemble (pins, ranks)")
    timers.wrap(searcher, "search", "Searcher.search (total)")
    timers.wrap(search_route, "search_results", "response model + highlights")
    timers.wrap(convert_module, "highlight_spans", "highlight spans")
    _ = search_results  # the route module's own reference is the one wrapped


def dump_record(searcher: Searcher, question: str, k: int, mode: str) -> dict[str, Any]:
    request = SearchRequest(query=question, k=k, mode=mode)
    response = run_search(_Engine(searcher), request)
    data = json.loads(response.model_dump_json())
    data.pop("took_ms", None)
    return data


class _Engine:
    """What ``run_search`` needs from ``api.state.Engine``."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "bm25", "dense"])
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the questions")
    parser.add_argument("--profile", choices=["cprofile", "pyinstrument"], help="also profile the passes")
    parser.add_argument("--top", type=int, default=40, help="functions shown by --profile cprofile")
    parser.add_argument("--dump", type=Path, help="write each question's results here (JSON lines)")
    parser.add_argument("--compare", type=Path, help="check each question's results against this dump")
    args = parser.parse_args()

    overrides: dict[str, Any] = {"index_dir": os.path.abspath(args.index)} if args.index else {}
    settings = serving_settings(make_settings(**overrides))
    began = time.perf_counter()
    searcher = Searcher.load(settings)
    print(f"loaded {len(searcher.passages)} passages in {time.perf_counter() - began:.1f} s")
    questions = gold_questions()
    engine = _Engine(searcher)
    requests = [SearchRequest(query=q, k=args.k, mode=args.mode) for q in questions]

    if args.dump or args.compare:
        records = [dump_record(searcher, q, args.k, args.mode) for q in questions]
        if args.dump:
            args.dump.parent.mkdir(parents=True, exist_ok=True)
            with args.dump.open("w", encoding="utf-8") as fh:
                for record in records:
                    fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            print(f"wrote {len(records)} answers to {args.dump}")
        if args.compare:
            expected = [json.loads(line) for line in args.compare.read_text(encoding="utf-8").splitlines()]
            differ = [
                q
                for q, got, want in zip(questions, records, expected, strict=True)
                if json.loads(json.dumps(got, sort_keys=True)) != want
            ]
            print(f"compared {len(records)} answers with {args.compare}: {len(differ)} differ")
            for q in differ[:10]:
                print(f"  differs: {q[:100]!r}")
            if differ:
                return 1

    for request in requests:  # warm-up: caches, lazy imports, first-call allocations
        run_search(engine, request)

    timers = Timers()
    instrument(searcher, timers)
    profiler: Any = None
    if args.profile == "cprofile":
        import cProfile

        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
    elif args.profile == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
    per_request: list[float] = []
    process_began = time.process_time()
    for _ in range(args.repeat):
        for request in requests:
            began = time.thread_time()
            response = run_search(engine, request)
            encoding = time.thread_time()
            response.model_dump_json()
            ended = time.thread_time()
            timers.seconds["response JSON"] += ended - encoding
            timers.calls["response JSON"] += 1
            per_request.append(ended - began)
    if args.profile == "cprofile":
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    elif args.profile == "pyinstrument":
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))

    process_seconds = time.process_time() - process_began
    n = len(per_request)
    print(
        f"\n{args.mode} k={args.k}: {len(questions)} questions x {args.repeat}; thread CPU per request: "
        f"mean {1000 * statistics.fmean(per_request):.2f} ms, p50 {1000 * pct(per_request, 0.5):.2f} ms, "
        f"p95 {1000 * pct(per_request, 0.95):.2f} ms"
    )
    # Work on other threads (a tokenizer's or a library's pool) is missing from the thread times:
    # the process's CPU over the same passes shows it (it also counts the profiler, if any).
    print(f"process CPU per request (all threads): {1000 * process_seconds / n:.2f} ms")
    print(f"{'component':<34} {'ms/request':>10} {'calls/request':>14}")
    for name, seconds in sorted(timers.seconds.items(), key=lambda item: -item[1]):
        print(f"{name:<34} {1000 * seconds / n:>10.3f} {timers.calls[name] / n:>14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
