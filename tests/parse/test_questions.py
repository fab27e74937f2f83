"""ITU-D study Questions (Part V of the WTDC-25 report) and the report's closing annexes."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.parse import tabtext
from rag.parse.coverage import measure_coverage
from rag.parse.questions import parse_questions
from rag.parse.spans import split_lines
from rag.parse.tree import Node, ParseContext, build_document
from rag.types import DocumentMeta, ParsedDocument
from tests.conftest import parsed_doc, passage, source_text

DOC = "wtdc-25-final-report"


def _p(pid: str):  # type: ignore[no-untyped-def]
    return passage(DOC, f"{DOC}/{pid}")


def _ids_under(prefix: str) -> list[str]:
    return [
        p.id.removeprefix(f"{DOC}/") for p in parsed_doc(DOC).passages if p.id.startswith(f"{DOC}/{prefix}/")
    ]


def _children(prefix: str) -> list[str]:
    """Last id segments of the passages directly under ``prefix``."""
    depth = prefix.count("/") + 1
    return [i.rsplit("/", 1)[1] for i in _ids_under(prefix) if i.count("/") == depth]


def _part_v_lines() -> tuple[int, int]:
    text = source_text(DOC)
    first = text[: text.index("Part V – ITU-D Study Questions")].count("\n") + 1
    return first, text.count("\n") + 1


def test_every_printed_question_is_an_instrument_with_its_title() -> None:
    printed = re.findall(r"^\s*QUESTION (\d+)/(\d+)\s*$", source_text(DOC), flags=re.M)
    assert len(printed) == 10
    for q, sg in printed:
        title = _p(f"q-{q}-{sg}/title")
        assert title.kind == "title"
        assert title.instrument == f"Question {q}/{sg}"
        assert title.citation == f"WTDC-25 Final Report, Question {q}/{sg}"
        assert title.text.startswith(f"QUESTION {q}/{sg} ")
        assert title.text.endswith(title.instrument_title)
        assert title.path[2] == f"Study Group {sg}"


def test_a_title_wrapped_over_two_lines_is_one_title() -> None:
    q22 = _p("q-2-2/title")
    assert q22.instrument_title == (
        "ICTs for the environment, and assessment of human exposure to electromagnetic fields"
    )
    assert _p("q-3-2/1/p1").instrument_title == (
        "Securing information and communication networks: "
        "Best practices for developing a culture of cybersecurity"
    )


def test_question_1_1_sections_and_items() -> None:
    item = _p("q-1-1/2.1/3")
    assert item.citation == "WTDC-25 Final Report, Question 1/1, 2.1, 3)"
    assert item.label == "3)"
    assert item.kind == "question"
    assert (
        item.text
        == "Challenges in building and deploying broadband infrastructure in rural and remote areas."
    )
    assert item.path[-1].startswith("2.1 Continuing topics to consider from study Questions")
    assert "2 Question or issue for study" in item.context
    assert _children("q-1-1/1") == [f"p{k}" for k in range(1, 7)]
    assert _children("q-1-1/2.1") == [str(n) for n in range(1, 13)]
    assert _children("q-1-1/2.2") == [str(n) for n in range(1, 8)]
    assert _children("q-1-1/3") == [str(n) for n in range(1, 9)]
    assert _children("q-1-1/6") == [str(n) for n in range(1, 8)]
    # dash items hang from the item above them
    assert _children("q-1-1/2.1/4") == ["dash-1", "dash-2"]
    dash = _p("q-1-1/2.1/4/dash-2")
    assert dash.text.startswith("national policies, strategies and plans")
    assert dash.citation == "WTDC-25 Final Report, Question 1/1, 2.1, 4), dash 2"
    assert "Needs, policies, mechanisms and regulatory initiatives" in dash.context
    fn = _p("q-1-1/fn-1")
    assert fn.kind == "footnote" and fn.label == "1"
    assert fn.text.startswith("These include the least developed countries")


def test_a_section_with_a_single_paragraph_is_that_passage() -> None:
    timing = _p("q-1-1/4")
    assert timing.text.startswith("Annual progress reports will be presented to Study Group 1 in 2027")
    assert timing.citation == "WTDC-25 Final Report, Question 1/1, 4"
    assert timing.lead_in == "4 Timing"
    assert timing.context.endswith("› 4 Timing")
    assert _p("q-1-1/11").text == "As may become apparent within the life of the study Question."
    # ... and a lettered subsection likewise
    assert _p("q-1-1/7/b").text.startswith("The results of the study Question are to be distributed")
    assert _p("q-1-1/7/b").citation == "WTDC-25 Final Report, Question 1/1, 7, b)"


def test_question_3_1_paragraph_dashes_table_inside_a_subsection() -> None:
    assert _children("q-3-1/1") == [f"p{k}" for k in range(1, 10)]
    assert _children("q-3-1/1/p7") == ["dash-1", "dash-2", "dash-3"]
    assert _p("q-3-1/1/p7/dash-2").text == "develop and implement early warning systems"
    assert _children("q-3-1/2") == [str(n) for n in range(1, 8)]
    assert _children("q-3-1/2/3") == ["dash-1", "dash-2", "dash-3"]
    assert _children("q-3-1/3") == ["p1", "p2", "p3"]
    assert _children("q-3-1/3/p3") == ["dash-1", "dash-2", "dash-3"]
    assert _children("q-3-1/4") == ["1", "2", "3", "4", "5"]
    # 7 a) holds a paragraph and the target audience table
    assert _children("q-3-1/7/a") == [
        "p1",
        "telecommunication-policy-makers",
        "telecommunication-regulators",
        "service-providers-operators",
        "manufacturers",
    ]
    row = _p("q-3-1/7/a/manufacturers")
    assert row.kind == "table-row"
    assert row.text == "Manufacturers Yes Yes"
    assert row.lead_in == "Target audience | Developed countries | Developing countries"
    assert row.citation == "WTDC-25 Final Report, Question 3/1, 7, a), Manufacturers"
    assert _children("q-3-1/9/p1") == [f"dash-{k}" for k in range(1, 7)]


def test_question_5_1_subsections_roman_items_and_two_footnotes() -> None:
    counts = {"2.1": 5, "2.2": 2, "2.3": 3, "2.4": 5, "2.5": 9, "2.6": 2, "2.7": 1, "2.8": 1}
    for sub, n in counts.items():
        assert _children(f"q-5-1/{sub}") == [str(k) for k in range(1, n + 1)], sub
    assert _children("q-5-1/2") == ["p1", "p2"]
    assert _children("q-5-1/3/1") == ["i", "ii", "iii"]
    assert _p("q-5-1/3/1/ii").citation == "WTDC-25 Final Report, Question 5/1, 3, 1), ii)"
    assert _children("q-5-1") == ["title", "4", "5", "10", "11", "fn-1", "fn-2"]
    assert _p("q-5-1/fn-2").text.startswith("See the ITU Academy training course")


def test_question_2_2_numbered_subsections_of_the_statement() -> None:
    # "1.3 <space><tab>Human exposure ..." still reads as section 1.3
    assert _children("q-2-2/1.1") == [f"p{k}" for k in range(1, 6)]
    assert _children("q-2-2/1.2") == [f"p{k}" for k in range(1, 7)]
    assert _children("q-2-2/1.3") == ["p1", "p2"]
    assert _p("q-2-2/1.3/p1").path[-1] == "1.3 Human exposure to electromagnetic fields"


def test_how_tables_are_read_as_their_list_of_methods() -> None:
    assert _ids_under("q-2-1/8/a") == [
        "q-2-1/8/a/1",
        "q-2-1/8/a/1/dash-1",
        "q-2-1/8/a/2",
        "q-2-1/8/a/2/dash-1",
        "q-2-1/8/a/2/dash-2",
        "q-2-1/8/a/2/dash-3",
        "q-2-1/8/a/2/dash-4",
        "q-2-1/8/a/3",
    ]
    assert _p("q-2-1/8/a/2").text == "Within regular Telecommunication Development Bureau (BDT) activity:"
    assert _p("q-2-1/8/a/2/dash-4").text == "Regional offices"
    # the tick-mark pictures of those tables are layout, not text
    doc = parsed_doc(DOC)
    text = source_text(DOC)
    part_v = text.index("Part V – ITU-D Study Questions")
    images = [m.start() for m in re.finditer(r"\[image: [^\]]*\]", text) if m.start() > part_v]
    assert images and all(any(a <= i < b for a, b in doc.layout) for i in images)
    assert not any("[image" in p.text for p in doc.passages if p.start > part_v)


@pytest.mark.parametrize(
    ("question", "rows"),
    [
        ("q-2-1", ["telecommunication-policy-makers", "telecommunication-regulators",
                   "service-providers-operators", "broadcasting-operators", "itu-d-programme"]),
        ("q-1-2", ["telecommunication-policy-makers", "telecommunication-regulators",
                   "service-providers-operators",
                   "manufacturers-telecommunication-ict-equipment-manufacturers-automobile",
                   "corresponding-ministries", "bdt-programmes", "city-planners-and-operational-managers"]),
        # Q1/1's table lost rows in the conversion: what is left is kept as printed
        ("q-1-1", ["telecommunication-policy-makers", "consumers-end-users",
                   "standards-development-organizations-including-consortia"]),
    ],
)  # fmt: skip
def test_target_audience_tables_give_one_passage_per_row(question: str, rows: list[str]) -> None:
    ids = [i for i in _ids_under(f"{question}/7") if _p(i).kind == "table-row"]
    assert ids == [f"{question}/7/{r}" for r in rows]
    assert _p(f"{question}/7/{rows[-1]}").lead_in.endswith("Developed countries | Developing countries")


def test_part_v_is_fully_covered_and_warning_free() -> None:
    doc = parsed_doc(DOC)
    first, last = _part_v_lines()
    cov = measure_coverage(doc, source_text(DOC))
    assert [n for n in cov.uncovered if first <= n <= last] == []
    assert not [w for w in doc.warnings if first <= int(w.split(":")[1]) <= last]


# --- annexes after the last Question ------------------------------------------------------------


def test_speeches_are_annexes_of_paragraphs() -> None:
    p = _p("annex-b/opening-remarks-at-the/p3")
    assert p.text == "The WTDC has always had a special place in my heart."
    assert (
        p.path[2]
        == "Annex B – Doreen Bogdan-Martin Secretary-General, International Telecommunication Union (ITU)"
    )
    assert p.citation.startswith("WTDC-25 Final Report, Annex B, Opening remarks at the World")
    assert _p("annex-a/opening-remarks-at-the/p1").text.startswith("Good morning.")


def test_statements_split_by_their_titles_with_bullets_under_their_lead_in() -> None:
    assert _children("statements") == ["p1", "p2", "p3"]
    assert _children("statements/p2") == ["bullet-1", "bullet-2", "bullet-3"]
    us = _ids_under("statements/u-s-statement-for")
    assert "statements/u-s-statement-for/p8/bullet-4" in us
    assert _p("statements/statement-by-the-russian/p8").text == "Thank you for your attention."


def test_annex_f_and_status_tables_give_one_row_passage_each() -> None:
    assert _children("annex-f/study-group-1") == ["q1-1", "q2-1", "q3-1", "q4-1", "q5-1"]
    assert _children("annex-f/study-group-2") == ["q1-2", "q2-2", "q3-2", "q4-2", "q5-2"]
    q51 = _p("annex-f/study-group-1/q5-1")
    assert q51.text.endswith(
        "Merging of former Question 6/1 with former Question 7/1 under a revised title with updated topics"
    )
    # three Resolutions 1 (Buenos Aires 1994, Valletta 1998, Doha 2006) told apart by "First approved"
    res = _children("status-of-all-resolutions/resolutions")
    assert res[:3] == ["1-buenos-aires-1994", "1-valletta-1998", "1-doha-2006"]
    assert len(res) == len(set(res))
    rules = _p("status-of-all-resolutions/resolutions/1-doha-2006")
    assert rules.text.startswith(
        "1 Rules of procedure of the ITU Telecommunication Development Sector Doha, 2006"
    )
    assert rules.text.endswith("In force")
    assert rules.citation.endswith("Resolutions, Res. 1 (Doha, 2006)")
    assert _children("status-of-all-resolutions/decisions")[0].startswith("1")
    assert _children("status-of-all-resolutions/recommendations")
    assert _children("list-of-resolutions-abrogated") == ["resolution-53-rev-dubai-2014"]


# --- snippets -------------------------------------------------------------------------------------

META = DocumentMeta(
    id="snippet", file="snippet.txt", title="Snippet", short_title="Snip", event="e", date="d", kind="k"
)


def _parse(text: str) -> tuple[ParsedDocument, ParseContext]:
    ctx = ParseContext(meta=META, text=text)
    root = Node(kind="document", slug="", title="Snippet")
    root.children.extend(parse_questions(ctx, ctx.lines))
    return build_document(ctx, root), ctx


def _ids(doc: ParsedDocument) -> list[str]:
    return [p.id.removeprefix("snippet/") for p in doc.passages]


T7 = "\t" * 7
T6 = "\t" * 6
T5 = "\t" * 5
T4 = "\t" * 4


def test_snippet_question_structure_and_ids() -> None:
    text = (
        "\t\t\tSTUDY GROUP 9\n\n"
        "\t\t\tQUESTION 4/9\n\n"
        "\t\t\tA title\n\n"
        "\t\t\t1\tStatement\n\n"
        "\t\t\tIt is so:\n\n"
        "\t\t\t–\tone thing\n\n"
        "\t\t\t–\tanother\n\n"
        "\t\t\tMore.\n\n"
        "\t\t\t2\tIssues\n\n"
        "\t\t\t2.1\tOld topics\n\n"
        "\t\t\t1)\tFirst topic:\n\n"
        "\t\t\ti)\tsub one;\n\n"
        "\t\t\t–\ta dash under the topic\n\n"
        "\t\t\t3\tTiming\n\n"
        "\t\t\tSoon.\n"
    )
    doc, ctx = _parse(text)
    assert _ids(doc) == [
        "q-4-9/title",
        "q-4-9/1/p1",
        "q-4-9/1/p1/dash-1",
        "q-4-9/1/p1/dash-2",
        "q-4-9/1/p2",
        "q-4-9/2.1/1",
        "q-4-9/2.1/1/i",
        "q-4-9/2.1/1/i/dash-1",
        "q-4-9/3",
    ]
    by_id = {p.id: p for p in doc.passages}
    assert by_id["snippet/q-4-9/2.1/1/i"].citation == "Snip, Question 4/9, 2.1, 1), i)"
    assert by_id["snippet/q-4-9/3"].text == "Soon."
    assert not ctx.warnings
    assert not measure_coverage(doc, text).uncovered


def test_snippet_a_glued_row_starts_a_new_table_row() -> None:
    # The converter lost rows and glued the next one on with a leading space.
    text = (
        "\t\t\tQUESTION 1/9\n\n\t\t\tT\n\n\t\t\t7\tTarget audience\n"
        f" {T7}Developed countries\n\n{T6}\n{T7}\n{T7}Developing countries\n\n{T6}\n{T5}\n"
        f"\n{T4}\n{T4}\n{T5}\n"
        f"{T7}\n{T7}Regulators\n {T7}Consumers\n\n{T6}\n{T7}\n{T7}Yes\n\n{T6}\n{T5}\n"
        " \t\t\ta)\tTarget audience\n\n\t\t\tEveryone.\n"
    )
    doc, _ = _parse(text)
    assert _ids(doc) == ["q-1-9/title", "q-1-9/7/regulators", "q-1-9/7/consumers", "q-1-9/7/a"]
    consumers = doc.passages[2]
    assert consumers.text == "Consumers Yes"
    assert consumers.lead_in == "Developed countries | Developing countries"
    assert not measure_coverage(doc, text).uncovered


def test_snippet_text_before_any_question_warns_and_is_kept() -> None:
    doc, ctx = _parse("\t\t\tA stray line.\n\n\t\t\tSTUDY GROUP 1\n")
    assert [p.text for p in doc.passages] == ["A stray line."]
    assert ctx.warnings and "snippet.txt:1:" in ctx.warnings[0]


def test_grid_header_from_markup_and_duplicate_keys_disambiguated() -> None:
    text = (
        f"{T4}\n{T5}\n{T7}\n{T7}No.\n{T6}\n{T7}\n{T7}Approved\n{T6}\n{T5}\n{T4}\n{T4}\n"
        f"{T5}\n{T7}\n{T7}1\n{T6}\n{T7}\n{T7}Doha, 2006\n{T6}\n{T5}\n"
        f"{T5}\n{T7}\n{T7}1\n{T6}\n{T7}\n{T7}Kigali, 2022\n{T6}\n{T5}\n"
        f"{T5}\n{T7}\n{T7}2\n{T6}\n{T7}\n{T7}Doha, 2006\n{T6}\n{T5}\n"
    )
    grid = tabtext.read_grid(split_lines(text), text=text)
    assert grid.header is not None and grid.header.cell_texts(text) == ["No.", "Approved"]
    assert [r.cell_texts(text) for r in grid.rows] == [
        ["1", "Doha, 2006"],
        ["1", "Kigali, 2022"],
        ["2", "Doha, 2006"],
    ]
    assert tabtext.row_keys(grid.rows, text) == [
        ("1-doha-2006", "1 (Doha, 2006)"),
        ("1-kigali-2022", "1 (Kigali, 2022)"),
        ("2", "2"),
    ]


def test_blocks_join_unindented_wrapped_lines_only() -> None:
    text = "\t\t\tQUESTION 2/2\n\n\t\t\tFirst line \nsecond line\n\t\t\t1)\tItem\n continued? no, glued\n"
    blocks = tabtext.blocks(text, split_lines(text))
    assert [b.body for b in blocks] == [
        "QUESTION 2/2",
        "First line second line",
        "Item",
        "continued? no, glued",
    ]
    assert blocks[2].label == "1)" and blocks[2].kind == "item"


# --- property: any tab-indented text parses, with valid spans and full coverage --------------------

_PIECES = [
    "STUDY GROUP 1",
    "QUESTION 1/1",
    "QUESTION 2/1",
    "Annex A",
    "Annex B",
    "AFR1:\tA title",
    "X REGIONAL INITIATIVES",
    "Objective:",
    "Objective: aim",
    "Impact",
    "Expected results",
    "[image: none]",
]
_LABELS = ["", "1)\t", "2)\t", "a)\t", "i)\t", "–\t", "•\t", "1\t", "2.1\t", "2.1 \t", "3\t"]


@st.composite
def _tab_text(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        tabs = "\t" * draw(st.integers(0, 7))
        glue = draw(st.sampled_from(["", "", " "]))
        if draw(st.booleans()):
            body = draw(st.sampled_from(_PIECES))
        else:
            words = draw(st.lists(st.sampled_from(["word", "Yes", "to:", "end.", "x"]), max_size=4))
            body = draw(st.sampled_from(_LABELS)) + " ".join(words)
        lines.append(glue + tabs + body)
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tab_text())
def test_any_tab_indented_text_parses_with_valid_spans(text: str) -> None:
    from rag.parse.initiatives import parse_initiatives

    for parser in (parse_questions, parse_initiatives):
        ctx = ParseContext(meta=META, text=text)
        root = Node(kind="document", slug="", title="Snippet")
        root.children.extend(parser(ctx, ctx.lines))
        doc = build_document(ctx, root)
        spans = sorted((p.start, p.end) for p in doc.passages)
        assert all(0 <= a < b <= len(text) for a, b in spans)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
        assert not measure_coverage(doc, text).uncovered
