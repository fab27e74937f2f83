"""Speed of `rag add` before embedding: a 50-page PDF and a 50-page Word file, and every development file.

    .venv/bin/python bench/add.py [--repeat 3] [--embed]

For each file the best of ``--repeat`` wall-clock times of ``rag.ingest.library.prepare`` (convert,
read the metadata, parse to the clause, structure report: everything ``rag add`` does before it
writes and embeds), with the passages and seconds per page where pages are known. The 50-page files
are made here from the development set: the three UN PDFs' pages imported one after the other
(pypdfium2), and Recommendation ITU-T A.1's body repeated in one .docx until it has about 50 pages'
words (A.1 is 21 pages). The target (issue 16) is well under a minute for 50 pages.

``--embed`` also adds the 50-page PDF to a copy of the corpus and index (``rag.manage``) and
reports how many texts the build embedded against how many came from the cache: only the new
document's passages go through the encoder.
"""

from __future__ import annotations

import argparse
import copy
import io
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from rag.config import get_settings  # noqa: E402
from rag.ingest.library import prepare  # noqa: E402

CORPUS_MORE = REPO_ROOT.parent / "shared" / "corpus-more"
PAGES = 50
WORDS_PER_PAGE = 500  # a dense ITU page
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def pdf_of(pages: int) -> bytes:
    """The development PDFs' pages, one after the other, until there are ``pages``."""
    out = pdfium.PdfDocument.new()
    sources = [pdfium.PdfDocument(p.read_bytes()) for p in sorted(CORPUS_MORE.glob("*.pdf"))]
    while len(out) < pages:
        for src in sources:
            take = min(len(src), pages - len(out))
            if take > 0:
                out.import_pages(src, list(range(take)))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def docx_of(pages: int) -> bytes:
    """Recommendation ITU-T A.1 with its body repeated until it holds ``pages`` pages of words."""
    source = (CORPUS_MORE / "itu-t-rec-a1-2016-working-methods.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(members["word/document.xml"])
    body = root.find(f"{_W}body")
    blocks = [el for el in body if el.tag != f"{_W}sectPr"]
    words = sum(len("".join(el.itertext()).split()) for el in blocks)
    sect = body.find(f"{_W}sectPr")
    for _ in range(max(0, -(-pages * WORDS_PER_PAGE // words) - 1)):
        for el in blocks:
            body.insert(list(body).index(sect), copy.deepcopy(el))
    members["word/document.xml"] = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def report(name: str, data: bytes, repeat: int, *, label: str | None = None) -> None:
    seconds, item = best(lambda: prepare(data, name, taken=set(), max_bytes=1 << 30), repeat)
    pages = item.converted.pages  # type: ignore[attr-defined]
    per_page = f"{seconds / pages * 1000:6.1f} ms/page" if pages else " " * 14
    passages = item.report.passages  # type: ignore[attr-defined]
    words = len(item.converted.text.split())  # type: ignore[attr-defined]
    print(
        f"{label or name:44} {len(data) / 1024:8.0f} KiB {pages or '-':>5} {words:>8} {passages:>6} "
        f"{seconds:7.2f} s {per_page}"
    )


def embed_only_new(data: bytes, name: str) -> None:
    from rag.manage import add_documents

    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        shutil.copytree(settings.index.corpus_dir, corpus, ignore=shutil.ignore_patterns(".*"))
        shutil.copytree(settings.index.index_dir, index)
        copy_settings = settings.updated(corpus_dir=corpus, index_dir=index)
        start = time.perf_counter()
        result = add_documents(copy_settings, [(data, name)], show_progress=False)
        seconds = time.perf_counter() - start
    build = result.build
    assert build is not None
    passages = result.added[0].report.passages
    print(
        f"\nrag add {name} into a copy of the served corpus and index: {seconds:.1f} s in all; the build "
        f"embedded {build.embedded} texts ({passages} new passages, text and context) and took "
        f"{build.cached} from the cache"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--embed", action="store_true", help="also add the 50-page PDF to a copy of the index"
    )
    args = parser.parse_args()
    print(f"{'file':44} {'size':>12} {'pages':>5} {'words':>8} {'passages':>6} {'prepare':>9}")
    big_pdf, big_docx = pdf_of(PAGES), docx_of(PAGES)
    report("un-resolutions-50-pages.pdf", big_pdf, args.repeat, label=f"{PAGES}-page PDF (UN resolutions)")
    report("a1-repeated.docx", big_docx, args.repeat, label=f"~{PAGES}-page Word (A.1 repeated)")
    for path in sorted(CORPUS_MORE.iterdir()):
        if path.name != "README.md":
            report(path.name, path.read_bytes(), args.repeat)
    if args.embed:
        embed_only_new(big_pdf, "un-resolutions-50-pages.pdf")


if __name__ == "__main__":
    main()
