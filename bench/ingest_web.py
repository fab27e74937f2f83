"""Web converters: seconds per file, and the candidate libraries measured on the same files.

    .venv/bin/python bench/ingest_web.py [--repeat 5]

Reads the development set in ../shared/corpus-more. For HTML it also times the candidates the
converter was chosen from (lxml.html, selectolax/Lexbor, trafilatura) and says what trafilatura keeps
(headings, list numbers, footnote notes), so the choice in rag/ingest/html.py can be checked again.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# this checkout's packages (rag, bench), from the project root rather than the script's folder
sys.path[0] = str(Path(__file__).resolve().parents[1])

from rag.config import REPO_ROOT  # noqa: E402
from rag.ingest.akn import convert_akn  # noqa: E402
from rag.ingest.html import convert_html  # noqa: E402
from rag.ingest.text import convert_markdown  # noqa: E402

MORE = REPO_ROOT.parent / "shared" / "corpus-more"
FILES = [
    ("itu-fg-ai4h-del01-2022-ethics.html", convert_html),
    ("itu-pp18-final-acts.akn.xml", convert_akn),
    ("a-res-80-16.md", convert_markdown),
    ("a-res-80-3.md", convert_markdown),
]


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def converters(repeat: int) -> None:
    print(f"{'file':<40} {'bytes':>9} {'lines':>6} {'seconds':>8}")
    for name, convert in FILES:
        data = (MORE / name).read_bytes()
        seconds = best_of(repeat, lambda data=data, convert=convert, name=name: convert(data, name=name))
        lines = convert(data, name=name).text.count("\n\n") + 1
        print(f"{name:<40} {len(data):>9} {lines:>6} {seconds:8.3f}")


def html_candidates(repeat: int) -> None:
    import lxml.html
    import trafilatura
    from selectolax.lexbor import LexborHTMLParser

    data = (MORE / FILES[0][0]).read_bytes()
    print("\nHTML candidates on", FILES[0][0])
    print(
        f"  lxml.html parse            {best_of(repeat, lambda: lxml.html.document_fromstring(data)):6.3f} s"
    )
    print(f"  selectolax (Lexbor) parse  {best_of(repeat, lambda: LexborHTMLParser(data)):6.3f} s")
    print(f"  convert_html (lxml walk)   {best_of(repeat, lambda: convert_html(data, name='x.html')):6.3f} s")
    out = ""

    def extract() -> None:
        nonlocal out
        out = (
            trafilatura.extract(data, output_format="markdown", include_tables=True, favor_recall=True) or ""
        )

    seconds = best_of(max(1, repeat // 2), extract)
    print(f"  trafilatura extract (md)   {seconds:6.3f} s")
    lines = out.split("\n")
    print(
        f"    headings: {sum(1 for x in lines if x.startswith('#'))}"
        f", '9.1.4' heading: {any(x.startswith('### 9.1.4') for x in lines)}"
        f", footnote notes kept: {'Christian Stammel. Wearable' in out}"
        f", foreword kept: {'FOREWORD' in out}"
        f", hard-wrapped source lines joined: {'is the collection and use of patient data' in out}"
    )
    # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement, best kept (default 5)")
    args = parser.parse_args()
    converters(args.repeat)
    html_candidates(args.repeat)


if __name__ == "__main__":
    main()
