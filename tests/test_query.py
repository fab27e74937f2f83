"""Query understanding: phrases and references, resolved through passage fields."""

from __future__ import annotations

import random

import pytest

from rag.query.analysis import ReferenceResolver, instrument_key, parse_query
from rag.types import DocumentMeta, Passage
from tests.conftest import DOC_IDS, _corpus, parsed_doc


@pytest.mark.parametrize(
    ("query", "instrument", "clause", "label", "kind"),
    [
        ("Resolution 17 resolves 4", ("resolution", "17"), "resolves", "4", None),
        ("Res. 15", ("resolution", "15"), None, None, None),
        ("res 15 recalling a)", ("resolution", "15"), "recalling", "a", None),
        ("Resolution 15, instructs the Director of BDT, 4", ("resolution", "15"), "instructs", "4", None),
        ("Draft Opinion 4 invites", ("opinion", "4"), "invites", None, None),
        ("Draft Opinion 5 recognising c)", ("opinion", "5"), "recognizing", "c", None),
        ("Question 1/1", ("question", "1/1"), None, None, None),
        ("Rec. ITU-D 19", ("recommendation", "19"), None, None, None),
        ("Regional initiative AFR1 expected result 13", ("initiative", "afr1"), None, "13", "result"),
        ("WSIS Action Line C5", ("line", "c5"), None, None, None),
    ],
)
def test_instrument_references_are_parsed(query, instrument, clause, label, kind):
    (ref,) = parse_query(query).references
    assert (ref.instrument, ref.clause, ref.label, ref.kind) == (instrument, clause, label, kind)


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("WTPF-26 §7.9.6", "7.9.6"),
        ("paragraph 4.10.2 on skills", "4.10.2"),
        ("what does 7.9.10 ask", "7.9.10"),
    ],
)
def test_paragraph_references_are_parsed(query, label):
    (ref,) = parse_query(query).references
    assert ref.instrument is None and ref.label == label


def test_plain_questions_have_no_references():
    assert parse_query("how are digital skills of women and girls improved in 2025?").references == ()


def test_codes_alone_are_references_only_when_the_index_knows_them():
    assert parse_query("AFR1 expected result 13").references == ()
    (ref,) = parse_query("AFR1 expected result 13", codes=["afr1"]).references
    assert ref.instrument == ("", "afr1") and ref.kind == "result" and ref.label == "13"


def test_quoted_phrases_are_taken_out_of_the_ranking_text():
    q = parse_query('digital skills "women and girls" “agreed language”')
    assert q.phrases == ("women and girls", "agreed language")
    assert q.ranking_text == "digital skills"
    assert parse_query('"women and girls"').ranking_text == "women and girls"


def test_abbreviated_instrument_types_rank_as_full_names():
    assert parse_query("Res. 15 handbooks").ranking_text == "Resolution 15 handbooks"
    assert parse_query("Rec 19").ranking_text == "Recommendation 19"


def test_rest_is_empty_for_a_bare_reference():
    assert parse_query("Res. 15").rest == ""
    assert parse_query("Res. 15 technology transfer").rest == "technology transfer"


@pytest.mark.parametrize(
    "query",
    [
        '"technology transfer" Resolution 15 handbooks',  # a quote before the reference
        'Resolution 15 "technology transfer" handbooks',
        'handbooks "technology transfer" Res. 15',
    ],
)
def test_rest_leaves_out_references_and_quotes_wherever_they_stand(query):
    assert parse_query(query).rest == "handbooks"


@pytest.mark.parametrize(
    ("instrument", "key"),
    [
        ("Resolution 15 (Rev. Kigali, 2022)", ("resolution", "15")),
        ("Draft Opinion 4", ("opinion", "4")),
        ("Recommendation ITU-D 19", ("recommendation", "19")),
        ("Question 3/1", ("question", "3/1")),
        ("Regional initiative AFR1", ("initiative", "afr1")),
        ("WSIS Action Line C5", ("line", "c5")),
        ("Baku Declaration", None),
    ],
)
def test_instrument_key(instrument, key):
    assert instrument_key(instrument) == key


def _p(pid: str, **fields) -> Passage:
    doc = pid.split("/", 1)[0]
    base = {
        "source": f"{doc}.txt",
        "start": 0,
        "end": 10,
        "text": "words here",
        "kind": "clause",
        "citation": "X",
    }
    return Passage(id=pid, doc=doc, **{**base, **fields})


DOCS = [
    DocumentMeta("forum-a", "a.txt", "Forum A report", "FORUM-A Report", "FORUM-A", "2026", "sg-report"),
    DocumentMeta("forum-b", "b.txt", "Forum B report", "FORUM-B Report", "FORUM-B", "2021", "sg-report"),
]
PASSAGES = [
    _p(
        "forum-a/op-4/title",
        kind="title",
        instrument="Draft Opinion 4",
        citation="FORUM-A Report, Draft Opinion 4",
    ),
    _p(
        "forum-a/op-4/invites/1",
        instrument="Draft Opinion 4",
        clause="invites",
        label="1",
        citation="FORUM-A Report, Draft Opinion 4, invites, 1",
    ),
    _p(
        "forum-a/op-4/invites/2",
        instrument="Draft Opinion 4",
        clause="invites",
        label="21",
        citation="FORUM-A Report, Draft Opinion 4, invites, 2",
    ),
    _p(
        "forum-b/op-4/title",
        kind="title",
        instrument="Draft Opinion 4",
        citation="FORUM-B Report, Draft Opinion 4",
    ),
    _p(
        "forum-b/op-4/invites/2",
        instrument="Draft Opinion 4",
        clause="invites",
        label="2",
        citation="FORUM-B Report, Draft Opinion 4, invites, 2",
    ),
    _p("forum-a/3.1", kind="paragraph", label="3.1", citation="FORUM-A Report, §3.1"),
]


def _resolve(query: str) -> list[str]:
    resolver = ReferenceResolver(PASSAGES, DOCS)
    parsed = resolver.parse(query)
    return [PASSAGES[r].id for ref in parsed.references for r in resolver.resolve(ref, parsed.doc_hints)]


def test_revision_marked_labels_resolve_by_their_cited_number():
    # printed "21" (1 deleted, 2 inserted) is cited as 2
    assert _resolve("FORUM-A Draft Opinion 4 invites 2") == ["forum-a/op-4/invites/2"]


def test_document_names_in_the_query_narrow_the_reference():
    assert _resolve("Draft Opinion 4 invites 2") == ["forum-a/op-4/invites/2", "forum-b/op-4/invites/2"]
    assert _resolve("FORUM-B Report Draft Opinion 4 invites 2") == ["forum-b/op-4/invites/2"]


def test_an_instrument_alone_resolves_to_its_titles():
    assert _resolve("Draft Opinion 4") == ["forum-a/op-4/title", "forum-b/op-4/title"]


def test_a_block_resolves_to_its_items_and_unknown_places_to_nothing():
    assert _resolve("FORUM-A Draft Opinion 4 invites") == ["forum-a/op-4/invites/1", "forum-a/op-4/invites/2"]
    assert _resolve("Draft Opinion 9") == []
    assert _resolve("§3.1") == ["forum-a/3.1"]


def test_every_numbered_clause_item_of_the_real_corpus_is_found_by_its_citation_words():
    """Built from the passages' own fields: holds for whatever instruments the parsers produce."""
    passages = [p for doc in DOC_IDS for p in parsed_doc(doc).passages]
    resolver = ReferenceResolver(passages, _corpus().documents)
    items = [
        p
        for p in passages
        if p.instrument
        and p.clause
        and p.label
        and instrument_key(p.instrument)
        and p.kind == "clause"
        and p.citation.rsplit(",", 1)[-1].strip().rstrip(")").isalnum()
    ]
    assert len(items) > 100
    failures = []
    for p in random.Random(0).sample(items, 150):
        short = p.instrument.split(" (")[0]
        label = p.citation.rsplit(",", 1)[-1].strip()
        doc = next(d for d in _corpus().documents if d.id == p.doc)
        query = f"{doc.short_title} {short} {p.clause} {label}"
        parsed = resolver.parse(query)
        rows = [r for ref in parsed.references for r in resolver.resolve(ref, parsed.doc_hints)]
        if p.id not in [passages[r].id for r in rows]:
            failures.append((query, p.id))
    assert failures == []


def test_title_words_that_stand_for_one_document_name_it():
    docs = [
        DocumentMeta(
            "maps", "m.txt", "Roadmaps for action lines", "Roadmaps 2025", "MAPS-25", "2025", "plain"
        ),
        DocumentMeta(
            "conf", "c.txt", "Development conference report", "Conf Report", "CONF-25", "2025", "plain"
        ),
    ]
    passages = [
        _p("maps/1", text="skills development", context="Roadmap for action line C4"),
        _p("maps/2", text="security and development", context="Roadmap for action line C5"),
        # "development" is in one title but everywhere in the texts: it names no document
        _p("conf/1", text="digital development for all", context="Conference development goals"),
        _p("conf/2", text="development of networks", context="Conference"),
        _p("conf/3", text="a plan for development", context="Conference"),
    ]
    resolver = ReferenceResolver(passages, docs)
    assert resolver.document_intent("which roadmap covers skills") == ("maps",)
    assert resolver.document_intent("digital development") == ()
    assert resolver.document_intent("what did the conference decide") == ("conf",)


NAMED = [
    _p(
        "forum-a/decl/title",
        kind="title",
        instrument="Lisbon Declaration",
        citation="FORUM-A Report, Lisbon Declaration",
    ),
    _p(
        "forum-a/decl/affirm/a",
        instrument="Lisbon Declaration",
        clause="affirms",
        label="a",
        citation="X, a)",
    ),
    _p(
        "forum-a/plan/p1",
        kind="paragraph",
        instrument="Lisbon Action Plan",
        citation="FORUM-A Report, Lisbon Action Plan",
    ),
    *PASSAGES,
]


def _named(query: str) -> tuple[list[str], str]:
    resolver = ReferenceResolver(NAMED, DOCS)
    parsed = resolver.parse(query)
    rows = [r for ref in parsed.references for r in resolver.resolve(ref, parsed.doc_hints)]
    return [NAMED[r].id for r in rows], parsed.rest


@pytest.mark.parametrize(
    "query",
    [
        "Lisbon Declaration",
        "the Declaration of Lisbon",
        "what does the declaration say",
        "LISBON  declaration",
    ],
)
def test_an_instrument_named_without_a_number_is_a_reference(query):
    rows, _ = _named(query)
    assert rows == ["forum-a/decl/title"]


def test_a_named_instrument_leaves_the_rest_of_the_query_to_rank_with():
    rows, rest = _named("what did the Lisbon Declaration affirm about skills?")
    assert rows == ["forum-a/decl/title"] and rest == "what did the affirm about skills?"


@pytest.mark.parametrize(
    "query",
    [
        "the Declaration of Principles",  # another declaration, named by what follows
        "the Geneva Declaration",
        "declaration",  # a type word alone names nothing
    ],
)
def test_other_declarations_are_not_taken_for_it(query):
    rows, _ = _named(query)
    assert rows == []


def test_the_baku_declaration_of_the_real_corpus_is_found_by_its_name():
    passages = parsed_doc("wtdc-25-final-report").passages
    resolver = ReferenceResolver(passages, _corpus().documents)
    for query in (
        "Baku Declaration",
        "the Declaration of Baku",
        "What does the Declaration say about skills?",
    ):
        parsed = resolver.parse(query)
        rows = [r for ref in parsed.references for r in resolver.instrument_rows(ref)]
        assert rows and {passages[r].instrument for r in rows} == {"Baku Declaration"}, query


def _seeds_and(*added: str) -> tuple[list[Passage], list[DocumentMeta]]:
    """The seed corpus's passages and documents, with development documents as ``rag add`` reads them."""
    from tests.conftest import more_file
    from tests.ingest.answer_keys import added as read_added

    passages = [p for doc_id in DOC_IDS for p in parsed_doc(doc_id).passages]
    docs = list(_corpus().documents)
    for name in added:
        parsed, _ = read_added(more_file(name))
        passages += parsed.passages
        docs.append(parsed.meta)
    return passages, docs


def _pinned_ids(resolver: ReferenceResolver, query: str) -> list[str]:
    parsed = resolver.parse(query)
    return [row for ref in parsed.references for row in resolver.resolve(ref, parsed.doc_hints)]


def test_a_section_number_names_the_paragraphs_of_that_section_in_the_document_named():
    passages, docs = _seeds_and()
    resolver = ReferenceResolver(passages, docs)
    # the Action Plan's §3.3 is printed as a heading over paragraphs (ids .../3.3/p1, .../3.3/p2); the
    # WTPF-26 report has a paragraph numbered 3.3 too, which a bare "3.3" would have named
    rows = _pinned_ids(resolver, "List the outputs in section 3.3 of the Baku Action Plan")
    assert [passages[r].id for r in rows] == [
        "wtpf-26-sg-report/3.3",
        "wtdc-25-final-report/action-plan/3/3.3/p1",
        "wtdc-25-final-report/action-plan/3/3.3/p2",
    ]  # the search pins the best ranked of them (the query's words are the Action Plan's)
    rows = _pinned_ids(resolver, "WTDC-25 section 3.3")
    assert rows and all("/action-plan/3/3.3/p" in passages[r].id for r in rows)
    assert [passages[r].id for r in _pinned_ids(resolver, "WTPF-26 §3.3")] == ["wtpf-26-sg-report/3.3"]


@pytest.mark.parametrize(
    "query",
    ["E.119 paragraph 7.6", "What does paragraph 7.6 of E.119 say?", "UIT-T E.119, paragraphe 7.6"],
)
def test_a_recommendation_named_by_its_number_narrows_a_paragraph_to_it(query):
    passages, docs = _seeds_and("itu-t-rec-e119-2017-fr.docx")
    resolver = ReferenceResolver(passages, docs)
    ids = [passages[r].id for r in _pinned_ids(resolver, query)]
    # the French Recommandation UIT-T E.119 has a §7.6, and so has the WTPF-26 report; the section's
    # lead-in paragraph and its list's item 1) (cited "§7.6, 1", id under the section) are both in it
    assert ids == ["recommandation-uit-t-e119/7.6/p1", "recommandation-uit-t-e119/7.6/1"], ids
    assert "wtpf-26-sg-report/7.6" in [passages[r].id for r in _pinned_ids(resolver, "paragraph 7.6")]
