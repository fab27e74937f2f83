"""The regression gate: ``eval/baseline.json`` holds the test split's figures, and the test suite fails
when the gated run's metrics drop more than ``GATE_TOLERANCE`` below them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.results import EvalResult, rounded
from eval.types import EvalError
from rag.config import REPO_ROOT

GATE_FILE = REPO_ROOT / "eval" / "baseline.json"
GATE_METRICS = ("ndcg@10", "recall@10")
GATE_TOLERANCE = 0.02
GATE_RUN = ("clause", "hybrid")


def gate_record(result: EvalResult) -> dict[str, Any]:
    """What ``eval/baseline.json`` holds: the date, the setup and every run's means on this split."""
    pipeline, mode = GATE_RUN
    cfg = result.config
    info = result.pipelines.get(pipeline, {})
    return {
        "date": result.started_at[:10],
        "split": cfg.split,
        "questions": len(result.questions),
        "k": cfg.k,
        "primary_metric": cfg.primary,
        "gate": {"run": f"{pipeline}/{mode}", "metrics": list(GATE_METRICS), "tolerance": GATE_TOLERANCE},
        "index": {key: info.get(key) for key in ("passages", "built_at", "code", "fusion")},
        "runs": {
            key: rounded({m: v for m, v in run.means.items() if m != "n"}) for key, run in result.runs.items()
        },
    }


def write_gate(result: EvalResult, path: Path = GATE_FILE) -> Path:
    """Save the run as the new regression baseline (commit it with the change that earned it)."""
    cfg = result.config
    key = "/".join(GATE_RUN)
    if cfg.split != "test" or key not in result.runs or cfg.k != 10:
        raise EvalError(
            f"the regression baseline is the test split's {key} run at k=10",
            hint="run `rag eval --split test --k 10` with the clause pipeline and hybrid mode",
        )
    path.write_text(json.dumps(gate_record(result), indent=2) + "\n", encoding="utf-8")
    return path


def read_gate(path: Path = GATE_FILE) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EvalError(f"cannot read the regression baseline {path}: {exc}") from None


def run_means(result: EvalResult) -> dict[str, Mapping[str, float | None]]:
    """``{"pipeline/mode": means}`` of a result (``metrics.json`` holds the same under ``runs.*.means``)."""
    return {key: run.means for key, run in result.runs.items()}


def gate_summary(
    runs: Mapping[str, Mapping[str, float | None]], gate: Mapping[str, Any]
) -> list[tuple[str, float, float]]:
    """(metric, now, baseline) for the gated run, or nothing if this result has no such run."""
    run_key = gate["gate"]["run"]
    if run_key not in runs:
        return []
    now = runs[run_key]
    return [(m, float(now.get(m) or 0.0), float(gate["runs"][run_key][m])) for m in gate["gate"]["metrics"]]


def gate_failures(runs: Mapping[str, Mapping[str, float | None]], gate: Mapping[str, Any]) -> list[str]:
    """The gated metrics that fell more than the tolerance below the baseline, each with its figures.

    Raises:
        EvalError: the gated run is not among ``runs``.
    """
    run_key = gate["gate"]["run"]
    if run_key not in runs:
        raise EvalError(f"the gate needs the run {run_key}; this result has {', '.join(runs)}")
    tolerance = float(gate["gate"]["tolerance"])
    problems = []
    for metric, now, then in gate_summary(runs, gate):
        if now < then - tolerance:
            problems.append(
                f"{run_key} {metric} = {now:.4f}, {then - now:.4f} below the baseline {then:.4f} "
                f"(allowed: {tolerance}; baseline of {gate.get('date')} in eval/baseline.json)"
            )
    return problems
