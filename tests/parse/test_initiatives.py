"""Regional initiatives (Part III of the WTDC-25 report): objective, impact, numbered expected results."""

from __future__ import annotations

import re

import pytest

from rag.parse.coverage import measure_coverage
from rag.parse.initiatives import parse_initiatives
from rag.parse.tree import Node, ParseContext, build_document
from rag.types import DocumentMeta, ParsedDocument
from tests.conftest import parsed_doc, passage, source_text

DOC = "wtdc-25-final-report"

# Expected results per initiative, counted in the source with
#   awk '... /^ ?\t+[A-Z]{3}[0-9]+:/ {new initiative} /^ ?\t+[0-9]+\)\t/ {count++}' over Part III.
RESULT_COUNTS = {
    "AFR1": 17, "AFR2": 13, "AFR3": 11, "AFR4": 8, "AFR5": 7,
    "AMS1": 5, "AMS2": 4, "AMS3": 6, "AMS4": 4, "AMS5": 5,
    "ARB1": 12, "ARB2": 12, "ARB3": 17, "ARB4": 7, "ARB5": 10,
    "ASP1": 5, "ASP2": 6, "ASP3": 8, "ASP4": 6, "ASP5": 10,
    "CIS1": 3, "CIS2": 5, "CIS3": 4, "CIS4": 4, "CIS5": 4,
    "EUR1": 6, "EUR2": 5, "EUR3": 5, "EUR4": 6, "EUR5": 6,
}  # fmt: skip


def _part_iii() -> str:
    text = source_text(DOC)
    start = text.index("Part III – Regional initiatives")
    return text[start : text.index("Part IV – Resolutions", start)]


def _under(prefix: str) -> list:
    return [p for p in parsed_doc(DOC).passages if p.id.startswith(f"{DOC}/{prefix}/")]


def test_afr1_has_its_objective_and_expected_results_1_to_17() -> None:
    objective = passage(DOC, f"{DOC}/afr1/objective")
    assert objective.kind == "objective"
    assert objective.text.startswith("This initiative aims to support Member States in the region")
    assert objective.citation == "WTDC-25 Final Report, Regional initiative AFR1, objective"
    results = [p for p in _under("afr1") if p.kind == "result"]
    assert [p.id.rsplit("/", 1)[1] for p in results] == [f"result-{n}" for n in range(1, 18)]
    r13 = passage(DOC, f"{DOC}/afr1/result-13")
    assert r13.label == "13)"
    assert r13.text.startswith("Facilitation of access to submarine cables for landlocked countries")
    assert r13.citation == "WTDC-25 Final Report, Regional initiative AFR1, expected result 13"
    assert r13.instrument == "Regional initiative AFR1"
    assert r13.instrument_title.startswith("Resilient digital infrastructure and universal")
    assert r13.path[-1] == "Expected results"


@pytest.mark.parametrize(("code", "count"), sorted(RESULT_COUNTS.items()))
def test_each_initiative_has_as_many_numbered_results_as_printed(code: str, count: int) -> None:
    results = [p for p in _under(code.lower()) if p.kind == "result" and p.id.count("/") == 2]
    assert [p.label for p in results] == [f"{n})" for n in range(1, count + 1)]


def test_every_initiative_heading_in_part_iii_is_an_instrument_with_title_and_objective() -> None:
    printed = re.findall(r"^ ?\t*([A-Z]{3}\d+):\t", _part_iii(), flags=re.M)
    assert sorted(printed) == sorted(RESULT_COUNTS)
    for code in printed:
        title = passage(DOC, f"{DOC}/{code.lower()}/title")
        assert title.kind == "title"
        assert title.text.startswith(f"{code}: ")
        assert title.citation == f"WTDC-25 Final Report, Regional initiative {code}"
        assert passage(DOC, f"{DOC}/{code.lower()}/objective").instrument == f"Regional initiative {code}"


def test_initiatives_sit_under_their_region_heading() -> None:
    assert passage(DOC, f"{DOC}/cis3/result-2").path[2] == "CIS REGIONAL INITIATIVES"
    assert passage(DOC, f"{DOC}/asp5/result-10").path[2] == "ASIA-PACIFIC REGIONAL INITIATIVES"


def test_lettered_sub_items_hang_from_their_expected_result() -> None:
    a = passage(DOC, f"{DOC}/ams4/result-1/a")
    b = passage(DOC, f"{DOC}/ams4/result-1/b")
    assert a.text.startswith("development of national cybersecurity strategies")
    assert b.text.startswith("provision of technical assistance")
    assert a.citation == "WTDC-25 Final Report, Regional initiative AMS4, expected result 1, a)"
    # the result's lead-in sentence travels with its sub-items
    assert "including capacity building and support for:" in a.context
    assert passage(DOC, f"{DOC}/ams4/result-2").text.startswith("Strengthening of cyber resilience")


def test_arab_states_impact_is_kept_inline_or_as_bullets() -> None:
    inline = passage(DOC, f"{DOC}/arb1/impact")
    assert inline.text.startswith("Improvement of universal and meaningful connectivity")
    assert inline.citation == "WTDC-25 Final Report, Regional initiative ARB1, impact"
    # ARB2 3 bullets, ARB4 4, ARB5 3 (counted in the source)
    for code, bullets in (("arb2", 3), ("arb4", 4), ("arb5", 3)):
        ids = [p.id for p in _under(f"{code}/impact")]
        assert ids == [f"{DOC}/{code}/impact/bullet-{k}" for k in range(1, bullets + 1)]
    assert passage(DOC, f"{DOC}/arb4/impact/bullet-1").text.startswith("Enhanced productivity and innovation")


def test_europe_results_carry_their_lead_in() -> None:
    for code in ("eur1", "eur2", "eur3", "eur4", "eur5"):
        r1 = passage(DOC, f"{DOC}/{code}/result-1")
        assert r1.lead_in == "Assistance to countries in need in the following areas:"
        assert r1.context.endswith("Assistance to countries in need in the following areas:")


def test_europe_processes_table_rows_are_passages() -> None:
    rows = _under("eur4/processes")
    assert [r.kind for r in rows] == ["table-row"] * 3
    assert rows[0].text == "World Summit on the Information Society Action Lines C1, C5, C11"
    assert rows[2].text == "Sustainable Development Goals SDG 9, SDG 16"
    assert (
        rows[1].citation
        == "WTDC-25 Final Report, Regional initiative EUR4, processes, Global Digital Compact"
    )
    # EUR5 prints a "Process | Focus Area" header: a heading, not a row
    assert [r.text.split()[0] for r in _under("eur5/processes")] == ["World", "Global", "Sustainable"]
    # EUR2's table lost its cells: the two GDC objectives are glued into one row
    glued = _under("eur2/processes")[-1]
    assert "Objective 4." in glued.text and "Objective 5." in glued.text


def test_footnotes_attach_to_the_initiative_carrying_their_marker() -> None:
    fn1 = passage(DOC, f"{DOC}/asp2/fn-1")  # marker "situations1." in the ASP2 objective
    fn2 = passage(DOC, f"{DOC}/asp3/fn-2")  # marker "situations2;" in ASP3 result 3
    assert fn1.kind == fn2.kind == "footnote"
    assert fn1.text.startswith("This refers to persons with specific needs")
    assert fn2.citation == "WTDC-25 Final Report, Regional initiative ASP3, footnote 2"


def test_part_iii_is_fully_covered_and_warning_free() -> None:
    doc = parsed_doc(DOC)
    text = source_text(DOC)
    first = text[: text.index("Part III – Regional initiatives")].count("\n") + 1
    last = text[: text.index("Part IV – Resolutions")].count("\n") + 1
    cov = measure_coverage(doc, text)
    assert [n for n in cov.uncovered if first <= n <= last] == []
    assert not [w for w in doc.warnings if first <= int(w.split(":")[1]) <= last]


# --- snippets -------------------------------------------------------------------------------------

META = DocumentMeta(
    id="snippet", file="snippet.txt", title="Snippet", short_title="Snip", event="e", date="d", kind="k"
)


def _parse(text: str) -> tuple[ParsedDocument, ParseContext]:
    ctx = ParseContext(meta=META, text=text)
    root = Node(kind="document", slug="", title="Snippet")
    root.children.extend(parse_initiatives(ctx, ctx.lines))
    return build_document(ctx, root), ctx


def _ids(doc: ParsedDocument) -> list[str]:
    return [p.id.removeprefix("snippet/") for p in doc.passages]


def test_snippet_glued_heading_and_unnumbered_text_are_kept() -> None:
    text = (
        "\t\t\tX REGIONAL INITIATIVES\n\n"
        " \t\t\tXYZ7:\tA glued heading\n\n"
        "\t\t\tObjective: To test.\n\n"
        "\t\t\tA stray remark.\n\n"
        "\t\t\tExpected results\n\n"
        "\t\t\t1)\tOne.\n\n"
        "\t\t\t2)\tTwo.\n"
    )
    doc, ctx = _parse(text)
    assert _ids(doc) == ["xyz7/title", "xyz7/objective", "xyz7/p1", "xyz7/result-1", "xyz7/result-2"]
    assert doc.passages[2].text == "A stray remark."
    assert ctx.warnings and "snippet.txt:7:" in ctx.warnings[0]
    assert not measure_coverage(doc, text).uncovered


def test_snippet_footnote_without_marker_stays_with_its_initiative_and_warns() -> None:
    text = "\t\t\tXYZ1:\tFirst\n\n\t\t\tObjective: Plain words.\n\n\t\t\t\t\t\t3\tA footnote nobody cites.\n"
    doc, ctx = _parse(text)
    fn = doc.passages[-1]
    assert (fn.id, fn.kind, fn.label, fn.text) == (
        "snippet/xyz1/fn-3",
        "footnote",
        "3",
        "A footnote nobody cites.",
    )
    assert any("no marker for footnote 3" in w for w in ctx.warnings)


def test_snippet_result_numbers_come_from_their_labels_not_their_order() -> None:
    # a result missing from the printed list must not renumber the ones after it
    text = "\t\t\tXYZ2:\tT\n\n\t\t\tExpected results\n\n\t\t\t1)\tA.\n\n\t\t\t3)\tC.\n"
    doc, _ = _parse(text)
    assert _ids(doc)[-2:] == ["xyz2/result-1", "xyz2/result-3"]
    assert doc.passages[-1].citation == "Snip, Regional initiative XYZ2, expected result 3"
