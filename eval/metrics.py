"""Scoring primitives of the harness: the hit rule, citation purity, qrels and runs for ranx.

The gold answers are quotes of the sources, not passage ids (``eval/gold/README.md``), so every rule
here works on character spans of a source file:

- **Hit**: a returned passage is a hit for an answer when its span(s) cover at least half of the
  answer's quote span in the same source file. A passage split in the file (``fragments``) counts
  each of its pieces. A question is answered by a hit on its main quote or on any ``also`` quote.
- **Citation purity** of a hit: the share of the hit passage's length that is the gold item. The gold
  item is defined without our parser: the source line holding the quote, trimmed of surrounding
  whitespace (items in these documents are mostly one line).
  ``purity = |line ∩ passage spans| / |passage spans|``; a clause item returned alone scores 1, a
  1000-character chunk around a 200-character item scores about 0.2.
- **Qrels and runs**: passage-level qrels ``{qid: {passage_id: 1}}`` hold every passage of a
  pipeline's collection that covers an answer (built at scoring time, so re-segmenting never
  invalidates the gold). The metrics are computed on *answer-level* qrels, one relevant item per
  question (``ANSWER``) that a run's first covering passage stands for: a question is answered once,
  whichever answer and however many overlapping chunks cover it. Without this, ranx's passage-level
  recall would count each of two overlapping 1000/200 chunks that both hold a quote as a separate
  target (recall@1 at most 0.5) and nDCG would punish returning one of them; with it, recall@k is the
  share of questions answered in the top k, MRR is the mean reciprocal rank of the first hit and
  nDCG@10 is the mean of 1/log2(1 + rank of the first hit), the same for every pipeline, so runs of
  different pipelines share one ``Qrels`` and can be compared with a paired test (``ranx.compare``).
  A question no passage covers stays in the qrels and scores 0: it is a miss, never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Span = tuple[int, int]

# The one relevant item of a question in the answer-level qrels.
ANSWER = "ANSWER"
# ranx metric names; recall@k on answer-level qrels is the share of questions answered in the top k.
METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")
# The metric the gate, the targets and "which pipeline is better" talk about first (a sentence-
# transformers evaluator's ``primary_metric``): it rewards the answer at rank 1 and still credits it
# lower in the top 10.
PRIMARY_METRIC = "ndcg@10"


def metric_names(k: int = 10) -> tuple[str, ...]:
    """The reported metrics for a cut-off ``k``: recall@1, @5 and @k, MRR@k, nDCG@k (``METRICS`` for 10)."""
    cuts = [n for n in (1, 5) if n < k] + [k]
    return (*(f"recall@{n}" for n in cuts), f"mrr@{k}", f"ndcg@{k}")


def primary_metric(k: int = 10) -> str:
    """``PRIMARY_METRIC`` at cut-off ``k``."""
    return f"ndcg@{k}"


@dataclass(frozen=True, slots=True)
class AnswerSpan:
    """One acceptable answer as the scorer needs it: the source file and the quote's span there."""

    source: str
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


def overlap(spans: Iterable[Span], start: int, end: int) -> int:
    """Characters of ``[start, end)`` that the (disjoint) ``spans`` cover.

    Example:
        >>> overlap([(0, 10), (20, 30)], 5, 25)   # 5 from the first piece + 5 from the second
        10
    """
    return sum(max(0, min(end, b) - max(start, a)) for a, b in spans)


def covers(source: str, spans: Sequence[Span], answer: AnswerSpan) -> bool:
    """Whether a passage at ``spans`` of ``source`` covers at least half of the answer's span."""
    if source != answer.source or answer.length <= 0:
        return False
    return 2 * overlap(spans, answer.start, answer.end) >= answer.length


def best_answer(source: str, spans: Sequence[Span], answers: Sequence[AnswerSpan]) -> int | None:
    """Index of the answer the passage covers most (among those it covers at least half of), or None."""
    best: int | None = None
    best_share = -1.0
    for i, answer in enumerate(answers):
        if covers(source, spans, answer):
            share = overlap(spans, answer.start, answer.end) / answer.length
            if share > best_share:
                best, best_share = i, share
    return best


def gold_line(text: str, start: int, end: int) -> Span:
    """The gold item of a quote at ``[start, end)``: its source line, trimmed of surrounding whitespace.

    Example:
        >>> gold_line("a\\n\\t4\\tto continue  \\nb", 5, 16)
        (3, 16)
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end < 0:
        line_end = len(text)
    while line_start < line_end and text[line_start].isspace():
        line_start += 1
    while line_end > line_start and text[line_end - 1].isspace():
        line_end -= 1
    return line_start, line_end


def purity(spans: Sequence[Span], line: Span) -> float:
    """The gold line's share of a passage's length: ``|line ∩ spans| / |spans|``.

    Example:
        >>> purity([(0, 100)], (0, 25))   # a 100-character passage holding a 25-character item
        0.25
    """
    length = sum(b - a for a, b in spans)
    if length <= 0:
        return 0.0
    return overlap(spans, *line) / length


def answer_run(ranked_ids: Sequence[str], relevant: Iterable[str]) -> dict[str, float]:
    """A ranked list as an answer-level ranx run: the first relevant passage becomes ``ANSWER``.

    Scores come from ranks (``n - rank + 1``), not from the pipeline, because a pipeline may put a
    passage first with a lower score (a pinned reference); later relevant passages are dropped, as
    the question is already answered. A passage listed twice keeps its first rank.

    Example:
        >>> answer_run(["a", "b", "c", "d"], {"b", "d"})
        {'a': 4.0, 'ANSWER': 3.0, 'c': 2.0}
    """
    relevant = set(relevant)
    n = len(ranked_ids)
    run: dict[str, float] = {}
    answered = False
    for rank, pid in enumerate(ranked_ids, start=1):
        if pid in relevant:
            if answered:
                continue
            answered = True
            pid = ANSWER
        if pid not in run:
            run[pid] = float(n - rank + 1)
    return run


def passage_run(ranked_ids: Sequence[str]) -> dict[str, float]:
    """A ranked list as a passage-level run with rank-derived scores (for the TREC run files)."""
    n = len(ranked_ids)
    run: dict[str, float] = {}
    for rank, pid in enumerate(ranked_ids, start=1):
        run.setdefault(pid, float(n - rank + 1))
    return run


def evaluate_runs(
    runs: Mapping[str, Mapping[str, float]], metrics: Sequence[str] = METRICS
) -> dict[str, dict[str, float]]:
    """Per-question scores of an answer-level run: ``{metric: {qid: score}}``, every question present.

    Every question of ``runs`` gets the one relevant item ``ANSWER``, so a question whose run holds
    no hit (or nothing at all) scores 0 rather than being dropped.
    """
    from ranx import Qrels, Run, evaluate

    qids = list(runs)
    if not qids:
        return {m: {} for m in metrics}
    qrels = Qrels({qid: {ANSWER: 1} for qid in qids})
    run = Run({qid: dict(runs[qid]) for qid in qids})
    evaluate(qrels, run, list(metrics), return_mean=False, save_results_in_run=True)
    return {m: {qid: float(run.scores[m][qid]) for qid in qids} for m in metrics}


def mean(values: Iterable[float]) -> float | None:
    """The mean, or None for no values (a table shows it as a dash, not as 0)."""
    values = list(values)
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation, numpy's default), or None for no values."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def first_hit_rank_metrics(rank: int | None, k: int = 10) -> dict[str, float]:
    """The metrics of one question from the rank of its first hit, by hand (a check on ranx).

    Example:
        >>> first_hit_rank_metrics(3)["ndcg@10"] == 1 / math.log2(3 + 1)
        True
    """
    out: dict[str, float] = {}
    for name in metric_names(k):
        metric, cut = name.split("@")
        hit = rank is not None and rank <= int(cut)
        if metric == "recall":
            out[name] = float(hit)
        elif metric == "mrr":
            out[name] = 1 / rank if hit and rank else 0.0
        else:
            out[name] = 1 / math.log2(rank + 1) if hit and rank else 0.0
    return out
