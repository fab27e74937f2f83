"""Running: every pipeline of an ``EvalConfig`` in every mode over the selected gold questions, each
question searched once (timed) and judged, the run scored by ranx, misses diagnosed, runs compared
(paired t-test) and the issues' targets checked.

Example:
    >>> from eval.config import EvalConfig
    >>> from eval.runner import run_eval
    >>> result = run_eval(EvalConfig(split="test", modes=("hybrid",)))      # doctest: +SKIP
    >>> result.run("clause", "hybrid").means["ndcg@10"]                       # doctest: +SKIP
    0.83
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np

from eval.config import EvalConfig
from eval.gold_data import GoldQuestion, load_gold, split_gold_paths
from eval.judge import Judge, load_texts, select_questions
from eval.metrics import ANSWER, best_answer, evaluate_runs, mean, percentile
from eval.pipelines import PIPELINES, Pipeline, PipelineConfig, Resources, open_pipeline
from eval.results import Comparison, EvalResult, QuestionResult, RunResult
from eval.targets import check_targets
from rag.config import get_settings
from rag.errors import ConfigError, RagError

logger = logging.getLogger(__name__)


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
    gold = config.gold or tuple(split_gold_paths(config.split))
    if config.split == "added":
        # documents added with `rag add`: the seeds plus the development set, in a corpus of their own
        from eval.added import ADDED_GOLD, added_settings

        settings = added_settings(settings, config.cache_dir, show_progress=config.show_progress)
        gold = config.gold or (ADDED_GOLD,)
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
    """Per-question ranx scores, means, per-kind, per-document and per-language means, latency, recall
    curve."""
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
    run.by_lang = by_language(run.questions, metrics)
    latencies = [q.latency_ms for q in run.questions]
    run.latency = {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "mean": mean(latencies),
    }
    curve = evaluate_runs(run.answer_run(), [f"recall@{n}" for n in range(1, config.k + 1)])
    run.recall_curve = [mean(curve[f"recall@{n}"].values()) or 0.0 for n in range(1, config.k + 1)]


def by_language(
    questions: Sequence[QuestionResult], metrics: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """Means per language of the questions, in the order the languages first come; nothing when the
    questions are all in one language (their means are the run's)."""
    languages = list(dict.fromkeys(q.question.language for q in questions))
    if len(languages) < 2:
        return {}
    return {
        lang: _means([q for q in questions if q.question.language == lang], metrics) for lang in languages
    }


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
