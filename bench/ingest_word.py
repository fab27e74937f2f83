"""Word converters measured: seconds per file and what each gets right, on the development set.

    .venv/bin/python bench/ingest_word.py [--repeat 3]

.docx: rag.ingest.docx (lxml over the package) against python-docx and docx2python, where installed.
.doc: rag.ingest.doc (msdoc2docx, then rag.ingest.docx) against antiword, catdoc and LibreOffice, where
installed; LibreOffice is also timed on the .docx files saved as .doc, which gives longer .doc files
and a check that both Word formats give the same reading text.

The checks are the things the reading text needs (rag.ingest.reading): a typed clause label with its
TAB, automatic numbering, footnotes after their calling paragraph, no table of contents, no text
printed twice. Figures go to stdout; nothing is asserted (tests/ingest/ does that).
"""

from __future__ import annotations

import argparse
import difflib
import io
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rag.config import REPO_ROOT
from rag.ingest.doc import convert_doc
from rag.ingest.docx import convert_docx

MORE = REPO_ROOT.parent / "shared" / "corpus-more"
DOCX = ["itu-t-rec-a1-2016-working-methods.docx", "itu-t-rec-e119-2017-fr.docx"]
DOC = ["itu-r-rec-s354-2-1974.doc", str(REPO_ROOT / "tests" / "data" / "ingest" / "resolution.doc")]

# (description, predicate on the extracted text) for the A.1 Recommendation
A1_CHECKS: list[tuple[str, Callable[[str], bool]]] = [
    ("typed label + TAB", lambda t: "\n1.1.1\tStudy groups meet" in "\n" + t),
    ("non-breaking hyphen kept", lambda t: "ITUT" not in t),
    ("no TOC entry", lambda t: t.count("Frequency of meetings") == 1),
    (
        "footnote after caller",
        lambda t: "notification[^1] proposing" in t and "\n\n[^1]: This electronic" in t,
    ),
    ("cover printed once", lambda t: t.count("TELECOMMUNICATION STANDARDIZATION SECTOR OF ITU") == 1),
]
# for the generated resolution saved as .doc
DOC_CHECKS: list[tuple[str, Callable[[str], bool]]] = [
    ("automatic numbering", lambda t: "1.1.1\tStudy groups meet" in t and "i)\twith a sub-item" in t),
    ("caps style", lambda t: "ANNEX 1 TO RESOLUTION 1" in t),
    ("footnote placed", lambda t: "Study Group 2[^1]" in t),
]


def seconds(fn: Callable[[], str], repeat: int) -> tuple[str, float]:
    started = time.perf_counter()
    for _ in range(repeat):
        text = fn()
    return text, (time.perf_counter() - started) / repeat


def docx_candidates() -> dict[str, Callable[[bytes], str]]:
    found: dict[str, Callable[[bytes], str]] = {"rag.ingest.docx": lambda b: convert_docx(b, name="x").text}
    try:
        import docx  # python-docx

        def python_docx(data: bytes) -> str:
            document = docx.Document(io.BytesIO(data))
            return "\n\n".join(p.text for p in document.paragraphs)

        found["python-docx (paragraphs)"] = python_docx
    except ImportError:
        pass
    try:
        from docx2python import docx2python

        def with_docx2python(data: bytes) -> str:
            with docx2python(io.BytesIO(data)) as result:
                return result.text

        found["docx2python"] = with_docx2python
    except ImportError:
        pass
    return found


def run_tool(command: list[str], path: Path) -> str:
    return subprocess.run([*command, str(path)], capture_output=True, check=False).stdout.decode(
        "utf-8", "replace"
    )


def libreoffice_then_docx(path: Path) -> str:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{folder}/profile",
                "--headless",
                "--convert-to",
                "docx",
                "--outdir",
                folder,
                str(path),
            ],
            capture_output=True,
            check=True,
        )
        return convert_docx(Path(folder, path.stem + ".docx").read_bytes(), name="x").text


def doc_candidates() -> dict[str, Callable[[Path], str]]:
    found: dict[str, Callable[[Path], str]] = {
        "rag.ingest.doc (msdoc2docx)": lambda p: convert_doc(p.read_bytes(), name=p.name).text
    }
    if shutil.which("antiword"):
        found["antiword -w 0"] = lambda p: run_tool(["antiword", "-w", "0", "-m", "UTF-8.txt"], p)
    if shutil.which("catdoc"):
        found["catdoc -w"] = lambda p: run_tool(["catdoc", "-w", "-d", "utf-8"], p)
    if shutil.which("soffice"):
        found["LibreOffice -> docx"] = libreoffice_then_docx
    return found


def report(name: str, text: str, took: float, checks: list[tuple[str, Callable[[str], bool]]]) -> None:
    passed = [label for label, check in checks if check(text)]
    failed = [label for label, check in checks if not check(text)]
    print(f"  {name:<30} {took:7.3f} s  ok: {', '.join(passed) or '-'}; missing: {', '.join(failed) or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per file and candidate (default 3)")
    args = parser.parse_args()
    for name in DOCX:
        data = (MORE / name).read_bytes()
        print(f"{name} ({len(data) // 1024} KiB)")
        for label, fn in docx_candidates().items():
            text, took = seconds(lambda fn=fn, data=data: fn(data), args.repeat)
            report(label, text, took, A1_CHECKS if "a1" in name else [])
    for name in DOC:
        path = MORE / name if "/" not in name else Path(name)
        print(f"{path.name} ({path.stat().st_size // 1024} KiB)")
        for label, fn in doc_candidates().items():
            repeat = 1 if label.startswith("LibreOffice") else args.repeat
            text, took = seconds(lambda fn=fn, path=path: fn(path), repeat)
            report(label, text, took, DOC_CHECKS if path.name == "resolution.doc" else [])
    if shutil.which("soffice"):
        print("A.1 and E.119 saved as .doc by LibreOffice, read by rag.ingest.doc, against their .docx:")
        with tempfile.TemporaryDirectory() as folder:
            for name in DOCX:
                subprocess.run(
                    [
                        "soffice",
                        f"-env:UserInstallation=file://{folder}/profile",
                        "--headless",
                        "--convert-to",
                        "doc:MS Word 97",
                        "--outdir",
                        folder,
                        str(MORE / name),
                    ],
                    capture_output=True,
                    check=True,
                )
                doc = Path(folder, name.replace(".docx", ".doc"))
                text, took = seconds(lambda doc=doc: convert_doc(doc.read_bytes(), name=doc.name).text, 1)
                direct = convert_docx((MORE / name).read_bytes(), name=name).text
                same = difflib.SequenceMatcher(
                    None, direct.splitlines(), text.splitlines(), autojunk=False
                ).ratio()
                print(
                    f"  {doc.name:<40} {doc.stat().st_size // 1024:5} KiB {took:6.2f} s",
                    f"same lines: {same:.3f}",
                )


if __name__ == "__main__":
    main()
