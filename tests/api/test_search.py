"""POST /search and GET /search on the seed corpus's index: result fields, highlights, filters, errors."""

from __future__ import annotations

import pytest

from rag.index.textindex import tokenize
from rag.rank.search import highlight_spans
from tests.api.conftest import assert_error

RESULT_FIELDS = {
    "rank", "score", "id", "doc", "source", "start", "end", "citation", "text", "label", "clause",
    "addressee", "instrument", "kind", "path", "highlights",
}  # fmt: skip


def test_search_returns_the_issue_fields_and_finds_the_technology_transfer_clause(served):
    client = served.client
    r = client.post("/search", json={"query": "technology transfer handbooks", "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"query", "mode", "lang", "took_ms", "corrections", "results"}
    assert body["mode"] == "hybrid" and body["query"] == "technology transfer handbooks"
    assert body["lang"] == "en"
    assert body["corrections"] == []
    assert len(body["results"]) == 5
    assert [x["rank"] for x in body["results"]] == [1, 2, 3, 4, 5]
    for result in body["results"]:
        assert set(result) == RESULT_FIELDS
    assert "wtdc-25-final-report/res-15/instructs/4" in [x["id"] for x in body["results"]]


def test_misspelt_words_are_reported_and_searched_as_corpus_words(client):
    typed = client.post("/search", json={"query": "technolgy transfer handbooks", "k": 3}).json()
    right = client.post("/search", json={"query": "technology transfer handbooks", "k": 3}).json()
    assert typed["corrections"] == [{"typed": "technolgy", "corrected": "technology"}]
    assert typed["query"] == "technolgy transfer handbooks"  # the query as sent
    assert [x["id"] for x in typed["results"]] == [x["id"] for x in right["results"]]
    asked = client.post(
        "/ask", json={"question": "What should BDT do about handbooks on technolgy transfer?"}
    )
    assert asked.json()["corrections"] == [{"typed": "technolgy", "corrected": "technology"}]


def test_highlights_are_spans_of_the_text_holding_query_words(client):
    body = client.post("/search", json={"query": "handbooks on technology transfer", "k": 3}).json()
    wanted = set(tokenize("handbooks on technology transfer"))
    for result in body["results"]:
        text = result["text"]
        assert result["highlights"] == [
            list(s) for s in highlight_spans(text, "handbooks on technology transfer")
        ]
        for start, end in result["highlights"]:
            assert 0 <= start < end <= len(text)
            assert set(tokenize(text[start:end])) & wanted, text[start:end]
    assert any(result["highlights"] for result in body["results"])


def test_get_search_answers_like_post(client):
    post = client.post("/search", json={"query": "digital skills", "k": 4, "mode": "bm25"}).json()
    get = client.get("/search", params={"q": "digital skills", "k": 4, "mode": "bm25"}).json()
    assert [x["id"] for x in get["results"]] == [x["id"] for x in post["results"]]
    assert get["mode"] == "bm25"


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_every_mode_answers(client, mode):
    body = client.post("/search", json={"query": "broadband in rural areas", "k": 3, "mode": mode}).json()
    assert body["mode"] == mode and len(body["results"]) == 3


def test_filters_restrict_results_in_post_and_get(client):
    filters = {"doc": ["wtdc-25-final-report"], "clause": ["resolves"], "kind": ["clause"]}
    post = client.post("/search", json={"query": "digital skills", "k": 10, "filters": filters}).json()
    get = client.get(
        "/search",
        params={
            "q": "digital skills",
            "k": 10,
            "doc": "wtdc-25-final-report",
            "clause": "resolves",
            "kind": "clause",
        },
    ).json()
    assert post["results"] and [x["id"] for x in get["results"]] == [x["id"] for x in post["results"]]
    for result in post["results"]:
        assert result["doc"] == "wtdc-25-final-report" and result["clause"] == "resolves"
        assert result["kind"] == "clause"


def test_repeated_query_parameters_combine_with_or(client):
    r = client.get(
        "/search",
        params=[
            ("q", "technology transfer"),
            ("instrument", "Resolution 15"),
            ("instrument", "Resolution 17"),
        ],
    )
    assert r.status_code == 200
    instruments = {x["instrument"].split(" (")[0] for x in r.json()["results"]}
    assert instruments and instruments <= {"Resolution 15", "Resolution 17"}


def test_british_spelling_of_a_clause_role_filters_like_the_american(client):
    a = client.post("/search", json={"query": "gender", "filters": {"clause": ["recognising"]}}).json()
    b = client.post("/search", json={"query": "gender", "filters": {"clause": ["recognizing"]}}).json()
    assert a["results"] and [x["id"] for x in a["results"]] == [x["id"] for x in b["results"]]


def test_a_quoted_phrase_that_occurs_nowhere_gives_no_results(client):
    r = client.post("/search", json={"query": '"zebra quantum marmalade"'})
    assert r.status_code == 200 and r.json()["results"] == []


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        ({"query": ""}, "invalid_request", "body.query"),
        ({"query": "   "}, "invalid_query", "empty"),
        ({"query": "x" * 2001}, "invalid_request", "body.query"),
        ({"query": "x", "k": 0}, "invalid_request", "body.k"),
        ({"query": "x", "k": 101}, "invalid_request", "body.k"),
        ({"query": "x", "k": -5}, "invalid_request", "body.k"),
        ({"query": "x", "k": "ten"}, "invalid_request", "body.k"),
        ({"query": "x", "k": 10**30}, "invalid_request", "body.k"),
        ({"query": "x", "mode": "semantic"}, "invalid_request", "'hybrid', 'bm25' or 'dense'"),
        ({"query": 42}, "invalid_request", "body.query"),
        ({}, "invalid_request", "body.query: required field is missing"),
        ({"querry": "x"}, "invalid_request", "unknown field 'querry'"),
        ({"query": "x", "filters": {"colour": ["red"]}}, "invalid_request", "unknown field 'colour'"),
        ({"query": "x", "filters": {"doc": "wtdc-25-final-report"}}, "invalid_request", "body.filters.doc"),
        ({"query": "x", "filters": {"doc": ["x"] * 51}}, "invalid_request", "body.filters.doc"),
    ],
)
def test_bad_search_bodies_get_422_naming_the_problem(client, body, code, fragment):
    error = assert_error(client.post("/search", json=body), 422, code)
    assert fragment in error["message"]


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("doc", "wtdc-99", "wtdc-25-final-report"),
        ("clause", "ponders", "instructs"),
        ("kind", "poem", "table-row"),
        ("instrument", "Resolution 9999", "Baku Declaration"),
    ],
)
def test_unknown_filter_values_get_422_listing_the_valid_ones(client, field, value, valid):
    r = client.post("/search", json={"query": "digital skills", "filters": {field: [value]}})
    error = assert_error(r, 422, "invalid_value")
    assert repr(value) in error["message"] and valid in error["message"]
    r = client.get("/search", params={"q": "digital skills", field: value})
    assert assert_error(r, 422, "invalid_value")["message"] == error["message"]


def test_malformed_json_gets_400(client):
    r = client.post("/search", content=b'{"query": "x",', headers={"Content-Type": "application/json"})
    error = assert_error(r, 400, "malformed_json")
    assert "JSON" in error["message"] and error["hint"]


@pytest.mark.parametrize("content", [b"[1, 2]", b"null", b'"just a string"', b"query=x"])
def test_bodies_that_are_not_json_objects_get_4xx(client, content):
    r = client.post("/search", content=content, headers={"Content-Type": "application/json"})
    assert_error(r, 422 if content != b"query=x" else 400)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "query.q: required field is missing"),
        ({"q": ""}, "query.q"),
        ({"q": "x", "k": "many"}, "query.k"),
        ({"q": "x", "k": 1000}, "query.k"),
        ({"q": "x", "mode": "fuzzy"}, "query.mode"),
    ],
)
def test_bad_query_strings_get_422(client, params, fragment):
    error = assert_error(client.get("/search", params=params), 422, "invalid_request")
    assert fragment in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        "\x00\x01\x02 digital",
        "\u202etxet lanoitcerid-ib\u202c",
        "\u0627\u0644\u0627\u062a\u062d\u0627\u062f \u0627\u0644\u062f\u0648\u0644\u064a",
        "e\u0301\u0301\u0301 combining",
        "\U0001f4e1\U0001f30d satellites \U0001f680",
        "<script>alert(1)</script>",
        "'; DROP TABLE passages; --",
        "../../etc/passwd",
        "a" * 2000,
    ],
)
def test_odd_queries_never_get_a_server_error(client, query):
    r = client.post("/search", json={"query": query})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert_error(r, 422)
    assert client.get("/search", params={"q": query}).status_code in (200, 422)
