"""ContextIndex: neighbours in text order, the outline parent, documents, and unknown ids with a next step."""

from __future__ import annotations

import pytest

from rag.answer import ContextIndex
from rag.errors import NotFoundError
from rag.types import DocumentMeta, OutlineNode, Passage


def _p(pid: str, start: int, **fields: object) -> Passage:
    doc = pid.split("/", 1)[0]
    return Passage(
        id=pid, doc=doc, source=f"{doc}.txt", start=start, end=start + 5, text=f"text of {pid}",
        kind="clause", citation=f"{doc.upper()}, {pid.rsplit('/', 1)[-1]}", **fields,
    )  # fmt: skip


DOCS = (
    DocumentMeta(
        id="res", file="res.txt", title="Resolution", short_title="RES", event="E", date="2025", kind="k"
    ),
    DocumentMeta(
        id="notes", file="notes.txt", title="Notes", short_title="N", event="E", date="2025", kind="k"
    ),
)
PASSAGES = (  # stored out of text order: neighbours follow the text, not the rows
    _p("res/instructs/2", 20, lead_in="instructs the Director", path=("Resolution 1", "instructs")),
    _p("res/instructs/1", 10, lead_in="instructs the Director", path=("Resolution 1", "instructs")),
    _p("res/instructs/2/a", 30, path=("Resolution 1", "instructs", "2")),
    _p("notes/p1", 0, path=("Notes", "Part A")),
)
OUTLINES = {
    "res": OutlineNode("Resolution", "document", 0, 40, children=(
        OutlineNode("instructs the Director", "block", 10, 40, children=(
            OutlineNode("1", "item", 10, 15, passage_id="res/instructs/1"),
            OutlineNode("2", "item", 20, 25, passage_id="res/instructs/2", children=(
                OutlineNode("a", "item", 30, 35, passage_id="res/instructs/2/a"),
            )),
        )),
    )),
    "notes": OutlineNode("Notes", "document", 0, 5, children=(
        OutlineNode("p1", "paragraph", 0, 5, passage_id="notes/p1"),
    )),
}  # fmt: skip


@pytest.fixture(scope="module")
def contexts() -> ContextIndex:
    return ContextIndex.build(PASSAGES, DOCS, OUTLINES, {"notes": {"paragraphs": 1}})


def test_neighbours_follow_the_text_and_stop_at_the_document_ends(contexts):
    first = contexts.of("res/instructs/1")
    assert first.previous is None and first.next is not None and first.next.id == "res/instructs/2"
    last = contexts.of("res/instructs/2/a")
    assert last.previous is not None and last.previous.id == "res/instructs/2" and last.next is None
    assert [p.id for p in contexts.document_passages("res")] == [
        "res/instructs/1", "res/instructs/2", "res/instructs/2/a",
    ]  # fmt: skip
    alone = contexts.of("notes/p1")
    assert alone.previous is None and alone.next is None  # the other document is no neighbour


def test_the_parent_is_the_outline_heading_or_the_passage_above(contexts):
    item = contexts.of("res/instructs/2").parent
    assert (item.heading, item.kind, item.passage_id) == ("instructs the Director", "block", None)
    assert item.lead_in == "instructs the Director" and item.path == ("Resolution 1", "instructs")
    sub = contexts.of("res/instructs/2/a").parent
    assert (sub.heading, sub.kind, sub.passage_id) == ("2", "item", "res/instructs/2")
    # directly under the document node: the heading comes from the passage's path
    top = contexts.of("notes/p1").parent
    assert (top.heading, top.kind) == ("Part A", "document")


def test_the_context_as_json_holds_the_passage_its_parent_and_neighbours(contexts):
    data = contexts.of("res/instructs/2").to_dict()
    assert data["passage"]["id"] == "res/instructs/2"
    assert data["previous"]["id"] == "res/instructs/1" and data["next"]["id"] == "res/instructs/2/a"
    assert data["parent"] == {
        "heading": "instructs the Director", "kind": "block", "passage_id": None,
        "lead_in": "instructs the Director", "path": ["Resolution 1", "instructs"],
    }  # fmt: skip


def test_an_unknown_id_is_the_api_error_and_not_found_names_the_next_step(contexts):
    with pytest.raises(NotFoundError) as caught:
        contexts.of("res/instructs/3")
    # the same message and hint as Searcher.get: GET /passages/{id} answers them unchanged
    assert caught.value.message == "unknown passage 'res/instructs/3'"
    assert caught.value.hint == "ids look like wtdc-25-final-report/res-15/instructs/4"
    assert contexts.not_found("res/instruct/1").hint.startswith("did you mean res/instructs/1 or ")
    assert (
        contexts.not_found("notes/zzzzzzzzzz").hint == "list the ids of notes with `rag passages --doc notes`"
    )
    assert "(res, notes); list them with `rag passages --doc DOC`" in contexts.not_found("zzz/9").hint
    assert str(contexts.not_found("zzz/9")).startswith("unknown passage 'zzz/9' (")  # no KeyError quotes


def test_documents_outlines_counts_and_structure(contexts):
    assert contexts.document("notes").title == "Notes"
    assert contexts.outline("res").children[0].kind == "block"
    assert (contexts.passage_count("res"), contexts.passage_count("nope")) == (3, 0)
    assert contexts.structure("notes") == {"paragraphs": 1} and contexts.structure("res") is None
    assert "res/instructs/1" in contexts and "res/instructs/9" not in contexts
    assert contexts.find("res/instructs/9") is None
    with pytest.raises(NotFoundError, match="known documents: res, notes"):
        contexts.outline("nope")
