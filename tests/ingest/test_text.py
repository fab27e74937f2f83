"""convert_markdown / convert_text: UN resolutions extracted from PDFs, and small hand-written files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from rag.errors import UnsupportedFormatError
from rag.ingest.base import SourceFormat
from rag.ingest.text import convert_markdown, convert_text, iso639_1, split_typed_label
from tests.conftest import more_file

FIXTURES = Path(__file__).parent.parent / "data" / "ingest"


@cache
def md(name: str):  # type: ignore[no-untyped-def]
    return convert_markdown(more_file(name).read_bytes(), name=name)


def paragraphs(name: str) -> list[str]:
    return md(name).text.rstrip("\n").split("\n\n")


# --- A/RES/80/16 -------------------------------------------------------------------------------------


def test_front_matter_becomes_metadata_and_leaves_the_text():
    converted = md("a-res-80-16.md")
    assert converted.format is SourceFormat.MARKDOWN
    assert converted.text.startswith("United Nations\n\n")
    assert "extract_version" not in converted.text and "symbol:" not in converted.text
    assert converted.metadata == {
        "symbol": "A/RES/80/16",
        "title": "Open-ended Working Group on Security of and in the Use of Information and Communications "
        "Technologies 2021-2025 established pursuant to General Assembly resolution 75/240",
        "date": "2025-12-05",
        "lang": "en",
    }


def test_running_header_inside_operative_paragraph_2_is_dropped_and_the_sentence_joined():
    para = next(p for p in paragraphs("a-res-80-16.md") if p.startswith("2.\t"))
    assert para.startswith("2.\tRequests the Secretary-General to provide the necessary support")
    assert "endorsed by the General Assembly in its resolution 79/237, and the additional elements" in para
    assert para.endswith("from the open-ended working group to the Global Mechanism;")
    assert "Open-ended working group on security of and in the use of" not in paragraphs("a-res-80-16.md")
    # The title line, where the same words stand once with its number, stays.
    assert "80/16. Open-ended working group on security of and in the use of" in paragraphs("a-res-80-16.md")


def test_operative_paragraphs_are_labelled_lines():
    labelled = [p.split("\t")[0] for p in paragraphs("a-res-80-16.md") if "\t" in p]
    assert labelled == ["1.", "2.", "3.", "4."]
    assert (
        "1.\tDecides to endorse the final report of the open-ended working group as contained "
        "in document A/80/257;" in paragraphs("a-res-80-16.md")
    )


# --- A/RES/80/3 --------------------------------------------------------------------------------------


def test_paragraph_split_at_a_page_break_is_joined():
    para = next(p for p in paragraphs("a-res-80-3.md") if p.startswith("1.\tWe, the Heads of State"))
    assert "under the theme “Driving progress through partnerships” with the objective" in para
    seven = next(p for p in paragraphs("a-res-80-3.md") if p.startswith("7.\t"))
    assert "the New Urban Agenda[^9] and the Convention on Biological Diversity[^10] and the Kunming" in seven


def test_run_together_paragraphs_are_split_at_the_next_number():
    labels = [p.split("\t")[0] for p in paragraphs("a-res-80-3.md") if "\t" in p and p[0].isdigit()]
    # Paragraph 2 of the declaration lost its number in the extraction; the rest is in order.
    assert labels == ["1.", "1.", *[f"{n}." for n in range(3, 26)]]
    assert (
        "II.\tImplementation of the Awaza Programme of Action for Landlocked Developing "
        "Countries for the Decade 2024–2034" in paragraphs("a-res-80-3.md")
    )
    assert any(p.startswith("13.\tWe strongly commit ourselves") for p in paragraphs("a-res-80-3.md"))


def test_markdown_footnotes_follow_their_calling_paragraph_and_uncalled_ones_end_the_text():
    paras = paragraphs("a-res-80-3.md")
    seven = next(i for i, p in enumerate(paras) if p.startswith("7.\t"))
    assert paras[seven + 1 : seven + 4] == [
        "[^6]: United Nations, Treaty Series, vol. 1771, No. 30822.",
        "[^9]: Resolution 71/256, annex.",
        "[^10]: United Nations, Treaty Series, vol. 1760, No. 30619.",
    ]
    assert paras[-1] == "[^16]: Resolution 79/1."
    two = next(p for p in paras if p.startswith("[^2]: "))
    assert (
        "Transit Transport Cooperation, Almaty, Kazakhstan, 28 and 29 August 2003 (A/CONF.202/3), annex I."
        in two
    )
    assert "(a)\tStructural transformation and science, technology and innovation;" in paras


# --- plain text ----------------------------------------------------------------------------------------


def test_text_extracted_from_a_pdf():
    converted = convert_text((FIXTURES / "un-resolution-extract.txt").read_bytes(), name="r.txt")
    assert converted.format is SourceFormat.TEXT
    assert converted.metadata["symbol"] == "A/RES/99/1"
    assert converted.text.split("\n\n") == [
        "United Nations A/RES/99/1",
        "General Assembly Distr.: General 2 January 2030",
        "99/1. Testing the reading of extracted text",
        "The General Assembly,",
        "Recalling its resolution 98/1 of 1 January 2029 on the reading of extracted text,[^1] "
        "and the report "
        "of the Secretary-General,[^2]",
        "[^1]: See resolution 98/1.",
        "[^2]: A/99/100.",
        "Noting that text extracted from a page keeps its line wraps,",
        "1.\tDecides that every wrapped line of a paragraph is joined, and that a paragraph continued on the "
        "next page is one paragraph;",
        "2.\tRequests the Secretary-General to report on the implementation of the present resolution at its "
        "hundredth session, in particular on:",
        "(a)\tthe wrapped lines;",
        "(b)\tthe page breaks;",
        "3.\tDecides to remain seized of the matter.\n",
    ]


def test_itu_text_role_words_and_labels():
    text = (
        "RESOLUTION 1 (REV. TEST, 2030)\n\nThe Conference,\nconsidering\na) that one;\nb) that two\n"
        "wraps;\nresolves\n1 to act;\n1.1 to act more;\n– an indent\n"
    )
    assert convert_text(text.encode(), name="r.txt").text.split("\n\n") == [
        "RESOLUTION 1 (REV. TEST, 2030)", "The Conference,", "considering", "a)\tthat one;",
        "b)\tthat two wraps;", "resolves", "1\tto act;", "1.1\tto act more;", "–\tan indent\n",
    ]  # fmt: skip


def test_bare_page_numbers_go_and_lines_that_occur_once_stay():
    text = "First paragraph.\n\n2/18\n\n- 3 -\n\nPage 4 of 9\n\nA heading once\n\nLast paragraph.\n"
    assert (
        convert_text(text.encode(), name="p.txt").text
        == "First paragraph.\n\nA heading once\n\nLast paragraph.\n"
    )


def test_markdown_markup_becomes_reading_text():
    source = (
        "Title\n=====\n\nSub title\n---------\n\n## 1.1 Scope #\n\nSome *emphasis*, **strong** and a "
        "[link](https://example.org) with a call[^a].\n\n[^a]: The note\n    continued.\n\n- one\n* two\n"
        "3. three\n   wrapped\n\n| A | B |\n| --- | --- |\n| 1 | x \\| y |\n\n***\n\n> quoted\n"
    )
    assert convert_markdown(source.encode(), name="m.md").text.split("\n\n") == [
        "# Title", "## Sub title", "## 1.1\tScope",
        "Some emphasis, strong and a link with a call[^a].", "[^a]: The note continued.",
        "•\tone", "•\ttwo", "3.\tthree wrapped", "| A | B |\n| --- | --- |\n| 1 | x \\| y |", "quoted\n",
    ]  # fmt: skip


def test_charset_crlf_and_bom():
    assert (
        convert_text("Côte d’Ivoire\r\nsigned.\r\n".encode("cp1252"), name="c.txt").text
        == "Côte d’Ivoire signed.\n"
    )
    warnings = convert_text("Genève €".encode("cp1252"), name="c.txt").warnings
    assert warnings and "not UTF-8" in warnings[0]
    assert convert_text("\ufeffGenève".encode("utf-16"), name="u.txt").text == "Genève\n"
    assert convert_markdown("\ufeff# Titre\r\rTexte".encode(), name="b.md").text == "# Titre\n\nTexte\n"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n1 0 obj", b"PK\x03\x04\x14\x00\x00", b"ab\x00\x00cd"])
def test_binary_files_raise_unsupported_format(data):
    with pytest.raises(UnsupportedFormatError):
        convert_text(data, name="x.txt")


@pytest.mark.parametrize(
    ("text", "label", "rest"),
    [
        ("1.1.1 Text", "1.1.1", "Text"),
        ("a) that", "a)", "that"),
        ("(i) the", "(i)", "the"),
        ("A.1.2. Annex clause", "A.1.2.", "Annex clause"),
        ("2 billion people", None, "2 billion people"),
        ("Resolution 2 (Kyoto)", None, "Resolution 2 (Kyoto)"),
    ],
)
def test_split_typed_label(text, label, rest):
    assert split_typed_label(text, bare_numbers=True) == (label, rest)


@pytest.mark.parametrize(
    ("value", "code"),
    [("eng", "en"), ("EN", "en"), ("fr-CH", "fr"), ("French", "fr"), ("zzz", None), ("", None)],
)
def test_iso639_1(value, code):
    assert iso639_1(value) == code
