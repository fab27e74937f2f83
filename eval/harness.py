"""``rag eval`` (and ``python -m eval.harness``): build the configuration, run it, write the report.

The harness is in parts, each importing only those below it: ``eval.config`` (what to score),
``eval.pipelines`` (what is scored), ``eval.judge`` (the hit rule against the gold spans),
``eval.runner`` (search, score, diagnose, compare), ``eval.results`` (the values), ``eval.targets``
and ``eval.gate`` (the issues' targets and the regression baseline), ``eval.report`` (the files).
For every pipeline and mode each gold question is searched once (timed), its top ``k`` judged by span,
and the answer-level run handed to ranx for recall@1/5/10, MRR@10 and nDCG@10 (primary metric).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.config import config_from_args
from eval.gate import GATE_FILE, read_gate, write_gate
from eval.report import terminal_summary, write_report
from eval.runner import run_eval
from eval.settings import RUNS_DIR


def run_from_args(args: Any) -> int:
    """``rag eval``: run, print the table, write the report; exit 0 (targets are reported, not enforced)."""
    config = config_from_args(args)
    result = run_eval(config)
    out = Path(args.out) if args.out else RUNS_DIR / config.name
    gate = read_gate() if GATE_FILE.is_file() else None
    written = write_report(result, out, gate=gate)
    print(terminal_summary(result, gate=gate))
    print(f"\nreport: {written}  ({result.seconds:.1f} s)")
    if args.update_gate:
        print(f"regression baseline written: {write_gate(result)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m eval.harness``: the same as ``rag eval``."""
    import argparse

    from eval.cli import DESCRIPTION, Formatter, add_arguments

    parser = argparse.ArgumentParser(
        prog="python -m eval.harness", description=DESCRIPTION, formatter_class=Formatter
    )
    add_arguments(parser)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
