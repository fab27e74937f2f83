"""Query spelling: misspelt words read as the corpus words they misspell, everything else as typed."""

from __future__ import annotations

from collections import Counter

import pytest

from rag.query.spelling import Correction, SpellingCorrector, apply_corrections, english_words

CORPUS = Counter(
    {
        "cybersecurity": 120,
        "capacity": 300,
        "building": 200,
        "telecommunication": 2000,
        "telecomunication": 1,  # the corpus's own typo
        "emergency": 150,
        "resolution": 900,
        "resolutions": 400,
        "policy": 80,
        "police": 80,
        "knowledge": 300,
        "acknowledge": 20,
    }
)
ENGLISH = {
    "deputize": 10,
    "poorer": 50,
    "lenders": 30,
    "policy": 900,
    "police": 900,
    "speaker": 400,
    "spender": 5,
}


@pytest.fixture(scope="module")
def speller() -> SpellingCorrector:
    return SpellingCorrector(CORPUS, ENGLISH)


@pytest.mark.parametrize(
    ("query", "read"),
    [
        ("cybersecurty capacity bulding", "cybersecurity capacity building"),
        ("emergancy plans", "emergency plans"),  # one letter replaced
        ("ressolution", "resolution"),  # one doubled
        ("Resolutoin 15", "resolution 15"),  # two swapped
        ("telecommuncation", "telecommunication"),  # one dropped, and a rare corpus typo is no excuse
        ("telecomunication", "telecommunication"),  # the corpus's typo itself, 2000 times rarer
        ("aknowledge", "acknowledge"),  # one edit from "knowledge" too, but the first letter is kept
        ("speakeer", "speaker"),  # no corpus word near: an English word one edit away
        ("deputise", "deputise"),  # British spelling of an English word: as typed
    ],
)
def test_misspelt_words_are_read_as_the_corpus_words(speller, query, read):
    corrected = speller.correct(query)
    assert corrected.text == read
    assert bool(corrected.corrections) == (read != query)


@pytest.mark.parametrize(
    "query",
    [
        "poorer lenders",  # English words the corpus lacks
        "telecoms resolutions",  # forms BM25 folds onto corpus tokens
        "CyberTracks ITU-D BDT",  # names and acronyms
        "Res 15 AFR1 7.9.6",  # short words, codes, numbers
        "polic",  # two corpus words at the same distance and frequency: no guess
        "zzzzzzzz",  # nothing near
        "ciberseguridad capacitty desarrollo",  # mostly words nothing is near: another language
    ],
)
def test_everything_else_is_read_as_typed(speller, query):
    corrected = speller.correct(query)
    assert corrected.text == query and corrected.corrections == ()


def test_corrections_say_where_the_query_has_the_word(speller):
    query = "The emergancy plans"
    (c,) = speller.correct(query).corrections
    assert (c.typed, c.corrected) == ("emergancy", "emergency") and query[
        c.span[0] : c.span[1]
    ] == "emergancy"
    assert apply_corrections(
        "Emergancy? emergancy-plans", [Correction("emergancy", "emergency", (0, 9))]
    ) == ("Emergancy? emergency-plans")


def test_the_english_word_list_ships_with_its_package():
    words = english_words()
    assert len(words) > 100_000
    assert {"lenders", "outlawing", "poorer"} <= words.keys()
    assert not {"cybersecurty", "emergancy", "goverment"} & words.keys()


@pytest.mark.slow
def test_typos_find_what_the_right_spelling_finds_in_the_real_corpus(real_searcher):
    typed = real_searcher.search("emergancy telecomunications for small islnad developing states", k=5)
    right = real_searcher.search("emergency telecommunications for small island developing states", k=5)
    assert [(c.typed, c.corrected) for c in typed.corrections] == [
        ("emergancy", "emergency"),
        ("telecomunications", "telecommunications"),
        ("islnad", "island"),
    ]
    assert [h.passage.id for h in typed.hits] == [h.passage.id for h in right.hits]
    assert right.corrections == () and "corrections" not in right.to_dict()
    # a quoted phrase means exactly what it says: never corrected
    quoted = real_searcher.search('"emergancy telecommunications"', k=5)
    assert quoted.corrections == () and quoted.hits == ()
