"""What the benchmarks share: questions, percentiles, a free port, `rag serve` started and stopped, timed
requests on new connections, the machine's load.

Import it as ``bench.common``: the scripts put the repository root first on ``sys.path``.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLD = REPO_ROOT / "eval" / "gold"
INDEPENDENT_QUESTIONS = REPO_ROOT / "bench" / "data" / "independent_questions.txt"


def pct(values: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank rule (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (two cores: above 2, other work queues for them)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def gold_questions(splits: tuple[str, ...] = ("dev", "test", "train")) -> list[str]:
    """The questions of the gold splits named, in file order."""
    questions = []
    for split in splits:
        path = GOLD / f"{split}.jsonl"
        if path.is_file():
            questions += [
                json.loads(x)["question"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()
            ]
    return questions


def independent_questions() -> list[str]:
    """English questions written for the speed benchmarks, never used to tune anything (longer than the
    gold's: ~114 characters against ~85)."""
    lines = INDEPENDENT_QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def start_rag_serve(port: int, index: str | Path | None, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """``rag serve`` on ``port`` in its own process group; returns once ``/healthz`` says 200."""
    command = [sys.executable, "-m", "rag_cli", "-q", "serve", "--port", str(port), "--workers", str(workers)]
    if index:
        command += ["--index", str(index)]
    with log.open("w") as fh:
        process = subprocess.Popen(command, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"rag serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop(process)
    raise SystemExit(f"rag serve did not become healthy:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def search_on_new_connection(
    port: int, query: str, *, mode: str = "hybrid", k: int = 10
) -> tuple[float, dict]:
    """One ``POST /search`` on a connection of its own, as simple clients send it: ms and the answer."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        "/search",
        body=json.dumps({"query": query, "k": k, "mode": mode}),
        headers={"Content-Type": "application/json"},
    )
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    ms = 1000 * (time.perf_counter() - started)
    if response.status != 200:
        raise SystemExit(f"{response.status} for {query!r}: {payload[:300]!r}")
    return ms, json.loads(payload)
