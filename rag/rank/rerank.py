"""Second stage: rerank the first stage's best ~50 passages with a small learned model.

The first stage (BM25 + dense, fused) finds the answer in its top 50 for about 98 % of the dev
questions but ranks it first for about 70 %: the near misses are passages of the right instrument or
block that lose to a sibling on one word. A second stage that sees more than two scores fixes most of
them. It is a LightGBM LambdaRank model (Burges, "From RankNet to LambdaRank to LambdaMART", 2010)
over the features of ``rag.rank.features``, each a reason a reader could give for preferring one
passage.

``LambdaRankReranker`` is the implementation behind the ``rag.rank.context.Reranker`` protocol: it
computes the features of the ranking's best ``rerank_depth`` passages, scores them and reorders them
(``reorder``); a draft's precedents of its own clause role stay first, each group in the model's order.

The model is trained on the dev split only by ``rag train-reranker`` (``eval/train_reranker.py``:
hyperparameters chosen by cross-validation over dev questions) and shipped as LightGBM's own text
format in ``rag/models/reranker.txt`` with ``reranker.json`` beside it (feature names, parameters,
training figures). It is loaded with ``lightgbm.Booster(model_file=...)``, never pickle. The final
score is the model's, so reranked hits carry it; pinned references and citing passages still come
first (``rag.rank.search``).

Example:
    >>> reranker = LambdaRankReranker.load()                  # doctest: +SKIP
    >>> reranker.feature_names[:3]                            # doctest: +SKIP
    ('fused', 'fused_rank', 'bm25')
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import ConfigError
from rag.query.analysed import AnalysedQuery
from rag.rank.context import SearchContext
from rag.rank.features import FEATURES, candidate_features
from rag.types import Hit

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[1] / "models"
MODEL_FILE = MODEL_DIR / "reranker.txt"
META_FILE = MODEL_DIR / "reranker.json"
_DRAFT_ROLE = FEATURES.index("draft_role")


def load_reranker(settings: Settings) -> LambdaRankReranker | None:
    """The second stage the settings ask for: the shipped model, another model file, or none."""
    if not settings.retrieval.rerank:
        return None
    if settings.retrieval.rerank_model:
        return LambdaRankReranker.load(settings.retrieval.rerank_model)
    return LambdaRankReranker.load()


class LambdaRankReranker:
    """The second stage: a LightGBM LambdaRank model over ``FEATURES``, loaded from its text file.

    Raises (``load``):
        ConfigError: the model file is missing or was trained on other features.
    """

    def __init__(self, booster: Any, meta: Mapping[str, Any]) -> None:
        self.booster = booster
        self.meta = dict(meta)
        self.feature_names = tuple(meta.get("features", FEATURES))
        # a model may use a subset of the features (ablation models of ``rag eval``): its columns
        self.columns = np.array([FEATURES.index(name) for name in self.feature_names], dtype=np.int64)

    @classmethod
    def load(cls, model_file: Path = MODEL_FILE, meta_file: Path | None = None) -> LambdaRankReranker:
        try:
            import lightgbm
        except ImportError as exc:  # pragma: no cover - lightgbm is a dependency
            raise ConfigError("the reranker needs lightgbm", hint="pip install lightgbm") from exc
        meta_file = meta_file or model_file.with_suffix(".json")
        if not model_file.is_file():
            raise ConfigError(
                f"no reranker model at {model_file}", hint="run `rag train-reranker` or set RAG_RERANK=false"
            )
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        names = list(meta.get("features", FEATURES))
        if not set(names) <= set(FEATURES) or names != [f for f in FEATURES if f in names]:
            raise ConfigError(
                f"the reranker at {model_file} was trained on other features than this code computes",
                hint="run `rag train-reranker`",
            )
        booster = lightgbm.Booster(model_file=str(model_file))
        return cls(booster, meta)

    def rerank(
        self,
        context: SearchContext,
        query: AnalysedQuery,
        ranked: Sequence[Hit],
        runs: Mapping[str, Sequence[Hit]],
    ) -> list[Hit]:
        """``ranked`` with its best ``rerank_depth`` reordered by the model, the rest below in order.

        A draft keeps its precedents of the same role first (``rag.rank.drafts``), each group in the
        model's order; the rest keeps its scores' order below the head's lowest.
        """
        hits, matrix = head_features(context, query, ranked, runs)
        if len(hits) < 2 or query.vector is None:
            return list(ranked)
        first = matrix[:, _DRAFT_ROLE] > 0 if query.draft_role is not None else None
        top = reorder(hits, self.score(matrix), first=first)
        top = foreign_in_place(hits, top, _foreign_ahead(context, query, hits))
        floor = min(h.score for h in top)
        rest = [
            Hit(h.passage_id, floor - i, len(top) + i, ranks=h.ranks)
            for i, h in enumerate(ranked[len(hits) :], start=1)
        ]
        return top + rest

    def score(self, matrix: np.ndarray) -> np.ndarray:
        """Model scores of feature rows (higher: better)."""
        if not len(matrix):
            return np.zeros(0)
        if len(self.columns) != matrix.shape[1]:
            matrix = matrix[:, self.columns]
        return np.asarray(self.booster.predict(matrix, num_threads=1), dtype=np.float64)


def head_features(
    context: SearchContext, query: AnalysedQuery, ranked: Sequence[Hit], runs: Mapping[str, Sequence[Hit]]
) -> tuple[list[Hit], np.ndarray]:
    """The candidates the model sees (the best ``rerank_depth`` of ``ranked``) and their features.

    ``rag train-reranker`` learns from exactly these (``Searcher.rerank_features``).
    """
    hits = list(ranked[: context.settings.retrieval.rerank_depth])
    if not hits or query.vector is None:
        return hits, np.zeros((0, 0))
    return hits, candidate_features(context, query, hits, runs)


def _foreign_ahead(context: SearchContext, query: AnalysedQuery, hits: Sequence[Hit]) -> list[bool]:
    """For an English question, which head passages in another language the multilingual encoder puts
    at least as close to the question as every English one in the head (see ``foreign_in_place``)."""
    if query.foreign_vector is None or context.foreign_rows is None or context.index.multilingual is None:
        return [False] * len(hits)
    rows = [context.row_of[h.passage_id] for h in hits]
    foreign = [bool(context.foreign_rows[r]) for r in rows]
    if not any(foreign) or all(foreign):
        return foreign
    cosines = context.index.multilingual.vectors(rows) @ query.foreign_vector
    best_english = max(c for c, f in zip(cosines, foreign, strict=True) if not f)
    return [f and c >= best_english for c, f in zip(cosines, foreign, strict=True)]


def foreign_in_place(fused: Sequence[Hit], reranked: list[Hit], foreign: Sequence[bool]) -> list[Hit]:
    """An English question's head with some passages in other languages (``foreign``) kept at their
    fused places and the others, reranked, around them.

    The model learned from English questions on English passages: for a French passage its BM25 and
    English-vector features say nothing (the multilingual run found it), so it sinks whatever it says.
    The multilingual vectors judge both languages alike: a passage in another language they put at
    least as close to the question as every English candidate keeps its fused place (as the fusion's
    order stands for a question in another language, ``Searcher``); the others are reranked as before.
    """
    if not any(foreign):
        return reranked
    kept = {h.passage_id for h, f in zip(fused, foreign, strict=True) if f}
    english = iter(h for h in reranked if h.passage_id not in kept)
    order = [h if f else next(english) for h, f in zip(fused, foreign, strict=True)]
    scores = sorted((h.score for h in reranked), reverse=True)
    return [
        Hit(h.passage_id, score, rank, ranks=h.ranks)
        for rank, (h, score) in enumerate(zip(order, scores, strict=True), start=1)
    ]


def reorder(hits: Sequence[Hit], scores: np.ndarray, *, first: np.ndarray | None = None) -> list[Hit]:
    """``hits`` reordered by ``scores`` (ties keep the first stage's order), with the model's scores.

    ``first``: a mask of hits that go before all others whatever their scores (a draft's precedents
    of its own clause role); each group is in score order.
    """
    ahead = first if first is not None else np.zeros(len(hits), dtype=bool)
    order = sorted(range(len(hits)), key=lambda i: (not ahead[i], -scores[i], i))
    return [
        Hit(hits[i].passage_id, float(scores[i]), rank, ranks=hits[i].ranks)
        for rank, i in enumerate(order, start=1)
    ]
