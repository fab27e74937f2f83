"""The loaded index the routes answer from, and the holder that swaps it when the index is rebuilt.

``Engine`` is one loaded index as served: the library's ``rag.answer.Assistant`` (the searcher, the
extractive answerer, passage contexts, the version index) with its build id and load time. It is never
mutated, so a request that took a reference to it at its start answers wholly from that index even
if a new one is swapped in meanwhile.

``IndexHolder`` lives on ``app.state.holder`` for the life of the app:

- ``load()`` (called in the lifespan) loads the index; if it is missing, stale or corrupt the app still
  starts, and ``current()`` raises that error so every endpoint answers 503 naming ``rag build``;
- ``current()`` returns the engine in one attribute read (atomic under the GIL); at most every
  ``check_interval`` seconds it also reads the manifest on disk and, when its build id differs from
  the loaded one (``rag build`` ran in another process), reloads in a background thread while the
  old engine keeps answering, then swaps;
- ``reload()`` loads and swaps synchronously, ``refresh_now()`` only if the index on disk is not the
  one served (``POST /admin/reindex``); a failed reload keeps the old engine serving and is reported
  in ``/healthz`` as ``reload_error``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rag.answer import Assistant, ContextIndex
from rag.config import Settings
from rag.errors import IndexError_, IndexMissingError, RagError
from rag.index.encoders import Encoder
from rag.index.manifest import Manifest
from rag.index.store import read_manifest
from rag.query import language, translate
from rag.rank.search import Searcher

logger = logging.getLogger(__name__)


LOAD_ATTEMPTS = 3
# The query encoders' threads in a server with cores to spare: measured on 1 and 2 (README, Latency)
SERVING_THREADS = 2


def serving_settings(settings: Settings, cores: int | None = None) -> Settings:
    """Settings for a server process: both query encoders on the cores each worker has (at most
    ``SERVING_THREADS``), unless ``RAG_EMBED_THREADS`` / ``RAG_MULTILINGUAL_THREADS`` say.

    A server encodes one short query per request and answers several at once (threads within a
    worker, and workers). With one worker on 2 cores a query's matrix products split over both cores
    (README, Latency: the figures); with ``--workers 2`` on 2 cores each worker gets one thread, so
    the workers never oversubscribe the cores. Neither pool spins while it waits (ONNX Runtime's
    ``allow_spinning`` is off in both encoders, ``rag.index.encoders.OnnxEncoder`` and
    ``rag.index.multilingual``): an earlier spinning pool burnt as much CPU as the work itself
    (12.7 ms of CPU per query on 2 threads against 6.3 ms on one). The vectors are bitwise the same
    on any number of threads (the parallel loops split output rows, never a sum). An explicitly set
    value is kept.

    The int8 English encoder (the default backend) runs on one thread whatever the cores: its products
    on a question's few tokens are too small to split (p50 over 40 questions 1.98 ms on one thread,
    2.84 ms on two; two threads gain only past ~130 words, 20.1 against 17.7 ms at 200).
    """
    chosen = settings.index.model_fields_set
    cores_each = min(SERVING_THREADS, cores_per_worker(settings.server.workers, cores))
    english = 1 if settings.index.embed_backend == "onnx-int8" else cores_each
    threads = {"embed_threads": english, "multilingual_threads": cores_each}
    changes = {name: n for name, n in threads.items() if name not in chosen}
    return settings.updated(**changes) if changes else settings


def cores_per_worker(workers: int, cores: int | None = None) -> int:
    """The cores this process may run on (``cores``: given), shared among ``workers``; at least one."""
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // max(1, workers))


def warm_up_languages(searcher: Searcher) -> None:
    """Load what a query's language needs now, not in the first question that needs it: lingua's
    models (every query with a Latin-script word is detected: 0.6-1.4 s on its first call) and, with
    the multilingual leg, the five glossaries of the English gloss (0.1-0.2 s each). Process-wide and
    kept, so a reload pays nothing."""
    language.warm_up()
    if searcher.multilingual is not None:
        for lang in translate.LANGUAGES:
            translate.load_glossary(lang)


def build_id(manifest: Manifest | None) -> str | None:
    """A short fingerprint of a manifest (None for no manifest): changes with every ``rag build``."""
    return None if manifest is None else manifest.build_id


@dataclass(frozen=True)
class Engine:
    """One loaded index as the API serves it: the library's assistant, which build, since when."""

    assistant: Assistant
    build_id: str
    loaded_at: datetime

    @classmethod
    def load(cls, settings: Settings, *, encoder: Encoder | None = None) -> Engine:
        """Load and check the index at ``settings.index.index_dir`` (``IndexError_`` subclasses if unusable).

        A build may swap a new folder into ``index_dir`` while this reads it file by file, so a load
        could mix files of two builds. Every build writes a new manifest, so the manifest on disk is
        compared with the loaded one afterwards, and the load is repeated if they differ.

        Args:
            settings: where the index is; the query encoders' threads are ``serving_settings(settings)``'s.
            encoder: use this encoder for queries (tests use ``HashEncoder``).
        """
        settings = serving_settings(settings)
        for _ in range(LOAD_ATTEMPTS):
            searcher = Searcher.load(settings, encoder=encoder)
            if build_id(read_manifest(settings.index.index_dir)) == build_id(searcher.index.manifest):
                warm_up_languages(searcher)
                return cls.from_searcher(searcher)
            logger.warning("the index was replaced while it was loading; loading it again")
        raise IndexError_(
            f"the index kept changing while it was loading ({LOAD_ATTEMPTS} attempts)",
            hint="wait for `rag build` to finish, then retry",
        )

    @classmethod
    def from_searcher(cls, searcher: Searcher) -> Engine:
        """Serve a loaded searcher: derive the library's assistant from it (answers, contexts, versions)."""
        started = time.perf_counter()
        engine = cls(
            assistant=Assistant.from_searcher(searcher),
            build_id=build_id(searcher.index.manifest) or "",
            loaded_at=datetime.now(UTC),
        )
        logger.info("index %s ready in %.1f s", engine.build_id, time.perf_counter() - started)
        return engine

    @property
    def searcher(self) -> Searcher:
        return self.assistant.searcher

    @property
    def contexts(self) -> ContextIndex:
        return self.assistant.contexts

    @property
    def manifest(self) -> Manifest:
        return self.searcher.index.manifest

    def summary(self) -> dict[str, Any]:
        """What ``/healthz`` says about the index: enough to tell two builds apart, no paths."""
        m = self.manifest
        return {
            "build_id": self.build_id,
            "built_at": m.built_at,
            "loaded_at": self.loaded_at.isoformat(timespec="seconds"),
            "schema": m.schema,
            "rag_version": m.rag_version,
            "passages": m.passages,
            "documents": m.documents,
            "encoder": m.encoder.name,
            "multilingual": m.multilingual.name if m.multilingual is not None else None,
            "fusion": m.fusion.get("method"),
            "interim": m.interim,
        }


def _as_index_error(exc: Exception) -> IndexError_:
    """Any reason the index cannot be loaded (a missing corpus too) is a reason to answer 503."""
    if isinstance(exc, IndexError_):
        return exc
    if isinstance(exc, RagError):
        return IndexError_(f"the index cannot be loaded: {exc.message}")
    return IndexError_(f"the index cannot be loaded ({type(exc).__name__}); see the server log")


def _public_reason(error: RagError, settings: Settings) -> str:
    """The error with its hint, the index folder's absolute path shortened to its name (for /healthz)."""
    return str(error).replace(str(settings.index.index_dir), settings.index.index_dir.name)


class IndexHolder:
    """Holds the current ``Engine`` (or the reason there is none) and swaps in rebuilt indexes.

    Args:
        settings: where the index is.
        loader: makes an engine from settings (tests inject a counting or failing one).
        check_interval: seconds between looks at the manifest on disk; 0 looks on every request,
            a negative value never looks.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        loader: Callable[[Settings], Engine] = Engine.load,
        check_interval: float = 2.0,
    ) -> None:
        self.settings = settings
        self._loader = loader
        self.check_interval = check_interval
        self._engine: Engine | None = None
        self._problem: RagError = IndexMissingError("the index has not been loaded yet")
        self._disk_id: str | None = None  # build id of the manifest on disk at the last look
        self._next_check = 0.0
        self._reload_lock = threading.Lock()
        self._reloading: threading.Thread | None = None
        self.reload_error: str | None = None
        self.reloads = 0

    # -------------------------------------------------------------------------------- reading

    @property
    def engine(self) -> Engine | None:
        return self._engine

    @property
    def problem(self) -> RagError | None:
        return None if self._engine is not None else self._problem

    def current(self) -> Engine:
        """The engine to answer this request from (take it once per request and keep it).

        Raises:
            IndexError_: no usable index is loaded (missing, stale or corrupt), naming ``rag build``.
        """
        self.maybe_refresh()
        engine = self._engine
        if engine is None:
            raise self._problem
        return engine

    # -------------------------------------------------------------------------------- loading

    def load(self) -> Engine | None:
        """Load the index now; on failure keep the reason (``current()`` raises it) and return None."""
        self._disk_id = build_id(read_manifest(self.settings.index.index_dir))
        try:
            engine = self._loader(self.settings)
        except RagError as exc:
            logger.error("no usable index: %s", exc)
            self._problem = _as_index_error(exc)
            return None
        except Exception as exc:  # a bug or an unreadable file must not keep the service from starting
            logger.exception("loading the index failed")
            self._problem = _as_index_error(exc)
            return None
        self._swap(engine)
        return engine

    def reload(self) -> Engine:
        """Load the index on disk and swap it in; the old engine serves until then.

        Raises:
            IndexError_: the index on disk is unusable (any other ``RagError`` of the loader is wrapped
                in one); the old engine, if any, keeps serving.
        """
        with self._reload_lock:
            return self._reload_locked()

    def refresh_now(self) -> bool:
        """Load and swap in the index on disk unless it is the one served; True if it swapped.

        For the admin reindex: a background reload may have picked up the new build meanwhile, and
        loading it twice would only cost time.

        Raises:
            IndexError_: as ``reload()``; the old engine, if any, keeps serving.
        """
        with self._reload_lock:
            disk = build_id(read_manifest(self.settings.index.index_dir))
            if self._engine is not None and disk is not None and self._engine.build_id == disk:
                return False
            self._reload_locked()
            return True

    def _reload_locked(self) -> Engine:
        self._disk_id = build_id(read_manifest(self.settings.index.index_dir))
        try:
            engine = self._loader(self.settings)
        except RagError as exc:
            error = _as_index_error(exc)
            if self._engine is None:
                self._problem = error
            self.reload_error = _public_reason(error, self.settings)
            kept = "keeping the old one" if self._engine is not None else "none is loaded"
            logger.error("reloading the index failed (%s): %s", kept, error)
            if error is exc:
                raise
            raise error from exc
        self._swap(engine)
        return engine

    def _swap(self, engine: Engine) -> None:
        old = self._engine
        self._engine = engine  # one reference assignment: a request sees the old or the new engine
        self.reload_error = None
        self.reloads += 1
        if old is not None:
            logger.info("swapped index %s for %s", old.build_id, engine.build_id)

    def maybe_refresh(self) -> None:
        """Start a background reload if the manifest on disk changed (looks at most every interval)."""
        if self.check_interval < 0:
            return
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self.check_interval
        disk = build_id(read_manifest(self.settings.index.index_dir))
        loaded = self._engine.build_id if self._engine is not None else None
        if disk is None or disk == loaded or disk == self._disk_id:
            return  # nothing new on disk (or this build was tried already and failed)
        if not self._reload_lock.acquire(blocking=False):
            return  # a reload is running
        logger.info("index on disk changed (%s -> %s); reloading", loaded, disk)
        self._reloading = threading.Thread(target=self._background_reload, name="index-reload", daemon=True)
        self._reloading.start()

    def _background_reload(self) -> None:
        try:
            self._reload_locked()
        except IndexError_:
            pass  # logged and kept in reload_error
        except Exception:  # a bug must not kill the server; the old engine keeps serving
            logger.exception("reloading the index failed")
            self.reload_error = "reloading the index failed; see the server log"
        finally:
            self._reload_lock.release()

    def wait_for_reload(self, timeout: float = 60.0) -> None:
        """Block until a background reload (if one runs) has finished: for tests and shutdown."""
        thread = self._reloading
        if thread is not None:
            thread.join(timeout)
