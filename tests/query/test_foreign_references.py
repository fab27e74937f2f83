"""References typed in the six languages parse as their English forms do; English parses as it did."""

from __future__ import annotations

import pytest

from rag.query.analysis import cited_keys, parse_query

# (as typed in another language, the English reference form): each word class, in each language
PAIRS = [
    # Resolution
    ("Résolution 66", "Resolution 66"),
    ("resolución 66 (Rev. Kigali, 2022)", "Resolution 66 (Rev. Kigali, 2022)"),
    ("Résolution 66 (Rév. Kigali, 2022)", "Resolution 66 (Rev. Kigali, 2022)"),
    ("резолюция 66", "Resolution 66"),
    ("Резолюции 66", "Resolution 66"),
    ("القرار 66", "Resolution 66"),
    ("决议66", "Resolution 66"),
    ("第66号决议", "Resolution 66"),
    # Recommendation (the sector too)
    ("Recommandation UIT-T A.8", "Recommendation ITU-T A.8"),
    ("Recomendación UIT-T A.8", "Recommendation ITU-T A.8"),
    ("Рекомендация МСЭ-T A.8", "Recommendation ITU-T A.8"),
    ("التوصية ITU-T A.8", "Recommendation ITU-T A.8"),
    ("ITU-T A.8建议书", "Recommendation ITU-T A.8"),
    # Question
    ("Question 2/1", "Question 2/1"),
    ("Вопрос 2/1", "Question 2/1"),
    ("cuestión 2/1", "Question 2/1"),
    ("المسألة 2/1", "Question 2/1"),
    ("问题2/1", "Question 2/1"),
    # paragraph
    ("paragraphe 7.9.6", "paragraph 7.9.6"),
    ("párrafo 7.9.6", "paragraph 7.9.6"),
    ("пункт 7.9.6", "paragraph 7.9.6"),
    ("الفقرة 7.9.6", "paragraph 7.9.6"),
    ("第7.9.6段", "paragraph 7.9.6"),
    # Annex
    ("annexe 2", "Annex 2"),
    ("anexo 2", "Annex 2"),
    ("приложение 2", "Annex 2"),
    ("الملحق 2", "Annex 2"),
    ("附件2", "Annex 2"),
    # WTPF opinions
    ("Avis 2", "Opinion 2"),
    ("Opinión 2", "Opinion 2"),
    ("Мнение 2", "Opinion 2"),
    ("الرأي 2", "Opinion 2"),
    ("意见2", "Opinion 2"),
    ("projet d'avis 4", "Draft Opinion 4"),
    # Decision
    ("décision 641", "Decision 641"),
    ("decisión 641", "Decision 641"),
    ("решение 641", "Decision 641"),
    ("المقرر 641", "Decision 641"),
    ("决定641", "Decision 641"),
]


def _read(query: str):  # type: ignore[no-untyped-def]
    parsed = parse_query(query)
    refs = [(r.instrument, r.clause, r.label, r.kind) for r in parsed.references]
    return refs, parsed.ranking_text, parsed.cited


@pytest.mark.parametrize(("typed", "english"), PAIRS)
def test_a_reference_in_another_language_parses_as_the_english_one(typed, english):
    assert _read(typed) == _read(english)
    parsed = parse_query(typed)
    for ref in parsed.references:  # spans and words are the query's as typed
        assert typed[ref.span[0] : ref.span[1]] == ref.text
    assert bool(parsed.rest) == bool(parse_query(english).rest)  # words beyond the reference, or none


@pytest.mark.parametrize(
    ("typed", "english"),
    [
        ("Résolution 73 centres de formation", "Resolution 73 centres de formation"),
        ("第76号决议关于国际电联青年战略", "Resolution 76 关于国际电联青年战略"),
        ("Résolution 15 handbooks", "Resolution 15 handbooks"),
    ],
)
def test_the_rest_of_the_query_stays_as_typed(typed, english):
    parsed = parse_query(typed)
    assert (parsed.ranking_text, [r.instrument for r in parsed.references]) == (
        english,
        [r.instrument for r in parse_query(english).references],
    )


@pytest.mark.parametrize(
    "question",
    [
        "Quels textes rappellent la Résolution 70/1 de l'AGNU ?",
        "¿Qué textos citan la Resolución 66?",
        "Какие документы ссылаются на Резолюцию 66?",
        "ما هي النصوص التي تشير إلى القرار 66؟",
        "哪些决议引用了第66号决议？",
    ],
)
def test_reference_questions_in_other_languages_name_the_cited_instrument(question):
    cited = cited_keys(question)
    english = cited_keys("Which texts cite Resolution 66?")
    assert cited.keys in (english.keys, cited_keys("Which texts recall UNGA Resolution 70/1?").keys)
    for start, end in cited.spans:  # the span is the instrument as typed
        assert any(
            word in question[start:end]
            for word in ("Résolution", "Resolución", "Резолюцию", "القرار", "决议")
        )


def test_recall_in_french_asks_for_the_recalling_clauses():
    assert cited_keys("Quels textes rappellent la Résolution 66 ?").role == "recalling"
    assert cited_keys("Which texts recall Resolution 66?").role == "recalling"


@pytest.mark.parametrize(
    ("query", "refs", "ranking"),
    [  # as the parser before the six languages read them
        (
            "What does Res. 15 instruct?",
            [(("resolution", "15"), "instructs", None, None)],
            "What does Resolution 15 instruct?",
        ),
        ("WTPF-26 §7.9.6", [(None, None, "7.9.6", None)], "WTPF-26 §7.9.6"),
        ("Draft Opinion 4 invites", [(("opinion", "4"), "invites", None, None)], "Draft Opinion 4 invites"),
    ],
)
def test_english_queries_parse_as_before(query, refs, ranking):
    parsed = parse_query(query)
    assert [(r.instrument, r.clause, r.label, r.kind) for r in parsed.references] == refs
    assert (parsed.raw, parsed.ranking_text) == (query, ranking)
