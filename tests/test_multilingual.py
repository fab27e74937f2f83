"""The multilingual leg: which queries it answers, what it returns, how it is built and loaded; and, on
the real index, that questions in the five other official languages find their English passages."""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading

import numpy as np
import pytest

from rag.config import make_settings
from rag.errors import ConfigError
from rag.index.manifest import read_manifest
from rag.index.store import build_index, load_index, load_multilingual_encoder, seed_caches
from rag.rank.search import Searcher
from tests.conftest import hash_encoder, ml_hash_encoder

FRENCH = "Quelles sont les initiatives régionales pour l'Afrique ?"
ENGLISH = "regional initiatives for Africa"


def test_a_question_in_another_language_is_answered_by_the_multilingual_leg(hash_searcher):
    results = hash_searcher.search(FRENCH, k=5)
    assert results.lang == "fr"
    assert results.hits, "the multilingual leg found nothing"
    for hit in results.hits:
        assert "multilingual" in hit.ranks and "dense" not in hit.ranks
    english = hash_searcher.search(ENGLISH, k=5)
    assert english.lang == "en"
    assert all("dense" in h.ranks and "multilingual" not in h.ranks for h in english.hits)


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("Что говорится о гендерном равенстве?", "ru"),
        ("ما هي المبادرات الإقليمية لأفريقيا؟", "ar"),
        ("区域举措有哪些？", "zh"),
        ("¿Qué dice la Resolución 58 sobre las personas con discapacidad?", "es"),
    ],
)
def test_each_language_is_detected_and_reported(hash_searcher, query, lang):
    results = hash_searcher.search(query, k=3)
    assert results.lang == lang
    assert results.to_dict()["lang"] == lang


def test_the_caller_may_name_the_language(hash_searcher):
    assert hash_searcher.search(ENGLISH, k=3, lang="fr-FR").lang == "fr"
    hit = hash_searcher.search(ENGLISH, k=3, lang="FR").hits[0]
    assert "multilingual" in hit.ranks
    assert hash_searcher.search(FRENCH, k=3, lang="en").hits[0].ranks.get("dense") is not None
    with pytest.raises(ConfigError, match="ar, en, es, fr, ru, zh"):
        hash_searcher.search(ENGLISH, k=3, lang="de")


def test_only_english_is_spell_corrected(hash_searcher):
    # "Quelle" and "soumise" are not misspelt English words: the corrector would have "fixed" them
    results = hash_searcher.search("Quelle est la longueur maximale d'une contribution soumise ?", k=3)
    assert results.lang == "fr" and results.corrections == ()
    assert hash_searcher.search("cybersecurty strategy", k=3).corrections != ()


def _with_settings(searcher: Searcher, **changes: object) -> Searcher:
    """The searcher over the same loaded index with other retrieval settings (what the stages read)."""
    return Searcher(dataclasses.replace(searcher.context, settings=searcher.settings.updated(**changes)))


def test_the_leg_switched_off_leaves_the_english_pipeline(hash_searcher):
    searcher = _with_settings(hash_searcher, multilingual=False)
    results = searcher.search(FRENCH, k=5)
    assert results.lang == "fr"  # still detected and reported
    assert all("multilingual" not in h.ranks and "dense" in h.ranks for h in results.hits)


def test_the_leg_fuses_bm25_for_numbers_and_references(hash_searcher):
    """'Résolution 58': the number still matches the English text lexically."""
    results = hash_searcher.search("Résolution 58 : stage pour les personnes handicapées", k=10)
    assert results.lang == "fr"
    assert any("bm25" in h.ranks and h.ranks["bm25"] is not None for h in results.hits)


def test_dense_mode_ranks_by_the_multilingual_vectors_and_bm25_mode_by_bm25(hash_searcher):
    dense = hash_searcher.search(FRENCH, k=5, mode="dense")
    assert [set(h.ranks) for h in dense.hits] == [{"multilingual"}] * len(dense.hits)
    assert [h.rank for h in dense.hits] == list(range(1, len(dense.hits) + 1))
    bm25 = hash_searcher.search(FRENCH, k=5, mode="bm25")
    assert all(set(h.ranks) == {"bm25"} for h in bm25.hits)


@pytest.fixture(scope="module")
def english_only_settings(tmp_path_factory, hash_index_settings):
    """The seed corpus built with the English (hashing) encoder alone: no multilingual vectors.

    Rebuilt over a copy of the session's index (with the leg), as after switching the leg off: the
    parsed passages and English vectors are reused, the leg's vectors and index dropped."""
    settings = make_settings(index_dir=tmp_path_factory.mktemp("english-only") / "index")
    shutil.copytree(hash_index_settings.index.index_dir, settings.index.index_dir)
    assert (settings.index.index_dir / "multilingual").is_dir()
    build_index(settings, encoder=hash_encoder(), show_progress=False)
    return settings


def test_an_index_without_the_leg_answers_every_language_the_english_way(english_only_settings):
    assert read_manifest(english_only_settings.index.index_dir).multilingual is None
    assert load_index(english_only_settings).multilingual is None
    searcher = Searcher.load(english_only_settings, encoder=hash_encoder(), multilingual=ml_hash_encoder())
    assert searcher.multilingual is None
    results = searcher.search(FRENCH, k=3)
    assert results.lang == "fr" and all("dense" in h.ranks for h in results.hits)


def test_the_build_records_the_leg_and_reuses_its_cache(hash_index_settings, tmp_path):
    manifest = read_manifest(hash_index_settings.index.index_dir)
    assert manifest.multilingual is not None
    assert (manifest.multilingual.name, manifest.multilingual.dim) == (ml_hash_encoder().name, 128)
    assert manifest.multilingual.backend == "injected"
    assert "multilingual/dense.faiss" in manifest.files
    index = load_index(hash_index_settings)
    assert index.multilingual is not None and index.multilingual.size == len(index.passages)
    vectors = index.multilingual.vectors()
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    # a second index seeded with the first's caches embeds no text again
    again = make_settings(index_dir=tmp_path / "index")
    seed_caches(hash_index_settings.index.index_dir, again.index.index_dir)

    class Counting:
        def __init__(self) -> None:
            self.inner, self.embedded = ml_hash_encoder(), 0

        name = property(lambda self: self.inner.name)
        dim = property(lambda self: self.inner.dim)

        def embed_queries(self, texts):  # type: ignore[no-untyped-def]
            return self.inner.embed_queries(texts)

        def embed_passages(self, texts, *, show_progress=None):  # type: ignore[no-untyped-def]
            self.embedded += len(texts)
            return self.inner.embed_passages(texts)

    counting = Counting()
    report = build_index(again, encoder=hash_encoder(), multilingual=counting, show_progress=False)
    assert counting.embedded == 0 and report.multilingual_embedded == 0
    assert np.array_equal(load_index(again).multilingual.vectors(), vectors)


def test_a_test_encoders_index_has_its_leg_only_when_the_encoder_is_handed_in(hash_index_settings):
    index = load_index(hash_index_settings)
    assert load_multilingual_encoder(hash_index_settings, index) is None


# --- the real multilingual encoder and index (slow) ---------------------------------------------------


@pytest.mark.slow
def test_the_multilingual_encoder_puts_a_translation_nearer_than_another_topic():
    from rag.index.multilingual import multilingual_encoder

    encoder = multilingual_encoder(make_settings())
    assert encoder is not None
    passages = encoder.embed_passages(
        ["Emergency telecommunications for disaster relief", "Spectrum management for satellite orbits"]
    )
    for query in ("télécommunications d'urgence", "электросвязь в чрезвычайных ситуациях", "应急通信"):
        cosines = passages @ encoder.embed_queries([query])[0]
        assert cosines[0] > cosines[1], query


@pytest.mark.slow
def test_questions_in_five_languages_find_their_english_passages(real_searcher, real_index_settings):
    """lang-dev (45 questions, 9 per language): the leg finds most; without it, the English pipeline
    finds far fewer (measured: R@10 0.80 with, 0.29 without)."""
    from eval.gold_data import language_gold_paths, load_gold
    from eval.judge import Judge, load_texts

    questions = load_gold([p for p in language_gold_paths() if p.stem == "lang-dev"])
    judge = Judge(load_texts(real_index_settings)[0], real_searcher.passages)
    ablated = Searcher.from_index(
        real_searcher.index,
        real_searcher.encoder,
        real_index_settings.updated(multilingual=False),
        real_searcher.multilingual,
    )

    def found(searcher: Searcher) -> dict[str, list[bool]]:
        out: dict[str, list[bool]] = {}
        for q in questions:
            relevant = {p.id for p in judge.covering(Judge.answers(q))}
            results = searcher.search(q.question, k=10)
            assert results.lang == q.lang, q.question
            out.setdefault(q.lang, []).append(any(h.passage.id in relevant for h in results.hits))
        return out

    with_leg, without = found(real_searcher), found(ablated)
    recall = sum(sum(v) for v in with_leg.values()) / len(questions)
    assert recall >= 0.7, with_leg
    assert all(sum(v) >= 5 for v in with_leg.values()), with_leg  # at least 5 of 9 in every language
    assert recall >= sum(sum(v) for v in without.values()) / len(questions) + 0.3


def test_the_english_gloss_of_the_question_ranks_beside_the_vectors(hash_searcher):
    """With the hashing stand-in the multilingual vectors share no word with English text: what finds
    the passages on emergency telecommunications is the gloss ("télécommunications d'urgence")."""
    results = hash_searcher.search("Que disent les textes sur les télécommunications d'urgence ?", k=5)
    assert results.lang == "fr"
    assert all({"gloss_bm25", "gloss_dense"} <= set(h.ranks) for h in results.hits)
    assert "emergency telecommunication" in results.hits[0].passage.text.lower()


def test_the_gloss_weight_zero_leaves_the_gloss_out(hash_searcher):
    searcher = _with_settings(hash_searcher, multilingual_gloss_weight=0.0)
    results = searcher.search("Que disent les textes sur les télécommunications d'urgence ?", k=5)
    assert results.hits and all("multilingual" in h.ranks for h in results.hits)
    assert not any({"gloss_bm25", "gloss_dense"} & set(h.ranks) for h in results.hits)


FRENCH_NOTES = """Notes en français

Les États Membres sont invités à renforcer les télécommunications d'urgence dans les zones rurales.

Le Bureau publie chaque année un rapport sur la cybersécurité des petits États insulaires.
"""


@pytest.fixture(scope="module")
def corpus_with_a_french_text(tmp_path_factory):
    """The small test corpus plus a French document (``lang: fr``), built with both stand-in encoders."""
    from tests.retrieval_fixtures import make_corpus, settings_for

    root = tmp_path_factory.mktemp("foreign")
    corpus = make_corpus(root / "corpus")
    (corpus / "notes-fr.txt").write_text(FRENCH_NOTES, encoding="utf-8")
    meta = json.loads((corpus / "documents.json").read_text(encoding="utf-8"))
    meta["documents"].append(
        {
            "id": "notes-fr",
            "file": "notes-fr.txt",
            "title": "Notes en français",
            "short_title": "Notes FR",
            "event": "TEST-2",
            "date": "2025",
            "kind": "plain",
            "lang": "fr",
        }
    )
    (corpus / "documents.json").write_text(json.dumps(meta), encoding="utf-8")
    settings = settings_for(corpus, root / "index")
    build_index(settings, encoder=hash_encoder(), multilingual=ml_hash_encoder(), show_progress=False)
    return settings


def test_an_english_question_reaches_a_french_text_through_the_leg(corpus_with_a_french_text):
    searcher = Searcher.load(
        corpus_with_a_french_text, encoder=hash_encoder(), multilingual=ml_hash_encoder()
    )
    assert searcher.context.foreign_rows is not None
    assert {searcher.passages[r].doc for r in np.flatnonzero(searcher.context.foreign_rows)} == {"notes-fr"}
    # the stand-in encoders embed words: "cybersécurité" is the French text's own word
    results = searcher.search("rapport cybersécurité Bureau", k=10, lang="en")
    foreign = [h for h in results.hits if h.passage.doc == "notes-fr"]
    assert foreign and all(h.ranks.get("foreign") is not None for h in foreign)
    # the English texts' passages are never in that run
    assert all(
        "foreign" not in h.ranks or h.ranks["foreign"] is None
        for h in results.hits
        if h.passage.doc != "notes-fr"
    )


def test_without_a_text_in_another_language_english_questions_do_not_embed_twice(hash_searcher):
    assert hash_searcher.context.foreign_rows is None
    analysed, candidates = hash_searcher.first_stage(ENGLISH, 5)
    assert analysed.foreign_vector is None and "foreign" not in candidates.runs


class _Overlap:
    """Stand-in encoders that tell whether the English encoder ran while the multilingual one did."""

    def __init__(self) -> None:
        self.english_called = threading.Event()
        self.overlapped: list[bool] = []

    def english(self):  # type: ignore[no-untyped-def]
        outer, base = self, hash_encoder()

        class English(type(base)):  # type: ignore[misc]
            def embed_queries(self, texts):  # type: ignore[no-untyped-def]
                outer.english_called.set()
                return super().embed_queries(texts)

        return English(dim=base.dim)

    def multilingual(self):  # type: ignore[no-untyped-def]
        outer, base = self, ml_hash_encoder()

        class Multilingual(type(base)):  # type: ignore[misc]
            def embed_queries(self, texts):  # type: ignore[no-untyped-def]
                outer.overlapped.append(outer.english_called.wait(timeout=5))
                return super().embed_queries(texts)

        return Multilingual(dim=base.dim)


def test_the_gloss_is_embedded_while_the_multilingual_vector_is_computed(hash_searcher):
    """The multilingual encoder (~35 ms a query) runs in the background while the rest of the query is
    read; the vectors, and so the results, are those of the encoders called one after the other."""
    spies = _Overlap()
    context = dataclasses.replace(
        hash_searcher.context, encoder=spies.english(), multilingual=spies.multilingual()
    )
    query = "Que disent les textes sur les télécommunications d'urgence ?"
    analysed, _ = Searcher(context).first_stage(query, 5)
    assert spies.overlapped == [True]
    assert analysed.gloss_vector is not None and analysed.vector is None
    assert np.array_equal(analysed.ml_vector, ml_hash_encoder().embed_queries([query])[0])
    assert Searcher(context).search(query, k=5).hits == hash_searcher.search(query, k=5).hits
