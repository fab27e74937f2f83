"""Writing a harness result: the terminal table, ``report.md``, ``metrics.json``, per-question records,
TREC runs and qrels, and the Recall@k plot.

Files in the output folder:

- ``report.md``: pipeline x mode table, targets met or missed with the questions that miss them, per
  language (when the questions are in more than one, beside the targets of issue 18), paired
  comparisons, the regression gate, per kind, per document, latency, the plot, and every failing
  question with what came first instead.
- ``metrics.json``: the same figures for programs; ``per_question.jsonl``: one record per question,
  pipeline and mode (rank of the first hit, purity, top k with citations, diagnosis).
- ``trec/qrels.txt`` with ``trec/<pipeline>.<mode>.answer.run``: the answer-level qrels and runs the
  metrics are computed on (any TREC tool reproduces the figures from them);
  ``trec/<pipeline>.qrels.txt`` with ``trec/<pipeline>.<mode>.run``: the same runs with real passage
  ids and the passage-level qrels (every passage covering an answer), for inspection and other tools.
- ``recall_at_k.png``: Recall@k for k = 1..k per pipeline and mode.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.gate import gate_failures, gate_summary, run_means
from eval.gold_data import ENGLISH
from eval.metrics import ANSWER, passage_run
from eval.targets import language_row_targets

if TYPE_CHECKING:
    from eval.results import EvalResult, QuestionResult, RunResult

logger = logging.getLogger(__name__)

REPORT_FILE = "report.md"
METRICS_FILE = "metrics.json"
PER_QUESTION_FILE = "per_question.jsonl"
PLOT_FILE = "recall_at_k.png"
TREC_DIR = "trec"

RELATIONS = (
    "parent of the answer",
    "child of the answer",
    "sibling item",
    "same instrument",
    "same document",
    "other document",
)
_LABELS = {"purity": "purity", "p50": "p50 ms", "p95": "p95 ms"}


def _label(metric: str) -> str:
    if metric in _LABELS:
        return _LABELS[metric]
    name, _, cut = metric.partition("@")
    return {"recall": "R", "mrr": "MRR", "ndcg": "nDCG"}.get(name, name) + "@" + cut


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """A Markdown table (``align``: one of l/r per column; numbers right by default)."""
    align = align or "l" + "r" * (len(headers) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |")
    return "\n".join(lines)


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned table for the terminal."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    out = []
    for n, row in enumerate(cells):
        out.append(
            "  ".join(
                c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)
            ).rstrip()
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


# ------------------------------------------------------------------------------------------------
# Tables


def summary_rows(result: EvalResult) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the pipeline x mode table: every metric, purity, latency."""
    metrics = list(result.config.metrics)
    headers = ["run", *(_label(m) for m in metrics), "purity", "p50 ms", "p95 ms"]
    rows = []
    for key, run in result.runs.items():
        rows.append(
            [
                key,
                *(_fmt(run.means[m]) for m in metrics),
                _fmt(run.means["purity"], 2),
                _fmt(run.latency["p50"], 1),
                _fmt(run.latency["p95"], 1),
            ]
        )
    return headers, rows


def _breakdown(result: EvalResult, attr: str, metric: str) -> tuple[list[str], list[list[str]]]:
    """Rows: kinds (or documents); columns: runs; cells: ``metric``."""
    runs = list(result.runs.values())
    groups = list(dict.fromkeys(g for run in runs for g in getattr(run, attr)))
    headers = [attr.removeprefix("by_"), "n", *(run.key for run in runs)]
    rows = []
    for g in groups:
        first = getattr(runs[0], attr).get(g, {})
        n = int(first.get("n") or 0)
        rows.append([g, n, *(_fmt(getattr(run, attr).get(g, {}).get(metric)) for run in runs)])
    return headers, rows


def _full_breakdown(result: EvalResult, attr: str) -> tuple[list[str], list[list[str]]]:
    metrics = list(result.config.metrics)
    headers = [attr.removeprefix("by_"), "run", "n", *(_label(m) for m in metrics), "purity"]
    rows = []
    runs = list(result.runs.values())
    groups = list(dict.fromkeys(g for run in runs for g in getattr(run, attr)))
    for g in groups:
        for run in runs:
            m = getattr(run, attr).get(g)
            if m:
                rows.append(
                    [g, run.key, int(m["n"] or 0), *(_fmt(m[x]) for x in metrics), _fmt(m["purity"], 2)]
                )
    return headers, rows


# How a per-language row's target status is written: in report.md and on the terminal
_STATUS_MD = {True: "met", False: "**missed**", None: "n/a"}
_STATUS_TEXT = {True: "met", False: "MISSED", None: "n/a"}


def language_rows(
    result: EvalResult, *, mode: str | None = None, status: Mapping[bool | None, str] = _STATUS_MD
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-language table: each run (of ``mode``, or all) by language and for all
    its questions, every metric, and the issue 18 targets the row answers to (``eval.targets``) in the
    targets' mode. Runs whose questions are in one language have no rows."""
    metrics = list(result.config.metrics)
    headers = ["run", "language", "n", *(_label(m) for m in metrics), "targets (issue 18)"]
    # with English questions among them, "all" is not the questions in other languages the targets mean
    overall = not any(q.language == ENGLISH for q in result.questions)
    rows = []
    for run in result.runs.values():
        if not run.by_lang or mode not in (None, run.mode):
            continue
        for lang, means in [*run.by_lang.items(), ("all", run.means)]:
            if lang == "all" and not overall:
                marks = []
            else:
                marks = language_row_targets(None if lang == "all" else lang, means)
            shown = [
                f"{_label(t.metric)} >= {t.threshold:.2f} {status[met]}"
                for t, met in marks
                if t.mode == run.mode
            ]
            rows.append(
                [
                    run.key,
                    lang,
                    str(int(means["n"] or 0)),
                    *(_fmt(means[m]) for m in metrics),
                    "; ".join(shown) or "-",
                ]
            )
    return headers, rows


def relation(first: Any, q: QuestionResult) -> str:
    """How the passage that came first relates to the answer's place (nearest relation first).

    Parent, child and sibling come from the ids' structural paths (``.../annex-1/11`` is the parent of
    ``.../annex-1/11/indent-2``): a parent first means a block lead-in beat its item.
    """
    if first is None:
        return "nothing returned"
    gold = [pid for pid in q.relevant if pid != first.id]
    if any(pid.startswith(first.id + "/") for pid in gold):
        return "parent of the answer"
    if any(first.id.startswith(pid + "/") for pid in gold):
        return "child of the answer"
    if any(pid.rsplit("/", 1)[0] == first.id.rsplit("/", 1)[0] for pid in gold) and first.instrument:
        return "sibling item"
    if first.instrument and first.instrument in q.gold_instruments and first.doc == q.doc:
        return "same instrument"
    if first.doc == q.doc:
        return "same document"
    return "other document"


def diagnosis_class(q: QuestionResult) -> str:
    d = q.diagnosis
    if d.startswith("near miss"):
        return "near miss (found below the cut-off)"
    if d.startswith("not in the top"):
        return "not retrieved (first stage)"
    if d.startswith("no passage"):
        return "no passage covers the answer"
    return d or "answered first"


# ------------------------------------------------------------------------------------------------
# Terminal


def terminal_summary(result: EvalResult, *, gate: Mapping[str, Any] | None = None) -> str:
    """The figures to read on the terminal: the main table, targets, gate, per kind (hybrid)."""
    cfg = result.config
    lines = [
        f"rag eval: {len(result.questions)} {cfg.split} questions, k={cfg.k}, "
        f"primary metric {cfg.primary}; a hit covers >= half of a gold quote",
        "",
        _text_table(*summary_rows(result)),
    ]
    for name, qids in result.uncoverable.items():
        if qids:
            lines.append(f"{name}: no passage covers the answer of {len(qids)} question(s): {' '.join(qids)}")
    ref_mode = "hybrid" if "hybrid" in cfg.modes else cfg.modes[-1]
    if result.targets:
        lines += ["", "targets:"]
        for t in result.targets:
            mark = {True: "met   ", False: "MISSED", None: "n/a   "}[t.met]
            lines.append(f"  {mark} issue {t.issue}: {t.name}: {t.value}")
    if gate is not None and cfg.split == "test":
        for metric, now, then in gate_summary(run_means(result), gate):
            lines.append(
                f"  gate: {gate['gate']['run']} {metric} {now:.4f} vs baseline {then:.4f} "
                f"({now - then:+.4f}; fails below -{gate['gate']['tolerance']})"
            )
    headers, rows = language_rows(result, mode=ref_mode, status=_STATUS_TEXT)
    if rows:
        lines += ["", f"per language ({ref_mode}):", _text_table(headers, rows)]
    headers, rows = _breakdown(result, "by_kind", f"recall@{cfg.k}")
    keep = [0, 1] + [i for i, h in enumerate(headers) if h.endswith("/" + ref_mode)]
    lines += [
        "",
        f"recall@{cfg.k} per question kind ({ref_mode}):",
        _text_table([headers[i] for i in keep], [[r[i] for i in keep] for r in rows]),
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# report.md


def render_markdown(result: EvalResult, *, gate: Mapping[str, Any] | None = None) -> str:
    """``report.md``: its sections in order."""
    out = [
        *_intro(result),
        *_pipelines(result),
        *_results_and_targets(result),
        *_languages(result),
        *_comparisons(result),
        *_gate(result, gate),
        *_breakdowns(result),
        *_latency(result),
        *_failures(result),
    ]
    return "\n".join(out).rstrip() + "\n"


def _intro(result: EvalResult) -> list[str]:
    """The title line and the hit rule."""
    cfg = result.config
    k = result.config.k
    out: list[str] = []
    add = out.append
    add(f"# Retrieval evaluation: {cfg.name}\n")
    add(
        f"{result.started_at} · {len(result.questions)} questions of the **{cfg.split}** split · "
        f"k = {k} · modes {', '.join(cfg.modes)} · {result.seconds:.1f} s\n"
    )
    add(
        "A **hit** is a returned passage whose span(s) cover at least half of a gold quote's span in the "
        "same source file (the main quote or any `also` quote). Metrics are computed by ranx on answer-level "
        f"qrels: **recall@n** is the share of questions answered in the top n, **MRR@{k}** and "
        f"**nDCG@{k}** use the rank of the first hit (nDCG@{k} = 1/log2(1 + rank)). "
        f"Primary metric: **{cfg.primary}**. **Citation purity** is, for each question's first hit, the "
        "share of the hit passage's length that is the gold item (the source line holding the quote, "
        "trimmed), averaged over questions with a hit. A question no passage covers counts as a miss.\n"
    )
    return out


def _pipelines(result: EvalResult) -> list[str]:
    """The pipelines scored, and the reference pipeline's index."""
    ref = result.reference
    out: list[str] = []
    add = out.append
    add("## Pipelines\n")
    rows = []
    for name, info in result.pipelines.items():
        size = info.get("passages")
        rows.append([name, info.get("kind", ""), "-" if size is None else size, info.get("description", "")])
    add(_table(["pipeline", "kind", "passages", "what"], rows, "llrl") + "\n")
    ref_info = result.pipelines.get(ref, {})
    if ref_info.get("index"):
        add(
            f"Index of `{ref}`: `{ref_info['index']}`, built {ref_info.get('built_at')}, "
            f"fusion {json.dumps(ref_info.get('fusion'))}.\n"
        )
    return out


def _results_and_targets(result: EvalResult) -> list[str]:
    """The summary table, the recall plot and the issues' targets."""
    ref = result.reference
    out: list[str] = []
    add = out.append
    add("## Results\n")
    add(_table(*summary_rows(result)) + "\n")
    add(f"![Recall@k per pipeline and mode]({PLOT_FILE})\n")

    add("## Targets\n")
    rows = [
        [t.issue, t.name, t.value, {True: "met", False: "**missed**", None: "n/a"}[t.met]]
        for t in result.targets
    ]
    add(_table(["issue", f"target ({ref})", "value", "status"], rows, "rllr") + "\n")
    for t in result.targets:
        if t.met is False and t.list_failures and t.failing:
            add(f"**Missed: {t.name}** ({len(t.failing)} questions): " + _qid_list(t.failing) + "\n")
    return out


def _languages(result: EvalResult) -> list[str]:
    """Per language of the questions, when they are in more than one."""
    headers, rows = language_rows(result)
    if not rows:
        return []
    return [
        "## Per language\n",
        "The questions by the language they are written in (`lang` in the gold file, English without "
        "it); *all* is every question of the run. The targets of issue 18 (`eval/targets.py`) hold each "
        "language to its floor and all the questions in other languages to the overall figures, in "
        "their mode; the Targets section above checks them on the reference pipeline.\n",
        _table(headers, rows, "llr" + "r" * len(result.config.metrics) + "l") + "\n",
    ]


def _comparisons(result: EvalResult) -> list[str]:
    """The paired tests, if any."""
    out: list[str] = []
    add = out.append
    if result.comparisons:
        add("## Paired comparisons\n")
        add(
            "ranx `compare`, paired Student's t-test over the same questions; W/T/L counts questions where "
            "the first run scores higher / the same / lower. p < 0.05 is marked significant.\n"
        )
        rows = []
        for c in result.comparisons:
            sig = "yes" if c.significant() else "no"
            rows.append(
                [
                    f"{c.a} vs {c.b}",
                    _label(c.metric),
                    _fmt(c.mean_a),
                    _fmt(c.mean_b),
                    f"{c.delta:+.3f}",
                    "-" if c.p_value is None else f"{c.p_value:.3g}",
                    sig,
                    f"{c.wins}/{c.ties}/{c.losses}",
                ]
            )
        add(_table(["runs", "metric", "first", "second", "Δ", "p", "sig.", "W/T/L"], rows, "llrrrrlr") + "\n")
    return out


def _gate(result: EvalResult, gate: Mapping[str, Any] | None) -> list[str]:
    """The regression gate, on the test split."""
    cfg = result.config
    out: list[str] = []
    add = out.append
    if gate is not None and cfg.split == "test":
        summary = gate_summary(run_means(result), gate)
        if summary:
            add("## Regression gate\n")
            add(
                f"`eval/baseline.json` ({gate.get('date')}): the test suite fails when {gate['gate']['run']} "
                f"drops more than {gate['gate']['tolerance']} below it.\n"
            )
            rows = [
                [_label(m), f"{now:.4f}", f"{then:.4f}", f"{now - then:+.4f}"] for m, now, then in summary
            ]
            add(_table(["metric", "now", "baseline", "Δ"], rows) + "\n")
            for problem in gate_failures(run_means(result), gate):
                add(f"- **regression**: {problem}")
            add("")
    return out


def _breakdowns(result: EvalResult) -> list[str]:
    """Per question kind and per document."""
    cfg = result.config
    k = result.config.k
    out: list[str] = []
    add = out.append
    add("## Per question kind\n")
    add(f"{cfg.primary}:\n")
    add(_table(*_breakdown(result, "by_kind", cfg.primary)) + "\n")
    add(f"recall@{k}:\n")
    add(_table(*_breakdown(result, "by_kind", f"recall@{k}")) + "\n")
    add("<details><summary>every metric per kind</summary>\n")
    add(_table(*_full_breakdown(result, "by_kind"), "llr" + "r" * (len(cfg.metrics) + 1)) + "\n")
    add("</details>\n")

    add("## Per document\n")
    add("By the document of the main answer.\n")
    add(f"{cfg.primary}:\n")
    add(_table(*_breakdown(result, "by_doc", cfg.primary)) + "\n")
    add(f"recall@{k}:\n")
    add(_table(*_breakdown(result, "by_doc", f"recall@{k}")) + "\n")
    add("<details><summary>every metric per document</summary>\n")
    add(_table(*_full_breakdown(result, "by_doc"), "llr" + "r" * (len(cfg.metrics) + 1)) + "\n")
    add("</details>\n")
    return out


def _latency(result: EvalResult) -> list[str]:
    """Latency per run, the load it was measured under, and what no passage covers."""
    out: list[str] = []
    add = out.append
    add("## Latency\n")
    add(
        "Wall time of one search call per question (library: `Searcher.search`; API: the HTTP round trip), "
        f"measured with a 1-minute load average of {result.load[0]:.1f} at the start and "
        f"{result.load[1]:.1f} at the end on {result.cpus} CPUs (the machine is shared: compare runs of "
        "one report, not figures across reports).\n"
    )
    rows = [
        [run.key, _fmt(run.latency["p50"], 2), _fmt(run.latency["p95"], 2), _fmt(run.latency["mean"], 2)]
        for run in result.runs.values()
    ]
    add(_table(["run", "p50 ms", "p95 ms", "mean ms"], rows) + "\n")

    for name, qids in result.uncoverable.items():
        if qids:
            add(f"**{name}: no passage covers the answer** of {len(qids)} question(s): {', '.join(qids)}\n")
    return out


def _failures(result: EvalResult) -> list[str]:
    """The failing questions of the reference mode."""
    cfg = result.config
    k = result.config.k
    out: list[str] = []
    add = out.append
    add("## Failures\n")
    add(_failure_overview(result))
    for run in result.runs.values():
        if run.mode == ("hybrid" if "hybrid" in cfg.modes else cfg.modes[-1]):
            add(_failure_section(run, k))
    return out


def _qid_list(items: Sequence[tuple[str, str]], limit: int = 60) -> str:
    shown = [f"{qid}" + (f" ({why})" if why else "") for qid, why in items[:limit]]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f", ... and {more} more" if more > 0 else "")


def _failure_overview(result: EvalResult) -> str:
    """Counts: misses per run by cause, and what came first instead."""
    rows = []
    for run in result.runs.values():
        misses = run.failures()
        causes = Counter(diagnosis_class(q) for q in misses)
        not_first = [q for q in run.questions if q.rank not in (None, 1)]
        firsts = Counter(relation(q.top[0] if q.top else None, q) for q in misses + not_first)
        rows.append(
            [
                run.key,
                len(misses),
                causes.get("near miss (found below the cut-off)", 0),
                causes.get("not retrieved (first stage)", 0),
                causes.get("no passage covers the answer", 0),
                len(not_first),
                *(firsts.get(name, 0) for name in RELATIONS),
            ]
        )
    headers = ["run", "missed", "near miss", "not retrieved", "uncoverable", "hit, not first"]
    headers += [f"1st: {name}" for name in RELATIONS]
    note = (
        f"Missed = no hit in the top {result.config.k}; a miss is searched again "
        f"{result.config.diagnose_depth} deep: *near miss* = the answer is there (a second stage could lift "
        "it), *not retrieved* = it is not. "
        "The columns 1st: ... say where the passage ranked first instead came from, for every question "
        "not answered first (parent: a block lead-in or heading above the answer).\n"
    )
    return note + "\n" + _table(headers, rows) + "\n"


def _failure_section(run: RunResult, k: int) -> str:
    misses = run.failures()
    not_first = [q for q in run.questions if q.rank not in (None, 1)]
    out = [f"### {run.key}: {len(misses)} missed, {len(not_first)} answered below rank 1\n"]
    if misses:
        rows = []
        for q in sorted(misses, key=lambda q: (q.question.kind.value, q.question.id)):
            first = q.top[0] if q.top else None
            rows.append(
                [
                    q.question.id,
                    q.question.kind.value,
                    _short(q.question.question, 90),
                    _short(q.question.citation, 80),
                    q.diagnosis,
                    "-" if first is None else f"{_short(first.citation, 80)} `{first.id}`",
                    relation(first, q),
                ]
            )
        out.append(
            _table(
                ["qid", "kind", "question", "gold citation", "diagnosis", "first instead", "first is"],
                rows,
                "lllllll",
            )
            + "\n"
        )
    if not_first:
        rows = []
        for q in sorted(not_first, key=lambda q: (q.question.kind.value, q.question.id)):
            first = q.top[0]
            hit = q.first_hit
            rows.append(
                [
                    q.question.id,
                    q.question.kind.value,
                    q.rank,
                    f"{_short(first.citation, 70)} `{first.id}`",
                    relation(first, q),
                    "-" if hit is None else f"`{hit.id}`",
                ]
            )
        out.append("<details><summary>answered, but not first</summary>\n")
        out.append(_table(["qid", "kind", "rank", "first instead", "first is", "hit"], rows, "llrlll") + "\n")
        out.append("</details>\n")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------
# Files


def _write_qrels(path: Path, qrels: Mapping[str, Mapping[str, int]]) -> Path:
    """TREC qrels: ``qid 0 docid relevance`` (written directly: building ranx objects costs seconds)."""
    with path.open("w", encoding="utf-8") as fh:
        for qid, docs in qrels.items():
            for doc, rel in docs.items():
                fh.write(f"{qid} 0 {doc} {rel}\n")
    return path


def _write_run(path: Path, run: Mapping[str, Mapping[str, float]], tag: str) -> Path:
    """TREC run: ``qid Q0 docid rank score tag``, best first (rank-derived scores, strictly falling)."""
    with path.open("w", encoding="utf-8") as fh:
        for qid, docs in run.items():
            ranked = sorted(docs.items(), key=lambda item: -item[1])
            for rank, (doc, score) in enumerate(ranked, start=1):
                fh.write(f"{qid} Q0 {doc} {rank} {score:g} {tag}\n")
    return path


def write_trec(result: EvalResult, folder: Path) -> list[Path]:
    """TREC qrels and runs, answer-level (the metrics' input) and passage-level (real ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    qids = [q.id for q in result.questions]
    written = [_write_qrels(folder / "qrels.txt", {qid: {ANSWER: 1} for qid in qids})]
    for name in result.pipelines:
        runs = [run for run in result.runs.values() if run.pipeline == name]
        relevant: dict[str, dict[str, int]] = {}
        for run in runs:
            for q in run.questions:
                relevant.setdefault(q.question.id, {}).update(dict.fromkeys(sorted(q.relevant), 1))
        written.append(_write_qrels(folder / f"{name}.qrels.txt", relevant))
        for run in runs:
            tag = f"{name}.{run.mode}"
            passages = {q.question.id: passage_run([r.id for r in q.top]) for q in run.questions}
            written.append(_write_run(folder / f"{tag}.answer.run", run.answer_run(), tag))
            written.append(_write_run(folder / f"{tag}.run", passages, tag))
    return written


def write_plot(result: EvalResult, path: Path) -> Path:
    """Recall@k for k = 1..k, one line per run: colour by pipeline, line style by mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {"bm25": ":", "dense": "--", "hybrid": "-"}
    colors = {name: f"C{i}" for i, name in enumerate(result.pipelines)}
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    xs = list(range(1, result.config.k + 1))
    for run in result.runs.values():
        ax.plot(
            xs,
            run.recall_curve,
            linestyle=styles.get(run.mode, "-"),
            color=colors.get(run.pipeline, "k"),
            marker="o" if run.mode == "hybrid" else None,
            markersize=3,
            label=run.key,
        )
    ax.set_xlabel("k")
    ax.set_ylabel("Recall@k (questions answered in the top k)")
    ax.set_xticks(xs)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.set_title(f"Recall@k, {result.config.split} split, {len(result.questions)} questions")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def write_report(result: EvalResult, out: Path, *, gate: Mapping[str, Any] | None = None) -> Path:
    """Write every output file into ``out`` (created); returns the path of ``report.md``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / METRICS_FILE).write_text(json.dumps(result.metrics_dict(), indent=2) + "\n", encoding="utf-8")
    with (out / PER_QUESTION_FILE).open("w", encoding="utf-8") as fh:
        for run in result.runs.values():
            for q in run.questions:
                fh.write(json.dumps(q.to_dict(), ensure_ascii=False) + "\n")
    write_trec(result, out / TREC_DIR)
    write_plot(result, out / PLOT_FILE)
    path = out / REPORT_FILE
    path.write_text(render_markdown(result, gate=gate), encoding="utf-8")
    logger.info("wrote %s", out)
    return path
