"""Word 97-2003 .doc to reading text: Recommendation ITU-R S.354-2 of the development set, a generated
resolution saved as .doc by LibreOffice (``tests/data/ingest/make_word_fixtures.py``), the antiword
fallback and bad files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import cache

import pytest

import rag.ingest.doc as doc_module
from rag.config import REPO_ROOT
from rag.errors import DocumentError, EncryptedDocumentError, UnreadableDocumentError, UnsupportedFormatError
from rag.ingest.base import SourceFormat
from rag.ingest.doc import antiword_reading_text, convert_doc
from tests.conftest import more_file

DATA = REPO_ROOT / "tests" / "data" / "ingest"
S354 = "itu-r-rec-s354-2-1974.doc"
needs_antiword = pytest.mark.skipif(
    shutil.which("antiword") is None, reason="Debian's antiword is not installed"
)


@cache
def _s354():  # type: ignore[no-untyped-def]
    return convert_doc(more_file(S354).read_bytes(), name=S354)


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def test_s354_role_lines_and_items_are_labelled_lines() -> None:
    lines = _lines(_s354().text)
    start = lines.index("The ITU Radiocommunication Assembly,")
    body = [line.split("\t")[0] if "\t" in line else line for line in lines[start:]]
    assert body[:9] == [
        "The ITU Radiocommunication Assembly,",
        "considering",
        "a)",
        "b)",
        "c)",
        "d)",
        "recommends",
        "1",
        "2",
    ]
    assert lines[start + 2].startswith("a)\tthat the hypothetical reference circuit is intended as a guide")
    assert lines[start + 5].endswith("in conformity with Opinion ITU-R 38,")
    assert lines[start + 7].startswith(
        "1\tthat, in the hypothetical reference circuit for systems in the fixed"
    )
    assert lines[start + 8].startswith(
        "2\tthat the signal-to-weighted noise ratios for continuous random noise"
    )


def test_s354_notes_and_footnotes_follow_their_paragraphs() -> None:
    lines = _lines(_s354().text)
    assert lines[:4] == [
        "RECOMMENDATION ITU-R S.354-2[^*]",
        "[^*]: Radiocommunication Study Group 4 made editorial amendments to this Recommendation in 2001 in "
        "accordance with Resolution ITU-R 44 (RA-2000).",
        # the title's three soft-returned lines are one paragraph; its mark "**" spans two runs
        "Video bandwidth and permissible noise level in the hypothetical reference circuit for the "
        "fixed-satellite service[^**]",
        "[^**]: These requirements are provisional. In Question 13/ex-CCIR SG CMTT and Study Programme "
        "13D/ex-CCIR SG CMTT, the ex-CCIR SG CMTT invites Administrations to study the characteristics of a "
        "hypothetical reference circuit for the transmission of television by satellite.",
    ]
    notes = [i for i, line in enumerate(lines) if line.startswith("NOTE")]
    assert [lines[i][:8] for i in notes] == ["NOTE\u00a01\u00a0–", "NOTE\u00a02\u00a0–", "NOTE\u00a03\u00a0–"]
    assert (
        "special note should be taken of Note 2[^*] of §\u00a01.2 of ex-CCIR Recommendation 421-3"
        in lines[notes[1]]
    )
    assert lines[notes[1] + 1] == (
        "[^*]: Note by the Secretariat: This Note has been deleted in ITU-T Recommendation J.61 which "
        "replaces ex-CCIR Recommendation 421-3."
    )
    assert notes[2] == notes[1] + 2
    assert lines[-1] == lines[notes[2]]  # the empty paragraphs after it leave nothing


def test_s354_metadata() -> None:
    converted = _s354()
    assert converted.format is SourceFormat.DOC
    assert converted.metadata["lang"] == "en"
    assert converted.metadata["author"] == "ITU Radiocommunication Bureau (BR)"
    assert converted.metadata["title"].startswith("RECOMMENDATION ITU-R S.354-2* - Video bandwidth")
    assert converted.warnings == ()


def test_a_doc_keeps_word_automatic_numbering_capitals_tables_and_notes() -> None:
    converted = convert_doc((DATA / "resolution.doc").read_bytes(), name="resolution.doc")
    lines = _lines(converted.text)
    assert lines[3:7] == [
        "considering",
        "a)\tthat the Plenipotentiary Conference adopted Resolution 71;",
        "b)\tthat a label typed with two spaces is still a label;",
        "c)\tthat a no-break space sets a label apart too;",
    ]
    assert "ANNEX 1 TO RESOLUTION 1" in lines  # Annex_No prints in capitals
    start = lines.index("recognizing the work of Study Group 2[^1] and of the Bureau[^*];")
    assert lines[start + 1 :] == [
        "[^1]: Kyoto, 2022.",
        "[^*]: Note by the Secretariat.",
        "a)\tthat the first",  # automatic numbering, as Word displays it
        "i)\twith a sub-item",
        "b)\tthat the second",
        "a)\tthat a restarted list begins again",
        "1\tStudy groups",
        "1.1\tFrequency of meetings",
        "1.1.1\tStudy groups meet",
        "•\tsymbol bullet",
        "| Edition | Approval |",
        "| --- | --- |",
        "| 1.0 | 1996-10-18[^2] |",
        "[^2]: Approved by correspondence.",
    ]


# --- the antiword fallback -------------------------------------------------------------------------


@needs_antiword
def test_antiword_text_becomes_reading_text_with_notes_after_their_calls() -> None:
    output = subprocess.run(
        ["antiword", "-w", "0", "-m", "UTF-8.txt", str(more_file(S354))], capture_output=True, check=True
    ).stdout.decode()
    lines = _lines(antiword_reading_text(output))
    assert lines[:2] == [
        "RECOMMENDATION ITU-R S.354-2[^*]",
        "[^*]: Radiocommunication Study Group 4 made editorial amendments to this Recommendation in 2001 in "
        "accordance with Resolution ITU-R 44 (RA-2000).",
    ]
    assert "considering" in lines and "recommends" in lines
    assert any(
        line.startswith("d)\tthat it is desirable for international television programmes") for line in lines
    )
    note2 = next(i for i, line in enumerate(lines) if line.startswith("NOTE\u00a02"))
    assert "Note 2[^*] of" in lines[note2]
    assert lines[note2 + 1].startswith("[^*]: Note by the Secretariat:")


@needs_antiword
def test_a_doc_msdoc2docx_rejects_is_read_by_antiword_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def reject(data: bytes, name: str) -> bytes:
        raise doc_module._Rejected("msdoc2docx: unsupported file")

    monkeypatch.setattr(doc_module, "_to_docx", reject)
    converted = convert_doc(more_file(S354).read_bytes(), name=S354)
    assert converted.format is SourceFormat.DOC
    assert "a)\tthat the hypothetical reference circuit is intended as a guide" in converted.text
    assert converted.warnings == (
        "read with antiword because msdoc2docx: unsupported file: Word's automatic numbering, headings and "
        "table layout are missing from the text",
    )


# --- bad files and missing tools -------------------------------------------------------------------


def _s354_bytes() -> bytes:
    return more_file(S354).read_bytes()


def _encrypted_flag() -> bytes:
    """S.354 with the FIB's fEncrypted bit set (MS-DOC 2.5.2: bit 8 of the flags at offset 0x0A)."""
    data = bytearray(_s354_bytes())
    fib = data.find(b"\xec\xa5")  # wIdent, at the start of the WordDocument stream
    data[fib + 0x0B] |= 0x01
    return bytes(data)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: b"", UnsupportedFormatError, "not an OLE compound file"),
        (lambda: b"Plain text.", UnsupportedFormatError, "not an OLE compound file"),
        (
            lambda: (REPO_ROOT / "tests" / "data" / "ingest" / "encrypted.docx").read_bytes(),
            EncryptedDocumentError,
            "password-protected",
        ),
        (lambda: more_file("itu-t-rec-e119-2017-fr.docx").read_bytes(), UnsupportedFormatError, r"a \.docx"),
        (lambda: b"{\\rtf1\\ansi Resolution}", UnsupportedFormatError, "an RTF file"),
        # an OLE file whose main stream is not named WordDocument: not a Word file
        (
            lambda: _s354_bytes().replace(
                "WordDocument".encode("utf-16-le"), "WordDocumenX".encode("utf-16-le")
            ),
            UnsupportedFormatError,
            "without a Word document",
        ),
        (_encrypted_flag, EncryptedDocumentError, "password-protected"),
        (lambda: _s354_bytes()[:20000], UnreadableDocumentError, "cannot read the .doc"),  # truncated
    ],
)
def test_bad_files_raise_the_right_document_error(make, error: type[DocumentError], message: str) -> None:  # type: ignore[no-untyped-def]
    if error is UnreadableDocumentError and shutil.which("antiword") is None:
        error, message = UnreadableDocumentError, "antiword is not installed"
    with pytest.raises(error, match=message) as caught:
        convert_doc(make(), name="bad.doc")
    assert "bad.doc" in str(caught.value)
    assert caught.value.hint


def test_missing_converters_raise_a_document_error_saying_how_to_install_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "doc2docx", None)  # import doc2docx now raises ImportError
    monkeypatch.setattr(doc_module.shutil, "which", lambda _: None)
    with pytest.raises(DocumentError, match="neither msdoc2docx nor antiword is installed") as caught:
        convert_doc(_s354_bytes(), name=S354)
    assert "pip install msdoc2docx" in caught.value.hint
    assert "apt-get install antiword" in caught.value.hint


def test_a_rejected_doc_without_antiword_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doc_module.shutil, "which", lambda _: None)
    with pytest.raises(UnreadableDocumentError, match="antiword is not installed") as caught:
        convert_doc(_s354_bytes()[:20000], name="truncated.doc")
    assert "apt-get install antiword" in caught.value.hint
