"""ITU vocabulary: acronym definitions mined from the corpus, spelling folding, query expansion."""

from __future__ import annotations

import pytest

from rag.index.textindex import tokenize
from rag.index.vocabulary import (
    Vocabulary,
    find_definitions,
    fold_spelling,
    is_acronym,
    vocabulary_texts,
)
from tests.conftest import parsed_doc


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("recognising", "recognizing"),
        ("organisations", "organizations"),
        ("harmonised", "harmonized"),
        ("utilisation", "utilization"),
        ("programme", "program"),
        ("centres", "centers"),
        ("labour", "labor"),
        ("behaviour", "behavior"),
    ],
)
def test_british_spellings_fold_to_american(british: str, american: str) -> None:
    assert fold_spelling(british) == american
    assert tokenize(british) == tokenize(american)


@pytest.mark.parametrize(
    "word", ["advise", "exercise", "enterprise", "analysis", "basis", "raise", "otherwise"]
)
def test_words_that_only_look_british_are_left_alone(word: str) -> None:
    assert fold_spelling(word) == word


def test_acronym_after_its_long_form_is_found() -> None:
    text = "the needs of least developed countries (LDCs), small island developing states (SIDS)"
    assert find_definitions(text) == [
        ("LDCs", "least developed countries"),
        ("SIDS", "small island developing states"),
    ]


def test_leading_minor_words_are_not_part_of_the_long_form() -> None:
    # S-H alone would take "by the ..." because "b" starts "by": the cleaned form must start with B
    assert find_definitions("reports prepared by the Bureau of Digital Things (BDT)") == [
        ("BDT", "Bureau of Digital Things")
    ]


def test_acronym_with_letters_in_another_order_is_found() -> None:
    # BDT abbreviates the French name; the English name holds the same initials reordered
    text = "the Director of the Telecommunication Development Bureau (BDT) shall report"
    assert find_definitions(text) == [("BDT", "Telecommunication Development Bureau")]


def test_long_form_in_parentheses_after_the_acronym_is_found() -> None:
    assert find_definitions("as agreed by TDAG (Telecommunication Development Advisory Group) in 2024") == [
        ("TDAG", "Telecommunication Development Advisory Group")
    ]


@pytest.mark.parametrize(
    "text", ["in Kenya (Nairobi)", "see item (a)", "held in (2025)", "the results (see Annex)"]
)
def test_parentheses_that_define_nothing_yield_nothing(text: str) -> None:
    assert find_definitions(text) == []


def test_is_acronym_needs_two_capitals() -> None:
    assert is_acronym("LDCs") and is_acronym("ITU-D") and is_acronym("IoT")
    assert not is_acronym("Baku") and not is_acronym("who")


def test_vocabulary_round_trips_through_json() -> None:
    v = Vocabulary.from_definitions(
        [("LDCs", "least developed countries"), ("LDCs", "least developed countries")]
    )
    again = Vocabulary.from_dict(v.to_dict())
    assert again == v
    assert again.counts == {"ldc": 2}
    assert again.printed == {"ldc": "LDCs"}


def test_expansion_adds_the_other_form_both_ways() -> None:
    v = Vocabulary.from_definitions(
        [("LDCs", "least developed countries"), ("BDT", "Telecommunication Development Bureau")]
    )
    e = v.expand("What does BDT do for least developed countries?")
    assert e.long_forms == ("telecommunication development bureau",)
    assert e.acronyms == ("LDCs",)
    assert (
        e.glossed == "What does BDT (telecommunication development bureau) do for least developed countries?"
    )


def test_expansion_skips_forms_the_query_already_has() -> None:
    v = Vocabulary.from_definitions([("LDCs", "least developed countries")])
    assert v.expand("least developed countries (LDCs)").empty
    assert v.expand("nothing to expand here").empty


@pytest.fixture(scope="module")
def wtdc_vocabulary() -> Vocabulary:
    return Vocabulary.build(vocabulary_texts(parsed_doc("wtdc-25-final-report").passages))


@pytest.mark.parametrize(
    ("acronym", "long_form"),
    [
        ("LDCs", "least developed countries"),
        ("LLDCs", "landlocked developing countries"),
        ("SIDS", "small island developing states"),
        ("BDT", "telecommunication development bureau"),
        ("TSB", "telecommunication standardization bureau"),
        ("IXPs", "internet exchange points"),
        ("TDAG", "telecommunication development advisory group"),
        ("WSIS", "world summit on the information society"),
    ],
)
def test_the_wtdc_report_defines_its_acronyms(
    wtdc_vocabulary: Vocabulary, acronym: str, long_form: str
) -> None:
    assert wtdc_vocabulary.long_forms(acronym)[0] == long_form


def test_mined_long_forms_start_with_a_content_word(wtdc_vocabulary: Vocabulary) -> None:
    minor = {"of", "and", "the", "for", "in", "on", "to", "a", "an", "by", "with", "at"}
    assert len(wtdc_vocabulary) > 100
    for forms in wtdc_vocabulary.acronyms.values():
        assert forms[0].split()[0] not in minor, forms
