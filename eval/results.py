"""The values one ``rag eval`` produces: per question, per run (pipeline and mode), paired comparisons,
and the whole result, each with the ``to_dict`` the report writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eval.config import EvalConfig
from eval.gold_data import GoldQuestion, split_gold_paths
from eval.metrics import answer_run
from eval.types import EvalError, Retrieved


@dataclass
class QuestionResult:
    """One question in one pipeline and mode: what came back, whether and where it answered."""

    question: GoldQuestion
    doc: str
    pipeline: str
    mode: str
    top: list[Retrieved]
    hits: list[int | None]  # per returned passage: index of the answer it covers, or None
    relevant: set[str]  # passage-level qrels: covering passages of the collection (and of the results)
    coverable: bool | None  # some passage of the collection covers an answer (None: collection unknown)
    latency_ms: float
    scores: dict[str, float] = field(default_factory=dict)
    purity: float | None = None
    deep_rank: int | None = None  # for a miss: rank of the first hit within DIAGNOSE_DEPTH
    deep_searched: bool = False
    diagnosis: str = ""
    # instruments of the passages that cover an answer (library pipelines), to say how close a
    # passage that came first instead was
    gold_instruments: frozenset[str] = frozenset()

    @property
    def rank(self) -> int | None:
        """Rank of the first hit in the top k (None: missed)."""
        return next((i for i, a in enumerate(self.hits, start=1) if a is not None), None)

    @property
    def first_hit(self) -> Retrieved | None:
        r = self.rank
        return self.top[r - 1] if r else None

    def to_dict(self) -> dict[str, Any]:
        q = self.question
        return {
            "qid": q.id,
            "split": q.split,
            **({"lang": q.lang} if q.lang is not None else {}),
            "kind": q.kind.value,
            "doc": self.doc,
            "pipeline": self.pipeline,
            "mode": self.mode,
            "question": q.question,
            "gold_citation": q.citation,
            "rank": self.rank,
            "answered_by": None if self.rank is None else self.hits[self.rank - 1],
            "purity": None if self.purity is None else round(self.purity, 4),
            "latency_ms": round(self.latency_ms, 3),
            "scores": {m: round(v, 6) for m, v in self.scores.items()},
            "coverable": self.coverable,
            "relevant": sorted(self.relevant)[:20],
            "deep_rank": self.deep_rank,
            "diagnosis": self.diagnosis,
            "top": [
                {
                    "rank": i,
                    "id": r.id,
                    "citation": r.citation,
                    "score": round(r.score, 6),
                    "hit": a is not None,
                }
                for i, (r, a) in enumerate(zip(self.top, self.hits, strict=True), start=1)
            ],
        }


@dataclass
class RunResult:
    """All questions of one pipeline in one mode, with means, breakdowns and latency."""

    pipeline: str
    mode: str
    questions: list[QuestionResult]
    means: dict[str, float | None] = field(default_factory=dict)
    by_kind: dict[str, dict[str, float | None]] = field(default_factory=dict)
    by_doc: dict[str, dict[str, float | None]] = field(default_factory=dict)
    # per language of the questions, when they are in more than one (else empty)
    by_lang: dict[str, dict[str, float | None]] = field(default_factory=dict)
    latency: dict[str, float | None] = field(default_factory=dict)
    recall_curve: list[float] = field(default_factory=list)  # recall@1..k

    @property
    def key(self) -> str:
        return f"{self.pipeline}/{self.mode}"

    def answer_run(self) -> dict[str, dict[str, float]]:
        return {q.question.id: answer_run([r.id for r in q.top], q.relevant) for q in self.questions}

    def failures(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.rank is None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "mode": self.mode,
            "questions": len(self.questions),
            "means": rounded(self.means),
            "by_kind": {k: rounded(v) for k, v in self.by_kind.items()},
            "by_doc": {k: rounded(v) for k, v in self.by_doc.items()},
            **({"by_lang": {k: rounded(v) for k, v in self.by_lang.items()}} if self.by_lang else {}),
            "latency_ms": rounded(self.latency),
            "recall_curve": [round(v, 6) for v in self.recall_curve],
            "failures": [q.question.id for q in self.failures()],
        }


@dataclass(frozen=True)
class Comparison:
    """A paired test of two runs on one metric (ranx ``compare``, paired Student's t-test)."""

    a: str
    b: str
    metric: str
    mean_a: float
    mean_b: float
    p_value: float | None
    wins: int
    ties: int
    losses: int

    @property
    def delta(self) -> float:
        return self.mean_a - self.mean_b

    def significant(self, max_p: float = 0.05) -> bool:
        return self.p_value is not None and self.p_value < max_p

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "metric": self.metric,
            "mean_a": round(self.mean_a, 6),
            "mean_b": round(self.mean_b, 6),
            "delta": round(self.delta, 6),
            "p_value": None if self.p_value is None else float(f"{self.p_value:.4g}"),
            "wins": self.wins,
            "ties": self.ties,
            "losses": self.losses,
        }


@dataclass
class EvalResult:
    """Everything one ``rag eval`` measured; ``eval.report`` renders and writes it."""

    config: EvalConfig
    questions: list[GoldQuestion]
    pipelines: dict[str, dict[str, Any]]  # name -> info
    runs: dict[str, RunResult]  # "pipeline/mode" -> run
    comparisons: list[Comparison] = field(default_factory=list)
    uncoverable: dict[str, list[str]] = field(default_factory=dict)  # pipeline -> qids
    targets: list[Any] = field(default_factory=list)  # eval.targets.TargetResult
    started_at: str = ""
    seconds: float = 0.0
    # 1-minute load average at start and end, and CPUs: latency means little on a busy machine
    load: tuple[float, float] = (0.0, 0.0)
    cpus: int = 0

    def run(self, pipeline: str, mode: str) -> RunResult:
        try:
            return self.runs[f"{pipeline}/{mode}"]
        except KeyError:
            raise EvalError(f"no run {pipeline}/{mode}; runs: {', '.join(self.runs)}") from None

    @property
    def reference(self) -> str:
        """The pipeline the targets and comparisons are about: the first one that is not the baseline."""
        for name, info in self.pipelines.items():
            if info.get("kind") != "naive":
                return name
        return next(iter(self.pipelines))

    def metrics_dict(self) -> dict[str, Any]:
        cfg = self.config
        return {
            "started_at": self.started_at,
            "seconds": round(self.seconds, 2),
            "load_average": list(self.load),
            "cpus": self.cpus,
            "config": {
                "name": cfg.name,
                "split": cfg.split,
                "gold": [str(p) for p in (cfg.gold or split_gold_paths(cfg.split))],
                "modes": list(cfg.modes),
                "k": cfg.k,
                "api": cfg.api_url,
                "pipelines": [p.name for p in cfg.pipelines],
            },
            "questions": len(self.questions),
            "primary_metric": cfg.primary,
            "metrics": list(cfg.metrics),
            "hit_rule": "a returned passage covering at least half of a gold quote's span (main or also)",
            "pipelines": self.pipelines,
            "runs": {key: run.to_dict() for key, run in self.runs.items()},
            "uncoverable": self.uncoverable,
            "comparisons": [c.to_dict() for c in self.comparisons],
            "targets": [t.to_dict() for t in self.targets],
        }


def rounded(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in values.items()}
