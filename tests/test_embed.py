"""Encoders: the hashing fake, batching by length, progress switch, a query embedded in the background,
and ONNX against torch."""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest

from rag.index.encoders import (
    INT8_FILES,
    MIN_INT8_COSINE,
    MIN_ONNX_COSINE,
    Encoder,
    HashEncoder,
    _encode_sorted,
    embed_query_later,
    min_cosine,
    model_fingerprint,
    prepare_int8,
    prepare_onnx,
    progress_enabled,
    reusable_export,
    reusable_int8,
)


def test_hash_encoder_is_deterministic_normalised_and_word_aware():
    enc = HashEncoder(dim=32)
    a = enc.embed_queries(["digital skills", "space connectivity", ""])
    assert isinstance(enc, Encoder) and a.dtype == np.float32 and a.shape == (3, 32)
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0) and not a[2].any()
    assert np.array_equal(a, HashEncoder(dim=32).embed_passages(["digital skills", "space connectivity", ""]))
    near, far = enc.embed_queries(["digital skills for youth", "orbit spectrum"])
    assert float(a[0] @ near) > float(a[0] @ far)


def test_bulk_encoding_sorts_by_length_and_restores_input_order():
    texts = ["a", "bbbb", "cc", "ddd", "e"]
    batches: list[list[int]] = []

    def encode(idx: list[int]) -> np.ndarray:
        batches.append(idx)
        return np.array([[float(len(texts[i])), float(i)] for i in idx], dtype=np.float32)

    out = _encode_sorted(texts, [len(t) for t in texts], encode, dim=2, batch_size=2, show_progress=False)
    assert out[:, 1].tolist() == [0, 1, 2, 3, 4]  # each row back in its place
    assert [[len(texts[i]) for i in b] for b in batches] == [[4, 3], [2, 1], [1]]  # longest first


class _ThreadRecorder(HashEncoder):
    """The hashing encoder, noting the thread of each call; ``fail`` raises instead."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(dim=16)
        self.threads: list[str] = []
        self.fail = fail

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise RuntimeError("the engine failed")
        return super().embed_queries(texts)


def test_a_query_embedded_later_is_the_same_vector_from_one_thread_per_process():
    encoder = _ThreadRecorder()
    vectors = []
    callers = [threading.Thread(target=lambda: vectors.append(embed_query_later(encoder, "x").result()))]
    callers[0].start()
    callers[0].join()
    vectors.append(embed_query_later(encoder, "x").result())
    assert all(np.array_equal(v, HashEncoder(dim=16).embed_queries(["x"])[0]) for v in vectors)
    # both callers' queries ran on the one query-embedding thread, neither on a caller's
    assert len(set(encoder.threads)) == 1 and encoder.threads[0].startswith("query-embedding")


def test_each_encoder_has_its_own_query_thread():
    """A question's multilingual vector must not queue behind the English one begun before its language
    was known: one thread per encoder (by name), the same one for the same model."""
    english, other = _ThreadRecorder(), _ThreadRecorder()
    multilingual = type("Multilingual", (_ThreadRecorder,), {"name": property(lambda self: "ml-16")})()
    for encoder in (english, other, multilingual):
        embed_query_later(encoder, "x").result()
    assert english.threads == other.threads  # same name (hash-16): same thread
    assert multilingual.threads[0] != english.threads[0]
    assert multilingual.threads[0].startswith("query-embedding")


def test_a_query_embedded_later_raises_what_the_encoder_raised():
    with pytest.raises(RuntimeError, match="the engine failed"):
        embed_query_later(_ThreadRecorder(fail=True), "x").result()


class _Prepared(HashEncoder):
    """The hashing encoder with ``prepare_query``: notes where the preparation and the job ran, and the
    job waits for ``release`` (an ONNX Runtime call in flight)."""

    def __init__(self) -> None:
        super().__init__(dim=16)
        self.prepared_on: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.ran_on: list[str] = []

    def prepare_query(self, text: str):  # type: ignore[no-untyped-def]
        self.prepared_on.append(threading.current_thread().name)

        def job() -> np.ndarray:
            self.ran_on.append(threading.current_thread().name)
            self.started.set()
            assert self.release.wait(10)
            return self.embed_queries([text])[0]

        return job


def test_a_prepared_query_is_prepared_by_the_caller_and_taken_by_the_thread_before_the_caller_goes_on():
    """The GIL: a thread waiting for it while the caller runs Python would start late, so the caller
    prepares the inputs and returns only once the query thread has begun the job."""
    encoder = _Prepared()
    future = embed_query_later(encoder, "digital skills")
    # no waiting here: the job had begun when embed_query_later returned
    assert encoder.started.is_set() and not future.done()
    assert encoder.prepared_on == [threading.current_thread().name]
    assert encoder.ran_on[0].startswith("query-embedding")
    encoder.release.set()
    assert np.array_equal(future.result(timeout=10), HashEncoder(dim=16).embed_queries(["digital skills"])[0])


def test_progress_follows_logging_level_and_tqdm_disable(monkeypatch):
    log = logging.getLogger("rag.test.progress")
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    log.setLevel(logging.INFO)
    assert progress_enabled(None, log) is True
    log.setLevel(logging.WARNING)
    assert progress_enabled(None, log) is False
    assert progress_enabled(True, log) is True
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert progress_enabled(True, log) is False


def test_the_fast_lane_refuses_to_load_the_real_encoder_or_fine_tune(tmp_path):
    """tests/conftest.py fails any test not marked slow that loads the model: the fast lane stays fast."""
    from rag.index import finetune
    from rag.index.encoders import OnnxEncoder, TorchEncoder

    for load in (lambda: TorchEncoder.load(tmp_path), lambda: OnnxEncoder.load(tmp_path), finetune.train):
        with pytest.raises(pytest.fail.Exception, match="mark it @pytest.mark.slow"):
            load()


@pytest.mark.slow
def test_onnx_export_matches_torch_and_is_reused(real_encoder_spec, torch_encoder, tmp_path, monkeypatch):
    folder = tmp_path / "encoder"
    assert prepare_onnx(real_encoder_spec, folder)
    onnx = real_encoder_spec.load_onnx(folder)
    texts = [
        "instructs the Director of the Telecommunication Development Bureau to continue to develop handbooks",
        "Resolution\u00a064",
        "a)",
        " ".join(["long text"] * 400),  # truncated at max_seq_length like sentence-transformers does
    ]
    a, b = onnx.embed_passages(texts), torch_encoder.embed_passages(texts)
    assert onnx.dim == torch_encoder.dim == 384
    assert min_cosine(a, b) >= MIN_ONNX_COSINE
    assert np.allclose(onnx.embed_queries(texts[:1]), a[:1], atol=1e-5)  # batch padding changes nothing
    # a second build links the export instead of redoing it: torch is not even loaded
    monkeypatch.setattr(type(real_encoder_spec), "load_torch", lambda self: pytest.fail("re-exported"))
    again = tmp_path / "again"
    assert prepare_onnx(real_encoder_spec, again, reuse=[folder])
    assert reusable_export(again, model_fingerprint(real_encoder_spec.model_dir))


@pytest.mark.slow
def test_int8_quantisation_stays_close_to_float32_and_is_reused(real_encoder_spec, tmp_path, monkeypatch):
    """The int8 model (the default backend) against its float32 export on real passages and questions:
    the same ranking of passages for a question, vectors at cosine >= 0.97; a query's vector the same
    when embedded in the background; linked, not redone, when a folder holds one; dropped (float32
    used) when the check fails."""
    from rag.index import encoders

    folder = tmp_path / "encoder"
    assert prepare_onnx(real_encoder_spec, folder)
    assert prepare_int8(real_encoder_spec, folder)
    int8, fp32 = real_encoder_spec.load_onnx(folder, backend="onnx-int8"), real_encoder_spec.load_onnx(folder)
    assert int8.name.endswith("@onnx-int8") and fp32.name.endswith("@onnx")  # never one cache key
    passages = [
        "instructs the Director of the Telecommunication Development Bureau to continue to develop handbooks "
        "on the transfer of technology",
        "invites Member States to share best practices on spectrum management for satellite services",
        "recognizing that women and girls remain under-represented in ICT education and employment",
        "to support least developed countries in building resilient emergency telecommunication networks",
    ]
    questions = ["What did BDT have to do about handbooks?", "gender gap in ICT careers"]
    a, b = int8.embed_passages(passages), fp32.embed_passages(passages)
    assert min_cosine(a, b) >= 0.97
    for q_int8, q_fp32 in zip(int8.embed_queries(questions), fp32.embed_queries(questions), strict=True):
        assert np.argmax(a @ q_int8) == np.argmax(b @ q_fp32)
    # a query embedded on the query thread (its inputs prepared by the caller) is the same vector
    for encoder in (int8, fp32):
        for q in questions:
            assert np.array_equal(embed_query_later(encoder, q).result(), encoder.embed_queries([q])[0])
    # a second folder links the quantisation instead of redoing it
    monkeypatch.setattr(encoders, "_quantize_int8", lambda *a, **k: pytest.fail("quantised again"))
    again = tmp_path / "again"
    assert prepare_onnx(real_encoder_spec, again, reuse=[folder])
    assert prepare_int8(real_encoder_spec, again, reuse=[folder])
    assert reusable_int8(again, model_fingerprint(real_encoder_spec.model_dir))
    monkeypatch.undo()
    # a quantisation that drifts too far is deleted, and the caller falls back to float32
    monkeypatch.setattr(encoders, "MIN_INT8_COSINE", 1.01)
    drifting = tmp_path / "drifting"
    assert prepare_onnx(real_encoder_spec, drifting, reuse=[folder])
    assert not prepare_int8(real_encoder_spec, drifting)
    assert not any((drifting / name).exists() for name in INT8_FILES)
    assert MIN_INT8_COSINE < 1.0


def test_a_failed_or_drifting_onnx_export_is_deleted_and_torch_used(tmp_path, monkeypatch, caplog):
    """The two ways an export is refused: the exporter raises, or its vectors drift from torch's."""
    from rag.index import encoders

    spec = encoders.EncoderSpec(model_dir=tmp_path / "model", model_name="m")
    monkeypatch.setattr(encoders, "model_fingerprint", lambda _dir: {"files_sha256": "x"})
    monkeypatch.setattr(encoders.EncoderSpec, "load_torch", lambda self: object())
    monkeypatch.setattr(encoders.EncoderSpec, "load_onnx", lambda self, folder, **kw: object())

    def broken(_torch, folder, *, source):  # type: ignore[no-untyped-def]
        raise RuntimeError("unsupported operator")

    monkeypatch.setattr(encoders, "export_onnx", broken)
    with caplog.at_level(logging.WARNING, logger="rag.index.encoders"):
        assert not prepare_onnx(spec, tmp_path / "a")
    assert "ONNX export of" in caplog.text and "unsupported operator" in caplog.text

    def writes(_torch, folder, *, source):  # type: ignore[no-untyped-def]
        folder.mkdir(parents=True, exist_ok=True)
        for name in encoders.ONNX_FILES:
            (folder / name).write_text("{}", encoding="utf-8")

    monkeypatch.setattr(encoders, "export_onnx", writes)
    monkeypatch.setattr(encoders, "verify_onnx", lambda *_a: 0.5)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="rag.index.encoders"):
        assert not prepare_onnx(spec, tmp_path / "b")
    assert "min cosine 0.5000" in caplog.text
    assert not any((tmp_path / "b" / name).exists() for name in encoders.ONNX_FILES)


@pytest.mark.parametrize(
    ("onnx_ok", "int8_ok", "backend"),
    [(True, True, "onnx-int8"), (True, False, "onnx"), (False, False, "torch")],
)
def test_the_build_falls_back_from_int8_to_float32_to_torch(tmp_path, monkeypatch, onnx_ok, int8_ok, backend):
    """What the index records (the backend and the cache key's model id) is what made the vectors."""
    from rag.config import make_settings
    from rag.index import store
    from rag.index.timing import PhaseClock

    monkeypatch.setattr(store, "model_fingerprint", lambda _dir: {"files_sha256": "x"})
    monkeypatch.setattr(store, "prepare_onnx", lambda *a, **k: onnx_ok)
    monkeypatch.setattr(store, "prepare_int8", lambda *a, **k: int8_ok)
    settings = make_settings(index_dir=tmp_path / "index", encoder="stock")
    clock = PhaseClock(logging.getLogger("test"))
    chosen, model_id = store._english_backend(tmp_path / "new", settings, None, clock)
    assert (chosen, model_id) == (backend, f"{settings.index.model_name}@{backend}")
