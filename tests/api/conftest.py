"""API fixtures: one app over the real index built once per session (``real_index_settings``)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.state import Engine, IndexHolder
from rag.config import Settings


@pytest.fixture(scope="session")
def api_holder(real_index_settings: Settings, real_searcher) -> IndexHolder:  # type: ignore[no-untyped-def]
    """A holder with the session's real searcher loaded; it never looks for a rebuilt index."""
    engine = Engine.from_searcher(real_searcher)
    holder = IndexHolder(real_index_settings, loader=lambda _settings: engine, check_interval=-1)
    assert holder.load() is engine
    return holder


@pytest.fixture(scope="session")
def engine(api_holder: IndexHolder) -> Engine:
    assert api_holder.engine is not None
    return api_holder.engine


@pytest.fixture(scope="session")
def client(real_index_settings: Settings, api_holder: IndexHolder) -> Iterator[TestClient]:
    with TestClient(create_app(real_index_settings, holder=api_holder)) as c:
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
