"""The evaluation harness: the hit rule, purity, qrels and runs, a scripted run end to end, the report
files, the naive baseline, variants, the API client, and the regression gate on the real index."""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from eval.config import EvalConfig
from eval.gate import GATE_FILE, gate_failures, read_gate, write_gate
from eval.metrics import (
    ANSWER,
    AnswerSpan,
    answer_run,
    best_answer,
    covers,
    evaluate_runs,
    first_hit_rank_metrics,
    gold_line,
    metric_names,
    purity,
)
from eval.naive import ChunkParams, NaiveIndex, embed_cached, split_corpus
from eval.pipelines import (
    ApiPipeline,
    EvalError,
    Retrieved,
    parse_variant,
    settings_with,
)
from eval.report import write_report
from eval.runner import run_eval
from rag.config import get_settings, make_settings
from rag.corpus import load_corpus
from rag.errors import ConfigError
from rag.index.encoders import HashEncoder
from rag.types import Passage
from tests.conftest import source_text
from tests.retrieval_fixtures import make_corpus

SRC = "002_2cd29aff50f41401.txt"
DOC = "wtdc-25-final-report"

# --- the hit rule ------------------------------------------------------------------------------


def test_a_passage_covering_exactly_half_of_the_quote_is_a_hit():
    answer = AnswerSpan("f.txt", 10, 20)  # a 10-character quote
    assert covers("f.txt", [(15, 40)], answer)  # 5 of 10 characters: exactly half
    assert not covers("f.txt", [(16, 40)], answer)  # 4 of 10: less than half
    assert covers("f.txt", [(0, 100)], answer)


def test_a_passage_in_another_file_is_never_a_hit():
    assert not covers("g.txt", [(0, 100)], AnswerSpan("f.txt", 10, 20))


def test_the_fragments_of_a_split_passage_add_up():
    answer = AnswerSpan("f.txt", 10, 20)
    # 2 (10..12) + 2 (18..20) = 4 of 10 characters: no hit
    assert not covers("f.txt", [(0, 12), (18, 30)], answer)
    # 4 (10..14) + 3 (17..20) = 7 of 10: a hit, though neither piece covers half alone
    assert covers("f.txt", [(0, 14), (17, 30)], answer)
    assert not covers("f.txt", [(0, 14)], answer)


def test_the_answer_a_passage_covers_most_is_the_one_it_answers():
    answers = [AnswerSpan("f.txt", 0, 10), AnswerSpan("f.txt", 20, 30), AnswerSpan("g.txt", 0, 10)]
    # covers 6/10 of the first and 10/10 of the second
    assert best_answer("f.txt", [(4, 30)], answers) == 1
    assert best_answer("f.txt", [(40, 50)], answers) is None
    assert best_answer("g.txt", [(0, 5)], answers) == 2


# --- purity ------------------------------------------------------------------------------------


def test_purity_is_the_gold_lines_share_of_the_passage():
    text = "Heading\n\t4\tto continue to develop handbooks;\nnext item here\n"
    start = text.index("continue")
    line = gold_line(text, start, start + 20)
    assert text[line[0] : line[1]] == "4\tto continue to develop handbooks;"  # trimmed of the tab
    # a passage that is the line: 1.0
    assert purity([line], line) == 1.0
    # the whole text (8 + 37 + 15 = 60 characters) holding the 35-character line: 35/60
    assert len(text) == 60 and line[1] - line[0] == 35
    assert purity([(0, len(text))], line) == pytest.approx(35 / 60)
    # a split passage: 10 characters of the line plus the 15-character last line: 10 / (10 + 15) = 0.4
    assert purity([(line[0], line[0] + 10), (45, 60)], line) == pytest.approx(0.4)


def test_the_gold_item_is_the_source_line_of_a_real_quote():
    text = source_text(DOC)
    quote = "to continue to develop handbooks addressing the issue of technology transfer"
    start = text.index(quote)
    a, b = gold_line(text, start, start + len(quote))
    assert quote in text[a:b] and "\n" not in text[a:b]
    assert text[a:b] == text[a:b].strip()


# --- runs and metrics --------------------------------------------------------------------------


def test_the_first_covering_passage_stands_for_the_answer_and_later_ones_are_dropped():
    run = answer_run(["a", "b", "c", "d", "b"], {"b", "d"})
    assert run == {"a": 5.0, ANSWER: 4.0, "c": 3.0}
    assert answer_run(["a", "c"], set()) == {"a": 2.0, "c": 1.0}


def test_ranx_scores_match_the_rank_of_the_first_hit():
    runs = {
        "q1": answer_run(["x", "y", "gold"], {"gold"}),  # first hit at rank 3
        "q2": answer_run(["x"], set()),  # no hit
        "q3": {},  # nothing returned at all
        "q4": answer_run(["gold", "gold-too"], {"gold", "gold-too"}),  # two covering passages
    }
    scores = evaluate_runs(runs)
    assert set(scores["ndcg@10"]) == {"q1", "q2", "q3", "q4"}  # no question dropped
    # rank 3: MRR 1/3, nDCG 1/log2(3 + 1) = 0.5, recall@1 0, recall@5 1
    assert scores["mrr@10"]["q1"] == pytest.approx(1 / 3)
    assert scores["ndcg@10"]["q1"] == pytest.approx(0.5)
    assert scores["recall@1"]["q1"] == 0.0 and scores["recall@5"]["q1"] == 1.0
    for qid in ("q2", "q3"):
        assert all(scores[m][qid] == 0.0 for m in scores)
    # two overlapping chunks that both hold the quote: the question is simply answered at rank 1
    assert all(scores[m]["q4"] == 1.0 for m in scores)
    for qid, rank in (("q1", 3), ("q2", None)):
        hand = first_hit_rank_metrics(rank)
        assert all(scores[m][qid] == pytest.approx(hand[m]) for m in hand)


def test_metric_names_follow_the_cut_off():
    assert metric_names(10) == ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")
    assert metric_names(3) == ("recall@1", "recall@3", "mrr@3", "ndcg@3")


# --- a scripted run end to end -----------------------------------------------------------------


def _passage(pid: str, start: int, end: int, text: str = "words") -> Passage:
    return Passage(
        id=f"{DOC}/{pid}",
        doc=DOC,
        source=SRC,
        start=start,
        end=end,
        text=text,
        kind="paragraph",
        citation=pid,
    )


class ScriptedPipeline:
    """Returns fixed passages per question: the harness sees it like any pipeline."""

    name = "scripted"
    description = "scripted answers"

    def __init__(self, passages, script):
        self.passages = passages
        self.script = script

    def search(self, query, k, mode):
        return [Retrieved.from_passage(p, 1.0 / i) for i, p in enumerate(self.script[query], start=1)][:k]

    def info(self):
        return {"kind": "library", "description": self.description, "passages": len(self.passages)}


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    """Three real test questions: answered at rank 3 by its line, never coverable, answered first by a
    long passage; run through ``run_eval`` and written out."""
    records = [json.loads(line) for line in Path("eval/gold/test.jsonl").read_text().splitlines() if line]
    records = [r for r in records if r["source"] == SRC and not r["also"]][:3]
    folder = tmp_path_factory.mktemp("gold")
    (folder / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    text = source_text(DOC)
    spans = []
    for r in records:
        start = text.index(r["quote"])
        spans.append((start, start + len(r["quote"])))
    line1 = gold_line(text, *spans[0])
    line3 = gold_line(text, *spans[2])
    exact = _passage("exact", *line1)
    # covers the first 40 % of the second quote only: under half
    partial = _passage("partial", spans[1][0], spans[1][0] + (spans[1][1] - spans[1][0]) * 2 // 5)
    chunk = _passage("chunk", line3[0], line3[1] + 3 * (line3[1] - line3[0]))
    decoy1, decoy2 = _passage("decoy-1", 0, 30), _passage("decoy-2", 40, 80)
    script = {
        records[0]["question"]: [decoy1, decoy2, exact],
        records[1]["question"]: [partial, decoy1],
        records[2]["question"]: [chunk, decoy2],
    }
    pipeline = ScriptedPipeline([exact, partial, chunk, decoy1, decoy2], script)
    config = EvalConfig(gold=(folder / "test.jsonl",), split="test", modes=("hybrid",), pipelines=())
    result = run_eval(config, pipelines=[pipeline])
    out = tmp_path_factory.mktemp("out")
    write_report(result, out)
    line3_len = line3[1] - line3[0]
    return {
        "result": result,
        "records": records,
        "out": out,
        "chunk_purity": line3_len / (chunk.end - chunk.start),
    }


def test_a_scripted_run_scores_as_computed_by_hand(scripted):
    run = scripted["result"].run("scripted", "hybrid")
    m = run.means
    # answered at rank 3, missed, answered at rank 1
    assert m["recall@10"] == pytest.approx(2 / 3)
    assert m["recall@1"] == pytest.approx(1 / 3)
    assert m["mrr@10"] == pytest.approx((1 / 3 + 0 + 1) / 3)
    assert m["ndcg@10"] == pytest.approx((1 / math.log2(4) + 0 + 1) / 3)  # (0.5 + 0 + 1) / 3
    # purity over the two answered questions: the exact line (1.0) and a chunk four lines long (~0.25)
    assert scripted["chunk_purity"] == pytest.approx(0.25, abs=0.01)
    assert m["purity"] == pytest.approx((1.0 + scripted["chunk_purity"]) / 2)


def test_a_question_no_passage_covers_is_a_reported_miss(scripted):
    result = scripted["result"]
    q2 = scripted["records"][1]["id"]
    assert result.uncoverable["scripted"] == [q2]
    by_id = {q.question.id: q for q in result.run("scripted", "hybrid").questions}
    assert by_id[q2].rank is None and by_id[q2].scores["recall@10"] == 0.0
    assert by_id[q2].diagnosis == "no passage covers the answer"
    assert by_id[scripted["records"][0]["id"]].diagnosis == "ranked 3"


def test_missed_targets_name_their_questions(scripted):
    targets = {(t.issue, t.name): t for t in scripted["result"].targets}
    recall = targets[(6, "recall@10 >= 0.90 (hybrid)")]
    assert recall.met is False and [qid for qid, _ in recall.failing] == [scripted["records"][1]["id"]]
    assert targets[(6, "ahead of the naive baseline on every kind (hybrid, ndcg@10)")].met is None
    report = (scripted["out"] / "report.md").read_text()
    assert "**missed**" in report and scripted["records"][1]["id"] in report


def test_the_report_files_are_written(scripted):
    out = scripted["out"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["primary_metric"] == "ndcg@10"
    assert metrics["runs"]["scripted/hybrid"]["means"]["recall@10"] == pytest.approx(2 / 3, abs=1e-6)
    records = [json.loads(line) for line in (out / "per_question.jsonl").read_text().splitlines()]
    assert [r["rank"] for r in records] == [3, None, 1]
    assert (out / "recall_at_k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    q1, q2, q3 = (r["id"] for r in scripted["records"])
    assert (out / "trec" / "qrels.txt").read_text().splitlines() == [
        f"{q} 0 {ANSWER} 1" for q in (q1, q2, q3)
    ]
    answer_run_lines = (out / "trec" / "scripted.hybrid.answer.run").read_text().splitlines()
    assert f"{q1} Q0 {ANSWER} 3 1 scripted.hybrid" in answer_run_lines
    passage_qrels = (out / "trec" / "scripted.qrels.txt").read_text().splitlines()
    assert f"{q1} 0 {DOC}/exact 1" in passage_qrels and not any(line.startswith(q2) for line in passage_qrels)


def test_the_regression_baseline_is_only_written_from_the_gated_run(scripted, tmp_path):
    with pytest.raises(EvalError, match="clause/hybrid"):
        write_gate(scripted["result"], tmp_path / "baseline.json")


# --- the regression gate -----------------------------------------------------------------------


def _gate(ndcg: float, recall: float) -> dict:
    return {
        "date": "2026-01-01",
        "gate": {"run": "clause/hybrid", "metrics": ["ndcg@10", "recall@10"], "tolerance": 0.02},
        "runs": {"clause/hybrid": {"ndcg@10": ndcg, "recall@10": recall}},
    }


def test_the_gate_allows_a_drop_up_to_the_tolerance_and_names_a_larger_one():
    gate = _gate(0.80, 0.90)
    assert gate_failures({"clause/hybrid": {"ndcg@10": 0.785, "recall@10": 0.95}}, gate) == []  # -0.015
    problems = gate_failures({"clause/hybrid": {"ndcg@10": 0.775, "recall@10": 0.90}}, gate)  # -0.025
    assert len(problems) == 1
    assert "ndcg@10 = 0.7750" in problems[0] and "baseline 0.8000" in problems[0]
    with pytest.raises(EvalError, match="clause/hybrid"):
        gate_failures({"naive/hybrid": {}}, gate)


def test_the_committed_baseline_gates_the_served_hybrid_run():
    gate = read_gate(GATE_FILE)
    assert gate["split"] == "test" and gate["gate"]["run"] == "clause/hybrid"
    assert set(gate["gate"]["metrics"]) == {"ndcg@10", "recall@10"}
    assert gate["gate"]["tolerance"] == 0.02
    assert 0.0 < gate["runs"]["clause/hybrid"]["ndcg@10"] <= 1.0


@pytest.mark.slow
@pytest.mark.e2e
def test_hybrid_quality_on_the_test_split_does_not_fall_below_the_baseline(real_index_settings, tmp_path):
    from rag_cli.main import main

    out = tmp_path / "gate"
    args = [
        "-q",
        "eval",
        "--index",
        str(real_index_settings.index.index_dir),
        "--modes",
        "hybrid",
        "--no-baseline",
    ]
    assert main([*args, "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    runs = {key: run["means"] for key, run in metrics["runs"].items()}
    gate = read_gate(GATE_FILE)
    now, then = runs["clause/hybrid"], gate["runs"]["clause/hybrid"]
    print(
        f"clause/hybrid on test: nDCG@10 {now['ndcg@10']:.4f} (baseline {then['ndcg@10']:.4f}), "
        f"Recall@10 {now['recall@10']:.4f} (baseline {then['recall@10']:.4f})"
    )
    problems = gate_failures(runs, gate)
    assert not problems, "retrieval quality fell below eval/baseline.json:\n" + "\n".join(problems)


# --- the naive baseline ------------------------------------------------------------------------


class CountingEncoder(HashEncoder):
    def __init__(self) -> None:
        super().__init__(dim=32)
        self.embedded = 0

    def embed_passages(self, texts, *, show_progress=None):
        self.embedded += len(texts)
        return super().embed_passages(texts, show_progress=show_progress)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    return load_corpus(make_corpus(tmp_path_factory.mktemp("naive") / "corpus"))


def test_chunks_keep_their_place_in_the_file(small_corpus):
    chunks = split_corpus(small_corpus)
    assert len({c.id for c in chunks}) == len(chunks) > 2
    for c in chunks:
        text = small_corpus.text(small_corpus.get(c.doc))
        assert text[c.start : c.end] == c.text
        assert len(c.text) <= 1000
    outline = [c for c in chunks if c.doc != "plain-notes"]
    # in file order; consecutive chunks overlap by at most 200 characters (a split may leave a gap)
    assert all(
        a.start < b.start and a.end - b.start <= 200 for a, b in zip(outline, outline[1:], strict=False)
    )


def test_chunk_overlap_must_stay_below_chunk_size():
    with pytest.raises(ConfigError, match="chunk_overlap"):
        ChunkParams(chunk_size=100, chunk_overlap=100)


def test_the_baseline_searches_every_mode_and_reuses_its_embeddings(small_corpus, tmp_path):
    settings = get_settings()
    encoder = CountingEncoder()
    index = NaiveIndex.build(small_corpus, encoder, settings, cache_dir=tmp_path)
    first = encoder.embedded
    assert first == len(index.passages)
    for mode in ("bm25", "dense", "hybrid"):
        hits = index.search("handbooks on technology transfer and applied research", 3, mode)
        assert 1 <= len(hits) <= 3
    top, _ = index.search("handbooks on technology transfer and applied research", 1, "bm25")[0]
    assert "handbooks on technology transfer" in top.text
    NaiveIndex.build(small_corpus, encoder, settings, cache_dir=tmp_path)
    assert encoder.embedded == first  # every vector came from the cache
    vectors = embed_cached(["a new text"], encoder, tmp_path)
    assert vectors.shape == (1, 32) and encoder.embedded == first + 1


# --- variants ----------------------------------------------------------------------------------


def test_a_variant_names_its_base_and_its_settings():
    v = parse_variant("rrf30:rrf_k=30,weight_dense=1.5")
    assert (v.name, v.kind, dict(v.overrides)) == ("rrf30", "library", {"rrf_k": 30, "weight_dense": 1.5})
    n = parse_variant("small@naive:chunk_size=500,chunk_overlap=100")
    assert n.kind == "naive" and n.overrides["chunk_size"] == 500
    assert parse_variant("w:fusion=weighted").overrides["fusion"] == "weighted"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("rrf30", "no settings"),
        ("x@nope:rrf_k=1", "unknown pipeline"),
        ("x:rrf_k", "not KEY=VALUE"),
        ("Bad Name:rrf_k=1", "pipeline name"),
    ],
)
def test_a_malformed_variant_is_refused(spec, message):
    with pytest.raises(ConfigError, match=message):
        parse_variant(spec)


def test_variant_settings_are_validated():
    base = make_settings()
    assert settings_with(base, {"rrf_k": 30}).retrieval.rrf_k == 30
    with pytest.raises(ConfigError, match="unknown setting"):
        settings_with(base, {"rrf_kk": 30})
    with pytest.raises(ConfigError, match="RRF_K"):
        settings_with(base, {"rrf_k": 0})


# --- scoring a service -------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the http.server naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["query"] == "boom":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"internal error")
            return
        results = [
            {
                "rank": 1,
                "score": 0.9,
                "id": f"{DOC}/a",
                "doc": DOC,
                "source": SRC,
                "start": 10,
                "end": 20,
                "citation": "A",
                "text": "a",
            },
            {
                "rank": 2,
                "score": 0.5,
                "id": f"{DOC}/b",
                "doc": DOC,
                "source": SRC,
                "start": 30,
                "end": 90,
                "fragments": [[30, 40], [80, 90]],
                "citation": "B",
            },
        ]
        if body["query"] == "broken":
            del results[0]["source"]
        payload = json.dumps({"query": body["query"], "results": results[: body["k"]]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_service_is_scored_from_its_result_spans(service):
    api = ApiPipeline(service + "/")
    hits = api.search("anything", 10, "hybrid")
    assert [h.id for h in hits] == [f"{DOC}/a", f"{DOC}/b"]
    assert hits[0].spans == ((10, 20),) and hits[1].spans == ((30, 40), (80, 90))
    assert api.passages is None


def test_service_errors_are_reported_with_what_to_do(service):
    api = ApiPipeline(service)
    with pytest.raises(EvalError, match="answered 500"):
        api.search("boom", 10, "hybrid")
    with pytest.raises(EvalError, match="source"):
        api.search("broken", 10, "hybrid")
    with pytest.raises(EvalError, match="cannot reach"):
        ApiPipeline("http://127.0.0.1:9", timeout=2).search("x", 10, "hybrid")
