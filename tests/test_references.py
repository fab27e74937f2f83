"""Reference extraction and canonical keys, checked on a hand-annotated sample of the real corpus.

``tests/data/references_sample.jsonl`` holds 171 snippets of the five corpus files with every
reference in them written down by hand (308 references, including snippets with none: false friends).
The sample test scores the extractor against it; the other tests pin one behaviour each.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.citator.references import (
    Reference,
    RefKind,
    canonical_key,
    describe,
    extract_references,
    instrument_key,
    key_matches,
)
from tests.conftest import DOC_IDS, parsed_doc, source_text

SAMPLE = Path(__file__).parent / "data" / "references_sample.jsonl"
NBSP = "\u00a0"


def _sample() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _score(rows: list[dict]) -> tuple[int, int, int, int, list[str]]:
    """True positives, false positives, false negatives, exact spans, and a line per error.

    A found reference matches an expected one when the keys are equal and the spans overlap; each
    expected reference is matched at most once.
    """
    tp = fp = fn = exact = 0
    errors: list[str] = []
    for row in rows:
        found = extract_references(row["text"], event=row["event"])
        used: set[int] = set()
        for want in row["refs"]:
            hit = next(
                (
                    i
                    for i, ref in enumerate(found)
                    if i not in used
                    and ref.key == want["key"]
                    and ref.start < want["end"]
                    and want["start"] < ref.end
                ),
                None,
            )
            if hit is None:
                fn += 1
                errors.append(f"missed {want['surface']!r} {want['key']} in {row['id']}")
                continue
            used.add(hit)
            tp += 1
            exact += (found[hit].start, found[hit].end) == (want["start"], want["end"])
        for i, ref in enumerate(found):
            if i not in used:
                fp += 1
                errors.append(f"extra {ref.surface!r} {ref.key} in {row['id']}")
    return tp, fp, fn, exact, errors


# --------------------------------------------------------------------------------------------------
# The hand-checked sample


def test_sample_snippets_are_exact_pieces_of_the_corpus() -> None:
    texts = {doc_id: source_text(doc_id) for doc_id in DOC_IDS}
    for row in _sample():
        text = texts[row["doc"]]
        assert text[row["offset"] : row["offset"] + len(row["text"])] == row["text"], row["id"]
        for ref in row["refs"]:
            assert row["text"][ref["start"] : ref["end"]] == ref["surface"], row["id"]


def test_sample_is_large_and_varied() -> None:
    rows = _sample()
    refs = [ref for row in rows for ref in row["refs"]]
    assert len(refs) >= 120
    assert {row["doc"] for row in rows} == set(DOC_IDS)
    assert sum(1 for row in rows if not row["refs"]) >= 15  # snippets holding only false friends
    assert sum(1 for ref in refs if NBSP in ref["surface"]) >= 30
    prefixes = {re.sub(r"/[^/]+$", "", ref["key"]) for ref in refs}
    assert len(prefixes) >= 25  # resolutions of each body, UN bodies, articles, numbers, SDGs ...


def test_extraction_precision_and_recall_on_the_hand_checked_sample() -> None:
    tp, fp, fn, exact, errors = _score(_sample())
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"\nreferences sample: {tp + fn} expected, {tp + fp} found, precision {precision:.3f}, "
        f"recall {recall:.3f}, exact spans {exact}/{tp}"
    )
    for line in errors:
        print("  ", line)
    assert precision >= 0.95, errors
    assert recall >= 0.95, errors


# --------------------------------------------------------------------------------------------------
# One behaviour per pattern kind


def _found(text: str, event: str | None = None) -> list[tuple[str, str]]:
    return [(ref.surface, ref.key) for ref in extract_references(text, event=event)]


@pytest.mark.parametrize(
    ("text", "event", "expected"),
    [
        # ITU resolutions: body from the words before, after, the revision's place, the document
        (
            "Resolution 64 (Rev. Dubai, 2018) of the Plenipotentiary Conference",
            None,
            [("Resolution 64 (Rev. Dubai, 2018)", "itu/pp/res/64")],
        ),
        ("WTDC Resolution 37", None, [("WTDC Resolution 37", "itu/wtdc/res/37")]),
        ("Resolution 139 (Bucharest, 2022)", None, [("Resolution 139 (Bucharest, 2022)", "itu/pp/res/139")]),
        (
            "Resolution 44 of the World Telecommunication Standardization Assembly",
            None,
            [("Resolution 44", "itu/wtsa/res/44")],
        ),
        (
            "Resolution 15 (Rev. Kigali, 2022)",
            None,
            [("Resolution 15 (Rev. Kigali, 2022)", "itu/wtdc/res/15")],
        ),
        ("Resolution 15 of this conference", "WTDC-25", [("Resolution 15", "itu/wtdc/res/15")]),
        ("in accordance with Resolution 9, on", "WTDC-25", [("Resolution 9", "itu/wtdc/res/9")]),
        ("in accordance with Resolution 9, on", None, [("Resolution 9", "itu/res/9")]),
        ("PP-14 Resolution 123", None, [("PP-14 Resolution 123", "itu/pp/res/123")]),
        (
            "Resolution ITU-R 69-2 (Rev. Dubai, 2023)",
            None,
            [("Resolution ITU-R 69-2 (Rev. Dubai, 2023)", "itu/ra/res/69")],
        ),
        ("Resolution 646 (Rev.WRC-19)", None, [("Resolution 646 (Rev.WRC-19)", "itu/wrc/res/646")]),
        # Dubai 2012 was both WTSA-12 and WCIT-12: only the words after tell
        (
            "Resolution 1 (Dubai, 2012) of the World Conference on International Telecommunications",
            None,
            [("Resolution 1 (Dubai, 2012)", "itu/wcit/res/1")],
        ),
        ("Res. 3 (Valletta, 1998)", None, [("Res. 3 (Valletta, 1998)", "itu/wtdc/res/3")]),
        # UN resolutions
        ("Resolution 70/1", None, [("Resolution 70/1", "un/ga/res/70/1")]),
        ("UNGA Resolution 76/3", None, [("UNGA Resolution 76/3", "un/ga/res/76/3")]),
        ("A/RES/70/1", None, [("A/RES/70/1", "un/ga/res/70/1")]),
        (
            "Resolution 2025/18 of the United Nations Economic and Social Council",
            None,
            [("Resolution 2025/18", "un/ecosoc/res/2025/18")],
        ),
        (
            "Human Rights Council Resolution 20/8",
            None,
            [("Human Rights Council Resolution 20/8", "un/hrc/res/20/8")],
        ),
        # Council acts
        ("Decision 641 (Council 2024)", None, [("Decision 641 (Council 2024)", "itu/council/dec/641")]),
        ("Decision 641 (C24)", None, [("Decision 641 (C24)", "itu/council/dec/641")]),
        ("Council Resolution 1282", None, [("Council Resolution 1282", "itu/council/res/1282")]),
        ("upon its Resolution 1282, which", None, [("Resolution 1282", "itu/council/res/1282")]),
        # Recommendations
        ("Recommendation ITU-T L.1470", None, [("Recommendation ITU-T L.1470", "itu-t/rec/l.1470")]),
        ("ITU-D Recommendation 19", None, [("ITU-D Recommendation 19", "itu-d/rec/19")]),
        ("Recommendation ITU-R SM.1603", None, [("Recommendation ITU-R SM.1603", "itu-r/rec/sm.1603")]),
        # Constitution, Convention, General Rules, Radio Regulations, ITRs
        (
            "No. 19 in Article 1 of the ITU Constitution",
            None,
            [("No. 19", "itu/cs/no/19"), ("Article 1", "itu/cs/art/1")],
        ),
        ("Article 44 of the Constitution", None, [("Article 44", "itu/cs/art/44")]),
        ("Article 17A of the ITU Convention", None, [("Article 17A", "itu/cv/art/17a")]),
        ("No. 49 of the General Rules of conferences", None, [("No. 49", "itu/gr/no/49")]),
        ("No. 1.66A of the Radio Regulations", None, [("No. 1.66A", "itu/rr/no/1.66a")]),
        (
            "Article 5 of the International Telecommunication Regulations",
            None,
            [("Article 5", "itu/itrs/art/5")],
        ),
        # WSIS
        (
            "the Geneva Declaration of Principles",
            None,
            [("Geneva Declaration of Principles", "wsis/geneva-declaration")],
        ),
        (
            "the WSIS Geneva Plan of Action",
            None,
            [("WSIS Geneva Plan of Action", "wsis/geneva-plan-of-action")],
        ),
        ("the Tunis Commitment", None, [("Tunis Commitment", "wsis/tunis-commitment")]),
        ("§ 96 of the Tunis Agenda", None, [("Tunis Agenda", "wsis/tunis-agenda")]),
        ("Action Line C5", None, [("Action Line C5", "wsis/al/c5")]),
        ("WSIS AL C2", None, [("WSIS AL C2", "wsis/al/c2")]),
        # SDGs, regional initiatives, Questions, opinions, named instruments
        ("SDG 9", None, [("SDG 9", "un/sdg/9")]),
        ("Sustainable Development Goal 4", None, [("Sustainable Development Goal 4", "un/sdg/4")]),
        ("SDG17", None, [("SDG17", "un/sdg/17")]),
        ("AFR1", None, [("AFR1", "itu-d/ri/afr1")]),
        ("Regional initiative ASP4", None, [("Regional initiative ASP4", "itu-d/ri/asp4")]),
        ("Question 1/1", None, [("Question 1/1", "itu-d/question/1/1")]),
        (
            "Questions 3/1 and 5/2",
            None,
            [("Questions 3/1", "itu-d/question/3/1"), ("5/2", "itu-d/question/5/2")],
        ),
        ("ITU-T Study Group 5 under Question 3/5", None, [("Question 3/5", "itu-t/question/3/5")]),
        ("Draft Opinion 4", "WTPF-26", [("Draft Opinion 4", "itu/wtpf-26/opinion/4")]),
        ("Opinion 2 (Geneva, 2013)", None, [("Opinion 2 (Geneva, 2013)", "itu/wtpf-13/opinion/2")]),
        ("the Baku Action Plan", None, [("Baku Action Plan", "itu/wtdc-25/action-plan")]),
        ("the Global Digital Compact", None, [("Global Digital Compact", "un/gdc")]),
    ],
)
def test_each_reference_pattern_gives_its_canonical_key(
    text: str, event: str | None, expected: list[tuple[str, str]]
) -> None:
    assert _found(text, event) == expected


def test_kinds_follow_the_instrument() -> None:
    text = (
        "Resolution 64 (Rev. Dubai, 2018), Decision 641 (C24), Recommendation ITU-T L.1470, "
        "Article 44 of the Constitution, Article 16 of the Convention, Article 18 of the Radio Regulations, "
        "UNGA Resolution 70/1, Tunis Agenda, Action Line C5, SDG 9, AFR1, Question 1/1, Draft Opinion 4, "
        "Baku Action Plan"
    )
    kinds = [ref.kind for ref in extract_references(text, event="WTPF-26")]
    assert kinds == [
        RefKind.ITU_RESOLUTION,
        RefKind.COUNCIL_DECISION,
        RefKind.ITU_RECOMMENDATION,
        RefKind.CONSTITUTION,
        RefKind.CONVENTION,
        RefKind.RADIO_REGULATIONS,
        RefKind.UNGA_RESOLUTION,
        RefKind.WSIS,
        RefKind.WSIS_ACTION_LINE,
        RefKind.SDG,
        RefKind.REGIONAL_INITIATIVE,
        RefKind.STUDY_QUESTION,
        RefKind.WTPF_OPINION,
        RefKind.OTHER_INSTRUMENT,
    ]


def test_a_list_gives_one_reference_per_item_with_its_own_span() -> None:
    text = "Resolutions 71, 130, 140, 179 (Rev. Bucharest, 2022) of the Plenipotentiary Conference"
    refs = extract_references(text)
    assert [(r.surface, r.key) for r in refs] == [
        ("Resolutions 71", "itu/pp/res/71"),
        ("130", "itu/pp/res/130"),
        ("140", "itu/pp/res/140"),
        ("179 (Rev. Bucharest, 2022)", "itu/pp/res/179"),
    ]
    # the revision printed after the list belongs to every item
    assert {r.revision for r in refs} == {"Rev. Bucharest, 2022"}


def test_a_range_gives_every_number_in_it() -> None:
    assert [r.key for r in extract_references("Resolutions 1 to 5 (Rev. Baku, 2025)")] == [
        f"itu/wtdc/res/{n}" for n in range(1, 6)
    ]
    assert [r.key for r in extract_references("Nos. 120–123 of the ITU Constitution")] == [
        f"itu/cs/no/{n}" for n in range(120, 124)
    ]


def test_items_with_their_own_revisions_keep_them() -> None:
    text = (
        "Resolutions 34 (Rev. Marrakesh, 2002) and 34 (Rev. Antalya, 2006) of the Plenipotentiary Conference"
    )
    refs = extract_references(text)
    assert [(r.key, r.revision) for r in refs] == [
        ("itu/pp/res/34", "Rev. Marrakesh, 2002"),
        ("itu/pp/res/34", "Rev. Antalya, 2006"),
    ]


def test_the_revision_is_an_attribute_so_every_edition_shares_the_key() -> None:
    keys = {
        canonical_key(s)
        for s in (
            "Resolution 64 (Rev. Dubai, 2018) of the Plenipotentiary Conference",
            "Resolution 64 (Rev. Bucharest, 2022)",
            "PP Res. 64",
            "Resolution\u00a064 (Rev.\u00a0Busan, 2014)",
        )
    }
    assert keys == {"itu/pp/res/64"}


def test_references_split_by_nbsp_or_a_line_break_are_found() -> None:
    assert _found("WTDC Resolution\u00a059 (Rev.\u00a0Baku, 2025)") == [
        ("WTDC Resolution\u00a059 (Rev.\u00a0Baku, 2025)", "itu/wtdc/res/59")
    ]
    assert _found("see Resolution\n64 (Rev. Dubai,\n2018) of the Plenipotentiary\nConference") == [
        ("Resolution\n64 (Rev. Dubai,\n2018)", "itu/pp/res/64")
    ]
    assert _found("No.\u00a0209\u00a0a) in Article\u00a016 of the ITU Convention") == [
        ("No.\u00a0209\u00a0a)", "itu/cv/no/209"),
        ("Article\u00a016", "itu/cv/art/16"),
    ]


def test_a_blank_line_ends_a_reference() -> None:
    # a section heading followed by the next paragraph's number is no reference
    assert _found("Adoption of ITU-D Recommendations\n\n\t\t\t7.1\tIntroduction") == []
    assert _found("Resolutions\n\n\t\t\t2\tThe study groups") == []


@pytest.mark.parametrize(
    "text",
    [
        "to prepare the documents identified in resolves 1 above",
        "the Committee adopted General Comment No. 25 (2021), on children's rights",
        "as stated in Article 9 of the United Nations Convention on the Rights of Persons with Disabilities",
        "Articles 19 and 27 of the Universal Declaration of Human Rights",
        "ITU Strategic Goal 1 (Target 1.6)",
        "the Plenipotentiary Conference (Kyoto, 1994) of the International Telecommunication Union",
        "the RPM for the Africa region (RPM-AFR) was held",
        "Council Documents C15/18, C16/18, C17/18",
        "relevant ITU-D study Questions and draft Opinions to achieve the SDGs",
        "ITU-D Study Group 2 and ITU-R Study Groups 4, 5, 6 and 7",
        "Kigali Resolution (2022)",
    ],
)
def test_false_friends_are_not_references(text: str) -> None:
    assert _found(text) == []


def test_a_footnote_mark_glued_to_a_reference_stays_out_of_it() -> None:
    assert _found("set out in WTDC Resolution 59 (Rev. Baku, 2025)3. In order") == [
        ("WTDC Resolution 59 (Rev. Baku, 2025)", "itu/wtdc/res/59")
    ]
    assert _found("the Global Digital Compact3, the Partner2Connect") == [
        ("Global Digital Compact", "un/gdc")
    ]


def test_a_body_named_earlier_on_the_line_applies_to_abbreviated_resolutions() -> None:
    text = "Several WTDC resolutions refer to digital skills (Res. 37, Res. 40, Res.73)"
    assert [r.key for r in extract_references(text)] == [
        "itu/wtdc/res/37",
        "itu/wtdc/res/40",
        "itu/wtdc/res/73",
    ]


def test_wsis_paragraphs_are_pinpoints_on_the_document_key() -> None:
    (ref,) = extract_references("consistent with §§ 113–118 of the Tunis Agenda and")
    assert (ref.key, ref.pinpoint) == ("wsis/tunis-agenda", "§§ 113–118")


_TOKENS = [
    "Resolution",
    "Resolutions",
    "Res.",
    "Decision",
    "Recommendation",
    "ITU-T",
    "ITU-R",
    "L.1470",
    "64",
    "70/1",
    "1282",
    "2022",
    "(Rev. Dubai, 2018)",
    "(C24)",
    "(Kigali, 2022)",
    ",",
    "and",
    "to",
    "–",
    "\u00a0",
    "\n",
    "\n\n",
    "\t",
    "of the Plenipotentiary Conference",
    "of this conference",
    "WTDC",
    "UNGA",
    "No.",
    "Nos.",
    "Article",
    "a)",
    "in",
    "of the Constitution",
    "of the Convention",
    "SDG",
    "Goal",
    "C5",
    "C11",
    "Action Line",
    "WSIS",
    "AFR1",
    "Question",
    "1/1",
    "Q3/2",
    "Tunis Agenda",
    "§",
    "Opinion",
    "Draft",
    "(",
    ")",
    "<p>",
    "Baku Action Plan",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_TOKENS), max_size=40).map(" ".join),
    st.sampled_from([None, "WTDC-25", "WTPF-26"]),
)
def test_extraction_never_fails_and_spans_index_the_text(text: str, event: str | None) -> None:
    refs = extract_references(text, event=event)
    for ref in refs:
        assert text[ref.start : ref.end] == ref.surface
        assert describe(ref.key)
        assert canonical_key(ref.key) == ref.key


# --------------------------------------------------------------------------------------------------
# Real corpus invariants


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_reference_in_a_corpus_file_indexes_its_surface_and_has_a_label(doc_id: str) -> None:
    text = source_text(doc_id)
    refs = extract_references(text, event=parsed_doc(doc_id).meta.event)
    assert refs
    for ref in refs:
        assert text[ref.start : ref.end] == ref.surface
        assert canonical_key(ref.key) == ref.key  # a key is itself a valid reference string
        assert describe(ref.key)
    assert refs == sorted(refs, key=lambda r: (r.start, r.end))


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_instrument_of_the_corpus_has_its_own_key(doc_id: str) -> None:
    doc = parsed_doc(doc_id)
    instruments = {p.instrument for p in doc.passages if p.instrument}
    keys = {name: instrument_key(name, doc.meta.event) for name in instruments}
    assert None not in keys.values(), [name for name, key in keys.items() if key is None]
    assert len(set(keys.values())) == len(keys)  # two instruments of one document never share a key


def test_a_wtpf_opinion_recalling_a_wtdc_resolution_cites_an_instrument_of_the_wtdc_report() -> None:
    opinion = next(p for p in parsed_doc("wtpf-26-sg-report").passages if "WTDC Resolution 11" in p.text)
    cited = {r.key for r in extract_references(opinion.text, event="WTPF-26")}
    wtdc = parsed_doc("wtdc-25-final-report")
    targets = {instrument_key(p.instrument, "WTDC-25") for p in wtdc.passages if p.instrument}
    assert "itu/wtdc/res/11" in cited & targets


# --------------------------------------------------------------------------------------------------
# canonical_key, instrument_key, describe, key_matches


@pytest.mark.parametrize(
    ("surface", "key"),
    [
        ("Resolution 70/1", "un/ga/res/70/1"),
        ("UNGA 70/1", "un/ga/res/70/1"),
        ("UNGA Resolution 76/3", "un/ga/res/76/3"),
        ("A/RES/70/1", "un/ga/res/70/1"),
        ("PP Res. 64", "itu/pp/res/64"),
        ("WTDC-25 Resolution 15", "itu/wtdc/res/15"),
        ("WTDC Res 37", "itu/wtdc/res/37"),
        ("Res 64 (Rev. Dubai, 2018)", "itu/pp/res/64"),
        ("Resolution 64", "itu/res/64"),
        ("ITU-R 75", "itu/ra/res/75"),
        ("ECOSOC 2025/18", "un/ecosoc/res/2025/18"),
        ("Council Decision 641", "itu/council/dec/641"),
        ("Rec. ITU-T E.164", "itu-t/rec/e.164"),
        ("ITU-T L.1470", "itu-t/rec/l.1470"),
        ("CS Art. 44", "itu/cs/art/44"),
        ("CV No. 213A", "itu/cv/no/213a"),
        ("RR No. 1.66A", "itu/rr/no/1.66a"),
        ("C5", "wsis/al/c5"),
        ("SDG9", "un/sdg/9"),
        ("Q1/1", "itu-d/question/1/1"),
        ("AFR1", "itu-d/ri/afr1"),
        ("Tunis Agenda", "wsis/tunis-agenda"),
        ("itu/pp/res/64", "itu/pp/res/64"),
        ("  Resolution\u00a070/1 ", "un/ga/res/70/1"),
    ],
)
def test_canonical_key_normalises_what_users_type(surface: str, key: str) -> None:
    assert canonical_key(surface) == key


@pytest.mark.parametrize("surface", ["", "   ", "hello world", "Resolutions and Recommendations", "SDG 42"])
def test_canonical_key_is_none_for_no_instrument(surface: str) -> None:
    assert canonical_key(surface) is None


def test_canonical_key_uses_the_event_for_bare_designations() -> None:
    assert canonical_key("Resolution 15", event="WTDC-25") == "itu/wtdc/res/15"
    assert canonical_key("Draft Opinion 4", event="WTPF-26") == "itu/wtpf-26/opinion/4"


@pytest.mark.parametrize(
    ("instrument", "event", "key"),
    [
        ("Resolution 15 (Rev. Kigali, 2022)", "WTDC-25", "itu/wtdc/res/15"),
        # inside the conference's own report, whatever the revision's place says
        ("Resolution 20 (Rev. Buenos Aires, 2017)", "WTDC-25", "itu/wtdc/res/20"),
        ("Draft Opinion 4", "WTPF-26", "itu/wtpf-26/opinion/4"),
        ("Draft Opinion 4", "WTPF-21", "itu/wtpf-21/opinion/4"),
        ("Question 1/1", "WTDC-25", "itu-d/question/1/1"),
        ("Regional initiative AFR1", "WTDC-25", "itu-d/ri/afr1"),
        ("Recommendation ITU-D 19", "WTDC-25", "itu-d/rec/19"),
        ("WSIS Action Line C5", "WSIS", "wsis/al/c5"),
        ("Baku Declaration", "WTDC-25", "itu/wtdc-25/declaration"),
        ("Preamble", "WTDC-25", None),
    ],
)
def test_instrument_key_from_a_passage_instrument_and_document_event(
    instrument: str, event: str, key: str | None
) -> None:
    assert instrument_key(instrument, event) == key


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("itu/pp/res/64", "Resolution 64 of the Plenipotentiary Conference"),
        ("itu/wtdc/res/37", "WTDC Resolution 37"),
        ("itu/res/37", "Resolution 37 (ITU, body not stated)"),
        ("itu/council/dec/641", "Council Decision 641"),
        ("itu-t/rec/l.1470", "Recommendation ITU-T L.1470"),
        ("itu/cs/no/19", "ITU Constitution, No. 19"),
        ("itu/rr/ch/vii", "Radio Regulations, Chapter VII"),
        ("un/ga/res/70/1", "UNGA Resolution 70/1"),
        ("wsis/al/c5", "WSIS Action Line C5"),
        ("wsis/tunis-agenda", "WSIS Tunis Agenda for the Information Society"),
        ("un/sdg/9", "SDG 9 (Industry, Innovation and Infrastructure)"),
        ("itu-d/ri/afr1", "Regional initiative AFR1"),
        ("itu-d/question/1/1", "ITU-D Question 1/1"),
        ("itu/wtpf-26/opinion/4", "WTPF-26 Opinion 4"),
        ("itu/wtdc-25/action-plan", "Baku Action Plan"),
    ],
)
def test_describe_gives_a_human_label(key: str, label: str) -> None:
    assert describe(key) == label


def test_describe_rejects_what_is_no_key() -> None:
    with pytest.raises(ValueError, match="not a reference key"):
        describe("resolution 64")


@pytest.mark.parametrize(
    ("target", "key", "matches"),
    [
        ("itu/wtdc/res/37", "itu/wtdc/res/37", True),
        ("itu/res/37", "itu/wtdc/res/37", True),  # body not stated matches every body
        ("itu/wtdc/res/37", "itu/res/37", True),
        ("itu/pp/res/37", "itu/wtdc/res/37", False),
        ("itu/cs", "itu/cs/no/19", True),  # a document matches its provisions
        ("itu/cs/art/1", "itu/cs/art/17a", False),
        ("un/ga/res/70/1", "un/ga/res/70/125", False),
    ],
)
def test_key_matches_exact_keys_parts_and_unstated_bodies(target: str, key: str, matches: bool) -> None:
    assert key_matches(target, key) is matches


def test_reference_round_trips_through_a_dict() -> None:
    (ref,) = extract_references("Resolution 64 (Rev. Dubai, 2018)")
    data = ref.to_dict()
    assert data["kind"] == "itu-resolution"
    assert Reference.from_dict(data) == ref
