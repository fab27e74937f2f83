"""The ``added`` split: retrieval over documents added with ``rag add``, on their own gold questions.

``eval/gold/added.jsonl`` asks about the development set of published documents
(``../shared/corpus-more``: Word, PDF, HTML, Akoma Ntoso, markdown). They are scored the way a user
would search them: in a corpus of the seed documents plus every development document, each added
through ``rag add``'s own steps (``rag.ingest.library``), indexed with the served settings. The
corpus and index live under ``eval/runs/.cache/added/``; the corpus is rewritten on every run (the
conversion takes seconds), the index is rebuilt incrementally (nothing to do when nothing changed;
the seeds' vectors come from the main index's embedding cache).

Gold quotes must be exact substrings of the converted texts. Questions are written by reading the
published files, so ``snap`` turns a quote typed loosely (whitespace, line-end hyphens and quote
marks aside) into the exact characters of the converted text and its file name:

    .venv/bin/python -m eval.added snap eval/gold/added.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path

from rag.config import REPO_ROOT, Settings, make_settings
from rag.corpus import load_corpus
from rag.errors import ConfigError
from rag.index.store import build_index, seed_caches
from rag.ingest.library import Prepared, add_prepared, prepare

logger = logging.getLogger(__name__)

DEVELOPMENT_SET = REPO_ROOT.parent / "shared" / "corpus-more"
ADDED_GOLD = REPO_ROOT / "eval" / "gold" / "added.jsonl"
# questions on the development documents written only to train the ranker (never scored)
ADDED_TRAIN = REPO_ROOT / "eval" / "gold" / "added-train.jsonl"
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def development_files(folder: Path = DEVELOPMENT_SET) -> list[Path]:
    """The published documents of the development set (its README aside)."""
    if not folder.is_dir():
        raise ConfigError(
            f"the development set {folder} is missing",
            hint="the added split reads ../shared/corpus-more beside the project",
        )
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != "README.md")


def added_corpus(
    settings: Settings, folder: Path, sources: Path = DEVELOPMENT_SET
) -> tuple[Settings, dict[str, str]]:
    """Write the seed corpus plus every development document (added as ``rag add`` adds them) to
    ``folder/corpus``. Returns settings pointing at it and at ``folder/index``, and the text file
    each published file became (``{"a-res-80-118.pdf": "a-res-80-118.txt"}``)."""
    corpus_dir, index_dir = folder / "corpus", folder / "index"
    shutil.rmtree(corpus_dir, ignore_errors=True)
    shutil.copytree(settings.index.corpus_dir, corpus_dir, ignore=shutil.ignore_patterns(".*"))
    taken = {d.id for d in load_corpus(corpus_dir).documents}
    prepared: list[Prepared] = []
    for path in development_files(sources):
        item = prepare(path.read_bytes(), path.name, taken=taken, max_bytes=settings.index.max_document_bytes)
        taken.add(item.meta.id)
        prepared.append(item)
    add_prepared(corpus_dir, prepared)
    seed_caches(settings.index.index_dir, index_dir)  # the seeds' vectors: only new texts are embedded
    files = {
        path.name: item.meta.file for path, item in zip(development_files(sources), prepared, strict=True)
    }
    return settings.updated(corpus_dir=corpus_dir, index_dir=index_dir), files


def added_settings(settings: Settings, cache_dir: Path, *, show_progress: bool | None = None) -> Settings:
    """The added corpus written and its index brought up to date (see the module docstring)."""
    added, _ = added_corpus(settings, cache_dir / "added")
    build_index(added, show_progress=show_progress)
    return added


def snap(gold: Path, folder: Path) -> int:
    """Rewrite ``gold`` with every quote as the exact characters of its converted text (see above).

    ``folder`` receives the converted corpus. Returns the number of quotes that could not be placed
    (each is reported; the file is rewritten only when every quote was placed).
    """
    settings, converted = added_corpus(make_settings(), folder)
    corpus = load_corpus(settings.index.corpus_dir)
    by_file = {d.file: d for d in corpus.documents}
    by_source = {**by_file, **{name: by_file[file] for name, file in converted.items()}}
    texts = {d.file: corpus.text(d) for d in corpus.documents}
    lines, missing = [], 0
    for line in gold.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        for answer in [record, *record.get("also", [])]:
            meta = by_source.get(answer["source"])
            exact = _place(texts.get(meta.file, "") if meta else "", answer["quote"])
            if meta is None or exact is None:
                missing += 1
                logger.error(
                    "%s: quote not placed in %s: %r", record["id"], answer["source"], answer["quote"][:60]
                )
                continue
            answer["source"], answer["quote"] = meta.file, exact
        lines.append(json.dumps(record, ensure_ascii=False))
    if not missing:
        gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return missing


def _place(text: str, quote: str) -> str | None:
    """The characters of ``text`` that ``quote`` stands for, whitespace and quote marks aside."""
    folded = text.translate(_QUOTES)
    positions = [i for i, ch in enumerate(folded) if not ch.isspace()]
    squeezed = "".join(folded[i] for i in positions)
    wanted = "".join(ch for ch in quote.translate(_QUOTES) if not ch.isspace())
    at = squeezed.find(wanted)
    if not wanted or at < 0 or squeezed.find(wanted, at + 1) >= 0:
        return None
    exact = text[positions[at] : positions[at + len(wanted) - 1] + 1]
    return exact if "\n" not in exact else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.added", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("snap", help="snap the quotes of a gold file to the converted texts")
    s.add_argument("gold", type=Path, nargs="?", default=ADDED_GOLD)
    s.add_argument("--work", type=Path, default=REPO_ROOT / "eval" / "runs" / ".cache" / "added-snap")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    missing = snap(args.gold, args.work)
    print(f"{args.gold}: {'all quotes placed' if not missing else f'{missing} quotes not placed'}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
