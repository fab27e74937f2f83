"""Issue 19's three speed targets, each measured in one run against what it is a ratio of.

    .venv/bin/python bench/targets.py [--only build,search,load] [--rounds 3] [--fully-cold]
                                      [--wait-quiet 300]

1. Build. A cold ``rag build`` of a copy of the seed corpus into a new folder (the encoder trained and
   its ONNX export kept beside it; no English embedding cache), against a plain sentence-transformers
   ``encode`` of the same texts the build embeds (each passage's text and its heading context, once
   each), with the same fine-tuned model, its defaults and torch's threads. Target <= 0.7x. The
   multilingual leg's vectors come from the served index's cache (issue 18 measures that leg's own cost:
   ``bench/multilingual_cost.py``); ``--fully-cold`` also times a build with no cache at all.
2. Search. ``rag serve`` (1 worker) on the served index; every question of
   ``bench/data/independent_questions.txt`` (never used to tune anything) as a hybrid ``POST /search``
   on a new connection, as simple clients do, then the bare torch encode of the same questions by
   sentence-transformers in this process (MiniLM, ``encode`` of one text), in alternating blocks of
   all questions (``--rounds``), so both meet the same load; not one by one, as torch's OpenMP threads
   spin for a while after each encode and would take the server's cores. Target: p50 of the first
   <= 1.0x p50 of the second.
3. Load. ``bench/load.py``'s level: 2 workers, 8 concurrent keep-alive clients for 10 s on the same
   independent questions. Target: p95 <= 100 ms with zero errors.

Figures are only worth reading on a quiet machine: the load average is printed beside each, and
``--wait-quiet`` waits (up to that many seconds) for it to fall under 1.0 before each part.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
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
    independent_questions,
    load_average,
    pct,
    search_on_new_connection,
    start_rag_serve,
    stop,
)
from rag.config import make_settings  # noqa: E402
from rag.index.multilingual import ML_CACHE_FILE  # noqa: E402
from rag.index.store import build_index, encoder_spec, load_index  # noqa: E402
from rag.index.textindex import dense_texts  # noqa: E402


def wait_quiet(limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and os.getloadavg()[0] > 1.0:
        time.sleep(5)


@functools.cache
def plain_model():  # type: ignore[no-untyped-def]
    """The served English model in sentence-transformers, as anyone would load it."""
    from sentence_transformers import SentenceTransformer

    spec = encoder_spec(make_settings())
    if not (spec.model_dir / "model.safetensors").is_file():
        raise SystemExit(f"no trained encoder in {spec.model_dir}: run `rag train-encoder` first")
    return SentenceTransformer(str(spec.model_dir), device="cpu")


def timed_build(corpus: Path, index_dir: Path, ml_cache: Path | None) -> tuple[float, object]:
    index_dir.mkdir(parents=True)
    if ml_cache is not None and ml_cache.is_file():
        shutil.copy2(ml_cache, index_dir / ML_CACHE_FILE)
    settings = make_settings(corpus_dir=corpus, index_dir=index_dir)
    started = time.perf_counter()
    report = build_index(settings, show_progress=False)
    return time.perf_counter() - started, report


def build_part(fully_cold: bool) -> None:
    served = make_settings()
    with tempfile.TemporaryDirectory(dir=REPO_ROOT / "bench") as tmp:
        root = Path(tmp)
        shutil.copytree(served.index.corpus_dir, root / "corpus")
        load = load_average()
        seconds, report = timed_build(root / "corpus", root / "cold", served.index.index_dir / ML_CACHE_FILE)
        texts, contexts = dense_texts(load_index(make_settings(index_dir=root / "cold")).passages)
        unique = list(dict.fromkeys([*texts, *(c for c in contexts if c)]))
        model = plain_model()
        model.encode(unique[:32])  # warm-up, as the build's encoder loads before it embeds
        started = time.perf_counter()
        model.encode(unique)
        plain = time.perf_counter() - started
        print(f"1. build (load average {load} before)")
        print(f"   cold rag build: {seconds:.1f} s; {report.summary()}")  # type: ignore[attr-defined]
        print(f"   {report.timings()}")  # type: ignore[attr-defined]
        print(f"   plain sentence-transformers encode of the same {len(unique)} texts: {plain:.1f} s")
        print(f"   ratio {seconds / plain:.2f}x (target <= 0.7x)")
        if fully_cold:
            seconds, report = timed_build(root / "corpus", root / "fully-cold", None)
            print(
                f"   fully cold (no multilingual cache either): {seconds:.1f} s, ratio {seconds / plain:.2f}x"
            )


def search_part(rounds: int) -> None:
    questions = independent_questions()
    model = plain_model()
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench-targets-{port}.log"
    process = start_rag_serve(port, None, 1, log)
    load = load_average()
    try:
        for q in questions[:5]:  # warm-up of both
            search_on_new_connection(port, q)
            model.encode(q)
        http_ms, encode_ms = [], []
        for _ in range(rounds):  # in blocks: torch's OpenMP pool spins on after an encode, and would
            # take the server's cores if the next request followed at once; so each block starts
            # after a second of rest, the server's as well as torch's
            time.sleep(1)
            http_ms += [search_on_new_connection(port, q)[0] for q in questions]
            time.sleep(1)
            for q in questions:
                started = time.perf_counter()
                model.encode(q)
                encode_ms.append(1000 * (time.perf_counter() - started))
    finally:
        stop(process)
    h50, e50 = pct(http_ms, 0.5), pct(encode_ms, 0.5)
    print(f"2. search (load average {load} before, {load_average()} after), {len(http_ms)} requests")
    print(f"   hybrid POST /search, new connection: p50 {h50:.1f} ms, p95 {pct(http_ms, 0.95):.1f} ms")
    print(f"   bare torch MiniLM encode:            p50 {e50:.1f} ms, p95 {pct(encode_ms, 0.95):.1f} ms")
    print(f"   ratio of the p50s {h50 / e50:.2f}x (target <= 1.0x)")


def load_part() -> None:
    command = [sys.executable, str(REPO_ROOT / "bench" / "load.py"), "--workers", "2", "--clients", "8"]
    command += ["--questions", "independent", "--duration", "10", "--repeat", "3"]
    print("3. load: bench/load.py, 2 workers, 8 clients, three levels of 10 s", flush=True)
    subprocess.run(command, check=False)
    print("   target: p95 <= 100 ms with zero errors at every level")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="build,search,load", help="parts to run, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="times each question is sent in part 2")
    parser.add_argument("--fully-cold", action="store_true", help="part 1 also without any cache")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS")
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",")}
    print(f"{os.cpu_count()} CPUs; load average {load_average()}")
    for name, run in (
        ("build", lambda: build_part(args.fully_cold)),
        ("search", lambda: search_part(args.rounds)),
        ("load", load_part),
    ):
        if name in parts:
            wait_quiet(args.wait_quiet)
            run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
