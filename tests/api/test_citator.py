"""The citator over HTTP on the seed corpus's index: GET /references, cites and cited_by in
GET /passages/{id}, GET /passages/{id}/versions, and the cites search filter."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error

CITING_FIELDS = {
    "id", "doc", "source", "start", "end", "text", "kind", "citation", "label", "clause", "addressee",
    "instrument", "instrument_title", "lead_in", "path", "fragments", "highlights", "cites", "scope", "asks",
}  # fmt: skip
REFERENCE_FIELDS = {
    "key", "label", "surface", "start", "end", "kind", "revision", "pinpoint", "target", "target_citation",
}  # fmt: skip
UNGA_70_1 = "un/ga/res/70/1"


def citing_ids(body: dict) -> list[str]:
    return [p["id"] for g in body["groups"] for p in g["passages"]]


# ------------------------------------------------------------------------------------ /references


def test_the_texts_recalling_resolution_70_1_come_grouped_by_document_and_clause_role(client, engine):
    r = client.get("/references", params={"target": "Resolution 70/1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["key"] == UNGA_70_1 and body["label"] == "UNGA Resolution 70/1"
    assert body["targets"] == []  # a UN resolution: not in the corpus
    ids = citing_ids(body)
    assert body["count"] == len(ids) == len(set(ids)) >= 20
    # WTPF opinions of both forums and WTDC resolutions recall it
    assert "wtpf-26-sg-report/draft-opinion-4/recalling/a" in ids
    assert any(i.startswith("wtpf-21-sg-report/draft-opinion-") for i in ids)
    assert any(i.startswith("wtdc-25-final-report/res-") for i in ids)
    groups = [(g["doc"], g["role"]) for g in body["groups"]]
    assert len(groups) == len(set(groups))  # one group per document and role
    assert ("wtdc-25-final-report", "recalling") in groups and ("wtpf-26-sg-report", "recalling") in groups
    doc_order = [d.id for d in engine.contexts.documents]
    assert [doc_order.index(d) for d, _ in groups] == sorted(doc_order.index(d) for d, _ in groups)
    titles = {d.id: d.short_title for d in engine.contexts.documents}
    for group in body["groups"]:
        assert group["count"] == len(group["passages"]) > 0
        assert group["doc_title"] == titles[group["doc"]]
        for p in group["passages"]:
            assert set(p) == CITING_FIELDS
            assert p["doc"] == group["doc"] and (p["clause"] or p["kind"]) == group["role"]
            passage = engine.searcher.get(p["id"])
            assert (p["citation"], p["text"], p["start"], p["end"]) == (
                passage.citation,
                passage.text,
                passage.start,
                passage.end,
            )
            assert p["cites"] and {c["key"] for c in p["cites"]} == {UNGA_70_1}
            assert p["highlights"] == [[c["start"], c["end"]] for c in p["cites"]]
            for c in p["cites"]:
                assert p["text"][c["start"] : c["end"]] == c["surface"]


@pytest.mark.parametrize("written", ["UNGA 70/1", "un/ga/res/70/1", "A/RES/70/1"])
def test_any_written_form_of_the_target_finds_the_same_passages(client, written):
    base = client.get("/references", params={"target": "Resolution 70/1"}).json()
    body = client.get("/references", params={"target": written}).json()
    assert body["key"] == UNGA_70_1 and body["query"] == written
    assert citing_ids(body) == citing_ids(base)


def test_a_wtdc_resolution_of_the_corpus_is_found_by_key_with_its_title_as_target(client):
    body = client.get("/references", params={"target": "itu/wtdc/res/15"}).json()
    assert body["targets"] == ["wtdc-25-final-report/res-15/title"]
    assert "wtdc-25-final-report/res-47/recalling/d" in citing_ids(body)
    for p in (p for g in body["groups"] for p in g["passages"]):
        assert all(c["target"] == "wtdc-25-final-report/res-15/title" for c in p["cites"])


def test_addressee_adds_what_the_citing_instruments_ask_of_them(client):
    body = client.get(
        "/references", params={"target": "Resolution 70/1", "addressee": "Secretary-General"}
    ).json()
    assert body["addressee"] == "Secretary-General"
    by_id = {p["id"]: p for g in body["groups"] for p in g["passages"]}
    asks = by_id["wtpf-26-sg-report/draft-opinion-4/recalling/a"]["asks"]
    assert [a["id"] for a in asks] == [
        "wtpf-26-sg-report/draft-opinion-4/invites-secretary-general/1",
        "wtpf-26-sg-report/draft-opinion-4/invites-secretary-general/2",
    ]
    for p in by_id.values():
        for a in p["asks"]:
            assert a["instrument"] == p["instrument"]
            assert "Secretary-General" in (a["addressee"] or "") + (a["lead_in"] or "")
    # without an addressee nothing is asked
    plain = client.get("/references", params={"target": "Resolution 70/1"}).json()
    assert all(not p["asks"] for g in plain["groups"] for p in g["passages"])


def test_an_instrument_nothing_cites_answers_200_with_no_groups(client):
    r = client.get("/references", params={"target": "PP Resolution 9999"})
    assert r.status_code == 200
    body = r.json()
    assert body["key"] == "itu/pp/res/9999"
    assert body["count"] == 0 and body["groups"] == [] and body["keys"] == []


@pytest.mark.parametrize("target", ["banana", "Resolution", "70/1", "itu/nothing/here"])
def test_a_target_naming_no_instrument_is_a_422_with_a_hint_showing_forms_that_work(client, target):
    error = assert_error(client.get("/references", params={"target": target}), 422, "invalid_value")
    assert repr(target) in error["message"]
    assert "Resolution 70/1" in error["hint"]


@pytest.mark.parametrize("params", [{}, {"target": ""}, {"target": "x" * 301}])
def test_a_missing_empty_or_too_long_target_is_a_422(client, params):
    error = assert_error(client.get("/references", params=params), 422, "invalid_request")
    assert "query.target" in error["message"]


# ------------------------------------------------------------------------ /passages: cites, cited_by


def test_resolution_15_title_is_cited_by_resolution_47_recalling_d(client):
    body = client.get("/passages/wtdc-25-final-report/res-15/title").json()
    assert body["cites"] == []  # the title naming its own resolution is no reference
    by_id = {p["id"]: p for p in body["cited_by"]}
    citing = by_id["wtdc-25-final-report/res-47/recalling/d"]
    assert set(citing) == CITING_FIELDS
    assert citing["citation"].startswith("WTDC-25 Final Report, Resolution 47 (")
    assert citing["citation"].endswith(", recalling, d)")
    assert citing["scope"] == "instrument"
    [ref] = citing["cites"]
    assert ref["key"] == "itu/wtdc/res/15" and ref["surface"] == "Resolution 15 (Rev. Kigali, 2022)"
    assert ref["target"] == "wtdc-25-final-report/res-15/title"
    assert citing["text"][ref["start"] : ref["end"]] == ref["surface"]


def test_a_clause_of_a_cited_resolution_shows_who_cites_its_instrument(client):
    item = client.get("/passages/wtdc-25-final-report/res-15/instructs/4").json()
    title = client.get("/passages/wtdc-25-final-report/res-15/title").json()
    assert [p["id"] for p in item["cited_by"]] == [p["id"] for p in title["cited_by"]]
    assert all(p["scope"] == "instrument" for p in item["cited_by"])


def test_a_pinpoint_cites_the_passage_itself(client):
    # Annex 1 of Resolution 9 points at "recognizing g) of Resolution 9 (Rev. Baku, 2025)"
    body = client.get("/passages/wtdc-25-final-report/res-9/recognizing/g").json()
    by_id = {p["id"]: p for p in body["cited_by"]}
    citing = by_id["wtdc-25-final-report/res-9/annex-1/5/b"]
    assert citing["scope"] == "passage"
    assert [c["pinpoint"] for c in citing["cites"]] == ["recognizing g)"]
    assert citing["cites"][0]["target"] == "wtdc-25-final-report/res-9/recognizing/g"


def test_cites_are_spans_of_the_passage_text_with_labels_and_targets(client, engine):
    pid = "wsis-roadmaps-2025/c2/a/goals"
    body = client.get(f"/passages/{pid}").json()
    cites = body["cites"]
    assert len(cites) >= 8
    assert [c["start"] for c in cites] == sorted(c["start"] for c in cites)
    for c in cites:
        assert set(c) == REFERENCE_FIELDS
        assert body["text"][c["start"] : c["end"]] == c["surface"]
        assert c["label"] and c["key"]
        if c["target"] is not None:
            assert c["target_citation"] == engine.searcher.get(c["target"]).citation
        else:
            assert c["target_citation"] is None
    by_key = {c["key"]: c for c in cites}
    assert by_key[UNGA_70_1]["label"] == "UNGA Resolution 70/1" and by_key[UNGA_70_1]["target"] is None
    assert by_key[UNGA_70_1]["kind"] == "unga-resolution"
    # a regional initiative of the WTDC-25 report resolves into the corpus
    afr = next(c for c in cites if c["kind"] == "regional-initiative")
    assert afr["target"] and afr["target"].startswith("wtdc-25-final-report/")


def test_every_cite_of_a_resolution_recalling_others_indexes_its_text(client):
    body = client.get("/passages/wtdc-25-final-report/res-47/recalling/d").json()
    assert body["cites"][0]["target"] == "wtdc-25-final-report/res-15/title"
    assert body["cites"][0]["label"] == "WTDC Resolution 15"
    assert body["cites"][0]["revision"] == "Rev. Kigali, 2022"
    for c in body["cites"]:
        assert body["text"][c["start"] : c["end"]] == c["surface"]


# --------------------------------------------------------------------------- /passages/{id}/versions


def apply_spans(body: dict, version: dict, asked_text: str) -> None:
    """Every op's spans index its texts: a in the earlier passage, b in the later one."""
    other = version["passage"]["text"]
    earlier_text, later_text = (
        (asked_text, other) if version["earlier"] == body["passage_id"] else (other, asked_text)
    )
    for op in version["diff"]:
        if op["op"] != "insert":
            a0, a1 = op["a"]
            assert " ".join(earlier_text[a0:a1].split()) == " ".join(op["text"].split())
        else:
            assert op["a"] is None
        if op["op"] != "delete":
            b0, b1 = op["b"]
            assert later_text[b0:b1] == op["text"]
        else:
            assert op["b"] is None

    # the earlier text's words are the equal and deleted runs, the later's the equal and inserted ones
    def squeeze(text: str) -> str:
        return "".join(text.split())

    kept_a = "".join(op["text"] for op in version["diff"] if op["op"] != "insert")
    kept_b = "".join(op["text"] for op in version["diff"] if op["op"] != "delete")
    assert squeeze(kept_a) == squeeze(earlier_text) and squeeze(kept_b) == squeeze(later_text)


def test_a_wtpf_26_paragraph_has_its_first_draft_outline_version_with_a_word_diff(client, engine):
    pid = "wtpf-26-sg-report/1.5"
    r = client.get(f"/passages/{pid}/versions")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passage_id"] == pid and body["citation"] == "WTPF-26 SG Report, §1.5"
    assert body["draft_status"] is None and body["revision"] is None
    [version] = body["versions"]
    assert version["relation"] == "earlier"
    assert version["passage"]["id"] == "wtpf-26-first-draft-outline/1.5"
    assert version["passage"]["doc"] == "wtpf-26-first-draft-outline"
    assert version["earlier"] == "wtpf-26-first-draft-outline/1.5" and version["later"] == pid
    assert 0.5 <= version["similarity"] < 1 and version["unchanged"] is False
    ops = [(op["op"], op["text"]) for op in version["diff"]]
    # 004: "All information relating to WTPF-26 ..." -> 000: "More information relating to the
    # preparatory process of WTPF-26 ..."
    assert ("delete", "All") in ops and ("insert", "More") in ops
    assert ("insert", "the preparatory process of") in ops
    assert {op for op, _ in ops} == {"equal", "insert", "delete"}
    apply_spans(body, version, engine.searcher.get(pid).text)


def test_the_first_draft_paragraph_points_forward_to_the_same_diff(client, engine):
    later = client.get("/passages/wtpf-26-sg-report/1.5/versions").json()["versions"][0]
    body = client.get("/passages/wtpf-26-first-draft-outline/1.5/versions").json()
    [version] = body["versions"]
    assert version["relation"] == "later" and version["passage"]["id"] == "wtpf-26-sg-report/1.5"
    assert (version["earlier"], version["later"]) == (later["earlier"], later["later"])
    assert version["diff"] == later["diff"]  # always from the earlier text to the later one
    apply_spans(body, version, engine.searcher.get("wtpf-26-first-draft-outline/1.5").text)


def test_a_wtpf_26_opinion_clause_has_wtpf_21_counterparts_and_is_new_to_the_draft(client, engine):
    pid = "wtpf-26-sg-report/draft-opinion-4/recalling/a"
    body = client.get(f"/passages/{pid}/versions").json()
    assert body["draft_status"] == "new"  # the First Draft Outline has no opinions
    assert body["versions"]
    for version in body["versions"]:
        assert version["relation"] == "counterpart"
        assert version["passage"]["doc"] == "wtpf-21-sg-report"
        assert version["earlier"] == version["passage"]["id"] and version["later"] == pid
        apply_spans(body, version, engine.searcher.get(pid).text)
    similarities = [v["similarity"] for v in body["versions"]]
    assert similarities == sorted(similarities, reverse=True)


def test_a_passage_without_versions_gets_an_empty_list_and_its_resolution_s_revision(client):
    r = client.get("/passages/wtdc-25-final-report/res-15/instructs/4/versions")
    assert r.status_code == 200
    body = r.json()
    assert body["versions"] == [] and body["draft_status"] is None
    revision = body["revision"]
    assert revision["instrument"] == "Resolution 15 (Rev. Kigali, 2022)"
    assert revision["version"] == "Rev. Kigali, 2022" and revision["revised"] is True


def test_a_baku_revision_names_the_kigali_version_it_revises(client):
    body = client.get("/passages/wtdc-25-final-report/res-1/title/versions").json()
    revision = body["revision"]
    assert revision["instrument"] == "Resolution 1 (Rev. Baku, 2025)"
    assert revision["revises"] == "Resolution 1 (Rev. Kigali, 2022)"
    assert revision["history"][-2:] == ["Rev. Kigali, 2022", "Rev. Baku, 2025"]
    assert "revises Resolution 1 (Rev. Kigali, 2022)" in revision["description"]


@pytest.mark.parametrize(
    "path",
    [
        "/passages/wtpf-26-sg-report/99.99/versions",
        "/passages/no-such-document/versions",
        "/passages/versions",
    ],
)
def test_versions_of_an_unknown_passage_are_a_404(client, path):
    error = assert_error(client.get(path), 404, "not_found")
    assert error["hint"]


def test_the_passage_route_still_serves_ids_after_the_versions_route(client):
    # /passages/{id}/versions is registered before the /passages/{id:path} catch-all
    assert client.get("/passages/wtpf-26-sg-report/1.5").json()["id"] == "wtpf-26-sg-report/1.5"


# --------------------------------------------------------------------------------- the cites filter


def test_the_cites_filter_keeps_only_passages_citing_the_instrument(client):
    citing = set(citing_ids(client.get("/references", params={"target": "Resolution 70/1"}).json()))
    query = "sustainable development goals and broadband"
    unfiltered = client.post("/search", json={"query": query, "k": 10}).json()["results"]
    assert {x["id"] for x in unfiltered} - citing  # without the filter other passages rank
    post = client.post(
        "/search", json={"query": query, "k": 10, "filters": {"cites": ["Resolution 70/1"]}}
    ).json()["results"]
    assert post and {x["id"] for x in post} <= citing
    get = client.get("/search", params={"q": query, "k": 10, "cites": "UNGA 70/1"}).json()["results"]
    assert [x["id"] for x in get] == [x["id"] for x in post]


def test_repeated_cites_values_combine_with_or_and_with_other_filters_with_and(client):
    params = [("q", "technology transfer"), ("k", "50"), ("cites", "WTDC Resolution 15")]
    one = {x["id"] for x in client.get("/search", params=params).json()["results"]}
    both = client.get("/search", params=[*params, ("cites", "Resolution 70/1")]).json()["results"]
    assert one < {x["id"] for x in both}
    only_wtpf = client.get(
        "/search", params=[*params, ("cites", "Resolution 70/1"), ("doc", "wtpf-26-sg-report")]
    ).json()["results"]
    assert only_wtpf and all(x["doc"] == "wtpf-26-sg-report" for x in only_wtpf)


@pytest.mark.parametrize("endpoint", ["/ask", "/precedents"])
def test_ask_and_precedents_take_the_cites_filter(client, endpoint):
    citing = set(citing_ids(client.get("/references", params={"target": "Resolution 70/1"}).json()))
    field = "question" if endpoint == "/ask" else "text"
    r = client.post(
        endpoint,
        json={
            field: "recalling the 2030 Agenda for Sustainable Development",
            "filters": {"cites": ["UNGA 70/1"]},
        },
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert results and {x["id"] for x in results} <= citing


def test_a_cited_instrument_no_passage_cites_leaves_no_result(client):
    body = client.post(
        "/search", json={"query": "digital skills", "filters": {"cites": ["PP Resolution 9999"]}}
    ).json()
    assert body["results"] == []


def test_an_unrecognisable_cites_value_is_a_422_with_a_hint(client):
    error = assert_error(
        client.post("/search", json={"query": "digital skills", "filters": {"cites": ["banana"]}}),
        422,
        "invalid_value",
    )
    assert "'banana'" in error["message"] and "Resolution 70/1" in error["hint"]
    assert_error(
        client.get("/search", params={"q": "digital skills", "cites": "banana"}), 422, "invalid_value"
    )
