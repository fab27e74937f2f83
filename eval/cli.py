"""The ``rag eval`` options, kept free of heavy imports so that ``rag --help`` stays cheap.

``rag_cli.main`` adds these to its ``eval`` subcommand and calls ``eval.harness.run_from_args`` only when
the command runs (the dependency points from ``eval`` to ``rag``, never back at import time).
"""

from __future__ import annotations

import argparse

DESCRIPTION = """Score retrieval on the gold questions (eval/gold/) and write a report.

A hit is a returned passage covering at least half of a gold quote's span; recall@k is the share of
questions answered in the top k, MRR@k and nDCG@k (primary metric) use the rank of the first hit.
Pipelines: clause (the clause-level index, as served), naive (1000/200 character chunks, same
encoder and BM25, RRF; add with --baseline), the ablations clause-no-phrase, clause-no-refs,
clause-no-rerank, clause-rrf, clause-no-context, clause-no-precedents, clause-vocabulary,
clause-no-intent, clause-no-facts, clause-stock-encoder, clause-dev-only-reranker,
clause-no-multilingual (eval/pipelines.py), and any --variant.
--split lang (the test set of issue 18) and lang-dev score the questions in French, Spanish,
Russian, Arabic and Chinese (eval/gold/lang.jsonl, lang-dev.jsonl) with clause and
clause-no-multilingual by default, and report each language against the issue's targets.
With --api URL the service replaces the clause pipeline. Writes report.md, metrics.json,
per_question.jsonl, TREC runs and qrels and recall_at_k.png to --out (default
eval/runs/<split>-<pipelines>-k<k>/)."""


class Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the description's line breaks and shows every option's default (an option without one, or
    whose default depends on the split, says so in its help rather than "default: None")."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``rag eval`` options to ``parser``."""
    parser.add_argument(
        "--gold",
        nargs="+",
        metavar="FILE",
        help="gold JSON-lines files (default: eval/gold/dev.jsonl test.jsonl; for --split lang or "
        "lang-dev, eval/gold/lang.jsonl or lang-dev.jsonl)",
    )
    parser.add_argument(
        "--split",
        default="test",
        # eval.config.SPLIT_CHOICES (not imported: it would load the harness for `rag --help`)
        choices=("dev", "test", "all", "added", "lang-dev", "lang"),
        help="which questions: a gold file's name is its split (tune on dev, report on test); added: "
        "eval/gold/added.jsonl over the seeds plus the development documents of ../shared/corpus-more, "
        "each added as `rag add` adds it (corpus and index under eval/runs/.cache/added/); lang, "
        "lang-dev: the questions in other languages (issue 18; tune on lang-dev, report on lang), "
        "scored per language",
    )
    parser.add_argument(
        "--modes", default="bm25,dense,hybrid", help="comma-separated modes: bm25, dense, hybrid"
    )
    parser.add_argument("-k", "--k", type=int, default=10, help="cut-off for recall, MRR and nDCG (1-100)")
    parser.add_argument(
        "--pipelines",
        help="comma-separated pipeline names: clause, naive, or an ablation of eval/pipelines.py "
        "(clause-no-rerank, clause-rrf, clause-no-context, ...) (default: clause; on lang and lang-dev "
        "clause,clause-no-multilingual)",
    )
    parser.add_argument(
        "--variant",
        action="append",
        metavar="NAME[@BASE]:KEY=VALUE,...",
        help="an extra pipeline with settings overrides, e.g. rrf30:rrf_k=30 or "
        "small@naive:chunk_size=500,chunk_overlap=100 (repeatable)",
    )
    parser.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        help="also score the naive 1000/200-chunk baseline (default: yes, except on lang and lang-dev)",
    )
    parser.add_argument("--api", metavar="URL", help="score a running service through POST URL/search")
    parser.add_argument("--out", help="report folder (default: eval/runs/<config name>/)")
    parser.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    parser.add_argument(
        "--cache", help="cache folder for baseline embeddings and variant indexes (default: eval/runs/.cache)"
    )
    parser.add_argument(
        "--update-gate",
        action="store_true",
        help="write this run's figures to eval/baseline.json, the regression baseline the tests hold "
        "retrieval to (test split, k=10; commit it with the change that earned it)",
    )
