"""Fusion functions: arithmetic checked by hand, edge cases, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.errors import ConfigError
from rag.rank.fusion import FUSERS, RRF_K, fuse, min_max, rrf, weighted_sum
from rag.types import FusionMethod, Hit


def run(*ids: str, scores=None) -> list[Hit]:
    scores = scores or [10.0 - i for i in range(len(ids))]
    return [Hit(pid, s, i) for i, (pid, s) in enumerate(zip(ids, scores, strict=True), start=1)]


def test_rrf_scores_are_sums_of_reciprocal_ranks():
    fused = rrf({"bm25": run("a", "b", "c"), "dense": run("c", "a")})
    scores = {h.passage_id: h.score for h in fused}
    assert scores["a"] == pytest.approx(1 / (60 + 1) + 1 / (60 + 2))
    assert scores["c"] == pytest.approx(1 / (60 + 3) + 1 / (60 + 1))
    assert scores["b"] == pytest.approx(1 / (60 + 2))
    assert [h.passage_id for h in fused] == ["a", "c", "b"]
    assert [h.rank for h in fused] == [1, 2, 3]
    assert fused[2].ranks == (("bm25", 2), ("dense", None))


def test_rrf_weights_scale_each_run():
    fused = rrf({"bm25": run("a"), "dense": run("b")}, weights={"bm25": 1.0, "dense": 2.0})
    assert [(h.passage_id, round(h.score, 6)) for h in fused] == [
        ("b", round(2 / 61, 6)),
        ("a", round(1 / 61, 6)),
    ]


def test_rrf_constant_is_the_papers():
    assert RRF_K == 60
    assert rrf({"x": run("a")}, rrf_k=0)[0].score == pytest.approx(1.0)


def test_weighted_sum_normalises_each_run_to_unit_range():
    fused = weighted_sum(
        {"bm25": run("a", "b", "c", scores=[12.0, 7.0, 2.0]), "dense": run("c", "b", scores=[0.9, 0.5])},
        weights={"bm25": 1.0, "dense": 0.5},
    )
    scores = {h.passage_id: h.score for h in fused}
    # bm25 min-max: a 1, b 0.5, c 0; dense: c 1, b 0
    assert scores == pytest.approx({"a": 1.0, "b": 0.5, "c": 0.5})
    # b and c tie at 0.5: b's best rank is 2, c's is 1 (in dense), so c comes first
    assert [h.passage_id for h in fused] == ["a", "c", "b"]


def test_min_max_of_equal_scores_is_one():
    assert min_max(run("a", "b", scores=[3.0, 3.0])) == {"a": 1.0, "b": 1.0}


@pytest.mark.parametrize("method", list(FusionMethod))
@pytest.mark.parametrize(
    "runs",
    [{}, {"bm25": [], "dense": []}, {"bm25": run("a", "b"), "dense": []}],
    ids=["no runs", "empty runs", "one empty run"],
)
def test_empty_inputs(method, runs):
    fused = fuse(method, runs)
    ids = [h.passage_id for h in fused]
    assert ids == [h.passage_id for h in runs.get("bm25", [])]


def test_ties_break_by_best_rank_then_id():
    fused = rrf({"x": run("b", "a"), "y": run("a", "b")})
    assert [h.passage_id for h in fused] == ["a", "b"]  # equal scores and best ranks: by id


def test_duplicate_in_a_run_counts_once():
    fused = rrf({"x": [Hit("a", 1.0, 1), Hit("a", 0.5, 2)]})
    assert len(fused) == 1 and fused[0].score == pytest.approx(1 / 61)


def test_fusers_are_chosen_by_method_and_unknown_names_list_the_choices():
    assert FUSERS[FusionMethod.RRF] is rrf and FUSERS[FusionMethod.WEIGHTED] is weighted_sum
    with pytest.raises(ConfigError, match="rrf, weighted"):
        fuse("borda", {})


ids = st.lists(st.sampled_from("abcdefghij"), unique=True, max_size=8)


@given(a=ids, b=ids, method=st.sampled_from(list(FusionMethod)))
def test_fused_output_is_the_union_with_dense_increasing_ranks(a, b, method):
    runs = {"bm25": run(*a), "dense": run(*b)}
    fused = fuse(method, runs)
    assert sorted(h.passage_id for h in fused) == sorted(set(a) | set(b))
    assert [h.rank for h in fused] == list(range(1, len(fused) + 1))
    assert all(x.score >= y.score for x, y in zip(fused, fused[1:], strict=False))
    for h in fused:
        ranks = dict(h.ranks)
        assert ranks["bm25"] == (a.index(h.passage_id) + 1 if h.passage_id in a else None)
        assert ranks["dense"] == (b.index(h.passage_id) + 1 if h.passage_id in b else None)
