"""``rag train-reranker``: train the second-stage LightGBM ranker on the dev split, write it to rag/models.

Training data: for every dev question, the first stage's best ``rerank_depth`` passages (exactly what
``Searcher.search`` hands the reranker: ``Searcher.first_stage`` then ``Searcher.rerank_features``),
labelled 1 where a passage covers the gold answer (the harness's span rule, ``eval.judge.Judge``).
Draft clauses are in: their candidates are the precedent search's (``rag.rank.drafts``), and one model
orders drafts and questions alike. Questions whose answer is not among the candidates teach nothing
and are left out of training, but count (as misses) in the cross-validation scores.

The questions of ``eval/gold/train.jsonl`` (written only as training data, never held out) join every
training fold. Hyperparameters are chosen by grouped k-fold cross-validation over dev questions (nDCG@10
of the first hit, as the harness scores it, on the held-out dev questions only); the chosen setting is
then trained on all dev and train questions. The test split is never used. The model is written in
LightGBM's text format with a JSON sidecar holding the feature names, parameters and the
cross-validated figures (first stage alone against reranked), so the choice
can be checked without running anything.

Example:
    .venv/bin/rag train-reranker                # writes rag/models/reranker.txt and reranker.json
    .venv/bin/rag train-reranker --quick --out /tmp/r.txt
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.config import Settings, get_settings
from rag.rank.features import FEATURES
from rag.rank.rerank import META_FILE, MODEL_FILE

if TYPE_CHECKING:
    from eval.gold_data import GoldQuestion

logger = logging.getLogger(__name__)

DESCRIPTION = (
    "Train the second-stage reranker (LightGBM LambdaRank over the first stage's best passages) on the "
    "dev split of the gold questions and the training questions of eval/gold/train.jsonl: hyperparameters "
    "by cross-validation over dev questions, then one model on all of them, written in LightGBM's text "
    "format with a JSON sidecar of its figures. The test split is never used."
)

SEED = 13
GRID: Mapping[str, Sequence[Any]] = {
    "num_leaves": (3, 7, 15),
    "min_data_in_leaf": (10, 40),
    "n_estimators": (150, 300, 500, 800),
    "learning_rate": (0.05,),
}
# Folds are drawn this many times with different seeds: with ~190 questions one split's figure moves
# by about 0.02 nDCG from the split alone, more than most differences between settings.
REPEATS = 3
QUICK_GRID: Mapping[str, Sequence[Any]] = {
    "num_leaves": (3,),
    "min_data_in_leaf": (10,),
    "n_estimators": (20,),
    "learning_rate": (0.1,),
}


@dataclass
class Example:
    """One question's candidates: features, labels, and the first stage's order."""

    qid: str
    kind: str
    ids: list[str]
    features: np.ndarray
    labels: np.ndarray


def collect(settings: Settings, questions: Sequence[GoldQuestion], *, searcher: Any = None) -> list[Example]:
    """Candidates and features of every question (first stage only: the reranker switched off)."""
    from eval.judge import Judge, load_texts
    from eval.settings import settings_with
    from rag.rank.search import Searcher

    if searcher is None:
        searcher = Searcher.load(settings_with(settings, {"rerank": False}))
    texts, _ = load_texts(settings)
    judge = Judge(texts, searcher.passages)
    examples: list[Example] = []
    for q in questions:
        relevant = {p.id for p in judge.covering(judge.answers(q))}
        query, candidates = searcher.first_stage(q.question, k=10, mode="hybrid")
        hits, matrix = searcher.rerank_features(query, candidates)
        ids = [h.passage_id for h in hits]
        labels = np.array([1.0 if pid in relevant else 0.0 for pid in ids])
        examples.append(Example(q.id, q.kind.value, ids, matrix, labels))
    return examples


METRICS = ("ndcg@10", "mrr@10", "recall@1", "recall@10")


def first_hit_scores(order_labels: np.ndarray, k: int = 10) -> tuple[float, float, float, float]:
    """nDCG@k, MRR@k, recall@1 and recall@k of the first relevant item (answer-level, as the harness)."""
    hits = np.flatnonzero(order_labels[:k] > 0)
    if not len(hits):
        return 0.0, 0.0, 0.0, 0.0
    rank = int(hits[0]) + 1
    return 1.0 / math.log2(1 + rank), 1.0 / rank, 1.0 if rank == 1 else 0.0, 1.0


def _per_question(examples: Sequence[Example], predictions: Sequence[np.ndarray] | None) -> np.ndarray:
    """``METRICS`` of each question (rows) in the first stage's order or the predictions' order."""
    values = []
    for i, ex in enumerate(examples):
        if predictions is None:
            order = np.arange(len(ex.labels))
        else:
            order = np.lexsort((np.arange(len(ex.labels)), -predictions[i]))
        values.append(first_hit_scores(ex.labels[order]))
    return np.array(values) if values else np.zeros((0, len(METRICS)))


def _means(values: np.ndarray) -> dict[str, float]:
    return {m: float(values[:, i].mean()) if len(values) else 0.0 for i, m in enumerate(METRICS)}


def _scores(examples: Sequence[Example], predictions: Sequence[np.ndarray] | None) -> dict[str, float]:
    return _means(_per_question(examples, predictions))


def by_kind(examples: Sequence[Example], values: np.ndarray) -> dict[str, dict[str, float]]:
    """nDCG@10 and recall@10 per question kind, rounded (for the JSON sidecar)."""
    out: dict[str, dict[str, float]] = {}
    for kind in sorted({ex.kind for ex in examples}):
        rows = [i for i, ex in enumerate(examples) if ex.kind == kind]
        means = _means(values[rows])
        out[kind] = {
            "n": len(rows),
            "ndcg@10": round(means["ndcg@10"], 4),
            "recall@10": round(means["recall@10"], 4),
        }
    return out


def _fit(examples: Sequence[Example], params: Mapping[str, Any], features: Sequence[str] = FEATURES) -> Any:
    import lightgbm

    columns = [FEATURES.index(f) for f in features]
    train = [
        Example(ex.qid, ex.kind, ex.ids, ex.features[:, columns], ex.labels)
        for ex in examples
        if ex.labels.any()
    ]
    x = np.vstack([ex.features for ex in train])
    y = np.concatenate([ex.labels for ex in train])
    model = lightgbm.LGBMRanker(
        objective="lambdarank",
        random_state=SEED,
        deterministic=True,
        force_row_wise=True,
        n_jobs=1,
        verbose=-1,
        lambdarank_truncation_level=20,
        **params,
    )
    categorical = [list(features).index("kind")] if "kind" in features else "auto"
    model.fit(x, y, group=[len(ex.labels) for ex in train], categorical_feature=categorical)
    model.columns_ = columns
    return model


def cross_validate(
    examples: Sequence[Example],
    params: Mapping[str, Any],
    folds: int,
    repeats: int = REPEATS,
    features: Sequence[str] = FEATURES,
    extra: Sequence[Example] = (),
) -> dict[str, float]:
    """Scores of the reranked held-out questions, over ``folds`` question folds, averaged over repeats."""
    return _means(cross_validated(examples, params, folds, repeats, features, extra))


def cross_validated(
    examples: Sequence[Example],
    params: Mapping[str, Any],
    folds: int,
    repeats: int = REPEATS,
    features: Sequence[str] = FEATURES,
    extra: Sequence[Example] = (),
) -> np.ndarray:
    """Each question's held-out ``METRICS`` (rows in ``examples`` order), averaged over repeats.

    ``extra``: training-only questions, in every fold's training part and never held out.
    """
    totals = np.zeros((len(examples), len(METRICS)))
    for repeat in range(repeats):
        rng = np.random.default_rng(SEED + repeat)
        assignment = rng.permutation(len(examples)) % folds
        predictions: list[np.ndarray] = [np.zeros(0)] * len(examples)
        for fold in range(folds):
            train = [ex for ex, f in zip(examples, assignment, strict=True) if f != fold]
            model = _fit([*train, *extra], params, features)
            for i, (ex, f) in enumerate(zip(examples, assignment, strict=True)):
                if f == fold:
                    # a question without candidates (a quoted phrase no passage holds) has no rows
                    predictions[i] = (
                        model.predict(ex.features[:, model.columns_]) if len(ex.labels) else np.zeros(0)
                    )
        totals += _per_question(examples, predictions) / repeats
    return totals


def training_questions(
    settings: Settings, gold: Sequence[Path] | None = None
) -> tuple[list[GoldQuestion], list[GoldQuestion]]:
    """The dev questions (trained on and cross-validated) and the training-only questions (``train``).

    ``gold``: files to read instead of the committed ones (dev, test and train.jsonl); a file's stem
    is its split, and only ``dev`` and ``train`` are used.
    """
    from eval.gold_data import TRAIN_SPLIT, load_gold, training_gold_paths
    from eval.judge import select_questions

    questions = load_gold(
        gold if gold is not None else training_gold_paths(), corpus_dir=settings.index.corpus_dir
    )
    return select_questions(questions, "dev"), [q for q in questions if q.split == TRAIN_SPLIT]


def added_examples(settings: Settings) -> list[Example]:
    """Candidates of the training questions on added documents (``eval/gold/added-train.jsonl``), from
    the added corpus (the seeds plus the development documents, as ``rag eval --split added`` builds
    it): the ranker also learns from UN paragraphs, Word recommendations, reports and Final Acts, whose
    layouts the seed documents lack. None when the file or the development set is missing."""
    from eval.added import ADDED_TRAIN, DEVELOPMENT_SET, added_settings
    from eval.gold_data import load_gold
    from eval.settings import CACHE_DIR, settings_with
    from rag.rank.search import Searcher

    if not ADDED_TRAIN.is_file() or not DEVELOPMENT_SET.is_dir():
        return []
    added = added_settings(settings, CACHE_DIR)
    questions = load_gold([ADDED_TRAIN], corpus_dir=added.index.corpus_dir)
    return collect(added, questions, searcher=Searcher.load(settings_with(added, {"rerank": False})))


def train(
    settings: Settings,
    *,
    gold: Sequence[Path] | None = None,
    out: Path = MODEL_FILE,
    folds: int = 5,
    repeats: int = REPEATS,
    grid: Mapping[str, Sequence[Any]] = GRID,
    searcher: Any = None,
    added_train: bool = False,
) -> dict[str, Any]:
    """Collect dev and train candidates, choose parameters by cross-validation over dev (train questions
    in every fold), train on all of dev and train, write the model.

    ``added_train``: also the training questions on added documents (``added_examples``); measured on
    2026-12-04 and not kept for the shipped model (README, "Added documents")."""
    started = time.perf_counter()
    dev_questions, train_questions = training_questions(settings, gold)
    examples = collect(settings, dev_questions, searcher=searcher)
    extra = collect(settings, train_questions, searcher=searcher) if train_questions else []
    added = added_examples(settings) if added_train else []
    extra += added
    if sum(1 for ex in examples if ex.labels.any()) < folds * 2:
        raise ValueError(f"too few dev questions with an answer among the candidates for {folds} folds")
    first_stage = _scores(examples, None)
    keys = list(grid)
    trials: list[dict[str, Any]] = []
    for values in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, values, strict=True))
        cv = cross_validate(examples, params, folds, repeats, extra=extra)
        trials.append({"params": params, **cv})
        logger.info("%s: nDCG@10 %.4f MRR %.4f", params, cv["ndcg@10"], cv["mrr@10"])
    # best nDCG@10; among settings within 0.002 of it, the smallest model (fewer trees, fewer leaves)
    top = max(t["ndcg@10"] for t in trials)
    near = [t for t in trials if t["ndcg@10"] >= top - 0.002]
    best = min(near, key=lambda t: (t["params"]["n_estimators"] * t["params"]["num_leaves"], -t["ndcg@10"]))
    model = _fit([*examples, *extra], best["params"])
    out.parent.mkdir(parents=True, exist_ok=True)
    model.booster_.save_model(str(out))
    gains = dict(zip(FEATURES, model.booster_.feature_importance("gain").round(2).tolist(), strict=True))
    meta = {
        "features": list(FEATURES),
        "params": best["params"],
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "split": "dev",
        "questions": len(examples),
        "questions_with_answer_in_candidates": sum(1 for ex in examples if ex.labels.any()),
        "train_questions": len(extra),
        "train_questions_with_answer_in_candidates": sum(1 for ex in extra if ex.labels.any()),
        "added_train_questions": len(added),
        "rerank_depth": settings.retrieval.rerank_depth,
        "first_stage": {
            "fusion": settings.retrieval.fusion,
            "rrf_k": settings.retrieval.rrf_k,
            "weight_bm25": settings.retrieval.weight_bm25,
            "weight_dense": settings.retrieval.weight_dense,
        },
        "cv_folds": folds,
        "cv_repeats": repeats,
        "cv_first_stage": {k: round(v, 4) for k, v in first_stage.items()},
        "cv_reranked": {k: round(best[k], 4) for k in METRICS},
        "cv_first_stage_by_kind": by_kind(examples, _per_question(examples, None)),
        "cv_reranked_by_kind": by_kind(
            examples, cross_validated(examples, best["params"], folds, repeats, extra=extra)
        ),
        "grid": [{**t, **{k: round(t[k], 4) for k in METRICS}} for t in trials],
        "feature_gain": gains,
        "seconds": round(time.perf_counter() - started, 1),
    }
    meta_path = out.with_suffix(".json")
    meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    logger.info(
        "reranker: dev CV nDCG@10 %.4f (first stage %.4f) with %s; written to %s",
        best["ndcg@10"],
        first_stage["ndcg@10"],
        best["params"],
        out,
    )
    return meta


def ablation_model(
    settings: Settings,
    without: Sequence[str],
    cache_dir: Path,
    *,
    searcher: Any = None,
    gold: Sequence[Path] | None = None,
    folds: int = 5,
    repeats: int = REPEATS,
    train_questions: bool = True,
) -> Path:
    """A model trained like the shipped one but without some features, or without the training-only
    questions (``train_questions=False``: dev alone), for ``rag eval``'s ablation rows.

    Uses the shipped model's parameters (no new search), so the row shows what the features or the
    questions add; cached in ``cache_dir`` by what is left out and the shipped model's parameters.
    """
    unknown = sorted(set(without) - set(FEATURES))
    if unknown:
        raise ValueError(
            f"unknown reranker feature(s) {', '.join(unknown)}; features are: {', '.join(FEATURES)}"
        )
    meta = json.loads(META_FILE.read_text(encoding="utf-8"))
    params = meta["params"]
    features = [f for f in FEATURES if f not in set(without)]
    key = "-".join([*sorted(without), *([] if train_questions else ["train-questions"])])
    key += "-" + "-".join(f"{k}{v}" for k, v in sorted(params.items()))
    out = cache_dir / "rerankers" / f"without-{key}.txt"
    if out.is_file() and out.with_suffix(".json").is_file():
        return out
    dev_questions, train_only = training_questions(settings, gold)
    examples = collect(settings, dev_questions, searcher=searcher)
    extra = collect(settings, train_only, searcher=searcher) if train_only and train_questions else []
    model = _fit([*examples, *extra], params, features)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.booster_.save_model(str(out))
    cv = cross_validate(examples, params, folds, repeats, features, extra)
    sidecar = {
        "features": features,
        "params": params,
        "split": "dev",
        "without": list(without),
        "train_questions": len(extra),
    }
    sidecar["cv_reranked"] = {k: round(v, 4) for k, v in cv.items()}
    out.with_suffix(".json").write_text(json.dumps(sidecar, indent=1) + "\n", encoding="utf-8")
    left_out = [*without, *([] if train_questions else ["the training questions"])]
    logger.info("ablation reranker without %s: dev CV nDCG@10 %.4f", ", ".join(left_out), cv["ndcg@10"])
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gold",
        nargs="+",
        type=Path,
        default=None,
        help="gold files (a file's stem is its split; dev and train are used); None: eval/gold/",
    )
    parser.add_argument(
        "--out", type=Path, default=MODEL_FILE, help="model file; its JSON sidecar is written beside it"
    )
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds over dev questions")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="times the folds are drawn anew")
    parser.add_argument("--quick", action="store_true", help="one small setting instead of the grid (tests)")
    parser.add_argument(
        "--index", type=Path, default=None, help="index folder; None: RAG_INDEX_DIR or index/"
    )
    parser.add_argument(
        "--added-train",
        action="store_true",
        help="also learn from eval/gold/added-train.jsonl over the added corpus (see eval/added.py)",
    )


def run_from_args(args: argparse.Namespace) -> int:
    from eval.settings import settings_with

    settings = get_settings()
    if args.index is not None:
        settings = settings_with(settings, {"index_dir": args.index})
    meta = train(
        settings,
        gold=args.gold,
        out=args.out,
        folds=args.folds,
        repeats=1 if args.quick else args.repeats,
        grid=QUICK_GRID if args.quick else GRID,
        added_train=args.added_train,
    )
    cv, first = meta["cv_reranked"], meta["cv_first_stage"]
    print(
        f"reranker trained on {meta['questions']} dev and {meta['train_questions']} training questions: "
        f"cross-validated on dev nDCG@10 {cv['ndcg@10']:.3f} "
        f"(first stage {first['ndcg@10']:.3f}), MRR@10 {cv['mrr@10']:.3f} ({first['mrr@10']:.3f}), "
        f"params {meta['params']}; written to {args.out} and {Path(args.out).with_suffix('.json').name}"
    )
    return 0


__all__ = ["META_FILE", "MODEL_FILE", "train", "collect", "cross_validate"]
