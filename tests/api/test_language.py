"""The query's language over HTTP: given (``lang``) or detected, and returned by /search and /ask."""

from __future__ import annotations

import json

import pytest

FRENCH = "Quelles sont les initiatives régionales pour l'Afrique ?"
ENGLISH = "regional initiatives for Africa"


def test_search_and_ask_take_and_return_the_language(client):
    body = client.post("/search", json={"query": FRENCH, "k": 3}).json()
    assert body["lang"] == "fr" and body["results"]
    body = client.post("/search", json={"query": ENGLISH, "k": 3, "lang": "es"}).json()
    assert body["lang"] == "es"
    assert client.get("/search", params={"q": ENGLISH, "lang": "ru"}).json()["lang"] == "ru"
    answer = client.post("/ask", json={"question": FRENCH, "k": 3}).json()
    assert answer["lang"] == "fr" and answer["citations"]


@pytest.mark.parametrize("lang", ["de", "english", ""])
def test_an_unknown_language_is_a_422_naming_the_six(client, lang):
    r = client.post("/search", json={"query": ENGLISH, "lang": lang})
    assert r.status_code == 422
    assert "ar, en, es, fr, ru, zh" in json.dumps(r.json())
