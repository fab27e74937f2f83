"""The interim index (rag.index.interim) and the status file of a background build (rag.index.build_status).

The "full" index here is built with a small injected hashing encoder, as the fast lane does everywhere:
no model is trained or loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from rag.index import progress
from rag.index.build_status import BUILDING, DONE, FAILED, StatusWriter, read_status, status_path
from rag.index.encoders import HashEncoder
from rag.index.interim import INTERIM_DIM, interim_encoder
from rag.index.manifest import Manifest, read_manifest
from rag.index.store import CACHE_FILE, build_index, load_index
from rag.rank.search import Searcher
from tests.retrieval_fixtures import make_corpus, settings_for

FULL_DIM = 32


def full_encoder() -> HashEncoder:
    return HashEncoder(dim=FULL_DIM)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "corpus")


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def manifest_without_times(folder: Path) -> dict:
    data = json.loads((folder / "manifest.json").read_text())
    return {k: v for k, v in data.items() if k not in ("built_at", "build_seconds")}


def test_the_interim_index_says_so_and_answers_with_the_encoder_its_manifest_names(corpus, tmp_path):
    settings = settings_for(corpus, tmp_path / "index")
    report = build_index(settings, encoder=interim_encoder(), interim=True, show_progress=False)
    assert report.status == "built"
    manifest = read_manifest(settings.index.index_dir)
    assert manifest is not None and manifest.interim
    assert manifest.encoder.name == f"hash-{INTERIM_DIM}" and manifest.multilingual is None
    # no embedding cache of its own: hash vectors must never reach the full build's cache
    assert not (settings.index.index_dir / CACHE_FILE).exists()
    # the settings name the fine-tuned encoder; the query side takes the manifest's, even over an
    # injected one of another width
    searcher = Searcher.load(settings, encoder=full_encoder())
    assert searcher.encoder.name == f"hash-{INTERIM_DIM}"
    hits = searcher.search("handbooks on technology transfer", k=3).hits
    assert hits and "technology transfer" in hits[0].passage.text
    # hybrid on an interim index is BM25 alone (the hashing leg only blurred it on the dev split)
    assert searcher.settings.retrieval.weight_dense == 0.0
    assert settings.retrieval.weight_dense == 1.0


def test_a_full_manifest_is_written_as_before_and_an_old_one_loads_as_full(corpus, tmp_path):
    settings = settings_for(corpus, tmp_path / "index")
    build_index(settings, encoder=full_encoder(), show_progress=False)
    data = json.loads((settings.index.index_dir / "manifest.json").read_text())
    assert "interim" not in data  # a full index's manifest, and so its build id, is unchanged
    manifest = Manifest.from_dict(data)
    assert manifest.interim is False and manifest.build_id == read_manifest(settings.index.index_dir).build_id


def test_a_full_build_after_the_interim_is_byte_identical_to_a_direct_one(corpus, tmp_path):
    direct = settings_for(corpus, tmp_path / "direct")
    build_index(direct, encoder=full_encoder(), show_progress=False)
    staged = settings_for(corpus, tmp_path / "staged")
    build_index(staged, encoder=interim_encoder(), interim=True, show_progress=False)
    report = build_index(staged, encoder=full_encoder(), show_progress=False)
    assert report.status == "built"
    assert checksums(staged.index.index_dir) == checksums(direct.index.index_dir)
    assert manifest_without_times(staged.index.index_dir) == manifest_without_times(direct.index.index_dir)
    assert not read_manifest(staged.index.index_dir).interim


def test_an_interim_build_carries_the_previous_caches_over_untouched(corpus, tmp_path):
    settings = settings_for(corpus, tmp_path / "index")
    build_index(settings, encoder=full_encoder(), show_progress=False)
    cache = (settings.index.index_dir / CACHE_FILE).read_bytes()
    build_index(settings, encoder=interim_encoder(), interim=True, show_progress=False)
    assert read_manifest(settings.index.index_dir).interim
    assert (settings.index.index_dir / CACHE_FILE).read_bytes() == cache
    load_index(settings)  # checksums hold: the carried-over cache is not among the manifest's files


def test_an_interim_build_is_a_no_op_when_the_interim_is_up_to_date_but_not_over_a_full_one(corpus, tmp_path):
    settings = settings_for(corpus, tmp_path / "index")
    build_index(settings, encoder=interim_encoder(), interim=True, show_progress=False)
    again = build_index(settings, encoder=interim_encoder(), interim=True, show_progress=False)
    assert again.status == "unchanged"
    with pytest.raises(ValueError, match="needs its encoder"):
        build_index(settings, interim=True, show_progress=False)


def test_the_status_writer_records_each_task_its_progress_and_the_end(tmp_path):
    index_dir = tmp_path / "index"
    writer = StatusWriter(index_dir)
    assert status_path(index_dir).parent == tmp_path  # beside the folder a build swaps, never inside
    status = read_status(index_dir)
    assert status.state == BUILDING and status.pid == os.getpid() and status.running
    progress.add_listener(writer)
    try:
        progress.report("fine-tuning", 0, 150)
        progress.report("fine-tuning", 30, 150)
        time.sleep(0.6)  # progress within a task is written at most every half second
        progress.report("fine-tuning", 60, 150)
    finally:
        progress.remove_listener(writer)
    status = read_status(index_dir)
    assert (status.task, status.done, status.total) == ("fine-tuning", 60, 150)
    left = status.seconds_left(now=status.task_started_at + 6.0)
    assert left == pytest.approx(9.0)  # 60 steps in 6 s: 90 more in 9 s
    writer.finish()
    assert read_status(index_dir).state == DONE
    writer.finish(error="stopped")
    assert read_status(index_dir).state == FAILED and read_status(index_dir).error == "stopped"


def test_a_build_reports_its_tasks_to_a_listener(corpus, tmp_path):
    seen: list[tuple[str, int, int]] = []

    def listen(task: str, done: int, total: int) -> None:
        seen.append((task, done, total))

    progress.add_listener(listen)
    try:
        build_index(settings_for(corpus, tmp_path / "index"), encoder=full_encoder(), show_progress=False)
    finally:
        progress.remove_listener(listen)
    tasks = [task for task, _, _ in seen]
    assert tasks[0] == "parse" and tasks[-1] == "indexes"


def test_a_status_of_a_dead_process_is_not_running(tmp_path):
    index_dir = tmp_path / "index"
    StatusWriter(index_dir)
    data = json.loads(status_path(index_dir).read_text())
    data["pid"] = 2**22 + 12345  # above pid_max's default: no such process
    status_path(index_dir).write_text(json.dumps(data))
    status = read_status(index_dir)
    assert status.state == BUILDING and not status.running
