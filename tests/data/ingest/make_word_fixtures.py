"""Write the small Word fixtures the ingestion tests read, built from ``tests/ingest/test_docx.py``'s XML.

- ``encrypted.docx``: a one-paragraph document encrypted with the password "secret" (an OLE file holding
  an ``EncryptedPackage``, as Word writes it), made with msoffcrypto-tool.
- ``resolution.doc``: the resolution layout of ``RESOLUTION_BODY`` plus automatic numbering, footnotes
  (automatic and a custom ``*``) and a table, saved as Word 97-2003 by LibreOffice.

Neither tool is a dependency of the project; to regenerate (from the project root)::

    pip install msoffcrypto-tool   # and Debian's libreoffice-writer-nogui for soffice
    python tests/data/ingest/make_word_fixtures.py
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.ingest.test_docx import (  # noqa: E402
    ITU_STYLES,
    NUMBERED_STYLES,
    NUMBERING,
    RESOLUTION_BODY,
    make_docx,
    p,
    r,
)

HERE = Path(__file__).resolve().parent

# Notes numbered in the order they are called: LibreOffice reads a .docx's notes by position.
FOOTNOTES = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote>"
    '<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r>' + r(" Kyoto, 2022.") + "</w:p></w:footnote>"
    '<w:footnote w:id="2"><w:p>'
    + r("*")
    + "<w:r><w:tab/></w:r>"
    + r("Note by the Secretariat.")
    + "</w:p></w:footnote>"
    '<w:footnote w:id="3"><w:p><w:r><w:footnoteRef/></w:r>'
    + r(" Approved by correspondence.")
    + "</w:p></w:footnote>"
)


def _call(note_id: int, custom: str = "") -> str:
    custom_attr = ' w:customMarkFollows="1"' if custom else ""
    mark = f"<w:t>{custom}</w:t>" if custom else ""
    return f'<w:r><w:footnoteReference{custom_attr} w:id="{note_id}"/>{mark}</w:r>'


def resolution_docx() -> bytes:
    cell = "<w:tc>{}</w:tc>"
    table = (
        "<w:tbl><w:tr>"
        + cell.format(p("Edition"))
        + cell.format(p("Approval"))
        + "</w:tr><w:tr>"
        + cell.format(p("1.0"))
        + cell.format(p(runs=r("1996-10-18") + _call(3)))
        + "</w:tr></w:tbl>"
    )
    body = (
        RESOLUTION_BODY
        + p(
            runs=r("recognizing the work of Study Group 2")
            + _call(1)
            + r(" and of the Bureau")
            + _call(2, "*")
            + r(";")
        )
        + p("that the first", num=(2, 0))
        + p("with a sub-item", num=(2, 1))
        + p("that the second", num=(2, 0))
        + p("that a restarted list begins again", num=(3, 0))
        + p("Study groups", num=(1, 0))
        + p("Frequency of meetings", num=(1, 1))
        + p("Study groups meet", num=(1, 2))
        + p("symbol bullet", num=(5, 0))
        + table
    )
    return make_docx(body, styles=ITU_STYLES + NUMBERED_STYLES, numbering=NUMBERING, footnotes=FOOTNOTES)


def main() -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(make_docx(p("A password-protected test document.")))).encrypt("secret", encrypted)
    (HERE / "encrypted.docx").write_bytes(encrypted.getvalue())

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "resolution.docx")
        source.write_bytes(resolution_docx())
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "doc:MS Word 97",
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        (HERE / "resolution.doc").write_bytes(Path(tmp, "resolution.doc").read_bytes())


if __name__ == "__main__":
    main()
