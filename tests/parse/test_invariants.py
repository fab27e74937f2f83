"""Invariants every parser must keep, checked on every real document."""

from __future__ import annotations

import re

import pytest

from rag.parse.coverage import measure_coverage
from rag.parse.spans import clean_text
from rag.types import Passage
from tests.conftest import DOC_IDS, parsed_doc, source_text


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_passage_text_comes_from_its_span(doc_id: str) -> None:
    text = source_text(doc_id)
    for p in parsed_doc(doc_id).passages:
        pieces = [clean_text(text[a:b]) for a, b in p.spans]
        source = " ".join(pieces)
        # label and markup aside, the text is the span's words in order
        assert _squash(p.text) in _squash(source), p.id
        if p.label:
            assert _squash(source).endswith(_squash(p.text)), p.id


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_passages_of_a_document_do_not_overlap(doc_id: str) -> None:
    spans = sorted((a, b, p.id) for p in parsed_doc(doc_id).passages for a, b in p.spans)
    for (a1, b1, id1), (a2, b2, id2) in zip(spans, spans[1:], strict=False):
        assert b1 <= a2, f"{id1} [{a1},{b1}) overlaps {id2} [{a2},{b2})"


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_ids_are_unique_and_structural(doc_id: str) -> None:
    ids = [p.id for p in parsed_doc(doc_id).passages]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(doc_id + "/") for i in ids)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9./~-]*", i) for i in ids), [
        i for i in ids if not re.fullmatch(r"[a-z0-9][a-z0-9./~-]*", i)
    ][:5]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_passages_round_trip_through_dicts(doc_id: str) -> None:
    for p in parsed_doc(doc_id).passages:
        assert Passage.from_dict(p.to_dict()) == p


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_non_blank_line_is_covered(doc_id: str) -> None:
    doc = parsed_doc(doc_id)
    cov = measure_coverage(doc, source_text(doc_id))
    lines = source_text(doc_id).split("\n")
    assert not cov.uncovered, [f"{n}: {lines[n - 1][:80]!r}" for n in cov.uncovered[:10]]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_citations_start_with_the_document_short_title(doc_id: str) -> None:
    doc = parsed_doc(doc_id)
    for p in doc.passages:
        assert p.citation.startswith(doc.meta.short_title + ", "), p.citation


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_parsing_twice_gives_identical_passages(doc_id: str) -> None:
    from rag.parse import parse_document

    doc = parsed_doc(doc_id)
    again = parse_document(doc.meta, source_text(doc_id))
    assert again.passages == doc.passages
