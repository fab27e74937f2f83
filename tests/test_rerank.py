"""Second-stage reranker: query intents, features, the shipped model, training, and the searcher's use."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.errors import ConfigError
from rag.query.intents import block_roles, fact_intent, role_intent
from rag.rank.features import FEATURES
from rag.rank.rerank import META_FILE, MODEL_FILE, LambdaRankReranker, reorder
from rag.types import Hit


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("What did WTDC resolve about spectrum management?", "resolves"),
        ("What are Member States invited to do on IXPs?", "invites"),
        ("Which resolution instructs BDT to publish handbooks?", "instructs"),
        ("What does WTDC recognise about HAPS?", "recognizing"),
        ("What does the opinion take into account on AI?", "taking into account"),
        ("What does Resolution 15 recall?", "recalling"),
        ("When was GSR-25 held?", None),
        ("space connectivity for rural areas", None),
    ],
)
def test_role_intent_reads_the_questions_verb(question: str, role: str | None) -> None:
    assert role_intent(question) == role


def test_the_first_role_verb_of_a_question_wins() -> None:
    # "invited" comes before "recognized": the question asks what they are invited to do
    assert (
        role_intent("What are Member States invited to do about the needs recognized in Res 17?") == "invites"
    )


@pytest.mark.parametrize(
    ("clause", "lead_in", "roles"),
    [
        (
            "resolves",
            "resolves to instruct the Director of the Telecommunication Development Bureau",
            {"resolves", "instructs"},
        ),
        (
            "resolves",
            "resolves to continue to instruct the Director of the Telecommunication Development Bureau",
            {"resolves", "instructs"},
        ),
        (
            "requests",
            "requests the Secretary-General and instructs the Director of the Bureau",
            {"requests", "instructs"},
        ),
        ("instructs", "instructs the Director of the Telecommunication Development Bureau", {"instructs"}),
        ("recalling", "recalling", {"recalling"}),
        ("resolves", "resolves", {"resolves"}),
        (None, None, set()),
    ],
)
def test_a_block_speaks_in_its_role_and_its_lead_ins_verbs(
    clause: str | None, lead_in: str | None, roles: set[str]
) -> None:
    assert block_roles(clause, lead_in) == roles


@pytest.mark.slow
def test_a_question_about_instructions_finds_resolves_to_instruct_items(real_searcher) -> None:  # type: ignore[no-untyped-def]
    # A drafter's question: the answers sit in "resolves to instruct the Director of BDT" blocks,
    # whose clause role is "resolves"; they count as instructions to BDT.
    found = real_searcher.search(
        "Has any resolution already instructed BDT to assist countries with emergency telecommunications?",
        k=5,
    )
    top = [h.passage for h in found.hits]
    instructing = [p for p in top if "instructs" in block_roles(p.clause, p.lead_in)]
    assert instructing and "Telecommunication Development Bureau" in (instructing[0].addressee or "")
    assert any("disaster" in (p.instrument_title or "").lower() for p in instructing)  # Res 34's subject


@pytest.mark.parametrize(
    ("question", "when", "how_many"),
    [
        ("When was RPM-ARB held?", True, False),
        ("How many Member States took part in WTDC-25?", False, True),
        ("What share of the world's population is offline?", False, True),
        ("In what year was the roadmap first requested?", True, False),
        ("What does Resolution 15 instruct?", False, False),
    ],
)
def test_fact_intent(question: str, when: bool, how_many: bool) -> None:
    assert fact_intent(question) == (when, how_many)


def test_rerank_orders_by_score_and_keeps_first_stage_order_on_ties() -> None:
    hits = [Hit("a", 3.0, 1), Hit("b", 2.0, 2), Hit("c", 1.0, 3)]
    out = reorder(hits, np.array([0.1, 0.5, 0.1]))
    assert [h.passage_id for h in out] == ["b", "a", "c"]
    assert [h.rank for h in out] == [1, 2, 3]
    assert [h.score for h in out] == [0.5, 0.1, 0.1]


def test_rerank_puts_the_first_mask_ahead_and_orders_each_group_by_score() -> None:
    hits = [Hit("a", 3.0, 1), Hit("b", 2.0, 2), Hit("c", 1.0, 3), Hit("d", 0.5, 4)]
    # "c" and "d" are a draft's same-role precedents: ahead of "b" although it scores higher
    out = reorder(hits, np.array([0.1, 0.9, 0.2, 0.3]), first=np.array([False, False, True, True]))
    assert [h.passage_id for h in out] == ["d", "c", "b", "a"]


def test_the_shipped_model_loads_without_pickle_and_knows_its_features() -> None:
    assert MODEL_FILE.read_text(encoding="utf-8").startswith("tree\n")  # LightGBM's text format
    meta = json.loads(META_FILE.read_text(encoding="utf-8"))
    assert meta["features"] == list(FEATURES)
    assert meta["split"] == "dev"
    # the model was kept because it beat the first stage in cross-validation on dev
    assert meta["cv_reranked"]["ndcg@10"] > meta["cv_first_stage"]["ndcg@10"]
    reranker = LambdaRankReranker.load()
    scores = reranker.score(np.zeros((4, len(FEATURES))))
    assert scores.shape == (4,) and np.isfinite(scores).all()


def test_a_model_trained_on_other_features_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "r.txt"
    model.write_text(MODEL_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps({"features": ["fused", "something_else"]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="other features"):
        LambdaRankReranker.load(model)


def test_a_missing_model_names_the_command_that_makes_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="no reranker model") as info:
        LambdaRankReranker.load(tmp_path / "none.txt")
    assert "rag train-reranker" in (info.value.hint or "")


# ------------------------------------------------------------------------------------------------
# The real index


@pytest.mark.slow
def test_features_follow_the_query(real_searcher) -> None:  # type: ignore[no-untyped-def]
    query, candidates = real_searcher.first_stage(
        "What does Resolution 15 instruct BDT to do about handbooks?"
    )
    hits, matrix = real_searcher.rerank_features(query, candidates)
    assert matrix.shape == (len(hits), len(FEATURES))
    assert len(hits) == real_searcher.settings.retrieval.rerank_depth
    col = {name: i for i, name in enumerate(FEATURES)}
    for hit, row in zip(hits, matrix, strict=True):
        p = real_searcher.get(hit.passage_id)
        assert row[col["instrument"]] == (
            1.0 if p.instrument and p.instrument.startswith("Resolution 15 ") else 0.0
        )
        expected_role = (
            1.0 if "instructs" in block_roles(p.clause, p.lead_in) else (-1.0 if p.clause else -0.5)
        )
        assert row[col["role_intent"]] == expected_role
        assert 0.0 <= row[col["cov_text"]] <= 1.0 + 1e-9
    assert matrix[0, col["fused"]] == pytest.approx(1.0)  # the first stage's best, over itself
    assert (matrix[:, col["dense_gap"]] <= 1e-9).all()


@pytest.mark.slow
def test_draft_features_carry_the_precedent_signals(real_searcher) -> None:  # type: ignore[no-untyped-def]
    original = real_searcher.get("wtdc-25-final-report/res-15/instructs/4")
    draft = "instructs the Director of BDT " + original.text.replace("develop", "produce")
    query, candidates = real_searcher.first_stage(draft)
    assert query.draft is not None
    hits, matrix = real_searcher.rerank_features(query, candidates)
    col = {name: i for i, name in enumerate(FEATURES)}
    row = matrix[[h.passage_id for h in hits].index(original.id)]
    assert 0.5 < row[col["wording"]] < 1.0  # most of its word 3-grams, not all
    assert row[col["draft_role"]] == 1.0 and row[col["draft_addressee"]] > 0.5
    assert (matrix[:, col["draft_role"]] != 0).all()  # every candidate is of the role or not
    assert row[col["wording"]] == matrix[:, col["wording"]].max()
    # a question has no draft role
    _, q_matrix = real_searcher.rerank_features(*real_searcher.first_stage("technology transfer handbooks"))
    assert (q_matrix[:, col["draft_role"]] == 0).all() and (q_matrix[:, col["draft_addressee"]] == 0).all()


@pytest.mark.slow
def test_search_and_find_precedents_rank_a_draft_alike(real_searcher) -> None:  # type: ignore[no-untyped-def]
    from rag.precedents.finder import find_precedents

    for draft in (
        "invites Member States to share best practices on national emergency telecommunication plans",
        "recognizing that affordable broadband remains out of reach for many people in rural areas",
        "digital skills programmes for women and girls in least developed countries, small island developing "
        "states and rural areas with little connectivity today",
    ):
        hits = real_searcher.search(draft, k=5).hits
        found = find_precedents(real_searcher.context, draft, k=5, group=False)
        assert [h.passage.id for h in hits][:3] == [r.passage.id for r in found.results][:3], draft
        assert hits[0].score == pytest.approx(found.results[0].score)


@pytest.mark.slow
def test_reranking_reorders_the_first_stage_candidates_only(real_searcher) -> None:  # type: ignore[no-untyped-def]
    query = "How often are ITU Academy training centres assessed?"
    _, candidates = real_searcher.first_stage(query, k=10)
    depth = real_searcher.settings.retrieval.rerank_depth
    head = {h.passage_id for h in candidates.ranked[:depth]}
    hits = real_searcher.search(query, k=10).hits
    assert {h.passage.id for h in hits} <= head
    assert [h.rank for h in hits] == list(range(1, 11))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.slow
def test_references_stay_pinned_before_reranked_passages(real_searcher) -> None:  # type: ignore[no-untyped-def]
    hits = real_searcher.search("Res. 15 instructs 4 handbooks", k=5).hits
    assert hits[0].pinned and hits[0].passage.id == "wtdc-25-final-report/res-15/instructs/4"


@pytest.mark.slow
def test_train_reranker_writes_a_loadable_model_from_dev_and_train_only(real_searcher, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eval.gold_data import default_gold_paths
    from eval.train_reranker import QUICK_GRID, train

    # a dev file of 40 questions and a training-only file of 10 (held out in no fold)
    dev_lines = [line for line in default_gold_paths()[0].read_text(encoding="utf-8").splitlines() if line]
    (tmp_path / "dev.jsonl").write_text("\n".join(dev_lines[:40]) + "\n", encoding="utf-8")
    (tmp_path / "train.jsonl").write_text("\n".join(dev_lines[40:50]) + "\n", encoding="utf-8")
    out = tmp_path / "model" / "reranker.txt"
    meta = train(
        real_searcher.settings,
        gold=[tmp_path / "dev.jsonl", tmp_path / "train.jsonl"],
        out=out,
        folds=2,
        repeats=1,
        grid=QUICK_GRID,
        searcher=real_searcher,
    )
    assert meta["split"] == "dev" and meta["features"] == list(FEATURES)
    assert meta["questions"] == 40  # draft clauses too: one model orders drafts and questions
    assert meta["train_questions"] == 10
    assert set(meta["cv_reranked"]) == {"ndcg@10", "mrr@10", "recall@1", "recall@10"}
    # cross-validated figures per question kind, to see that a gain holds for each
    kinds = meta["cv_reranked_by_kind"]
    assert sum(v["n"] for v in kinds.values()) == 40
    assert set(kinds) == set(meta["cv_first_stage_by_kind"])
    loaded = LambdaRankReranker.load(out)
    assert loaded.meta["params"] == meta["params"]
    assert np.isfinite(loaded.score(np.ones((3, len(FEATURES))))).all()


@pytest.mark.slow
def test_k_beyond_the_rerank_depth_keeps_the_first_stage_order_below_it(real_searcher) -> None:  # type: ignore[no-untyped-def]
    query = "digital skills for women and girls"
    depth = real_searcher.settings.retrieval.rerank_depth
    _, candidates = real_searcher.first_stage(query, k=100)
    hits = real_searcher.search(query, k=100).hits
    assert len(hits) == 100
    head = {h.passage_id for h in candidates.ranked[:depth]}
    assert {h.passage.id for h in hits[:depth]} == head
    assert [h.passage.id for h in hits[depth:]] == [h.passage_id for h in candidates.ranked[depth:100]]


@pytest.mark.slow
def test_filters_hold_after_reranking(real_searcher) -> None:  # type: ignore[no-untyped-def]
    from rag.types import SearchFilters

    hits = real_searcher.search("digital skills", k=10, filters=SearchFilters(clause=("invites",))).hits
    assert len(hits) == 10 and all(h.passage.clause == "invites" for h in hits)


@pytest.mark.slow
def test_an_ablation_model_uses_only_its_features(real_searcher, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eval.gold_data import default_gold_paths
    from eval.pipelines import parse_variant
    from eval.train_reranker import ablation_model

    assert parse_variant("x:rerank_without=numbers").overrides["rerank_without"] == "numbers"
    dev_lines = [line for line in default_gold_paths()[0].read_text(encoding="utf-8").splitlines() if line][
        :40
    ]
    (tmp_path / "dev.jsonl").write_text("\n".join(dev_lines) + "\n", encoding="utf-8")
    path = ablation_model(
        real_searcher.settings,
        ["numbers", "fact_match"],
        tmp_path,
        searcher=real_searcher,
        gold=[tmp_path / "dev.jsonl"],
        folds=2,
        repeats=1,
    )
    model = LambdaRankReranker.load(path)
    assert "numbers" not in model.feature_names and len(model.feature_names) == len(FEATURES) - 2
    # it scores full feature rows, taking its own columns
    assert np.isfinite(model.score(np.ones((3, len(FEATURES))))).all()
    again = ablation_model(real_searcher.settings, ["numbers", "fact_match"], tmp_path)
    assert again == path  # cached: not trained twice
    # the dev-only row: every feature, no training-only questions
    more = [line for line in default_gold_paths()[0].read_text(encoding="utf-8").splitlines() if line][40:50]
    (tmp_path / "train.jsonl").write_text("\n".join(more) + "\n", encoding="utf-8")
    gold = [tmp_path / "dev.jsonl", tmp_path / "train.jsonl"]
    kwargs = {"searcher": real_searcher, "gold": gold, "folds": 2, "repeats": 1}
    dev_only = ablation_model(real_searcher.settings, [], tmp_path, train_questions=False, **kwargs)
    both = ablation_model(real_searcher.settings, [], tmp_path / "both", **kwargs)
    sidecars = [json.loads(m.with_suffix(".json").read_text(encoding="utf-8")) for m in (dev_only, both)]
    assert [s["train_questions"] for s in sidecars] == [0, 10]
    assert LambdaRankReranker.load(dev_only).feature_names == FEATURES
    with pytest.raises(ValueError, match="unknown reranker feature"):
        ablation_model(real_searcher.settings, ["colour"], tmp_path)


def test_rag_train_reranker_is_a_cli_command() -> None:
    from rag_cli.main import build_parser

    args = build_parser().parse_args(["train-reranker", "--quick", "--out", "/tmp/r.txt", "--folds", "3"])
    assert args.quick and args.folds == 3 and str(args.out) == "/tmp/r.txt"
    assert args.func.__name__ == "_cmd_train_reranker"
