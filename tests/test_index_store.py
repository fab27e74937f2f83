"""The index folder: what a build writes, no-op and incremental rebuilds, atomic swap, checked loads."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pytest

from rag.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from rag.index import store as index_store
from rag.index.bm25 import BM25Index
from rag.index.encoders import HashEncoder
from rag.index.manifest import EncoderInfo
from rag.index.store import build_index, load_index, read_manifest
from rag.types import OutlineNode
from tests.retrieval_fixtures import make_corpus, settings_for


class CountingEncoder(HashEncoder):
    """A HashEncoder that remembers which texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(dim=32)
        self.seen: list[str] = []

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool | None = None) -> np.ndarray:
        self.seen.extend(texts)
        return super().embed_passages(texts)


@pytest.fixture
def corpus_dir(tmp_path):
    return make_corpus(tmp_path / "corpus")


@pytest.fixture
def settings(corpus_dir, tmp_path):
    return settings_for(corpus_dir, tmp_path / "index")


def test_build_writes_every_index_file_with_its_checksum(settings):
    report = build_index(settings, encoder=HashEncoder(dim=32))
    manifest = read_manifest(settings.index.index_dir)
    names = set(manifest.files)
    assert {
        "passages.jsonl",
        "outlines.json",
        "bm25.npz",
        "bm25.json",
        "dense.faiss",
        "embed_cache.npz",
        "vocabulary.json",
    } <= names
    for name, entry in manifest.files.items():
        path = settings.index.index_dir / name
        assert entry.sha256 == index_store.sha256_file(path) and entry.bytes == path.stat().st_size
    assert (
        manifest.passages
        == report.passages
        == len((settings.index.index_dir / "passages.jsonl").read_text().splitlines())
    )
    assert [e["file"] for e in manifest.corpus] == ["004_375cb176ada057d9.txt", "plain.txt"]
    assert all(len(e["sha256"]) == 64 for e in manifest.corpus)
    assert manifest.encoder == EncoderInfo(name="hash-32", backend="injected", dim=32)
    assert manifest.params["bm25"] == {"k1": 1.5, "b": 0.75, "epsilon": 0.25}
    assert {"numpy", "faiss-cpu", "python"} <= set(manifest.libraries)
    assert manifest.schema == index_store.SCHEMA_VERSION and manifest.built_at


def test_loaded_index_holds_passages_outlines_and_aligned_indexes(settings):
    build_index(settings, encoder=HashEncoder(dim=32))
    index = load_index(settings)
    assert index.bm25.num_docs == index.dense.size == len(index.passages) > 10
    assert {p.doc for p in index.passages} == {"wtpf-26-first-draft-outline", "plain-notes"}
    assert set(index.outlines) == {"wtpf-26-first-draft-outline", "plain-notes"}
    assert isinstance(index.outlines["plain-notes"], OutlineNode)
    outline_ids = {n.passage_id for n in _walk(index.outlines["plain-notes"]) if n.passage_id}
    assert outline_ids == {p.id for p in index.passages if p.doc == "plain-notes"}


def test_the_vocabulary_mined_at_build_time_is_stored_and_loaded(settings):
    build_index(settings, encoder=HashEncoder(dim=32))
    index = load_index(settings)
    assert index.vocabulary is not None
    assert read_manifest(settings.index.index_dir).vocabulary == {"acronyms": len(index.vocabulary)}
    # the first draft outline defines its acronyms like the other reports ("... (WTPF-26)")
    assert all(forms for forms in index.vocabulary.acronyms.values())


def _walk(node: OutlineNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def test_second_build_with_nothing_changed_is_a_no_op(settings):
    build_index(settings, encoder=HashEncoder(dim=32))
    before = read_manifest(settings.index.index_dir)
    encoder = CountingEncoder()
    report = build_index(settings, encoder=encoder)
    assert report.status == "unchanged"
    assert read_manifest(settings.index.index_dir) == before
    assert not encoder.seen


def test_changed_document_re_embeds_only_changed_texts(settings, corpus_dir):
    encoder = CountingEncoder()
    build_index(settings, encoder=encoder)
    first = len(encoder.seen)
    path = corpus_dir / "plain.txt"
    path.write_text(path.read_text().replace("every two years", "every year"), encoding="utf-8")
    encoder.seen.clear()
    report = build_index(settings, encoder=encoder)
    assert report.status == "built" and report.parsed == 1  # the outline document was reused as it was
    assert encoder.seen == [
        "The Bureau shall publish handbooks on technology transfer and applied research every year."
    ]
    assert report.embedded == 1 and report.cached == first - 1


def test_forced_rebuild_takes_every_vector_from_the_cache(settings):
    encoder = CountingEncoder()
    build_index(settings, encoder=encoder)
    encoder.seen.clear()
    report = build_index(settings, encoder=encoder, force=True)
    assert report.status == "built" and report.embedded == 0 and not encoder.seen


def test_changed_setting_rebuilds(settings, corpus_dir, tmp_path):
    build_index(settings, encoder=HashEncoder(dim=32))
    other = settings_for(corpus_dir, settings.index.index_dir, bm25_k1=1.2)
    report = build_index(other, encoder=HashEncoder(dim=32))
    assert report.status == "built"
    assert read_manifest(settings.index.index_dir).params["bm25"]["k1"] == 1.2


def test_build_that_fails_midway_leaves_the_previous_index_intact(settings, monkeypatch, corpus_dir):
    build_index(settings, encoder=HashEncoder(dim=32))
    before = {p.name: p.read_bytes() for p in settings.index.index_dir.iterdir()}
    (corpus_dir / "plain.txt").write_text("Entirely new words about spectrum.\n", encoding="utf-8")

    def crash(self, folder):
        raise RuntimeError("disk full")

    monkeypatch.setattr(BM25Index, "save", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        build_index(settings, encoder=HashEncoder(dim=32))
    assert {p.name: p.read_bytes() for p in settings.index.index_dir.iterdir()} == before
    leftovers = [p.name for p in settings.index.index_dir.parent.iterdir() if ".tmp-" in p.name]
    assert leftovers == []


def test_swap_replaces_the_folder_and_keeps_readme(settings):
    settings.index.index_dir.mkdir(parents=True)
    (settings.index.index_dir / "README.md").write_text("kept\n")
    (settings.index.index_dir / "stray.bin").write_text("old build output\n")
    build_index(settings, encoder=HashEncoder(dim=32))
    assert (settings.index.index_dir / "README.md").read_text() == "kept\n"
    assert not (settings.index.index_dir / "stray.bin").exists()


def test_missing_index_names_rag_build(settings):
    with pytest.raises(IndexMissingError, match="rag build"):
        load_index(settings)


def test_changed_corpus_file_makes_the_index_stale(settings, corpus_dir):
    build_index(settings, encoder=HashEncoder(dim=32))
    (corpus_dir / "plain.txt").write_text("Other text.\n", encoding="utf-8")
    with pytest.raises(IndexStaleError, match=r"plain\.txt.*rag build"):
        load_index(settings)


@pytest.mark.parametrize("name", ["passages.jsonl", "dense.faiss", "bm25.npz"])
def test_altered_index_file_is_detected_as_corrupt(settings, name):
    build_index(settings, encoder=HashEncoder(dim=32))
    path = settings.index.index_dir / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match=f"{name}.*rag build"):
        load_index(settings)


def test_truncated_file_is_corrupt_and_the_next_build_repairs_it(settings):
    build_index(settings, encoder=HashEncoder(dim=32))
    path = settings.index.index_dir / "passages.jsonl"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorruptError):
        load_index(settings)
    assert build_index(settings, encoder=HashEncoder(dim=32)).status == "built"
    assert len(load_index(settings).passages) > 10


def test_unreadable_manifest_is_corrupt(settings):
    build_index(settings, encoder=HashEncoder(dim=32))
    (settings.index.index_dir / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="manifest"):
        load_index(settings)


def test_embedding_cache_is_keyed_by_model_and_text():
    a = index_store.cache_key("m1", "text")
    assert a == index_store.cache_key("m1", "text")
    assert a != index_store.cache_key("m2", "text") and a != index_store.cache_key("m1", "text ")
    assert len(a) == 64


def test_cache_file_round_trip_drops_other_dimensions(tmp_path):
    cache = index_store.EmbeddingCache({b"a" * 64: np.ones(4, np.float32), b"b" * 64: np.ones(8, np.float32)})
    cache.write(tmp_path / "c.npz", [b"a" * 64], limit=10)
    again = index_store.EmbeddingCache.read(tmp_path / "c.npz")
    assert list(again.vectors) == [b"a" * 64] and again.vectors[b"a" * 64].shape == (4,)
    with np.load(tmp_path / "c.npz", allow_pickle=False) as z:  # plain arrays, no pickle
        assert z["keys"].dtype.kind == "S"


def test_manifest_is_plain_json(settings):
    build_index(settings, encoder=HashEncoder(dim=32))
    json.loads((settings.index.index_dir / "manifest.json").read_text())
    json.loads((settings.index.index_dir / "outlines.json").read_text())
