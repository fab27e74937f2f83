"""POST /precedents: the original of a pasted or reworded clause first, shared wording, role first."""

from __future__ import annotations

import pytest

from rag.index.shingles import Words
from rag.query.drafts import draft_role, role_from_str
from rag.types import ClauseRole
from tests.api.conftest import assert_error

ORIGINAL = "wtdc-25-final-report/res-15/instructs/4"


def reword(text: str) -> str:
    """A drafter's light edit: one word replaced, one dropped, one added."""
    words = text.split()
    n = len(words)
    words[n // 3] = "appropriate"
    del words[(2 * n) // 3]
    words.insert(n // 2, "also")
    return " ".join(words)


def _same(result: dict, passage) -> bool:  # type: ignore[no-untyped-def]
    return result["id"] == passage.id or result["text"] == passage.text


def test_a_pasted_clause_finds_itself_first_with_all_its_words_shared(served):
    client, engine = served
    text = engine.searcher.get(ORIGINAL).text
    body = client.post("/precedents", json={"text": text, "k": 5}).json()
    first = body["results"][0]
    assert first["id"] == ORIGINAL or first["text"] == text
    assert first["wording"] == 1.0
    assert len(first["shared"]) == 1
    shared = first["shared"][0]
    assert shared["draft"] == shared["passage"] == first["highlights"][0]
    assert text[slice(*shared["draft"])] == shared["text"] == text.rstrip(";.")


def test_reworded_clauses_find_their_original_first(served):
    client, engine = served
    clauses = sorted(
        (p for p in engine.searcher.passages if p.kind == "clause" and 15 <= len(p.text.split()) <= 80),
        key=lambda p: p.id,
    )
    sample = clauses[:: len(clauses) // 25][:25]
    misses = []
    for p in sample:
        body = client.post("/precedents", json={"text": reword(p.text), "k": 3}).json()
        if not _same(body["results"][0], p):
            misses.append((p.id, [r["id"] for r in body["results"]]))
    assert not misses, misses


def test_british_spelling_in_the_draft_still_matches_the_wording(served):
    client, engine = served
    import re

    american = re.compile(r"\b(\w+)iz(ation|ations|ing|ed|e|es)\b")
    passage = next(
        p
        for p in sorted(engine.searcher.passages, key=lambda p: p.id)
        if p.kind == "clause" and len(p.text.split()) >= 15 and len(american.findall(p.text)) >= 2
    )
    draft = american.sub(r"\1is\2", passage.text)
    assert draft != passage.text
    first = client.post("/precedents", json={"text": draft, "k": 3}).json()["results"][0]
    assert _same(first, passage)
    assert first["wording"] == 1.0


def test_shared_sequences_carry_valid_spans_and_true_other_passage_counts(client, engine):
    draft = (
        "Recognizing that digital skills are needed by women and girls in developing countries, "
        "and that the digital divide must be bridged"
    )
    body = client.post("/precedents", json={"text": draft, "k": 5}).json()
    # who holds a sequence, found independently of the shingle index: a plain substring search
    joined = [" " + " ".join(Words.of(p.text).words) + " " for p in engine.searcher.passages]
    checked = 0
    for result in body["results"]:
        text = result["text"]
        assert result["highlights"] == [s["passage"] for s in result["shared"]]
        for s in result["shared"]:
            assert s["words"] >= 3
            in_draft = draft[slice(*s["draft"])]
            in_passage = text[slice(*s["passage"])]
            assert in_passage == s["text"]
            assert Words.of(in_draft).words == Words.of(in_passage).words
            needle = " " + " ".join(Words.of(in_passage).words) + " "
            holders = {engine.searcher.context.ids[row] for row, j in enumerate(joined) if needle in j}
            assert result["id"] in holders
            assert s["also_in"] == len(holders) - 1
            checked += 1
    assert checked


def test_a_draft_opening_with_a_role_ranks_that_role_first(served):
    client = served.client
    body = client.post(
        "/precedents",
        json={"text": "resolves to support digital skills programmes for women and girls", "k": 8},
    ).json()
    assert body["clause"] == "resolves" and body["clause_source"] == "detected"
    roles = [r["clause"] for r in body["results"]]
    assert roles[0] == "resolves"
    # all passages of the role come before any other
    assert roles == sorted(roles, key=lambda c: c != "resolves")


def test_a_given_clause_role_overrides_the_draft(served):
    client = served.client
    body = client.post(
        "/precedents",
        json={"text": "resolves to support digital skills programmes", "clause": "Recognising", "k": 5},
    ).json()
    assert body["clause"] == "recognizing" and body["clause_source"] == "given"
    assert body["results"][0]["clause"] == "recognizing"


def test_a_draft_without_a_role_ranks_by_closeness_only(client):
    body = client.post("/precedents", json={"text": "digital skills programmes for women and girls"}).json()
    assert body["clause"] is None and body["clause_source"] is None
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_precedent_filters_restrict_the_results(client):
    body = client.post(
        "/precedents",
        json={"text": "to continue to develop handbooks", "filters": {"doc": ["wtpf-26-sg-report"]}},
    ).json()
    assert body["results"] and {r["doc"] for r in body["results"]} == {"wtpf-26-sg-report"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "invalid_request"),
        ({"text": "!!! ... ???"}, 422, "invalid_query"),
        ({"text": "x" * 5001}, 422, "invalid_request"),
        ({"text": "digital skills", "clause": "ponders"}, 422, "invalid_value"),
        ({"text": "digital skills", "k": 0}, 422, "invalid_request"),
        ({"draft": "digital skills"}, 422, "invalid_request"),
    ],
)
def test_bad_precedent_requests_get_4xx(client, body, status, code):
    assert_error(client.post("/precedents", json=body), status, code)


@pytest.mark.parametrize(
    ("draft", "role"),
    [
        ("instructs the Director of BDT to ...", ClauseRole.INSTRUCTS),
        ("Recognising further that ...", ClauseRole.RECOGNIZING),
        ("recognizing that", ClauseRole.RECOGNIZING),
        ("2 further resolves to ...", ClauseRole.RESOLVES),
        ("a) noting with concern that", ClauseRole.NOTING),
        ("Calls upon Member States", ClauseRole.CALLS_UPON),
        ("  Emphasising the role", ClauseRole.EMPHASIZING),
        ("is of the view that", ClauseRole.IS_OF_THE_VIEW),
        ("to develop handbooks", None),
        ("the resolves clause", None),
        ("Instructional material", None),
    ],
)
def test_role_detection_reads_the_opening_words(draft, role):
    found = draft_role(draft)
    assert (found.role if found else None) is role


def test_role_names_accept_british_spellings_and_reject_unknown_ones():
    assert role_from_str("recognising") is ClauseRole.RECOGNIZING
    assert role_from_str("Calls_Upon") is ClauseRole.CALLS_UPON
    with pytest.raises(ValueError, match="choose one of: recalling"):
        role_from_str("ponders")
