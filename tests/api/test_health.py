"""GET /healthz and the index lifecycle: 503 while no usable index is loaded, atomic swaps, reloads."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.state import IndexHolder, build_id
from rag.config import make_settings
from rag.errors import IndexCorruptError, IndexMissingError
from rag.index.store import read_manifest
from tests.api.conftest import assert_error, linked_index, rewrite_manifest

INDEX_ENDPOINTS = [
    ("post", "/search", {"json": {"query": "digital skills"}}),
    ("get", "/search?q=digital+skills", {}),
    ("post", "/ask", {"json": {"question": "digital skills?"}}),
    ("post", "/precedents", {"json": {"text": "resolves to support digital skills"}}),
    ("get", "/passages/wtdc-25-final-report/res-15/instructs/4", {}),
    ("get", "/documents", {}),
    ("get", "/documents/wtdc-25-final-report/outline", {}),
]


def test_healthz_reports_the_loaded_index(client, engine, hash_index_settings):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["passages"] == len(engine.searcher.passages) and body["documents"] == len(
        engine.contexts.documents
    )
    index = body["index"]
    assert index["build_id"] == engine.build_id and len(index["build_id"]) == 16
    assert index["passages"] == body["passages"] and index["schema_version"] == 1
    built_with = read_manifest(hash_index_settings.index.index_dir).model["name"]
    assert index["encoder"] == built_with == "hash-256" and index["reload_error"] is None
    assert index["multilingual"] == "hash-128"  # the multilingual leg's (test) encoder
    assert "/" not in (index["built_at"] or "")  # no file paths


def _unavailable(client: TestClient, code: str) -> None:
    r = client.get("/healthz")
    error = assert_error(r, 503, code)
    assert r.json()["status"] == "unavailable" and "rag build" in error["hint"]
    for method, path, kwargs in INDEX_ENDPOINTS:
        r = getattr(client, method)(path, **kwargs)
        assert assert_error(r, 503, code)["message"] == error["message"], path
        assert r.headers["retry-after"]
    # what needs no index still works
    assert client.get("/").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_without_an_index_the_app_starts_and_every_index_endpoint_answers_503(tmp_path):
    settings = make_settings(index_dir=tmp_path / "never-built")
    with TestClient(create_app(settings, reload_interval=-1)) as client:
        _unavailable(client, "index_missing")
        message = client.get("/healthz").json()["error"]["message"]
        assert message == "no index in never-built"  # the folder's name, not the server's file layout


def test_a_stale_index_is_refused_with_503(tmp_path, hash_index_settings):
    folder = linked_index(hash_index_settings.index.index_dir, tmp_path / "index", copy=("manifest.json",))
    corpus = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["corpus"]
    corpus[0] = {**corpus[0], "sha256": "0" * 64}
    rewrite_manifest(folder, corpus=corpus)
    with TestClient(create_app(make_settings(index_dir=folder), reload_interval=-1)) as client:
        _unavailable(client, "index_stale")


def test_a_truncated_index_file_is_refused_with_503(tmp_path, hash_index_settings):
    folder = linked_index(hash_index_settings.index.index_dir, tmp_path / "index", copy=("bm25.json",))
    data = (folder / "bm25.json").read_bytes()
    (folder / "bm25.json").write_bytes(data[: len(data) // 2])
    with TestClient(create_app(make_settings(index_dir=folder), reload_interval=-1)) as client:
        _unavailable(client, "index_corrupt")
        assert "bm25.json" in client.get("/healthz").json()["error"]["message"]


def _wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
def test_the_app_notices_an_index_built_by_another_process_and_swaps_it_in(tmp_path, real_index_settings):
    folder = tmp_path / "index"
    settings = make_settings(index_dir=folder)
    with TestClient(create_app(settings, reload_interval=0)) as client:
        assert_error(client.get("/healthz"), 503, "index_missing")
        linked_index(real_index_settings.index.index_dir, folder)  # `rag build` elsewhere
        holder: IndexHolder = client.app.state.holder
        client.get("/healthz")  # this look starts the reload in the background
        holder.wait_for_reload()
        first = client.get("/healthz").json()["index"]["build_id"]
        assert first == build_id(read_manifest(folder))
        old = holder.engine

        rewrite_manifest(folder, built_at="2030-01-01T00:00:00+00:00")  # a second build
        before = client.post("/search", json={"query": "digital skills", "k": 3})
        assert before.status_code == 200  # the old index answers while the new one loads
        holder.wait_for_reload()
        second = client.get("/healthz").json()["index"]
        assert second["build_id"] != first and second["built_at"] == "2030-01-01T00:00:00+00:00"
        assert "all-MiniLM-L6-v2" in second["encoder"]  # the real model's index names its encoder
        assert holder.engine is not old
        after = client.post("/search", json={"query": "digital skills", "k": 3})
        assert [x["id"] for x in after.json()["results"]] == [x["id"] for x in before.json()["results"]]


# --- the holder alone, with fake engines ----------------------------------------------------------


class FakeEngine:
    def __init__(self, build: str) -> None:
        self.build_id = build


class Loader:
    """Hands out FakeEngines, or raises what ``fail`` holds."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail: Exception | None = None

    def __call__(self, settings):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        return FakeEngine(f"build-{self.calls}")


def _holder(tmp_path: Path, loader: Loader, interval: float = -1) -> IndexHolder:
    return IndexHolder(make_settings(index_dir=tmp_path), loader=loader, check_interval=interval)  # type: ignore[arg-type]


def test_a_request_keeps_the_engine_it_took_while_a_new_one_is_swapped_in(tmp_path):
    loader = Loader()
    holder = _holder(tmp_path, loader)
    holder.load()
    taken = holder.current()
    holder.reload()
    assert taken.build_id == "build-1" and holder.current().build_id == "build-2"


def test_a_failed_reload_keeps_the_old_engine_serving_and_reports_why(tmp_path):
    loader = Loader()
    holder = _holder(tmp_path, loader)
    holder.load()
    loader.fail = IndexCorruptError("index file dense.faiss does not match its checksum")
    with pytest.raises(IndexCorruptError):
        holder.reload()
    assert holder.current().build_id == "build-1"
    assert "dense.faiss" in holder.reload_error
    loader.fail = None
    holder.reload()
    assert holder.reload_error is None and holder.current().build_id == "build-3"


def test_with_no_engine_current_raises_the_load_failure(tmp_path):
    loader = Loader()
    loader.fail = IndexMissingError(f"no index in {tmp_path}")
    holder = _holder(tmp_path, loader)
    assert holder.load() is None
    with pytest.raises(IndexMissingError, match="no index"):
        holder.current()


def test_the_manifest_is_looked_at_no_more_than_once_per_interval(tmp_path, monkeypatch):
    looks = []
    monkeypatch.setattr("api.state.read_manifest", lambda folder: looks.append(folder))
    holder = _holder(tmp_path, Loader(), interval=60)
    holder.load()
    assert len(looks) == 1  # the load's own look
    for _ in range(100):
        holder.current()
    assert len(looks) == 2  # one look for the first request, then none within the minute


def test_an_unexpected_load_failure_still_lets_the_app_start_and_answer_503(tmp_path):
    loader = Loader()
    loader.fail = RuntimeError("faiss exploded at 0x7f")
    holder = _holder(tmp_path, loader)
    with TestClient(create_app(make_settings(index_dir=tmp_path), holder=holder)) as client:
        error = assert_error(client.get("/healthz"), 503, "index_unavailable")
        assert "RuntimeError" in error["message"] and "0x7f" not in error["message"]
        assert "rag build" in error["hint"]
