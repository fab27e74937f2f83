"""Bad and odd input: every client mistake is a 4xx with the error body, odd but real text is searched.

Decisions, case by case:
- not JSON, wrong types, missing or unknown fields, k outside 1-100, unknown modes and filters: 4xx;
- control characters that are not whitespace (NUL, escape, DEL, ...): 422, no text holds them;
- a query of whitespace only: 422 (empty);
- right-to-left and combining scripts, emoji, CJK, a 2000-character word, HTML and script tags,
  SQL-looking text: 200, they are text a user may search for (answered as JSON, never interpreted);
- ids with ``..`` or encoded slashes: 404, ids are looked up, never used as file paths.
After each case the service still answers ``/healthz``.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.schemas import DRAFT_MAX_CHARS, QUERY_MAX_CHARS
from tests.api.conftest import assert_error

JSON = {"Content-Type": "application/json"}
TEXT_FIELDS = [("/search", "query"), ("/ask", "question"), ("/precedents", "text")]


@pytest.fixture(autouse=True)
def still_serving(client: TestClient):  # type: ignore[no-untyped-def]
    """After every case the service still answers."""
    yield
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


# ------------------------------------------------------------------------------------- the body


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "dig',
        b'{"query": "digital"}garbage',
        b"{'query': 'digital'}",
        b'{"query": "digital",}',
        b'{query: "digital"}',
        b"\xff\xfe\x00{",
        b"\x00\x00\x00\x00",
        b'{"query": "digital" "k": 3}',
    ],
)
@pytest.mark.parametrize("path", ["/search", "/ask", "/precedents"])
def test_malformed_json_is_a_400(client, path, body):
    error = assert_error(client.post(path, content=body, headers=JSON), 400, "malformed_json")
    assert "not valid JSON" in error["message"] and error["hint"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"query": 123}, "body.query"),
        ({"query": None}, "body.query"),
        ({"query": ["digital"]}, "body.query"),
        ({"query": {"$ne": ""}}, "body.query"),
        ({"query": "digital", "k": "ten"}, "body.k"),
        ({"query": "digital", "k": 5.5}, "body.k"),
        ({"query": "digital", "k": []}, "body.k"),
        ({"query": "digital", "k": None}, "body.k"),
        ({"query": "digital", "mode": 1}, "body.mode"),
        ({"query": "digital", "mode": "semantic"}, "body.mode"),
        ({"query": "digital", "mode": "HYBRID"}, "body.mode"),
        ({"query": "digital", "filters": []}, "body.filters"),
        ({"query": "digital", "filters": "doc"}, "body.filters"),
        ({"query": "digital", "filters": None}, "body.filters"),
        ({"query": "digital", "filters": {"doc": "wtdc-25-final-report"}}, "body.filters.doc"),
        ({"query": "digital", "filters": {"doc": [1]}}, "body.filters.doc.0"),
        ({"query": "digital", "filters": {"doc": ["x"] * 51}}, "body.filters.doc"),
        ({"query": "digital", "filters": {"kind": ["x" * 301]}}, "body.filters.kind.0"),
    ],
)
def test_wrong_types_are_a_422_naming_the_field(client, body, where):
    error = assert_error(client.post("/search", json=body), 422, "invalid_request")
    assert error["message"].startswith(where), error["message"]


@pytest.mark.parametrize("body", [[], "digital", None, 42, True, [{"query": "digital"}]])
@pytest.mark.parametrize("path", ["/search", "/ask", "/precedents"])
def test_a_body_that_is_not_an_object_is_a_422(client, path, body):
    error = assert_error(client.post(path, json=body), 422, "invalid_request")
    assert error["message"].startswith("body")


@pytest.mark.parametrize(
    ("path", "body", "missing"),
    [
        ("/search", {}, "body.query"),
        ("/search", {"k": 5, "mode": "bm25"}, "body.query"),
        ("/ask", {"k": 3}, "body.question"),
        ("/precedents", {"clause": "instructs"}, "body.text"),
    ],
)
def test_missing_fields_are_a_422_naming_them(client, path, body, missing):
    error = assert_error(client.post(path, json=body), 422, "invalid_request")
    assert f"{missing}: required field is missing" in error["message"]


@pytest.mark.parametrize("path", ["/search", "/ask", "/precedents"])
def test_an_empty_body_or_another_content_type_is_a_422(client, path):
    assert_error(client.post(path, content=b"", headers=JSON), 422, "invalid_request")
    assert_error(client.post(path), 422, "invalid_request")
    r = client.post(
        path, content=b"query=digital", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert_error(r, 422, "invalid_request")


@pytest.mark.parametrize("path", ["/search", "/ask", "/precedents"])
def test_a_body_over_one_mebibyte_is_a_413(client, path):
    body = b'{"query": "' + b"a" * (1 << 20) + b'"}'
    error = assert_error(client.post(path, content=body, headers=JSON), 413, "body_too_large")
    assert str(1 << 20) in error["message"]


def test_a_chunked_body_is_cut_off_at_the_limit_with_a_413(client):
    sent = []

    def chunks():  # no Content-Length: the limit is enforced while the body streams in
        for _ in range(40):
            sent.append(1)
            yield b"a" * 65536

    r = client.post("/search", content=chunks(), headers=JSON)
    assert_error(r, 413, "body_too_large")


def test_a_body_just_under_the_limit_is_read_and_validated(client):
    body = b'{"query": "' + b"a" * ((1 << 20) - 100) + b'"}'
    error = assert_error(client.post("/search", content=body, headers=JSON), 422, "invalid_request")
    assert "body.query" in error["message"] and str(QUERY_MAX_CHARS) in error["message"]
    assert len(error["message"]) < 300  # the value is not echoed


# ------------------------------------------------------------------------------------ the query


@pytest.mark.parametrize(
    ("text", "code_point"),
    [
        ("\x00", "U+0000"),
        ("digital\x00skills", "U+0000"),
        ("\x00" * 50, "U+0000"),
        ("\x01\x02\x03", "U+0001"),
        ("red \x1b[31m alert", "U+001B"),
        ("delete\x7f", "U+007F"),
        ("bell\x07", "U+0007"),
        ("c1 \x9b control", "U+009B"),
    ],
)
@pytest.mark.parametrize(("path", "field"), TEXT_FIELDS)
def test_control_characters_are_a_422_naming_the_first(client, path, field, text, code_point):
    error = assert_error(client.post(path, json={field: text}), 422, "invalid_request")
    assert f"body.{field}: contains the control character {code_point}" in error["message"]


def test_control_characters_in_the_query_string_are_a_422(client):
    error = assert_error(client.get("/search", params={"q": "digital\x00"}), 422, "invalid_request")
    assert "query.q: contains the control character U+0000 at position 7" in error["message"]


@pytest.mark.parametrize("text", [" ", "\t\n\r", "\u3000\u00a0", "\x0b\x0c\x1c\x85"])
@pytest.mark.parametrize(("path", "field"), TEXT_FIELDS)
def test_whitespace_only_is_a_422(client, path, field, text):
    r = client.post(path, json={field: text})
    assert_error(r, 422, "invalid_query")


SEARCHABLE = {
    "arabic": "تكنولوجيا المعلومات والاتصالات من أجل التنمية",
    "hebrew": "מיומנויות דיגיטליות",
    "rtl override": "\u202edigital skills\u202c",
    "bidi isolates": "\u2067digital\u2069 \u2066skills\u2069",
    "combining": "e\u0301\u0301\u0301 cafe\u0301 na\u0308ive",
    "zalgo": "d\u0336\u0337i\u0338\u0334g\u0335i\u0336t\u0337a\u0338l",
    "emoji": "📡🛰️ satellite 👩‍💻 skills",
    "emoji only": "🔥🔥🔥",
    "cjk": "数字技能 デジタル",
    "zero width": "digi\u200btal\u200d skills\ufeff",
    "word of 2000": "a" * QUERY_MAX_CHARS,
    "cyrillic word of 2000": "ж" * QUERY_MAX_CHARS,
    "html": '<script>alert("x")</script><img src=x onerror=alert(1)> technology transfer',
    "sql": "'; DROP TABLE passages; -- OR 1=1 UNION SELECT * FROM users",
    "nosql": '{"$gt": ""} digital',
    "template": "{{7*7}} ${jndi:ldap://x/a} %s%n%x",
    "path": "../../etc/passwd",
    "lone mark": "\u0301",
    "tabs and newlines": "digital\tskills\nfor\r\nwomen",
}


@pytest.mark.parametrize("name", list(SEARCHABLE))
@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_odd_but_real_text_is_searched_and_answered_as_json(client, name, mode):
    query = SEARCHABLE[name]
    r = client.post("/search", json={"query": query, "k": 5, "mode": mode})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["mode"] == mode and len(body["results"]) <= 5
    for result in body["results"]:
        for start, end in result["highlights"]:
            assert 0 <= start < end <= len(result["text"])


@pytest.mark.parametrize("name", ["arabic", "emoji", "html", "sql", "word of 2000", "zalgo"])
def test_odd_text_is_answered_by_ask_and_precedents_too(client, name):
    text = SEARCHABLE[name]
    assert client.post("/ask", json={"question": text}).status_code == 200
    assert client.post("/precedents", json={"text": text, "k": 3}).status_code == 200
    assert client.get("/search", params={"q": text, "k": 2}).status_code == 200


def test_html_in_the_query_comes_back_as_json_text_never_as_markup(client):
    query = SEARCHABLE["html"]
    r = client.get("/search", params={"q": query})
    assert r.headers["content-type"] == "application/json"
    assert r.json()["query"] == query


def test_a_query_one_over_the_length_limit_is_a_422(client):
    for path, field in TEXT_FIELDS[:2]:
        error = assert_error(client.post(path, json={field: "a" * (QUERY_MAX_CHARS + 1)}), 422)
        assert f"at most {QUERY_MAX_CHARS} characters" in error["message"]
    assert_error(client.get("/search", params={"q": "a" * (QUERY_MAX_CHARS + 1)}), 422)
    assert client.post("/precedents", json={"text": "digital skills " * 333}).status_code == 200  # 4995
    error = assert_error(client.post("/precedents", json={"text": "a" * (DRAFT_MAX_CHARS + 1)}), 422)
    assert f"at most {DRAFT_MAX_CHARS} characters" in error["message"]


# ------------------------------------------------------------------------------------------ k


@pytest.mark.parametrize("k", [-1, 0, 101, 10**30, -(10**30), 1e400, "1e3", "", float("nan")])
def test_k_out_of_range_is_a_422(client, k):
    body: dict[str, Any] = {"query": "digital skills", "k": k}
    if isinstance(k, float) and k != k:  # NaN: json.dumps writes the non-standard token NaN
        r = client.post("/search", content=b'{"query": "digital", "k": NaN}', headers=JSON)
    elif k == 1e400:
        r = client.post("/search", content=b'{"query": "digital", "k": 1e400}', headers=JSON)
    else:
        r = client.post("/search", json=body)
    error = assert_error(r, 422, "invalid_request")
    assert error["message"].startswith("body.k")


@pytest.mark.parametrize("k", ["-5", "0", "101", "99999999999999999999999", "ten", "1.5", ""])
def test_k_out_of_range_in_the_query_string_is_a_422(client, k):
    error = assert_error(client.get("/search", params={"q": "digital", "k": k}), 422, "invalid_request")
    assert error["message"].startswith("query.k")


def test_k_at_its_bounds_is_accepted(client):
    assert len(client.post("/search", json={"query": "digital skills", "k": 1}).json()["results"]) == 1
    assert len(client.post("/search", json={"query": "digital skills", "k": 100}).json()["results"]) == 100


# ------------------------------------------------------------------------------------ filters


@pytest.mark.parametrize(
    ("filters", "listed"),
    [
        ({"doc": ["nope"]}, "wtdc-25-final-report"),
        ({"doc": ["../../etc/passwd"]}, "wtdc-25-final-report"),
        ({"clause": ["instructz"]}, "instructs"),
        ({"kind": ["chapter"]}, "clause"),
    ],
)
def test_unknown_filter_values_are_a_422_listing_the_valid_ones(client, filters, listed):
    error = assert_error(client.post("/search", json={"query": "digital", "filters": filters}), 422)
    assert error["code"] == "invalid_value" and listed in error["message"]


def test_unknown_filter_names_are_a_422_in_the_body_and_the_query_string(client):
    error = assert_error(client.post("/search", json={"query": "d", "filters": {"colour": ["red"]}}), 422)
    assert "unknown field 'colour'" in error["message"]
    error = assert_error(client.get("/search", params={"q": "digital", "clauses": "instructs"}), 422)
    assert "unknown field 'clauses'" in error["message"]
    error = assert_error(client.get("/search", params={"q": "digital", "doc": "nope"}), 422, "invalid_value")
    assert "wtdc-25-final-report" in error["message"]


def test_every_documented_query_parameter_of_get_search_is_accepted(client):
    from api.routes.search import GET_PARAMETERS

    schema = client.get("/openapi.json").json()
    documented = {p["name"] for p in schema["paths"]["/search"]["get"]["parameters"]}
    assert documented == GET_PARAMETERS


# -------------------------------------------------------------------------------- ids and paths

TRAVERSALS = [
    "/passages/..%2F..%2Fetc%2Fpasswd",
    "/passages/..%2F..%2Fmanifest.json",
    "/passages/../../manifest.json",
    "/passages/%2e%2e/%2e%2e/index/manifest.json",
    "/passages/....//....//etc/passwd",
    "/passages/wtdc-25-final-report/../../../etc/passwd",
    "/passages/%00",
    "/passages/" + "a/" * 500,
    "/documents/..%2F..%2Fmanifest.json/outline",
    "/documents/../../manifest.json/outline",
    "/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd/outline",
    "/documents/..%5C..%5Cwindows%5Cwin.ini/outline",
    "/documents/wtdc-25-final-report%00/outline",
    "/static/../rag/config.py",
    "/static/..%2F..%2Frag%2Fconfig.py",
    "/static/%2e%2e/%2e%2e/index/manifest.json",
    "/passages/wtdc-25-final-report/res-15/instructs/4/../../../../../../manifest.json",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_finds_nothing(client, path):
    r = client.get(path)
    assert_error(r, 404, "not_found")
    for leak in ("root:", '"sha256"', "passages.jsonl", "Settings(", "BaseSettings"):
        assert leak not in r.text
