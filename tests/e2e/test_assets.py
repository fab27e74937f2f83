"""The page and its assets as the app serves them: types, nothing from outside, no HTML from strings.

Fast: a TestClient without its lifespan (no index is loaded; static files do not need one).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.pages import STATIC_DIR
from rag.config import make_settings
from rag.types import ClauseRole

SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # an XML namespace name, never fetched


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = make_settings(index_dir=tmp_path_factory.mktemp("no-index") / "index")
    return TestClient(create_app(settings, reload_interval=-1))  # no `with`: the lifespan never runs


def assets_of(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_root_serves_the_page_with_its_script_and_styles(client: TestClient):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert set(assets_of(html)) == {
        "/static/i18n.js",
        "/static/app.js",
        "/static/app.css",
        "/static/favicon.svg",
    }
    # the page's words load before the script that uses them (both deferred: they run in document order)
    assert html.index("/static/i18n.js") < html.index("/static/app.js")
    assert '<html lang="en">' in html and 'name="viewport"' in html


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/app.js", r"(text|application)/javascript"),
        ("/static/i18n.js", r"(text|application)/javascript"),
        ("/static/app.css", r"text/css"),
        ("/static/favicon.svg", r"image/svg\+xml"),
        ("/static/index.html", r"text/html"),
    ],
)
def test_assets_are_served_with_their_content_type(client: TestClient, path: str, content_type: str):
    response = client.get(path)
    assert response.status_code == 200
    assert re.match(content_type, response.headers["content-type"]), response.headers["content-type"]
    assert response.content == (STATIC_DIR / Path(path).name).read_bytes()


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC_DIR.iterdir() if p.is_file()))
def test_no_asset_refers_to_another_server(name: str):
    """Delegates are often on closed conference networks: no CDN, no external font, no analytics."""
    text = (STATIC_DIR / name).read_text(encoding="utf-8").replace(SVG_NAMESPACE, "")
    assert not re.findall(r"https?://\S+", text)
    assert not re.findall(r"""["'(=]\s*//[\w.-]+""", text)  # protocol-relative URLs
    assert "@import" not in text and "@font-face" not in text


def test_page_forbids_scripts_and_connections_to_other_origins():
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', html)
    assert policy, "no Content-Security-Policy"
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script: an injected <script> cannot run
    assert directives["connect-src"] == "'self'"
    assert "<script>" not in html and " style=" not in html
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html)  # no inline event handlers either


def test_script_never_parses_strings_as_html():
    """API and user text reach the page only as text nodes; these sinks would parse it as markup."""
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink


def test_role_filter_lists_every_clause_role_in_order():
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    roles: list[str] = []
    for name in ("PREAMBULAR_ROLES", "OPERATIVE_ROLES", "OTHER_ROLES"):
        block = re.search(rf"const {name} = \[(.*?)\];", script, flags=re.S)
        assert block, name
        roles += re.findall(r'"([^"]+)"', block.group(1))
    assert roles == ClauseRole.values()
