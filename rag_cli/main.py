"""Command line: ``rag passages|build|search|eval|serve|...``, a thin layer over library functions.

A ``RagError`` prints one line (with its hint) and exits with status 1; bad usage exits with 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rag.config import get_settings
from rag.errors import ConfigError, NotFoundError, RagError

logger = logging.getLogger("rag")

Command = Callable[[argparse.Namespace], int]


def _cmd_passages(args: argparse.Namespace) -> int:
    from rag.corpus import load_corpus
    from rag.parse import parse_document

    settings = get_settings()
    corpus = load_corpus(settings.index.corpus_dir)
    docs = [corpus.get(args.doc)] if args.doc else list(corpus.documents)
    if args.stats or args.layout:
        return _print_stats(corpus, docs, show_layout=args.layout, show_uncovered=args.uncovered)
    for meta in docs:
        parsed = parse_document(meta, corpus.text(meta))
        for p in parsed.passages:
            if args.jsonl:
                print(json.dumps(p.to_dict(), ensure_ascii=False))
            else:
                snippet = p.text if len(p.text) <= 140 else p.text[:137] + "..."
                print(f"{p.id}\t[{p.start}:{p.end}]\t{p.citation}\n    {snippet}")
    return 0


def _print_stats(corpus, docs, *, show_layout: bool, show_uncovered: bool) -> int:  # type: ignore[no-untyped-def]
    from rag.parse import parse_document
    from rag.parse.coverage import measure_coverage

    total_lines = total_uncovered = 0
    for meta in docs:
        text = corpus.text(meta)
        parsed = parse_document(meta, text)
        cov = measure_coverage(parsed, text)
        total_lines += cov.lines
        total_uncovered += len(cov.uncovered)
        kinds = Counter(p.kind for p in parsed.passages)
        roles = Counter(p.clause for p in parsed.passages if p.clause)
        print(f"{meta.id} ({meta.file}): {len(parsed.passages)} passages")
        print("  kinds:   " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
        if roles:
            print("  clauses: " + ", ".join(f"{k} {n}" for k, n in roles.most_common()))
        print(
            f"  coverage: {cov.share:.2%} of {cov.lines} non-blank lines "
            f"(passages {cov.in_passages}, headings {cov.in_headings}, layout {cov.layout}, "
            f"uncovered {len(cov.uncovered)})"
        )
        if meta.kind == "auto":
            from rag.parse.structure import StructureReport

            for line in StructureReport.of(parsed, text).lines()[1:]:
                print(line)
        else:
            for warning in parsed.warnings:
                print(f"  warning: {warning}")
        lines = text.split("\n")
        if show_layout and cov.layout_lines:
            print("  layout lines:")
            for no in cov.layout_lines:
                print(f"    {no}: {lines[no - 1].strip()[:100]!r}")
        if show_uncovered and cov.uncovered:
            print("  uncovered lines:")
            for no in cov.uncovered:
                print(f"    {no}: {lines[no - 1].strip()[:100]!r}")
    share = 1 - total_uncovered / total_lines if total_lines else 1.0
    print(f"corpus coverage: {share:.2%} of {total_lines} non-blank lines")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    from rag.ingest.library import Overrides
    from rag.manage import add_documents

    settings = get_settings()
    files = []
    for name in args.paths:
        path = Path(name)
        if not path.is_file():
            raise NotFoundError(
                f"no file {path}", hint="give the path of a .docx, .doc, .pdf, .html, .xml, .md or .txt"
            )
        files.append((path.read_bytes(), path.name))
    overrides = Overrides(
        id=args.id, title=args.title, short_title=args.short_title, event=args.event, date=args.date,
        lang=args.lang,
    )  # fmt: skip
    result = add_documents(
        settings,
        files,
        overrides=overrides,
        build=not args.no_build,
        show_progress=False if args.quiet else None,
    )
    for item in result.added:
        _print_added(item, settings.index.corpus_dir)
    if result.build is not None:
        _print_build(result.build)
    else:
        print("index not rebuilt (--no-build): run `rag build` to search the new documents")
    return 0


def _print_added(item, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    meta, converted = item.meta, item.converted
    pages = f", {converted.pages} pages" if converted.pages else ""
    print(f"added {meta.id}: {meta.original} ({meta.format}{pages}) -> {corpus_dir / meta.file}")
    print(f"  title:       {meta.title}")
    print(f"  cited as:    {meta.short_title}" + (f"  (symbol {meta.symbol})" if meta.symbol else ""))
    print(f"  event, date: {meta.event or '-'}, {meta.date or '-'}   language: {meta.lang or '-'}")
    for warning in converted.warnings:
        print(f"  conversion: {warning}")
    for line in item.report.lines():
        print("  " + line)


def _cmd_remove(args: argparse.Namespace) -> int:
    from rag.manage import remove_document

    settings = get_settings()
    result = remove_document(
        settings, args.id, build=not args.no_build, show_progress=False if args.quiet else None
    )
    meta = result.removed
    print(
        f"removed {meta.id}: {settings.index.corpus_dir / meta.file} "
        f"and {settings.index.corpus_dir / meta.original}"
    )
    if result.build is not None:
        _print_build(result.build)
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from rag.config import make_settings
    from rag.index.store import build_index

    settings = make_settings(index_dir=args.index) if args.index else get_settings()
    if args.background:
        from rag_cli.serve import run_background_build

        _print_build(run_background_build(settings))
        return 0
    show = False if args.quiet else None
    report = build_index(settings, force=args.force, show_progress=show)
    _print_build(report)
    return 0


def _print_build(report) -> None:  # type: ignore[no-untyped-def]
    """The build's summary line, then (when it built) where the time went."""
    print(report.summary(), flush=True)
    if report.status == "built":
        print(report.timings(), flush=True)


def _cmd_train_encoder(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from rag.index.finetune import Recipe, train_encoder

    recipe = Recipe() if args.steps is None else replace(Recipe(), steps=args.steps)
    if recipe != Recipe() and args.out is None:
        raise ConfigError(
            "--steps makes another model than the one `rag build` uses",
            hint="write it elsewhere with --out DIR",
        )
    info = train_encoder(get_settings(), recipe=recipe, out_dir=args.out, force=args.force)
    pairs = ", ".join(f"{n} {kind}" for kind, n in info["pairs"].items())
    verb = "is up to date" if info["status"] == "unchanged" else f"trained in {info['seconds']:.0f} s"
    print(f"encoder {info['name']} {verb}: {info['recipe']['steps']} steps on pairs {pairs}")
    return 0


_BOLD, _PLAIN = "\033[1m", "\033[0m"


def _highlight(text: str, query: str, *, width: int, color: bool) -> str:
    """A snippet of ``text`` around the first query term, with the terms marked."""
    from rag.rank.assemble import highlight_spans

    spans = highlight_spans(text, query)
    start = max(0, spans[0][0] - width // 4) if spans and spans[0][0] > width // 2 else 0
    end = min(len(text), start + width)
    left, right = (_BOLD, _PLAIN) if color else ("[", "]")
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [text[pos:a], left, text[a:b], right]
        pos = b
    out.append(text[pos:end])
    return ("..." if start else "") + "".join(out) + ("..." if end < len(text) else "")


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The settings, with ``--index`` applied."""
    from rag.config import make_settings

    return make_settings(index_dir=args.index) if args.index else get_settings()


def _filters(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """``--doc``, ``--instrument``, ``--clause``, ``--kind`` as search filters."""
    from rag.types import SearchFilters

    return SearchFilters(
        doc=tuple(args.doc or ()),
        instrument=tuple(args.instrument or ()),
        clause=tuple(args.clause or ()),
        kind=tuple(args.kind or ()),
    )


_LANGUAGE_NAMES = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "zh": "Chinese",
}
_LANG_HELP = "the query's language: ar, en, es, fr, ru or zh (default: detected)"


def _cmd_search(args: argparse.Namespace) -> int:
    from rag.rank.search import Searcher

    searcher = Searcher.load(_settings(args))
    results = searcher.search(args.query, k=args.k, mode=args.mode, filters=_filters(args), lang=args.lang)
    if args.json:
        print(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return 0
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if results.lang != "en":
        print(f"read as {_LANGUAGE_NAMES[results.lang]}")
    if results.corrections:
        read = ", ".join(f"{c.typed} -> {c.corrected}" for c in results.corrections)
        print(f"searched for: {results.parsed.ranking_text}  ({read})")
    if not results.hits:
        print("no passage matches")
    for hit in results.hits:
        runs = ", ".join(f"{name} {rank if rank is not None else '-'}" for name, rank in hit.ranks.items())
        print(f"{hit.rank:>3}. {hit.passage.citation}  [{hit.score:.4f}; {runs}]")
        print(f"     {_highlight(hit.passage.text, results.parsed.ranking_text, width=240, color=color)}")
        print(f"     {hit.passage.id}")
    return 0


def _wrapped(text: str, indent: str = "  ", width: int = 100) -> str:
    import textwrap

    return textwrap.fill(
        text, width=width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )


def _cmd_ask(args: argparse.Namespace) -> int:
    from rag.answer import Assistant

    answer = Assistant.load(_settings(args)).ask(
        args.question, k=args.k, filters=_filters(args), lang=args.lang
    )
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    results = answer.results
    if results.lang != "en":
        print(f"read as {_LANGUAGE_NAMES[results.lang]}")
    if results.corrections:
        read = ", ".join(f"{c.typed} -> {c.corrected}" for c in results.corrections)
        print(f"searched for: {results.parsed.ranking_text}  ({read})")
    print(f"answer ({answer.answered_by.value}, from the top {len(results.hits)} passages):")
    print(_wrapped(answer.text))
    if answer.citations:
        print("citations:")
    for c in answer.citations:
        print(f"  [{c.n}] {c.citation}\n      {c.id}")
    if answer.notice:
        print(f"note: {answer.notice}")
    return 0


def _cmd_context(args: argparse.Namespace) -> int:
    from rag.answer import Assistant
    from rag.errors import NotFoundError

    assistant = Assistant.load(_settings(args))
    try:
        context = assistant.context(args.passage_id)
    except NotFoundError:
        raise assistant.contexts.not_found(args.passage_id) from None
    if args.json:
        print(json.dumps(context.to_dict(), ensure_ascii=False, indent=2))
        return 0
    p, parent = context.passage, context.parent
    print(f"{p.id}\n  {p.citation}")
    if parent.path:
        print("  in:       " + " > ".join(parent.path))
    if parent.heading:
        under = f" (part of {parent.passage_id})" if parent.passage_id else ""
        print(f"  heading:  {parent.heading}{under}")
    if parent.lead_in:
        print(f"  lead-in:  {parent.lead_in}")
    print("\n" + _wrapped(p.text, indent="    ") + "\n")
    for name, other in (("previous", context.previous), ("next", context.next)):
        if other is None:
            print(f"  {name}: none (the {'first' if name == 'previous' else 'last'} passage of {p.doc})")
        else:
            snippet = other.text if len(other.text) <= 90 else other.text[:87] + "..."
            print(f"  {name}: {other.id}  {other.citation}\n      {snippet}")
    return 0


def _versions_from_parsing(passage_id: str):  # type: ignore[no-untyped-def]
    """The passage and a VersionIndex of its related documents, parsed now (when there is no index)."""
    from rag.citator.versions import VersionIndex, related_documents
    from rag.corpus import load_corpus
    from rag.errors import NotFoundError
    from rag.parse import parse_document

    corpus = load_corpus(get_settings().index.corpus_dir)
    doc_id = passage_id.split("/", 1)[0]
    corpus.get(doc_id)  # an unknown document raises NotFoundError naming the known ones
    wanted = related_documents(corpus.documents, doc_id)
    docs = [parse_document(meta, corpus.text(meta)) for meta in corpus.documents if meta.id in wanted]
    passages = [p for doc in docs for p in doc.passages]
    target = next((p for p in passages if p.id == passage_id), None)
    if target is None:
        raise NotFoundError(
            f"unknown passage {passage_id!r}", hint=f"list the ids with `rag passages --doc {doc_id}`"
        )
    return target, VersionIndex.build(passages, corpus.documents)


def _versions_from_index(passage_id: str, index_dir: str | None):  # type: ignore[no-untyped-def]
    """The passage and the index's VersionIndex; None when there is no index (or it predates versions)."""
    from rag.config import make_settings
    from rag.errors import IndexMissingError, NotFoundError
    from rag.index.store import load_index

    settings = make_settings(index_dir=index_dir) if index_dir else get_settings()
    try:
        index = load_index(settings)
    except IndexMissingError:
        logger.info("no index in %s: parsing the documents", settings.index.index_dir)
        return None
    if index.versions is None:
        return None
    target = next((p for p in index.passages if p.id == passage_id), None)
    if target is None:
        doc_id = passage_id.split("/", 1)[0]
        raise NotFoundError(
            f"unknown passage {passage_id!r}", hint=f"list the ids with `rag passages --doc {doc_id}`"
        )
    return target, index.versions


def _cmd_versions(args: argparse.Namespace) -> int:
    import textwrap

    from rag.citator.versions import VersionRelation

    found = _versions_from_index(args.passage_id, args.index) or _versions_from_parsing(args.passage_id)
    target, index = found
    links = index.versions_of(target.id)
    revision = index.revision(target.instrument, doc=target.doc) if target.instrument else None
    if args.json:
        out = {
            "passage_id": target.id,
            "citation": target.citation,
            "versions": [link.to_dict() for link in links],
            "revision": revision.to_dict() if revision else None,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    names = {
        VersionRelation.EARLIER: "earlier draft",
        VersionRelation.LATER: "later draft",
        VersionRelation.COUNTERPART: "counterpart",
    }
    print(f"{target.id}  {target.citation}")
    if revision:
        print(f"  {revision.describe()}")
    if not links:
        print("  no other version of this passage in the corpus")
    for link in links:
        similar = f"{link.similarity:.2f} similar"
        print(f"\n  {names[link.relation]}: {link.passage_id}  {link.citation}  ({similar})")
        heading = "unchanged" if link.diff.unchanged else "changes from the earlier to the later text"
        print(f"    {heading}:")
        wrapped = textwrap.fill(link.diff.render(), width=100, break_long_words=False, break_on_hyphens=False)
        print(textwrap.indent(wrapped, "      "))
    return 0


def _mark(text: str, spans: Sequence[tuple[int, int]], *, width: int, color: bool) -> str:
    """A snippet of ``text`` around the first span, with the spans marked."""
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 4) if first > width // 2 else 0
    end = min(len(text), max(start + width, spans[0][1] if spans else 0))
    left, right = (_BOLD, _PLAIN) if color else ("[", "]")
    out, pos = [], start
    for a, b in spans:
        if a < pos or b > end:
            continue
        out += [text[pos:a], left, text[a:b], right]
        pos = b
    out.append(text[pos:end])
    return ("..." if start else "") + "".join(out) + ("..." if end < len(text) else "")


def _cmd_cites(args: argparse.Namespace) -> int:
    from rag.citator.citator import Citator
    from rag.config import make_settings
    from rag.index.store import load_index

    settings = make_settings(index_dir=args.index) if args.index else get_settings()
    index = load_index(settings)
    citator = Citator.from_index(index)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if args.target in citator.row_of:
        return _print_passage_citations(citator, args.target, as_json=args.json, color=color)
    report = citator.references(args.target, addressee=args.addressee)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    docs = len({g.doc for g in report.groups})
    print(f"{report.label} ({report.key}): {report.count} citing passages in {docs} documents")
    for target in report.targets:
        print(f"  in the corpus: {target}")
    if not report.count:
        print("no passage of the corpus cites it")
    for group in report.groups:
        print(f"\n{group.doc_title} · {group.role} ({len(group.passages)})")
        for cp in group.passages:
            spans = [(c.start, c.end) for c in cp.citations]
            print(f"  {cp.passage.citation}")
            print(f"      {_mark(cp.passage.text, spans, width=220, color=color)}")
            print(f"      {cp.passage.id}")
            for ask in cp.asks:
                print(f"      asks: {ask.citation}: {_mark(ask.text, [], width=160, color=color)}")
    return 0


def _print_passage_citations(citator, passage_id: str, *, as_json: bool, color: bool) -> int:  # type: ignore[no-untyped-def]
    """What one passage cites (with targets) and the passages citing it or its instrument."""
    passage = citator.passages[citator.row_of[passage_id]]
    cites = citator.cites(passage_id)
    cited_by = citator.cited_by(passage_id)
    if as_json:
        out = {
            "passage_id": passage_id,
            "citation": passage.citation,
            "cites": [c.to_dict() for c in cites],
            "cited_by": [cp.to_dict() for cp in cited_by],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"{passage_id}  {passage.citation}")
    print(f"cites ({len(cites)}):" if cites else "cites no instrument")
    for c in cites:
        where = c.target or "not in the corpus"
        pin = f", {c.pinpoint}" if c.pinpoint else ""
        print(f"  {c.surface!r} -> {c.label}{pin} ({c.key}) -> {where}")
    print(f"cited by ({len(cited_by)}):" if cited_by else "cited by no passage")
    for cp in cited_by:
        spans = [(c.start, c.end) for c in cp.citations]
        print(f"  {cp.passage.citation}  [{cp.scope}]")
        print(f"      {_mark(cp.passage.text, spans, width=220, color=color)}")
        print(f"      {cp.passage.id}")
    return 0


def _serve_log_config(quiet: bool) -> dict[str, object]:
    """uvicorn's logging setup, applied in every worker: one line per request from ``api.access``."""
    level = "WARNING" if quiet else "INFO"
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": handler},
        "loggers": {
            name: {"handlers": ["stderr"], "level": level, "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "api", "rag")
        },
    }


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from rag.config import make_settings
    from rag_cli.serve import background_build, prepare_index

    given = {"index_dir": args.index, "host": args.host, "port": args.port, "workers": args.workers}
    overrides = {name: value for name, value in given.items() if value is not None}
    if "index_dir" in overrides:
        overrides["index_dir"] = os.path.abspath(overrides["index_dir"])
    settings = make_settings(**overrides)
    # Each worker process builds its app from the environment (``api.main:create_app``): pass the
    # options on through it.
    for name, value in overrides.items():
        os.environ[f"RAG_{name.upper()}"] = str(value)
    get_settings.cache_clear()
    show = False if args.quiet else None
    building = prepare_index(settings, wait=args.wait_for_index, show_progress=show, show=_print_build)
    print(
        f"serving on http://{settings.server.host}:{settings.server.port} "
        f"({settings.server.workers} worker(s))",
        flush=True,
    )
    options: dict[str, Any] = {
        "app": "api.main:create_app",
        "factory": True,
        "host": settings.server.host,
        "port": settings.server.port,
        "log_config": _serve_log_config(args.quiet),
        "access_log": False,  # the app logs one structured line per request itself
        "server_header": False,
        "timeout_graceful_shutdown": 10,
    }
    with background_build(settings, needed=building, quiet=args.quiet):
        if settings.server.workers > 1:
            # uvicorn's workers share one socket and the first awake takes every waiting connection;
            # api.workers accepts in this process and hands connections to the workers in turn
            from api.workers import serve

            return serve(options, workers=settings.server.workers)
        uvicorn.run(**options)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    # eval depends on rag, never the reverse: the harness is imported only when the command runs
    from eval.harness import run_from_args

    return run_from_args(args)


def _add_eval_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``rag eval``; its options live in ``eval/cli.py`` (argparse only, cheap to import)."""
    try:
        from eval.cli import DESCRIPTION, Formatter, add_arguments
    except ImportError:  # an installation without the eval package: no eval command
        return
    e = sub.add_parser(
        "eval",
        help="score retrieval on the gold questions and write a report (eval/runs/)",
        formatter_class=Formatter,
        description=DESCRIPTION,
    )
    add_arguments(e)
    e.set_defaults(func=_cmd_eval)


def _cmd_train_reranker(args: argparse.Namespace) -> int:
    from eval.train_reranker import run_from_args

    return run_from_args(args)


def _add_train_reranker_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``rag train-reranker``: trains on the gold dev split, so it lives in ``eval/`` like ``rag eval``."""
    try:
        from eval.train_reranker import DESCRIPTION, add_arguments
    except ImportError:  # an installation without the eval package
        return
    t = sub.add_parser(
        "train-reranker",
        help="train the second-stage reranker on the dev split (writes rag/models/reranker.txt)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description=DESCRIPTION,
    )
    add_arguments(t)
    t.set_defaults(func=_cmd_train_reranker)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Retrieval assistant for ITU policy texts.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="only warnings and errors, no progress bars"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "passages",
        help="print the passages the parser makes of the corpus",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--doc", help="only this document id (see corpus/documents.json)")
    p.add_argument("--jsonl", action="store_true", help="one JSON passage record per line")
    p.add_argument("--stats", action="store_true", help="counts per document, kind and clause role; coverage")
    p.add_argument("--layout", action="store_true", help="with --stats: list the lines classified as layout")
    p.add_argument("--uncovered", action="store_true", help="with --stats: list lines no passage covers")
    p.set_defaults(func=_cmd_passages)

    from rag.types import Mode

    _add_corpus_parsers(sub)
    b = sub.add_parser(
        "build",
        help="parse, embed and index the corpus into the index folder (incremental, atomic)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    b.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    b.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    b.add_argument(
        "--background",
        action="store_true",
        help="as `rag serve` runs it beside the server: lower priority, progress in the status file "
        "beside the index folder (read by /healthz), stopped cleanly by SIGTERM",
    )
    b.set_defaults(func=_cmd_build)

    t = sub.add_parser(
        "train-encoder",
        help="fine-tune the encoder on pairs mined from the corpus (`rag build` does it when missing)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Mine (title, clause), (lead-in, item), (heading, paragraph) and agreed-language pairs "
        "from the parsed corpus and fine-tune MiniLM on them with in-batch negatives "
        "(rag/index/finetune.py): "
        "seeded, "
        "a fixed number of steps, a few minutes on 2 cores. No gold question is read.",
    )
    t.add_argument("--force", action="store_true", help="train again even if the model is there")
    t.add_argument("--out", type=Path, help="model folder (default: RAG_ENCODER_DIR or .models/encoder)")
    t.add_argument("--steps", type=int, help="training steps instead of the recipe's (needs --out)")
    t.set_defaults(func=_cmd_train_encoder)

    s = sub.add_parser(
        "search",
        help="search the index",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description='Search the passages. A "quoted phrase" must occur in every result; references such '
        'as "Res. 15", "Resolution 17 resolves 4" or "WTPF-26 §7.9.6" put that passage first.',
    )
    s.add_argument("query", help="the query")
    s.add_argument("-k", type=int, default=10, help="number of results")
    s.add_argument("--mode", default="hybrid", help=f"one of: {', '.join(Mode.values())}")
    s.add_argument("--lang", help=_LANG_HELP)
    _add_filter_arguments(s)
    s.add_argument("--json", action="store_true", help='JSON: {"query", "mode", "results": [...]}')
    s.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    s.set_defaults(func=_cmd_search)
    _add_reader_parsers(sub)
    _add_index_parsers(sub)
    _add_eval_parser(sub)
    _add_train_reranker_parser(sub)
    return parser


def _add_index_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``rag versions``, ``rag cites`` and ``rag serve``: what else the built index answers."""
    v = sub.add_parser(
        "versions",
        help="other versions of a passage (earlier/later drafts, counterpart opinions) with a word diff",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Show a passage's versions in the other drafts and forums of the corpus, with the "
        "words inserted [+like this+] and deleted [-like this-] from the earlier to the later text, and "
        "the revision history of a resolution. Served from the index's versions.json; without an "
        "index, parses the documents involved.",
    )
    v.add_argument("passage_id", help="a passage id, e.g. wtpf-26-sg-report/1.5 (see `rag passages`)")
    v.add_argument("--json", action="store_true", help='JSON: {"passage_id", "versions": [...], "revision"}')
    v.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    v.set_defaults(func=_cmd_versions)

    c = sub.add_parser(
        "cites",
        help="every passage citing an instrument, by document and clause role; or what a passage cites",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description='Who cites an instrument, written as the texts do or in short ("Resolution 70/1", '
        '"UNGA 70/1", "PP Res. 64", "WTDC Resolution 15", "SDG 9", "Action Line C5") or as a key '
        '("un/ga/res/70/1"); grouped by document and clause role, each passage with its citation and '
        "the reference [marked] in a snippet. Given a passage id instead, what that passage cites and "
        "which passages cite it. Served from the index's references.json.",
    )
    c.add_argument("target", help='an instrument ("Resolution 70/1") or a passage id')
    c.add_argument(
        "--addressee",
        help='also list what each citing instrument asks of this addressee, e.g. "Secretary-General"',
    )
    c.add_argument(
        "--json", action="store_true", help="JSON: the report (see rag.citator.citator.ReferenceReport)"
    )
    c.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    c.set_defaults(func=_cmd_cites)

    w = sub.add_parser(
        "serve",
        help="serve the HTTP API (a missing or stale index: an interim one at once, the full one built "
        "in the background)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Serve the API and the chat page with uvicorn. A full index is brought up to date "
        "first (a no-op when up to date). A missing or stale one is replaced within seconds by an "
        "interim index (BM25, English only) that serves at once, while the full index "
        "is built in a background process and swapped in when done (/healthz shows its progress); "
        "--wait-for-index builds the full index before serving instead. Options default to RAG_HOST, "
        "RAG_PORT, RAG_WORKERS and RAG_INDEX_DIR (127.0.0.1, 8000, 1, index/).",
    )
    w.add_argument("--host", help="interface to listen on (default: RAG_HOST or 127.0.0.1)")
    w.add_argument("--port", type=int, help="port (default: RAG_PORT or 8000)")
    w.add_argument(
        "--workers", type=int, help="worker processes, each with its own index (default: RAG_WORKERS or 1)"
    )
    w.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    w.add_argument(
        "--wait-for-index",
        action="store_true",
        help="build the full index before serving (minutes on a first start) instead of serving an "
        "interim one meanwhile",
    )
    w.set_defaults(func=_cmd_serve)


def _add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    from rag.types import ClauseRole, PassageKind

    parser.add_argument("--doc", action="append", help="only this document id (repeatable)")
    parser.add_argument(
        "--instrument", action="append", help='only this instrument, e.g. "Resolution 15" (repeatable)'
    )
    parser.add_argument(
        "--clause",
        action="append",
        help=f"only this clause role (repeatable): {', '.join(ClauseRole.values())}",
    )
    parser.add_argument(
        "--kind",
        action="append",
        help=f"only this passage kind (repeatable): {', '.join(PassageKind.values())}",
    )


def _add_reader_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``rag ask`` and ``rag context``: what ``POST /ask`` and ``GET /passages/{id}`` answer."""
    from rag.answer import ASK_K

    a = sub.add_parser(
        "ask",
        help="answer a question from the passages, with numbered citations",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Search (hybrid) and answer from the top passages: by default the best sentences "
        "quoted, each followed by [n] naming its passage; with RAG_LLM_BASE_URL and RAG_LLM_MODEL set, "
        "composed by that language model from the passages, falling back to the quotes if it fails.",
    )
    a.add_argument("question", help="the question")
    a.add_argument("-k", type=int, default=ASK_K, help="passages retrieved")
    a.add_argument("--lang", help=_LANG_HELP)
    _add_filter_arguments(a)
    a.add_argument(
        "--json", action="store_true", help='JSON: {"question", "answer", "citations", "answered_by", ...}'
    )
    a.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    a.set_defaults(func=_cmd_ask)
    c = sub.add_parser(
        "context",
        help="a passage with its heading, lead-in and the passages before and after it",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    c.add_argument("passage_id", help="a passage id, e.g. wtdc-25-final-report/res-15/instructs/4")
    c.add_argument("--json", action="store_true", help='JSON: {"passage", "parent", "previous", "next"}')
    c.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    c.set_defaults(func=_cmd_context)


def _add_corpus_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    a = sub.add_parser(
        "add",
        help="add documents (Word, PDF, HTML, Akoma Ntoso, markdown, text) to the corpus and index them",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Convert each file to text, read its metadata from the text (symbol, title, body or "
        "event, date, language; the flags override it), parse it to the clause, write the text and the "
        "original into the corpus folder with an entry in documents.json, and rebuild the index "
        "(only the new passages are embedded). Formats: .docx, .doc, .pdf, .html/.htm, .xml (Akoma "
        "Ntoso), .md, .txt. All files are read before anything is written: one bad file adds nothing.",
    )
    a.add_argument("paths", nargs="+", metavar="PATH", help="the files to add")
    a.add_argument("--id", help="document id (lower-case letters, digits, hyphens); one file only")
    a.add_argument("--title", help="the document's title")
    a.add_argument("--short-title", help='how citations name the document, e.g. "A/RES/80/118"')
    a.add_argument("--event", help='the conference, assembly or session, e.g. "WTSA-24" or "UNGA-80"')
    a.add_argument("--date", help="adoption or publication date, ISO (2025-12-15, or 2025)")
    a.add_argument("--lang", help="language, ISO 639-1 (en, fr, es, ar, ru, zh)")
    a.add_argument("--no-build", action="store_true", help="change the corpus only; run `rag build` later")
    a.set_defaults(func=_cmd_add)
    r = sub.add_parser(
        "remove",
        help="remove a document added with `rag add` and rebuild the index without it",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    r.add_argument("id", help="the document id (see `rag passages --stats` or GET /documents)")
    r.add_argument("--no-build", action="store_true", help="change the corpus only; run `rag build` later")
    r.set_defaults(func=_cmd_remove)


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose > 1 else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # Third-party libraries are noisy at INFO; keep them at WARNING unless -vv.
    for name in ("sentence_transformers", "faiss", "httpx", "urllib3", "numba"):
        logging.getLogger(name).setLevel(logging.WARNING if verbose < 2 else logging.DEBUG)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose, args.quiet)
    try:
        return int(args.func(args) or 0)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `rag passages | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
