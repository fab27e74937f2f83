"""``rag serve``'s index on a first start: answer at once from an interim index, build the full one in
the background, and let the running server swap it in.

A fresh clone has no index, and the full build (fine-tuning the encoder, embedding every passage with
it and with the multilingual encoder) takes many minutes on two cores. When the index is missing or
stale, ``rag serve`` builds the interim index (``rag.index.interim``, seconds), starts serving it, and
runs ``rag build --background`` in a separate process at lower priority. That build writes into a
temporary folder and swaps it into place when done (``rag.index.store.build_index``); the server's
``IndexHolder`` notices the new manifest within two seconds and reloads in the background, so no
answer ever comes from a half-built index. The background build reports its progress in a status file
beside the index (``rag.index.build_status``), which ``/healthz`` reads. It stops when ``rag serve``
stops; an interrupted build leaves the interim index serving, and the next ``rag serve`` starts it again.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from rag.config import Settings
from rag.errors import IndexStaleError
from rag.index import progress, store
from rag.index.build_status import StatusWriter
from rag.index.interim import interim_encoder
from rag.index.manifest import read_manifest
from rag.index.store import BuildReport, check_fresh

logger = logging.getLogger(__name__)

BACKGROUND_NICE = 10  # the full build yields the cores to the server's requests
STOP_TIMEOUT = 20.0  # seconds a stopped background build has to clean up before it is killed
_PR_SET_PDEATHSIG = 1


def index_state(settings: Settings) -> str:
    """``full``, ``interim``, ``missing`` or ``stale`` (built from other corpus files or another model)."""
    manifest = read_manifest(settings.index.index_dir)
    if manifest is None:
        return "missing"
    try:
        check_fresh(manifest, settings)
    except IndexStaleError:
        return "stale"
    return "interim" if manifest.interim else "full"


def prepare_index(
    settings: Settings, *, wait: bool, show_progress: bool | None, show: Callable[[BuildReport], None]
) -> bool:
    """Make an index to serve; True when the full one is still to be built (in the background).

    ``wait``: build the full index now, as ``rag build`` does (``rag serve --wait-for-index``); so is a
    full index that loads (a no-op when up to date, incremental when a document changed).
    ``show``: prints a build's report.
    """
    state = index_state(settings)
    if wait or state == "full":
        show(store.build_index(settings, show_progress=show_progress))
        return False
    if state != "interim":
        interim = store.build_index(
            settings, encoder=interim_encoder(), interim=True, show_progress=show_progress
        )
        show(interim)
    print(
        f"serving the interim index (BM25, English only; the index was {state}) while the full index "
        "is built in the background; /healthz shows its progress",
        flush=True,
    )
    return True


def background_command(settings: Settings, *, quiet: bool) -> list[str]:
    """The command of the background build: ``rag build --background`` on the same index folder."""
    command = [sys.executable, "-m", "rag_cli"] + (["-q"] if quiet else [])
    return command + ["build", "--background", "--index", str(settings.index.index_dir)]


def start_background_build(settings: Settings, *, quiet: bool) -> subprocess.Popen[bytes]:
    """Start the full build in its own process (no progress bars: its output goes to the server's log)."""
    env = {**os.environ, "TQDM_DISABLE": "1", "OMP_WAIT_POLICY": "passive"}
    process = subprocess.Popen(background_command(settings, quiet=quiet), env=env)
    logger.info("building the full index in the background (pid %d)", process.pid)
    return process


def stop_background_build(process: subprocess.Popen[bytes] | None, timeout: float = STOP_TIMEOUT) -> None:
    """Stop the background build (it removes its temporary folder; the serving index stays)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def background_build(settings: Settings, *, needed: bool, quiet: bool) -> Iterator[None]:
    """Run the full build in the background for as long as the block (the server) runs."""
    process = start_background_build(settings, quiet=quiet) if needed else None
    try:
        yield
    finally:
        stop_background_build(process)


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM when ``rag serve`` dies, even by SIGKILL (no orphan keeps building)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before the request took effect
        raise SystemExit(143)


def _full_build(settings: Settings) -> BuildReport:
    return store.build_index(settings, show_progress=False)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(143)  # unwinds through build_index, which removes its temporary folder


def run_background_build(
    settings: Settings,
    *,
    nice: int = BACKGROUND_NICE,
    build: Callable[[Settings], BuildReport] | None = None,
) -> BuildReport:
    """The body of ``rag build --background``: a full build at lower priority, its progress written to
    the status file beside the index, stopped cleanly by SIGTERM (or its parent's death).

    ``build``: what builds the full index (default ``build_index`` without progress bars; tests inject
    one with a test encoder).
    """
    with contextlib.suppress(OSError):
        os.nice(nice)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    _die_with_parent()
    writer = StatusWriter(Path(settings.index.index_dir))
    progress.add_listener(writer)
    try:
        report = (build or _full_build)(settings)
    except BaseException as exc:
        reason = (
            "stopped" if isinstance(exc, SystemExit | KeyboardInterrupt) else f"{type(exc).__name__}: {exc}"
        )
        writer.finish(error=reason)
        raise
    finally:
        progress.remove_listener(writer)
    writer.finish()
    return report
