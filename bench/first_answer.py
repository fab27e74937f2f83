"""Seconds from ``rag serve`` on a clean state to its first answer, and to the full index serving.

    .venv/bin/python bench/first_answer.py [--workers 1] [--reference index/] [--keep]

A clean state as on a fresh clone after ``scripts/setup``: a copy of the corpus, an empty index folder
and empty model folders (RAG_ENCODER_DIR, RAG_MULTILINGUAL_DIR), so the encoder really is fine-tuned
and the multilingual one exported; the project's own
``index/`` and ``.models/`` are never touched. The script starts ``rag serve`` and measures

- first answer: until ``POST /search`` answers 200 with results (target <= 120 s, issue 19);
- full index: until ``/healthz`` says the full (not the interim) index serves;

printing the background build's tasks as ``/healthz`` reports them. With ``--reference DIR`` (an index
``rag build`` made of the same corpus, best from a clean state: a cache grown over many builds holds
multilingual vectors embedded in other batches, which differ in the last bit), it then compares every
file the two manifests checksum (the embedding caches aside) and the manifests' parameters.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# this checkout's packages (rag, bench) first, from the project root rather than the script's folder
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

from bench.common import free_port  # noqa: E402
from rag.config import get_settings  # noqa: E402

QUERY = {"query": "technology transfer handbooks", "k": 3}
CACHES = {"embed_cache.npz", "ml_embed_cache.npz"}


def call(url: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}


def wait_first_answer(base: str, process: subprocess.Popen[bytes], started: float) -> float:
    while True:
        if process.poll() is not None:
            raise SystemExit(f"rag serve exited with {process.returncode} before answering")
        status, body = call(f"{base}/search", QUERY)
        if status == 200 and body.get("results"):
            return time.monotonic() - started
        time.sleep(0.2)


def wait_full_index(
    base: str, process: subprocess.Popen[bytes], started: float, limit: float, latencies: list[float]
) -> float:
    """Seconds until the full index serves; ``latencies`` gets a /search's ms at each look meanwhile."""
    last = None
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            raise SystemExit(f"rag serve exited with {process.returncode}")
        status, health = call(f"{base}/healthz")
        if status == 200 and not health["index"].get("interim"):
            return time.monotonic() - started
        asked = time.perf_counter()
        if call(f"{base}/search", QUERY)[0] == 200:
            latencies.append(1000 * (time.perf_counter() - asked))
        build = health.get("build") if status == 200 else None
        if build and (build["task"], build["state"]) != last:
            last = (build["task"], build["state"])
            left = build.get("task_seconds_left")
            print(
                f"  {time.monotonic() - started:7.1f} s  {build['state']}: {build['task']}"
                + (f" {build['done']}/{build['total']}" if build.get("total") else "")
                + (f", {left:.0f} s left in it" if left is not None else ""),
                flush=True,
            )
        time.sleep(2.0)
    raise SystemExit(f"the full index was not serving after {limit:.0f} s")


def _without_model_source(params: dict[str, Any]) -> dict[str, Any]:
    return {**params, "model": {k: v for k, v in params.get("model", {}).items() if k != "source"}}


def compare(built: Path, reference: Path) -> list[str]:
    """Differences between two indexes' manifests (files' checksums, parameters, encoders).

    A fine-tuned model folder is fingerprinted by its weights' size and mtime (``encoders._weights_id``),
    so two trainings of the same bytes differ there: ``params.model.source`` and ``encoder/export.json``
    are compared apart and reported as a note, not a difference, when only they differ.
    """
    ours = json.loads((built / "manifest.json").read_text())
    theirs = json.loads((reference / "manifest.json").read_text())
    problems = []
    ours["params"], theirs["params"] = (
        _without_model_source(ours["params"]),
        _without_model_source(theirs["params"]),
    )
    for key in ("params", "encoder", "multilingual", "passages", "corpus", "fusion"):
        if ours.get(key) != theirs.get(key):
            problems.append(f"manifest {key} differs")
    names = (set(ours["files"]) | set(theirs["files"])) - CACHES - {"encoder/export.json"}
    problems += [
        f"{name} differs" for name in sorted(names) if ours["files"].get(name) != theirs["files"].get(name)
    ]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--limit", type=float, default=3600.0, help="seconds to wait for the full index")
    parser.add_argument("--reference", type=Path, help="an index `rag build` made, to compare with")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="first-answer-"))
    shutil.copytree(get_settings().index.corpus_dir, folder / "corpus")
    (folder / "encoder").mkdir()
    env = {
        **os.environ,
        "RAG_CORPUS_DIR": str(folder / "corpus"),
        "RAG_ENCODER_DIR": str(folder / "encoder"),
        "RAG_MULTILINGUAL_DIR": str(folder / "multilingual"),
        "HF_HUB_OFFLINE": "1",
        "TQDM_DISABLE": "1",
        "PYTHONPATH": str(REPO_ROOT),  # this checkout's code in rag serve and its background build
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "rag_cli", "serve", "--port", str(port), "--workers", str(args.workers)]
    command += ["--index", str(folder / "index")]
    log = (folder / "serve.log").open("w")
    print(f"rag serve on a clean state in {folder} ({args.workers} worker(s)); log: {folder / 'serve.log'}")
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        first = wait_first_answer(base, process, started)
        print(f"first answer (POST /search 200 with results): {first:.1f} s", flush=True)
        latencies: list[float] = []
        full = wait_full_index(base, process, started, args.limit, latencies)
        print(f"full index serving: {full:.1f} s ({full / 60:.1f} min)", flush=True)
        if latencies:
            latencies.sort()
            print(
                f"/search while the full index was built (one request every 2 s, new connection each): "
                f"p50 {latencies[len(latencies) // 2]:.0f} ms, max {latencies[-1]:.0f} ms, n={len(latencies)}"
            )
        status, body = call(f"{base}/search", QUERY)
        print(f"after the swap: /search {status}, first result {body['results'][0]['id']}")
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
    if args.reference is not None:
        problems = compare(folder / "index", args.reference)
        verdict = "identical" if not problems else "; ".join(problems)
        print(
            f"compared with {args.reference}: {verdict} (every checksummed file but the embedding caches "
            "and encoder/export.json, and the manifests but the model folder's fingerprint)"
        )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
