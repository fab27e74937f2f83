"""GET /documents and GET /documents/{doc}/outline."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error


def test_documents_lists_every_document_with_its_passage_count(client, engine):
    body = client.get("/documents").json()
    docs = body["documents"]
    assert [d["id"] for d in docs] == [d.id for d in engine.contexts.documents]
    for d in docs:
        assert set(d) >= {"id", "title", "short_title", "date", "passages", "event", "kind", "source"}
        assert d["passages"] > 0
    assert sum(d["passages"] for d in docs) == client.get("/healthz").json()["passages"]
    wtdc = next(d for d in docs if d["id"] == "wtdc-25-final-report")
    assert wtdc["short_title"] == "WTDC-25 Final Report" and wtdc["date"] == "2025-11-28"


def _walk(node):
    yield node
    for child in node["children"]:
        yield from _walk(child)


def test_the_outline_is_a_tree_whose_passage_ids_all_resolve(client, engine):
    body = client.get("/documents/wtdc-25-final-report/outline").json()
    assert body["doc"] == "wtdc-25-final-report" and body["short_title"] == "WTDC-25 Final Report"
    nodes = list(_walk(body["outline"]))
    ids = [n["passage_id"] for n in nodes if n["passage_id"]]
    assert "wtdc-25-final-report/res-15/instructs/4" in ids
    known = set(engine.searcher.row_of)
    assert set(ids) <= known
    assert any("Resolution 15" in n["title"] for n in nodes if n["kind"] != "document")
    sample = ids[:: max(1, len(ids) // 5)][:5]
    for pid in sample:
        assert client.get(f"/passages/{pid}").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/documents/wtdc-99/outline", "/documents/..%2Findex/outline", "/documents/%2e%2e/outline"],
)
def test_unknown_documents_get_404(client, path):
    error = assert_error(client.get(path), 404, "not_found")
    assert "wtdc-25-final-report" in error["hint"] or "endpoint" in error["message"]
