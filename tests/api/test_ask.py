"""POST /ask: the extractive answer with [n] citations, and the optional language model with its fallback."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from rag.answer import split_sentences
from rag.config import make_settings
from tests.api.conftest import assert_error

QUESTION = "What should BDT do about handbooks on technology transfer?"
MARKER = re.compile(r"\[(\d+)\]")


def test_the_extractive_answer_quotes_the_top_passages_with_markers_that_resolve(served):
    client = served.client
    r = client.post("/ask", json={"question": QUESTION})
    assert r.status_code == 200
    body = r.json()
    assert body["answered_by"] == "extractive" and body["notice"] is None
    assert len(body["results"]) == 5  # default k
    citations = {c["n"]: c for c in body["citations"]}
    assert sorted(citations) == list(range(1, len(citations) + 1))
    texts = {x["id"]: x["text"] for x in body["results"]}
    # every sentence is followed by a marker; every marker cites a retrieved passage holding the sentence
    pieces = MARKER.split(body["answer"])
    sentences, numbers = pieces[0::2], pieces[1::2]
    assert numbers and sentences[-1] == ""
    for sentence, n in zip(sentences, numbers, strict=False):
        cited = citations[int(n)]
        assert cited["id"] in texts
        assert sentence.strip() in texts[cited["id"]]
        assert cited["citation"] == next(x["citation"] for x in body["results"] if x["id"] == cited["id"])
    assert "handbooks" in body["answer"]
    assert "wtdc-25-final-report/res-15/instructs/4" in [c["id"] for c in body["citations"]]


def test_the_route_answers_what_the_library_assistant_answers(client, engine):
    body = client.post("/ask", json={"question": QUESTION, "k": 4}).json()
    answer = engine.assistant.ask(QUESTION, k=4)  # what `rag ask` and the harness call
    assert body["answer"] == answer.text and body["answered_by"] == answer.answered_by.value
    assert body["citations"] == [c.to_dict() for c in answer.citations]
    assert [r["id"] for r in body["results"]] == [h.passage.id for h in answer.results.hits]


def test_ask_respects_k_and_filters(client):
    body = client.post(
        "/ask", json={"question": "digital skills", "k": 3, "filters": {"doc": ["wtpf-26-sg-report"]}}
    ).json()
    assert len(body["results"]) == 3
    assert {x["doc"] for x in body["results"]} == {"wtpf-26-sg-report"}
    assert {c["id"].split("/")[0] for c in body["citations"]} == {"wtpf-26-sg-report"}


def test_a_question_nothing_matches_gets_a_plain_answer_and_no_citations(client):
    body = client.post("/ask", json={"question": '"zebra quantum marmalade"'}).json()
    assert body["results"] == [] and body["citations"] == []
    assert body["answer"].startswith("No passage")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"question": ""}, 422, "invalid_request"),
        ({"question": " \t "}, 422, "invalid_query"),
        ({"question": "x" * 2001}, 422, "invalid_request"),
        ({"question": "x", "k": 101}, 422, "invalid_request"),
        ({"question": "x", "filters": {"clause": ["ponders"]}}, 422, "invalid_value"),
        ({"query": "x"}, 422, "invalid_request"),
    ],
)
def test_bad_questions_get_4xx(client, body, status, code):
    assert_error(client.post("/ask", json=body), status, code)


def test_sentences_split_at_ends_and_semicolons_but_not_after_abbreviations():
    text = "Resolution 15 (Rev. Kigali, 2022) applies. See e.g. No. 3 of it; and also §2. Done"
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Resolution 15 (Rev. Kigali, 2022) applies.",
        "See e.g. No. 3 of it;",
        "and also §2.",
        "Done",
    ]


# --- an OpenAI-compatible endpoint, faked on the loopback ------------------------------------------


class FakeLLM:
    """A chat-completions endpoint that answers what ``reply`` says and records the requests."""

    def __init__(self) -> None:
        self.reply: str | None = "Handbooks on technology transfer are to be developed [1]."
        self.status = 200
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                fake.requests.append(json.loads(self.rfile.read(length)))
                fake.headers.append(dict(self.headers))
                body = json.dumps({"choices": [{"message": {"role": "assistant", "content": fake.reply}}]})
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode() if fake.reply is not None else b"not json")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    yield fake
    fake.close()


def _llm_client(hash_index_settings, api_holder, url: str) -> TestClient:  # type: ignore[no-untyped-def]
    settings = make_settings(
        index_dir=hash_index_settings.index.index_dir,
        llm_base_url=url,
        llm_model="fake-model",
        llm_api_key="sk-test",
    )
    return TestClient(create_app(settings, holder=api_holder))


def test_a_configured_language_model_composes_the_answer_from_the_retrieved_passages(
    hash_index_settings, api_holder, fake_llm
):
    with _llm_client(hash_index_settings, api_holder, fake_llm.url) as client:
        body = client.post("/ask", json={"question": QUESTION, "k": 3}).json()
    assert body["answered_by"] == "llm" and body["notice"] is None
    assert body["answer"] == fake_llm.reply
    assert body["citations"] == [
        {"n": 1, "id": body["results"][0]["id"], "citation": body["results"][0]["citation"]}
    ]
    sent = fake_llm.requests[0]
    assert sent["model"] == "fake-model"
    assert fake_llm.headers[0]["Authorization"] == "Bearer sk-test"
    prompt = sent["messages"][-1]["content"]
    for i, result in enumerate(body["results"], start=1):
        assert f"[{i}] {result['citation']}\n{result['text']}" in prompt
    assert QUESTION in prompt


@pytest.mark.parametrize(
    ("status", "reply", "reason"),
    [
        (500, "oops", "HTTP 500"),
        (200, "Handbooks are good.", "cited no passage"),
        (200, "Handbooks [7] are good [1].", "not given: [7]"),
        (200, None, "not a chat completion"),
    ],
)
def test_a_failing_language_model_falls_back_to_the_extractive_answer_and_says_so(
    hash_index_settings, api_holder, fake_llm, status, reply, reason
):
    fake_llm.status, fake_llm.reply = status, reply
    with _llm_client(hash_index_settings, api_holder, fake_llm.url) as client:
        body = client.post("/ask", json={"question": QUESTION, "k": 3}).json()
    assert body["answered_by"] == "extractive"
    assert reason in body["notice"]
    assert body["citations"] and MARKER.search(body["answer"])


def test_an_unreachable_language_model_falls_back(hash_index_settings, api_holder, fake_llm):
    url = fake_llm.url
    fake_llm.close()  # nothing listens there any more
    with _llm_client(hash_index_settings, api_holder, url) as client:
        body = client.post("/ask", json={"question": QUESTION, "k": 3}).json()
    assert body["answered_by"] == "extractive" and "could not be reached" in body["notice"]
