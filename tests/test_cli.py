"""The `rag build`, `search`, `ask` and `context` commands (real model on a two-document corpus)."""

from __future__ import annotations

import json

import pytest

from rag.config import get_settings
from rag_cli.main import main
from tests.retrieval_fixtures import make_corpus


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    corpus = make_corpus(root / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAG_CORPUS_DIR", str(corpus))
        mp.setenv("RAG_INDEX_DIR", str(root / "index"))
        # the packaged model: the fine-tuned one is trained on the real corpus, never on this small one
        mp.setenv("RAG_ENCODER", "stock")
        get_settings.cache_clear()
        yield root
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def built(env):
    assert main(["-q", "build"]) == 0
    return env


@pytest.mark.slow
def test_build_prints_a_summary_then_is_a_no_op(built, capsys):
    assert (built / "index" / "manifest.json").is_file()
    assert (built / "index" / "encoder" / "model.onnx").is_file()
    assert main(["-q", "build"]) == 0
    assert "is up to date" in capsys.readouterr().out


@pytest.mark.slow
def test_search_prints_rank_citation_and_highlighted_snippet(built, capsys):
    assert main(["-q", "search", "handbooks technology transfer", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("  1. Plain Notes")
    assert "[handbooks]" in out and "[technology]" in out


@pytest.mark.slow
def test_search_json_has_query_mode_and_full_results(built, capsys):
    assert (
        main(
            ["-q", "search", "digital skills", "-k", "3", "--mode", "bm25", "--doc", "plain-notes", "--json"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "digital skills" and data["mode"] == "bm25"
    assert [r["rank"] for r in data["results"]] == [1, 2, 3][: len(data["results"])]
    assert all(r["doc"] == "plain-notes" and "citation" in r and "score" in r for r in data["results"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "  "], "the query is empty"),
        (["search", "x", "-k", "0"], "k must be an integer from 1 to 100"),
        (["search", "x", "--mode", "fuzzy"], "choose one of: hybrid, bm25, dense"),
        (["search", "x", "--clause", "resolving"], "choose one of: recalling"),
        (["search", "x", "--doc", "nope"], "choose one of: wtpf-26-first-draft-outline, plain-notes"),
    ],
)
def test_bad_search_input_exits_1_with_one_line(built, capsys, args, message):
    assert main(["-q", *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err


def test_search_without_an_index_names_rag_build(tmp_path, capsys):
    assert main(["-q", "search", "digital", "--index", str(tmp_path / "none")]) == 1
    assert "run `rag build`" in capsys.readouterr().err


@pytest.mark.slow
def test_ask_prints_the_quoted_answer_and_what_each_number_cites(built, capsys):
    assert main(["-q", "ask", "Who publishes handbooks on technology transfer?", "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("answer (extractive, from the top 3 passages):\n")
    assert "The Bureau shall publish handbooks on technology transfer and applied research every two" in out
    assert "citations:\n  [1] " in out
    assert "  [1] Plain Notes, paragraph at line 5\n      plain-notes/p3\n" in out


@pytest.mark.slow
def test_ask_json_has_the_post_ask_fields_and_honours_filters(built, capsys):
    assert main(["-q", "ask", "digital skills strategies", "--doc", "plain-notes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered_by"] == "extractive" and data["notice"] is None
    assert data["question"] == "digital skills strategies" and len(data["results"]) == 5
    assert {r["doc"] for r in data["results"]} == {"plain-notes"}
    ids = {r["id"] for r in data["results"]}
    for c in data["citations"]:
        assert c["id"] in ids and f"[{c['n']}]" in data["answer"]
    assert data["citations"][0]["id"] == "plain-notes/p2"


@pytest.mark.slow
def test_context_prints_the_passage_between_its_neighbours(built, capsys):
    assert main(["-q", "context", "plain-notes/p3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("plain-notes/p3\n  Plain Notes, paragraph at line 5\n")
    assert "    The Bureau shall publish handbooks on technology transfer" in out
    assert "  previous: plain-notes/p2  Plain Notes, paragraph at line 3\n" in out
    assert "  next: plain-notes/p4  Plain Notes, paragraph at line 7\n" in out
    assert main(["-q", "context", "plain-notes/p1"]) == 0
    assert "  previous: none (the first passage of plain-notes)" in capsys.readouterr().out


@pytest.mark.slow
def test_context_json_has_the_passage_parent_and_neighbours(built, capsys):
    assert main(["-q", "context", "wtpf-26-first-draft-outline/1.2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["passage"]["id"] == "wtpf-26-first-draft-outline/1.2"
    assert data["previous"]["id"] == "wtpf-26-first-draft-outline/1.1"
    assert data["next"]["id"] == "wtpf-26-first-draft-outline/1.3"
    assert data["parent"]["path"] == data["passage"]["path"] and data["parent"]["heading"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("passage_id", "hint"),
    [
        ("plain-notes/p33", "(did you mean plain-notes/p3"),
        ("plain-notes/zzzzzzzzzz", "(list the ids of plain-notes with `rag passages --doc plain-notes`)"),
        ("zzz/9", "(wtpf-26-first-draft-outline, plain-notes); list them with `rag passages --doc DOC`)"),
    ],
)
def test_an_unknown_passage_says_what_to_do_next(built, capsys, passage_id, hint):
    assert main(["-q", "context", passage_id]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: unknown passage '{passage_id}' (") and hint in err


@pytest.mark.slow
def test_a_blank_question_exits_1_with_one_line(built, capsys):
    assert main(["-q", "ask", "  "]) == 1
    assert capsys.readouterr().err.startswith("error: the query is empty")


@pytest.mark.parametrize("command", [["ask", "digital"], ["context", "plain-notes/p1"]])
def test_ask_and_context_without_an_index_name_rag_build(tmp_path, capsys, command):
    assert main(["-q", *command, "--index", str(tmp_path / "none")]) == 1
    assert "run `rag build`" in capsys.readouterr().err


def test_passages_command_still_works(capsys):
    assert main(["-q", "passages", "--doc", "wtpf-26-first-draft-outline"]) == 0
    assert "wtpf-26-first-draft-outline/" in capsys.readouterr().out


@pytest.mark.slow
def test_add_prints_what_was_understood_and_search_cites_the_clause(built, capsys):
    from tests.conftest import more_file

    corpus = built / "corpus"
    assert main(["-q", "add", str(more_file("a-res-79-277.pdf"))]) == 0
    out = capsys.readouterr().out
    assert "added a-res-79-277: a-res-79-277.source.pdf (pdf, 3 pages)" in out
    assert "cited as:    A/RES/79/277" in out and "UNGA-79, 2025-03-25" in out
    assert "clauses by role: decides 5, recalling 3" in out
    # the build embedded the new document's passages only: the others came from the cache
    lines = out.strip().splitlines()
    summary = next(line for line in lines if line.startswith("built "))
    assert "(1 parsed)" in summary
    # then where the time went, the multilingual vectors of the new passages among it
    assert lines[-1].startswith("build ") and "multilingual vectors" in lines[-1]
    assert (corpus / "a-res-79-277.txt").is_file() and (corpus / "a-res-79-277.source.pdf").is_file()

    assert main(["-q", "search", "two-day high-level meeting overall review", "-k", "1", "--json"]) == 0
    top = json.loads(capsys.readouterr().out)["results"][0]
    assert top["id"] == "a-res-79-277/op-1" and top["citation"] == "A/RES/79/277, operative paragraph 1"

    assert main(["-q", "passages", "--stats", "--doc", "a-res-79-277"]) == 0
    stats = capsys.readouterr().out
    assert "instruments (1): A/RES/79/277" in stats and "clauses by role:" in stats


@pytest.mark.slow
def test_add_refuses_a_bad_file_and_a_second_copy_then_remove_undoes_the_add(built, capsys, tmp_path):
    from tests.conftest import more_file

    corpus = built / "corpus"
    before = sorted(p.name for p in corpus.iterdir())
    fake = tmp_path / "resolution.docx"
    fake.write_bytes(b"%PDF-1.7 not a Word file")
    assert main(["-q", "add", str(fake), str(more_file("a-res-80-16.md"))]) == 1
    assert "resolution.docx is not a Word document (.docx): its bytes are a PDF" in capsys.readouterr().err
    assert sorted(p.name for p in corpus.iterdir()) == before  # one bad file: nothing added

    assert main(["-q", "add", str(more_file("a-res-80-16.md")), "--id", "oewg", "--no-build"]) == 0
    assert "run `rag build`" in capsys.readouterr().out
    assert main(["-q", "add", str(more_file("a-res-80-16.md"))]) == 1
    assert "already in the corpus as 'oewg'" in capsys.readouterr().err
    assert main(["-q", "remove", "oewg"]) == 0
    assert "removed oewg" in capsys.readouterr().out
    assert sorted(p.name for p in corpus.iterdir() if not p.name.startswith(".")) == [
        n for n in before if not n.startswith(".")
    ]
    assert main(["-q", "remove", "plain-notes"]) == 1
    assert "was not added with `rag add`" in capsys.readouterr().err
