"""The WSIS roadmap tables: outcome items as rows, a passage per cell (or per part of a long narrative
cell), cells re-assembled across breaks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.parse import parse_document, tables
from rag.parse.coverage import measure_coverage
from rag.parse.spans import clean_text
from rag.parse.tables import MIN_PART_CHARS, SPLIT_CHARS, parse_roadmaps, split_cell
from rag.parse.tree import ParseContext, build_document
from rag.types import DocumentMeta, ParsedDocument
from tests.conftest import parsed_doc, passage, source_text

DOC = "wsis-roadmaps-2025"

# Outcome items per action line and group, written down from reading the file. The C4 table as
# extracted has no items D, K, L or N; C2 and C4 print no group row before their WSIS+10 items.
EXPECTED_ITEMS = {
    "c2": list("abcdefghijkl"),
    "c2/wsis10": list("abcd"),
    "c4": list("abcefghijmo"),
    "c4/wsis10": list("abcd"),
    "c5": ["a1", "a2", "b1", "b2", "b3", "b4", "b5", *"cdefghij"],
    "c5/wsis10": list("abcdef"),
    "c6": list("abcdefghijklmnopqr"),
    "c6/wsis10": list("abcdef"),
}


def _doc() -> ParsedDocument:
    return parsed_doc(DOC)


def _p(rel_id: str):  # type: ignore[no-untyped-def]
    return passage(DOC, f"{DOC}/{rel_id}")


def _parts(rel_id: str) -> list:  # type: ignore[type-arg]
    """The parts of a split cell, in order (``c2/b/analysis`` -> ``c2/b/analysis/1``, ``/2``, ...)."""
    prefix = f"{DOC}/{rel_id}/"
    found = [p for p in _doc().passages if p.id.startswith(prefix) and p.id[len(prefix) :].isdigit()]
    assert found, f"{rel_id} is not split"
    return found


def _cell_text(rel_id: str) -> str:
    return " ".join(p.text for p in _parts(rel_id))


def _in_order(text: str, *phrases: str) -> bool:
    positions = [text.find(p) for p in phrases]
    return all(i >= 0 for i in positions) and positions == sorted(positions)


def test_roadmaps_parse_without_warnings_or_fallback() -> None:
    doc = _doc()
    assert doc.warnings == ()
    assert all(p.kind in {"table-cell", "paragraph"} for p in doc.passages)
    # 76 outcome items (16 + 15 + 21 + 24) with 323 non-empty cells, plus title and introduction;
    # 41 long narrative cells are split into 276 parts, so 323 - 41 + 276 + 2 passages
    parts = [p for p in doc.passages if p.id.rsplit("/", 1)[1].isdigit()]
    assert len({p.id.rsplit("/", 1)[0] for p in parts}) == 41
    assert len(parts) == 276
    assert len(doc.passages) == 560


@pytest.mark.parametrize("group", sorted(EXPECTED_ITEMS))
def test_every_outcome_item_of_every_action_line_is_found(group: str) -> None:
    prefix = f"{DOC}/{group}/"
    found = []
    for p in _doc().passages:
        if p.id.startswith(prefix) and p.id.endswith("/outcome"):
            rest = p.id[len(prefix) : -len("/outcome")]
            if "/" not in rest:
                found.append(rest)
    assert found == EXPECTED_ITEMS[group]


def test_c2_item_b_analysis_is_reassembled_across_two_page_breaks() -> None:
    parts = _parts("c2/b/analysis")
    assert all(p.kind == "table-cell" for p in parts)
    assert (
        parts[0].citation == "ITU WSIS Roadmaps 2025, Action Line C2, item B, evidence-based analysis, part 1"
    )
    # printed on lines 32, 35 and 38 with separator rows between them
    text = source_text(DOC)
    spans = [span for p in parts for span in p.spans]
    assert len({text.count("\n", 0, a) for a, _ in spans}) == 3
    assert _in_order(
        _cell_text("c2/b/analysis"),
        "In 2025, activities focused on supporting national e-strategies",
        "remained a central operational tool, supporting more than 40 countries in streamlining",
        "technical assistance to support the development of ICT connectivity indicators",
        "inclusive and sustainable digital development.",
    )
    for a, b in spans:
        assert "---" not in text[a:b] and "\n" not in text[a:b]


def test_cell_carries_its_outcome_text_as_lead_in_and_context() -> None:
    p = _p("c5/b1/analysis")
    assert p.instrument == "WSIS Action Line C5"
    assert p.instrument_title == "Building confidence and security in the use of ICTs"
    assert p.lead_in is not None and p.lead_in.startswith("B1: Governments, in cooperation with the private")
    assert p.lead_in.endswith("Developing guidelines that take into account ongoing efforts in these areas")
    assert p.lead_in in p.context
    assert p.text.startswith("Council Documents C15/18")


def test_outcome_cell_keeps_its_label_apart_from_its_text() -> None:
    p = _p("c2/b/outcome")
    assert p.label == "B:"
    assert p.text.startswith("In the context of national e-strategies, devise appropriate universal access")
    assert p.citation == "ITU WSIS Roadmaps 2025, Action Line C2, item B, WSIS outcome"
    assert p.path[-1].startswith("B: In the context of national e-strategies")
    # the label is the row's heading, outside the passage, and still covered
    text = source_text(DOC)
    assert text[p.start - 3 : p.start].strip() == "B:"
    assert any(text[a:b] == "B:" for a, b in _doc().headings)


def test_outcome_split_by_page_breaks_keeps_its_sub_points_in_one_item() -> None:
    p = _p("c2/d/outcome")
    assert len(p.fragments) == 3
    assert _in_order(
        p.text, "other relevant international organizations in order to:", "D1: broaden", "D4: explore"
    )
    assert not [q.id for q in _doc().passages if re.search(r"/c2/d\d", q.id)]


@pytest.mark.parametrize(
    ("rel_id", "timing"),
    [
        ("c2/a/timing", "2020- 2025"),
        ("c2/b/timing", "2020-2025"),
        ("c2/d/timing", "2020-2030"),
        ("c4/a/timing", "Continuous"),
        ("c4/c/timing", "2017 to 2030"),
        ("c4/g/timing", "2016-2030"),
        ("c4/m/timing", "2012 to date"),
        ("c5/a1/timing", "2023-2025"),
        ("c6/a/timing", "2024-2025"),
    ],
)
def test_timing_cells_hold_the_printed_period(rel_id: str, timing: str) -> None:
    p = _p(rel_id)
    assert p.text == timing
    assert p.citation.endswith(", proposed timing")


def test_items_without_a_timing_cell_have_no_timing_passage() -> None:
    ids = {p.id for p in _doc().passages}
    assert f"{DOC}/c4/f/outcome" in ids and f"{DOC}/c4/f/timing" not in ids
    assert f"{DOC}/c6/b/timing" not in ids
    # the C6 table's COVID-19 Response column is empty throughout
    assert not [i for i in ids if i.endswith("/covid")]


@pytest.mark.parametrize(
    ("rel_id", "phrases"),
    [
        # split by a page break mid-phrase: "SDG 8: Decent Work and | Economic Growth"
        ("c2/g/sdgs", (".SDG 8: Decent Work and", "Economic Growth", "SDG 9: Industry, Innovation")),
        # SDG targets continued on the next line
        ("c5/a1/sdgs", ("1.4, 4.1, 4.3", "9.1,", "9.c, 11.3, 11.b, 16.2, 17.8")),
        ("c5/d/sdgs", ("9.1, 9.c",)),
        ("c4/b/sdgs", ("SDG 4 (Quality Education)", "SDG 17 (Partnerships for the Goals)")),
        ("c4/c/sdgs", ("SDG 8 calls for sustainable economic growth", "support job creation")),
    ],
)
def test_sdg_linkage_cells_are_whole(rel_id: str, phrases: tuple[str, ...]) -> None:
    p = _p(rel_id)
    assert p.citation.endswith(", linkages with SDGs")
    assert _in_order(p.text, *phrases), p.text


def test_goals_cell_printed_one_word_group_per_line_is_one_passage() -> None:
    # C2 item F lists "Goal 1", "Goal 2", "Buenos Aires", "Action Plan", ... on lines of their own
    p = _p("c2/f/goals")
    assert len(p.fragments) == 11
    assert p.text.endswith(
        "Goal 1 Goal 2 Buenos Aires Action Plan Objective 2 Buenos Aires Action Plan Objective 4"
    )


def test_lines_that_lost_their_tabs_continue_the_cell_left_mid_sentence() -> None:
    # C4 item J: an untabbed line ends the outcome, the next continues the analysis
    outcome = _p("c4/j/outcome")
    assert outcome.text.endswith(
        "including country programmes developed by the United Nations and its Specialized Agencies."
    )
    assert _in_order(
        _cell_text("c4/j/analysis"),
        "several sessions focusing on the topic of digital skills were organized",
        "particularly addressing challenges linked to the digital skills gap",
        "supporting the work of these capacity development programmes.",
    )


def test_wsis10_items_get_their_own_group_and_citation() -> None:
    p = _parts("c6/wsis10/b/results")[0]
    assert p.citation == (
        "ITU WSIS Roadmaps 2025, Action Line C6, WSIS+10, item b, expected and achieved results, part 1"
    )
    assert p.path[2].startswith("WSIS+10 Outcome Documents")
    assert _in_order(
        _cell_text("c6/wsis10/b/results"),
        "BDT released the Connectivity Planning Platform",
        "it builds national and regional expertise",
    )
    # C2 prints no WSIS+10 group row: its lower-case items are still kept apart from A-L
    assert _p("c2/wsis10/a/outcome").text.startswith("Develop a well-planned, well-maintained, robust")
    assert _p("c2/a/outcome").text.startswith("Governments should take action")


def test_long_narrative_cells_are_parts_cut_at_bullets_and_sub_headings() -> None:
    parts = _parts("c2/a/results")
    assert [p.id.rsplit("/", 1)[1] for p in parts] == [str(n) for n in range(1, len(parts) + 1)]
    assert parts[0].text.startswith("Expected Results: Implementation of a reference framework")
    # the sub-heading opens the part of the bullets it introduces
    assert parts[2].text.startswith("ITU Activities (Aligned with SDG Goals): • Regulatory Support:")
    assert parts[2].citation.endswith("item A, expected and achieved results, part 3")
    # a bullet cut by a page break ("... The International Telecommunication | Union, through ...")
    # stays in one part, across its two fragments
    assert "The International Telecommunication Union, through its Telecommunication" in parts[2].text
    assert len(parts[2].fragments) == 2
    for p in parts:
        assert p.lead_in is not None and p.lead_in.startswith("A: Governments should take action")
        assert p.lead_in in p.context
        assert "Expected and Achieved results" in p.path[-1]
        assert MIN_PART_CHARS <= len(p.text) <= 900, (p.id, len(p.text))


def test_bulletless_narrative_cells_are_cut_at_sentence_ends() -> None:
    parts = _parts("c4/j/analysis")
    assert len(parts) >= 4
    for p in parts:
        assert p.text[0].isupper() and p.text.endswith("."), p.text


def test_every_long_narrative_cell_is_split_and_outcomes_and_reference_lists_stay_whole() -> None:
    for p in _doc().passages:
        column = p.id.split("/")[-1]
        if column in {"analysis", "results", "covid"}:
            assert len(p.text) <= SPLIT_CHARS, p.id
        if column.isdigit():
            assert len(p.text) <= 900, (p.id, len(p.text))
    # agreed WSIS text and lists of resolutions are cited whole however long
    assert len(_p("c6/b/outcome").text) > 1000
    assert len(_p("c2/d/goals").text) > SPLIT_CHARS


def test_parts_hold_exactly_the_words_of_the_whole_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    split = {p.id.rsplit("/", 1)[0]: p for p in _doc().passages if p.id.rsplit("/", 1)[1].isdigit()}
    monkeypatch.setattr(tables, "SPLIT_CHARS", 10**9)
    whole = {p.id: p for p in parse_document(_doc().meta, source_text(DOC)).passages}
    assert len(whole) == 325
    text = source_text(DOC)
    for cell_id in split:
        rel = cell_id[len(DOC) + 1 :]
        squash = re.sub(r"\W+", "", _cell_text(rel))
        assert squash == re.sub(r"\W+", "", whole[cell_id].text), cell_id
        # the parts' spans hold the cell's words, and nothing outside the cell's pieces
        cell_spans = whole[cell_id].spans
        for p in _parts(rel):
            for a, b in p.spans:
                assert any(x <= a and b <= y for x, y in cell_spans), (p.id, text[a:b][:40])


def test_roman_sub_points_inside_an_outcome_are_not_items() -> None:
    b = _p("c6/b/outcome")
    assert _in_order(
        b.text,
        "working group on Internet governance",
        "i. Develop a working definition",
        "iv. [Prepare a report",
    )
    assert _p("c6/i/outcome").text.startswith(
        "Governments and stakeholders should actively promote user education"
    )


def test_title_and_introduction_are_paragraph_passages() -> None:
    title = _p("title")
    assert title.kind == "paragraph" and title.text == "WSIS Action Lines Roadmaps C2, C4, C5, C6 (2025)"
    intro = _p("intro")
    assert intro.kind == "paragraph"
    assert "Sole Facilitator for Action Line C2" in intro.text
    assert intro.citation == "ITU WSIS Roadmaps 2025, introduction"


def test_table_and_header_rows_are_headings_and_separators_are_layout() -> None:
    doc = _doc()
    text = source_text(DOC)
    headings = {text[a:b].split("\t")[0] for a, b in doc.headings}
    assert "Roadmap for WSIS Action Line C5: Building confidence and security in the use of ICTs" in headings
    assert "WSIS Outcomes (WSIS AL C2)" in headings
    assert "Geneva Plan of Action and Tunis Agenda for the Information Society" in headings
    cov = measure_coverage(doc, text)
    lines = text.split("\n")
    assert cov.uncovered == ()
    assert all(re.fullmatch(r"[-\t]+", lines[n - 1]) for n in cov.layout_lines)
    assert cov.layout == sum(1 for line in lines if re.fullmatch(r"-+(\t-+)+", line))


def test_passage_text_has_no_markup_left() -> None:
    for p in _doc().passages:
        assert not re.search(r"</?(p|ul|i|u)\b|style=", p.text), p.id


# --- snippets -------------------------------------------------------------------------------------


def _parse(text: str) -> ParsedDocument:
    meta = DocumentMeta(
        id="snippet",
        file="snippet.txt",
        title="Snippet",
        short_title="S",
        event="",
        date="",
        kind="wsis-roadmaps",
    )
    return parse_document(meta, text)


_TWO_ROWS = (
    "Roadmap for WSIS Action Line C9: Testing\n"
    "\n"
    "WSIS Outcomes (WSIS AL C9)\tProposed Timing\tEvidence-based analysis\n"
    "A: Do the first\t2020-2025\t<p>Coverage grew in\n"
    "\n"
    "---\t--\t---\n"
    "\n"
    "<p>thing</p>\t\t<p>rural areas.</p>\n"
    "B: Do the second\tContinuous\tDone.\n"
)


def test_snippet_cell_continued_after_a_break_is_one_passage_with_fragments() -> None:
    doc = _parse(_TWO_ROWS)
    assert doc.warnings == ()
    by_id = {p.id: p for p in doc.passages}
    analysis = by_id["snippet/c9/a/analysis"]
    assert analysis.text == "Coverage grew in rural areas."
    assert [_TWO_ROWS[a:b] for a, b in analysis.fragments] == ["<p>Coverage grew in", "<p>rural areas.</p>"]
    assert by_id["snippet/c9/a/outcome"].text == "Do the first thing"
    assert by_id["snippet/c9/a/timing"].text == "2020-2025"
    assert by_id["snippet/c9/b/analysis"].citation == "S, Action Line C9, item B, evidence-based analysis"
    assert sorted(by_id) == [
        "snippet/c9/a/analysis",
        "snippet/c9/a/outcome",
        "snippet/c9/a/timing",
        "snippet/c9/b/analysis",
        "snippet/c9/b/outcome",
        "snippet/c9/b/timing",
    ]
    cov = measure_coverage(doc, _TWO_ROWS)
    assert cov.uncovered == () and cov.layout_lines == (6,)
    # the row's opening tag before "thing" is inside the outcome fragment, not lost
    assert by_id["snippet/c9/a/outcome"].fragments[1] == (
        _TWO_ROWS.index("<p>thing"),
        _TWO_ROWS.index("\t\t<p>rural"),
    )


def test_snippet_sub_point_label_continues_its_item_and_lower_case_items_form_wsis10() -> None:
    text = (
        "Roadmap for WSIS Action Line C2: Infra\n"
        "WSIS Outcomes (WSIS AL C2)\tProposed Timing\n"
        "<p>D: Develop networks in order to:</p>\t2020\n"
        "D1: broaden access\t\n"
        "E: Encourage design\t2021\n"
        "a. Develop broadband\t2022\n"
    )
    doc = _parse(text)
    ids = [p.id for p in doc.passages]
    assert ids == [
        "snippet/c2/d/outcome",
        "snippet/c2/d/timing",
        "snippet/c2/e/outcome",
        "snippet/c2/e/timing",
        "snippet/c2/wsis10/a/outcome",
        "snippet/c2/wsis10/a/timing",
    ]
    assert doc.passages[0].text == "Develop networks in order to: D1: broaden access"
    assert measure_coverage(doc, text).uncovered == ()


def test_snippet_without_roadmap_headings_falls_back_to_paragraphs_with_a_warning() -> None:
    doc = _parse("Some text\n\nMore text\n")
    assert [p.text for p in doc.passages] == ["Some text", "More text"]
    assert doc.warnings and "snippet.txt:1:" in doc.warnings[0]


def _one(text: str) -> list[str]:
    return [clean_text(" ".join(text[a:b] for a, b in part)) for part in split_cell(text, [(0, len(text))])]


def test_split_cell_leaves_a_cell_up_to_the_limit_whole() -> None:
    cell = "<p>" + "Short. " * 80 + "</p>"  # 560 characters
    assert len(clean_text(cell)) <= SPLIT_CHARS
    assert split_cell(cell, [(0, len(cell))]) == [[(0, len(cell))]]


def test_split_cell_cuts_at_bullets_and_a_sub_heading_opens_the_next_part() -> None:
    bullet = "a point about broadband maps and the tools that go with them for planners. "
    cell = (
        "<p>Expected Results:</p> • "
        + bullet * 3
        + "• "
        + bullet * 3
        + "<p>ITU Activities:</p> • "
        + bullet * 3
    )
    parts = _one(cell)
    assert len(parts) == 3
    assert parts[0].startswith("Expected Results: • a point")
    assert parts[1].startswith("• a point")
    assert parts[2].startswith("ITU Activities: • a point")


def test_split_cell_joins_short_units_to_the_next_and_a_short_last_one_to_the_one_before() -> None:
    long = "Some longer sentence about regional initiatives and their projects in each region. " * 3
    cell = f"<p>{long}</p><p>Tiny one.</p><p>{long}</p><p>{long}</p><p>End.</p>"
    parts = _one(cell)
    assert len(parts) == 3
    assert parts[1].startswith("Tiny one. Some longer")
    assert parts[2].endswith("End.")


def test_split_cell_does_not_cut_at_the_paragraph_tag_of_a_sentence_continued_after_a_page_break() -> None:
    first = "<p>" + "Words of a long sentence running on. " * 10 + "and then it goes on to the"
    second = "<p>next page where it ends.</p> <p>" + "A new paragraph starts here. " * 10 + "</p>"
    text = first + "\n---\t--\n" + second
    pieces = [(0, len(first)), (len(text) - len(second), len(text))]
    parts = split_cell(text, pieces)
    assert len(parts) == 2
    assert clean_text(" ".join(text[a:b] for a, b in parts[0])).endswith("to the next page where it ends.")
    assert len(parts[0]) == 2  # the first part spans the break


def test_split_cell_cuts_a_long_paragraph_at_sentence_ends() -> None:
    cell = "<p>" + " ".join(
        f"Sentence number {n} tells about one more event held this year." for n in range(30)
    )
    parts = _one(cell)
    assert len(parts) >= 3
    assert all(p.startswith("Sentence number") and p.endswith("this year.") for p in parts)
    assert all(len(p) <= tables.PART_CHARS + 80 for p in parts)


_LINE_SHAPES = [
    "",
    "Roadmap for WSIS Action Line C7: Shapes",
    "WSIS Outcomes (WSIS AL C7)\tProposed Timing\tLinkages with SDGs\tCOVID-19 Response",
    "Geneva Plan of Action and Tunis Agenda for the Information Society\t\t",
    "WSIS+10 Outcome Documents (WSIS+10 Vision)\t\t",
    "---\t--\t---",
    "A: Do things\t2020-2025\t<p>SDG 9",
    "<p>B1: Governments should\t\t<i>SDG 1</i></p>",
    "B2: Governments should\t2023\t",
    "b. Develop broadband\tContinuous\tSDG 4",
    "c. Collaborate\t\t\t\textra cell",
    "A:\t2020",
    "<p>A: </p>\t<p></p>",
    "\t\t<p>continued text</p>",
    "continued without tabs",
    "ends a sentence.",
    '<ul style="list-style-type: none"> • item',
    "\t•\t",
    # long narrative cells (the fourth column is COVID-19 Response), to be split into parts
    "d. Report\t\t\t<p>"
    + "An event was held in the region this year. " * 20
    + "</p> • A bullet on maps. " * 8,
    "\t\t\t<p>Expected Results:</p> • " + "Training for regulators on spectrum; " * 25,
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_LINE_SHAPES), max_size=25))
def test_property_any_mix_of_roadmap_lines_parses_with_valid_disjoint_spans_and_full_coverage(
    lines: list[str],
) -> None:
    text = "\n".join(lines)
    meta = DocumentMeta(
        id="prop", file="prop.txt", title="P", short_title="P", event="", date="", kind="wsis-roadmaps"
    )
    ctx = ParseContext(meta=meta, text=text)
    doc = build_document(ctx, parse_roadmaps(ctx))  # raises on an empty passage; must not
    spans = sorted(span for p in doc.passages for span in p.spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
    for p in doc.passages:
        assert p.text == clean_text(" ".join(text[a:b] for a, b in p.spans)) or p.label
    assert measure_coverage(doc, text).uncovered == ()
