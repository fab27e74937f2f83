"""Query analysis per language: spelling is corrected in English only."""

from __future__ import annotations

from rag.query.analysed import _parse


def test_spelling_is_corrected_in_english_only(hash_searcher):
    context = hash_searcher.context
    query = "Quelle est la longueur maximale d'une contribution soumise aux commissions d'études ?"
    _, as_english = _parse(context, query)  # English by default, as before
    parsed, as_french = _parse(context, query, "fr")
    assert [c.typed for c in as_english][:2] == ["Quelle", "maximale"]  # "quell", "maximal"
    assert as_french == ()
    assert parsed.ranking_text == query


def test_english_spelling_is_still_corrected(hash_searcher):
    parsed, corrections = _parse(hash_searcher.context, "cybersecurty capacity bulding", "en")
    assert [c.typed for c in corrections] == ["cybersecurty", "bulding"]
    assert parsed.ranking_text == "cybersecurity capacity building"
