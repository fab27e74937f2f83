"""``api.workers``: the parent of ``rag serve --workers N`` hands connections to the workers in turn."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    options = {"app": "tests.api.pid_app:app", "host": "127.0.0.1", "port": port, "log_level": "info"}
    code = f"import sys; from api.workers import serve; sys.exit(serve({options!r}, workers={workers}))"
    with log.open("w") as fh:
        return subprocess.Popen(
            [sys.executable, "-c", code], cwd=REPO_ROOT, stdout=fh, stderr=subprocess.STDOUT
        )


def pid_of(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 200
    return int(response.read())


def wait_until_answering(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            pid_of(http.client.HTTPConnection("127.0.0.1", port, timeout=5))
            return
        except OSError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)


def test_connections_opened_together_are_spread_over_the_workers_and_kept(tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    process = start(port, 2, log)
    try:
        wait_until_answering(port, process, log)
        # four keep-alive clients that connect at once (uvicorn's shared socket would mostly give
        # all four to one worker): two each, and each connection stays with its worker
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(4)]
        for c in connections:
            c.connect()
        first = [pid_of(c) for c in connections]
        again = [pid_of(c) for c in connections]
        assert first == again
        assert sorted(first.count(pid) for pid in set(first)) == [2, 2], first
        assert process.pid not in first  # the parent only accepts; workers answer
        for c in connections:
            c.close()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0, log.read_text()
    assert log.read_text().count("Application shutdown complete") == 2  # each worker stopped gracefully


def test_a_worker_that_dies_is_replaced(tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    process = start(port, 2, log)
    try:
        wait_until_answering(port, process, log)
        victim = pid_of(http.client.HTTPConnection("127.0.0.1", port, timeout=10))
        subprocess.run(["kill", "-KILL", str(victim)], check=True)
        deadline = time.monotonic() + 60
        # connections handed over while it was dying are lost with it, as with any worker's crash
        while "starting a new one" not in log.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        while True:  # every answer comes from a live worker, and soon again from two of them
            pids = {pid_of(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) for _ in range(4)}
            assert victim not in pids
            if len(pids) == 2:
                break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
