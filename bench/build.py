"""Build timings: full build from scratch, unchanged rebuild, one changed document; encoder speeds.

    .venv/bin/python bench/build.py [--encode-sample 300] [--skip-full]

Works in a temporary folder (a copy of the corpus and a fresh index), so index/ is left alone.
Targets (issue 3): full build < 90 s on this 2-core machine, unchanged rebuild < 3 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

from rag.config import REPO_ROOT, make_settings  # noqa: E402
from rag.index.store import build_index, encoder_spec, load_index  # noqa: E402


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<38} {seconds:7.2f} s   {getattr(result, 'summary', lambda: '')()}")
    return result, seconds


def encode_speeds(settings, folder: Path, sample: int) -> None:  # type: ignore[no-untyped-def]
    index = load_index(settings)
    texts = [p.text for p in index.passages][:: max(1, len(index.passages) // sample)][:sample]
    spec = encoder_spec(settings)
    onnx = spec.load_onnx(folder / "encoder")
    torch = spec.load_torch()
    query = "what did WTDC ask BDT to do about technology transfer handbooks"
    rows = []
    for name, enc in (("onnx", onnx), ("torch", torch)):
        enc.embed_passages(texts[:16], show_progress=False)
        started = time.perf_counter()
        enc.embed_passages(texts, show_progress=False)
        bulk = len(texts) / (time.perf_counter() - started)
        times = []
        for _ in range(30):
            started = time.perf_counter()
            enc.embed_queries([query])
            times.append(time.perf_counter() - started)
        rows.append((name, bulk, 1000 * sorted(times)[len(times) // 2]))
    print(f"encoder speed on {len(texts)} real passages (sorted by length, batch {spec.batch_size}):")
    for name, bulk, q in rows:
        print(f"  {name:<6} {bulk:7.1f} passages/s   query p50 {q:6.2f} ms")
    print(
        f"  onnx/torch: bulk x{rows[0][1] / rows[1][1]:.2f}, query x{rows[0][2] / rows[1][2]:.2f} of the time"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--encode-sample", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=REPO_ROOT / "bench") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        shutil.copytree(REPO_ROOT / "corpus", corpus)
        settings = make_settings(corpus_dir=corpus, index_dir=root / "index")
        full, full_s = timed("full build from scratch", lambda: build_index(settings, show_progress=False))
        _, noop_s = timed("unchanged rebuild (no-op)", lambda: build_index(settings))
        path = corpus / "000_502a45a13965cd69.txt"
        text = path.read_text(encoding="utf-8")
        cut = text.index("\n", len(text) // 2)
        path.write_text(
            text[:cut] + " This sentence was added by the benchmark." + text[cut:], encoding="utf-8"
        )
        incr, incr_s = timed("one document changed (one passage)", lambda: build_index(settings))
        print(
            f"targets: full {full_s:.1f} s < 90 s: {full_s < 90}; no-op {noop_s:.2f} s < 3 s: {noop_s < 3}; "
            f"incremental embedded {incr.embedded} text(s) in {incr_s:.1f} s "
            f"({incr_s / full_s:.1%} of a full build)"
        )
        print(
            f"full build: {full.passages} passages, {full.embedded} texts embedded "
            f"({full.embedded / full_s:.0f} texts/s overall)"
        )
        if args.encode_sample:
            encode_speeds(settings, settings.index.index_dir, args.encode_sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
