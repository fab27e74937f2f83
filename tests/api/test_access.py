"""Access: read-only public endpoints, ``POST /admin/reindex`` behind a bearer token, CORS off by default."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.routes.admin as admin_module
from api.main import create_app
from api.state import IndexHolder, build_id
from rag.config import Settings, make_settings
from rag.errors import ConfigError
from rag.index.store import read_manifest
from tests.api.conftest import assert_error, rewrite_manifest
from tests.api.small_index import build_variant, hash_builder, hash_loader

TOKEN = "s3cret-admin-token-for-tests-0123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERY_ENDPOINTS = {"/search", "/ask", "/precedents"}  # POST, but they only read


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    """A fresh small index (hashing encoder) with the admin token set."""
    return build_variant(tmp_path, "a", admin_token=TOKEN)


def _admin_app(settings: Settings, builder: Any = hash_builder):  # type: ignore[no-untyped-def]
    holder = IndexHolder(settings, loader=hash_loader, check_interval=-1)
    return create_app(settings, holder=holder, reload_interval=-1, builder=builder)


def _top(client: TestClient, query: str) -> list[str]:
    r = client.post("/search", json={"query": query, "k": 3, "mode": "bm25"})
    assert r.status_code == 200, r.text
    return [x["text"] for x in r.json()["results"]]


# ------------------------------------------------------------------------------ without a token


def test_without_a_token_reindex_is_a_404_and_absent_from_openapi(client):
    assert client.app.state.settings.server.admin_token is None
    assert_error(client.post("/admin/reindex", headers=AUTH), 404, "not_found")
    schema = client.get("/openapi.json").json()
    assert not any(path.startswith("/admin") for path in schema["paths"])
    assert "securitySchemes" not in schema.get("components", {})


def test_public_endpoints_are_read_only(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert len(paths) >= 9
    for path, operations in paths.items():
        assert set(operations) <= {"get", "post"}, path
        if "post" in operations:
            assert path in QUERY_ENDPOINTS, path
    for path in (
        "/",
        "/search",
        "/documents",
        "/passages/wtdc-25-final-report/res-15/instructs/4",
        "/healthz",
        "/admin/reindex",
    ):
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(path).status_code in (404, 405), (method, path)


def test_a_short_admin_token_is_refused_at_startup(tmp_path):
    settings = make_settings(index_dir=tmp_path, admin_token="changethis")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        create_app(settings)
    with pytest.raises(ConfigError):
        create_app(make_settings(index_dir=tmp_path, admin_token="sixteen chars with spaces"))


# ------------------------------------------------------------------------------ with a token


def test_reindex_is_in_openapi_with_bearer_auth_when_the_token_is_set(small):
    with TestClient(_admin_app(small)) as client:
        schema = client.get("/openapi.json").json()
        operation = schema["paths"]["/admin/reindex"]["post"]
        assert operation["security"] == [{"HTTPBearer": []}]
        assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
        assert {"401", "403", "409", "503"} <= set(operation["responses"])
        assert TOKEN not in client.get("/openapi.json").text


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": ""}, 401, "unauthorized"),
        ({"Authorization": f"Basic {TOKEN}"}, 401, "unauthorized"),
        ({"Authorization": f"Token {TOKEN}"}, 401, "unauthorized"),
        ({"Authorization": "Bearer"}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {TOKEN[:-1]}"}, 403, "forbidden"),  # a prefix
        ({"Authorization": f"Bearer {TOKEN}x"}, 403, "forbidden"),  # longer
        ({"Authorization": f"Bearer {TOKEN.upper()}"}, 403, "forbidden"),  # case matters
        ({"Authorization": f"Bearer {TOKEN[:-1]}é".encode()}, 403, "forbidden"),  # not ASCII
    ],
)
def test_reindex_needs_the_token_as_a_bearer_token(small, headers, status, code):
    calls = []
    with TestClient(_admin_app(small, builder=lambda s, f: calls.append(f))) as client:
        r = client.post("/admin/reindex", headers=headers)
        error = assert_error(r, status, code)
        if status == 401:
            assert r.headers["www-authenticate"] == "Bearer"
        assert TOKEN not in r.text and TOKEN[:-1] not in r.text
        assert "Bearer" not in error["message"] or status == 401
    assert calls == []  # nothing was built


def test_the_token_is_compared_in_constant_time(small, monkeypatch):
    compared = []

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(admin_module.hmac, "compare_digest", spy)
    with TestClient(_admin_app(small)) as client:
        assert client.post("/admin/reindex", headers={"Authorization": "Bearer nope"}).status_code == 403
        assert client.post("/admin/reindex", headers=AUTH).status_code == 200
    assert compared == [(b"nope", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_reindex_rebuilds_a_changed_corpus_and_swaps_the_new_index_in(small):
    with TestClient(_admin_app(small)) as client:
        first = client.get("/healthz").json()["index"]["build_id"]
        assert not any("zebra" in t for t in _top(client, "zebra crossings"))
        with (small.index.corpus_dir / "plain.txt").open("a", encoding="utf-8") as fh:
            fh.write("\nZebra crossings near schools are mapped with open data.\n")

        r = client.post("/admin/reindex", headers=AUTH)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "rebuilt" and body["swapped"] is True
        assert body["previous_build_id"] == first and body["build_id"] != first
        assert body["build_id"] == build_id(read_manifest(small.index.index_dir))
        assert body["parsed"] == 1 and body["embedded"] >= 1 and body["cached"] > 0
        assert body["documents"] == 2 and body["passages"] > 0
        assert 0 < body["build_seconds"] <= body["seconds"] and body["load_seconds"] > 0
        assert client.get("/healthz").json()["index"]["build_id"] == body["build_id"]
        assert "Zebra crossings" in _top(client, "zebra crossings")[0]

        # nothing changed since: a no-op, and the served index stays
        again = client.post("/admin/reindex", headers=AUTH, json={}).json()
        assert again["status"] == "unchanged" and again["swapped"] is False
        assert again["build_id"] == again["previous_build_id"] == body["build_id"]
        assert again["embedded"] == 0 and again["load_seconds"] == 0

        # force: rebuilt from the cache (a build within the same second as the last one writes the
        # same manifest, so the build id may stay: nothing to swap then)
        forced = client.post("/admin/reindex", headers=AUTH, json={"force": True}).json()
        assert forced["status"] == "rebuilt" and forced["embedded"] == 0 and forced["cached"] > 0
        assert forced["build_id"] == build_id(read_manifest(small.index.index_dir))
        assert forced["swapped"] is (forced["build_id"] != body["build_id"])
        assert_error(client.post("/admin/reindex", headers=AUTH, json={"force": "yes please"}), 422)
        assert_error(client.post("/admin/reindex", headers=AUTH, json={"colour": 1}), 422)


def test_reindex_runs_off_the_event_loop_and_a_second_call_meanwhile_gets_409(small):
    started, release = threading.Event(), threading.Event()

    def slow_builder(settings: Settings, force: bool):  # type: ignore[no-untyped-def]
        started.set()
        assert release.wait(30)
        return hash_builder(settings, force)

    with TestClient(_admin_app(small, builder=slow_builder)) as client:
        answers: dict[str, Any] = {}
        first = threading.Thread(target=lambda: answers.update(r=client.post("/admin/reindex", headers=AUTH)))
        first.start()
        try:
            assert started.wait(10)
            # the build holds a worker thread; the loop keeps answering while it still runs (a loop
            # blocked by the build would answer only once the builder gave up, after 30 s)
            assert client.get("/healthz").status_code == 200
            assert client.post("/search", json={"query": "digital skills", "k": 2}).status_code == 200
            assert first.is_alive() and not release.is_set()
            second = client.post("/admin/reindex", headers=AUTH)
            assert_error(second, 409, "reindex_running")
            assert second.headers["retry-after"]
        finally:
            release.set()
            first.join(30)
        assert answers["r"].status_code == 200, answers["r"].text
        assert answers["r"].json()["status"] == "unchanged"
        assert client.post("/admin/reindex", headers=AUTH).status_code == 200  # free again


def test_a_reindex_whose_new_index_cannot_be_loaded_answers_503_and_the_old_one_keeps_serving(small):
    def damaging_builder(settings: Settings, force: bool):  # type: ignore[no-untyped-def]
        report = hash_builder(settings, True)
        data = bytearray((settings.index.index_dir / "dense.faiss").read_bytes())
        data[len(data) // 2] ^= 0x55  # the disk altered the new file after its checksum was taken
        (settings.index.index_dir / "dense.faiss").write_bytes(bytes(data))
        # a new build time (a rebuild within the same second as the fixture's would keep its build id,
        # and the holder would rightly not reload it)
        rewrite_manifest(settings.index.index_dir, built_at="2030-01-01T00:00:00+00:00")
        return report

    with TestClient(_admin_app(small, builder=damaging_builder)) as client:
        served = client.get("/healthz").json()["index"]["build_id"]
        before = _top(client, "satellites")
        error = assert_error(client.post("/admin/reindex", headers=AUTH), 503, "index_corrupt")
        assert "dense.faiss" in error["message"] and "rag build" in error["hint"]
        health = client.get("/healthz").json()
        assert health["index"]["build_id"] == served and "dense.faiss" in health["index"]["reload_error"]
        assert _top(client, "satellites") == before


def test_a_failing_build_answers_with_its_error_and_changes_nothing(small):
    def failing_builder(settings: Settings, force: bool):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full at /secret/place")

    with TestClient(_admin_app(small, builder=failing_builder), raise_server_exceptions=False) as client:
        served = client.get("/healthz").json()["index"]["build_id"]
        r = client.post("/admin/reindex", headers=AUTH)
        assert_error(r, 500, "internal_error")
        assert "/secret/place" not in r.text
        assert client.get("/healthz").json()["index"]["build_id"] == served
        # the lock was released: the next call runs (and fails the same way)
        assert client.post("/admin/reindex", headers=AUTH).status_code == 500


# ------------------------------------------------------------------------------------------ CORS

PREFLIGHT = {"Origin": "https://tool.example.org", "Access-Control-Request-Method": "POST"}


def test_cors_is_off_unless_origins_are_configured(client):
    assert client.app.state.settings.server.cors_origins == ()
    r = client.options("/search", headers=PREFLIGHT)
    assert "access-control-allow-origin" not in r.headers
    assert r.status_code == 405
    r = client.get("/search?q=digital", headers={"Origin": "https://tool.example.org"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_cors_answers_the_configured_origins_only(hash_index_settings, api_holder):
    settings = hash_index_settings.updated(cors_origins=("https://tool.example.org",))
    with TestClient(create_app(settings, holder=api_holder, reload_interval=-1)) as client:
        r = client.options("/search", headers={**PREFLIGHT, "Access-Control-Request-Headers": "content-type"})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "https://tool.example.org"
        assert "POST" in r.headers["access-control-allow-methods"]
        assert "*" not in r.headers["access-control-allow-origin"]
        assert "access-control-allow-credentials" not in r.headers

        r = client.options("/search", headers={**PREFLIGHT, "Origin": "https://evil.example.com"})
        assert r.status_code == 400 and "access-control-allow-origin" not in r.headers
        r = client.get("/search?q=digital", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in r.headers

        r = client.get("/search?q=digital", headers={"Origin": "https://tool.example.org"})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "https://tool.example.org"
