"""Word .docx to reading text: the two ITU Word files of the development set and small generated packages.

The generated packages (``make_docx``) hold only the XML each test needs, written here by hand, so each
expectation can be checked against the markup above it: Word's automatic numbering, footnotes, a
resolution's role lines, text boxes held twice in alternate content, revisions, fields, bad files.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache

import pytest

from rag.config import REPO_ROOT
from rag.errors import DocumentError, EncryptedDocumentError, UnreadableDocumentError, UnsupportedFormatError
from rag.ingest.base import SourceFormat
from rag.ingest.docx import convert_docx, format_number
from tests.conftest import more_file

# --- building small .docx packages -----------------------------------------------------------------

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'mc:Ignorable="wps"'
)
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {  # part name -> (relationship type, content type)
    "styles": ("styles", "styles"),
    "numbering": ("numbering", "numbering"),
    "footnotes": ("footnotes", "footnotes"),
    "endnotes": ("endnotes", "endnotes"),
    "settings": ("settings", "settings"),
}


def p(text: str = "", *, style: str | None = None, num: tuple[int, int] | None = None, runs: str = "") -> str:
    """One ``w:p``: plain text as one run (TABs become ``w:tab``), or the given runs XML."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if num:
        props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    body = runs or "".join(
        f'<w:r><w:t xml:space="preserve">{piece}</w:t></w:r>' if i % 2 == 0 else "<w:r><w:tab/></w:r>"
        for i, piece in enumerate(re.split(r"(\t)", text))
        if piece
    )
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{body}</w:p>"


def r(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def style(
    style_id: str,
    name: str,
    *,
    ppr: str = "",
    rpr: str = "",
    based_on: str | None = None,
    kind: str = "paragraph",
    default: bool = False,
) -> str:
    default_attr = ' w:default="1"' if default else ""
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    props = (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
    return (
        f'<w:style w:type="{kind}" w:styleId="{style_id}"{default_attr}>'
        f'<w:name w:val="{name}"/>{based}{props}</w:style>'
    )


def level(ilvl: int, fmt: str, text: str, *, start: int = 1, extra: str = "", font: str | None = None) -> str:
    rpr = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>' if font else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{text}"/>{rpr}</w:lvl>'
    )


def make_docx(
    body: str,
    *,
    styles: str = "",
    lang: str = "en-GB",
    numbering: str | None = None,
    footnotes: str | None = None,
    endnotes: str | None = None,
    settings: str | None = None,
    core: str | None = None,
) -> bytes:
    """A minimal Word package: ``body`` is the XML inside ``w:body``; other parts hold inner XML."""
    root = {
        "numbering": "w:numbering",
        "footnotes": "w:footnotes",
        "endnotes": "w:endnotes",
        "settings": "w:settings",
    }
    parts = {
        "styles": f'<w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="{lang}"/></w:rPr>'
        f"</w:rPrDefault></w:docDefaults>{style('Normal', 'Normal', default=True)}{styles}</w:styles>",
    }
    for name, inner in (
        ("numbering", numbering),
        ("footnotes", footnotes),
        ("endnotes", endnotes),
        ("settings", settings),
    ):
        if inner is not None:
            parts[name] = f"<{root[name]} {NS}>{inner}</{root[name]}>"
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_TYPE}/{_PARTS[name][0]}" Target="{name}.xml"/>'
        for i, name in enumerate(parts, start=1)
    )
    overrides = "".join(
        f'<Override PartName="/word/{name}.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'wordprocessingml.{_PARTS[name][1]}+xml"/>'
        for name in parts
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.'
            f'wordprocessingml.document.main+xml"/>{overrides}</Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL_TYPE}/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
            'metadata/core-properties" Target="docProps/core.xml"/></Relationships>',
        )
        package.writestr("word/document.xml", f"<w:document {NS}><w:body>{body}</w:body></w:document>")
        package.writestr(
            "word/_rels/document.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>",
        )
        for name, xml in parts.items():
            package.writestr(f"word/{name}.xml", xml)
        if core is not None:
            package.writestr(
                "docProps/core.xml",
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"{core}</cp:coreProperties>",
            )
    return buffer.getvalue()


def lines(data: bytes) -> list[str]:
    """The reading text's non-blank lines."""
    return [line for line in convert_docx(data, name="t.docx").text.splitlines() if line]


# --- automatic numbering ---------------------------------------------------------------------------

NUMBERING = (
    # 10: ITU clause numbers 1 / 1.1 / 1.1.1
    '<w:abstractNum w:abstractNumId="10">'
    + level(0, "decimal", "%1")
    + level(1, "decimal", "%1.%2")
    + level(2, "decimal", "%1.%2.%3")
    + "</w:abstractNum>"
    # 20: lettered items a) with roman sub-items i)
    + '<w:abstractNum w:abstractNumId="20">'
    + level(0, "lowerLetter", "%1)")
    + level(1, "lowerRoman", "%2)")
    + "</w:abstractNum>"
    # 30: bullets: Symbol-font private-use bullet, "o" in Courier New, Wingdings square, an en dash
    + '<w:abstractNum w:abstractNumId="30">'
    + level(0, "bullet", "\uf0b7", font="Symbol")
    + level(1, "bullet", "o", font="Courier New")
    + level(2, "bullet", "\uf0a7", font="Wingdings")
    + level(3, "bullet", "–")
    + "</w:abstractNum>"
    # 40: upper roman from III, upper letters, then a legal-style level (all decimal)
    + '<w:abstractNum w:abstractNumId="40">'
    + level(0, "upperRoman", "%1.", start=3)
    + level(1, "upperLetter", "%2.")
    + level(2, "decimal", "%1.%2.%3", extra="<w:isLgl/>")
    + "</w:abstractNum>"
    # 50: a second level that never restarts (lvlRestart 0)
    + '<w:abstractNum w:abstractNumId="50">'
    + level(0, "decimal", "%1.")
    + level(1, "decimal", "(%2)", extra='<w:lvlRestart w:val="0"/>')
    + "</w:abstractNum>"
    # 60: heading numbering tied to the heading styles (w:pStyle in the levels)
    + '<w:abstractNum w:abstractNumId="60">'
    + level(0, "decimal", "%1", extra='<w:pStyle w:val="Heading1"/>')
    + level(1, "decimal", "%1.%2", extra='<w:pStyle w:val="Heading2"/>')
    + "</w:abstractNum>"
    + '<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>'
    + '<w:num w:numId="2"><w:abstractNumId w:val="20"/></w:num>'
    # 3 shares definition 20 but restarts it ("Restart at 1"); 4 shares it and continues
    + '<w:num w:numId="3"><w:abstractNumId w:val="20"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
    + '<w:num w:numId="4"><w:abstractNumId w:val="20"/></w:num>'
    + '<w:num w:numId="5"><w:abstractNumId w:val="30"/></w:num>'
    + '<w:num w:numId="6"><w:abstractNumId w:val="40"/></w:num>'
    + '<w:num w:numId="7"><w:abstractNumId w:val="50"/></w:num>'
    + '<w:num w:numId="8"><w:abstractNumId w:val="60"/></w:num>'
)
NUMBERED_STYLES = style(
    "Heading1", "heading 1", ppr='<w:numPr><w:numId w:val="8"/></w:numPr><w:outlineLvl w:val="0"/>'
) + style(
    "Heading2",
    "heading 2",
    based_on="Heading1",
    ppr='<w:numPr><w:ilvl w:val="1"/><w:numId w:val="8"/></w:numPr><w:outlineLvl w:val="1"/>',
)
NUMBERED_BODY = "".join(
    [
        p("Study groups", num=(1, 0)),  # 1
        p("Frequency of meetings", num=(1, 1)),  # 1.1
        p("Study groups meet", num=(1, 2)),  # 1.1.1
        p("The timetable", num=(1, 2)),  # 1.1.2
        p("Coordination of work", num=(1, 1)),  # 1.2: level 2 restarts below it
        p("A joint coordination activity", num=(1, 2)),  # 1.2.1
        p("Study group management", num=(1, 0)),  # 2
        p("Structure", num=(1, 1)),  # 2.1
        p("that the first", num=(2, 0)),  # a)
        p("with a sub-item", num=(2, 1)),  # i)
        p("and a second", num=(2, 1)),  # ii)
        p("that the second", num=(2, 0)),  # b)
        p("that a restarted list begins again", num=(3, 0)),  # a) (startOverride)
        p("that it goes on", num=(3, 0)),  # b)
        p("that a list sharing the definition continues", num=(4, 0)),  # c)
        p("Procedures", num=(1, 0)),  # 3: list 1 continues after the others
        p("symbol bullet", num=(5, 0)),
        p("courier bullet", num=(5, 1)),
        p("wingdings bullet", num=(5, 2)),
        p("dash bullet", num=(5, 3)),
        p("Third part", num=(6, 0)),  # III.
        p("First section", num=(6, 1)),  # A.
        p("Legal numbering", num=(6, 2)),  # 3.1.1
        p("One", num=(7, 0)),  # 1.
        p("first note", num=(7, 1)),  # (1)
        p("second note", num=(7, 1)),  # (2)
        p("Two", num=(7, 0)),  # 2.
        p("third note, never restarted", num=(7, 1)),  # (3)
        p("Introduction", style="Heading1"),  # 1 from the style
        p("Background", style="Heading2"),  # 1.1
        p("Scope", style="Heading1"),  # 2
    ]
)


def test_automatic_numbering_is_written_as_word_displays_it() -> None:
    unnumbered = (
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr>'
        + r("Annex without a number")
        + "</w:p>"
    )
    got = lines(make_docx(NUMBERED_BODY + unnumbered, numbering=NUMBERING, styles=NUMBERED_STYLES))
    assert got == [
        "1\tStudy groups",
        "1.1\tFrequency of meetings",
        "1.1.1\tStudy groups meet",
        "1.1.2\tThe timetable",
        "1.2\tCoordination of work",
        "1.2.1\tA joint coordination activity",
        "2\tStudy group management",
        "2.1\tStructure",
        "a)\tthat the first",
        "i)\twith a sub-item",
        "ii)\tand a second",
        "b)\tthat the second",
        "a)\tthat a restarted list begins again",
        "b)\tthat it goes on",
        "c)\tthat a list sharing the definition continues",
        "3\tProcedures",
        "•\tsymbol bullet",
        "o\tcourier bullet",
        "•\twingdings bullet",
        "–\tdash bullet",
        "III.\tThird part",
        "A.\tFirst section",
        "3.1.1\tLegal numbering",
        "1.\tOne",
        "(1)\tfirst note",
        "(2)\tsecond note",
        "2.\tTwo",
        "(3)\tthird note, never restarted",
        "# 1\tIntroduction",
        "## 1.1\tBackground",
        "# 2\tScope",
        "# Annex without a number",
    ]


def test_numbering_linked_through_a_numbering_style_counts_in_the_linked_list() -> None:
    # Definition 70 holds the levels and names style "ListStyle"; definition 71 only links to it
    # (numStyleLink): lists 9 and 10 both count in definition 70's sequence.
    numbering = (
        '<w:abstractNum w:abstractNumId="70"><w:styleLink w:val="ListStyle"/>'
        + level(0, "decimal", "%1.")
        + "</w:abstractNum>"
        + '<w:abstractNum w:abstractNumId="71"><w:numStyleLink w:val="ListStyle"/></w:abstractNum>'
        + '<w:num w:numId="9"><w:abstractNumId w:val="70"/></w:num>'
        + '<w:num w:numId="10"><w:abstractNumId w:val="71"/></w:num>'
    )
    styles = style("ListStyle", "List Style", kind="numbering", ppr='<w:numPr><w:numId w:val="9"/></w:numPr>')
    body = p("first", num=(9, 0)) + p("second", num=(10, 0))
    assert lines(make_docx(body, numbering=numbering, styles=styles)) == ["1.\tfirst", "2.\tsecond"]


def test_malformed_numbering_values_fall_back_instead_of_failing() -> None:
    # start "x" keeps the default start 1; an override of level 99 and a paragraph at level 12 are ignored
    numbering = (
        '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="x"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/>'
        '<w:lvlOverride w:ilvl="99"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
    )
    body = p("first", num=(1, 0)) + p("deep", num=(1, 12)) + p("missing list", num=(7, 0))
    assert lines(make_docx(body, numbering=numbering)) == ["1.\tfirst", "deep", "missing list"]


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (4, "decimal", "4"),
        (7, "decimalZero", "07"),
        (2, "lowerLetter", "b"),
        (27, "lowerLetter", "aa"),  # Word repeats the letter after z
        (28, "upperLetter", "BB"),
        (14, "lowerRoman", "xiv"),
        (1990, "upperRoman", "MCMXC"),
        (2, "ordinal", "2nd"),
        (13, "ordinal", "13th"),
        (5, "chicago", "**"),  # *, †, ‡, §, then doubled
        (3, "decimalEnclosedParen", "(3)"),
        (9, "someFormatWordAddedLater", "9"),
    ],
)
def test_number_formats(value: int, fmt: str, expected: str) -> None:
    assert format_number(value, fmt) == expected


# --- footnotes and endnotes ------------------------------------------------------------------------

FOOTNOTES = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote>"
    '<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r>' + r(" Kyoto, 2022.") + "</w:p></w:footnote>"
    '<w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:tab/></w:r>'
    + r("Rev. Bucharest, 2022.")
    + "</w:p>"
    + p("See also Annex 2.")
    + "</w:footnote>"
    '<w:footnote w:id="3"><w:p>'
    + r("*")
    + "<w:r><w:tab/></w:r>"
    + r("Note by the Secretariat.")
    + "</w:p></w:footnote>"
    '<w:footnote w:id="4"><w:p><w:r><w:footnoteRef/></w:r>'
    + r(" A note called in a table.")
    + "</w:p></w:footnote>"
)
ENDNOTES = '<w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r>' + r(" An endnote.") + "</w:p></w:endnote>"


def _call(note_id: int, kind: str = "footnote", custom: str = "") -> str:
    custom_attr = ' w:customMarkFollows="1"' if custom else ""
    mark = f"<w:t>{custom}</w:t>" if custom else ""
    return f'<w:r><w:{kind}Reference{custom_attr} w:id="{note_id}"/>{mark}</w:r>'


def _table(rows: list[list[str]], *, cell_props: list[list[str]] | None = None) -> str:
    """A ``w:tbl``: each cell given as the XML of its paragraphs."""
    out = ["<w:tbl>"]
    for i, row in enumerate(rows):
        out.append("<w:tr>")
        for j, cell in enumerate(row):
            props = cell_props[i][j] if cell_props else ""
            out.append(f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{cell or '<w:p/>'}</w:tc>")
        out.append("</w:tr>")
    return "".join(out) + "</w:tbl>"


def test_footnotes_are_called_in_place_and_noted_after_the_calling_paragraph() -> None:
    body = (
        p(runs=r("Recalling Resolution 71") + _call(1) + r(" and Resolution 200") + _call(2) + r(";"))
        + p(runs=r("Decides") + _call(3, custom="*") + r(" to continue."))
        + _table([[p(runs=r("Cell") + _call(4)), p("B")], [p("C"), p("D")]])
        + p(runs=r("An endnote call") + _call(1, "endnote") + r("."))
    )
    got = lines(make_docx(body, footnotes=FOOTNOTES, endnotes=ENDNOTES))
    assert got == [
        "Recalling Resolution 71[^1] and Resolution 200[^2];",
        "[^1]: Kyoto, 2022.",
        "[^2]: Rev. Bucharest, 2022. See also Annex 2.",
        "Decides[^*] to continue.",  # the custom mark "*" is not auto-numbered: the next one is 3
        "[^*]: Note by the Secretariat.",
        "| Cell[^3] | B |",
        "| --- | --- |",
        "| C | D |",
        "[^3]: A note called in a table.",  # after the table, not inside it
        "An endnote call[^i].",  # Word numbers endnotes i, ii, iii unless told otherwise
        "[^i]: An endnote.",
    ]


def test_a_custom_mark_split_over_runs_is_one_mark_and_the_note_drops_its_repeat() -> None:
    # Word 97 files converted to .docx keep "**" as two runs after the reference.
    footnotes = (
        '<w:footnote w:id="1"><w:p>'
        + r("**")
        + "<w:r><w:tab/></w:r>"
        + r("Provisional.")
        + "</w:p></w:footnote>"
    )
    body = p(
        runs=r("for the service")
        + _call(1, custom="*")
        + r("*", '<w:vertAlign w:val="superscript"/>')
        + r(", and")
    )
    assert lines(make_docx(body, footnotes=footnotes)) == ["for the service[^**], and", "[^**]: Provisional."]


def test_note_numbering_follows_the_documents_settings() -> None:
    settings = '<w:footnotePr><w:numFmt w:val="lowerLetter"/><w:numStart w:val="3"/></w:footnotePr>'
    body = p(runs=r("One") + _call(1) + r(" two") + _call(4))
    got = lines(make_docx(body, footnotes=FOOTNOTES, settings=settings))
    assert got == ["One[^c] two[^d]", "[^c]: Kyoto, 2022.", "[^d]: A note called in a table."]


def test_a_call_to_a_missing_note_keeps_its_mark_and_warns() -> None:
    converted = convert_docx(make_docx(p(runs=r("Text") + _call(9))), name="t.docx")
    assert converted.text == "Text[^1]\n"
    assert converted.warnings == ("footnote 9 is called in the text but missing from the file",)


# --- a resolution's layout (typed labels, role lines, ITU styles) ----------------------------------

ITU_STYLES = (
    style("ResNo", "Res_No")
    + style("Restitle", "Res_title")
    + style("Call", "Call")
    + style("Normalaftertitle", "Normal_after_title")
    + style("enumlev1", "enumlev1")
    + style("AnnexNo", "Annex_No", rpr="<w:caps/>")
    + style("Annextitle", "Annex_title")
)
RESOLUTION_BODY = "".join(
    [
        p("RESOLUTION 1 (Rev. Hammamet, 2016)", style="ResNo"),
        p("Rules of procedure of the ITU Telecommunication Standardization Sector", style="Restitle"),
        p("The World Telecommunication Standardization Assembly (Hammamet, 2016),", style="Normalaftertitle"),
        p("considering", style="Call"),
        p("a)\tthat the Plenipotentiary Conference adopted Resolution 71;"),
        p("b)  that a label typed with two spaces is still a label;"),
        p(runs=r("c)") + r("\u00a0that a no-break space sets a label apart too;")),
        p("resolves", style="Call"),
        p("1\tthat the rules in this resolution apply;"),
        p("1.3.2\tthat a deep item keeps its number;"),
        p("2.3.4 that a three-level number typed with one space is a label;"),
        p("1.5 million people is a number, not a label;"),
        p("–\tan indented dash item;", style="enumlev1"),
        p("instructs the Director of the Telecommunication Standardization Bureau", style="Call"),
        p("1\tto report to the next assembly."),
        p("Annex 1 to Resolution 1", style="AnnexNo"),
        p("Working methods", style="Annextitle"),
    ]
)


def test_resolution_layout_keeps_role_lines_and_ends_labels_with_one_tab() -> None:
    assert lines(make_docx(RESOLUTION_BODY, styles=ITU_STYLES)) == [
        "RESOLUTION 1 (Rev. Hammamet, 2016)",
        "Rules of procedure of the ITU Telecommunication Standardization Sector",
        "The World Telecommunication Standardization Assembly (Hammamet, 2016),",
        "considering",
        "a)\tthat the Plenipotentiary Conference adopted Resolution 71;",
        "b)\tthat a label typed with two spaces is still a label;",
        "c)\tthat a no-break space sets a label apart too;",
        "resolves",
        "1\tthat the rules in this resolution apply;",
        "1.3.2\tthat a deep item keeps its number;",
        "2.3.4\tthat a three-level number typed with one space is a label;",
        "1.5 million people is a number, not a label;",
        "–\tan indented dash item;",
        "instructs the Director of the Telecommunication Standardization Bureau",
        "1\tto report to the next assembly.",
        "ANNEX 1 TO RESOLUTION 1",  # the Annex_No style prints in capitals
        "Working methods",
    ]


# --- what Word holds besides plain runs ------------------------------------------------------------


def _text_box(text: str) -> str:
    """A floating text box as Word 2010+ saves it: the same box in DrawingML and again in VML."""
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx><w:txbxContent>{p(text)}</w:txbxContent></wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{p(text)}</w:txbxContent></v:textbox>"
        "</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def _field(code: str, result: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{code}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + r(result)
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def test_text_boxes_once_content_controls_revisions_and_fields() -> None:
    body = "".join(
        [
            p(runs=r("Anchor paragraph.") + _text_box("Boxed text")),
            '<w:sdt><w:sdtPr><w:alias w:val="Clause"/></w:sdtPr><w:sdtContent>'
            + p("Inside a content control.")
            + "</w:sdtContent></w:sdt>",
            p(
                runs=r("Kept ")
                + '<w:del w:id="1" w:author="x"><w:r><w:delText>deleted words </w:delText></w:r>'
                + '</w:del><w:ins w:id="2" w:author="x">'
                + r("inserted words")
                + "</w:ins>"
            ),
            p(runs=r("See ") + _field(" REF _Ref1 \\h ", "clause 2") + r(" below.")),
            p(runs=r("Hidden ") + r("secret ", "<w:vanish/>") + r("text.")),
        ]
    )
    assert lines(make_docx(body)) == [
        "Anchor paragraph.",
        "Boxed text",  # once, though the file holds it twice (DrawingML and VML)
        "Inside a content control.",
        "Kept inserted words",
        "See clause 2 below.",  # the field's result, not its code
        "Hidden text.",
    ]


def test_a_field_left_open_by_a_damaged_file_hides_no_more_than_its_paragraph() -> None:
    unterminated = '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
    body = p(runs=r("Before ") + unterminated + r("lost")) + p("The next paragraph is read.")
    assert lines(make_docx(body)) == ["Before", "The next paragraph is read."]


def test_tables_of_contents_are_left_out_with_their_title() -> None:
    styles = style("TOC1", "toc 1")
    body = "".join(
        [
            p("Contents"),
            p(
                runs='<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText> TOC \\o "1-3" </w:instrText>'
                + '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                + r("1")
                + "<w:r><w:tab/></w:r>"
                + r("Scope")
                + "<w:r><w:tab/></w:r>"
                + r("3")
            ),
            p("2\tTerms\t4", style="TOC1"),
            p(runs=r("3 More entries 5") + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'),
            '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj>'
            "</w:sdtPr><w:sdtContent>" + p("Annex A\t9", style="TOC1") + "</w:sdtContent></w:sdt>",
            p("1\tScope"),
        ]
    )
    assert lines(make_docx(body, styles=styles)) == ["1\tScope"]


def test_symbols_hyphens_breaks_and_capitals_print_as_shown() -> None:
    body = "".join(
        [
            p(runs='<w:r><w:sym w:font="Symbol" w:char="F0E3"/></w:r>' + r(" ITU 2017")),
            p(
                runs=r("ITU")
                + "<w:r><w:noBreakHyphen/></w:r>"
                + r("T Recom")
                + "<w:r><w:softHyphen/></w:r>"
                + r("mendation")
            ),
            p(runs=r("first line") + "<w:r><w:br/></w:r>" + r("second line")),
            p(
                runs=r("NOTE ")
                + '<w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>'
                + r(" a private glyph")
            ),
            p(
                runs=r("small", "<w:caps/>")
                + r(" and ")
                + r("Greek ")
                + r("a", '<w:rFonts w:ascii="Symbol"/>')
            ),
            p(runs=r("x = ") + "<m:oMath><m:r><m:t>y+1</m:t></m:r></m:oMath>"),
        ]
    )
    assert lines(make_docx(body)) == [
        "© ITU 2017",
        "ITU-T Recommendation",
        "first line second line",
        "NOTE a private glyph",
        "SMALL and Greek α",
        "x = y+1",
    ]


def test_heading_styles_and_outline_levels_become_headings_and_nothing_else() -> None:
    styles = (
        style("Heading2", "heading 2")
        + style("Title", "Title")
        + style("AnnexNoTitle", "Annex_NoTitle", ppr='<w:outlineLvl w:val="0"/>')
        + style("AppendixNoTitle", "Appendix_NoTitle", based_on="AnnexNoTitle")
        + style("Headingb", "Heading_b")
    )
    body = (
        p("A title", style="Title")
        + p("1.1\tFrequency", style="Heading2")
        + p(runs=r("Annex A") + "<w:r><w:br/></w:r>" + r("Template"), style="AnnexNoTitle")
        + p("Appendix I", style="AppendixNoTitle")
        + p("Bold run-in heading", style="Headingb")
        + '<w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr>'
        + r("Direct outline level")
        + "</w:p>"
    )
    assert lines(make_docx(body, styles=styles)) == [
        "# A title",
        "## 1.1\tFrequency",
        "# Annex A Template",
        "# Appendix I",  # the outline level comes through basedOn
        "Bold run-in heading",  # no outline level: not marked as a heading
        "### Direct outline level",
    ]


def test_tables_merged_cells_once_nested_tables_flattened_frames_as_paragraphs() -> None:
    merged = _table(
        [[p("A"), p("B")], [p("C"), p("D"), p("E")], ["", p("F"), p("G")]],
        cell_props=[
            ['<w:gridSpan w:val="2"/>', ""],
            ['<w:vMerge w:val="restart"/>', "", ""],
            ["<w:vMerge/>", "", ""],
        ],
    )
    nested = _table([[p("Outer") + _table([[p("x"), p("y")], [p("z"), p("w")]]), p("Right")]])
    frame = _table([[p("Summary") + p("a)\tframed item")]])
    got = lines(make_docx(merged + p("between") + nested + p("between") + frame))
    assert got == [
        "| A |  | B |",  # a cell spanning two grid columns is written once
        "| --- | --- | --- |",
        "| C | D | E |",
        "|  | F | G |",  # the vertically merged continuation is empty, not a copy of C
        "between",
        "| Outer<br>x; y<br>z; w | Right |",
        "| --- | --- |",
        "between",
        "Summary",  # a one-column table is a frame around paragraphs
        "a)\tframed item",
    ]


# --- metadata --------------------------------------------------------------------------------------


def test_metadata_from_core_properties_and_the_text_language() -> None:
    core = "<dc:title> Resolution 1 </dc:title><dc:creator>ITU-T</dc:creator>"
    converted = convert_docx(make_docx(p("Texte."), lang="fr-FR", core=core), name="t.docx")
    assert converted.format is SourceFormat.DOCX
    assert converted.metadata == {"title": "Resolution 1", "author": "ITU-T", "lang": "fr"}
    assert converted.pages is None


def test_language_follows_most_of_the_text_then_the_core_property() -> None:
    french = p(runs=r("Une longue phrase en français, marquée comme telle.", '<w:lang w:val="fr-CH"/>'))
    data = make_docx(french + p("Short."), lang="en-US")
    assert convert_docx(data, name="t.docx").metadata["lang"] == "fr"
    data = make_docx(french, lang="en-US", core="<dc:language>es-ES</dc:language>")
    assert convert_docx(data, name="t.docx").metadata["lang"] == "es"


# --- bad files -------------------------------------------------------------------------------------


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", UnsupportedFormatError, "not a zip package"),
        (b"Plain text, not a Word file.", UnsupportedFormatError, "not a zip package"),
        (_zip({"hello.txt": "hi"}), UnsupportedFormatError, "not a Word document"),
        (
            _zip(
                {
                    "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    'officeDocument" Target="xl/workbook.xml"/></Relationships>',
                    "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
                }
            ),
            UnsupportedFormatError,
            "not a Word document",
        ),
        (_zip({"word/document.xml": "<w:document"}), UnreadableDocumentError, "not well-formed XML"),
        (make_docx(p("Some text " * 200))[:700], UnreadableDocumentError, "damaged"),
    ],
)
def test_bad_files_raise_the_right_document_error(
    data: bytes, error: type[DocumentError], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        convert_docx(data, name="bad.docx")
    assert "bad.docx" in str(caught.value)
    assert caught.value.hint


def test_a_legacy_doc_given_as_docx_is_unsupported_and_says_to_use_doc() -> None:
    data = more_file("itu-r-rec-s354-2-1974.doc").read_bytes()
    with pytest.raises(UnsupportedFormatError, match="Word 97-2003") as caught:
        convert_docx(data, name="s354.docx")
    assert ".doc" in caught.value.hint


# --- the development set: Recommendation ITU-T A.1 (English) and E.119 (French) --------------------


@cache
def _more(name: str):  # type: ignore[no-untyped-def]
    return convert_docx(more_file(name).read_bytes(), name=name)


def _a1() -> list[str]:
    return _more("itu-t-rec-a1-2016-working-methods.docx").text.split("\n")


def _e119() -> list[str]:
    return _more("itu-t-rec-e119-2017-fr.docx").text.split("\n")


def _line_starting(all_lines: list[str], prefix: str) -> int:
    found = [i for i, line in enumerate(all_lines) if line.startswith(prefix)]
    assert len(found) == 1, f"{prefix!r}: {len(found)} lines"
    return found[0]


def test_a1_typed_clause_numbers_are_labels_with_one_tab() -> None:
    text = _a1()
    _line_starting(
        text, "1.1.1\tStudy groups meet to facilitate the approval of Recommendations. Such meetings"
    )
    _line_starting(text, "1.8.2.10\twork item: An assigned piece of work")  # typed "<TAB>  work item"
    _line_starting(
        text, "2.3.3.8\tRapporteurs are responsible for the quality of their texts"
    )  # typed "2.3.3.8 <TAB>"
    _line_starting(text, "2.3.3.15\tWhen meetings are arranged to be held outside ITU premises")
    _line_starting(
        text, "–\tList the appropriate Question numbers of the originating and destination study groups."
    )
    _line_starting(text, "a)\tbrief summary of contents of report;")
    _line_starting(text, "j)\tlist of attendees at all meetings held since last progress report.")


def test_a1_headings_come_from_heading_styles_and_outline_levels() -> None:
    text = _a1()
    headings = [line for line in text if line.startswith("#")]
    assert headings[:4] == [
        "# 1\tStudy groups and their relevant groups",
        "## 1.1\tFrequency of meetings",
        "## 1.2\tCoordination of work",
        "## 1.3\tPreparation of studies and meetings",
    ]
    assert "### 1.8.2\tTerms defined in this Recommendation" in headings
    # Annex_NoTitle has outline level 1; Appendix_NoTitle inherits it. The soft return becomes a space.
    assert headings[-2:] == [
        "# Annex A Template to describe a proposed new Recommendation in the work programme",
        "# Appendix\u00a0I Rapporteur progress report format",  # a no-break space, as typed
    ]
    assert len(headings) == 3 + 8 + 3 + 4 + 2 + 2  # clauses 1-3, 1.1-1.8, 2.1-2.3, 3.1-3.4, 1.8.x, annexes


def test_a1_table_of_contents_and_page_furniture_are_left_out() -> None:
    text = _a1()
    assert not any(line.lower().startswith("table of contents") or line.startswith("Page") for line in text)
    assert sum("Frequency of meetings" in line for line in text) == 1  # the heading, not its TOC entry
    assert not any("Rec. ITU-T A.1 (10/2016)" in line or "Printed in Switzerland" in line for line in text)
    assert "ITUT" not in "\n".join(text)  # Word's non-breaking hyphen is written "-"
    assert "©\u00a0ITU\u00a02017" in text  # a Symbol-font © (w:sym F0E3), no-break spaces kept


def test_a1_liaison_statement_figure_is_a_table_of_rows() -> None:
    text = _a1()
    first = _line_starting(text, "| QUESTIONS: | 45/15, 3/4, 8/ITU-R SG11 |")
    assert text[first + 1].startswith("| --- | --- |")
    assert text[first + 2].startswith(
        "| SOURCE: | ITU-T SG15, Rapporteur group for Q45/15 (London, 2-6 October 1997) |"
    )
    assert (
        text[first + 5] == "| FOR ACTION TO:<br>FOR COMMENT TO:<br>FOR INFORMATION TO: "
        "| ITU-T SG4 − WP 5/<br>ITU-R SG11, ISO/IEC JTC 1/SC 6 |  |  |  |"
    )
    contact = _line_starting(
        text, "| CONTACT: | John Jones, rapporteur for Q45/15 | Tel: | +1 576 980 9987 |"
    )
    assert text[contact + 4] == "Figure\u00a01-1 – Example of the information required in a liaison statement"


def test_a1_footnotes_follow_their_calling_paragraph_or_table() -> None:
    text = _a1()
    header = _line_starting(text, "| Edition | Recommendation | Approval | Study Group | Unique ID[^*] |")
    note = _line_starting(text, "[^*]: To access the Recommendation, type the URL http://handle.itu.int/")
    assert note == header + 10  # header, rule, 7 editions, blank line
    caller = _line_starting(text, "If the study group proposing the establishment of the JCA")
    assert "electronic notification[^1] proposing the JCA" in text[caller]
    assert text[caller + 2] == (
        "[^1]: This electronic notification should be sent to the general e-mail reflector for the proposing "
        "study group and should also be a TD to the next meeting of the study group."
    )


def test_a1_metadata() -> None:
    converted = _more("itu-t-rec-a1-2016-working-methods.docx")
    assert converted.metadata["lang"] == "en"
    assert converted.metadata["title"].startswith("ITU-T Rec. A.1 (10/2016) Working methods for study groups")
    assert converted.warnings == ()


def test_e119_clauses_definitions_and_the_items_restarting_in_each_subclause() -> None:
    text = _e119()
    headings = [line for line in text if line.startswith("# ")]
    assert [h.split("\t")[0] for h in headings] == [
        "# 1",
        "# 2",
        "# 3",
        "# 4",
        "# 5",
        "# 6",
        "# 7",
        "# Bibliographie",
    ]
    _line_starting(text, "3.1.1\tréseau tolérant aux délais (DTN) [b-FG-NRR]: un réseau DTN enregistre")
    _line_starting(text, "3.1.5\tréseau de prochaine génération (NGN) [UIT-T Y.2001].")
    _line_starting(text, "3.2.3\tvictime: personne touchée par une catastrophe.")
    items: dict[str, list[str]] = {}
    section = ""
    for line in text:
        if line.startswith("## 7."):
            section = line[3:6]
            items[section] = []
        elif section and re.match(r"\d\)\t", line):
            items[section].append(line.split("\t")[0])
        elif line.startswith("# "):
            section = ""
    counts = {"7.1": 6, "7.2": 4, "7.3": 4, "7.4": 2, "7.5": 4, "7.6": 1, "7.7": 3}
    assert items == {s: [f"{n})" for n in range(1, k + 1)] for s, k in counts.items()}
    _line_starting(text, "1)\tRedondance des données")


def test_e119_footnote_and_french_metadata() -> None:
    text = _e119()
    header = _line_starting(
        text, "| Edition | Recommandation | Approbation | Commission d'études | ID unique[^*] |"
    )
    assert text[header + 2] == "| 1.0 | UIT-T E.119 | 07-04-2017 | 2 | 11.1002/1000/13074 |"
    assert text[header + 4].startswith(
        "[^*]: Pour accéder à la Recommandation, reporter cet URL http://handle.itu.int/"
    )
    assert sum(line.startswith("[^") for line in text) == 1
    assert _more("itu-t-rec-e119-2017-fr.docx").metadata["lang"] == "fr"


def test_a_password_protected_docx_is_an_encrypted_document_error() -> None:
    data = (
        REPO_ROOT / "tests" / "data" / "ingest" / "encrypted.docx"
    ).read_bytes()  # an OLE EncryptedPackage
    with pytest.raises(EncryptedDocumentError, match="password-protected") as caught:
        convert_docx(data, name="secret.docx")
    assert "remove the password" in caught.value.hint
