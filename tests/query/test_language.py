"""Query language detection on real questions: the lang-dev gold, the English dev gold, short queries."""

from __future__ import annotations

import json
import threading

import pytest

from rag.config import REPO_ROOT
from rag.errors import ConfigError
from rag.query import language
from rag.query.language import LANGUAGES, check_language, detect_language

GOLD = REPO_ROOT / "eval" / "gold"


def _gold(name: str) -> list[dict[str, str]]:
    lines = (GOLD / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_lang_dev_question_is_detected_in_its_language():
    rows = _gold("lang-dev.jsonl")
    assert {r["lang"] for r in rows} == set(LANGUAGES) - {"en"}
    wrong = [(r["question"], r["lang"], detect_language(r["question"])) for r in rows]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert wrong == []  # accuracy 1.0


def test_english_dev_questions_are_english():
    questions = [r["question"] for r in _gold("dev.jsonl")]
    right = sum(detect_language(q) == "en" for q in questions)
    assert len(questions) > 150
    assert right / len(questions) >= 0.99


@pytest.mark.parametrize(
    "query",
    [
        "Res. 66",
        "AMS4 Q2/1",
        "7.9.6",
        "WSIS C7",
        "CMDT-25",
        "ITU-D",
        "PP Res. 214",
        "Q2/1 AMS4",
        "",
        "   ",
        "?!",
    ],
)
def test_codes_numbers_and_acronyms_are_english(query):
    assert detect_language(query) == "en"


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("Résolution 66", "fr"),
        ("Recommandation UIT-T A.8", "fr"),
        ("décision 641", "fr"),
        ("resolución 66 (Rev. Kigali, 2022)", "es"),
        ("cuestión 2/1", "es"),
        ("párrafo 7.9.6", "es"),
        ("Вопрос 2/1", "ru"),
        ("резолюция 66", "ru"),
        ("القرار 66", "ar"),
        ("الفقرة 7.9.6", "ar"),
        ("决议66", "zh"),
        ("问题2/1", "zh"),
        # an acronym or code in another script's question does not make it English
        ("المبادرة الإقليمية العربية ARB4", "ar"),
        ("AFR2 反映非洲情况的数据集", "zh"),
        ("Резолюция 175 ПК WTDC", "ru"),
        ("What does Resolution 15 instruct BDT to do about handbooks?", "en"),
    ],
)
def test_short_reference_queries_in_each_language(query, lang):
    assert detect_language(query) == lang


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        (" fr-FR ", "fr"),
        ("es_419", "es"),
        ("zh-Hans-CN", "zh"),
        ("fra", "fr"),
        ("zho", "zh"),
        ("ARA", "ar"),
        ("en-GB", "en"),
        ("ru", "ru"),
    ],
)
def test_check_language_normalises_case_region_and_three_letter_codes(code, expected):
    assert check_language(code) == expected


@pytest.mark.parametrize("code", ["de", "pt-BR", "", "english", "xx-fr"])
def test_check_language_rejects_other_languages_naming_the_six(code):
    with pytest.raises(ConfigError) as raised:
        check_language(code)
    assert all(c in raised.value.hint for c in LANGUAGES)


def test_the_detector_is_built_once_across_threads(monkeypatch):
    monkeypatch.setattr(language, "_detector", None)
    built: list[object] = []
    barrier = threading.Barrier(4)

    def call() -> None:
        barrier.wait()
        built.append(language._lingua())

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 4 and all(d is built[0] for d in built)
