"""`rag serve`: the real server process over HTTP, and how the command wires build and uvicorn."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import rag_cli.main as cli
from rag.config import get_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, body: dict | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


@pytest.mark.e2e
@pytest.mark.slow
def test_rag_serve_answers_over_http_and_stops_cleanly(real_index_settings, tmp_path: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1"}
    command = [
        sys.executable,
        "-m",
        "rag_cli",
        "serve",
        "--port",
        str(port),
        "--index",
        str(real_index_settings.index.index_dir),
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                status, _, health = fetch(f"{base}/healthz")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.25)
        assert health["passages"] > 5000

        status, headers, body = fetch(f"{base}/search?q=technology+transfer+handbooks&k=3")
        assert status == 200 and headers.get("x-request-id")
        assert "wtdc-25-final-report/res-15/instructs/4" in [x["id"] for x in body["results"]]
        status, _, body = fetch(f"{base}/search", {"query": "digital skills", "k": 2, "mode": "bm25"})
        assert status == 200 and len(body["results"]) == 2
        status, _, body = fetch(f"{base}/search", {"query": "x", "k": 0})
        assert status == 422 and body["error"]["code"] == "invalid_request"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = log_path.read_text()
    # uvicorn shuts down gracefully, then re-raises the signal it caught, so the exit status is -SIGTERM
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert "is up to date" in output  # the build step ran and found nothing to do
    assert '"route": "/search"' in output and '"status": 422' in output  # one log line per request


class FakeBackground:
    """Stands in for the background build's process: records that it was started and stopped."""

    def __init__(self, calls: dict[str, object]) -> None:
        self.calls = calls

    def start(self, settings, *, quiet):  # type: ignore[no-untyped-def]
        self.calls.setdefault("background", []).append(("started", settings.index.index_dir))  # type: ignore[union-attr]
        return self

    def stop(self, process, timeout=None):  # type: ignore[no-untyped-def]
        if process is not None:
            self.calls.setdefault("background", []).append(("stopped", "runner" in self.calls))  # type: ignore[union-attr]


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_builds_first_then_runs_the_app_factory_with_the_options(
    monkeypatch, tmp_path, workers, capsys
):
    from rag.index.store import BuildReport

    calls: dict[str, object] = {}

    def fake_build(settings, **kwargs):  # type: ignore[no-untyped-def]
        calls["built"] = settings.index.index_dir
        calls["interim"] = kwargs.get("interim", False)
        phases = (("parse", 1.0), ("English vectors", 2.0))
        return BuildReport(settings.index.index_dir, "built", 5, 9, seconds=3.5, phases=phases)

    def record(runner: str, options: dict, workers: int) -> None:
        calls["runner"] = runner
        calls["run"] = {**options, "workers": workers}
        calls["env"] = {
            k: os.environ.get(k) for k in ("RAG_PORT", "RAG_WORKERS", "RAG_INDEX_DIR", "RAG_HOST")
        }
        assert calls.get("background") == [("started", tmp_path / "idx")]  # started before serving

    def fake_run(**kwargs):  # type: ignore[no-untyped-def]
        record("uvicorn", kwargs, kwargs.get("workers", 1))

    def fake_serve(options, *, workers):  # type: ignore[no-untyped-def]
        record("api.workers", options, workers)
        return 0

    for name in ("RAG_PORT", "RAG_WORKERS", "RAG_INDEX_DIR", "RAG_HOST"):
        monkeypatch.setenv(name, "")  # recorded, so the command's changes are undone afterwards
        monkeypatch.delenv(name)
    monkeypatch.setattr("rag.index.store.build_index", fake_build)
    monkeypatch.setattr("uvicorn.run", fake_run)
    monkeypatch.setattr("api.workers.serve", fake_serve)
    background = FakeBackground(calls)
    monkeypatch.setattr("rag_cli.serve.start_background_build", background.start)
    monkeypatch.setattr("rag_cli.serve.stop_background_build", background.stop)
    argv = ["serve", "--port", "8765", "--workers", str(workers), "--index", str(tmp_path / "idx")]
    try:
        assert cli.main(argv) == 0
    finally:
        get_settings.cache_clear()
    assert calls["built"] == tmp_path / "idx"
    # no index: an interim one is built, served, and the full build runs beside the server until it stops
    assert calls["interim"] is True
    assert calls["background"] == [("started", tmp_path / "idx"), ("stopped", True)]
    # a first build says where its time went, after its summary
    summary, timings = capsys.readouterr().out.splitlines()[:2]
    assert summary.startswith("built ")
    assert timings == "build 3.5 s: parse 1.0 s, English vectors 2.0 s, other 0.5 s"
    # one worker: uvicorn itself; more: api.workers, which hands connections to the workers in turn
    assert calls["runner"] == ("uvicorn" if workers == 1 else "api.workers")
    run = calls["run"]
    assert run["app"] == "api.main:create_app"
    assert run["factory"] is True and run["port"] == 8765 and run["workers"] == workers
    assert run["host"] == "127.0.0.1"  # the default from Settings
    assert calls["env"] == {
        "RAG_PORT": "8765",
        "RAG_WORKERS": str(workers),
        "RAG_INDEX_DIR": str(tmp_path / "idx"),
        "RAG_HOST": None,
    }


def test_serve_wait_for_index_builds_the_full_index_first_and_nothing_in_the_background(
    monkeypatch, tmp_path
):
    from rag.index.store import BuildReport

    calls: dict[str, object] = {}

    def fake_build(settings, **kwargs):  # type: ignore[no-untyped-def]
        calls.setdefault("builds", []).append(kwargs)  # type: ignore[union-attr]
        return BuildReport(settings.index.index_dir, "built", 5, 9, seconds=1.0)

    for name in ("RAG_PORT", "RAG_WORKERS", "RAG_INDEX_DIR", "RAG_HOST"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setattr("rag.index.store.build_index", fake_build)
    monkeypatch.setattr("uvicorn.run", lambda **kwargs: calls.setdefault("run", True))
    background = FakeBackground(calls)
    monkeypatch.setattr("rag_cli.serve.start_background_build", background.start)
    monkeypatch.setattr("rag_cli.serve.stop_background_build", background.stop)
    try:
        assert cli.main(["serve", "--wait-for-index", "--index", str(tmp_path / "idx")]) == 0
    finally:
        get_settings.cache_clear()
    assert calls["builds"] == [{"show_progress": None}]  # the full build, as `rag build` runs it
    assert calls["run"] is True and "background" not in calls


def test_serve_rejects_bad_options_with_one_line(capsys):
    assert cli.main(["serve", "--port", "70000"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: invalid settings: RAG_PORT") and err.count("\n") == 1
