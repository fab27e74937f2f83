"""The structure report: what the reader understood of an added document, and plain warnings."""

from __future__ import annotations

from rag.parse import parse_document
from rag.parse.structure import OVERSIZED_CHARS, StructureReport
from rag.types import DocumentMeta
from tests.parse.test_generic import UN


def report(text: str) -> StructureReport:
    meta = DocumentMeta(id="d", file="d.txt", title="T", short_title="Doc", event="", date="", kind="auto")
    return StructureReport.of(parse_document(meta, text), text)


def test_a_resolution_reports_its_instrument_roles_items_and_no_problem():
    found = report(UN)
    assert found.instruments == ("A/RES/70/99",)
    assert dict(found.roles) == {"recalling": 1, "concerned": 1, "welcomes": 1, "requests": 3, "decides": 1}
    assert found.items == 5  # 1., 2., (a), (b) and the 3 read from its place
    assert dict(found.kinds)["footnote"] == 1 and not found.problems
    lines = found.lines()
    assert lines[0] == f"d: {found.passages} passages, 5 labelled items"
    assert any(line.startswith("  clauses by role: requests 3") for line in lines)
    counts = found.counts()
    assert counts["clauses"] == 7 and counts["instruments"] == 1 and counts["warnings"] == 1


SECTIONED = """# 1\tIntroduction

Recalling that the Forum met in 2021, the report continues.

Noting also the outcomes of the regional meetings, the report continues.

Recognizing that more work is needed, the report ends.
"""


def test_role_words_without_any_clause_are_warned_about_in_plain_words():
    found = report(SECTIONED)
    assert not found.roles and found.role_lines == 3
    assert any("no clause block was found" in p for p in found.problems)
    assert any(line.startswith("  WARNING: 3 lines open with clause role words") for line in found.lines())


def test_a_passage_spanning_paragraphs_over_the_limit_is_warned_about():
    body = "The study group shall meet. " * 90  # one paragraph of about 2,500 characters
    text = (
        f"RESOLUTION 5\n\nMeetings\n\n1.1\tMeeting rules\n\n{body}\n\n"
        "1.2\tReports\n\n1.2.1\tReports are published.\n"
    )
    found = report(text)
    assert found.oversized and found.oversized[0][1] > OVERSIZED_CHARS
    assert any("longer than 2,000 characters" in p for p in found.problems)
    # one unbroken paragraph of that size is allowed: it is what the source prints
    assert not report(f"RESOLUTION 5\n\nMeetings\n\n1.2.1\t{body}\n").oversized
