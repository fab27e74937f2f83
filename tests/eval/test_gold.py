"""The gold set answers with exact, unique spans of the sources, and covers the corpus evenly.

These tests read the committed files in eval/gold/ and the real corpus; they check the data itself
(every quote pins down one span, ids, kinds, split, coverage) and the loader's error messages.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from eval.gold_data import (
    QUOTE_MAX_CHARS,
    QUOTE_MIN_CHARS,
    GoldDataError,
    GoldKind,
    GoldQuestion,
    language_gold_paths,
    load_gold,
    training_gold_paths,
)
from tests.conftest import CORPUS_DIR, _corpus

WTDC_FILE = "002_2cd29aff50f41401.txt"
MIN_PER_KIND = {kind: 25 for kind in GoldKind} | {GoldKind.REFERENCE: 10}


@cache
def _gold() -> tuple[GoldQuestion, ...]:
    return tuple(load_gold())


@cache
def _all_gold() -> tuple[GoldQuestion, ...]:
    """Dev, test and the training-only questions: every rule of the data holds for all of them."""
    return tuple(load_gold(training_gold_paths()))


@cache
def _raw_records() -> tuple[dict, ...]:
    records = []
    for path in training_gold_paths():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line) | {"_split": path.stem})
    return tuple(records)


@cache
def _text_by_file() -> dict[str, str]:
    corpus = _corpus()
    return {d.file: corpus.text(d) for d in corpus.documents}


def _all_answers(record: dict) -> list[tuple[str, str]]:
    return [(record["source"], record["quote"])] + [(a["source"], a["quote"]) for a in record["also"]]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _trigrams(text: str) -> set[tuple[str, ...]]:
    w = _words(text)
    return {tuple(w[i : i + 3]) for i in range(len(w) - 2)}


# --- the data itself ---------------------------------------------------------------------------


def test_committed_gold_files_load_without_problems():
    questions = _gold()
    assert len(questions) >= 240
    assert {q.split for q in questions} == {"dev", "test"}
    training = [q for q in _all_gold() if q.split == "train"]
    assert len(training) >= 100


def test_training_questions_never_answer_on_a_dev_or_test_line():
    # The reranker trains on train.jsonl and is cross-validated on dev and scored on test: a training
    # question answered by the same source line as a dev or test question would teach that answer.
    def lines(q: GoldQuestion) -> set[tuple[str, int]]:
        return {(a.source, _text_by_file()[a.source].count("\n", 0, a.start)) for a in q.answers}

    scored = set().union(*(lines(q) for q in _gold()))
    shared = [q.id for q in _all_gold() if q.split == "train" and lines(q) & scored]
    assert not shared


def test_every_quote_and_also_quote_occurs_exactly_once_in_its_source():
    # Checked on the raw files with str.count, independently of the loader.
    texts = _text_by_file()
    bad = []
    for record in _raw_records():
        for source, quote in _all_answers(record):
            count = texts[source].count(quote)
            if count != 1:
                bad.append((record["id"], source, quote[:50], count))
    assert not bad, f"quotes not found exactly once: {bad[:10]}"


def test_quotes_are_40_to_200_characters_within_one_line():
    bad = [
        (r["id"], q[:50])
        for r in _raw_records()
        for _, q in _all_answers(r)
        if not QUOTE_MIN_CHARS <= len(q) <= QUOTE_MAX_CHARS or "\n" in q
    ]
    assert not bad


def test_loaded_spans_index_the_quote_in_the_source():
    texts = _text_by_file()
    for q in _all_gold():
        for a in q.answers:
            assert texts[a.source][a.start : a.end] == a.quote


def test_ids_are_unique_and_numbered():
    ids = [r["id"] for r in _raw_records()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"q\d{3,}", i) for i in ids)


def test_records_have_exactly_the_documented_fields():
    fields = {"id", "question", "kind", "source", "quote", "citation", "also"}
    assert all(set(r) - {"_split"} == fields for r in _raw_records())


def test_kinds_are_valid_and_each_is_well_represented():
    counts = Counter(q.kind for q in _gold())
    short = {k.value: counts[k] for k, minimum in MIN_PER_KIND.items() if counts[k] < minimum}
    assert not short, f"kinds below their minimum count: {short}"


def test_split_is_about_even_and_every_kind_appears_in_both_splits():
    questions = _gold()
    by_split = Counter(q.split for q in questions)
    # "About 1:1": the two files differ by at most 5 % of the set.
    assert abs(by_split["dev"] - by_split["test"]) <= 0.05 * len(questions)
    for kind in GoldKind:
        per_split = Counter(q.split for q in questions if q.kind is kind)
        assert per_split["dev"] >= 1 and per_split["test"] >= 1, kind
        # Alternating assignment keeps each kind balanced too.
        assert abs(per_split["dev"] - per_split["test"]) <= max(2, 0.1 * sum(per_split.values())), kind


def test_every_document_appears_in_both_splits():
    questions = _gold()
    for doc in _corpus().documents:
        splits = {q.split for q in questions if q.answer.source == doc.file}
        assert splits == {"dev", "test"}, doc.file


def test_documents_are_covered_roughly_in_proportion_to_their_size():
    texts = _text_by_file()
    total_chars = sum(len(t) for t in texts.values())
    questions = _gold()
    counts = Counter(q.answer.source for q in questions)
    for file, text in texts.items():
        size_share = len(text) / total_chars
        question_share = counts[file] / len(questions)
        if size_share < 0.02:
            # The first draft outline is 0.5 % of the corpus: a handful of questions, not a share.
            assert counts[file] >= 3, file
        else:
            # Within a factor of two of the document's share of characters (002: 79 % of the text).
            assert 0.5 * size_share <= question_share <= 2 * size_share, (file, size_share, question_share)


def test_wtdc_report_questions_reach_every_part_of_the_report():
    text = _text_by_file()[WTDC_FILE]
    headings = [
        ("overview", "Conference overview and highlights"),
        ("declaration", "Part I – Baku Declaration"),
        ("action plan", "Part II - Baku Action Plan"),
        ("regional initiatives", "Part III – Regional initiatives"),
        ("resolutions", "Part IV – Resolutions and Recommendations"),
        ("recommendations", "RECOMMENDATION ITU-D 15"),
        ("study questions", "Part V – ITU-D Study Questions"),
    ]
    starts = [(name, text.index(heading)) for name, heading in headings]
    starts[0] = ("overview", 0)
    counts: Counter[str] = Counter()
    for q in _gold():
        for a in q.answers:
            if a.source == WTDC_FILE:
                part = [name for name, start in starts if start <= a.start][-1]
                counts[part] += 1
    thin = {name: counts[name] for name, _ in headings if counts[name] < 5}
    assert not thin, f"parts of the WTDC report with fewer than 5 answers: {thin}"


def test_wtdc_questions_cover_many_resolutions_and_clause_roles():
    text = _text_by_file()[WTDC_FILE]
    end = text.index("RECOMMENDATION ITU-D 15")
    instrument_starts = [
        (m.start(), m.group(1))
        for m in re.finditer(r"^[ \t]*RESOLUTION[ \u00a0](\d+)[ \u00a0]\(", text, re.M)
        if m.start() < end
    ]
    role_words = (
        "recalling|considering|recognizing|recognising|noting|taking into account|resolves|instructs|"
        "invites|encourages|requests|appeals|calls upon|urges|bearing in mind|conscious|emphasizing|"
        "having regard|having noted|appreciating|undertakes|reaffirms|convinced|further resolves|"
        "further instructs|acknowledging|confirming"
    )
    role_lines = [
        (m.start(), m.group(1).split()[0])
        for m in re.finditer(rf"^[ \t]*({role_words})\b[^\n]*$", text, re.M)
        if m.start() < end and not re.match(r"[ \t]*\S+\)", m.group(0))
    ]
    resolutions, roles = set(), set()
    for q in _gold():
        for a in q.answers:
            if a.source != WTDC_FILE or a.start >= end or a.start < instrument_starts[0][0]:
                continue
            resolutions.add([n for s, n in instrument_starts if s <= a.start][-1])
            before = [r for s, r in role_lines if s <= a.start]
            if before:
                roles.add(before[-1])
    assert len(resolutions) >= 40, sorted(resolutions, key=int)
    expected = {
        "recalling", "considering", "recognizing", "noting", "resolves",
        "instructs", "invites", "encourages", "requests", "appeals",
    }  # fmt: skip
    assert expected <= roles, expected - roles


def test_paraphrase_questions_share_no_three_word_sequence_with_the_answering_line():
    texts = _text_by_file()
    overlapping = []
    for q in _all_gold():
        if q.kind is not GoldKind.PARAPHRASE:
            continue
        text = texts[q.answer.source]
        line_start = text.rfind("\n", 0, q.answer.start) + 1
        line_end = text.find("\n", q.answer.end)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        common = _trigrams(q.question) & _trigrams(line)
        if common:
            overlapping.append((q.id, sorted(common)[:3]))
    assert not overlapping


def test_reference_questions_list_the_other_citing_texts():
    refs = [q for q in _gold() if q.kind is GoldKind.REFERENCE]
    assert len(refs) >= 10
    assert sum(1 for q in refs if len(q.also) >= 2) >= 8


def test_quotes_keep_the_sources_non_breaking_spaces():
    # NBSP (U+00A0) sits inside references like "Resolution 64"; a quote typed with a plain space
    # would not be found, so the gold must carry it.
    assert any("\u00a0" in a.quote for q in _gold() for a in q.answers)


def test_to_dict_round_trips_to_the_committed_record():
    raw = {r["id"]: {k: v for k, v in r.items() if k != "_split"} for r in _raw_records()}
    for q in _all_gold():
        assert q.to_dict() == raw[q.id]


# --- questions in the other official languages (issue 18) ----------------------------------------

LANGS = ("fr", "es", "ru", "ar", "zh")
# The letters each non-Latin language is written in; acronyms (BDT, WTPF-26, IPv6) stay Latin.
SCRIPTS = {"ru": r"[\u0400-\u04ff]", "ar": r"[\u0600-\u06ff]", "zh": r"[\u4e00-\u9fff]"}


@cache
def _lang_gold() -> tuple[GoldQuestion, ...]:
    return tuple(load_gold(language_gold_paths()))


def test_language_questions_load_with_a_known_language_and_their_split():
    questions = _lang_gold()
    assert {q.split for q in questions} == {"lang", "lang-dev"}
    assert {q.lang for q in questions} == set(LANGS)
    per_language = Counter((q.split, q.lang) for q in questions)
    assert min(per_language[("lang", lang)] for lang in LANGS) >= 10
    assert min(per_language[("lang-dev", lang)] for lang in LANGS) >= 8


def test_language_questions_are_written_in_their_languages_script():
    wrong = []
    for q in _lang_gold():
        letters = re.findall(r"[^\W\d_]", q.question)
        if q.lang in SCRIPTS:
            in_script = sum(1 for c in letters if re.match(SCRIPTS[q.lang], c))
            if in_script < 0.5 * len(letters):
                wrong.append(q.id)
        elif any(re.match("|".join(SCRIPTS.values()), c) for c in letters):
            wrong.append(q.id)  # French and Spanish questions stay in Latin script
    assert not wrong


def test_language_questions_cover_every_kind_and_mostly_the_wtdc_report():
    test = [q for q in _lang_gold() if q.split == "lang"]
    assert {q.kind for q in test} == set(GoldKind)
    assert 0.6 <= sum(q.answer.source == WTDC_FILE for q in test) / len(test) <= 0.9


def test_language_ids_are_new_and_dev_and_test_never_share_an_answer_line():
    english_ids = {r["id"] for r in _raw_records()}
    gold_dir = language_gold_paths()[0].parent
    added = [gold_dir / name for name in ("added.jsonl", "added-train.jsonl")]
    added_ids = {json.loads(ln)["id"] for p in added if p.is_file() for ln in p.read_text().splitlines()}
    lang_ids = [q.id for q in _lang_gold()]
    assert len(lang_ids) == len(set(lang_ids)) and not set(lang_ids) & (english_ids | added_ids)

    def lines(q: GoldQuestion) -> set[tuple[str, int]]:
        return {(a.source, _text_by_file()[a.source].count("\n", 0, a.start)) for a in q.answers}

    dev = set().union(*(lines(q) for q in _lang_gold() if q.split == "lang-dev"))
    assert not [q.id for q in _lang_gold() if q.split == "lang" and lines(q) & dev]


def test_language_records_round_trip_with_their_lang_field():
    raw = {}
    for path in language_gold_paths():
        raw |= {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}
    assert all(q.to_dict() == raw[q.id] for q in _lang_gold())


# --- the loader's errors ----------------------------------------------------------------------

GOOD = {
    "id": "q900",
    "question": "What does Resolution 15 instruct BDT to do about handbooks?",
    "kind": "named",
    "source": WTDC_FILE,
    "quote": "to continue to develop handbooks addressing the issue of technology transfer",
    "citation": "WTDC-25 Final Report, Resolution 15 (Rev. Kigali, 2022), instructs the Director of BDT, 4",
    "also": [],
}


def _write(tmp_path: Path, *records: dict, name: str = "dev.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_valid_record_loads_with_its_span_and_split(tmp_path):
    (q,) = load_gold(_write(tmp_path, GOOD, name="test.jsonl"), corpus_dir=CORPUS_DIR)
    assert q.split == "test"
    assert q.kind is GoldKind.NAMED
    assert _text_by_file()[WTDC_FILE][q.answer.start : q.answer.end] == GOOD["quote"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"quote": "to continue to develop manuals addressing the issue of technology transfer"},
            "does not occur",
        ),
        # The source writes "Resolution 64 (Rev. Dubai, 2018)" with non-breaking spaces; plain ones miss.
        (
            {"quote": "Resolution 64 (Rev. Dubai, 2018) of the Plenipotentiary Conference, on non-discrim"},
            "does not occur",
        ),
        (
            {"quote": "of the Plenipotentiary Conference, on strengthening the regional presence"},
            "occurs 6 times",
        ),
        ({"quote": "technology transfer"}, "characters long"),
        ({"source": "999_missing.txt"}, "is not a corpus file"),
        ({"kind": "trivia"}, "unknown question kind 'trivia'"),
        (
            {"also": [{"source": WTDC_FILE, "quote": "no such sentence in the report at all, not anywhere"}]},
            "also[0]",
        ),
        ({"also": [{"source": WTDC_FILE}]}, "exactly source and quote"),
        ({"extra": 1}, "unknown field"),
        ({"lang": "French"}, "two-letter ISO 639-1 code"),
        ({"lang": None}, "two-letter ISO 639-1 code"),
    ],
)
def test_invalid_records_raise_errors_naming_the_question(tmp_path, change, message):
    path = _write(tmp_path, GOOD | change)
    with pytest.raises(GoldDataError, match=r"\[q900\]") as err:
        load_gold(path, corpus_dir=CORPUS_DIR)
    assert message in str(err.value)


def test_a_lang_field_is_optional_and_kept(tmp_path):
    lang_file = _write(tmp_path, GOOD | {"lang": "fr"}, name="lang.jsonl")
    (with_lang,) = load_gold(lang_file, corpus_dir=CORPUS_DIR)
    (without,) = load_gold(_write(tmp_path, GOOD, name="test.jsonl"), corpus_dir=CORPUS_DIR)
    assert (with_lang.lang, with_lang.split, without.lang) == ("fr", "lang", None)
    assert with_lang.to_dict() == GOOD | {"lang": "fr"} and without.to_dict() == GOOD


def test_a_quote_spanning_two_lines_is_rejected(tmp_path):
    text = _text_by_file()[WTDC_FILE]
    i = text.index("to continue to develop handbooks")
    two_lines = text[text.index("\n", i) - 30 : text.index("\n", i) + 30]
    with pytest.raises(GoldDataError, match="more than one line"):
        load_gold(_write(tmp_path, GOOD | {"quote": two_lines}), corpus_dir=CORPUS_DIR)


def test_duplicate_ids_across_files_are_rejected(tmp_path):
    dev = _write(tmp_path, GOOD, name="dev.jsonl")
    test = _write(tmp_path, GOOD, name="test.jsonl")
    with pytest.raises(GoldDataError, match=r"\[q900\]: id already used at dev.jsonl:1"):
        load_gold([dev, test], corpus_dir=CORPUS_DIR)


def test_a_listed_span_twice_is_rejected(tmp_path):
    record = GOOD | {"also": [{"source": WTDC_FILE, "quote": GOOD["quote"]}]}
    with pytest.raises(GoldDataError, match="same span is listed twice"):
        load_gold(_write(tmp_path, record), corpus_dir=CORPUS_DIR)


def test_every_problem_is_reported_at_once(tmp_path):
    records = [GOOD | {"id": f"q90{i}", "kind": "trivia"} for i in range(3)]
    with pytest.raises(GoldDataError, match="3 problem") as err:
        load_gold(_write(tmp_path, *records), corpus_dir=CORPUS_DIR)
    assert all(f"[q90{i}]" in str(err.value) for i in range(3))


def test_malformed_json_names_file_and_line(tmp_path):
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(GOOD) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(GoldDataError, match=r"dev.jsonl:2: not valid JSON"):
        load_gold(path, corpus_dir=CORPUS_DIR)


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(GoldDataError, match="does not exist"):
        load_gold(tmp_path / "nope.jsonl", corpus_dir=CORPUS_DIR)
