"""The citator: references resolved to the corpus, references.json and versions.json in the index,
the ``cites`` filter, reference questions, and ``rag cites`` / ``rag versions``.

Most tests run on the real corpus (parsed once per session); the search and CLI tests use the seed
corpus built once per session with the hashing encoder (``hash_index_settings``), the reference
questions also the real model's index (slow); the build tests use a two-document corpus.
"""

from __future__ import annotations

import json

import pytest

from rag.citator.citator import (
    REFERENCES_FILE,
    Citation,
    Citator,
    ReferenceIndex,
    resolve_target,
)
from rag.citator.versions import VersionIndex
from rag.errors import ConfigError, IndexStaleError, NotFoundError
from rag.index import store as index_store
from rag.index.encoders import HashEncoder
from rag.index.store import VERSIONS_FILE, build_index, load_index, read_manifest
from rag.query.analysis import cited_keys, parse_query
from rag.types import SearchFilters
from rag_cli.main import main
from tests.conftest import DOC_IDS, _corpus, parsed_doc
from tests.retrieval_fixtures import make_corpus, settings_for

WTDC = "wtdc-25-final-report"
WTPF26 = "wtpf-26-sg-report"
WTPF21 = "wtpf-21-sg-report"


@pytest.fixture(scope="module")
def passages():
    return [p for doc_id in DOC_IDS for p in parsed_doc(doc_id).passages]


@pytest.fixture(scope="module")
def refs(passages) -> ReferenceIndex:
    return ReferenceIndex.build(passages, _corpus().documents)


@pytest.fixture(scope="module")
def citator(passages, refs) -> Citator:
    return Citator(passages, refs, _corpus().documents)


def _cites(refs: ReferenceIndex, passage_id: str, key: str) -> list[Citation]:
    return [c for c in refs.cites.get(passage_id, ()) if c.key == key]


# --------------------------------------------------------------------------------------------------
# What references.json holds, on known cases


def test_resolution_15_is_recalled_by_resolution_47_recalling_d_and_links_to_its_title(refs):
    (c,) = _cites(refs, f"{WTDC}/res-47/recalling/d", "itu/wtdc/res/15")
    assert c.surface == "Resolution 15 (Rev. Kigali, 2022)" and c.start == 0  # passage text: NBSP folded
    assert c.revision == "Rev. Kigali, 2022" and c.kind == "itu-resolution"
    assert c.target == f"{WTDC}/res-15/title"
    assert f"{WTDC}/res-47/recalling/d" in refs.cited_by["itu/wtdc/res/15"]


def test_unga_resolution_70_1_is_cited_by_many_passages_in_four_documents(refs):
    citing = refs.cited_by["un/ga/res/70/1"]
    assert len(citing) >= 20
    assert {pid.split("/")[0] for pid in citing} == {WTPF26, WTPF21, WTDC, "wsis-roadmaps-2025"}
    assert f"{WTPF26}/draft-opinion-4/recalling/a" in citing
    # not in the corpus: no target
    assert all(c.target is None for pid in citing for c in _cites(refs, pid, "un/ga/res/70/1"))


def test_a_wtpf_opinion_recalling_a_wtdc_resolution_links_to_the_wtdc_report(refs):
    found = {c.key: c.target for c in refs.cites[f"{WTPF26}/draft-opinion-4/recalling/e"]}
    assert found["itu/wtdc/res/11"] == f"{WTDC}/res-11/title"
    assert found["itu/wtdc/res/37"] == f"{WTDC}/res-37/title"
    assert found["itu/wrc/res/22"] is None  # a WRC resolution is not in the corpus


@pytest.mark.parametrize(
    ("citing", "key", "pinpoint", "target"),
    [
        # "... set up under resolves 2 of Resolution 9 (Rev. Baku, 2025)"
        (
            f"{WTDC}/res-9/annex-1/5/p2",
            "itu/wtdc/res/9",
            "resolves 2",
            f"{WTDC}/res-9/resolves-to-instruct/2",
        ),
        # "... referred to in recognizing g) of Resolution 9 (Rev. Baku, 2025)"
        (f"{WTDC}/res-9/annex-1/5/b", "itu/wtdc/res/9", "recognizing g)", f"{WTDC}/res-9/recognizing/g"),
        # "... described on the Template for liaison statements in Annex 4 to Resolution 1"
        (f"{WTDC}/res-1/annex-5/8", "itu/wtdc/res/1", "Annex 4", f"{WTDC}/res-1/annex-4/title"),
    ],
)
def test_a_reference_pinpointing_an_item_targets_that_item(refs, citing, key, pinpoint, target):
    (c,) = _cites(refs, citing, key)
    assert (c.pinpoint, c.target) == (pinpoint, target)


def test_a_pinpoint_into_an_instrument_outside_the_corpus_is_kept_without_target(refs):
    # "considering i) of Resolution 130 (Rev. Bucharest, 2022)": a PP resolution
    (c,) = _cites(refs, f"{WTDC}/res-69/noting/d", "itu/pp/res/130")
    assert (c.pinpoint, c.target) == ("considering i)", None)


def test_self_references_are_dropped_but_earlier_editions_are_kept(refs):
    # an instrument naming itself: its title, a Question's own number, a roadmap's own action line
    assert not _cites(refs, f"{WTDC}/q-4-1/title", "itu-d/question/4/1")
    assert not _cites(refs, f"{WTDC}/q-4-1/3/1", "itu-d/question/4/1")
    assert not _cites(refs, f"{WTDC}/afr1/title", "itu-d/ri/afr1")
    assert not _cites(refs, "wsis-roadmaps-2025/c2/f/results/7", "wsis/al/c2")  # "related to AL-C2"
    # Resolution 18 (Rev. Baku, 2025) recalls its 2014 and 2022 editions: real citations of itself
    revisions = [c.revision for c in _cites(refs, f"{WTDC}/res-18/recalling/d", "itu/wtdc/res/18")]
    assert revisions == ["Rev. Dubai, 2014", "Rev. Kigali, 2022"]


def test_a_document_part_without_instrument_field_is_a_target_too(refs):
    (plan,) = refs.instruments["itu/wtdc-25/action-plan"]
    assert plan.target == f"{WTDC}/action-plan/1/p1" and plan.name == "Part II – Baku Action Plan"
    assert len(plan.passages) >= 50  # its paragraphs, tables and footnotes
    resolved = [c for cs in refs.cites.values() for c in cs if c.key == "itu/wtdc-25/action-plan"]
    assert resolved and all(c.target == plan.target for c in resolved)
    # the Kigali Action Plan is not in the corpus
    assert all(
        c.target is None for cs in refs.cites.values() for c in cs if c.key == "itu/wtdc-22/action-plan"
    )


def test_every_citation_indexes_its_surface_and_targets_an_existing_passage(passages, refs):
    by_id = {p.id: p for p in passages}
    for pid, cites in refs.cites.items():
        text = by_id[pid].text
        for c in cites:
            assert text[c.start : c.end] == c.surface, (pid, c)
            assert c.target is None or c.target in by_id, (pid, c)


def test_cited_by_is_the_reverse_of_cites(refs):
    forward = {(pid, c.key) for pid, cs in refs.cites.items() for c in cs}
    backward = {(pid, key) for key, pids in refs.cited_by.items() for pid in pids}
    assert forward == backward


def test_counts_add_up(refs):
    counts = refs.counts()
    # measured on the corpus: about 1,800 references, 550 of them to instruments of the corpus
    assert 1700 <= counts["references"] <= 1900 and 500 <= counts["resolved"] <= 600
    assert counts["citing_passages"] == len(refs.cites) and counts["keys"] == len(refs.cited_by)


def test_reference_data_round_trips_through_json_and_checks_its_schema(refs):
    data = json.loads(json.dumps(refs.to_dict()))
    assert ReferenceIndex.from_dict(data) == refs
    with pytest.raises(IndexStaleError, match="schema 0"):
        ReferenceIndex.from_dict({**data, "schema": 0})


# --------------------------------------------------------------------------------------------------
# Citator


@pytest.mark.parametrize("target", ["Resolution 70/1", "UNGA 70/1", "A/RES/70/1", "un/ga/res/70/1"])
def test_references_accept_any_surface_form_of_the_target(citator, target):
    report = citator.references(target)
    assert report.key == "un/ga/res/70/1" and report.label == "UNGA Resolution 70/1"
    assert report.count >= 20 and report.targets == ()


def test_references_are_grouped_by_document_in_corpus_order_then_clause_role(citator):
    report = citator.references("Resolution 70/1")
    docs = [g.doc for g in report.groups]
    order = [d.id for d in _corpus().documents]
    assert docs == sorted(docs, key=order.index)
    assert len(set((g.doc, g.role) for g in report.groups)) == len(report.groups)
    first = report.groups[0]
    assert (first.doc, first.doc_title, first.role) == (WTPF26, "WTPF-26 SG Report", "recalling")
    assert [c.passage.id for c in first.passages] == [
        f"{WTPF26}/draft-opinion-4/recalling/a",
        f"{WTPF26}/draft-opinion-5/recalling/c",
    ]
    assert all(c.citations[0].key == "un/ga/res/70/1" for g in report.groups for c in g.passages)


def test_references_tell_what_the_citing_texts_ask_of_an_addressee(citator):
    # "which texts recall Resolution 70/1, and what do they ask of the Secretary-General?"
    report = citator.references("Resolution 70/1", addressee="Secretary-General")
    opinion = next(c for c in report.passages if c.passage.id == f"{WTPF26}/draft-opinion-4/recalling/a")
    assert opinion.asks and all("Secretary-General" in a.addressee for a in opinion.asks)
    assert all(a.clause == "invites" for a in opinion.asks)
    assert "asks" in opinion.to_dict()


def test_a_bare_resolution_number_finds_every_body_s_resolution(citator):
    report = citator.references("Res 15")
    assert report.key == "itu/res/15" and "itu/wtdc/res/15" in report.keys
    assert report.targets == (f"{WTDC}/res-15/title",)
    assert f"{WTDC}/res-47/recalling/d" in {c.passage.id for c in report.passages}


def test_a_target_that_names_no_instrument_is_a_config_error_with_a_hint():
    with pytest.raises(ConfigError, match=r"names no instrument.*Resolution 70/1"):
        resolve_target("the digital divide")


def test_cites_lists_a_passage_s_references_and_rejects_unknown_ids(citator):
    keys = [c.key for c in citator.cites(f"{WTPF26}/draft-opinion-4/recalling/e")]
    assert keys == ["itu/wrc/res/22", "itu/wtdc/res/11", "itu/wtdc/res/37", "itu/ra/res/74"]
    assert citator.cites(f"{WTDC}/res-15/title") == ()
    with pytest.raises(NotFoundError, match="unknown passage"):
        citator.cites(f"{WTDC}/res-999/title")


def test_cited_by_an_instrument_title_lists_the_passages_citing_the_instrument(citator):
    citing = {c.passage.id: c.scope for c in citator.cited_by(f"{WTDC}/res-15/title")}
    assert citing[f"{WTDC}/res-47/recalling/d"] == "instrument"
    # any passage of the instrument is cited with it
    assert {c.passage.id for c in citator.cited_by(f"{WTDC}/res-15/recalling/a")} == set(citing)


def test_cited_by_an_item_adds_pinpoints_on_it_and_leaves_out_pinpoints_elsewhere(citator):
    on_g = {c.passage.id: c.scope for c in citator.cited_by(f"{WTDC}/res-9/recognizing/g")}
    assert on_g[f"{WTDC}/res-9/annex-1/5/b"] == "passage"
    assert f"{WTDC}/res-9/annex-1/5/p2" not in on_g  # it pinpoints resolves 2
    on_2 = {c.passage.id: c.scope for c in citator.cited_by(f"{WTDC}/res-9/resolves-to-instruct/2")}
    assert on_2[f"{WTDC}/res-9/annex-1/5/p2"] == "passage"
    assert f"{WTDC}/res-9/annex-1/5/b" not in on_2
    assert on_2[f"{WTDC}/res-77/recalling/l"] == "instrument"


def test_citing_mask_covers_the_passages_citing_the_key_or_its_parts(passages, citator):
    mask = citator.citing_mask(["wsis/tunis-agenda"])
    citing = {passages[row].id for row in mask.nonzero()[0]}
    assert citing == set(citator.data.cited_by["wsis/tunis-agenda"])
    assert not citator.citing_mask(["un/ga/res/99/99"]).any()


# --------------------------------------------------------------------------------------------------
# Query understanding


@pytest.mark.parametrize(
    ("query", "keys", "role"),
    [
        ("Which texts recall UNGA Resolution 70/1?", ("un/ga/res/70/1",), "recalling"),
        ("WTDC-25 resolutions recalling UNGA Res 70/125", ("un/ga/res/70/125",), "recalling"),
        ("Which texts cite Article 40 of the ITU Constitution?", ("itu/cs/art/40",), None),
        ("Where is Council Decision 641 referred to?", ("itu/council/dec/641",), None),
        ("texts that build on WTDC Resolution 9", ("itu/wtdc/res/9",), None),
        ("Which WTDC texts recall Plenipotentiary Resolution 34?", ("itu/pp/res/34",), "recalling"),
        ("What does Resolution 47 recall about Res 15?", ("itu/res/15",), "recalling"),
        # the instrument is the one citing, or no citing verb: not a reference question
        ("What does Resolution 15 recall?", (), None),
        ("What is the ITU-D Smart Seas project cited in Resolution 11?", (), None),
        ("Which resolutions are recalled by Resolution 47?", (), None),
        ("Resolution 15 recalling a)", (), None),
        ("Res. 15 technology transfer handbooks", (), None),
    ],
)
def test_reference_questions_name_the_cited_instrument(query, keys, role):
    cited = cited_keys(query)
    assert (cited.keys, cited.role) == (keys, role)


def test_a_cited_instrument_is_not_a_place_to_pin():
    parsed = parse_query("Which texts refer to WTDC Resolution 11 on rural areas?")
    assert parsed.cited == ("itu/wtdc/res/11",) and parsed.references == ()
    parsed = parse_query("Which text recalls paragraph 37 of the Geneva Declaration of Principles?")
    assert parsed.cited == ("wsis/geneva-declaration",) and parsed.references == ()
    parsed = parse_query("What does Resolution 47 recall about Res 15?")
    assert [r.text for r in parsed.references] == ["Resolution 47"]


def test_reference_questions_keep_the_instrument_types_they_name():
    assert parse_query("Which WTPF draft opinions recall UNGA Resolution 70/125?").cited_types == ("opinion",)
    assert parse_query("Which texts recall UNGA Resolution 70/125?").cited_types == ()


# --------------------------------------------------------------------------------------------------
# Search: the cites filter and reference questions (the seed corpus; reference questions on both indexes)


@pytest.mark.parametrize("value", ["UNGA 70/1", "Resolution 70/1", "un/ga/res/70/1"])
def test_cites_filter_keeps_only_passages_citing_the_instrument(hash_searcher, value):
    hits = hash_searcher.search("digital transformation", k=10, filters=SearchFilters(cites=(value,))).hits
    assert len(hits) == 10
    citing = set(hash_searcher.citator.data.cited_by["un/ga/res/70/1"])
    assert all(h.passage.id in citing for h in hits)


def test_cites_filter_combines_with_other_filters(hash_searcher):
    filters = SearchFilters(cites=("Resolution 70/1",), doc=(WTPF21,))
    hits = hash_searcher.search("sustainable development", k=10, filters=filters).hits
    assert {h.passage.doc for h in hits} == {WTPF21} and len(hits) == 4


def test_cites_filter_rejects_what_names_no_instrument(hash_searcher):
    with pytest.raises(ConfigError, match="names no instrument"):
        hash_searcher.search("digital", filters=SearchFilters(cites=("nonsense",)))
    assert "un/ga/res/70/1" in hash_searcher.valid_values("cites")


def test_a_reference_question_returns_the_recalling_clauses_first(ranked_searcher):
    results = ranked_searcher.search("Which texts recall UNGA Resolution 70/1?", k=10)
    citing = set(ranked_searcher.citator.data.cited_by["un/ga/res/70/1"])
    assert all(h.passage.id in citing for h in results.hits)
    assert all(h.passage.clause == "recalling" for h in results.hits)
    assert [h.ranks["cites"] for h in results.hits] == list(range(1, 11))
    assert not any(h.pinned for h in results.hits)


def test_a_reference_question_prefers_the_instrument_types_it_names(ranked_searcher):
    hits = ranked_searcher.search("Which WTPF draft opinions recall UNGA Resolution 70/125?", k=3).hits
    assert all(h.passage.instrument.startswith("Draft Opinion") for h in hits)


def test_a_question_about_an_instrument_s_own_recitals_is_no_reference_question(ranked_searcher):
    results = ranked_searcher.search("What does Resolution 15 recall?", k=5)
    assert results.parsed.cited == ()
    assert "cites" not in results.hits[0].ranks
    assert results.hits[0].passage.instrument.startswith("Resolution 15 ")


# --------------------------------------------------------------------------------------------------
# Index files


@pytest.fixture
def small_settings(tmp_path):
    return settings_for(make_corpus(tmp_path / "corpus"), tmp_path / "index")


def test_build_writes_references_and_versions_with_checksums(small_settings):
    build_index(small_settings, encoder=HashEncoder(dim=32))
    manifest = read_manifest(small_settings.index.index_dir)
    assert {REFERENCES_FILE, VERSIONS_FILE} <= set(manifest.files)
    data = json.loads((small_settings.index.index_dir / REFERENCES_FILE).read_text(encoding="utf-8"))
    assert data["schema"] == 1 and data["counts"] == manifest.references
    # the first draft outline cites Council Decision 641 and PP Resolution 2
    assert {"itu/council/dec/641", "itu/pp/res/2"} <= set(data["cited_by"])
    index = load_index(small_settings)
    assert index.references == ReferenceIndex.from_dict(data)
    assert isinstance(index.versions, VersionIndex)


def test_rebuild_with_nothing_changed_is_still_a_no_op(small_settings):
    build_index(small_settings, encoder=HashEncoder(dim=32))
    before = read_manifest(small_settings.index.index_dir)
    report = build_index(small_settings, encoder=HashEncoder(dim=32))
    assert report.status == "unchanged" and read_manifest(small_settings.index.index_dir) == before


def test_new_citator_code_rebuilds_reusing_every_passage_and_vector(small_settings, monkeypatch):
    build_index(small_settings, encoder=HashEncoder(dim=32))
    monkeypatch.setattr(index_store, "derived_fingerprint", lambda: "changed")
    report = build_index(small_settings, encoder=HashEncoder(dim=32))
    assert report.status == "built" and report.parsed == 0 and report.embedded == 0
    assert read_manifest(small_settings.index.index_dir).params["derived"] == "changed"


def test_an_altered_references_file_is_caught_at_load(small_settings):
    build_index(small_settings, encoder=HashEncoder(dim=32))
    path = small_settings.index.index_dir / REFERENCES_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("641", "642"), encoding="utf-8")
    with pytest.raises(index_store.IndexCorruptError, match=REFERENCES_FILE):
        load_index(small_settings)


def test_an_index_without_references_file_still_gets_a_citator(small_settings):
    build_index(small_settings, encoder=HashEncoder(dim=32))
    folder = small_settings.index.index_dir
    manifest = json.loads((folder / index_store.MANIFEST_FILE).read_text(encoding="utf-8"))
    del manifest["files"][REFERENCES_FILE]
    (folder / index_store.MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    (folder / REFERENCES_FILE).unlink()
    index = load_index(small_settings)
    assert index.references is None
    assert Citator.from_index(index).data.cited_by["itu/council/dec/641"]


# --------------------------------------------------------------------------------------------------
# CLI (the seed corpus's index)


def test_cli_cites_prints_groups_with_citations_and_marked_snippets(hash_index_settings, capsys):
    index = str(hash_index_settings.index.index_dir)
    assert main(["-q", "cites", "Resolution 70/1", "--index", index]) == 0
    out = capsys.readouterr().out
    assert out.startswith("UNGA Resolution 70/1 (un/ga/res/70/1): ")
    assert "\nWTPF-26 SG Report · recalling (2)\n" in out
    assert "  WTPF-26 SG Report, Draft Opinion 4, recalling, a)\n      [Resolution 70/1] of the United" in out


def test_cli_cites_json_and_a_passage_id(hash_index_settings, capsys):
    index = str(hash_index_settings.index.index_dir)
    assert main(["-q", "cites", "WTDC Resolution 11", "--json", "--index", index]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["key"] == "itu/wtdc/res/11" and report["targets"] == [f"{WTDC}/res-11/title"]
    ids = [p["id"] for g in report["groups"] for p in g["passages"]]
    assert f"{WTPF26}/draft-opinion-4/recalling/e" in ids
    assert main(["-q", "cites", f"{WTPF26}/draft-opinion-4/recalling/e", "--index", index]) == 0
    out = capsys.readouterr().out
    assert "-> WTDC Resolution 11 (itu/wtdc/res/11) -> wtdc-25-final-report/res-11/title" in out


def test_cli_cites_of_no_instrument_fails_in_one_line(hash_index_settings, capsys):
    assert (
        main(["-q", "cites", "the digital divide", "--index", str(hash_index_settings.index.index_dir)]) == 1
    )
    err = capsys.readouterr().err
    assert err.startswith("error: 'the digital divide' names no instrument") and err.count("\n") == 1


def test_cli_versions_is_served_from_the_index(hash_index_settings, capsys, monkeypatch):
    import rag_cli.main

    def no_parsing(passage_id):
        raise AssertionError("parsed although the index has versions.json")

    monkeypatch.setattr(rag_cli.main, "_versions_from_parsing", no_parsing)
    index = str(hash_index_settings.index.index_dir)
    assert main(["-q", "versions", f"{WTPF26}/2.2", "--index", index]) == 0
    out = capsys.readouterr().out
    assert "earlier draft: wtpf-26-first-draft-outline/2.2" in out


def test_cli_versions_without_an_index_parses_the_documents(hash_index_settings, tmp_path, capsys):
    index = str(hash_index_settings.index.index_dir)
    assert main(["-q", "versions", "--json", f"{WTPF26}/2.2", "--index", index]) == 0
    from_index = json.loads(capsys.readouterr().out)
    assert main(["-q", "versions", "--json", f"{WTPF26}/2.2", "--index", str(tmp_path / "none")]) == 0
    assert json.loads(capsys.readouterr().out) == from_index
