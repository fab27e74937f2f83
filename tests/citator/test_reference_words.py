"""The reference words of the six languages: English forms, spans back to the text as written."""

from __future__ import annotations

import json
import re

import pytest

from rag.citator.reference_words import REFERENCE_WORDS, english_forms
from rag.citator.references import canonical_key, extract_references, instrument_key
from rag.config import REPO_ROOT


def _english_gold() -> list[str]:
    questions = []
    for split in ("dev", "test", "train"):
        lines = (REPO_ROOT / "eval" / "gold" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        questions += [json.loads(line)["question"] for line in lines if line.strip()]
    return questions


def test_no_english_question_is_rewritten():
    questions = _english_gold()
    assert len(questions) > 600
    rewritten = [q for q in questions if english_forms(q, verbs=True).changed]
    assert rewritten == []


@pytest.mark.parametrize(
    ("written", "english"),
    [
        ("Résolution 66", "Resolution 66"),
        ("Résolution n° 66 (Rév. Kigali, 2022)", "Resolution 66 (Rev. Kigali, 2022)"),
        ("resolución 66", "Resolution 66"),
        ("Резолюции 66", "Resolution 66"),
        ("резолюцию № 66", "Resolution 66"),
        ("القرار 66", "Resolution 66"),
        ("بالقرار رقم ٦٦", "Resolution 66"),
        ("决议66", "Resolution 66"),
        ("第66号决议", "Resolution 66"),
        ("Recommandation UIT-T A.8", "Recommendation ITU-T A.8"),
        ("Рекомендация МСЭ-Т A.8", "Recommendation ITU-T A.8"),  # a Cyrillic Т
        ("ITU-T A.8建议书", "Recommendation ITU-T A.8"),
        ("projet d'avis 4", "Draft Opinion 4"),
        ("第4号意见草案", "Draft Opinion 4"),
        ("第7.9.6段", "paragraph 7.9.6"),
        ("Annexe\n2", "Annex 2"),
    ],
)
def test_reference_words_are_written_in_english(written, english):
    assert english_forms(written).text == english


@pytest.mark.parametrize(
    "text",
    [
        "la résolution de la CMDT",  # no identifier after the word
        "Annexe\n\n2",  # a blank line ends a reference
        "les annexes 2 et 3",  # "annexes" is English too
        "una decision 5",  # without its accent, "decision" is English
        "Quels textes rappellent la CMDT ?",  # citing verbs only when asked for
    ],
)
def test_words_that_are_no_reference_stay(text):
    assert english_forms(text).text == text


def test_spans_point_into_the_text_as_written():
    text = "哪些决议引用了全权代表大会关于打击假冒设备的第188号决议？"
    english = english_forms(text, verbs=True)
    assert english.text == "哪些决议 cite 了全权代表大会关于打击假冒设备的 Resolution 188？"
    for found, written in (("cite", "引用"), ("Resolution 188", "第188号决议"), ("？", "？")):
        start = english.text.index(found)
        s, e = english.span(start, start + len(found))
        assert text[s:e] == written


def test_every_row_names_languages_of_the_six():
    assert all(set(w.forms) <= {"ar", "es", "fr", "ru", "zh"} for w in REFERENCE_WORDS)
    assert {w.kind for w in REFERENCE_WORDS} == {"type", "name", "verb"}
    for word in REFERENCE_WORDS:  # each form compiles alone, and none matches its English word
        for form in word.forms.values():
            assert not re.fullmatch(form, word.english, re.IGNORECASE)


def test_a_french_text_cites_what_its_english_twin_cites():
    french = "Voir la Recommandation UIT-T Y.2001 (2004) et la Résolution 1 (Rév. Hammamet, 2016) de l'AMNT."
    english = "See Recommendation ITU-T Y.2001 (2004) and Resolution 1 (Rev. Hammamet, 2016) of WTSA."
    refs = extract_references(french)
    assert [r.key for r in refs] == [r.key for r in extract_references(english)]
    assert [r.surface for r in refs][0] == "Recommandation UIT-T Y.2001 (2004)"
    assert all(french[r.start : r.end] == r.surface for r in refs)


def test_instrument_names_and_keys_typed_in_other_languages():
    assert instrument_key("Recommandation UIT-T E.119", None) == "itu-t/rec/e.119"
    assert instrument_key("Resolución 1", "WTDC-25") == "itu/wtdc/res/1"
    assert canonical_key("Résolution 66 (Rév. Kigali, 2022)") == canonical_key(
        "Resolution 66 (Rev. Kigali, 2022)"
    )
    assert canonical_key("第66号决议") == canonical_key("Resolution 66") == "itu/res/66"
