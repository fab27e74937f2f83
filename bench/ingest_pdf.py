"""Speed of the PDF converter: seconds per page on the development PDFs and on a 50-page PDF.

    .venv/bin/python bench/ingest_pdf.py [--repeat 3] [--compare]

For each PDF in ../shared/corpus-more (the development set) and for a 50-page PDF made by importing
their pages one after the other into one document (pypdfium2), prints the pages, the best of
``--repeat`` wall-clock times of ``convert_pdf`` and the seconds per page. The target (issue 16) is a
50-page PDF well under 10 s on the 2-core machine.

``--compare`` also times what the other candidate libraries need just to read every glyph with its
box and font (no layout work): pdfplumber (pdfminer.six) and PyMuPDF, where installed; these are the
figures behind the choice of PDFium.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

REPO_ROOT = Path(__file__).resolve().parents[1]
# This checkout's rag, not whichever one the virtualenv has installed.
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from rag.ingest.pdf import convert_pdf  # noqa: E402

CORPUS_MORE = REPO_ROOT.parent / "shared" / "corpus-more"
TARGET_PAGES = 50


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def concatenated(files: list[Path], pages: int) -> bytes:
    """A PDF of ``pages`` pages taken from ``files`` in turn (starting again when they run out)."""
    out = pdfium.PdfDocument.new()
    sources = [pdfium.PdfDocument(f.read_bytes()) for f in files]
    while len(out) < pages:
        for src in sources:
            take = min(len(src), pages - len(out))
            if take <= 0:
                break
            out.import_pages(src, list(range(take)))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _pdfplumber_chars(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            _ = page.chars


def _pymupdf_chars(data: bytes) -> None:
    import pymupdf

    with pymupdf.open(stream=data) as doc:
        for page in doc:
            page.get_text("rawdict")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the best is shown (default 3)")
    parser.add_argument(
        "--compare", action="store_true", help="also time pdfplumber and PyMuPDF glyph reading"
    )
    args = parser.parse_args()

    files = sorted(CORPUS_MORE.glob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs in {CORPUS_MORE}")
    inputs = [(f.name, f.read_bytes()) for f in files]
    inputs.append((f"concatenated-{TARGET_PAGES}-pages.pdf", concatenated(files, TARGET_PAGES)))

    print(f"{'file':40s} {'pages':>5s} {'seconds':>8s} {'s/page':>7s}")
    for name, data in inputs:
        pages = convert_pdf(data, name=name).pages or 1
        seconds = _best(lambda data=data, name=name: convert_pdf(data, name=name), args.repeat)
        print(f"{name:40s} {pages:5d} {seconds:8.3f} {seconds / pages:7.4f}")

    if args.compare:
        print("\nglyph reading only (no layout), seconds for the whole file:")
        for label, fn in (("pdfplumber", _pdfplumber_chars), ("pymupdf", _pymupdf_chars)):
            for name, data in inputs:
                try:
                    seconds = _best(lambda fn=fn, data=data: fn(data), args.repeat)
                except ImportError:
                    print(f"{label:11s} not installed")
                    break
                print(f"{label:11s} {name:40s} {seconds:8.3f}")


if __name__ == "__main__":
    main()
