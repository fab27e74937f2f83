"""Retrieval quality per mode on the gold questions, with the ablations: a shortcut to ``rag eval``.

The scoring lives in the evaluation harness (``eval/runner.py``, see README "Evaluation"); this script
runs it on both splits with the served pipeline and its standing ablations and no naive baseline, and
writes the report to ``bench/out/quality/``.

    .venv/bin/python bench/quality.py [any `rag eval` option, e.g. --split test --modes hybrid]

Settings come from RAG_* variables as everywhere (e.g. RAG_RRF_K=30, RAG_WEIGHT_DENSE=1.5).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.config import REPO_ROOT  # noqa: E402
from rag_cli.main import main  # noqa: E402

DEFAULTS = [
    "--split",
    "all",
    "--pipelines",
    "clause,clause-no-phrase,clause-no-refs",
    "--no-baseline",
    "--out",
    str(REPO_ROOT / "bench" / "out" / "quality"),
]

GLOBAL = {"-q", "--quiet", "-v", "-vv", "--verbose"}

if __name__ == "__main__":
    given = sys.argv[1:]
    # -q/-v belong before the subcommand; later options win in argparse, so the rest overrides DEFAULTS
    front = [a for a in given if a in GLOBAL]
    rest = [a for a in given if a not in GLOBAL]
    sys.exit(main([*front, "eval", *DEFAULTS, *rest]))
