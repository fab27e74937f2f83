"""Fusion of ranked lists: pure functions from ``{mode: [Hit, ...]}`` to one ranking.

Each function takes the runs (best first, 1-based ranks), per-run weights (default 1) and the RRF
constant, and returns every passage of every run once, best first, with ``rank`` 1..n and ``ranks``
holding its rank in each run (None where a run did not return it). Pick one through ``FUSERS``.

Ties are broken by the best rank the passage reached in any run, then by passage id, so the output
never depends on dict or set order.

Which one is the default (``Settings.retrieval.fusion``), and why. Tuned on the dev split only (191 questions,
hybrid, first stage without the reranker; issue 8):

=========================================  =======  =========  =====
fusion                                     nDCG@10  recall@10  R@1
=========================================  =======  =========  =====
RRF, k = 60, equal weights (old default)     0.789      0.916  0.660
RRF, k = 20, equal weights                   0.798      0.937  0.665
RRF, k = 10, equal weights                   0.804      0.942  0.665
RRF, k = 3, equal weights                    0.808      0.937  0.670
RRF, k = 5, dense weight 0.7 (best RRF)      0.819      0.948  0.696
weighted sum, dense weight 0.5               0.826      0.927  0.723
weighted sum, dense weight 0.75              0.832      0.932  0.733
weighted sum, equal weights (default)        0.833      0.937  0.728
weighted sum, dense weight 1.5               0.817      0.937  0.702
=========================================  =======  =========  =====

The normalised weighted sum wins at equal weights, so it is the default and the weights stay 1. Here
the two branches are rarely far apart in quality, and min-max scaling keeps how far ahead a branch's
best passages are: a clause whose words a question repeats has a BM25 score well clear of the rest,
which RRF flattens to "rank 1". RRF needs a small k to approach it (k = 5: a rank-1 passage gets
1/6 against 1/7 for rank 2, close to the score gaps the weighted sum keeps). RRF stays available for
score scales min-max cannot tame (a run with one huge outlier) and for the naive baseline.

Example:
    >>> from rag.types import Hit
    >>> runs = {"bm25": [Hit("a", 9.0, 1), Hit("b", 5.0, 2)], "dense": [Hit("b", 0.8, 1)]}
    >>> [(h.passage_id, h.ranks) for h in rrf(runs)]
    [('b', (('bm25', 2), ('dense', 1))), ('a', (('bm25', 1), ('dense', None)))]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rag.types import FusionMethod, Hit

Runs = Mapping[str, Sequence[Hit]]
Fuser = Callable[..., list[Hit]]

# Cormack et al. found k = 60 best in their pilot and it has stood since; it is the rank at which a
# passage's contribution halves relative to rank 1 in a flat list, so a passage ranked well in both
# runs beats one ranked first in a single run (1/61 + 1/62 > 1/61 + 0).
RRF_K = 60


def _finish(scores: dict[str, float], runs: Runs) -> list[Hit]:
    # Each passage's first position in each run (None where absent) and its best position in any.
    # Run on every hybrid query over a few hundred hits, so kept to one dict lookup per hit, with
    # each passage's (mode, position) pairs built in place of a zip per passage.
    absent = tuple((mode, None) for mode in runs)
    ranks: dict[str, list[tuple[str, int | None]]] = {}
    best: dict[str, int] = {}
    for column, (mode, hits) in enumerate(runs.items()):
        for position, hit in enumerate(hits, start=1):
            pid = hit.passage_id
            row = ranks.get(pid)
            if row is None:
                row = ranks[pid] = list(absent)
                best[pid] = position
            elif row[column][1] is not None:
                continue
            elif position < best[pid]:
                best[pid] = position
            row[column] = (mode, position)
    # (score desc, best position, id): ids are unique, so sorting these keys orders the passages
    # exactly as sorting the ids by them would
    order = sorted([(-score, best[pid], pid) for pid, score in scores.items()])
    # positional arguments: a frozen dataclass's keywords cost a third more, over ~200 hits a query
    return [
        Hit(pid, scores[pid], position, tuple(ranks[pid]))
        for position, (_, _, pid) in enumerate(order, start=1)
    ]


def rrf(runs: Runs, *, weights: Mapping[str, float] | None = None, rrf_k: int = RRF_K) -> list[Hit]:
    """Reciprocal rank fusion: score(d) = sum over runs r of w_r / (rrf_k + rank_r(d)).

    Cormack, Clarke and Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and individual rank
    learning methods", SIGIR 2009. It uses ranks only, so BM25 scores (unbounded) and cosines (-1..1)
    need no common scale, which is why it is the default here (txtai and ranx make the same choice).
    Ranks are 1-based, so with the paper's k = 60 the best passage of a run gets w / 61 (Haystack adds
    1 to its k for 0-based ranks to the same effect).
    """
    if rrf_k < 0:
        raise ValueError(f"rrf_k must be >= 0, not {rrf_k}")
    weights = weights or {}
    scores: dict[str, float] = {}
    for mode, hits in runs.items():
        weight = weights.get(mode, 1.0)
        seen: set[str] = set()
        for position, hit in enumerate(hits, start=1):
            if hit.passage_id in seen:  # a run listing a passage twice counts it once, at its best rank
                continue
            seen.add(hit.passage_id)
            scores[hit.passage_id] = scores.get(hit.passage_id, 0.0) + weight / (rrf_k + position)
    return _finish(scores, runs)


def min_max(hits: Sequence[Hit]) -> dict[str, float]:
    """Scores of one run scaled to [0, 1] over the passages it returned (all 1.0 if they are equal)."""
    if not hits:
        return {}
    values = [h.score for h in hits]
    low, high = min(values), max(values)
    span = high - low
    out: dict[str, float] = {}
    for h in hits:
        out.setdefault(h.passage_id, (h.score - low) / span if span > 0 else 1.0)
    return out


def weighted_sum(runs: Runs, *, weights: Mapping[str, float] | None = None, rrf_k: int = RRF_K) -> list[Hit]:
    """Normalised weighted sum: score(d) = sum over runs of w_r * minmax_r(score_r(d)), 0 where absent.

    The "wsum" of ranx with its "min-max" normalisation (Bassani and Romelli, ranx.fuse, CIKM 2022).
    Unlike RRF it keeps how far ahead a run's best passages are, at the price of depending on each
    run's score distribution. ``rrf_k`` is accepted and ignored, so every fuser has one signature.
    """
    del rrf_k
    weights = weights or {}
    scores: dict[str, float] = {}
    for mode, hits in runs.items():
        weight = weights.get(mode, 1.0)
        for pid, value in min_max(hits).items():
            scores[pid] = scores.get(pid, 0.0) + weight * value
    return _finish(scores, runs)


FUSERS: dict[FusionMethod, Fuser] = {FusionMethod.RRF: rrf, FusionMethod.WEIGHTED: weighted_sum}


def fuse(
    method: FusionMethod | str,
    runs: Runs,
    *,
    weights: Mapping[str, float] | None = None,
    rrf_k: int = RRF_K,
) -> list[Hit]:
    """Fuse ``runs`` with the named method (``ConfigError`` listing the methods for an unknown one)."""
    fuser = FUSERS[FusionMethod.from_str(str(method))]
    return fuser(runs, weights=weights, rrf_k=rrf_k)
