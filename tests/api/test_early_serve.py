"""Answer early, improve in place (issue 19): the interim index serves at once, the full one is built in
the background and swapped in; /healthz says which serves and how far the build is.

The full index is built with the hashing encoder (32 wide) and the interim with its own (256 wide), on
the small fixture corpus: nothing here trains or loads a model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.state import Engine, IndexHolder
from rag.index import progress
from rag.index.build_status import StatusWriter, read_status, status_path
from rag.index.encoders import HashEncoder
from rag.index.interim import interim_encoder
from rag.index.manifest import read_manifest
from rag.index.store import build_index
from rag_cli.serve import background_command, index_state, prepare_index
from tests.api.background_build import FULL_DIM, STALLED
from tests.retrieval_fixtures import make_corpus, settings_for

REPO_ROOT = Path(__file__).resolve().parents[2]
QUERY = {"query": "handbooks on technology transfer", "k": 3}


@pytest.fixture
def interim_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The fixture corpus with an interim index built, as ``rag serve`` makes it on a first start."""
    settings = settings_for(make_corpus(tmp_path / "corpus"), tmp_path / "index")
    assert prepare_index(settings, wait=False, show_progress=False, show=lambda report: None)
    return settings


def full_build(settings):  # type: ignore[no-untyped-def]
    return build_index(settings, encoder=HashEncoder(FULL_DIM), show_progress=False)


def serve(settings) -> TestClient:  # type: ignore[no-untyped-def]
    """The app with a holder that looks for a new index on every request (rag serve looks every 2 s)."""
    holder = IndexHolder(
        settings, loader=lambda s: Engine.load(s, encoder=HashEncoder(FULL_DIM)), check_interval=0
    )
    return TestClient(create_app(settings, holder=holder, reload_interval=0))


def test_the_interim_index_serves_then_the_full_one_is_swapped_in(interim_settings):
    with serve(interim_settings) as client:
        health = client.get("/healthz").json()
        assert health["index"]["interim"] is True and health["build"] is None
        assert health["index"]["encoder"] == "hash-256" and health["index"]["multilingual"] is None
        found = client.post("/search", json=QUERY)
        assert found.status_code == 200 and found.json()["results"]
        interim_id = health["index"]["build_id"]

        writer = StatusWriter(interim_settings.index.index_dir)  # the background build starts
        writer("fine-tuning", 0, 150)
        time.sleep(0.6)  # progress within a task is written at most every half second
        writer("fine-tuning", 50, 150)
        build = client.get("/healthz").json()["build"]
        assert (build["state"], build["task"], build["done"], build["total"]) == (
            "building",
            "fine-tuning",
            50,
            150,
        )
        assert build["task_seconds_left"] is not None and build["task_seconds_left"] >= 0
        assert build["started_at"].endswith("+00:00")

        full_build(interim_settings)  # ... and swaps the full index into place
        writer.finish()
        client.get("/healthz")  # this look starts the reload
        client.app.state.holder.wait_for_reload()
        health = client.get("/healthz").json()
        assert health["index"]["interim"] is False and health["build"] is None
        assert health["index"]["build_id"] != interim_id and health["index"]["encoder"] == f"hash-{FULL_DIM}"
        assert client.post("/search", json=QUERY).json()["results"]


def test_nothing_is_answered_from_a_half_built_index(interim_settings):
    index_dir = interim_settings.index.index_dir
    halfway, release = threading.Event(), threading.Event()

    def hold(task: str, done: int, total: int) -> None:
        if task == "indexes":  # vectors made, indexes half written into the temporary folder
            halfway.set()
            release.wait(30)

    progress.add_listener(hold)
    builder = threading.Thread(target=full_build, args=(interim_settings,))
    try:
        with serve(interim_settings) as client:
            interim_id = client.get("/healthz").json()["index"]["build_id"]
            builder.start()
            assert halfway.wait(30)
            assert list(index_dir.parent.glob(f".{index_dir.name}.tmp-*"))  # the half-built folder
            for _ in range(5):
                assert client.post("/search", json=QUERY).status_code == 200
                health = client.get("/healthz").json()
                assert health["index"]["build_id"] == interim_id and health["index"]["interim"]
            release.set()
            builder.join(30)
            client.get("/healthz")
            client.app.state.holder.wait_for_reload()
            assert client.get("/healthz").json()["index"]["interim"] is False
    finally:
        release.set()
        progress.remove_listener(hold)


def _background(settings, *flags: str) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    command = [sys.executable, "-m", "tests.api.background_build", str(settings.index.corpus_dir)]
    return subprocess.Popen([*command, str(settings.index.index_dir), *flags], cwd=REPO_ROOT)


def test_an_interrupted_background_build_leaves_the_interim_serving_and_the_next_start_restarts_it(
    interim_settings,
):
    index_dir = interim_settings.index.index_dir
    interim_id = read_manifest(index_dir).build_id
    process = _background(interim_settings, "--stall")
    deadline = time.monotonic() + 60
    while not (index_dir.parent / STALLED).exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    with serve(interim_settings) as client:
        assert client.get("/healthz").json()["build"]["state"] == "building"
        process.send_signal(signal.SIGTERM)  # rag serve stops
        assert process.wait(30) == 143
        assert not list(index_dir.parent.glob(f".{index_dir.name}.tmp-*"))  # it cleaned up after itself
        assert read_manifest(index_dir).build_id == interim_id  # the interim index is intact ...
        assert client.post("/search", json=QUERY).status_code == 200  # ... and serving
        build = client.get("/healthz").json()["build"]
        assert build["state"] == "failed" and build["error"] == "stopped"

    # the next `rag serve`: the interim index serves at once (not rebuilt), the full build starts again
    rebuilt: list[object] = []
    assert index_state(interim_settings) == "interim"
    assert prepare_index(interim_settings, wait=False, show_progress=False, show=rebuilt.append)
    assert rebuilt == [] and read_manifest(index_dir).build_id == interim_id
    process = _background(interim_settings)
    assert process.wait(60) == 0
    assert read_status(index_dir).state == "done" and index_state(interim_settings) == "full"
    with serve(interim_settings) as client:
        health = client.get("/healthz").json()
        assert health["index"]["interim"] is False and health["build"] is None


def test_a_killed_build_is_reported_as_interrupted(interim_settings):
    index_dir = interim_settings.index.index_dir
    StatusWriter(index_dir)("embedding", 10, 100)
    data = json.loads(status_path(index_dir).read_text())
    data["pid"] = 2**22 + 12345  # no such process: killed without a word
    status_path(index_dir).write_text(json.dumps(data))
    with serve(interim_settings) as client:
        build = client.get("/healthz").json()["build"]
        assert build["state"] == "interrupted" and build["task_seconds_left"] is None


def test_the_background_command_is_a_full_rag_build_of_the_same_folder(interim_settings):
    command = background_command(interim_settings, quiet=True)
    assert command[:3] == [sys.executable, "-m", "rag_cli"] and "-q" in command
    assert command[-4:] == ["build", "--background", "--index", str(interim_settings.index.index_dir)]
    assert os.path.isabs(command[-1])


def test_a_stale_index_is_replaced_by_an_interim_one_and_wait_builds_in_full(tmp_path):
    settings = settings_for(make_corpus(tmp_path / "corpus"), tmp_path / "index")
    full_build(settings)
    assert index_state(settings) == "full"
    (settings.index.corpus_dir / "plain.txt").write_text("A changed document about spectrum.\n")
    assert index_state(settings) == "stale"
    shown: list[object] = []
    assert prepare_index(settings, wait=False, show_progress=False, show=shown.append)
    assert len(shown) == 1 and read_manifest(settings.index.index_dir).interim
    assert index_state(settings) == "interim"
    # an interim build of the same corpus over it changes nothing
    assert (
        build_index(settings, encoder=interim_encoder(), interim=True, show_progress=False).status
        == "unchanged"
    )
