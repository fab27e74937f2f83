"""The WTDC report's conference overview and Part II (Baku Action Plan), on the real file and on snippets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.parse.coverage import measure_coverage
from rag.parse.overview import parse_action_plan, parse_overview
from rag.parse.spans import clean_text
from rag.parse.tree import Node, ParseContext, build_document
from rag.types import DocumentMeta, ParsedDocument
from tests.conftest import parsed_doc, passage, source_text

DOC = "wtdc-25-final-report"
OV = f"{DOC}/overview"
AP = f"{DOC}/action-plan"


def _line_of(pattern: str) -> int:
    """1-based number of the first source line matching ``pattern``."""
    for no, line in enumerate(source_text(DOC).split("\n"), start=1):
        if re.search(pattern, line):
            return no
    raise AssertionError(pattern)


def _under(prefix: str) -> list:
    return [p for p in parsed_doc(DOC).passages if p.id.startswith(prefix + "/")]


# -- the real document: coverage -------------------------------------------------------------------


def test_overview_and_action_plan_lines_are_all_covered() -> None:
    cov = measure_coverage(parsed_doc(DOC), source_text(DOC))
    part1 = _line_of(r"^\s*Part I – Baku Declaration")
    part2 = _line_of(r"^\s*Part II - Baku Action Plan")
    part3 = _line_of(r"^\s*Part III – Regional initiatives")
    mine = [n for n in cov.uncovered if n < part1 or part2 < n < part3]
    assert mine == []


def test_no_plain_paragraph_fallback_is_left_in_these_regions() -> None:
    ids = [p.id for p in parsed_doc(DOC).passages]
    assert not [i for i in ids if "/overview-" in i or "/action-plan-" in i]
    assert not [w for w in parsed_doc(DOC).warnings if "overview" in w or "action" in w]


def test_passage_counts_per_region_and_kind() -> None:
    overview = _under(OV)
    plan = _under(AP)
    # overview: 6 RPM rows + 8 presiding-officer rows + 2 TDAG bureau rows + 2 study-group tables
    assert sum(p.kind == "table-row" for p in overview) == 6 + 8 + 2 + 2
    # plan: 19 outcome rows in 3.2 (3 + 6 + 3 + 3 + 4) + annex table 1 + 2 rows of annex table 2
    assert sum(p.kind == "table-row" for p in plan) == 19 + 1 + 2
    assert sum(p.kind == "table-cell" for p in plan) == 5
    # the annex note and the two footnotes of the plan
    assert sum(p.kind == "footnote" for p in plan) == 3


# -- the real document: conference overview --------------------------------------------------------


def test_numbered_headings_give_paths_ids_and_citations() -> None:
    p = passage(DOC, f"{OV}/2/2.1/p3")
    assert p.path[-3:] == (
        "Conference overview and highlights",
        "2 Preparatory process for WTDC-25",
        "2.1 Regional preparatory meetings",
    )
    assert p.citation == "WTDC-25 Final Report, Conference overview, 2.1, paragraph 3"
    assert p.text.startswith("The meetings also discussed and took note of contributions")
    assert p.kind == "paragraph"


@pytest.mark.parametrize(
    ("pid", "start"),
    [
        (f"{OV}/1/p1", "The ninth World Telecommunication Development Conference (WTDC-25)"),
        (f"{OV}/2/2.1/p4", "The RPM for the Arab States region (RPM-ARB) was held from 4 to 5 February 2025"),
        (f"{OV}/2/2.1/p10", "The dates and reports of each RPM can be found in the table below:"),
        (f"{OV}/2/2.2/p1", "TDAG held three annual meetings and one extra-ordinary meeting"),
        (f"{OV}/3/p4", "The Director of the ITU Telecommunication Development Bureau (BDT)"),
        (f"{OV}/7/p3", "For the first time, men were invited to participate as mentees"),
        (f"{OV}/10/p5", "Elected officials visited the ITU booth"),
    ],
)
def test_overview_paragraphs_start_where_the_source_does(pid: str, start: str) -> None:
    assert passage(DOC, pid).text.startswith(start)


def test_each_section_counts_its_own_paragraphs() -> None:
    assert [p.id.rsplit("/", 1)[1] for p in _under(f"{OV}/10")] == ["p1", "p2", "p3", "p4", "p5"]
    assert len(_under(f"{OV}/3")) == 4
    assert len(_under(f"{OV}/7")) == 6


def test_rpm_table_rows_carry_dates_and_cities() -> None:
    rows = _under(f"{OV}/2/2.1/table-1")
    expected = {
        "rpm-arb": ("4–5 February 2025", "Amman, Jordan"),
        "rpm-eur": ("25–26 February 2025", "Budapest, Hungary"),
        "rpm-asp": ("20–21 March 2025", "Bangkok, Thailand"),
        "rpm-ams": ("1–2 April 2025", "Asuncion, Paraguay"),
        "rpm-afr": ("8–9 April 2025", "Nairobi, Kenya"),
        "rpm-cis": ("24–25 April 2025", "Bishkek, Kyrgyzstan"),
    }
    assert [p.id.rsplit("/", 1)[1] for p in rows] == list(expected)
    for p in rows:
        dates, city = expected[p.id.rsplit("/", 1)[1]]
        assert dates in p.text and city in p.text, p.text
        assert p.kind == "table-row"
        # the header row, not a passage itself, makes each row readable alone
        assert p.lead_in is not None and p.lead_in.startswith("RPM | Dates | City and host country")
        assert "Dates and locations of RPMs held in 2025" in p.path
    arb = passage(DOC, f"{OV}/2/2.1/table-1/rpm-arb")
    assert arb.text == "RPM-ARB 4–5 February 2025 Amman, Jordan Report Video"
    assert arb.citation == (
        "WTDC-25 Final Report, Conference overview, 2.1, Dates and locations of RPMs held in 2025, RPM-ARB"
    )


def test_rpm_table_header_is_a_heading_not_a_passage() -> None:
    doc = parsed_doc(DOC)
    text = source_text(DOC)
    header_start = text.index("Link to the \nvideo on implementation of Kigali Action Plan")
    assert not [p for p in doc.passages if p.start <= header_start < p.end]
    assert any(a <= header_start < b for a, b in doc.headings)


def test_short_list_with_its_lead_in_is_one_passage() -> None:
    p = passage(DOC, f"{OV}/1/p5")
    assert p.text.startswith("WTDC-25 adopted: – New and revised resolutions.")
    assert p.text.endswith("New and revised study Questions for the ITU-D study groups.")
    assert passage(DOC, f"{OV}/1/p6").text == "WTDC-25 also featured a high-level segment."


def test_list_items_with_their_own_paragraphs_are_passages_with_the_lead_in() -> None:
    lead = "At its meetings in June 2023 and in May 2024, TDAG established the following working groups:"
    assert passage(DOC, f"{OV}/2/2.2/p2").text == lead
    items = [passage(DOC, f"{OV}/2/2.2/p{n}") for n in range(3, 8)]
    assert [p.lead_in for p in items] == [lead] * 5
    first = items[0]
    # the dash is not part of the words; the indented chair line belongs to the item
    assert first.text.startswith("TDAG Working Group on streamlining resolutions (TDAG-WG-SR) Chair:")
    assert "Ms Andrea Grippa (Brazil)" in first.text
    assert lead in first.context
    assert items[-1].text.startswith("TDAG Informal Coordination Group on the youth summit")
    assert passage(DOC, f"{OV}/2/2.2/p8").lead_in is None


def test_unnumbered_sub_headings_scope_their_paragraphs() -> None:
    p = passage(DOC, f"{OV}/4/committee-1-steering-committee/p1")
    assert p.text.startswith("Terms of reference: To coordinate all matters")
    assert p.path[-1] == "Committee 1: Steering Committee"
    assert p.citation == (
        "WTDC-25 Final Report, Conference overview, 4, Committee 1: Steering Committee, paragraph 1"
    )
    assert passage(DOC, f"{OV}/4/committee-1-steering-committee/p2").text.startswith(
        "This committee is composed of the chair"
    )
    # sibling headings do not nest in one another
    p5 = passage(DOC, f"{OV}/4/committee-5-editorial-committee/p1")
    assert "Committee 1: Steering Committee" not in p5.path
    assert passage(DOC, f"{OV}/4/p1").text.startswith("WTDC-25 adopted the following conference structure")


def test_presiding_officers_rows_join_rows_continuing_a_merged_cell() -> None:
    rows = _under(f"{OV}/5/table-1")
    assert [p.id.rsplit("/", 1)[1] for p in rows] == [
        "chair-of-the-conference",
        "vice-chairs-of-the-conference",
        "committee-1-steering-committee",
        "committee-2-budget-control-committee",
        "committee-3-objectives",
        "committee-4-itu-d-working-methods",
        "committee-5-editorial-committee",
        "working-group-of-the-plenary-strategic",
    ]
    vice = passage(DOC, f"{OV}/5/table-1/vice-chairs-of-the-conference")
    # six vice-chairs, five of them printed in rows whose first cell is merged with this one
    for name in ("Regina Fleur Assoumou Bessou", "Saif bin Ghelaita", "Inga Rimkevičienė"):
        assert name in vice.text
    assert vice.text.count("(") == 6
    c2 = passage(DOC, f"{OV}/5/table-1/committee-2-budget-control-committee")
    assert c2.text.startswith(
        "Committee 2 (Budget Control Committee) Chair: Mr Szabolcs Szentléleky (Hungary)"
    )
    assert c2.text.endswith("Mr Dirk-Oliver von der Emden (Switzerland)")
    assert c2.citation.endswith("Conference overview, 5, table 1, Committee 2 (Budget Control Committee)")
    # an uncaptioned table takes the sentence introducing it as the rows' lead-in
    assert c2.lead_in == (
        "Following adoption of the conference structure at its first plenary meeting, "
        "WTDC-25 elected the following officers:"
    )


def test_tdag_bureau_lists_chair_and_thirteen_vice_chairs() -> None:
    rows = _under(f"{OV}/8/table-1")
    assert [p.id.rsplit("/", 1)[1] for p in rows] == ["chair", "vice-chairs"]
    assert rows[0].text == "Chair: Ms Fleur Regina Assoumou Bessou (Côte d'Ivoire)"
    assert rows[1].text.count("(") == 13
    assert rows[1].text.endswith("Ms Inga Rimkevičienė (Lithuania)")


def test_single_row_study_group_tables_are_one_passage_each() -> None:
    sg1 = passage(DOC, f"{OV}/9/table-1")
    sg2 = passage(DOC, f"{OV}/9/table-2")
    assert sg1.citation == "WTDC-25 Final Report, Conference overview, 9, Study Group 1"
    assert sg1.lead_in == "Study Group 1" and sg2.lead_in == "Study Group 2"
    assert "Mr Roberto Mitsuake Hirayama (Brazil)" in sg1.text
    assert sg1.text.count("(") == 17
    assert sg2.text.count("(") == 14
    assert "Mr Fadel Digham (Egypt)" in sg2.text


def test_speakers_are_passages_under_their_day_and_session() -> None:
    speakers = [p for p in _under(f"{OV}/6") if not re.search(r"/p\d+$", p.id)]
    sessions = [re.search(r"session-(\d)", p.id).group(1) for p in speakers]  # type: ignore[union-attr]
    assert [sessions.count(s) for s in "1234"] == [15, 15, 15, 13]
    first = passage(
        DOC, f"{OV}/6/monday-17-november-2025/plenary-high-level-segment-session-1/pemmasani-chandra-sekhar"
    )
    assert first.text.startswith("H.E. Mr Pemmasani Chandra Sekhar Minister of State")
    assert first.text.endswith("India")
    assert first.path[-3:] == (
        "Monday, 17 November 2025",
        "Plenary – High-level segment – Session 1",
        "Speakers",
    )
    assert first.citation == (
        "WTDC-25 Final Report, Conference overview, 6, Monday, 17 November 2025, "
        "Plenary – High-level segment – Session 1, H.E. Mr Pemmasani Chandra Sekhar"
    )
    # session 2 sits under the same day; session 3 under the next one
    assert passage(
        DOC, f"{OV}/6/monday-17-november-2025/plenary-high-level-segment-session-2/rashad-nabiyev"
    ).text.endswith("Azerbaijan")
    # accents fold in ids; session 4 (printed without "Speakers") ids the same way
    last = passage(DOC, f"{OV}/6/tuesday-18-november-2025/plenary-high-level-segment-session-4/dusan-matulay")
    assert "Slovakia" in last.text
    assert "Speakers" not in last.path


# -- the real document: Baku Action Plan -----------------------------------------------------------


def test_action_plan_sections_nest_and_cite_by_number() -> None:
    intro = passage(DOC, f"{AP}/1/p1")
    assert intro.text.startswith(
        "The Baku Action Plan describes the ITU Telecommunication Development Sector"
    )
    assert intro.path[-2:] == ("Part II – Baku Action Plan", "1 Introduction")
    p = passage(DOC, f"{AP}/1/1.1/p5")
    assert p.path[-2:] == ("1 Introduction", "1.1 Alignment with the ITU strategic framework")
    assert p.citation == "WTDC-25 Final Report, Baku Action Plan, 1.1, paragraph 5"
    assert "Resolution 70 (Rev. Bucharest, 2022)" in p.text
    assert len(_under(f"{AP}/1")) == 4 + 5


def test_terminology_terms_are_headings_of_their_definitions() -> None:
    p = passage(DOC, f"{AP}/2/outcomes/p1")
    assert p.text.startswith("Outcomes represent changes in institutional and behavioural capacities")
    assert p.path[-2:] == ("2 Terminology", "Outcomes")
    assert p.citation == "WTDC-25 Final Report, Baku Action Plan, 2, Outcomes, paragraph 1"
    assert len(_under(f"{AP}/2/indicators")) == 5
    assert passage(DOC, f"{AP}/2/results-based-management/p1").text.startswith("RBM is a management strategy")


def test_priority_outcome_tables_group_indicators_under_their_outcome() -> None:
    priorities = {
        "affordable-connectivity": 3,
        "digital-transformation": 6,
        "enabling-policy-and-regulatory-environment": 3,
        "resource-mobilization-and-international-cooperation": 3,
        "inclusive-safe-and-secure-telecommunications-icts": 4,
    }
    for slug, outcomes in priorities.items():
        rows = _under(f"{AP}/3/3.2/{slug}/table-1")
        assert len(rows) == outcomes, slug
        assert all(
            r.lead_in == "Outcomes | Indicators" and r.path[-1] == "Outcomes and indicators" for r in rows
        )
    infra = passage(
        DOC,
        f"{AP}/3/3.2/affordable-connectivity/table-1/improved-telecommunication-ict-infrastructure-and-services",
    )
    # the outcome and its seven indicators, six of them printed in rows continuing the merged outcome cell
    assert infra.text.startswith("Improved telecommunication/ICT infrastructure and services")
    for indicator in (
        "Percentage reduction in broadband (fixed and mobile) costs relative to household income",
        "Percentage of individuals who own a mobile phone",
        "entry-level fixed broadband data basket available at no more than 2% of GNI per capita",
    ):
        assert indicator in infra.text
    assert infra.citation.startswith(
        "WTDC-25 Final Report, Baku Action Plan, 3.2, Affordable connectivity, Outcomes and indicators, "
        "Improved telecommunication/ICT infrastructure"
    )
    assert infra.citation.endswith("…")


def test_priority_text_keeps_its_footnote_marker_and_the_footnote_is_a_passage() -> None:
    p = passage(DOC, f"{AP}/3/3.2/affordable-connectivity/p1")
    assert p.text.endswith("addressing barriers to rural connectivity in developing countries1.")
    fn1 = passage(DOC, f"{AP}/fn-1")
    assert fn1.kind == "footnote" and fn1.label == "1"
    assert fn1.text.startswith("These include the least developed countries")
    assert fn1.citation == "WTDC-25 Final Report, Baku Action Plan, footnote 1"
    assert passage(DOC, f"{AP}/fn-2").label == "2"


def test_figures_are_passages_with_caption_and_image_text() -> None:
    fig = passage(DOC, f"{AP}/3/3.1/figure-1")
    assert fig.text.startswith("Figure 1: Structure of the Baku Action Plan")
    assert "[image: Figure 1 shows the structure" in fig.text
    assert fig.citation == "WTDC-25 Final Report, Baku Action Plan, 3.1, Figure 1"
    assert passage(DOC, f"{AP}/7/figure-2").text.startswith("Figure 2: Linkages between ITU-D priorities")


def test_outputs_and_support_services_lists_are_cited_whole() -> None:
    outputs = passage(DOC, f"{AP}/3/3.3/p2")
    assert outputs.text.startswith("Outputs are inherently cross-cutting")
    assert outputs.text.endswith("– Statistics – Technical interventions.")
    support = passage(DOC, f"{AP}/3/3.4/organizational-excellence/support-services/p1")
    assert support.text.startswith("To ensure effective and efficient delivery")
    assert support.text.endswith("coordination with the other ITU Sectors.")
    assert support.path[-2:] == ("Organizational excellence", "Support services")


def test_bulleted_enablers_nest_under_organizational_excellence() -> None:
    regional = _under(f"{AP}/3/3.4/organizational-excellence/regional-presence")
    assert len(regional) == 4
    assert regional[0].text.startswith("As an extension of ITU as a whole, the regional presence")
    assert regional[0].citation == (
        "WTDC-25 Final Report, Baku Action Plan, 3.4, Organizational excellence, Regional presence, "
        "paragraph 1"
    )
    assert len(_under(f"{AP}/3/3.4/organizational-excellence/membership-driven")) == 2


def test_annex_tables_keep_their_headers_as_lead_in() -> None:
    template = passage(DOC, f"{AP}/annex/table-1")
    assert template.kind == "table-row"
    assert (
        template.citation
        == "WTDC-25 Final Report, Baku Action Plan, Annex, Template for performance evaluation"
    )
    assert template.text == (
        "As agreed at WTDC-25. "
        "To be developed by the Director of BDT and agreed at TDAG-26, with annual review."
    )
    assert template.lead_in == (
        "Template for performance evaluation – "
        "Outcomes | Outcome indicators | Outputs | Output indicators | Targets"
    )
    example = passage(DOC, f"{AP}/annex/table-2/improved-broadband-connectivity-in-developing-countries")
    assert "50+ countries supported" in example.text
    assert example.lead_in is not None and example.lead_in.startswith("An illustrative example: – Outcomes |")
    note = passage(DOC, f"{AP}/annex/table-2/note")
    assert note.kind == "footnote" and note.text.startswith("* Result chains")


def test_contribution_to_strategic_plan_priorities_and_outcome_cells() -> None:
    chapter = f"{AP}/contribution-2028-2031/itu-d-priorities"
    paragraphs = [p for p in _under(chapter) if p.kind == "paragraph"]
    items = [p for p in paragraphs if p.lead_in is None]
    assert [p.text.split(":")[0] for p in items] == [
        "Affordable connectivity",
        "Digital transformation",
        "Enabling policy and regulatory environments",
        "Resource mobilization and international cooperation",
        "Inclusive, safe and secure telecommunications/ICTs for sustainable development",
    ]
    # a long item is cited paragraph by paragraph, the later ones led in by the item's label
    assert len(paragraphs) == 11
    p9 = passage(DOC, f"{chapter}/p9")
    assert p9.text.startswith("To address these gaps so that there is broad access")
    assert p9.lead_in == "Resource mobilization and international cooperation"
    assert p9.citation == (
        "WTDC-25 Final Report, Baku Action Plan, ITU-D contribution to the strategic and financial plans "
        "for 2028–2031, ITU-D priorities, paragraph 9"
    )
    assert passage(DOC, f"{chapter}/p1").text.endswith("rural connectivity in developing countries2.")
    cell = passage(DOC, f"{chapter}/table-1/outcomes/digital-transformation")
    assert cell.kind == "table-cell"
    assert cell.text.startswith("• Enhanced capacity to accelerate digital transformation")
    assert cell.text.count("•") == 6
    assert cell.lead_in == "Priorities: Digital transformation"
    assert cell.path[-1] == "Outcomes"


# -- snippets --------------------------------------------------------------------------------------


def _parse(text: str, parser=parse_overview) -> ParsedDocument:  # type: ignore[no-untyped-def]
    meta = DocumentMeta(
        id="t", file="t.txt", title="T", short_title="T", event="e", date="d", kind="conference-final-report"
    )
    ctx = ParseContext(meta=meta, text=text)
    root = Node(kind="document", slug="", title="T")
    region = root.add(Node(kind="part", slug="r", title="Region"))
    region.children.extend(parser(ctx, ctx.lines))
    return build_document(ctx, root)


def _ids(doc: ParsedDocument) -> list[str]:
    return [p.id for p in doc.passages]


# The Word export's skeleton: a table opens at depth 4, a row is bracketed by whitespace lines at
# depth 5, a cell opens at depth 7 (where its text is) and closes at depth 6.
def _row(*cells: str) -> list[str]:
    lines = ["\t" * 5]
    for c in cells:
        lines += ["\t" * 7, "\t" * 7 + c, "", "\t" * 6]
    return lines + ["\t" * 5, ""]


def _table(*rows: list[str]) -> list[str]:
    return ["\t" * 3, "\t" * 4, "\t" * 4, *[line for r in rows for line in r], "\t" * 3, ""]


def test_snippet_merged_first_cell_rows_join_the_row_above() -> None:
    text = "\n".join(
        [
            "\t\t\t1\tOfficers",
            "",
            *_table(
                _row("Chair:", "Ms A (X)"),
                _row("Vice-chairs:", "Mr B (Y)"),
                _row("Ms C (Z)"),
                _row("Mr D (W)"),
            ),
        ]
    )
    doc = _parse(text)
    assert _ids(doc) == ["t/r/1/table-1/chair", "t/r/1/table-1/vice-chairs"]
    assert doc.passages[1].text == "Vice-chairs: Mr B (Y) Ms C (Z) Mr D (W)"
    assert doc.passages[1].lead_in is None  # "Chair:" ends with a colon: a data row, not a header


def test_snippet_header_row_becomes_lead_in_and_soft_breaks_stay_in_their_cell() -> None:
    rows = _table(_row("Name", "When"), _row("Alpha", "1 May"), _row("Beta", "2 May"))
    # a soft line break: the cell's text continues at depth 0
    rows[rows.index("\t\t\t\t\t\t\t1 May")] = "\t\t\t\t\t\t\t1\nMay"
    text = "\n".join(["\t\t\t2\tMeetings", "", "\t\t\tMeetings held", "", *rows])
    doc = _parse(text)
    assert _ids(doc) == ["t/r/2/table-1/alpha", "t/r/2/table-1/beta"]
    assert doc.passages[0].text == "Alpha 1 May"
    assert doc.passages[0].lead_in == "Name | When"
    assert doc.passages[0].path[-1] == "Meetings held"
    assert not measure_coverage(doc, text).uncovered


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # short items, no paragraphs of their own: the lead-in and the list are one passage
        (["\t\t\t–\tOne.", "\t\t\t–\tTwo."], ["t/r/1/p1"]),
        # an item with an indented paragraph of its own: every item is cited alone
        (["\t\t\t–\tOne", "\t\t\t\tChair: Someone", "\t\t\t–\tTwo"], ["t/r/1/p1", "t/r/1/p2", "t/r/1/p3"]),
    ],
)
def test_snippet_list_grouping(items: list[str], expected: list[str]) -> None:
    text = "\n\n".join(["\t\t\t1\tLists", "\t\t\tThe list:", *items])
    doc = _parse(text)
    assert _ids(doc) == expected
    if len(expected) > 1:
        assert doc.passages[1].lead_in == "The list:"
        assert doc.passages[1].text == "One Chair: Someone"


def test_snippet_consecutive_headings_nest_and_a_look_alike_replaces_its_sibling() -> None:
    text = "\n\n".join(
        [
            "\t\t\t6\tStatements",
            "\t\t\tMonday, 1 May",
            "\t\t\tSession 1",
            "\t\t\tFirst said something.",
            "\t\t\tSession 2",
            "\t\t\tSecond said something.",
            "\t\t\tTuesday, 2 May",
            "\t\t\tThird said something.",
        ]
    )
    doc = _parse(text)
    assert _ids(doc) == [
        "t/r/6/monday-1-may/session-1/p1",
        "t/r/6/monday-1-may/session-2/p1",
        "t/r/6/tuesday-2-may/p1",
    ]
    assert doc.passages[1].citation == "T, Conference overview, 6, Monday, 1 May, Session 2, paragraph 1"


def test_snippet_region_title_is_a_heading_and_footnotes_go_to_the_region() -> None:
    text = "\n\n".join(
        [
            "\t\t\tBaku Action Plan",
            "\t\t\t1\tIntroduction",
            "\t\t\tFocus on developing countries1.",
            "\t\t\t\t",
            "\t\t\t\t\t\t1\tThese include the least developed countries.",
        ]
    )
    doc = _parse(text, parse_action_plan)
    assert _ids(doc) == ["t/r/1/p1", "t/r/fn-1"]
    fn = doc.passages[1]
    assert (fn.kind, fn.label, fn.text) == ("footnote", "1", "These include the least developed countries.")
    assert fn.citation == "T, Baku Action Plan, footnote 1"
    assert not measure_coverage(doc, text).uncovered


def test_snippet_table_cell_without_words_is_layout() -> None:
    text = "\n".join(["\t\t\t1\tSection", "", *_table(_row("Name", "—"), _row("—", "—"))])
    doc = _parse(text)
    assert _ids(doc) == ["t/r/1/table-1"]
    assert doc.passages[0].text == "Name"
    cov = measure_coverage(doc, text)
    assert len(cov.layout_lines) == 3 and not cov.uncovered


def test_snippet_line_without_words_is_layout() -> None:
    text = "\n\n".join(["\t\t\t1\tSection", "\t\t\tWords here.", "\t\t\t—"])
    doc = _parse(text)
    assert _ids(doc) == ["t/r/1/p1"]
    cov = measure_coverage(doc, text)
    assert cov.layout_lines == (5,) and not cov.uncovered


_LINES = st.sampled_from(
    [
        "\t\t\t1\tBackground",
        "\t\t\t2.1\tSub section",
        "\t\t\tA paragraph of words.",
        "\t\t\tA lead-in:",
        "\t\t\t–\tAn item.",
        "\t\t\t\tIndented words.",
        "\t\t\tA Heading",
        "\t\t\t•\tBullet heading",
        "\t\t\tFigure 3: Caption",
        "\t\t\t[image: something]",
        "\t\t\tMr Somebody\t\nMinister, Country",
        "\t\t\t\t\t\t2\tA footnote.",
        "\t\t\t\t",
        "\t\t\t\t\t",
        "\t\t\t\t\t\t",
        "\t\t\t\t\t\t\t",
        "\t\t\t\t\t\t\tCell words",
        "\t\t\t\t\t\t\t–",
        "(continued)",
        "",
        "\t\t\t—",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINES, max_size=40), st.booleans())
def test_snippet_any_mix_of_shapes_parses_with_valid_spans(lines: list[str], plan: bool) -> None:
    text = "\n".join(lines)
    doc = _parse(text, parse_action_plan if plan else parse_overview)
    spans = sorted((p.start, p.end) for p in doc.passages)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
    for p in doc.passages:
        assert clean_text(text[p.start : p.end]).endswith(p.text), p.id
    assert len(set(_ids(doc))) == len(doc.passages)
    assert not measure_coverage(doc, text).uncovered
