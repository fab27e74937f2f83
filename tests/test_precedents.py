"""Precedent search: role detection, shingles and shared wording, and drafts against the real index."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from rag.errors import ConfigError, QueryError
from rag.index.shingles import ShingleIndex, Words
from rag.precedents.finder import find_precedents, near_duplicates, shared_sequences
from rag.query.drafts import draft_role, looks_like_draft, role_from_str, role_matches
from rag.types import ClauseRole, Passage

# ------------------------------------------------------------------------------------------------
# Drafts and roles


@pytest.mark.parametrize(
    ("draft", "role", "verb"),
    [
        ("instructs the Director of BDT to continue to develop handbooks", "instructs", "instruct"),
        ("Recognising further that digital skills are essential", "recognizing", "recogniz"),
        ("4\tinvites Member States to share good practice", "invites", "invit"),
        ("resolves to instruct the Director of BDT to support ATU", "resolves", "instruct"),
        ("a) noting with concern that one third of the world is offline", "noting", "not"),
        ("calls upon Member States to act", "calls upon", "call"),
    ],
)
def test_draft_role_reads_the_opening_role(draft: str, role: str, verb: str) -> None:
    found = draft_role(draft)
    assert found is not None
    assert found.role.value == role
    assert found.verb.startswith(verb[:5]) and verb.startswith(found.verb[:5])


def test_draft_role_reads_the_addressee_of_an_operative_clause() -> None:
    found = draft_role("invites Member States, Sector Members and Academia to promote AI")
    assert found is not None
    assert found.addressee == ("member", "states", "sector", "members", "academia")
    inner = draft_role("resolves to instruct the Director of BDT to support ATU")
    assert inner is not None and inner.addressee == ("director", "bdt")


@pytest.mark.parametrize(
    ("value", "role"),
    [("recognising", "recognizing"), ("Instructs", "instructs"), ("calls_upon", "calls upon")],
)
def test_role_names_are_read_as_drafters_type_them(value: str, role: str) -> None:
    assert role_from_str(value).value == role


def test_an_unknown_role_name_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="recognizing"):
        role_from_str("ponders")


@pytest.mark.parametrize("text", ["to develop handbooks on transfer", "Digital skills for all", ""])
def test_text_without_an_opening_role_has_none(text: str) -> None:
    assert draft_role(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("instructs the Director of BDT to collect and publish good practices on IMT", True),
        ("What does Resolution 15 instruct BDT to do about handbooks?", False),
        ("Which resolution resolves that rural areas need renewable energy", False),
        ("invites Member States to act", False),  # a role and too few words: a search, not a draft
        ("digital skills", False),
        (
            "Supporting countries in the region to adopt standards and measures to shield children on the "
            "internet, including legal rules and technical safeguards",
            True,
        ),
    ],
)
def test_looks_like_draft_tells_drafts_from_questions(text: str, expected: bool) -> None:
    assert looks_like_draft(text) is expected


# ------------------------------------------------------------------------------------------------
# Words, shingles, shared sequences


def test_words_fold_case_punctuation_and_british_spellings_and_keep_spans() -> None:
    text = "Recognising the Programme's aims"
    w = Words.of(text)
    assert w.words == ("recognizing", "the", "program", "s", "aims")
    assert [text[a:b] for a, b in w.spans] == ["Recognising", "the", "Programme", "s", "aims"]


def test_shared_sequences_are_maximal_longest_first_and_not_overlapping() -> None:
    draft = Words.of("to continue to develop handbooks on technology transfer and ensure their use")
    passage = Words.of("to develop handbooks on technology transfer, and to ensure their use widely")
    runs = shared_sequences(draft, passage)
    # "to develop handbooks on technology transfer and" (7 words) then "ensure their use" (3)
    assert runs == [(2, 0, 7), (9, 8, 3)]


def test_shared_sequences_of_stop_words_alone_do_not_count() -> None:
    assert (
        shared_sequences(Words.of("one of the and of the two"), Words.of("three of the and of the four"))
        == []
    )


@pytest.fixture
def small_index() -> ShingleIndex:
    return ShingleIndex(
        [
            "to develop handbooks on technology transfer",  # 6 words: 4 shingles
            # shares two shingles: "to develop handbooks", "develop handbooks on"
            "to develop handbooks on applied research",
            "space connectivity for rural areas",
        ]
    )


def test_shingle_dice_by_hand(small_index: ShingleIndex) -> None:
    keys = Words.of("to develop handbooks on technology transfer").shingles()
    dice = small_index.dice(keys)
    # row 0: 2*4/(4+4) = 1.0; row 1: 2*2/(4+4) = 0.5; row 2: nothing shared
    assert np.allclose(dice, [1.0, 0.5, 0.0])


def test_rows_holding_finds_whole_word_sequences_only(small_index: ShingleIndex) -> None:
    assert small_index.rows_holding(["develop", "handbooks", "on"]) == [0, 1]
    assert small_index.rows_holding(["technology", "transfer"]) == [0]
    assert small_index.rows_holding(["velop", "handbooks"]) == []


# ------------------------------------------------------------------------------------------------
# The real index


def _reword(text: str, rng: random.Random) -> str:
    """A drafter's light edit: one word replaced, one dropped, one added."""
    words = text.split()
    i = rng.randrange(1, len(words) - 1)
    words[i] = "relevant" if words[i] != "relevant" else "appropriate"
    del words[rng.randrange(1, len(words) - 1)]
    words.insert(rng.randrange(1, len(words)), "also")
    return " ".join(words)


@pytest.mark.slow
def test_a_lightly_reworded_clause_finds_its_original_first(real_searcher) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    clauses = [
        p
        for p in real_searcher.passages
        if p.kind == "clause"
        and p.clause in {"instructs", "invites", "resolves"}
        and 15 <= len(p.text.split()) <= 60
    ]
    sample = rng.sample(clauses, 25)
    first = 0
    for p in sample:
        lead = (p.lead_in or p.clause or "").split(",")[0]
        draft = f"{lead} {_reword(p.text, rng)}"
        found = find_precedents(real_searcher.context, draft, k=3)
        assert found.results, draft
        first += found.results[0].passage.id == p.id or any(
            d.id == p.id for d, _ in found.results[0].duplicates
        )
    assert first >= 24, f"{first} of 25 reworded clauses found their original first"


@pytest.mark.slow
def test_precedent_reports_role_wording_and_shared_runs(real_searcher) -> None:  # type: ignore[no-untyped-def]
    original = real_searcher.get("wtdc-25-final-report/res-15/instructs/4")
    draft = "instructs the Director of BDT " + original.text.replace("develop", "produce")
    found = find_precedents(real_searcher.context, draft, k=5)
    top = found.results[0]
    assert top.passage.id == original.id
    assert found.clause is ClauseRole.INSTRUCTS and found.clause_source == "detected"
    assert top.same_role and 0.5 < top.wording < 1.0 and top.meaning > 0.8
    assert top.shared, "the shared word runs are listed"
    # who else holds a run, found independently of the shingle index: a plain search of folded words
    folded = [" " + " ".join(Words.of(p.text).words) + " " for p in real_searcher.passages]
    for run in top.shared:
        assert run.words >= 3
        assert original.text[run.passage[0] : run.passage[1]] == run.text
        draft_words = re.findall(r"\w+", draft[run.draft[0] : run.draft[1]].lower())
        assert draft_words == re.findall(r"\w+", run.text.lower())
        needle = " " + " ".join(Words.of(run.text).words) + " "
        holders = {p.id for p, words in zip(real_searcher.passages, folded, strict=True) if needle in words}
        assert original.id in holders and run.also_in == len(holders) - 1


@pytest.mark.slow
def test_a_given_clause_role_comes_first(real_searcher) -> None:  # type: ignore[no-untyped-def]
    found = find_precedents(
        real_searcher.context, "digital skills for women and girls in rural areas", clause="recognizing", k=5
    )
    assert found.clause_source == "given"
    assert all(r.same_role for r in found.results)
    assert all(r.passage.clause == "recognizing" for r in found.results)


def test_an_agreed_text_in_the_first_person_speaks_in_the_verbs_role() -> None:
    def declaration(text: str, instrument: str | None = "Baku Declaration") -> Passage:
        return Passage(
            id="d/x",
            doc="d",
            source="s.txt",
            start=0,
            end=len(text),
            text=text,
            kind="clause",
            citation="c",
            clause="affirms",
            instrument=instrument,
        )

    calls = draft_role("calls upon all policy-makers to adopt human-centric approaches")
    assert calls is not None
    assert role_matches(calls, declaration("We call upon all policy-makers and stakeholders to adopt ..."))
    assert role_matches(
        calls, declaration("Accordingly, we declare our commitment ... and call upon Member States")
    )
    assert not role_matches(calls, declaration("We support universal and meaningful connectivity"))
    # a speech is no agreed text
    assert not role_matches(calls, declaration("We call upon all delegations", instrument=None))


@pytest.mark.slow
def test_a_declaration_paragraph_is_found_for_a_first_person_draft(real_searcher) -> None:  # type: ignore[no-untyped-def]
    draft = (
        "calls upon all policy-makers and stakeholders to take human-centric, risk-informed approaches "
        "to digital transformation and to implement policies promoting affordability of ICT services"
    )
    first = find_precedents(real_searcher.context, draft, k=3).results[0]
    assert first.same_role and first.passage.instrument == "Baku Declaration"
    assert first.passage.text.startswith("We call upon all policy-makers")


@pytest.mark.slow
def test_near_duplicates_are_grouped_under_one_result(real_searcher) -> None:  # type: ignore[no-untyped-def]
    # find a passage whose wording recurs elsewhere (agreed language), then draft from it
    row = next(
        r
        for r, p in enumerate(real_searcher.passages)
        if p.kind == "clause" and len(p.text.split()) >= 15 and near_duplicates(real_searcher.context, r)
    )
    text = real_searcher.passages[row].text
    grouped = find_precedents(real_searcher.context, text, k=5)
    ungrouped = find_precedents(real_searcher.context, text, k=5, group=False)
    ids = [r.passage.id for r in grouped.results]
    assert len(ids) == len(set(ids))
    members = {d.id for r in grouped.results for d, _ in r.duplicates}
    assert not members & set(ids), "a near-duplicate of an earlier result is folded into its group"
    assert grouped.results[0].duplicates, "the recurring wording lists its other texts"
    assert all(dice >= 0.6 for _, dice in grouped.results[0].duplicates)
    assert len({r.passage.id for r in ungrouped.results} & members) >= 1


@pytest.mark.slow
def test_search_ranks_a_drafts_precedent_first_without_pinning_what_it_mentions(real_searcher) -> None:  # type: ignore[no-untyped-def]
    draft = (
        "instructs the Director of BDT to keep producing manuals addressing technology transfer, as in "
        "Resolution 15, and make sure these manuals are disseminated to developing countries"
    )
    hits = real_searcher.search(draft, k=5).hits
    assert hits[0].passage.id == "wtdc-25-final-report/res-15/instructs/4"
    assert not any(h.pinned for h in hits)


@pytest.mark.slow
def test_find_precedents_rejects_an_empty_draft_and_a_bad_k(real_searcher) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError, match="no words"):
        find_precedents(real_searcher.context, " ... ")
    with pytest.raises(QueryError, match="k must be"):
        find_precedents(real_searcher.context, "invites Member States to act now", k=0)
