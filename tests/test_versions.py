"""Versions: draft alignment (004 -> 000), counterpart opinions (WTPF-21 -> WTPF-26), revision metadata
of the WTDC-25 resolutions, word diffs, the JSON round trip and ``rag versions``.

The expected pairs were checked by reading both files side by side: ``corpus/004_...`` lines 4-73
against ``corpus/000_...`` lines 1-86 (paragraphs 1.1-2.3 and Table 1), and the annexes of
``corpus/001_...`` and ``corpus/000_...`` (draft opinions). The revision histories come from the table
"Status of all resolutions ..." of ``corpus/002_...`` (line 17498 on).
"""

from __future__ import annotations

import json

import pytest

from rag.citator.versions import (
    DiffTag,
    DocPair,
    PairKind,
    VersionIndex,
    VersionRelation,
    align_drafts,
    extract_revisions,
    similarity,
    version_pairs,
    word_diff,
)
from rag.errors import IndexStaleError, NotFoundError
from rag.types import DocumentMeta, Passage
from rag_cli.main import main
from tests.conftest import _corpus, parsed_doc

WTPF26 = "wtpf-26-sg-report"
WTPF21 = "wtpf-21-sg-report"
OUTLINE = "wtpf-26-first-draft-outline"
WTDC = "wtdc-25-final-report"

# 004 -> 000, read by hand. The paragraphs keep their numbers; five timetable rows changed their date
# (the first cell, hence their id) but not their task; "First half of 2026 ... Policy Forum" became
# "8-11 June 2026 ... in the Bahamas ...".
DRAFT_PAIRS = {
    **{n: n for n in ("1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3")},
    **{
        f"table-1/{a}": f"table-1/{b}"
        for a, b in [
            ("5-august-2024", "5-august-2024"),
            ("26-august-2024", "26-august-2024"),
            ("1st-ieg-meeting", "1st-ieg-meeting"),
            ("4-november-2024", "18-november-2024"),  # "The Second Draft ... will be posted online"
            ("20-december-2024", "13-january-2025"),  # "Deadline for receipt of comments on the Second Draft"
            ("2nd-ieg-meeting", "2nd-ieg-meeting"),
            ("31-march-2025", "31-march-2025"),
            ("16-june-2025", "16-june-2025"),
            ("3rd-ieg-meeting", "3rd-ieg-meeting"),
            ("3-november-2025", "3-november-2025"),
            ("19-december-2025", "19-december-2025"),
            ("4th-ieg-virtual-meeting", "4th-ieg-meeting"),
            ("13-april-2026", "13-april-2026"),
            ("first-half-of-2026", "8-11-june-2026"),
        ]
    },
}

# WTPF-21 -> WTPF-26 opinion items judged to be the same clause (reused or adapted), among every
# same-role pair scoring 0.3 or more that cites no different instrument. The index must find only
# pairs of this list (precision), and at least the ones in COUNTERPARTS_REQUIRED (recall floor).
COUNTERPARTS_CORRECT = {
    ("draft-opinion-1/recalling/b", "draft-opinion-4/recalling/a"),  # UNGA Resolution 70/1
    ("draft-opinion-2/recalling/a", "draft-opinion-4/recalling/a"),
    ("draft-opinion-3/recalling/a", "draft-opinion-4/recalling/a"),
    ("draft-opinion-4/recalling/a", "draft-opinion-4/recalling/a"),
    ("draft-opinion-1/recalling/b", "draft-opinion-5/recalling/c"),
    ("draft-opinion-2/recalling/a", "draft-opinion-5/recalling/c"),
    ("draft-opinion-3/recalling/a", "draft-opinion-5/recalling/c"),
    ("draft-opinion-4/recalling/a", "draft-opinion-5/recalling/c"),
    ("draft-opinion-2/recalling/b", "draft-opinion-5/recalling/a"),  # UNGA Resolution 70/125
    ("draft-opinion-4/recalling/b", "draft-opinion-5/recalling/a"),
    ("draft-opinion-3/recalling/g", "draft-opinion-5/recalling/e"),  # PP Resolution 198
    ("draft-opinion-3/recalling/h", "draft-opinion-5/recalling/f"),  # PP Resolution 205
    ("draft-opinion-4/recalling/g", "draft-opinion-5/recalling/f"),
    ("draft-opinion-1/considering/b", "draft-opinion-4/considering/e"),  # sovereign right
    ("draft-opinion-2/recognising/e", "draft-opinion-4/recognising/a"),  # private sector's leading role
    ("draft-opinion-2/recognising/g", "draft-opinion-4/recognising/b"),  # a digital divide remains
    ("draft-opinion-2/is-of-the-view/f", "draft-opinion-4/is-of-the-view/10"),  # within its mandate
    ("draft-opinion-2/is-of-the-view/g", "draft-opinion-4/is-of-the-view/14"),  # the following policies
    (
        "draft-opinion-4/invites-member-states-sector-members-other-stakeholders/2",
        "draft-opinion-4/invites-member-states-sector-members-other-stakeholders/4",
    ),  # public policies
    (
        "draft-opinion-1/invites-member-states-sector-members-other-stakeholders/9",
        "draft-opinion-5/invites-member-states-sector-members-other-stakeholders/2",
    ),  # public-private
    (
        "draft-opinion-1/invites-member-states-sector-members-other-stakeholders/5",
        "draft-opinion-5/invites-member-states-sector-members-other-stakeholders/6",
    ),  # competition, merged
    (
        "draft-opinion-1/invites-member-states-sector-members-other-stakeholders/3",
        "draft-opinion-5/invites-member-states-sector-members-other-stakeholders/6",
    ),  # PPP finance, merged
    (
        "draft-opinion-1/invites-member-states-sector-members-other-stakeholders/6",
        "draft-opinion-5/invites-member-states-sector-members-other-stakeholders/1",
    ),  # policy environments
    (
        "draft-opinion-1/invites-member-states-sector-members-other-stakeholders/7",
        "draft-opinion-5/invites-member-states-sector-members-other-stakeholders/7",
    ),  # local innovation
    (
        "draft-opinion-1/invites-member-states-sector-members-other-stakeholders/10",
        "draft-opinion-5/invites-member-states-sector-members-other-stakeholders/7",
    ),  # consult, merged
    ("draft-opinion-1/invites-member-states/4", "draft-opinion-5/invites-member-states/2"),  # investments
    ("draft-opinion-2/invites-member-states/4", "draft-opinion-4/invites-member-states/1"),  # measures
    ("draft-opinion-1/is-of-the-view/7", "draft-opinion-4/is-of-the-view/3"),  # enabling environment
    ("draft-opinion-1/invites-secretary-general", "draft-opinion-5/invites-secretary-general"),
    ("draft-opinion-2/invites-secretary-general", "draft-opinion-4/invites-secretary-general/1"),
    ("draft-opinion-4/recognising/g", "draft-opinion-4/recognising/g"),  # maximizing the potential
}
COUNTERPARTS_REQUIRED = {
    pair
    for pair in COUNTERPARTS_CORRECT
    if pair[1]
    in {"draft-opinion-4/recalling/a", "draft-opinion-5/recalling/c", "draft-opinion-5/recalling/f"}
} | {
    ("draft-opinion-2/is-of-the-view/g", "draft-opinion-4/is-of-the-view/14"),  # 0.485
    ("draft-opinion-1/considering/b", "draft-opinion-4/considering/e"),
    ("draft-opinion-2/is-of-the-view/f", "draft-opinion-4/is-of-the-view/10"),
    ("draft-opinion-2/recognising/e", "draft-opinion-4/recognising/a"),
}


def _short(pid: str) -> str:
    return pid.split("/", 1)[1]


@pytest.fixture(scope="module")
def index() -> VersionIndex:
    passages = [p for doc in (OUTLINE, WTPF26, WTPF21, WTDC) for p in parsed_doc(doc).passages]
    return VersionIndex.build(passages, _corpus().documents)


# --------------------------------------------------------------------------------------------------
# Drafts: 004 -> 000


def test_outline_paragraphs_and_timetable_rows_align_with_their_final_form(index):
    report = index.changes(OUTLINE, WTPF26)
    assert report.pair == DocPair(OUTLINE, WTPF26, PairKind.DRAFTS)
    found = {_short(p.earlier): _short(p.later) for p in report.aligned}
    # all 22 hand-checked pairs and nothing else: precision and recall 1.0 on this pair of documents
    assert found == DRAFT_PAIRS


def test_outline_title_and_next_steps_are_gone(index):
    # 000 has no title block and its section 3 is "Theme for WTPF-26", not the outline's "Next Steps"
    assert {_short(p) for p in index.changes(OUTLINE, WTPF26).gone} == {"title", "3"}


def test_final_report_paragraphs_absent_from_the_outline_are_new(index):
    new = {_short(p) for p in index.changes(OUTLINE, WTPF26).new}
    # the row of the interim deadline was inserted between two kept rows
    assert {"table-1/7-august-2025", "3.1", "3.6", "4.1", "4.1/box-1", "7.9.6"} <= new
    assert "draft-opinion-4/recalling/a" in new
    assert not new & set(DRAFT_PAIRS.values())
    assert len(new) == len(parsed_doc(WTPF26).passages) - len(DRAFT_PAIRS)


def test_changes_accepts_the_documents_in_either_order(index):
    assert index.changes(WTPF26, OUTLINE) is index.changes(OUTLINE, WTPF26)


def test_changes_of_documents_never_aligned_raise_not_found(index):
    with pytest.raises(
        NotFoundError, match="aligned pairs: .*wtpf-26-first-draft-outline -> wtpf-26-sg-report"
    ):
        index.changes(WTDC, WTPF26)


def test_unchanged_paragraph_is_identical_and_its_diff_all_equal(index):
    (link,) = index.versions_of(f"{WTPF26}/1.1")
    assert (link.passage_id, link.relation, link.similarity) == (
        f"{OUTLINE}/1.1",
        VersionRelation.EARLIER,
        1.0,
    )
    assert link.diff.unchanged and {op.tag for op in link.diff.ops} == {DiffTag.EQUAL}
    pair = next(p for p in index.changes(OUTLINE, WTPF26).aligned if p.later == f"{WTPF26}/1.1")
    assert pair.identical


def test_reworded_paragraph_shows_its_inserted_and_deleted_words(index):
    # 004 §2.2: "Decision 641 (C24) ... The first meeting of the IEG will be held on 7-8 October 2024."
    # 000 §2.2: "Decision 641 (Council 2024) ..." and the last sentence dropped
    (link,) = index.versions_of(f"{WTPF26}/2.2")
    assert link.relation is VersionRelation.EARLIER and link.doc == OUTLINE
    assert link.diff.deleted() == ["C24", "The first meeting of the IEG will be held on 7-8 October 2024."]
    assert link.diff.inserted() == ["Council 2024"]
    assert "Decision 641 ([-C24-][+Council 2024+]), the ITU Secretary-General" in link.diff.render()


def test_brackets_replaced_by_words_diff_as_punctuation(index):
    # 004 §1.2 "... common viewpoints (Resolution 2 (Rev. Bucharest, 2022))."
    # 000 §1.2 "... common viewpoints as per Resolution 2 (Rev. Bucharest, 2022)."
    (link,) = index.versions_of(f"{OUTLINE}/1.2")
    assert link.relation is VersionRelation.LATER and link.passage_id == f"{WTPF26}/1.2"
    assert link.diff.inserted() == ["as per"]
    assert link.diff.deleted() == ["(", ")"]
    tail = "viewpoints [-(-] [+as per+] Resolution 2 (Rev. Bucharest, 2022)[-)-]."
    assert link.diff.render().endswith(tail)


def test_renumbered_timetable_row_links_to_its_new_date(index):
    (link,) = index.versions_of(f"{OUTLINE}/table-1/4-november-2024")
    assert link.passage_id == f"{WTPF26}/table-1/18-november-2024"
    assert link.diff.deleted() == ["4"] and link.diff.inserted() == ["18"]


def test_passage_without_versions_has_no_links(index):
    assert index.versions_of(f"{WTPF26}/3.1") == []
    assert index.versions_of(f"{WTDC}/res-15/title") == []
    assert index.versions_of("no-such-doc/1") == []


# --------------------------------------------------------------------------------------------------
# Counterparts: WTPF-21 -> WTPF-26 opinions


def test_unga_70_1_recalling_items_are_counterparts(index):
    links = index.versions_of(f"{WTPF26}/draft-opinion-4/recalling/a")
    assert {link.relation for link in links} == {VersionRelation.COUNTERPART}
    assert {_short(link.passage_id) for link in links} == {
        "draft-opinion-1/recalling/b",
        "draft-opinion-2/recalling/a",
        "draft-opinion-3/recalling/a",
        "draft-opinion-4/recalling/a",
    }
    best = links[0]  # same text in WTPF-21 Opinion 2: similarity 1.0, best first
    assert best.passage_id == f"{WTPF21}/draft-opinion-2/recalling/a" and best.diff.unchanged


def test_counterpart_links_are_symmetric(index):
    links = index.versions_of(f"{WTPF21}/draft-opinion-2/recalling/a")
    assert f"{WTPF26}/draft-opinion-4/recalling/a" in {link.passage_id for link in links}


def test_counterparts_found_are_all_hand_checked(index):
    report = index.changes(WTPF21, WTPF26)
    found = {(_short(p.earlier), _short(p.later)) for p in report.aligned}
    assert found <= COUNTERPARTS_CORRECT  # precision 1.0 on the hand-checked candidates
    assert COUNTERPARTS_REQUIRED <= found
    for pair in report.aligned:  # clause roles agree
        earlier = next(p for p in parsed_doc(WTPF21).passages if p.id == pair.earlier)
        later = next(p for p in parsed_doc(WTPF26).passages if p.id == pair.later)
        assert earlier.clause == later.clause


def test_items_citing_different_instruments_are_no_counterparts(index):
    # "Resolution 76/3 of the United Nations General Assembly (UNGA) on the “Space2030” Agenda ..."
    # shares 0.63 of its words with the WTPF-21 items recalling Resolution 70/1
    assert index.versions_of(f"{WTPF26}/draft-opinion-4/recalling/b") == []


def test_most_opinion_items_have_no_counterpart(index):
    report = index.changes(WTPF26, WTPF21)
    assert report.pair.kind is PairKind.COUNTERPARTS and report.pair.earlier == WTPF21
    later_with = {p.later for p in report.aligned}
    clauses = [p for p in parsed_doc(WTPF26).passages if p.clause and p.instrument]
    assert len(later_with) + len(report.new) == len(clauses)
    assert len(later_with) < len(clauses) / 4


# --------------------------------------------------------------------------------------------------
# Revision metadata of the WTDC-25 resolutions


def test_baku_revision_revises_the_kigali_text(index):
    rev = index.revision("Resolution 1 (Rev. Baku, 2025)")
    assert rev is not None and rev.doc == WTDC
    assert (rev.place, rev.year, rev.revised) == ("Baku", 2025, True)
    assert rev.revises == "Resolution 1 (Rev. Kigali, 2022)"
    assert rev.first_approved == "Doha, 2006" and rev.status == "In force"
    assert rev.history[-2:] == ("Rev. Kigali, 2022", "Rev. Baku, 2025")
    assert rev.title_passage == f"{WTDC}/res-1/title"
    assert rev.source == f"{WTDC}/status-of-all-resolutions/resolutions/1-doha-2006"


def test_kigali_text_kept_at_baku_records_its_last_revision(index):
    rev = index.revision("Resolution 15 (Rev. Kigali, 2022)")
    assert (rev.version, rev.place, rev.year) == ("Rev. Kigali, 2022", "Kigali", 2022)
    assert rev.revises == "Resolution 15 (Rev. Buenos Aires, 2017)"  # Dubai 2014 is not in its history


@pytest.mark.parametrize(
    ("instrument", "revises"),
    [
        ("Resolution 10 (Rev. Baku, 2025)", "Resolution 10 (Rev. Hyderabad, 2010)"),  # skipped 2014-2022
        ("Resolution 83 (Rev. Baku, 2025)", "Resolution 83 (Buenos Aires, 2017)"),  # first revision
        ("Resolution 90 (Rev. Baku, 2025)", "Resolution 90 (Kigali, 2022)"),
        ("Resolution 91 (Baku, 2025)", None),  # new at Baku
        ("Resolution 51 (Rev. Kigali, 2022)", "Resolution 51 (Rev. Hyderabad, 2010)"),  # "2010, Rev."
    ],
)
def test_what_a_version_revises_comes_from_the_status_table(index, instrument, revises):
    assert index.revision(instrument).revises == revises


def test_every_baku_revision_has_its_previous_version(index):
    baku = [r for r in index.revisions if r.version == "Rev. Baku, 2025"]
    assert len(baku) >= 40
    assert all(r.revises and r.source for r in baku), [r.instrument for r in baku if not r.revises]


def test_abrogated_resolution_keeps_its_status(index):
    rev = index.revision("Resolution 53 (Rev. Dubai, 2014)")
    assert rev.status == "Abrogated" and rev.history[-1] == "Abr. Baku, 2025"


def test_without_a_status_table_nothing_is_invented():
    p = Passage(
        id="d/res-7/title",
        doc="d",
        source="d.txt",
        start=0,
        end=5,
        text="Title",
        kind="title",
        citation="D, Resolution 7 (Rev. Kigali, 2022)",
        instrument="Resolution 7 (Rev.\u00a0Kigali, 2022)",
    )
    (rev,) = extract_revisions([p])
    assert (rev.instrument, rev.version, rev.revised) == (
        "Resolution 7 (Rev. Kigali, 2022)",
        "Rev. Kigali, 2022",
        True,
    )
    assert rev.revises is None and rev.history == () and rev.status is None


# --------------------------------------------------------------------------------------------------
# Storage


def test_index_round_trips_through_json(index):
    data = json.loads(json.dumps(index.to_dict(), ensure_ascii=False))
    again = VersionIndex.from_dict(data)
    assert again == index
    assert again.versions_of(f"{WTPF26}/2.2") == index.versions_of(f"{WTPF26}/2.2")


def test_index_of_another_schema_is_refused(index):
    with pytest.raises(IndexStaleError, match="schema 0"):
        VersionIndex.from_dict({**index.to_dict(), "schema": 0})


def test_pairs_come_from_the_corpus_metadata():
    pairs = set(version_pairs(_corpus().documents))
    assert DocPair(OUTLINE, WTPF26, PairKind.DRAFTS) in pairs
    assert DocPair(WTPF21, WTPF26, PairKind.COUNTERPARTS) in pairs
    assert not any(WTDC in (p.earlier, p.later) for p in pairs)


# --------------------------------------------------------------------------------------------------
# Snippets: alignment and diff edge cases


def _p(doc: str, label: str, text: str, kind: str = "paragraph") -> Passage:
    return Passage(
        id=f"{doc}/{label}",
        doc=doc,
        source="x",
        start=0,
        end=1,
        text=text,
        kind=kind,
        citation=label,
        label=label,
    )


def test_renumbered_paragraphs_align_by_text_not_by_number():
    earlier = [
        _p("a", "1", "The forum was established in 1994 by the conference."),
        _p("a", "2", "Member States shall consider the report and its opinions."),
        _p("a", "3", "Discussions are based on a single report by the Secretary-General."),
    ]
    later = [
        _p("b", "1", "The forum was established in 1994 by the Plenipotentiary Conference."),
        _p("b", "2", "Quantum computing and space technologies reshape the digital economy."),
        _p("b", "3", "Member States shall consider the report and its draft opinions."),
        _p("b", "4", "Discussions are based solely on a single report by the Secretary-General."),
    ]
    report = align_drafts(earlier, later)
    assert [(p.earlier, p.later) for p in report.aligned] == [("a/1", "b/1"), ("a/2", "b/3"), ("a/3", "b/4")]
    assert report.new == ("b/2",) and report.gone == ()


def test_dissimilar_paragraph_with_the_same_number_is_not_aligned():
    earlier = [_p("a", "1", "Next steps: the report will present the opinions in its annex.")]
    later = [_p("b", "1", "Green digital transformation requires reliable energy data.")]
    report = align_drafts(earlier, later)
    assert report.aligned == () and report.gone == ("a/1",) and report.new == ("b/1",)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("", "", []),
        ("", "new words", [("insert", "new words")]),
        ("old words", "", [("delete", "old words")]),
        ("same text.", "same text.", [("equal", "same text.")]),
        # NBSP and line breaks are whitespace, not words
        ("Resolution\u00a064 of\nthe", "Resolution 64 of the", [("equal", "Resolution 64 of the")]),
        # punctuation is its own token: "2022)." -> "2022." deletes only ")"
        (
            "(Rev. Dubai, 2022).",
            "(Rev. Dubai, 2022.",
            [("equal", "(Rev. Dubai, 2022"), ("delete", ")"), ("equal", ".")],
        ),
        # case is a change
        ("the Forum", "the forum", [("equal", "the"), ("delete", "Forum"), ("insert", "forum")]),
        # inner apostrophes keep a word whole
        (
            "the ITU's role",
            "the ITU role",
            [("equal", "the"), ("delete", "ITU's"), ("insert", "ITU"), ("equal", "role")],
        ),
    ],
)
def test_word_diff_ops(a, b, expected):
    diff = word_diff(a, b)
    assert [(op.tag.value, op.text) for op in diff.ops] == expected
    for op in diff.ops:  # spans index the texts
        side, start, end = (
            (diff.a, op.a_start, op.a_end) if op.tag is DiffTag.DELETE else (diff.b, op.b_start, op.b_end)
        )
        assert side[start:end] == op.text


@pytest.mark.parametrize(
    ("a", "b", "rendered"),
    [
        ("", "", ""),
        ("the old text", "the new text", "the [-old-] [+new+] text"),
        ("x, y", "x y", "x[-,-] y"),
        ("UNGA Resolution 70/1", "Resolution 70/1 of the UNGA", "[-UNGA-] Resolution 70/1 [+of the UNGA+]"),
    ],
)
def test_render_marks_inserted_and_deleted_words(a, b, rendered):
    assert word_diff(a, b).render() == rendered


def test_word_diff_round_trips_through_json():
    diff = word_diff("Decision 641 (C24)", "Decision 641 (Council 2024)")
    assert type(diff).from_dict(json.loads(json.dumps(diff.to_dict()))) == diff


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("", "", 1.0),
        ("", "words", 0.0),
        ("The purpose, of WTPF.", "the purpose of wtpf", 1.0),  # case and punctuation ignored
        ("a b c d", "a b x y", 0.5),  # 2 * 2 matches / (4 + 4)
    ],
)
def test_similarity(a, b, expected):
    assert similarity(a, b) == pytest.approx(expected)


def test_counterpart_pairs_need_documents_of_the_same_kind():
    meta = [
        DocumentMeta("x-21", "x.txt", "X 21", "X 21", "X-21", "2021", "sg-report"),
        DocumentMeta("x-26", "y.txt", "X 26", "X 26", "X-26", "2026", "sg-report"),
        DocumentMeta("x-26-draft", "z.txt", "X 26 draft", "X 26 draft", "X-26", "2024-08-05", "sg-report"),
        DocumentMeta("w", "w.txt", "W", "W", "X-26", "2025", "conference-final-report"),
    ]
    assert set(version_pairs(meta)) == {
        DocPair("x-21", "x-26", PairKind.COUNTERPARTS),
        DocPair("x-21", "x-26-draft", PairKind.COUNTERPARTS),
        DocPair("x-26-draft", "x-26", PairKind.DRAFTS),
    }


# --------------------------------------------------------------------------------------------------
# CLI


def test_cli_versions_prints_the_aligned_passage_and_diff(capsys):
    assert main(["-q", "versions", f"{WTPF26}/2.2"]) == 0
    out = capsys.readouterr().out
    assert f"earlier draft: {OUTLINE}/2.2" in out
    assert "[-C24-][+Council 2024+]" in out


def test_cli_versions_prints_revision_metadata(capsys):
    assert main(["-q", "versions", f"{WTDC}/res-1/title"]) == 0
    out = capsys.readouterr().out
    assert "revises Resolution 1 (Rev. Kigali, 2022)" in out
    assert "no other version" in out


def test_cli_versions_json(capsys):
    assert main(["-q", "versions", "--json", f"{WTPF26}/draft-opinion-4/recalling/a"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {v["relation"] for v in data["versions"]} == {"counterpart"}
    assert len(data["versions"]) == 4


def test_cli_versions_of_unknown_passage_fails_with_a_hint(capsys):
    assert main(["-q", "versions", f"{WTPF26}/99.99"]) == 1
    assert "rag passages --doc wtpf-26-sg-report" in capsys.readouterr().err


def test_an_added_edition_of_a_resolution_is_aligned_with_the_seed_edition():
    """A WTDC-22 report added with `rag add` holds Resolution 15 (Rev. Kigali, 2022); the WTDC-25 report
    holds its Baku revision: one key (itu/wtdc/res/15), so their items are versions of each other."""
    from rag.citator.versions import PairKind, VersionIndex
    from rag.parse import parse_document
    from rag.types import DocumentMeta
    from tests.conftest import parsed_doc

    seed = parsed_doc("wtdc-25-final-report")
    res15 = [p for p in seed.passages if p.instrument and p.instrument.startswith("Resolution 15 ")]
    instructs = next(p for p in res15 if p.id.endswith("/instructs/4"))
    text = (
        "RESOLUTION 15 (Rev. Kigali, 2022)\n\nApplied research and transfer of technology\n\n"
        "The World Telecommunication Development Conference (Kigali, 2022),\n\n"
        "instructs the Director of the Telecommunication Development Bureau\n\n"
        f"4\t{instructs.text}\n"
    )
    meta = DocumentMeta(
        id="wtdc-22", file="w.txt", title="WTDC-22 Final Report", short_title="WTDC-22 Final Report",
        event="WTDC-22", date="2022-06-16", kind="auto",
    )  # fmt: skip
    added = parse_document(meta, text)
    index = VersionIndex.build([*seed.passages, *added.passages], [seed.meta, meta])
    links = index.versions_of("wtdc-22/instructs/4")
    assert [(link.passage_id, link.relation.value) for link in links][:1] == [(instructs.id, "later")]
    report = next(r for r in index.reports if r.pair.instrument == "itu/wtdc/res/15")
    assert report.pair.kind is PairKind.DRAFTS and report.pair.earlier == "wtdc-22"
