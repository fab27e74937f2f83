"""Logs: one structured line per request (id, method, route, status, latency), never secrets or user text."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.state import IndexHolder
from tests.api.small_index import build_variant, hash_builder, hash_loader

TOKEN = "very-secret-admin-token-4f9a2c71"
SECRET_QUERY = "quokka zanzibar handbooks"  # words no log line may hold
ACCESS_FIELDS = {"request_id", "method", "route", "status", "ms"}


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "api.access"]
    for line in lines:
        assert set(line) == ACCESS_FIELDS, line
        assert isinstance(line["ms"], float | int)  # its value: tests/api/test_errors.py
    return lines


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every server-side record as a handler would write it: message, arguments, traceback.

    The test's own HTTP client (httpx) logs the URLs it requests; that is the client's log.
    """
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(
        formatter.format(r) + repr(r.args) for r in caplog.records if not r.name.startswith("httpx")
    )


def test_each_request_logs_one_json_line_with_id_route_status_and_latency(client, caplog):
    with caplog.at_level(logging.DEBUG):
        r1 = client.post(
            "/search", json={"query": "technology transfer", "k": 2}, headers={"X-Request-ID": "abc-1"}
        )
        r2 = client.get("/passages/wtdc-25-final-report/res-15/instructs/4")
        r3 = client.get("/no/such/thing")
        r4 = client.post("/search", json={"query": "x", "k": 0})
    lines = _access_lines(caplog)
    assert [(x["method"], x["route"], x["status"]) for x in lines] == [
        ("POST", "/search", 200),
        ("GET", "/passages/{passage_id:path}", 200),
        ("GET", "-", 404),
        ("POST", "/search", 422),
    ]
    assert lines[0]["request_id"] == "abc-1" == r1.headers["x-request-id"]
    for line, response in zip(lines[1:], (r2, r3, r4), strict=True):
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
        assert response.headers["x-request-id"] == line["request_id"]
    assert len({x["request_id"] for x in lines}) == 4


@pytest.mark.parametrize(
    "given", ["line\nbreak", '"quoted"', "a" * 65, "spaces here", "<script>", "x; DROP TABLE"]
)
def test_a_request_id_that_is_not_plain_is_replaced(client, caplog, given):
    with caplog.at_level(logging.INFO, logger="api.access"):
        r = client.get("/healthz", headers={"X-Request-ID": given.encode()})
    (line,) = _access_lines(caplog)
    assert (
        re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) and r.headers["x-request-id"] == line["request_id"]
    )
    assert given not in caplog.text


def test_query_text_never_reaches_the_logs(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post("/search", json={"query": SECRET_QUERY})
        client.get("/search", params={"q": SECRET_QUERY, "doc": "wtdc-25-final-report"})
        client.post("/ask", json={"question": f"what about {SECRET_QUERY}?"})
        client.post("/precedents", json={"text": f"instructs the Director to study {SECRET_QUERY}"})
        client.post("/search", json={"query": SECRET_QUERY, "k": 1000})  # 422 echoes k, not the query
        client.post("/search", json={"query": SECRET_QUERY, "filters": {"doc": [SECRET_QUERY]}})
        client.get(f"/passages/{SECRET_QUERY.replace(' ', '/')}")
    assert len(_access_lines(caplog)) == 7
    logged = _everything_logged(caplog)
    for word in SECRET_QUERY.split():
        assert word not in logged


def test_the_admin_token_and_authorization_header_never_reach_the_logs(tmp_path, caplog):
    settings = build_variant(tmp_path, "a", admin_token=TOKEN)
    calls = {"n": 0}

    def builder(s, force):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the build failed")  # a traceback in the log must not carry it either
        return hash_builder(s, force)

    holder = IndexHolder(settings, loader=hash_loader, check_interval=-1)
    app = create_app(settings, holder=holder, reload_interval=-1, builder=builder)
    with caplog.at_level(logging.DEBUG), TestClient(app, raise_server_exceptions=False) as client:
        statuses = [
            client.post("/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"}).status_code,
            client.post("/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"}).status_code,
            client.post("/admin/reindex", headers={"Authorization": f"Bearer {TOKEN[::-1]}"}).status_code,
            client.post("/admin/reindex", headers={"Authorization": f"Basic {TOKEN}"}).status_code,
            client.post(
                "/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"}, json={"force": 3}
            ).status_code,
        ]
    assert statuses == [200, 500, 403, 401, 422]
    logged = _everything_logged(caplog)
    assert "the build failed" in logged  # the failure itself is logged, with its traceback
    for secret in (TOKEN, TOKEN[::-1], TOKEN[:12], "Bearer", "Basic", "Authorization", "authorization"):
        assert secret not in logged, secret
    lines = _access_lines(caplog)
    assert [(x["route"], x["status"]) for x in lines] == [("/admin/reindex", s) for s in statuses]
    assert "reindex done" in logged and "unchanged" in logged  # what the admin call did is logged


def test_settings_never_show_the_token_or_the_llm_key_in_their_repr(tmp_path):
    from rag.config import make_settings

    settings = make_settings(index_dir=tmp_path, admin_token=TOKEN, llm_api_key="sk-secret-key")
    for shown in (repr(settings), str(settings), repr(settings.updated())):
        assert TOKEN not in shown and "sk-secret-key" not in shown
    assert settings.server.admin_token == TOKEN
