"""``POST /admin/documents`` and ``DELETE /admin/documents/{id}`` on a small index (hashing encoder).

An uploaded resolution must be searchable, filterable and citable to the clause once the call
answers; removing it must leave the index as if it had never been added; a bad file must be a 4xx
naming the problem with the corpus and the index untouched.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.state import IndexHolder
from rag.config import Settings
from rag.index.store import read_manifest
from tests.api.conftest import assert_error
from tests.api.small_index import build_variant, hash_builder, hash_loader
from tests.conftest import more_file

TOKEN = "s3cret-admin-token-for-tests-0123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RESOLUTION = "a-res-80-16.md"  # UN General Assembly resolution 80/16: 3 preambular, 4 operative paragraphs


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    return build_variant(tmp_path, "a", admin_token=TOKEN)


def _client(settings: Settings) -> TestClient:
    holder = IndexHolder(settings, loader=hash_loader, check_interval=-1)
    return TestClient(create_app(settings, holder=holder, reload_interval=-1, builder=hash_builder))


def _upload(client: TestClient, name: str, data: bytes, **fields: str) -> Any:
    return client.post(
        "/admin/documents", headers=AUTH, files={"file": (name, io.BytesIO(data))}, data=fields
    )


def _snapshot(settings: Settings) -> dict[str, Any]:
    """What must not change when a request fails: the corpus files and the index's build."""
    corpus = {
        p.name: p.read_bytes() for p in settings.index.corpus_dir.iterdir() if not p.name.startswith(".")
    }
    manifest = read_manifest(settings.index.index_dir)
    assert manifest is not None
    return {"corpus": corpus, "built_at": manifest.built_at, "files": manifest.files}


def test_an_uploaded_resolution_is_searchable_and_cited_to_the_operative_paragraph(small):
    with _client(small) as client:
        r = _upload(client, RESOLUTION, more_file(RESOLUTION).read_bytes())
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["id"] == "a-res-80-16"
        assert body["document"]["short_title"] == "A/RES/80/16" and body["document"]["format"] == "md"
        assert body["structure"]["clauses"] == 7 and body["structure"]["roles"]["requests"] == 2
        # only the new document's passages went through the encoder; the others came from the cache
        assert 0 < body["index"]["embedded"] <= 2 * body["structure"]["passages"]
        assert body["index"]["cached"] > 0 and body["index"]["swapped"] is True

        hits = client.post(
            "/search",
            json={
                "query": "Global ICT Security Cooperation and Capacity-Building Portal",
                "k": 3,
                "mode": "bm25",
            },
        ).json()["results"]
        assert hits[0]["id"] == "a-res-80-16/op-3"
        assert hits[0]["citation"] == "A/RES/80/16, operative paragraph 3"
        assert hits[0]["clause"] == "requests" and hits[0]["instrument"] == "A/RES/80/16"

        filtered = client.get(
            "/search", params={"q": "Secretary-General support", "doc": "a-res-80-16", "clause": "requests"}
        ).json()["results"]
        assert filtered and all(h["doc"] == "a-res-80-16" and h["clause"] == "requests" for h in filtered)
        by_instrument = client.get("/search", params={"q": "working group", "instrument": "A/RES/80/16"})
        assert by_instrument.status_code == 200 and by_instrument.json()["results"]

        listed = {d["id"]: d for d in client.get("/documents").json()["documents"]}
        added = listed["a-res-80-16"]
        assert added["format"] == "md" and added["original"] == "a-res-80-16.source.md"
        assert added["structure"]["passages"] == added["passages"]
        assert listed["wtpf-26-first-draft-outline"]["structure"] is None  # a seed has no upload report
        passage = client.get("/passages/a-res-80-16/op-2").json()
        assert passage["text"].startswith("Requests the Secretary-General to provide the necessary support")


def test_removing_the_document_leaves_the_index_as_if_it_had_never_been_added(small):
    def index_files(settings: Settings) -> dict[str, Any]:
        manifest = read_manifest(settings.index.index_dir)
        assert manifest is not None
        files = dict(manifest.files)
        files.pop("embed_cache.npz", None)  # a cache, not the index
        return files

    before = index_files(small)
    entries_before = json.loads((small.index.corpus_dir / "documents.json").read_text(encoding="utf-8"))
    with _client(small) as client:
        assert _upload(client, RESOLUTION, more_file(RESOLUTION).read_bytes()).status_code == 201
        assert index_files(small) != before
        r = client.delete("/admin/documents/a-res-80-16", headers=AUTH)
        assert r.status_code == 200, r.text
        assert r.json()["removed"] == ["a-res-80-16.txt", "a-res-80-16.source.md"]
        assert r.json()["index"]["embedded"] == 0
        assert "a-res-80-16" not in {d["id"] for d in client.get("/documents").json()["documents"]}
        assert_error(client.get("/passages/a-res-80-16/op-2"), 404, "not_found")
    assert index_files(small) == before
    assert (
        json.loads((small.index.corpus_dir / "documents.json").read_text(encoding="utf-8")) == entries_before
    )
    assert not list(small.index.corpus_dir.glob("a-res-80-16*"))


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("resolution.docx", b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n", 415, "unsupported_format"),
        ("resolution.pdf", b"PK\x03\x04 not really a zip", 415, "unsupported_format"),
        ("slides.pptx", b"PK\x03\x04 whatever", 415, "unsupported_format"),
        ("notes.txt", b"\x00\x01\x02\x03" * 64, 415, "unsupported_format"),
        ("resolution.pdf", b"%PDF-1.4\n garbage that is no PDF at all", 422, "unreadable_document"),
        ("empty.md", b"   \n\n", 422, "no_text_layer"),
    ],
)
def test_a_bad_file_is_a_4xx_naming_the_problem_and_nothing_changes(small, name, data, status, code):
    before = _snapshot(small)
    with _client(small) as client:
        error = assert_error(_upload(client, name, data), status, code)
        assert name in error["message"] and error["hint"]
    assert _snapshot(small) == before


def test_a_file_over_the_size_limit_is_a_413_before_anything_is_read(tmp_path):
    settings = build_variant(tmp_path, "a", admin_token=TOKEN, max_document_bytes=2048)
    before = _snapshot(settings)
    with _client(settings) as client:
        assert_error(_upload(client, RESOLUTION, more_file(RESOLUTION).read_bytes()), 413)
    assert _snapshot(settings) == before


def test_the_same_file_twice_is_a_409_and_a_seed_cannot_be_deleted(small):
    data = more_file(RESOLUTION).read_bytes()
    with _client(small) as client:
        assert _upload(client, RESOLUTION, data).status_code == 201
        after_first = _snapshot(small)
        error = assert_error(_upload(client, "copy.md", data), 409, "document_exists")
        assert "a-res-80-16" in error["message"]
        assert _snapshot(small) == after_first
        assert_error(
            client.delete("/admin/documents/wtpf-26-first-draft-outline", headers=AUTH), 409, "not_removable"
        )
        assert_error(client.delete("/admin/documents/no-such-doc", headers=AUTH), 404, "not_found")


def test_metadata_fields_override_what_was_read_from_the_text(small):
    with _client(small) as client:
        r = _upload(
            client, RESOLUTION, more_file(RESOLUTION).read_bytes(), id="ga-80-16", short_title="UNGA 80/16",
            event="UNGA-80", lang="en",
        )  # fmt: skip
        assert r.status_code == 201, r.text
        assert r.json()["document"]["short_title"] == "UNGA 80/16"
        hits = client.post(
            "/search", json={"query": "Global ICT Security Cooperation Portal", "mode": "bm25"}
        )
        top = hits.json()["results"][0]
        assert top["id"] == "ga-80-16/op-3" and top["citation"].startswith("UNGA 80/16, A/RES/80/16")


def test_the_document_routes_need_the_admin_token(small):
    with _client(small) as client:
        assert_error(client.post("/admin/documents", files={"file": ("a.md", b"x")}), 401, "unauthorized")
        assert_error(client.delete("/admin/documents/a", headers={"Authorization": "Bearer no"}), 403)
