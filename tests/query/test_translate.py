"""Query translation by glossary: real phrases of ITU policy texts glossed in English."""

from __future__ import annotations

import pytest

from rag.query.translate import (  # the glossary's own key, to check duplicates
    GLOSSARY_DIR,
    LANGUAGES,
    STEMMED_LANGUAGES,
    _plain,
    _plain_stems,
    gloss,
    read_tsv,
)


@pytest.mark.parametrize(
    ("text", "lang", "english"),
    [
        # French: multi-word terms over their words, plurals and elision.
        (
            "Renforcement des capacités dans les pays les moins avancés",
            "fr",
            "capacity building least developed countries",
        ),
        ("protection en ligne des enfants et cybersécurité", "fr", "child online protection cybersecurity"),
        (
            "télécommunications d'urgence dans les petits États insulaires en développement",
            "fr",
            "emergency telecommunications small island developing States",
        ),
        (
            "charge le Directeur du Bureau de développement des télécommunications",
            "fr",
            "instructs the Director Telecommunication Development Bureau",
        ),
        ("les pays développés", "fr", "developed countries"),
        ("les pays en développement", "fr", "developing countries"),
        # Spanish
        (
            "la brecha digital en los países menos adelantados",
            "es",
            "digital divide least developed countries",
        ),
        ("Plan de Acción de Kigali y comisiones de estudio", "es", "Kigali Action Plan study group"),
        ("personas con discapacidad", "es", "persons with disabilities"),
        # Russian: case forms reached by stemming.
        ("в наименее развитых странах", "ru", "least developed countries"),
        ("наименее развитые страны", "ru", "least developed countries"),
        ("исследовательской комиссии МСЭ-D", "ru", "study group ITU-D"),
        ("Государствам-Членам", "ru", "Member States"),
        # Arabic: the article and proclitics.
        ("للبلدان النامية", "ar", "developing countries"),
        ("والبلدان النامية", "ar", "developing countries"),
        ("وبناء القدرات", "ar", "capacity building"),
        ("بالدول الأعضاء", "ar", "Member States"),
        ("الأمن السيبراني في أقل البلدان نموا", "ar", "cybersecurity least developed countries"),
        # Chinese: the longest key wins over the keys inside it.
        ("信息社会世界峰会论坛", "zh", "WSIS Forum"),
        ("小岛屿发展中国家的宽带", "zh", "small island developing States broadband"),
    ],
)
def test_phrases_of_the_genre_are_glossed(text, lang, english):
    assert gloss(text, lang).english == english


def test_accents_arabic_marks_and_case_do_not_stop_a_match():
    assert gloss("TELECOMMUNICATIONS D'URGENCE", "fr").english == "emergency telecommunications"
    assert gloss("الأمْنُ السيبرانيّ", "ar").english == "cybersecurity"  # diacritics
    assert gloss("الامن السيبراني", "ar").english == "cybersecurity"  # bare alef


@pytest.mark.parametrize(
    ("text", "lang", "english"),
    [
        ("la CMDT-25 à Bakou", "fr", "WTDC-25 Baku"),
        ("Q2/1 et §4.1.3 de la Résolution 1", "fr", "Q2/1 §4.1.3 resolution 1"),
        ("Вопрос 3/2 и IMT-2020", "ru", "Question 3/2 IMT-2020"),
        ("المبادرة ARB4 والمنتدى WTPF-26", "ar", "initiative ARB4 forum WTPF-26"),
        ("WSIS的AI", "zh", "WSIS AI"),
        ("el programa NoW en 2025", "es", "programme NoW 2025"),
    ],
)
def test_numbers_acronyms_and_references_pass_through(text, lang, english):
    assert gloss(text, lang).english == english


def test_matched_pairs_keep_the_question_as_typed():
    result = gloss("Renforcement des capacités à l'UIT", "fr")
    assert result.matched == (("Renforcement des capacités", "capacity building"), ("UIT", "ITU"))
    assert result.coverage == 1.0


def test_coverage_counts_unknown_content_words():
    result = gloss("renforcement des capacités zxqwv", "fr")
    assert result.english == "capacity building"
    assert result.coverage == pytest.approx(2 / 3)


def test_english_and_unknown_languages_are_returned_as_typed():
    for lang in ("en", "de", ""):
        result = gloss("WSIS action line C5 capacity building", lang)
        assert result.english == "WSIS action line C5 capacity building"
        assert result.matched == ()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glossary_files_parse_with_enough_distinct_terms(lang):
    pairs = read_tsv(GLOSSARY_DIR / f"{lang}.tsv")
    assert len(pairs) >= 400
    assert all(source and english for source, english in pairs)
    english_of: dict[object, str] = {}
    stop_path = GLOSSARY_DIR / f"{lang}.stop"
    words = [
        w
        for line in stop_path.read_text("utf-8").splitlines()
        if not line.startswith("#")
        for w in line.split()
    ]
    stopwords = frozenset(_plain(lang, w) for w in words)
    for source, english in pairs:
        key = tuple(_plain_stems(source, lang, stopwords)) if lang in STEMMED_LANGUAGES else source
        assert key, f"{source!r} has only stop words"
        assert english_of.setdefault(key, english) == english, (
            f"{source!r}: {english_of[key]!r} or {english!r}"
        )


def test_read_tsv_names_a_bad_line(tmp_path):
    path = tmp_path / "xx.tsv"
    path.write_text("# comment\nbon\tgood\nsans anglais\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"xx.tsv:3"):
        read_tsv(path)


def test_decomposed_accents_read_as_composed():
    decomposed = "te\u0301le\u0301communications d'urgence"
    assert gloss(decomposed, "fr").english == "emergency telecommunications"
