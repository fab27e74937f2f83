"""The evaluation harness behind ``rag eval``: score pipelines on the gold questions, mode by mode.

For every pipeline (the clause-level library, the naive baseline, variants, or a running service) and
every mode, each gold question is searched once (timed), its top ``k`` judged by span
(``eval.metrics``: a hit covers at least half of a gold quote), and the answer-level run handed to
ranx for recall@1/5/10, MRR@10 and nDCG@10 (primary metric: nDCG@10). Citation purity, latency,
per-kind and per-document figures, paired comparisons (ranx ``compare``, paired t-test), the issue's
targets and a look at every failing question complete the result, which ``eval.report`` writes out.

Example:
    >>> from eval.harness import EvalConfig, run_eval
    >>> result = run_eval(EvalConfig(split="test", modes=("hybrid",)))      # doctest: +SKIP
    >>> result.run("clause", "hybrid").means["ndcg@10"]                       # doctest: +SKIP
    0.83
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from eval.gold_data import GoldQuestion, default_gold_paths, load_gold
from eval.metrics import (
    ANSWER,
    AnswerSpan,
    answer_run,
    best_answer,
    covers,
    evaluate_runs,
    gold_line,
    mean,
    metric_names,
    percentile,
    primary_metric,
    purity,
)
from eval.pipelines import (
    PIPELINES,
    EvalError,
    Pipeline,
    PipelineConfig,
    Resources,
    Retrieved,
    open_pipeline,
)
from rag.config import REPO_ROOT, Settings, get_settings
from rag.errors import ConfigError, RagError
from rag.types import Mode, Passage

logger = logging.getLogger(__name__)

RUNS_DIR = REPO_ROOT / "eval" / "runs"
CACHE_DIR = RUNS_DIR / ".cache"
GATE_FILE = REPO_ROOT / "eval" / "baseline.json"
SPLIT_CHOICES = ("dev", "test", "all", "added")
# How deep a missed question is searched again to tell a near miss (reranking would fix it) from
# an answer the first stage never finds (the Searcher's own limit).
DIAGNOSE_DEPTH = 100
# The regression gate: the test suite fails when these drop more than GATE_TOLERANCE below eval/baseline.json.
GATE_METRICS = ("ndcg@10", "recall@10")
GATE_TOLERANCE = 0.02
GATE_RUN = ("clause", "hybrid")


@dataclass(frozen=True)
class EvalConfig:
    """What to score: gold files and split, modes, cut-off, pipelines, and where a service runs."""

    gold: tuple[Path, ...] | None = None
    split: str = "test"
    modes: tuple[str, ...] = ("bm25", "dense", "hybrid")
    k: int = 10
    pipelines: tuple[PipelineConfig, ...] = (PIPELINES["clause"], PIPELINES["naive"])
    api_url: str | None = None
    settings: Settings | None = None
    cache_dir: Path = CACHE_DIR
    diagnose_depth: int = DIAGNOSE_DEPTH
    show_progress: bool | None = None

    def __post_init__(self) -> None:
        if self.split not in SPLIT_CHOICES:
            raise ConfigError(f"unknown split {self.split!r}; choose one of: {', '.join(SPLIT_CHOICES)}")
        for mode in self.modes:
            Mode.from_str(mode)
        if not self.modes:
            raise ConfigError("no modes to score; choose from: " + ", ".join(Mode.values()))
        if isinstance(self.k, bool) or not 1 <= self.k <= 100:
            raise ConfigError(f"k must be an integer from 1 to 100, not {self.k!r}")
        names = [p.name for p in self.pipelines]
        if len(set(names)) != len(names):
            raise ConfigError(f"pipeline names repeat: {', '.join(names)}")

    @property
    def name(self) -> str:
        """The run's folder name under ``eval/runs/``: split, pipelines, modes (if not all) and k."""
        parts = [self.split, "+".join(p.name for p in self.pipelines)]
        if set(self.modes) != set(Mode.values()):
            parts.append("+".join(self.modes))
        parts.append(f"k{self.k}")
        return "-".join(parts)

    @property
    def metrics(self) -> tuple[str, ...]:
        return metric_names(self.k)

    @property
    def primary(self) -> str:
        return primary_metric(self.k)


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
            "means": _rounded(self.means),
            "by_kind": {k: _rounded(v) for k, v in self.by_kind.items()},
            "by_doc": {k: _rounded(v) for k, v in self.by_doc.items()},
            "latency_ms": _rounded(self.latency),
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
                "gold": [str(p) for p in (cfg.gold or default_gold_paths())],
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


def _rounded(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in values.items()}


# ------------------------------------------------------------------------------------------------
# Judging


class Judge:
    """Decides hits for one pipeline: the answers' spans, their gold lines, and the covering passages."""

    def __init__(self, texts: Mapping[str, str], passages: Sequence[Passage] | None) -> None:
        self.texts = texts
        self.passages = passages
        grouped: dict[str, list[Passage]] = {}
        for p in passages or ():
            grouped.setdefault(p.source, []).append(p)
        # per source: start and end arrays, so the passages near an answer are found without a scan
        self._by_source = {
            src: (
                np.fromiter((p.start for p in items), dtype=np.int64, count=len(items)),
                np.fromiter((p.end for p in items), dtype=np.int64, count=len(items)),
                items,
            )
            for src, items in grouped.items()
        }

    @staticmethod
    def answers(question: GoldQuestion) -> list[AnswerSpan]:
        return [AnswerSpan(a.source, a.start, a.end) for a in question.answers]

    def covering(self, answers: Sequence[AnswerSpan]) -> list[Passage]:
        """The collection's passages that cover at least half of any answer."""
        found: dict[str, Passage] = {}
        for answer in answers:
            entry = self._by_source.get(answer.source)
            if entry is None:
                continue
            starts, ends, items = entry
            for row in np.flatnonzero((starts < answer.end) & (ends > answer.start)):
                p = items[int(row)]
                if covers(p.source, p.spans, answer):
                    found.setdefault(p.id, p)
        return list(found.values())

    def purity(self, hit: Retrieved, answer: AnswerSpan) -> float:
        line = gold_line(self.texts[answer.source], answer.start, answer.end)
        return purity(hit.spans, line)


def select_questions(questions: Sequence[GoldQuestion], split: str) -> list[GoldQuestion]:
    """The questions of a split (``all``: every one)."""
    chosen = [q for q in questions if split == "all" or q.split == split]
    if not chosen:
        splits = sorted({q.split for q in questions})
        raise EvalError(
            f"no gold questions in split {split!r}; the gold files hold the split(s) {', '.join(splits)}",
            hint="use --split all for files not named dev.jsonl or test.jsonl",
        )
    return chosen


def load_texts(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Decoded source texts by file name, and the document id of each file."""
    from rag.corpus import load_corpus

    corpus = load_corpus(settings.index.corpus_dir)
    return {d.file: corpus.text(d) for d in corpus.documents}, {d.file: d.id for d in corpus.documents}


# ------------------------------------------------------------------------------------------------
# Running


def run_eval(
    config: EvalConfig, *, resources: Resources | None = None, pipelines: Sequence[Pipeline] | None = None
) -> EvalResult:
    """Score every pipeline of ``config`` in every mode on the selected gold questions.

    ``pipelines`` replaces opening ``config.pipelines`` (tests pass fakes through it).

    Raises:
        GoldDataError: the gold files are invalid.
        EvalError, ConfigError, RagError: no questions selected, a bad pipeline setting, a missing
            index, an unreachable service.
    """
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    settings = config.settings or get_settings()
    gold = config.gold
    if config.split == "added":
        # documents added with `rag add`: the seeds plus the development set, in a corpus of their own
        from eval.added import ADDED_GOLD, added_settings

        settings = added_settings(settings, config.cache_dir, show_progress=config.show_progress)
        gold = gold or (ADDED_GOLD,)
    resources = resources or Resources(settings, config.cache_dir, show_progress=config.show_progress)
    questions = select_questions(load_gold(gold, corpus_dir=settings.index.corpus_dir), config.split)
    texts, doc_of = load_texts(settings)
    logger.info(
        "scoring %d %s questions, k=%d, modes %s", len(questions), config.split, config.k, config.modes
    )

    result = EvalResult(config=config, questions=questions, pipelines={}, runs={}, started_at=started_at)
    load_start = _load()
    if pipelines is None and not config.pipelines:
        raise ConfigError("no pipelines to score", hint=f"choose from: {', '.join(PIPELINES)}")
    for item in pipelines if pipelines is not None else config.pipelines:
        if isinstance(item, PipelineConfig):
            pipeline = open_pipeline(item, resources, api_url=config.api_url)
        else:
            pipeline = item
        if pipeline.name in result.pipelines:
            raise ConfigError(f"pipeline name {pipeline.name!r} is used twice")
        result.pipelines[pipeline.name] = pipeline.info()
        judge = Judge(texts, pipeline.passages)
        covering = {q.id: judge.covering(judge.answers(q)) for q in questions}
        relevant = {qid: {p.id for p in found} for qid, found in covering.items()}
        instruments = {
            qid: frozenset(p.instrument for p in found if p.instrument) for qid, found in covering.items()
        }
        if pipeline.passages is not None:
            result.uncoverable[pipeline.name] = [q.id for q in questions if not relevant[q.id]]
        for mode in config.modes:
            run = _run_mode(pipeline, mode, questions, judge, relevant, doc_of, config)
            for q in run.questions:
                q.gold_instruments = instruments[q.question.id]
            result.runs[run.key] = run
            logger.info(
                "%s: %s %.3f, recall@%d %.3f, p50 %.1f ms",
                run.key,
                config.primary,
                run.means[config.primary] or 0.0,
                config.k,
                run.means[f"recall@{config.k}"] or 0.0,
                run.latency["p50"] or 0.0,
            )
    result.comparisons = compare_runs(result)
    from eval.targets import check_targets

    result.targets = check_targets(result)
    result.seconds = time.perf_counter() - started
    result.load = (load_start, _load())
    result.cpus = os.cpu_count() or 0
    return result


def _load() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # not available on this platform
        return 0.0


def _run_mode(
    pipeline: Pipeline,
    mode: str,
    questions: Sequence[GoldQuestion],
    judge: Judge,
    relevant: Mapping[str, set[str]],
    doc_of: Mapping[str, str],
    config: EvalConfig,
) -> RunResult:
    k = config.k
    pipeline.search(questions[0].question, k, mode)  # warm-up: lazy sessions and caches, not timed
    results: list[QuestionResult] = []
    for q in questions:
        answers = judge.answers(q)
        t0 = time.perf_counter()
        top = pipeline.search(q.question, k, mode)[:k]
        latency = (time.perf_counter() - t0) * 1000
        hits = [best_answer(r.source, r.spans, answers) for r in top]
        rel = set(relevant[q.id]) | {r.id for r, a in zip(top, hits, strict=True) if a is not None}
        qr = QuestionResult(
            question=q,
            doc=doc_of.get(q.answer.source, q.answer.source),
            pipeline=pipeline.name,
            mode=mode,
            top=top,
            hits=hits,
            relevant=rel,
            coverable=bool(relevant[q.id]) if pipeline.passages is not None else None,
            latency_ms=latency,
        )
        if qr.rank is not None:
            hit = qr.top[qr.rank - 1]
            qr.purity = judge.purity(hit, answers[qr.hits[qr.rank - 1]])  # type: ignore[index]
        results.append(qr)

    run = RunResult(pipeline=pipeline.name, mode=mode, questions=results)
    _score(run, config)
    _diagnose(run, pipeline, judge, config)
    return run


def _score(run: RunResult, config: EvalConfig) -> None:
    """Per-question ranx scores, means, per-kind and per-document means, latency, recall curve."""
    metrics = config.metrics
    scores = evaluate_runs(run.answer_run(), metrics)
    for q in run.questions:
        q.scores = {m: scores[m][q.question.id] for m in metrics}
    run.means = _means(run.questions, metrics)
    kinds = sorted({q.question.kind.value for q in run.questions})
    run.by_kind = {
        kind: _means([q for q in run.questions if q.question.kind.value == kind], metrics) for kind in kinds
    }
    docs = list(dict.fromkeys(q.doc for q in sorted(run.questions, key=lambda q: q.question.answer.source)))
    run.by_doc = {doc: _means([q for q in run.questions if q.doc == doc], metrics) for doc in docs}
    latencies = [q.latency_ms for q in run.questions]
    run.latency = {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "mean": mean(latencies),
    }
    curve = evaluate_runs(run.answer_run(), [f"recall@{n}" for n in range(1, config.k + 1)])
    run.recall_curve = [mean(curve[f"recall@{n}"].values()) or 0.0 for n in range(1, config.k + 1)]


def _means(questions: Sequence[QuestionResult], metrics: Sequence[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {"n": float(len(questions))}
    for m in metrics:
        out[m] = mean(q.scores[m] for q in questions)
    purities = [q.purity for q in questions if q.purity is not None]
    out["purity"] = mean(purities)
    out["purity_n"] = float(len(purities))
    return out


def _diagnose(run: RunResult, pipeline: Pipeline, judge: Judge, config: EvalConfig) -> None:
    """Say for each question not answered first why, as far as the data tells.

    Misses are searched again ``diagnose_depth`` deep: an answer found there is a near miss (a second
    stage could lift it), one not found is a first-stage failure; a question no passage covers is a
    segmentation failure.
    """
    depth = max(config.diagnose_depth, config.k)
    for q in run.questions:
        rank = q.rank
        if rank == 1:
            continue
        if rank is not None:
            q.diagnosis = f"ranked {rank}"
            continue
        if q.coverable is False:
            q.diagnosis = "no passage covers the answer"
            continue
        if depth > config.k:
            answers = judge.answers(q.question)
            try:
                deep = pipeline.search(q.question.question, depth, run.mode)
            except RagError as exc:  # a service may cap k below the diagnosis depth
                logger.warning("cannot search %s %d deep for the diagnosis: %s", q.question.id, depth, exc)
                depth = config.k
                q.diagnosis = f"not in the top {config.k}"
                continue
            q.deep_searched = True
            q.deep_rank = next(
                (
                    i
                    for i, r in enumerate(deep, start=1)
                    if best_answer(r.source, r.spans, answers) is not None
                ),
                None,
            )
        if q.deep_rank is not None:
            q.diagnosis = f"near miss: rank {q.deep_rank}"
        elif q.deep_searched:
            q.diagnosis = f"not in the top {depth}"
        else:
            q.diagnosis = f"not in the top {config.k}"


def compare_runs(result: EvalResult, *, max_p: float = 0.05) -> list[Comparison]:
    """Paired tests: each pipeline against the reference pipeline mode by mode, and within the reference
    pipeline hybrid against each single mode. All runs share the answer-level qrels."""
    from ranx import Qrels, Run, compare

    cfg = result.config
    runs = result.runs
    if len(runs) < 2:
        return []
    ref = result.reference
    pairs: list[tuple[str, str]] = []
    for mode in cfg.modes:
        for name in result.pipelines:
            if name != ref:
                pairs.append((f"{ref}/{mode}", f"{name}/{mode}"))
    if "hybrid" in cfg.modes:
        for mode in cfg.modes:
            if mode != "hybrid":
                pairs.append((f"{ref}/hybrid", f"{ref}/{mode}"))
    pairs = [(a, b) for a, b in pairs if a in runs and b in runs]
    if not pairs:
        return []
    keys = list(dict.fromkeys(k for pair in pairs for k in pair))
    qids = [q.id for q in result.questions]
    qrels = Qrels({qid: {ANSWER: 1} for qid in qids})
    ranx_runs = []
    for key in keys:
        answer = runs[key].answer_run()
        ranx_runs.append(Run({qid: answer[qid] for qid in qids}, name=key))
    metrics = [cfg.primary, f"recall@{cfg.k}", f"mrr@{cfg.k}"]
    report = compare(qrels, ranx_runs, metrics=metrics, stat_test="student", max_p=max_p)
    data = report.to_dict()
    out: list[Comparison] = []
    for a, b in pairs:
        for m in metrics:
            p = data[a]["comparisons"][b][m]
            wtl = data[a]["win_tie_loss"][b][m]
            out.append(
                Comparison(
                    a=a,
                    b=b,
                    metric=m,
                    mean_a=float(data[a]["scores"][m]),
                    mean_b=float(data[b]["scores"][m]),
                    p_value=None if p is None or np.isnan(p) else float(p),
                    wins=int(wtl["W"]),
                    ties=int(wtl["T"]),
                    losses=int(wtl["L"]),
                )
            )
    return out


# ------------------------------------------------------------------------------------------------
# The regression gate


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
            key: _rounded({m: v for m, v in run.means.items() if m != "n"})
            for key, run in result.runs.items()
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


# ------------------------------------------------------------------------------------------------
# Command line


def config_from_args(args: Any) -> EvalConfig:
    """An ``EvalConfig`` from the ``rag eval`` arguments (``eval.cli.add_arguments``)."""
    from eval.pipelines import parse_variant, resolve_pipeline
    from rag.config import make_settings

    settings = make_settings(index_dir=Path(args.index)) if args.index else get_settings()
    names = [n.strip() for n in (args.pipelines or "").split(",") if n.strip()]
    if args.api and "api" not in names:
        # the service stands in for the library; list both (--pipelines clause,api) to compare them
        names = ["api" if n == "clause" else n for n in names] or ["api"]
    configs: list[PipelineConfig] = []
    for name in names:
        if name == "api":
            configs.append(PipelineConfig("api", "api", {"url": args.api}, f"the service at {args.api}"))
        else:
            configs.append(resolve_pipeline(name))
    configs += [parse_variant(spec) for spec in args.variant or ()]
    if args.baseline and not any(c.kind == "naive" for c in configs):
        configs.append(PIPELINES["naive"])
    if not args.baseline:
        configs = [c for c in configs if c.kind != "naive" or c.name != "naive"]
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    return EvalConfig(
        gold=tuple(Path(p) for p in args.gold) if args.gold else None,
        split=args.split,
        modes=modes,
        k=args.k,
        pipelines=tuple(configs),
        api_url=args.api,
        settings=settings,
        cache_dir=Path(args.cache) if args.cache else CACHE_DIR,
        show_progress=False if getattr(args, "quiet", False) else None,
    )


def run_from_args(args: Any) -> int:
    """``rag eval``: run, print the table, write the report; exit 0 (targets are reported, not enforced)."""
    from eval.report import terminal_summary, write_report

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
