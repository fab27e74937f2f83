"""The search facade: modes, filters, phrases, references, input checks; one real end-to-end run."""

from __future__ import annotations

import pytest

from rag.errors import ConfigError, QueryError
from rag.index.encoders import HashEncoder
from rag.index.phrases import PhraseIndex
from rag.index.store import build_index
from rag.rank.assemble import highlight_spans
from rag.rank.search import Searcher
from rag.types import SearchFilters
from tests.retrieval_fixtures import make_corpus, settings_for

ENCODER = HashEncoder(dim=64)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    settings = settings_for(make_corpus(root / "corpus"), root / "index")
    build_index(settings, encoder=ENCODER)
    return Searcher.load(settings, encoder=ENCODER)


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_every_mode_answers_with_ranked_passages(searcher, mode):
    results = searcher.search("handbooks on technology transfer", k=3, mode=mode)
    assert results.mode == mode and 1 <= len(results.hits) <= 3
    assert [h.rank for h in results.hits] == list(range(1, len(results.hits) + 1))
    assert results.hits[0].passage.doc == "plain-notes"
    assert "technology transfer" in results.hits[0].passage.text


def test_hybrid_hits_carry_ranks_in_both_modes(searcher):
    hit = searcher.search("handbooks on technology transfer", k=1).hits[0]
    assert hit.ranks["bm25"] == 1 and "dense" in hit.ranks


def test_filters_combine_and_restrict_inside_retrieval(searcher):
    results = searcher.search("digital", k=5, filters=SearchFilters(doc=("wtpf-26-first-draft-outline",)))
    assert results.hits and all(h.passage.doc == "wtpf-26-first-draft-outline" for h in results.hits)
    allowed = [p for p in searcher.passages if p.doc == "plain-notes" and p.kind == "paragraph"]
    results = searcher.search(
        "digital divide",
        k=len(allowed),
        mode="dense",
        filters=SearchFilters(doc=("plain-notes",), kind=("paragraph",)),
    )
    assert len(results.hits) == len(allowed)  # k exist, k come back


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (
            SearchFilters(doc=("nope",)),
            "unknown doc 'nope'; choose one of: wtpf-26-first-draft-outline, plain-notes",
        ),
        (SearchFilters(clause=("resolving",)), "unknown ClauseRole 'resolving'; choose one of: recalling"),
        (SearchFilters(kind=("chapter",)), "unknown PassageKind 'chapter'; choose one of: clause"),
        (SearchFilters(instrument=("Resolution 999",)), "unknown instrument 'Resolution 999'"),
    ],
)
def test_unknown_filter_values_list_the_valid_ones(searcher, filters, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        searcher.search("digital", filters=filters)


@pytest.mark.parametrize(
    ("query", "k", "mode", "error", "message"),
    [
        ("", 10, "hybrid", QueryError, "empty"),
        ("   \n\t", 10, "hybrid", QueryError, "empty"),
        ("digital", 0, "hybrid", QueryError, "k must be an integer from 1 to 100"),
        ("digital", 101, "hybrid", QueryError, "from 1 to 100"),
        ("digital", 10, "semantic", ConfigError, "choose one of: hybrid, bm25, dense"),
        ("x" * 2001, 10, "hybrid", QueryError, "limit is 2000"),
    ],
)
def test_bad_input_is_rejected_with_the_valid_choices(searcher, query, k, mode, error, message):
    with pytest.raises(error, match=message):
        searcher.search(query, k=k, mode=mode)


def test_quoted_phrase_restricts_results_to_passages_holding_it(searcher):
    results = searcher.search('"DIGITAL   divide" satellites', k=10)
    assert results.hits
    assert all("digital divide" in h.passage.text.lower() for h in results.hits)
    assert searcher.search('"no passage says this"', k=10).hits == ()


def test_phrase_matching_ignores_case_line_breaks_nbsp_and_punctuation():
    index = PhraseIndex(["Member\u00a0States,\nSector Members", "member states only", "members states"])
    assert index.rows(["member", "states", "sector"]).tolist() == [True, False, False]
    assert index.rows(["member", "states"]).tolist() == [True, True, False]
    assert index.rows(["states"]).tolist() == [True, True, True]
    assert index.rows(["state"]).tolist() == [False, False, False]  # whole words only


def test_exact_word_sequence_adds_a_phrase_run_in_hybrid(searcher):
    hit = searcher.search("bridge the digital divide", k=1).hits[0]
    assert hit.ranks.get("phrase") == 1
    assert "bridge the digital divide" in hit.passage.text


def test_references_put_the_named_passage_first(searcher):
    target = next(p for p in searcher.passages if p.doc == "wtpf-26-first-draft-outline" and p.label == "1.2")
    for mode in ("bm25", "dense", "hybrid"):
        results = searcher.search("WTPF-26 §1.2", k=5, mode=mode)
        assert results.hits[0].passage.id == target.id and results.hits[0].pinned
        assert results.hits[0].ranks["reference"] == 1
        assert len(results.hits) == 5  # the rest follows the words


def test_json_record_has_rank_score_and_every_passage_field(searcher):
    record = searcher.search("digital skills", k=1).to_dict()
    assert set(record) == {"query", "mode", "lang", "results"}
    assert record["lang"] == "en"
    first = record["results"][0]
    assert {
        "rank",
        "score",
        "id",
        "doc",
        "source",
        "start",
        "end",
        "text",
        "label",
        "clause",
        "addressee",
        "instrument",
        "path",
        "citation",
        "context",
    } <= set(first)


def test_highlight_spans_match_query_words_after_folding():
    text = "Handbooks on technology transfer"
    assert [text[a:b] for a, b in highlight_spans(text, "handbook transfers")] == ["Handbooks", "transfer"]


# --- real model, real corpus (one build per session) -------------------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_real_corpus_end_to_end(real_searcher):
    s = real_searcher
    ids = {p.id for p in s.passages}
    assert len(ids) > 5000

    def top(query: str, k: int = 3, **kw) -> list[str]:
        return [h.passage.id for h in s.search(query, k=k, **kw).hits]

    target = "wtdc-25-final-report/res-15/instructs/4"
    assert target in ids
    assert top("Resolution 15 instructs handbooks", 1) == [target]
    assert target in top("what did WTDC ask BDT to do about technology transfer handbooks", 3)
    # references resolve whatever the parsers call things: checked through the passages' own fields
    para = next(p for p in s.passages if p.doc == "wtpf-26-sg-report" and p.label == "7.9.6")
    assert top("WTPF-26 §7.9.6", 1) == [para.id]
    result = next(
        p
        for p in s.passages
        if p.instrument == "Regional initiative AFR1"
        and p.kind == "result"
        and p.citation.endswith("expected result 13")
    )
    assert top("AFR1 expected result 13", 1) == [result.id]
    # filters inside retrieval
    hits = s.search("digital skills", k=10, filters=SearchFilters(clause=("instructs",))).hits
    assert len(hits) == 10 and all(h.passage.clause == "instructs" for h in hits)
    # quoted phrase across NBSP in the source ("Resolution\u00a064")
    hits = s.search('"Resolution 64" consumers', k=5).hits
    assert hits and all("resolution 64" in h.passage.text.lower().replace("\u00a0", " ") for h in hits)


@pytest.mark.slow
def test_a_quoted_heading_finds_the_text_under_it(real_searcher):
    # "convinced" heads a section of Resolution 1's Recommendation template; its text does not repeat it
    query = 'what goes in the "convinced" section of the Recommendation template'
    hits = real_searcher.search(query, k=5).hits
    assert hits
    first = hits[0].passage
    assert "convinced" not in first.text.lower() and "convinced" in first.context.lower()
    assert first.instrument and first.instrument.startswith("Resolution 1 ")
    # where passages' own words hold the phrase, only those count, context or not
    held = real_searcher.search('"technology transfer" handbooks', k=5).hits
    assert held and all("technology transfer" in h.passage.text.lower() for h in held)


@pytest.mark.slow
def test_an_instrument_and_a_role_verb_pin_that_block(real_searcher):
    hits = real_searcher.search("What does Resolution 15 recall?", k=5).hits
    assert all(h.pinned and h.passage.clause == "recalling" for h in hits)
    assert all(h.passage.instrument.startswith("Resolution 15 ") for h in hits)
    # no role verb: the instrument's passages are boosted, not pinned
    hits = real_searcher.search("What does Resolution 31 say about regional preparatory meetings?", k=5).hits
    assert not any(h.pinned for h in hits)
    # a reference question ("which texts recall ...") is about the citing texts, not the block
    hits = real_searcher.search("Which texts recall Resolution 15?", k=5).hits
    assert hits and not any(h.passage.instrument.startswith("Resolution 15 ") for h in hits)
