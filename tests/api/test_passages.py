"""GET /passages/{id}: the passage with its parent heading, lead-in and neighbours; 404s."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error

PASSAGE_ID = "wtdc-25-final-report/res-15/instructs/4"


def test_a_clause_item_comes_with_its_block_heading_lead_in_and_neighbours(client, engine):
    r = client.get(f"/passages/{PASSAGE_ID}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == PASSAGE_ID
    assert (
        body["citation"]
        == "WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), instructs the Director of BDT, 4"
    )
    assert body["text"].startswith("to continue to develop handbooks")
    parent = body["context"]["parent"]
    assert parent["heading"].startswith("instructs the Director of the Telecommunication Development Bureau")
    assert parent["lead_in"].startswith("instructs the Director")
    assert parent["path"] == body["path"]
    # items 3 and 5 of the same block sit before and after item 4 in the document
    assert body["context"]["previous"]["id"] == "wtdc-25-final-report/res-15/instructs/3"
    assert body["context"]["next"]["id"] == "wtdc-25-final-report/res-15/instructs/5"
    assert (
        body["context"]["previous"]["end"] <= body["start"] < body["end"] <= body["context"]["next"]["start"]
    )


def test_the_first_passage_of_a_document_has_no_previous_and_the_last_no_next(client, engine):
    passages = engine.contexts.document_passages("wtpf-26-first-draft-outline")
    first, last = passages[0].id, passages[-1].id
    assert client.get(f"/passages/{first}").json()["context"]["previous"] is None
    assert client.get(f"/passages/{last}").json()["context"]["next"] is None


def test_a_passage_under_a_passage_names_its_parent_passage(client, engine):
    # a node whose outline parent is itself a passage (e.g. a sub-item under an item with a lead-in)
    parents = engine.contexts.parents
    child = next((pid for pid, node in parents.items() if node.passage_id is not None), None)
    if child is None:
        pytest.skip("no passage of this index has a passage as its outline parent")
    body = client.get(f"/passages/{child}").json()
    assert body["context"]["parent"]["passage_id"] == parents[child].passage_id


@pytest.mark.parametrize(
    "path",
    [
        "/passages/wtdc-25-final-report/res-15/instructs/99",
        "/passages/no-such-document",
        "/passages/../../etc/passwd",
        "/passages/..%2F..%2Fetc%2Fpasswd",
        "/passages/%00",
        "/passages/wtdc-25-final-report/res-15/instructs/4/",
    ],
)
def test_unknown_passages_get_404_with_a_message(client, path):
    error = assert_error(client.get(path), 404, "not_found")
    assert error["hint"]


def test_the_404_message_names_the_unknown_id_without_extra_quotes(client):
    error = assert_error(client.get("/passages/wtdc-25-final-report/nope"), 404, "not_found")
    assert error["message"] == "unknown passage 'wtdc-25-final-report/nope'"
