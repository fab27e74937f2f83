"""The PDF converter on the three UN development PDFs, on small PDFs written here, and on bad input.

The small PDFs are written by ``_pdf`` below (plain PDF syntax, Courier so that every glyph is 0.6 em
wide and a justified line can be placed word by word; RC4 encryption as in the PDF 1.4 standard
security handler), so the tests need no PDF-writing library.
"""

from __future__ import annotations

import hashlib
import re
import struct
from functools import cache

import pytest

from rag.errors import (
    DocumentError,
    EncryptedDocumentError,
    NoTextLayerError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)
from rag.ingest.base import Converted, SourceFormat
from rag.ingest.pdf import convert_pdf
from rag.ingest.pdf_paragraphs import join_lines, vocabulary
from tests.conftest import more_file


@cache
def _converted(name: str) -> Converted:
    return convert_pdf(more_file(name).read_bytes(), name=name)


def _lines(name: str) -> list[str]:
    return [ln for ln in _converted(name).text.split("\n") if ln]


def _line_starting(lines: list[str], start: str) -> str:
    found = [ln for ln in lines if ln.startswith(start)]
    assert len(found) == 1, f"{len(found)} lines start with {start!r}"
    return found[0]


def _notes_follow_their_calls(lines: list[str]) -> None:
    """Every note [^m]: comes after the paragraph that first calls [^m], with only notes between."""
    for i, ln in enumerate(lines):
        m = re.match(r"^\[\^([^\]]+)\]: ", ln)
        if not m:
            continue
        j = i - 1
        while re.match(r"^\[\^[^\]]+\]: ", lines[j]):
            j -= 1
        assert f"[^{m.group(1)}]" in lines[j], f"note {m.group(1)} follows {lines[j][:80]!r}"
        first_call = next(k for k, other in enumerate(lines) if f"[^{m.group(1)}]" in other.split("]: ")[-1])
        assert first_call == j


# --- A/RES/79/277 (3 pages) ------------------------------------------------------------------------

RES_79_277 = "a-res-79-277.pdf"


def test_79_277_operative_paragraphs_are_labelled_lines() -> None:
    lines = _lines(RES_79_277)
    assert (
        "1.\tDecides that the overall review will be concluded by a two-day high-level meeting of the "
        "General Assembly, to be preceded by an intergovernmental preparatory process that also takes into "
        "account inputs from all relevant stakeholders of the World Summit on the Information Society;"
    ) in lines
    labels = [ln.split("\t")[0] for ln in lines if "\t" in ln]
    assert labels == ["79/277.", "1.", "2.", "3.", "4.", "5.", "6."]


def test_79_277_paragraph_over_the_page_break_and_its_footnote_is_one_line() -> None:
    # Page 2 ends "... resulting in an intergovernmentally", footnote 6 and the footer follow, and
    # page 3 goes on "agreed outcome document, ...".
    op5 = _line_starting(_lines(RES_79_277), "5.\tRequests the President")
    assert op5.endswith(
        "resulting in an intergovernmentally agreed outcome document, for adoption at the high-level "
        "meeting of the General Assembly;"
    )


def test_79_277_furniture_is_gone() -> None:
    lines = _lines(RES_79_277)
    assert lines.count("A/RES/79/277") == 1  # the masthead's; pages 2 and 3 repeat it as a header
    text = _converted(RES_79_277).text
    for furniture in ("2/3", "3/3", "25-04977", "*2504977*"):
        assert furniture not in text
    # The running title (the resolution's title cut into three header lines) is not a paragraph.
    assert "Information Society" not in lines
    assert not any(ln.startswith("Modalities for the overall review") for ln in lines)


def test_79_277_masthead_reads_column_by_column() -> None:
    lines = _lines(RES_79_277)
    assert lines[:11] == [
        "United Nations",
        "General Assembly",
        "A/RES/79/277",
        "Distr.: General",
        "27 March 2025",
        "Seventy-ninth session",
        "Agenda item 15",
        "Information and communications technologies for sustainable development",
        "Resolution adopted by the General Assembly on 25 March 2025",
        "[without reference to a Main Committee (A/79/L.62)]",
        "79/277.\tModalities for the overall review by the General Assembly of the implementation of the "
        "outcomes of the World Summit on the Information Society",
    ]
    assert lines[11] == "The General Assembly,"


def test_79_277_six_footnotes_follow_their_paragraphs() -> None:
    lines = _lines(RES_79_277)
    notes = [ln for ln in lines if ln.startswith("[^")]
    assert notes == [
        "[^1]: See A/C.2/59/3, annex.",
        "[^2]: See resolution 59/220.",
        "[^3]: See A/60/687.",
        "[^4]: See resolution 60/252.",
        "[^5]: Resolution 70/125.",
        "[^6]: See resolution 70/1.",
    ]
    _notes_follow_their_calls(lines)
    recalling = _line_starting(lines, "Recalling the Declaration of Principles")
    assert (
        "held in Geneva from 10 to 12 December 2003,[^1] and endorsed by the General Assembly,[^2] and"
        in recalling
    )
    assert lines[lines.index(recalling) + 1] == "[^1]: See A/C.2/59/3, annex."
    goals = _line_starting(lines, "Reaffirming that science, innovation and technology")
    assert "Sustainable Development Goals[^6] and the promotion" in goals


def test_79_277_preambular_paragraphs_are_separate_lines() -> None:
    lines = _lines(RES_79_277)
    recalling_also = _line_starting(lines, "Recalling also the outcome document of the high-level meeting")
    assert recalling_also.endswith("reaffirming the centrality of the General Assembly to this process,")
    starts = [ln.split(" ")[0] for ln in lines if not ln.startswith("[^") and "\t" not in ln]
    assert starts.count("Recalling") == 3 and starts.count("Recognizing") == 2 and starts.count("Noting") == 2


def test_79_277_metadata_and_pages() -> None:
    converted = _converted(RES_79_277)
    assert converted.format is SourceFormat.PDF
    assert converted.pages == 3
    assert converted.metadata["symbol"] == "A/RES/79/277"
    assert converted.metadata["date"] == "2025-04-04"  # CreationDate D:20250404143633-04'00'
    assert converted.metadata["lang"] == "en"
    assert converted.metadata["author"] == "heather jarvis"
    assert "title" not in converted.metadata  # the file's Title is empty
    assert converted.warnings == ()


# --- A/RES/80/118 (18 pages) -----------------------------------------------------------------------

RES_80_118 = "a-res-80-118.pdf"


def test_80_118_has_74_operative_paragraphs_and_two_sub_items() -> None:
    labels = [ln.split("\t")[0] for ln in _lines(RES_80_118) if "\t" in ln]
    operative = [f"{n}." for n in range(1, 75)]
    assert labels == ["80/118.", *operative[:70], "(a)", "(b)", *operative[70:]]


@pytest.mark.parametrize(
    ("start", "across"),
    [
        # page 5 -> 6: "... of the Broadband Commission entitled" / "“Digital skills for life and work”, ..."
        (
            "Recalling the recommendations for actions in bridging the gender digital divide",
            "Broadband Commission entitled “Digital skills for life and work”, and noting",
        ),
        # page 17 -> 18, a line-end hyphen that stays: "capacity-" / "building in developing countries"
        (
            "69.\tResolves to bridge",
            "international cooperation on capacity-building in developing countries,",
        ),
        # page 3 -> 4 inside operative text of a long preambular paragraph with a call on each page
        (
            "Recognizing that the Doha Programme of Action",
            "Decade 2024–2034[^13] and the Antigua and Barbuda",
        ),
    ],
)
def test_80_118_paragraphs_continue_over_page_breaks(start: str, across: str) -> None:
    assert across in _line_starting(_lines(RES_80_118), start)


def test_80_118_sub_items_are_labelled_and_whole() -> None:
    lines = _lines(RES_80_118)
    item_a = _line_starting(lines, "(a)\t")
    assert item_a.startswith("(a)\tEnhancing the ability of developing countries, in particular the least")
    assert item_a.endswith(
        "affordable technology, research and development, including through strengthened partnerships;"
    )
    assert _line_starting(lines, "70.\t").endswith(
        "trustworthy artificial intelligence systems, including by:"
    )
    assert lines.index(item_a) == lines.index(_line_starting(lines, "70.\t")) + 1


def test_80_118_footnotes_and_furniture() -> None:
    lines = _lines(RES_80_118)
    marks = [re.match(r"^\[\^(\d+)\]: ", ln).group(1) for ln in lines if re.match(r"^\[\^\d+\]: ", ln)]
    assert marks == [str(n) for n in range(1, 27)]
    _notes_follow_their_calls(lines)
    assert (
        "[^4]: Financing for Sustainable Development Report 2024 (United Nations publication, 2024), "
        "figure I.1." in lines
    )
    text = _converted(RES_80_118).text
    assert not re.search(r"^\d{1,2}/18$", text, re.MULTILINE)
    assert "25-20736" not in text and "*2520736*" not in text
    assert lines.count("A/RES/80/118") == 1
    assert "Information and communications technologies for" not in lines  # the running title's first line


def test_80_118_real_hyphens_at_line_ends_stay() -> None:
    text = _converted(RES_80_118).text
    # Each is printed with its hyphen at a line's end in the PDF.
    for compound in ("medium-sized enterprises", "distance-learning solutions", "open-source technologies"):
        assert compound in text
    assert "implementation of and follow-up to the outcomes of the World Summit" in text


# --- A/C.2/80/L.17 (draft, 18 pages) ---------------------------------------------------------------

DRAFT_L17 = "a-c2-80-l17-draft.pdf"


def test_l17_sponsor_line_and_its_note() -> None:
    lines = _lines(DRAFT_L17)
    sponsor = lines.index("Iraq:[^*] draft resolution")
    assert lines[sponsor + 1] == (
        "[^*]: On behalf of the States that are members of the Group of 77 and China, taking into account "
        "also the provisions of General Assembly resolution ES-10/23 of 10 May 2024."
    )
    assert lines[sponsor + 2] == "Information and communications technologies for sustainable development"
    assert lines[sponsor + 3] == "The General Assembly,"


def test_l17_masthead() -> None:
    lines = _lines(DRAFT_L17)
    assert lines[:11] == [
        "United Nations",
        "General Assembly",
        "A/C.2/80/L.17",
        "Distr.: Limited",
        "14 October 2025",
        "Original: English",
        "Eightieth session",
        "Second Committee",
        "Agenda item 15",
        "Information and communications technologies for sustainable development",
        "Iraq:[^*] draft resolution",
    ]
    assert _converted(DRAFT_L17).metadata["symbol"] == "A/C.2/80/L.17"


def test_l17_paragraphs() -> None:
    lines = _lines(DRAFT_L17)
    labels = [ln.split("\t")[0] for ln in lines if "\t" in ln]
    assert labels == [*(f"{n}." for n in range(1, 70)), "(a)", "(b)", *(f"{n}." for n in range(70, 74))]
    assert (
        "73.\tDecides to include in the provisional agenda of its eighty-first session the item entitled "
        "“Information and communications technologies for sustainable development”, unless otherwise agreed."
    ) in lines
    # (a) runs from page 17 to page 18: "... including through" / "scaling up the use of scientific sources"
    assert "including through scaling up the use of scientific sources" in _line_starting(lines, "(a)\t")
    _notes_follow_their_calls(lines)


# --- small PDFs written here -----------------------------------------------------------------------

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_FILE_ID = bytes(range(16))
_PERMISSIONS = -44


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _security(user: str, owner: str) -> tuple[bytes, bytes, bytes]:
    """PDF 1.4 standard security handler, revision 2 (40-bit RC4): the file key, /O and /U."""

    def padded(pw: str) -> bytes:
        return (pw.encode("latin-1") + _PAD)[:32]

    o_entry = _rc4(hashlib.md5(padded(owner)).digest()[:5], padded(user))
    key = hashlib.md5(padded(user) + o_entry + struct.pack("<i", _PERMISSIONS) + _FILE_ID).digest()[:5]
    return key, o_entry, _rc4(key, _PAD)


def _text(x: float, y: float, size: float, text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT /F1 {size} Tf 1 0 0 1 {x:.2f} {792 - y:.2f} Tm ({escaped}) Tj ET"


def _justified(x: float, y: float, width: float, text: str, size: float = 10.0) -> list[str]:
    """A line set word by word so that it spans ``width`` points (Courier: 0.6 em a glyph)."""
    words = text.split()
    inked = sum(len(w) for w in words) * 0.6 * size
    gap = (width - inked) / max(1, len(words) - 1)
    out, at = [], x
    for w in words:
        out.append(_text(at, y, size, w))
        at += len(w) * 0.6 * size + gap
    return out


def _pdf(
    pages: list[list[str]],
    *,
    user: str | None = None,
    owner: str = "owner",
    images: bool = False,
    title: str = "Test file",
) -> bytes:
    """A PDF whose pages draw the given content operators (Courier as /F1, a grey image as /Im1)."""
    encrypt = user is not None
    key, o_entry, u_entry = _security(user or "", owner) if encrypt else (b"", b"", b"")
    objects: dict[int, bytes] = {}

    def stream(num: int, data: bytes, extra: str = "") -> bytes:
        if encrypt:
            data = _rc4(hashlib.md5(key + struct.pack("<i", num)[:3] + b"\0\0").digest()[:10], data)
        return f"<< {extra} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"

    kids = []
    first = 6
    for i, ops in enumerate(pages):
        page, content = first + 2 * i, first + 2 * i + 1
        kids.append(f"{page} 0 R")
        body = "\n".join(ops + (["q 400 0 0 500 100 150 cm /Im1 Do Q"] if images else []))
        objects[content] = stream(content, body.encode("latin-1"))
        objects[page] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents "
            f"{content} 0 R /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> >>"
        ).encode()
    lang = "" if encrypt else " /Lang (en-GB)"
    objects[1] = f"<< /Type /Catalog /Pages 2 0 R{lang} >>".encode()
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
    objects[4] = stream(
        4,
        b"\x00\x80\x80\xff",
        "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8",
    )
    info = f"<< /Title ({title}) /Author (A. Tester) /CreationDate (D:20240102030405Z) >>"
    objects[5] = b"<< >>" if encrypt else info.encode("latin-1")
    trailer_extra = ""
    if encrypt:
        enc = max(objects) + 1
        objects[enc] = (
            f"<< /Filter /Standard /V 1 /R 2 /Length 40 /P {_PERMISSIONS} "
            f"/O <{o_entry.hex()}> /U <{u_entry.hex()}> >>"
        ).encode()
        trailer_extra = f" /Encrypt {enc} 0 R"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for num in range(1, size):
        out += f"{offsets[num]:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {size} /Root 1 0 R /Info 5 0 R{trailer_extra} "
        f"/ID [<{_FILE_ID.hex()}> <{_FILE_ID.hex()}>] >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _two_page_document() -> list[list[str]]:
    """A masthead in two columns, a hyphenated word, a footnote, a paragraph over the page break."""
    left, width = 72.0, 360.0  # a 60-glyph column
    page1 = [
        _text(72, 50, 12, "Alpha Union"),
        _text(72, 66, 12, "Plenary Body"),
        _text(400, 50, 10, "X/TST/1"),
        _text(400, 66, 10, "Distr.: General"),
        _text(400, 78, 10, "1 May 2024"),
        _text(96, 130, 10, "The Assembly,"),
        *_justified(96, 148, width - 24, "Recalling the need to share informa-"),
        *_justified(left, 160, width, "tion among all the members of the union and its"),
        *_justified(left, 172, width, "many partners, and to strengthen their follow-"),
        _text(left, 184, 10, "up mechanisms, in particular the annual review,"),
        _text(left + 47 * 6, 181, 6, "1"),
        _text(96, 202, 10, "1."),
        *_justified(120, 202, width - 48, "Decides to continue the work on the subject"),
        *_justified(left, 214, width, "and to report to the Assembly at its next session, in"),
        _text(72, 700, 8, "_______________"),
        _text(72, 709, 5, "1"),
        _text(78, 712, 8, "See document X/TST/0."),
        _text(72, 750, 10, "24-00001 (E)"),
        _text(72, 764, 10, "*2400001*"),
    ]
    page2 = [
        _text(72, 50, 8, "X/TST/1"),
        _text(left, 100, 10, "accordance with its rules of procedure;"),
        _text(96, 118, 10, "2."),
        _text(120, 118, 10, "Requests a report."),
        _text(72, 750, 8, "2/2"),
    ]
    return [page1, page2]


def test_written_pdf_reads_as_a_reader_sees_it() -> None:
    converted = convert_pdf(_pdf(_two_page_document()), name="written.pdf")
    assert converted.text.split("\n\n") == [
        "Alpha Union",
        "Plenary Body",
        "X/TST/1",
        "Distr.: General",
        "1 May 2024",
        "The Assembly,",
        "Recalling the need to share information among all the members of the union and its many partners, "
        "and to strengthen their follow-up mechanisms, in particular the annual review,[^1]",
        "[^1]: See document X/TST/0.",
        "1.\tDecides to continue the work on the subject and to report to the Assembly at its next session, "
        "in accordance with its rules of procedure;",
        "2.\tRequests a report.\n",
    ]
    assert converted.pages == 2
    assert converted.metadata == {
        "title": "Test file",
        "author": "A. Tester",
        "date": "2024-01-02",
        "lang": "en",
        "symbol": "X/TST/1",
    }


def _rule(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"0.5 w {x0} {792 - y0} m {x1} {792 - y1} l S"


def test_ruled_table_becomes_rows_where_it_stands() -> None:
    xs, ys = (72, 200, 432), (120, 140, 160, 180)
    grid = [_rule(xs[0], y, xs[-1], y) for y in ys]
    grid += [_rule(x, ys[0], x, ys[-1]) for x in (xs[0], xs[-1])]
    grid.append(_rule(xs[1], ys[0], xs[1], ys[2]))  # no middle rule on the last row: one cell spans it
    page = [
        _text(72, 100, 10, "Table 1: Meetings"),
        *grid,
        _text(76, 134, 10, "Edition"),
        _text(204, 134, 10, "Approval"),
        _text(76, 154, 10, "1.0"),
        _text(204, 154, 10, "1996-10-18"),
        _text(76, 174, 10, "Withdrawn in 2004"),
        _text(72, 200, 10, "The table ends here."),
    ]
    assert convert_pdf(_pdf([page]), name="table.pdf").text.split("\n") == [
        "Table 1: Meetings",
        "",
        "| Edition | Approval |",
        "| --- | --- |",
        "| 1.0 | 1996-10-18 |",
        "| Withdrawn in 2004 |  |",
        "",
        "The table ends here.",
        "",
    ]


def test_a_framed_paragraph_is_no_table() -> None:
    box = [
        _rule(72, 120, 432, 120),
        _rule(72, 160, 432, 160),
        _rule(72, 120, 72, 160),
        _rule(432, 120, 432, 160),
    ]
    page = [
        *box,
        _text(76, 134, 10, "NOTE - A framed note is a paragraph,"),
        _text(76, 146, 10, "not a table."),
    ]
    assert (
        convert_pdf(_pdf([page]), name="box.pdf").text
        == "NOTE - A framed note is a paragraph, not a table.\n"
    )


def test_symbol_after_a_word_and_a_file_name_title() -> None:
    page = [
        _text(350, 50, 10, "Document WSIS-99/TST/DOC/1-E"),
        _text(350, 62, 10, "12 December 2003"),
        _text(72, 120, 10, "Declaration of Principles"),
    ]
    converted = convert_pdf(_pdf([page], title="Microsoft Word - draft.docx"), name="wsis.pdf")
    assert converted.metadata["symbol"] == "WSIS-99/TST/DOC/1-E"
    assert "title" not in converted.metadata  # a file name is no title
    assert "Document WSIS-99/TST/DOC/1-E" in converted.text.split("\n")


def test_letter_spaced_capitals_are_words_again() -> None:
    from rag.ingest.pdf_layout import Word, make_line

    def spaced(text: str, x: float) -> list[Word]:
        # 12 pt glyphs 7 pt wide, 5 pt apart (0.42 em); 20 pt between the two words
        return [
            Word(text=c, x0=x + 12 * i, x1=x + 12 * i + 7, baseline=100, size=12) for i, c in enumerate(text)
        ]

    words = spaced("ITU", 0) + spaced("Union", 12 * 3 + 15)
    assert make_line(words, 0).text == "ITU Union"
    # one-letter words a normal space apart and more (a list "a b c" in 12 pt, 14 pt apart) stay apart
    normal = [Word(text=t, x0=20 * i, x1=20 * i + 6, baseline=100, size=12) for i, t in enumerate("abc")]
    assert make_line(normal, 0).text == "a b c"


def test_pdf_with_an_empty_user_password_is_read() -> None:
    converted = convert_pdf(_pdf(_two_page_document(), user=""), name="owner-locked.pdf")
    assert "1.\tDecides to continue the work on the subject" in converted.text


def test_pdf_needing_a_password_is_refused() -> None:
    with pytest.raises(EncryptedDocumentError, match=r"locked\.pdf: .*password"):
        convert_pdf(_pdf(_two_page_document(), user="secret"), name="locked.pdf")


def test_scan_without_text_layer_is_refused_naming_the_page_count() -> None:
    with pytest.raises(NoTextLayerError, match=r"scan\.pdf: none of its 3 pages has a text layer") as err:
        convert_pdf(_pdf([[], [], []], images=True), name="scan.pdf")
    assert "OCR" in err.value.hint


def test_pages_without_text_are_reported_as_a_warning() -> None:
    pages = _two_page_document() + [[]]
    converted = convert_pdf(_pdf(pages, images=True), name="part-scan.pdf")
    assert converted.warnings == (
        "1 of 3 pages have images but no text layer (scans?) and were skipped (pages 3)",
    )


def test_blank_pages_are_no_warning() -> None:
    converted = convert_pdf(_pdf([*_two_page_document(), []]), name="blank-end.pdf")
    assert converted.warnings == ()
    assert converted.pages == 3


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"PK\x03\x04 a zip file, perhaps a docx", UnsupportedFormatError),
        (b"", UnsupportedFormatError),
        (b"<html><body>%PDF in words only</body></html>" + b" " * 2000 + b"%PDF-1.4", UnsupportedFormatError),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, UnreadableDocumentError),
    ],
)
def test_bad_bytes_raise_the_right_error(data: bytes, error: type[DocumentError]) -> None:
    with pytest.raises(error, match=r"^bad\.pdf: ") as err:
        convert_pdf(data, name="bad.pdf")
    assert err.value.hint
    assert type(err.value) is error


def test_truncated_pdf_is_damaged_or_read_never_a_crash() -> None:
    data = _pdf(_two_page_document())
    for cut in (40, len(data) // 3, len(data) // 2, len(data) - 30):
        try:
            converted = convert_pdf(data[:cut], name="cut.pdf")
        except (UnreadableDocumentError, NoTextLayerError):
            continue
        assert converted.text.endswith("\n")


# --- hyphenation, without a PDF ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["the informa-", "tion society"], "the information society"),  # "-tion" is a suffix
        (["their follow-", "up to it"], "their follow-up to it"),
        (["the fixed-", "satellite service"], "the fixed-satellite service"),
        (["a 20-", "year review"], "a 20-year review"),
        (["South-", "South cooperation"], "South-South cooperation"),
        (["economic –", "social"], "economic – social"),
        (
            ["the stake-", "holders and the stakeholders"],
            "the stakeholders and the stakeholders",
        ),  # seen whole
        (["the multi-", "stakeholder and multi-stakeholder"], "the multi-stakeholder and multi-stakeholder"),
        (["ends here.", "Next one"], "ends here. Next one"),
    ],
)
def test_line_end_hyphens(lines: list[str], joined: str) -> None:
    from rag.ingest.pdf_layout import Line, Word

    words = [Word(text=t, x0=0, x1=1, baseline=10, size=10) for t in " ".join(lines).split()]
    vocab = vocabulary([Line(words=tuple(words), page=0, size=10, baseline=10)])
    assert join_lines(lines, vocab) == joined
