"""API fixtures: one app over the seed corpus built with the hashing encoder (``hash_index_settings``),
and one over the real index built with the real model (``real_index_settings``) for the slow tests that
judge retrieval quality."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.state import Engine, IndexHolder
from rag.config import Settings
from tests.conftest import ON_BOTH_INDEXES


def _holder(settings: Settings, searcher: Any) -> IndexHolder:
    """A holder with ``searcher`` loaded; it never looks for a rebuilt index."""
    engine = Engine.from_searcher(searcher)
    holder = IndexHolder(settings, loader=lambda _settings: engine, check_interval=-1)
    assert holder.load() is engine
    return holder


@pytest.fixture(scope="session")
def api_holder(hash_index_settings: Settings, hash_searcher) -> IndexHolder:  # type: ignore[no-untyped-def]
    return _holder(hash_index_settings, hash_searcher)


@pytest.fixture(scope="session")
def engine(api_holder: IndexHolder) -> Engine:
    assert api_holder.engine is not None
    return api_holder.engine


@pytest.fixture(scope="session")
def client(hash_index_settings: Settings, api_holder: IndexHolder) -> Iterator[TestClient]:
    with TestClient(create_app(hash_index_settings, holder=api_holder)) as c:
        yield c


@pytest.fixture(scope="session")
def real_api_holder(real_index_settings: Settings, real_searcher) -> IndexHolder:  # type: ignore[no-untyped-def]
    return _holder(real_index_settings, real_searcher)


class Served(NamedTuple):
    """A test client and the engine behind it."""

    client: TestClient
    engine: Engine


@pytest.fixture(params=ON_BOTH_INDEXES)
def served(request: pytest.FixtureRequest) -> Served:
    """The app over the hashing encoder's index, then (slow) over the real model's: for tests of what a
    query finds in the real documents (``tests.conftest.ON_BOTH_INDEXES``)."""
    if request.param == "hash":
        return Served(request.getfixturevalue("client"), request.getfixturevalue("engine"))
    engine = request.getfixturevalue("real_api_holder").engine
    return Served(request.getfixturevalue("real_client"), engine)


@pytest.fixture(scope="session")
def real_client(real_index_settings: Settings, real_api_holder: IndexHolder) -> Iterator[TestClient]:
    """The app over the real index and model: for tests of retrieval quality (mark them slow)."""
    with TestClient(create_app(real_index_settings, holder=real_api_holder)) as c:
        yield c


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an error of this status with the fixed body shape; returns the error object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "hint"}, error
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in response.text
    if code is not None:
        assert error["code"] == code, error
    return error


def linked_index(source: Path, target: Path, *, copy: tuple[str, ...] = ()) -> Path:
    """A copy of the index at ``source`` made of symlinks, except the files in ``copy`` (real copies).

    Tests alter the copied files (truncate, rewrite the manifest) without touching the session index.
    """
    target.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name in copy:
            shutil.copy2(entry, target / entry.name)
        else:
            (target / entry.name).symlink_to(entry)
    return target


def rewrite_manifest(folder: Path, **changes: Any) -> None:
    """Replace the manifest atomically (as a build's folder swap would) with some fields changed."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(changes)
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    tmp.replace(folder / "manifest.json")
