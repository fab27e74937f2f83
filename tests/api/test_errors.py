"""Error shape for routing errors, 413 and unexpected failures; request ids and the per-request log line."""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.api.conftest import assert_error


def test_unknown_endpoints_and_methods_get_the_error_shape(client):
    assert "/nowhere" in assert_error(client.get("/nowhere"), 404, "not_found")["message"]
    assert_error(client.delete("/search"), 405, "method_not_allowed")
    assert_error(client.put("/ask", json={}), 405, "method_not_allowed")


def test_a_declared_body_over_the_limit_gets_413_before_it_is_read(client, api_holder):
    limit = client.app.state.settings.server.max_body_bytes
    body = b'{"query": "' + b"a" * limit + b'"}'
    error = assert_error(
        client.post("/search", content=body, headers={"Content-Type": "application/json"}),
        413,
        "body_too_large",
    )
    assert str(limit) in error["message"]


def test_a_chunked_body_over_the_limit_gets_413(client):
    limit = client.app.state.settings.server.max_body_bytes

    def chunks():
        yield b'{"query": "'
        for _ in range(limit // 65536 + 2):
            yield b"a" * 65536
        yield b'"}'

    r = client.post("/search", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(r, 413, "body_too_large")
    assert client.get("/healthz").status_code == 200  # and the server keeps serving


def test_an_unexpected_failure_is_a_500_without_details_and_is_logged(client, engine, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(engine.searcher, "search", boom)
    with caplog.at_level(logging.ERROR, logger="api.middleware"):
        r = client.post("/search", json={"query": "digital skills"}, headers={"X-Request-ID": "req-500"})
    error = assert_error(r, 500, "internal_error")
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert "req-500" in error["hint"] and r.headers["x-request-id"] == "req-500"
    logged = [rec for rec in caplog.records if rec.name == "api.middleware"]
    assert logged and logged[0].exc_info and "req-500" in logged[0].getMessage()


def test_request_ids_are_echoed_when_plain_and_made_up_otherwise(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123.x_y"}).headers["x-request-id"]
        == "abc-123.x_y"
    )
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert made != "bad id\twith spaces" and len(made) == 32
    assert client.get("/healthz").headers["x-request-id"] != client.get("/healthz").headers["x-request-id"]


def test_each_request_logs_one_json_line_with_the_route_template_not_the_user_text(client, caplog):
    with caplog.at_level(logging.INFO, logger="api.access"):
        started = time.perf_counter()
        client.get("/passages/wtdc-25-final-report/res-15/instructs/4", headers={"X-Request-ID": "log-1"})
        client.get("/search", params={"q": "confidential words"}, headers={"X-Request-ID": "log-2"})
        client.get("/nowhere", headers={"X-Request-ID": "log-3"})
        window_ms = 1000 * (time.perf_counter() - started)
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "api.access"]
    assert [line["request_id"] for line in lines] == ["log-1", "log-2", "log-3"]
    assert lines[0]["route"] == "/passages/{passage_id:path}" and lines[0]["status"] == 200
    assert lines[1]["route"] == "/search" and lines[1]["method"] == "GET"
    assert lines[2]["status"] == 404
    for line in lines:
        assert set(line) == {"request_id", "method", "route", "status", "ms"}
        # milliseconds (rounded to 0.1) of the request itself: inside the time the three requests took
        assert 0 <= line["ms"] <= window_ms + 0.05 and line["ms"] == round(line["ms"], 1)
    assert "confidential" not in caplog.text


def test_the_page_and_openapi_are_served(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert client.get("/static/index.html").status_code == 200
    assert_error(client.get("/static/nothing.js"), 404)
    assert client.get("/docs").status_code == 200


ENDPOINTS = {
    ("get", "/healthz"),
    ("post", "/search"),
    ("get", "/search"),
    ("get", "/passages/{passage_id}"),
    ("get", "/documents"),
    ("get", "/documents/{doc}/outline"),
    ("post", "/precedents"),
    ("post", "/ask"),
    ("get", "/references"),
    ("get", "/passages/{passage_id}/versions"),
}


def test_openapi_documents_every_endpoint_model_and_field(client):
    spec = client.get("/openapi.json").json()
    assert {(m, p) for p, ops in spec["paths"].items() for m in ops} == ENDPOINTS
    for name, schema in spec["components"]["schemas"].items():
        assert schema.get("description"), f"model {name} has no description"
        for field, prop in schema.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field} has no description"
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary") and op.get("description"), (method, path)
            for param in op.get("parameters", []):
                assert param.get("description"), (method, path, param["name"])
            # errors are documented with the error body, never FastAPI's default validation body
            for status, answer in op["responses"].items():
                if status != "200":
                    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    request_examples = spec["components"]["schemas"]["SearchRequest"]["properties"]["query"]
    assert request_examples.get("examples")


@pytest.mark.parametrize("path", ["/healthz", "/documents"])
def test_cors_is_off_unless_origins_are_configured(client, path):
    r = client.get(path, headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in r.headers
