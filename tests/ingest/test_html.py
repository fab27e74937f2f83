"""convert_html: the Metanorma ITU report and small pages of the genre, read as a reader sees them."""

from __future__ import annotations

from functools import cache

import pytest

from rag.errors import UnreadableDocumentError, UnsupportedFormatError
from rag.ingest.base import SourceFormat
from rag.ingest.html import convert_html
from tests.conftest import more_file

ETHICS = "itu-fg-ai4h-del01-2022-ethics.html"


@cache
def ethics():  # type: ignore[no-untyped-def]
    return convert_html(more_file(ETHICS).read_bytes(), name=ETHICS)


def lines() -> list[str]:
    return ethics().text.split("\n")


def page(body: str, head: str = "") -> str:
    html = f"<html><head>{head}</head><body>{body}</body></html>".encode()
    return convert_html(html, name="page.html").text


# --- the ITU report ---------------------------------------------------------------------------------


def test_numbered_headings_keep_their_level_and_number_as_label():
    assert "### 9.1.4.\tCommunity control of health data — data sovereignty and data cooperatives" in lines()
    assert "# 1.\tIntroduction" in lines()
    assert "## A.1.\tConsiderations for AI developers" in lines()


def test_body_paragraph_under_a_heading_is_one_line():
    at = lines().index(
        "### 9.1.4.\tCommunity control of health data — data sovereignty and data cooperatives"
    )
    body = lines()[at + 2]
    assert body.startswith("Measures have been taken not only to promote the individual right to privacy")
    assert "\t" not in body and len(body) > 300


def test_source_line_wraps_inside_a_paragraph_are_spaces():
    # The <p> on "collection and use of patient data" is hard-wrapped in the HTML source.
    line = next(x for x in lines() if x.startswith("A critical issue of public concern"))
    assert (
        "is the collection and use of patient data for AI and other applications. In the United Kingdom"
        in line
    )


def test_ordered_list_items_get_their_numbers_and_bullets_their_mark():
    at = lines().index("### A.1.1.\tDesigning an AI technology")
    assert lines()[at + 2] == "1.\tClarify the objectives"
    assert "•\tDefine the intended uses and the expected outcomes." in lines()[at:]
    assert "•\tProtect human autonomy" in lines()


def test_footnote_call_and_note_follow_the_calling_paragraph():
    text = ethics().text
    assert "purchased annually.[^1] Wearables will create" in text
    calling = next(i for i, x in enumerate(lines()) if "purchased annually.[^1]" in x)
    assert lines()[calling + 2].startswith("[^1]: Presentation by Christian Stammel. Wearable Technologies")
    # Note 5 is called twice; it is written once, after its first call.
    assert text.count("[^5]: Presentation by Dr Andrew Morris") == 1
    assert "↩" not in text


def test_chrome_toc_and_scripts_are_left_out():
    text = ethics().text
    assert "Table of Contents" not in text
    assert "MathJax" not in text and "topFunction" not in text and "function(" not in text
    assert "In Force" not in text  # the stage band above the cover page
    assert not any(x == "Top" for x in lines())


def test_tables_become_rows():
    assert "| AI | artificial intelligence |" in lines()
    assert "| [336] | Ross WD. The right and the good. Oxford: Clarendon Press; 1930. |" in lines()


def test_one_cell_box_is_read_as_paragraphs():
    assert "Box 6 — Discrimination and racial bias in AI technology" in lines()


def test_metadata_hints():
    converted = ethics()
    assert converted.format is SourceFormat.HTML
    assert converted.metadata["title"] == "Ethics and governance of artificial intelligence for health"
    assert converted.metadata["lang"] == "en"


# --- pages of the genre ------------------------------------------------------------------------------


def test_resolution_page_with_role_words_and_typed_labels():
    text = page(
        "<h1>RESOLUTION 64 (REV. DUBAI, 2018)</h1><p>The Plenipotentiary Conference,</p>"
        "<p><i>considering</i></p><p>a)&nbsp;&nbsp;that the text<br>continues here;</p>"
        "<p>(i) the first;</p><p>1.1.1 Text of a clause</p><p>2 billion people are offline.</p>"
    )
    assert text.split("\n\n") == [
        "# RESOLUTION 64 (REV. DUBAI, 2018)",
        "The Plenipotentiary Conference,",
        "considering",
        "a)\tthat the text continues here;",
        "(i)\tthe first;",
        "1.1.1\tText of a clause",
        "2 billion people are offline.\n",
    ]


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ("", ["1.", "2.", "3."]),
        ("start='4'", ["4.", "5.", "6."]),
        ("type='a'", ["a.", "b.", "c."]),
        ("type='A' start='26'", ["Z.", "AA.", "AB."]),
        ("type='i'", ["i.", "ii.", "iii."]),
        ("type='I' start='4'", ["IV.", "V.", "VI."]),
        ("reversed", ["3.", "2.", "1."]),
        ("style='list-style-type: lower-roman'", ["i.", "ii.", "iii."]),
    ],
)
def test_ordered_list_numbers_follow_html_semantics(attrs, expected):
    text = page(f"<ol {attrs}><li>one</li><li>two</li><li>three</li></ol>")
    assert [line.split("\t")[0] for line in text.split("\n\n")] == expected


def test_nested_lists_li_value_and_typed_labels_in_items():
    text = page(
        "<ol><li>Decides:<ol type='a'><li>first</li><li value='4'>fourth</li></ol></li>"
        "<li><p>Requests</p><p>more words</p></li></ol>"
        "<ol style='list-style:none'><li>(a) typed label</li><li>no label</li></ol>"
    )
    assert text.split("\n\n") == [
        "1.\tDecides:", "a.\tfirst", "d.\tfourth", "2.\tRequests", "more words", "(a)\ttyped label",
        "no label\n",
    ]  # fmt: skip


def test_double_br_separates_paragraphs_and_single_br_is_a_space():
    text = page("<div>First line<br>same paragraph<br><br>1. Decides to act;<br/><br/>2. Requests</div>")
    assert text.split("\n\n") == ["First line same paragraph", "1.\tDecides to act;", "2.\tRequests\n"]


def test_main_content_only():
    text = page(
        "<a href='#main'>Skip to main content</a><header><nav><a href='/'>Home</a></nav>Site name</header>"
        "<div id='cookie-banner'>We use cookies</div>"
        "<main id='main'><h2>Contents</h2><ul><li><a href='#s1'>One</a></li><li><a href='#s2'>Two</a></li>"
        "<li><a href='#s3'>Three</a></li></ul><h2 id='s1'>Outcome</h2><p>Body text.</p>"
        "<script>var x = 1;</script><style>p {}</style></main><footer>Copyright</footer>"
    )
    assert text == "## Contents\n\n## Outcome\n\nBody text.\n"


def test_without_main_the_body_less_chrome_is_read():
    text = page(
        "<nav>Menu</nav><div class='breadcrumb'>Home &gt; Docs</div><p>Only this.</p><footer>f</footer>"
    )
    assert text == "Only this.\n"


def test_pandoc_footnotes():
    text = page(
        "<p>Text with a note<sup><a href='#fn1' id='fnref1' role='doc-noteref'>1</a></sup> here.</p>"
        "<p>Next paragraph.</p><section class='footnotes' role='doc-endnotes'><hr/><ol>"
        "<li id='fn1'><p>The note. <a href='#fnref1' role='doc-backlink'>↩</a></p></li></ol></section>"
    )
    assert text == "Text with a note[^1] here.\n\n[^1]: The note.\n\nNext paragraph.\n"


def test_word_html_footnotes_and_tab_labels():
    text = page(
        "<p class=MsoNormal>1<span style='mso-tab-count:1'>  </span>to provide support"
        "<a href='#_ftn1' name='_ftnref1'><span class=MsoFootnoteReference>[1]</span></a>;</p>"
        "<div style='mso-element:footnote-list'><div style='mso-element:footnote' id=ftn1>"
        "<p class=MsoFootnoteText><a href='#_ftnref1' name='_ftn1'>[1]</a> See Resolution 1.</p></div></div>"
    )
    assert text == "1\tto provide support[^1];\n\n[^1]: See Resolution 1.\n"


def test_figure_caption_kept_image_dropped_and_table_rows():
    text = page(
        "<figure><img src='a.png' alt='chart'><figcaption>Figure 1 – Growth</figcaption></figure>"
        "<table><tr><th>Year</th><th>Users</th></tr><tr><td>2020</td><td><p>4.1</p><p>billion</p></td></tr></table>"
    )
    assert text == "Figure 1 – Growth\n\n| Year | Users |\n| --- | --- |\n| 2020 | 4.1<br>billion |\n"


def test_metadata_from_head():
    html = (
        "<html lang='fr-CH'><head><title>Résolution 1</title><meta name='description' content='Texte'>"
        "<meta name='author' content='UIT'><meta name='DC.date' content='2018-11-15T00:00'></head>"
        "<body><p>Texte.</p></body></html>"
    ).encode()
    meta = convert_html(html, name="r.html").metadata
    assert meta == {
        "title": "Résolution 1",
        "description": "Texte",
        "author": "UIT",
        "date": "2018-11-15",
        "lang": "fr",
    }


def test_charset_from_meta_tag_and_bom():
    latin = "<html><head><meta charset='windows-1252'></head><body><p>Côte d’Ivoire</p></body></html>"
    assert convert_html(latin.encode("cp1252"), name="l.html").text == "Côte d’Ivoire\n"
    utf16 = "<html><body><p>Genève</p></body></html>".encode("utf-16")
    assert convert_html(utf16, name="u.html").text == "Genève\n"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"Just some words.\n", "no HTML"),
    ],
)
def test_bytes_that_are_not_html_raise_unsupported_format(data, what):
    with pytest.raises(UnsupportedFormatError, match=what):
        convert_html(data, name="fake.html")


def test_page_without_text_raises_unreadable():
    with pytest.raises(UnreadableDocumentError, match="no text"):
        convert_html(b"<html><body><script>render()</script></body></html>", name="empty.html")
