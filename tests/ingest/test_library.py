"""Adding to and removing from the corpus folder (rag.ingest.library), without an index build.

Every file is read before anything is written, so a bad file among good ones adds nothing; what is
written is the reading text, the original beside it and an entry with the original's sha256.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from rag.corpus import load_corpus
from rag.errors import DocumentExistsError, NotRemovableError, UnsupportedFormatError
from rag.ingest.library import Overrides, add_prepared, prepare, remove_from_corpus
from tests.conftest import more_file
from tests.retrieval_fixtures import make_corpus

MD = "a-res-80-16.md"
LIMIT = 50 << 20


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "corpus")


def _prepare(corpus_dir: Path, name: str, **overrides: str):  # type: ignore[no-untyped-def]
    taken = {d.id for d in load_corpus(corpus_dir).documents}
    return prepare(
        more_file(name).read_bytes(), name, overrides=Overrides(**overrides), taken=taken, max_bytes=LIMIT
    )


def test_an_added_file_is_written_as_text_and_original_with_its_entry(corpus_dir):
    item = _prepare(corpus_dir, MD)
    add_prepared(corpus_dir, [item])
    entry = next(
        d
        for d in json.loads((corpus_dir / "documents.json").read_text())["documents"]
        if d["id"] == "a-res-80-16"
    )
    data = more_file(MD).read_bytes()
    assert entry["file"] == "a-res-80-16.txt" and entry["original"] == "a-res-80-16.source.md"
    assert entry["original_sha256"] == hashlib.sha256(data).hexdigest()
    assert (corpus_dir / "a-res-80-16.source.md").read_bytes() == data  # byte for byte
    assert entry["kind"] == "auto" and entry["format"] == "md" and entry["lang"] == "en"
    assert entry["symbol"] == entry["short_title"] == "A/RES/80/16" and entry["event"] == "UNGA-80"
    assert entry["date"] == "2025-12-01"  # "Resolution adopted by the General Assembly on 1 December 2025"
    text = (corpus_dir / "a-res-80-16.txt").read_text(encoding="utf-8")
    assert text == item.converted.text and "Requests the Secretary-General" in text
    # the seed entries are written back as they were (no empty fields added)
    seed = json.loads((corpus_dir / "documents.json").read_text())["documents"][0]
    assert set(seed) == {"id", "file", "title", "short_title", "event", "date", "kind"}


def test_overrides_replace_what_was_read(corpus_dir):
    item = _prepare(corpus_dir, MD, id="ga-80-16", title="OEWG on ICT security", event="UNGA 80th session")
    assert (item.meta.id, item.meta.title, item.meta.event) == (
        "ga-80-16",
        "OEWG on ICT security",
        "UNGA 80th session",
    )
    assert item.meta.short_title == "A/RES/80/16"  # not overridden: still read from the text


def test_one_bad_file_adds_nothing_and_a_file_is_added_once(corpus_dir):
    before = {p.name: p.read_bytes() for p in corpus_dir.iterdir()}
    good = _prepare(corpus_dir, MD)
    with pytest.raises(UnsupportedFormatError, match="not a PDF"):
        prepare(b"PK\x03\x04junk", "broken.pdf", taken=set(), max_bytes=LIMIT)
    # nothing was written by preparing, whatever failed
    assert {p.name: p.read_bytes() for p in corpus_dir.iterdir()} == before
    add_prepared(corpus_dir, [good])
    again = _prepare(corpus_dir, MD)
    with pytest.raises(DocumentExistsError, match="already in the corpus as 'a-res-80-16'"):
        add_prepared(corpus_dir, [again])
    with pytest.raises(DocumentExistsError, match="already in the corpus"):
        _prepare(corpus_dir, MD, id="a-res-80-16")


def test_remove_deletes_the_two_files_and_the_entry_but_never_a_seed(corpus_dir):
    def files() -> dict[str, object]:
        found: dict[str, object] = {p.name: p.read_bytes() for p in corpus_dir.iterdir() if p.name[0] != "."}
        found["documents.json"] = json.loads(str(found["documents.json"], "utf-8"))  # formatting aside
        return found

    before = files()
    add_prepared(corpus_dir, [_prepare(corpus_dir, MD)])
    removed = remove_from_corpus(corpus_dir, "a-res-80-16")
    assert removed.id == "a-res-80-16"
    assert files() == before
    with pytest.raises(NotRemovableError, match="was not added with `rag add`"):
        remove_from_corpus(corpus_dir, "plain-notes")
