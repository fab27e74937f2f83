"""The index under faults: damaged files are refused, a killed build changes nothing, swaps are atomic.

Small indexes built with the hashing encoder (``tests.api.small_index``) keep these fast; only the
killed build runs the real ``rag build`` (and the real model) in a subprocess.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.state import Engine, IndexHolder, build_id
from rag.config import REPO_ROOT, Settings
from rag.errors import IndexCorruptError, IndexStaleError
from rag.index.store import MANIFEST_FILE, build_index, load_index, read_manifest, verify_files
from tests.api.conftest import assert_error
from tests.api.small_index import build_variant, encoder, hash_loader, install
from tests.retrieval_fixtures import make_corpus, settings_for

QUERIES = [
    "satellites in remote areas",
    "digital skills for women and girls",
    "digital skills programmes in public libraries",
    "emergency communications spectrum",
    "technology transfer handbooks",
]


def _app(settings: Settings, *, interval: float = -1, loader: Callable[[Settings], Engine] = hash_loader):
    holder = IndexHolder(settings, loader=loader, check_interval=interval)
    return create_app(settings, holder=holder, reload_interval=interval)


def _flip_byte(path: Path) -> None:
    """Alter one byte in the middle: same size, other checksum."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _answers(client: TestClient, mode: str = "hybrid") -> list[list[dict[str, Any]]]:
    out = []
    for q in QUERIES:
        r = client.post("/search", json={"query": q, "k": 5, "mode": mode})
        assert r.status_code == 200, r.text
        out.append(r.json()["results"])
    return out


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Settings]:
    """Indexes ``a`` and ``b`` of the two fixture corpora, never altered (tests copy them)."""
    root = tmp_path_factory.mktemp("variants")
    return {v: build_variant(root, v) for v in ("a", "b")}


# --------------------------------------------------------------------------------- damaged files


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("dense.faiss", _flip_byte),
        ("passages.jsonl", _truncate),
        ("bm25.npz", _flip_byte),
        ("outlines.json", _truncate),
        ("versions.json", _flip_byte),
    ],
)
def test_a_damaged_index_file_at_startup_is_refused_with_503_naming_rag_build(
    tmp_path, variants, name, damage
):
    folder = tmp_path / "index"
    shutil.copytree(variants["a"].index.index_dir, folder)
    damage(folder / name)
    settings = variants["a"].updated(index_dir=folder)
    with TestClient(_app(settings)) as client:
        for r in (
            client.get("/healthz"),
            client.post("/search", json={"query": "digital skills"}),
            client.get("/documents"),
        ):
            error = assert_error(r, 503, "index_corrupt")
            assert name in error["message"] and "checksum" in error["message"]
            assert "rag build" in error["hint"]
            assert str(tmp_path) not in r.text  # no server paths
        assert client.app.state.holder.engine is None


def test_an_unreadable_manifest_at_startup_is_refused_with_503(tmp_path, variants):
    folder = tmp_path / "index"
    shutil.copytree(variants["a"].index.index_dir, folder)
    _truncate(folder / MANIFEST_FILE)
    with TestClient(_app(variants["a"].updated(index_dir=folder))) as client:
        error = assert_error(client.get("/healthz"), 503, "index_corrupt")
        assert "manifest.json" in error["message"] and "rag build" in error["hint"]


def test_a_damaged_rebuild_is_refused_at_reload_and_the_old_index_keeps_answering(tmp_path, variants):
    folder = tmp_path / "index"
    install(variants["a"].index.index_dir, folder, built_at="2030-01-01T00:00:01+00:00")
    settings = variants["a"].updated(index_dir=folder)
    with TestClient(_app(settings, interval=0)) as client:
        holder: IndexHolder = client.app.state.holder
        served = client.get("/healthz").json()["index"]["build_id"]
        before = _answers(client)

        # a rebuild whose dense.faiss was damaged after its manifest was written
        install(
            variants["a"].index.index_dir, folder, built_at="2030-01-01T00:00:02+00:00", damage=_flip_byte
        )
        client.get("/healthz")  # this look starts the reload in the background
        holder.wait_for_reload()
        health = client.get("/healthz").json()
        assert health["status"] == "ok" and health["index"]["build_id"] == served
        reason = health["index"]["reload_error"]
        assert "dense.faiss" in reason and "checksum" in reason and "rag build" in reason
        assert str(tmp_path) not in reason
        assert _answers(client) == before  # wholly the old index, never the damaged one
        with pytest.raises(IndexCorruptError, match="dense.faiss"):
            holder.reload()
        assert holder.current().build_id == served

        # `rag build` repairs it: the good index is swapped in and the error clears
        install(variants["a"].index.index_dir, folder, built_at="2030-01-01T00:00:03+00:00")
        client.get("/healthz")
        holder.wait_for_reload()
        health = client.get("/healthz").json()
        assert health["index"]["build_id"] == build_id(read_manifest(folder)) != served
        assert health["index"]["reload_error"] is None


# ------------------------------------------------------------------------------ killed build


@pytest.mark.slow
def test_a_build_killed_midway_leaves_the_previous_index_intact_and_served(tmp_path, real_index_settings):
    corpus = make_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    index.mkdir()
    # the session index's ONNX export, linked by both builds instead of exporting the model again
    (index / "encoder").symlink_to(real_index_settings.index.index_dir / "encoder")
    settings = settings_for(corpus, index)
    build_index(settings, show_progress=False)  # the previous index, with the real model
    manifest = read_manifest(index)

    with TestClient(create_app(settings, reload_interval=0)) as client:
        before = client.post("/search", json={"query": "digital skills", "k": 5}).json()["results"]
        # a document is added to the corpus: the next build parses it and embeds a few hundred texts
        big = "001_7ca565d59068b403.txt"
        documents_json = (corpus / "documents.json").read_text(encoding="utf-8")
        shutil.copy(REPO_ROOT / "corpus" / big, corpus / big)
        documents = json.loads(documents_json)
        real = json.loads((REPO_ROOT / "corpus" / "documents.json").read_text(encoding="utf-8"))
        documents["documents"].append(next(d for d in real["documents"] if d["file"] == big))
        (corpus / "documents.json").write_text(json.dumps(documents), encoding="utf-8")

        env = {**os.environ, "RAG_CORPUS_DIR": str(corpus), "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1"}
        build = subprocess.Popen(
            [sys.executable, "-m", "rag_cli", "build", "--index", str(index)],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            env=env,
            cwd=REPO_ROOT,
            text=True,
        )
        log: list[str] = []
        try:
            deadline = time.monotonic() + 120
            assert build.stderr is not None
            for line in build.stderr:  # wait until the model is embedding the new texts
                log.append(line)
                if "embedding" in line:
                    break
                assert time.monotonic() < deadline, "".join(log)
            else:
                pytest.fail(f"rag build ended before embedding:\n{''.join(log)}")
            # while it embeds, the service answers from the previous index
            r = client.post("/search", json={"query": "digital skills", "k": 5})
            assert r.status_code == 200 and r.json()["results"] == before
            build.send_signal(signal.SIGKILL)
            assert build.wait(timeout=30) == -signal.SIGKILL
        finally:
            if build.poll() is None:
                build.kill()
                build.wait()

        # the killed build's half-written folder is beside the index, without a manifest
        leftovers = list(tmp_path.glob(".index.tmp-*"))
        assert leftovers and not (leftovers[0] / MANIFEST_FILE).exists(), "".join(log)
        # the previous index is untouched, every file as its checksum says, and still served
        assert read_manifest(index) == manifest
        verify_files(index, manifest, skip=())
        health = client.get("/healthz").json()
        assert health["index"]["build_id"] == build_id(manifest) and health["index"]["reload_error"] is None
        assert client.post("/search", json={"query": "digital skills", "k": 5}).json()["results"] == before
    # with the corpus as it was, the previous index loads as it did before the build
    (corpus / big).unlink()
    (corpus / "documents.json").write_text(documents_json, encoding="utf-8")
    assert len(load_index(settings).passages) == manifest.passages
    # the kernel dropped the dead build's lock: the next build need not wait for it
    with (tmp_path / ".index.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)


# -------------------------------------------------------------------------- swaps under load


def _two_corpus_loader(corpora: dict[str, Settings]) -> Callable[[Settings], Engine]:
    """Loads whichever variant's index is on disk: the one whose corpus it was built from."""

    def load(settings: Settings) -> Engine:
        for variant in corpora.values():
            try:
                return hash_loader(settings.updated(corpus_dir=variant.index.corpus_dir))
            except IndexStaleError:
                continue
        raise IndexStaleError("the index on disk was built from neither fixture corpus")

    return load


def test_queries_during_index_swaps_never_fail_and_each_is_answered_from_one_index(tmp_path, variants):
    folder = tmp_path / "index"
    install(variants["a"].index.index_dir, folder, built_at="2030-01-01T00:00:00+00:00")
    settings = variants["a"].updated(index_dir=folder)
    # what each index answers alone
    expected: dict[str, dict[str, Any]] = {}
    for v, s in variants.items():
        with TestClient(_app(s)) as alone:
            expected[v] = {
                "search": {q: r for q, r in zip(QUERIES, _answers(alone), strict=True)},
                "bm25": {q: r for q, r in zip(QUERIES, _answers(alone, "bm25"), strict=True)},
                "documents": alone.get("/documents").json(),
            }
    assert all(expected["a"]["search"][q] != expected["b"]["search"][q] for q in QUERIES)

    seen: dict[str, int] = {"a": 0, "b": 0}
    failures: list[str] = []
    stop = threading.Event()

    def which(kind: str, key: str | None, body: Any) -> str | None:
        for v in ("a", "b"):
            if (expected[v][kind] if key is None else expected[v][kind][key]) == body:
                return v
        return None

    def hammer(client: TestClient, offset: int) -> None:
        i = offset
        while not stop.is_set():
            q = QUERIES[i % len(QUERIES)]
            kind = ("search", "bm25", "documents")[i % 3]
            i += 1
            if kind == "documents":
                r = client.get("/documents")
                key = None
            else:
                mode = "hybrid" if kind == "search" else "bm25"
                r = client.post("/search", json={"query": q, "k": 5, "mode": mode})
                key = q
            if r.status_code != 200:
                failures.append(f"{kind} {q!r}: {r.status_code} {r.text[:200]}")
                continue
            body = r.json() if kind == "documents" else r.json()["results"]
            v = which(kind, key, body)
            if v is None:
                failures.append(f"{kind} {q!r}: an answer from neither index: {body!r:.300}")
            else:
                seen[v] += 1

    with TestClient(_app(settings, interval=0, loader=_two_corpus_loader(variants))) as client:
        holder: IndexHolder = client.app.state.holder
        threads = [threading.Thread(target=hammer, args=(client, n)) for n in range(4)]
        for t in threads:
            t.start()
        try:
            for n in range(1, 9):  # eight rebuilds, alternately of the other corpus
                variant = "b" if n % 2 else "a"
                install(variants[variant].index.index_dir, folder, built_at=f"2030-01-01T00:00:{n:02d}+00:00")
                deadline = time.monotonic() + 30
                while holder.engine is None or holder.engine.build_id != build_id(read_manifest(folder)):
                    assert time.monotonic() < deadline, holder.reload_error
                    time.sleep(0.02)
                time.sleep(0.1)  # let the new index answer a few
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        assert holder.reloads >= 9 and holder.reload_error is None
    assert not failures, failures[:5]
    assert seen["a"] > 20 and seen["b"] > 20, seen


def test_a_load_that_sees_the_folder_replaced_midway_loads_again(tmp_path, variants, monkeypatch, caplog):
    folder = tmp_path / "index"
    install(variants["a"].index.index_dir, folder, built_at="2030-01-01T00:00:00+00:00")
    settings = variants["a"].updated(index_dir=folder)
    from rag.rank.search import Searcher

    real_load = Searcher.load
    calls = []

    def load_then_rebuild(s: Settings, *, encoder: Any = None) -> Searcher:
        searcher = real_load(s, encoder=encoder)
        calls.append(searcher.index.manifest.built_at)
        if len(calls) == 1:  # `rag build` swaps a new folder in while this load reads the old one
            install(variants["a"].index.index_dir, folder, built_at="2030-01-01T00:00:09+00:00")
        return searcher

    monkeypatch.setattr("api.state.Searcher.load", load_then_rebuild)
    with caplog.at_level(logging.WARNING, logger="api.state"):
        engine = Engine.load(settings, encoder=encoder())
    assert calls == ["2030-01-01T00:00:00+00:00", "2030-01-01T00:00:09+00:00"]
    assert engine.manifest.built_at == "2030-01-01T00:00:09+00:00"
    assert "replaced while it was loading" in caplog.text


def test_the_served_query_encoder_runs_on_the_cores_each_worker_has_unless_configured(tmp_path):
    from api.state import serving_settings
    from rag.config import make_settings

    def threads(cores: int, **given: object) -> int:
        return serving_settings(make_settings(index_dir=tmp_path, **given), cores=cores).index.embed_threads

    assert threads(2, workers=1) == 1  # the int8 encoder (default): one thread is faster on a question
    assert threads(2, workers=1, embed_backend="onnx") == 2  # float32: the cores each worker has
    assert threads(2, workers=2, embed_backend="onnx") == 1  # --workers 2 on 2 cores: never oversubscribed
    assert threads(8, workers=1, embed_backend="onnx") == 2
    assert threads(2, workers=1, embed_threads=3) == 3  # RAG_EMBED_THREADS is kept


def test_the_served_multilingual_encoder_runs_on_the_cores_each_worker_has(tmp_path):
    from api.state import serving_settings
    from rag.config import make_settings

    def threads(cores: int, **given: object) -> int:
        return serving_settings(
            make_settings(index_dir=tmp_path, **given), cores=cores
        ).index.multilingual_threads

    assert threads(2, workers=1) == 2  # rag serve on this 2-core machine: both cores
    assert threads(2, workers=2) == 1  # --workers 2: one each, no oversubscription
    assert threads(1, workers=1) == 1
    assert threads(8, workers=1) == 2  # at most the measured 2
    assert threads(2, workers=1, multilingual_threads=1) == 1  # RAG_MULTILINGUAL_THREADS is kept


def test_a_served_index_loads_the_language_models_and_glossaries_at_start(hash_searcher, monkeypatch):
    """Not in the first question in each language (lingua: 0.6-1.4 s, a glossary 0.1-0.2 s)."""
    from api.state import warm_up_languages
    from rag.query import language, translate

    monkeypatch.setattr(language, "_detector", None)
    monkeypatch.setattr(translate, "_GLOSSARIES", {})
    warm_up_languages(hash_searcher)
    assert language._detector is not None
    assert set(translate._GLOSSARIES) == set(translate.LANGUAGES)
