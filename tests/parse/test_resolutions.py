"""Resolutions, recommendations, draft opinions and the Baku Declaration: real documents and snippets."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rag.parse import parse_document
from rag.parse.coverage import measure_coverage
from rag.parse.resolutions import parse_declaration, parse_instruments
from rag.parse.tree import Node, ParseContext, build_document
from rag.types import DocumentMeta, ParsedDocument, Passage
from tests.conftest import parsed_doc, passage, source_text

WTDC = "wtdc-25-final-report"
WTPF26 = "wtpf-26-sg-report"
WTPF21 = "wtpf-21-sg-report"


def _ids_under(doc_id: str, prefix: str) -> list[str]:
    """Ids of the passages under ``doc_id/prefix/``, relative to it, in document order."""
    head = f"{doc_id}/{prefix}/"
    return [p.id[len(head) :] for p in parsed_doc(doc_id).passages if p.id.startswith(head)]


def _items(doc_id: str, block: str) -> list[str]:
    """The direct items of a block (or item): ``res-15/recalling`` -> ``['a', 'b', ...]``."""
    return [i for i in _ids_under(doc_id, block) if "/" not in i]


def _letters(first: str, last: str) -> list[str]:
    return [chr(c) for c in range(ord(first), ord(last) + 1)]


def _numbers(last: int) -> list[str]:
    return [str(n) for n in range(1, last + 1)]


# --------------------------------------------------------------------------------------------------
# WTDC-25 Resolution 15: the acceptance check


def test_resolution_15_has_its_preambular_items() -> None:
    assert _items(WTDC, "res-15/recalling") == _letters("a", "e")
    assert _items(WTDC, "res-15/recognizing") == _letters("a", "i")


def test_resolution_15_has_its_operative_items() -> None:
    assert _items(WTDC, "res-15/resolves") == ["1", "2"]
    assert _items(WTDC, "res-15/instructs") == _numbers(6)
    assert _items(WTDC, "res-15/invites-developing-countries") == ["1", "2", "3"]


def test_resolution_15_instructs_names_the_director_of_bdt_with_br_and_tsb() -> None:
    p = passage(WTDC, f"{WTDC}/res-15/instructs/4")
    assert (
        p.citation
        == "WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), instructs the Director of BDT, 4"
    )
    assert p.clause == "instructs"
    assert p.addressee == (
        "the Director of the Telecommunication Development Bureau, in collaboration with the Director of "
        "the Radiocommunication Bureau and the Director of the Telecommunication Standardization Bureau"
    )
    assert p.instrument == "Resolution 15 (Rev. Kigali, 2022)"
    assert p.instrument_title == "Applied research and transfer of technology"
    assert p.label == "4"
    assert p.text.startswith("to continue to develop handbooks addressing the issue of technology transfer")
    assert p.lead_in is not None and p.lead_in.startswith("instructs the Director of the Telecommunication")


def test_resolution_15_unnumbered_blocks_are_one_passage_each() -> None:
    providers = passage(WTDC, f"{WTDC}/res-15/invites-telecommunication-equipment-service-providers")
    appeals = passage(WTDC, f"{WTDC}/res-15/appeals-to")
    assert providers.text.startswith("pursuant to the Geneva Declaration of Principles")
    assert providers.addressee == "telecommunication equipment and service providers"
    assert providers.clause == "invites"
    assert appeals.clause == "appeals to"
    assert appeals.citation == (
        "WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), appeals to international organizations and "
        "donor countries"
    )
    assert _ids_under(WTDC, "res-15/invites-telecommunication-equipment-service-providers") == []
    assert _ids_under(WTDC, "res-15/appeals-to") == []


def test_resolution_15_footnote_on_developing_countries_is_a_footnote_not_a_clause() -> None:
    fn = passage(WTDC, f"{WTDC}/res-15/fn-1")
    assert fn.kind == "footnote"
    assert fn.clause is None
    assert fn.citation == "WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), footnote 1"
    assert fn.text.startswith("These include the least developed countries")
    clauses = [
        p for p in parsed_doc(WTDC).passages if p.id.startswith(f"{WTDC}/res-15/") and p.kind == "clause"
    ]
    assert not [p.id for p in clauses if p.text.startswith("These include")]
    # the marker stays where it is printed, glued to the word
    assert "developing countries1 and" in passage(WTDC, f"{WTDC}/res-15/recognizing/d").text


def test_resolution_15_title_and_preamble_are_passages() -> None:
    title = passage(WTDC, f"{WTDC}/res-15/title")
    assert (title.kind, title.text) == ("title", "Applied research and transfer of technology")
    assert title.citation == "WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022)"
    preamble = passage(WTDC, f"{WTDC}/res-15/preamble")
    assert preamble.kind == "preamble"
    assert preamble.text == "The World Telecommunication Development Conference (Kigali, 2022),"


def test_resolution_15_passages_keep_their_path_and_context() -> None:
    p = passage(WTDC, f"{WTDC}/res-15/recalling/c")
    assert p.path[-2:] == (
        "Resolution 15 (Rev. Kigali, 2022) – Applied research and transfer of technology",
        "recalling",
    )
    assert p.citation == "WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), recalling, c)"
    assert "recalling" in p.context


# --------------------------------------------------------------------------------------------------
# Every instrument heading of Part IV becomes an instrument


def _part_iv_lines() -> list[str]:
    lines = source_text(WTDC).split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*Part IV\b", line))
    end = next(i for i, line in enumerate(lines) if re.match(r"\s*Part V\b", line))
    return lines[start:end]


def test_every_resolution_and_recommendation_heading_becomes_an_instrument() -> None:
    heads = [
        line for line in _part_iv_lines() if re.match(r"\s*(RESOLUTION|RECOMMENDATION ITU-D)\s+\d+", line)
    ]
    expected = sorted(
        ("res-" if "RESOLUTION" in h else "rec-") + re.search(r"(\d+)\s*(?:\(|$)", h.strip()).group(1)
        for h in heads
    )
    titles = sorted(
        m.group(1)
        for p in parsed_doc(WTDC).passages
        if (m := re.fullmatch(rf"{WTDC}/((?:res|rec)-\d+)/title", p.id))
    )
    assert len(heads) == 71  # 64 resolutions and 7 ITU-D Recommendations
    assert titles == expected


def test_instrument_names_are_cited_as_printed() -> None:
    cites = {
        "res-20": "Resolution 20 (Rev. Buenos Aires, 2017)",
        "res-60": "Resolution 60 (Hyderabad, 2010)",
        "res-94": "Resolution 94 (Baku, 2025)",
        "rec-19": "Recommendation ITU-D 19",
    }
    for slug, name in cites.items():
        title = passage(WTDC, f"{WTDC}/{slug}/title")
        assert title.instrument == name
        assert title.citation == f"WTDC-25 Final Report, {name}"


def test_titles_wrapped_over_lines_are_one_title_passage() -> None:
    assert passage(WTDC, f"{WTDC}/res-20/title").text == (
        "Non-discriminatory access to modern telecommunication/ information and communication technology "
        "facilities, services and related applications"
    )
    assert passage(WTDC, f"{WTDC}/res-1/title").text == (
        "Rules of procedure of the ITU Telecommunication Development Sector"
    )


def test_part_iv_is_fully_covered() -> None:
    doc = parsed_doc(WTDC)
    text = source_text(WTDC)
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*Part IV\b", line)) + 1
    end = next(i for i, line in enumerate(lines) if re.match(r"\s*Part V\b", line)) + 1
    uncovered = [n for n in measure_coverage(doc, text).uncovered if start <= n < end]
    assert uncovered == []


def test_part_iv_parses_without_warnings() -> None:
    assert not [w for w in parsed_doc(WTDC).warnings if re.search(r"Resolution|Recommendation", w)]


# --------------------------------------------------------------------------------------------------
# Other resolutions: blocks, addressees, nesting, annexes


def test_resolution_1_rules_of_procedure_are_decimal_paragraphs_under_resolves() -> None:
    body = passage(WTDC, f"{WTDC}/res-1/resolves")
    assert body.text.startswith("that, for ITU-D, the provisions of the Constitution")
    assert _items(WTDC, "res-1/resolves/1.1") == _letters("a", "n")
    # "i)" after "h)" is the letter i; the "i)" after it, ending in ":", opens a list of numerals
    assert _items(WTDC, "res-1/resolves/1.1/i") == ["i", "ii", "iii"]
    assert _items(WTDC, "res-1/resolves/1.6/b") == ["i", "ii", "iii", "iv"]
    p = passage(WTDC, f"{WTDC}/res-1/resolves/2.1.1.1")
    assert p.citation == "WTDC-25 Final Report, Resolution 1 (Rev. Baku, 2025), resolves, 2.1.1.1"
    assert p.lead_in is not None
    assert "2.1 General principles" in p.lead_in and "2.1.1 Presentation of texts" in p.lead_in
    assert "Section 2 – Documentation of ITU-D" in p.path
    top = [i for i in _items(WTDC, "res-1/resolves") if re.fullmatch(r"\d+\.\d+", i)]
    assert top[0] == "1.1" and top[-1] == "13.1" and len(top) == 75  # grep -cP '^\t\t\t\d+\.\d+\t' in Res 1


def test_resolution_1_heading_paragraphs_take_the_text_under_them() -> None:
    assert passage(WTDC, f"{WTDC}/res-1/resolves/1.15").text.startswith(
        "Voting Should there be a need for a vote"
    )
    assert passage(WTDC, f"{WTDC}/res-1/resolves/2.2.1").text.startswith(
        "Definition Statement of the main outcomes"
    )
    # after its lettered list, a paragraph belongs to the item that led into the list
    closing = passage(WTDC, f"{WTDC}/res-1/resolves/7.1.1/p2")
    assert closing.text == "The same process shall be used for the deletion of existing Recommendations."


def test_resolution_1_annexes_keep_templates_tables_and_notes() -> None:
    titles = {n: passage(WTDC, f"{WTDC}/res-1/annex-{n}/title").text for n in range(1, 6)}
    assert titles[1] == "Template for drafting ITU-D Recommendations"
    assert titles[5] == "Rapporteur's checklist"
    assert passage(WTDC, f"{WTDC}/res-1/annex-1/considering").clause == "considering"
    assert _items(WTDC, "res-1/annex-4") == ["title", "p1", *_numbers(8)]
    assert (
        passage(WTDC, f"{WTDC}/res-1/annex-4/4/note").text
        == "NOTE – Can be sent to more than one organization."
    )
    item = passage(WTDC, f"{WTDC}/res-1/annex-4/1")
    assert item.lead_in == "Information to be included in the liaison statement:"
    assert item.citation == "WTDC-25 Final Report, Resolution 1 (Rev. Baku, 2025), Annex 4, 1)"
    row = passage(WTDC, f"{WTDC}/res-1/annex-2/table-1/row-4")
    assert row.kind == "table-row"
    assert row.text == "FOR ACTION (Place on the agenda) Indicate which is appropriate"
    assert [f"fn-{n}" for n in range(1, 9)] == [i for i in _items(WTDC, "res-1") if i.startswith("fn-")]


def test_resolution_1_template_annex_nests_instructions_under_numbered_headings() -> None:
    assert _items(WTDC, "res-1/annex-3/1/indent-1") == ["indent-1", "indent-2", "indent-3"]
    assert [i for i in _items(WTDC, "res-1/annex-3") if i.isdigit()] == _numbers(11)


def test_resolution_2_annexes_have_sub_headings_and_a_table_of_chairs() -> None:
    assert _ids_under(WTDC, "res-2/annex-2/study-group-1") == [f"indent-{n}" for n in range(1, 6)]
    q = passage(WTDC, f"{WTDC}/res-2/annex-2/study-group-2/indent-1")
    assert q.text.startswith("Question 1/2: Enabling telecommunications/ICTs for digital transformation")
    assert (
        q.citation == "WTDC-25 Final Report, Resolution 2 (Rev. Baku, 2025), Annex 2, Study Group 2, indent 1"
    )
    chair = passage(WTDC, f"{WTDC}/res-2/annex-3/table-1/row-2")
    assert chair.text == "Chair: Mr Roberto Mitsuake Hirayama (Brazil)"
    assert _items(WTDC, "res-2/annex-1/1") == [f"indent-{n}" for n in range(1, 9)]
    assert passage(WTDC, f"{WTDC}/res-2/annex-1/1").text.startswith(
        "Study Group 1 Universal meaningful connectivity"
    )


def test_resolution_9_long_lists_and_annex_items() -> None:
    assert _items(WTDC, "res-9/considering") == _letters("a", "z")
    assert _items(WTDC, "res-9/recognizing") == _letters("a", "n")
    assert [i for i in _items(WTDC, "res-9/annex-1") if i.isdigit()] == _numbers(14)
    # a paragraph indented under a numeral continues it
    assert passage(WTDC, f"{WTDC}/res-9/annex-1/9/i").text.endswith(
        passage(WTDC, f"{WTDC}/res-9/annex-1/9/i").text.split(": ", 1)[1]
    )
    assert "Use cases and technical recommendations" in passage(WTDC, f"{WTDC}/res-9/annex-1/9/i").text
    # a lead-in after a lettered list introduces the indents that follow it
    assert _items(WTDC, "res-9/annex-1/5") == ["a", "b", "c", "p2", "indent-1", "indent-2"]
    indent = passage(WTDC, f"{WTDC}/res-9/annex-1/5/indent-1")
    assert indent.lead_in is not None and indent.lead_in.startswith("ITU could further develop the mechanism")


def test_resolution_34_letters_run_past_z() -> None:
    items = _items(WTDC, "res-34/considering")
    assert items[:26] == _letters("a", "z")
    assert items[26:] == ["aa", "ab", "ac", "ad", "ae", "af", "ag", "ah", "ai", "aj"]
    assert passage(WTDC, f"{WTDC}/res-34/considering/aj").citation.endswith("considering, aj)")


def test_resolution_24_numerals_and_bullets_nest_under_their_item() -> None:
    assert _items(WTDC, "res-24/resolves") == _numbers(5)
    numerals = _items(WTDC, "res-24/resolves/1")
    assert numerals == [
        "i",
        "ii",
        "iii",
        "iv",
        "v",
        "vi",
        "vii",
        "viii",
        "ix",
        "x",
        "xi",
        "xii",
        "xiii",
        "xiv",
        "xv",
    ]
    assert _items(WTDC, "res-24/resolves/1/vi") == ["indent-1", "indent-2", "indent-3"]
    p = passage(WTDC, f"{WTDC}/res-24/resolves/1/vi/indent-2")
    assert p.text == "deletion or merging of study Questions as appropriate; and"
    assert p.citation == "WTDC-25 Final Report, Resolution 24 (Rev. Baku, 2025), resolves, 1, vi), indent 2"
    assert _items(WTDC, "res-24/instructs-director-bdt/2") == ["i", "ii"]


def test_resolution_21_two_instructs_blocks_are_told_apart_by_addressee() -> None:
    first = passage(WTDC, f"{WTDC}/res-21/instructs-director-bdt/1")
    second_body = passage(WTDC, f"{WTDC}/res-21/instructs-director-bdt-collaboration-directors-br-tsb")
    second = passage(WTDC, f"{WTDC}/res-21/instructs-director-bdt-collaboration-directors-br-tsb/2")
    assert first.citation.endswith("Resolution 21 (Rev. Baku, 2025), instructs the Director of BDT, 1")
    assert second.citation.endswith(
        "Resolution 21 (Rev. Baku, 2025), instructs the Director of BDT, "
        "in collaboration with the Directors of BR and TSB, 2"
    )
    # the block's unlabelled lead-in is the block passage, the items its children
    assert second_body.text == "within the allocated or contributed resources that are available,"
    assert second_body.text in second.context
    assert _items(WTDC, "res-21/instructs-director-bdt") == _numbers(5)


def test_qualified_and_unusual_block_headings_map_to_their_base_role() -> None:
    cases = {
        "res-16/noting-with-concern/a": ("noting", "noting with concern"),
        "res-16/appreciating": ("noting", "appreciating"),
        "res-18/noting-with-grave-concern/1": ("noting", "noting with grave concern"),
        "res-20/taking-into-account-further": ("taking into account", "taking into account further"),
        "res-60/further-recalling": ("recalling", "further recalling"),
        "res-75/taking-cognizance-of/a": ("noting", "taking cognizance of"),
        "res-87/having-noted/a": ("noting", "having noted"),
        "res-23/reaffirms": ("reaffirms", "reaffirms"),
        "res-37/undertakes": ("undertakes", "undertakes"),
        "res-18/resolves-to-continue-to-instruct/1": ("resolves", "resolves to continue to instruct"),
        "res-8/encourages": ("encourages", "encourages"),
    }
    for pid, (role, cite) in cases.items():
        p = passage(WTDC, f"{WTDC}/{pid}")
        assert p.clause == role, pid
        assert f", {cite}" in p.citation, (pid, p.citation)


def test_addressees_are_abbreviated_in_citations_only() -> None:
    requests = passage(WTDC, f"{WTDC}/res-10/requests")
    assert requests.citation.endswith("Resolution 10 (Rev. Baku, 2025), requests BDT")
    assert requests.addressee == "the Telecommunication Development Bureau"
    # printed with a lower-case "telecommunication"
    assert passage(WTDC, f"{WTDC}/res-26/instructs/1").citation.endswith("instructs the Director of BDT, 1")
    urges = [i for i in _ids_under(WTDC, "res-23") if i.startswith("urges")]
    assert urges[0].startswith("urges-regulators/") and urges[-1] == "urges-service-providers"
    calls = passage(WTDC, f"{WTDC}/res-16/calls-upon-other-member-states-sector-members/1")
    assert calls.addressee == "other Member States and Sector Members"


def test_operative_block_counts_in_several_resolutions() -> None:
    counts = {
        "res-8/resolves-to-instruct": 38,
        "res-30/further-instructs": 10,
        "res-34/invites-also": 8,
        "res-37/resolves-to-instruct-director-bdt": 30,
        "res-45/instructs": 21,
        "res-55/further-resolves": 15,
        "res-58/invites-member-states": 20,
        "res-71/resolves": 5,
    }
    for block, n in counts.items():
        assert _items(WTDC, block) == _numbers(n), block


def test_resolution_75_unnumbered_annex_and_resolution_53_abrogated() -> None:
    assert _items(WTDC, "res-75/annex/1") == ["i", "ii", "iii", "iv", "v", "vi", "vii"]
    assert passage(WTDC, f"{WTDC}/res-75/annex/2").text == "Environment Development and implementation of:"
    assert passage(WTDC, f"{WTDC}/res-75/annex/title").citation.endswith(
        "Resolution 75 (Rev. Buenos Aires, 2017), Annex"
    )
    assert _ids_under(WTDC, "res-53") == ["title"]
    assert passage(WTDC, f"{WTDC}/res-53/title").text.endswith("(Abrogated by WTDC-25)")


def test_recommendations_keep_question_date_and_nested_items() -> None:
    q = passage(WTDC, f"{WTDC}/rec-15/question")
    assert q.citation == "WTDC-25 Final Report, Recommendation ITU-D 15, Question 12/1"
    assert passage(WTDC, f"{WTDC}/rec-15/title").text.endswith("(January, 2002)")
    assert (
        passage(WTDC, f"{WTDC}/rec-15/preamble").text
        == "The ITU Telecommunication Development Bureau (ITU-D),"
    )
    assert _items(WTDC, "rec-15/recommends/1") == ["a", "b", "c"]
    assert _items(WTDC, "rec-15/recommends/2") == _letters("a", "e")
    assert _items(WTDC, "rec-19/recommends") == _numbers(15)
    assert _items(WTDC, "rec-20/noting/a") == ["i", "ii", "iii", "iv", "v", "vi"]
    assert passage(WTDC, f"{WTDC}/rec-20/invites").citation.endswith("invites the Director of BDT")
    assert _items(WTDC, "rec-21/recommends-further") == ["1", "2"]
    assert [i for i in _items(WTDC, "rec-17") if i.startswith("fn-")] == ["fn-1", "fn-2"]


# --------------------------------------------------------------------------------------------------
# The Baku Declaration (Part I)


def test_declaration_title_and_preamble() -> None:
    title = passage(WTDC, f"{WTDC}/declaration/title")
    assert (
        title.text
        == "Universal, meaningful and affordable connectivity for an inclusive and sustainable digital future"
    )
    assert title.instrument == "Baku Declaration"
    assert _items(WTDC, "declaration/preamble") == ["1", "2", "3"]
    first = passage(WTDC, f"{WTDC}/declaration/preamble/1")
    assert first.kind == "preamble" and first.text.startswith("We, the representatives of ITU Member States")
    assert first.citation == "WTDC-25 Final Report, Baku Declaration, preamble, paragraph 1"


def test_declaration_lead_in_sentences_hold_their_items() -> None:
    assert _items(WTDC, "declaration/declare") == _numbers(5)
    p = passage(WTDC, f"{WTDC}/declaration/declare/1")
    assert p.citation == "WTDC-25 Final Report, Baku Declaration, we declare that, 1)"
    assert p.clause == "declares" and p.label == "1)"
    assert (
        p.lead_in == "Mindful of the challenges and opportunities of digital transformation, we declare that:"
    )
    assert p.text.startswith("We are cognizant that telecommunications/ICTs")
    assert _items(WTDC, "declaration/affirm") == _letters("a", "e")
    assert passage(WTDC, f"{WTDC}/declaration/affirm/c").clause == "affirms"


def test_declaration_unlabelled_continuations_belong_to_their_item() -> None:
    assert _items(WTDC, "declaration/affirm/a") == ["p2", "p3"]
    p = passage(WTDC, f"{WTDC}/declaration/affirm/a/p3")
    assert p.text.startswith("We acknowledge the critical role of space radiocommunications")
    assert p.citation == "WTDC-25 Final Report, Baku Declaration, we affirm that, a), paragraph 3"
    assert _items(WTDC, "declaration/affirm/e") == []
    assert _items(WTDC, "declaration/closing") == ["1", "2"]
    assert passage(WTDC, f"{WTDC}/declaration/closing/2").text.startswith(
        "Accordingly, we declare our commitment"
    )


# --------------------------------------------------------------------------------------------------
# WTPF draft opinions (000, 001)


def test_wtpf26_draft_opinion_4_recalling_a_to_h() -> None:
    assert _items(WTPF26, "draft-opinion-4/recalling") == _letters("a", "h")
    title = passage(WTPF26, f"{WTPF26}/draft-opinion-4/title")
    assert title.text == "Space connectivity"
    assert title.instrument == "Draft Opinion 4"


def test_wtpf26_revision_marked_labels_cite_the_readers_number() -> None:
    assert _items(WTPF26, "draft-opinion-4/considering") == _letters("a", "f")
    assert _items(WTPF26, "draft-opinion-4/recognising") == _letters("a", "k")
    assert _items(WTPF26, "draft-opinion-4/is-of-the-view") == _numbers(14)
    cases = {"considering/d": "dc)", "considering/f": "fd)", "recognising/k": "kh)", "is-of-the-view/7": "74",
             "is-of-the-view/9": "95", "is-of-the-view/10": "106", "is-of-the-view/13": "137"}  # fmt: skip
    for pid, label in cases.items():
        assert passage(WTPF26, f"{WTPF26}/draft-opinion-4/{pid}").label == label
    p = passage(WTPF26, f"{WTPF26}/draft-opinion-4/is-of-the-view/7")
    assert p.citation == "WTPF-26 SG Report, Draft Opinion 4, is of the view, 7"
    assert p.text.startswith("that governments need to seize the opportunities")
    assert passage(WTPF26, f"{WTPF26}/draft-opinion-4/considering/d").citation.endswith("considering, d)")


def test_wtpf26_draft_opinion_4_nested_indents_and_addressed_blocks() -> None:
    assert _items(WTPF26, "draft-opinion-4/is-of-the-view/14") == [f"indent-{n}" for n in range(1, 6)]
    assert _items(WTPF26, "draft-opinion-4/invites-member-states") == ["1", "2", "3"]
    others = "draft-opinion-4/invites-member-states-sector-members-other-stakeholders"
    assert _items(WTPF26, others) == _numbers(7)
    p = passage(WTPF26, f"{WTPF26}/{others}/4")
    assert p.label == "43"
    assert p.addressee == "Member States, Sector Members and other stakeholders"
    assert _items(WTPF26, "draft-opinion-4/invites-secretary-general") == ["1", "2"]


def test_wtpf26_draft_opinion_5_resolves_runs_of_revised_numbers() -> None:
    items = _items(WTPF26, "draft-opinion-5/invites-member-states")
    assert items == _numbers(13)
    labels = [passage(WTPF26, f"{WTPF26}/draft-opinion-5/invites-member-states/{n}").label for n in items]
    # 811 = 8 -> 11, 103 = 10 -> 13 with the shared "1" printed once, and a repeated "2" read as 3
    assert labels == ["1", "2", "2", "4", "35", "46", "57", "68", "79", "10", "811", "912", "103"]
    assert any("label '2' repeats an earlier number; cited as 3" in w for w in parsed_doc(WTPF26).warnings)
    assert _items(WTPF26, "draft-opinion-5/recognising") == _letters("a", "i")
    assert passage(WTPF26, f"{WTPF26}/draft-opinion-5/recognising/g").label == "dg)"
    assert passage(WTPF26, f"{WTPF26}/draft-opinion-5/noting").text.startswith(
        "that existing ITU partnerships"
    )


WTPF21_OPINIONS = {
    1: {"recalling": 6, "considering": 5, "recognising": 6, "is-of-the-view": 8, "invites-member-states": 7,
        "invites-member-states-sector-members-other-stakeholders": 11, "invites-secretary-general": 0},
    2: {"recalling": 9, "recognising": 10, "reaffirming": 2, "noting": 0, "is-of-the-view": 7,
        "invites-member-states": 4, "invites-member-states-sector-members-other-stakeholders": 6,
        "invites-secretary-general": 0},
    3: {"recalling": 9, "considering": 7, "bearing-in-mind": 2, "is-of-the-view": 4,
        "invites-member-states": 3, "invites-member-states-sector-members-other-stakeholders": 5,
        "invites-secretary-general": 0},
    4: {"recalling": 7, "recognising": 9, "is-of-the-view": 5,
        "invites-member-states-sector-members-other-stakeholders": 3, "invites-secretary-general": 0},
    5: {"recalling": 8, "bearing-in-mind": 7, "recognising": 7, "is-of-the-view": 0,
        "invites-member-states": 6, "invites-secretary-general": 0},
}  # fmt: skip


@pytest.mark.parametrize("number", sorted(WTPF21_OPINIONS))
def test_wtpf21_draft_opinion_blocks_and_item_counts(number: int) -> None:
    prefix = f"draft-opinion-{number}"
    blocks = [i for i in _ids_under(WTPF21, prefix) if i not in ("title", "preamble")]
    names = list(dict.fromkeys(i.split("/")[0] for i in blocks))
    assert names == list(WTPF21_OPINIONS[number])
    for block, n in WTPF21_OPINIONS[number].items():
        items = _items(WTPF21, f"{prefix}/{block}")
        if n == 0:
            assert items == [], block
            assert passage(WTPF21, f"{WTPF21}/{prefix}/{block}").kind == "clause"
        else:
            expected = _letters("a", chr(ord("a") + n - 1)) if block not in _NUMBERED else _numbers(n)
            if number == 2 and block == "is-of-the-view":
                expected = _letters("a", "g")
            assert items == expected, (number, block)
    preamble = passage(WTPF21, f"{WTPF21}/{prefix}/preamble")
    assert preamble.text == "The sixth World Telecommunication/ICT Policy Forum (Geneva, 2021),"


_NUMBERED = {
    "is-of-the-view",
    "invites-member-states",
    "invites-member-states-sector-members-other-stakeholders",
}


def test_wtpf21_opinion_titles_skip_word_bookmarks() -> None:
    title = passage(WTPF21, f"{WTPF21}/draft-opinion-2/title")
    assert title.text == (
        "Affordable and secure connectivity in mobilising new and emerging telecommunications/ICTs for "
        "sustainable development"
    )
    assert title.instrument == "Draft Opinion 2"


def test_wtpf21_nested_numerals_and_dotted_numbers() -> None:
    assert _items(WTPF21, "draft-opinion-2/is-of-the-view/g") == ["i", "ii", "iii", "iv", "v", "vi"]
    assert _items(WTPF21, "draft-opinion-5/recognising/g") == ["i", "ii", "iii", "iv"]
    p = passage(WTPF21, f"{WTPF21}/draft-opinion-1/is-of-the-view/3")
    assert p.label == "3."
    assert p.citation == "WTPF-21 SG Report, Draft Opinion 1, is of the view, 3"


# --------------------------------------------------------------------------------------------------
# Ids stay put when another instrument is edited


def test_inserting_an_item_in_resolution_15_leaves_other_instruments_ids_alone() -> None:
    doc = parsed_doc(WTDC)
    text = source_text(WTDC)
    # after recognizing i): a new item j) and a new block before "resolves"
    line_end = text.index(
        "\n", text.index("that cooperation among developing countries, including South-South")
    )
    inserted = (
        "\n\n\t\t\tj)\tthat an inserted item counts too;\n\n\t\t\tbearing in mind\n\n\t\t\tthat it is new;"
    )
    again = parse_document(doc.meta, text[:line_end] + inserted + text[line_end:])

    def outside(d: ParsedDocument) -> list[str]:
        return [p.id for p in d.passages if not p.id.startswith(f"{WTDC}/res-15/")]

    assert outside(again) == outside(doc)
    ids = {p.id for p in again.passages}
    assert {f"{WTDC}/res-15/recognizing/j", f"{WTDC}/res-15/bearing-in-mind"} <= ids
    assert not [w for w in again.warnings if "Resolution" in w]


# --------------------------------------------------------------------------------------------------
# Snippets

META = DocumentMeta("snip", "snippet.txt", "Snippet", "Snip", "e", "2025", "plain")


def _parse(text: str, *, declaration: bool = False) -> tuple[ParsedDocument, ParseContext]:
    ctx = ParseContext(meta=META, text=text)
    root = Node(kind="document", slug="", title="Snippet")
    parser = parse_declaration if declaration else parse_instruments
    root.children.extend(parser(ctx, ctx.lines))
    return build_document(ctx, root), ctx


def _by_id(doc: ParsedDocument) -> dict[str, Passage]:
    return {p.id[len("snip/") :]: p for p in doc.passages}


def _wtdc(*paras: str) -> str:
    """Paragraphs laid out as in the WTDC report: three tabs in, blank lines between."""
    return "\n\n".join("\t\t\t" + p for p in paras) + "\n"


def test_snippet_revision_marked_letters_and_numbers() -> None:
    text = "\n".join(
        [
            "DRAFT OPINION 9: Marks",
            "The Forum (Geneva, 2026),",
            "considering",
            "a)\tone;", "b)\ttwo;", "c)\tthree;", "dc)\tfour;", "e)\tfive;", "fd)\tsix,",
            "is of the view",
            *[f"{n}\tview {n};" for n in range(1, 7)],
            "74\tview seven;", "8\tview eight;", "95\tview nine;", "106\tview ten;", "11\tview eleven;",
            "12\tview twelve;", "103\tview thirteen;", "13\tview thirteen again,",
        ]
    )  # fmt: skip
    doc, ctx = _parse(text)
    ps = _by_id(doc)
    assert [k.split("/")[-1] for k in ps if k.startswith("draft-opinion-9/considering/")] == _letters(
        "a", "f"
    )
    assert ps["draft-opinion-9/considering/d"].label == "dc)"
    assert ps["draft-opinion-9/considering/d"].text == "four;"
    views = [k.split("/")[-1] for k in ps if k.startswith("draft-opinion-9/is-of-the-view/")]
    assert views == _numbers(14)
    assert ps["draft-opinion-9/is-of-the-view/13"].label == "103"
    # a plain 13 after the revised 13 repeats it: read as 14, with a warning naming the line
    assert ps["draft-opinion-9/is-of-the-view/14"].label == "13"
    assert any("snippet.txt:24:" in w and "cited as 14" in w for w in ctx.warnings)


def test_snippet_heading_split_over_two_lines_in_the_one_line_layout() -> None:
    text = (
        "DRAFT OPINION 1: Split\ninvites Member States, Sector Members and\nother stakeholders\n1\tto act;\n"
    )
    doc, _ = _parse(text)
    p = _by_id(doc)["draft-opinion-1/invites/1"]
    assert p.addressee == "Member States, Sector Members and other stakeholders"
    assert (
        p.citation == "Snip, Draft Opinion 1, invites Member States, Sector Members and other stakeholders, 1"
    )


def test_snippet_heading_wrapped_in_the_tab_layout_and_bureau_abbreviations() -> None:
    text = "\t\t\tRESOLUTION 7 (Rev. Baku, 2025)\n\n\t\t\tA title\n\n" + (
        "\t\t\tinstructs the Director of the Telecommunication\nDevelopment Bureau, "
        "in close collaboration with the Director of the Radiocommunication Bureau\n\n\t\t\t1\tto act;\n"
    )
    doc, _ = _parse(text)
    p = _by_id(doc)["res-7/instructs/1"]
    assert p.citation == "Snip, Resolution 7 (Rev. Baku, 2025), instructs the Director of BDT, 1"
    assert p.addressee == (
        "the Director of the Telecommunication Development Bureau, "
        "in close collaboration with the Director of the Radiocommunication Bureau"
    )


def test_snippet_footnotes_are_not_numbered_clauses() -> None:
    text = (
        "\t\t\tRESOLUTION 3 (Baku, 2025)\n\n\t\t\tTitle\n\n"
        + _wtdc("resolves", "1\tthat developing countries1 matter;", "2\tthat more2 follows,")
        + "\t\t\t\t\t\t1\tThese include the least developed countries.\n\n\t\t\t\t\t\t2\tSecond note.\n"
    )
    doc, _ = _parse(text)
    ps = _by_id(doc)
    assert [k for k in ps if k.startswith("res-3/resolves/")] == ["res-3/resolves/1", "res-3/resolves/2"]
    assert ps["res-3/fn-1"].kind == "footnote" and ps["res-3/fn-1"].clause is None
    assert ps["res-3/fn-1"].text == "These include the least developed countries."
    assert ps["res-3/fn-2"].citation == "Snip, Resolution 3 (Baku, 2025), footnote 2"


def test_snippet_letter_i_after_h_and_numerals_after_a_lead_in() -> None:
    letters = [f"{c})\titem {c};" for c in "abcdefgh"]
    text = "\t\t\tRESOLUTION 4 (Baku, 2025)\n\n\t\t\tTitle\n\n" + _wtdc(
        "considering",
        *letters,
        "i)\tthe ninth, covering:",
        "i)\tfirst numeral;",
        "ii)\tsecond numeral;",
        "j)\tthe tenth.",
    )
    doc, _ = _parse(text)
    ps = _by_id(doc)
    assert "res-4/considering/i" in ps and "res-4/considering/j" in ps
    assert ps["res-4/considering/i/ii"].text == "second numeral;"
    assert ps["res-4/considering/j"].citation.endswith("considering, j)")


def test_snippet_block_body_before_items_is_the_block_passage() -> None:
    text = "\t\t\tRESOLUTION 5 (Baku, 2025)\n\n\t\t\tTitle\n\n" + _wtdc(
        "calls upon Member States", "to offer assistance by:", "i)\tcontributing;", "ii)\tsupporting,",
        "encourages", "donors to help,",
    )  # fmt: skip
    doc, _ = _parse(text)
    ps = _by_id(doc)
    assert ps["res-5/calls-upon"].text == "to offer assistance by:"
    assert "to offer assistance by:" in ps["res-5/calls-upon/ii"].context
    assert ps["res-5/encourages"].text == "donors to help,"
    assert ps["res-5/encourages"].clause == "encourages"


def test_snippet_same_role_blocks_take_short_then_full_addressees() -> None:
    text = "\t\t\tRESOLUTION 6 (Baku, 2025)\n\n\t\t\tTitle\n\n" + _wtdc(
        "invites Member States", "to a,",
        "invites Sector Members", "to b,",
        "instructs the Director of the Telecommunication Development Bureau", "1\tto c;",
        "instructs the Director of the Telecommunication Development Bureau, "
        "in collaboration with the Director of the Radiocommunication Bureau", "1\tto d;",
    )  # fmt: skip
    doc, _ = _parse(text)
    ps = _by_id(doc)
    assert {"res-6/invites-member-states", "res-6/invites-sector-members"} <= set(ps)
    assert ps["res-6/instructs-director-bdt/1"].citation.endswith("instructs the Director of BDT, 1")
    other = ps["res-6/instructs-director-bdt-collaboration-director-br/1"]
    assert other.citation.endswith(
        "instructs the Director of BDT, in collaboration with the Director of BR, 1"
    )


def test_snippet_heading_items_take_the_paragraph_under_them() -> None:
    text = "\t\t\tRESOLUTION 1 (Baku, 2025)\n\n\t\t\tTitle\n\n" + _wtdc(
        "resolves", "that the following apply:", "SECTION 2 – Texts", "2.2\tDeclaration",
        "2.2.1\tDefinition", "Statement of the main outcomes.", "2.2.2\tApproval", "WTDC approves it.",
    )  # fmt: skip
    doc, _ = _parse(text)
    ps = _by_id(doc)
    assert ps["res-1/resolves/2.2.1"].text == "Definition Statement of the main outcomes."
    assert ps["res-1/resolves/2.2.2"].lead_in == "resolves › 2.2 Declaration"
    assert "Section 2 – Texts" in ps["res-1/resolves/2.2.2"].path


def test_snippet_annex_with_table_rows_and_sub_headings() -> None:
    table = "\t\t\t\t\t\n\t\t\t\t\t\t\tChair:\n\n\t\t\t\t\t\t\n\t\t\t\t\t\t\tMs A (X)\n\n\t\t\t\t\t\n"
    table += "\t\t\t\t\t\n\t\t\t\t\t\t\tVice-Chairs:\n\n\t\t\t\t\t\t\n"
    table += "\t\t\t\t\t\t\tMr B (Y)\n\n\t\t\t\t\t\t\tMr C (Z)\n\n"
    text = (
        "\t\t\tRESOLUTION 2 (Baku, 2025)\n\n\t\t\tTitle\n\n"
        + _wtdc("resolves", "that it is so,", "ANNEX 3 TO RESOLUTION 2 (Baku, 2025)", "List of chairs")
        + table
        + _wtdc("Study Group 1", "–\tQuestion 1/1: One", "Study Group 2", "–\tQuestion 1/2: Two")
    )
    doc, _ = _parse(text)
    ps = _by_id(doc)
    assert ps["res-2/annex-3/title"].text == "List of chairs"
    assert ps["res-2/annex-3/table-1/row-1"].text == "Chair: Ms A (X)"
    assert ps["res-2/annex-3/table-1/row-2"].text == "Vice-Chairs: Mr B (Y) Mr C (Z)"
    assert ps["res-2/annex-3/study-group-2/indent-1"].text == "Question 1/2: Two"
    assert measure_coverage(doc, text).uncovered == ()


def test_snippet_lines_around_the_instruments_are_kept() -> None:
    text = "Annex: Draft Opinions\nDRAFT OPINION 1: X\nrecalling\na)\tfoo,\n"
    text += "______\n• http://www.itu.int/WTPF •\n"
    doc, _ = _parse(text)
    cov = measure_coverage(doc, text)
    assert cov.uncovered == ()
    assert cov.in_headings >= 2  # the annex heading and the opinion's number
    footer = text.index("• http")
    assert (footer, footer + len("• http://www.itu.int/WTPF •")) in doc.headings
    assert [p.text for p in doc.passages] == ["X", "foo,"]


def test_snippet_region_without_instruments_falls_back_to_paragraphs_with_a_warning() -> None:
    doc, ctx = _parse("Some words.\n\nMore words.\n")
    assert [p.text for p in doc.passages] == ["Some words.", "More words."]
    assert ctx.warnings and ctx.warnings[0].startswith("snippet.txt:1:")


def test_snippet_declaration_without_heading_is_kept_with_a_warning() -> None:
    doc, ctx = _parse("\t\t\tWe declare things.\n", declaration=True)
    assert [p.text for p in doc.passages] == ["We declare things."]
    assert ctx.warnings


def test_snippet_declaration_lead_ins_and_continuations() -> None:
    text = _wtdc(
        "SOME DECLARATION", "A title", "We, the representatives, agree.", "Mindful of it, we resolve that:",
        "a)\tWe act.", "\tWe also act.", "b)\tWe end.", "We close.",
    )  # fmt: skip
    doc, _ = _parse(text, declaration=True)
    ps = _by_id(doc)
    assert ps["resolve/a"].citation == "Snip, Some Declaration, we resolve that, a)"
    assert ps["resolve/a"].clause == "resolves"
    assert ps["resolve/a/p2"].text == "We also act."
    assert ps["preamble/1"].text == "We, the representatives, agree."
    assert ps["closing/1"].text == "We close."


_SHAPES = [
    "",
    "\t\t\t",
    "\t\t\tRESOLUTION 9 (Rev. Baku, 2025)",
    "RECOMMENDATION ITU-D 3",
    "DRAFT OPINION 4: Space",
    "[bookmark: _Hlk1]DRAFT OPINION 5: Other",
    "DRAFT OPINION 6: [bookmark: _Hlk2]",
    "\t\t\tA title line",
    "wrapped title words",
    "The Forum (Geneva, 2026),",
    "\t\t\trecalling",
    "considering further",
    "invites Member States and",
    "\t\t\tinstructs the Director of the Telecommunication Development Bureau",
    "a)\tclause;",
    "b)\tclause:",
    "dc)\trevised;",
    "i)\tnumeral;",
    "1\tnumbered;",
    "74\trevised number;",
    "2.1\t[bookmark: _Hlk3]",
    "1.1\tdecimal:",
    "–\tindent",
    "•\tbullet",
    "\t\t\t\tcontinued paragraph",
    "NOTE – a note.",
    "SECTION 2 – Texts",
    "\t\t\tANNEX 1 to RESOLUTION 9 (Rev. Baku, 2025)",
    "Study Group 1",
    "\t\t\t\t\t",
    "\t\t\t\t\t\t\tcell",
    "\t\t\t\t\t\t1\tA footnote.",
    "______________",
    "• http://www.itu.int/WTPF •",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_SHAPES), max_size=30))
# found by this test: an item continued after a footnote line grew across the footnote
@example(
    [
        "\t\t\tRESOLUTION 9 (Rev. Baku, 2025)",
        "a)\tclause;",
        "\t\t\t\t\t\t1\tA footnote.",
        "\t\t\t\tcontinued paragraph",
    ]
)
def test_property_any_mix_of_instrument_lines_parses_with_disjoint_spans_and_full_coverage(
    lines: list[str],
) -> None:
    text = "\n".join(lines)
    doc, _ = _parse(text)
    assert measure_coverage(doc, text).uncovered == ()
    spans = sorted((p.start, p.end) for p in doc.passages)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
    assert len({p.id for p in doc.passages}) == len(doc.passages)
    assert all(p.text for p in doc.passages)
