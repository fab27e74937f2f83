"""Where a long build is, for whoever watches it from outside the process.

The bars of fine-tuning and embedding (tqdm) show progress on a terminal; ``rag serve``'s background
build has none, so the same places also call ``report(task, done, total)``, and the background build
installs a listener that writes it to a status file for ``/healthz`` (``rag.index.build_status``).
Without a listener ``report`` does nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

Listener = Callable[[str, int, int], None]

_listeners: list[Listener] = []
_quiet = threading.local()  # muted() in this thread


def add_listener(listener: Listener) -> None:
    """Call ``listener(task, done, total)`` on every report of this process (``total`` 0: unknown)."""
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def report(task: str, done: int = 0, total: int = 0) -> None:
    """``task`` has ``done`` of ``total`` units behind it (fine-tuning steps, texts embedded)."""
    if getattr(_quiet, "depth", 0):
        return
    for listener in list(_listeners):
        listener(task, done, total)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """No reports from this thread inside: an export's check embeds a few sample texts, which is not
    the build's embedding (``/healthz`` would show "embedding 6/6" for a second)."""
    _quiet.depth = getattr(_quiet, "depth", 0) + 1
    try:
        yield
    finally:
        _quiet.depth -= 1


class TaskBar:
    """One task's progress shown twice, moved together: a tqdm bar on the terminal (when ``shown``) and
    ``report`` for a watcher outside the process (``rag serve``'s background build)."""

    def __init__(self, task: str, total: int, *, unit: str, shown: bool) -> None:
        from tqdm.auto import tqdm

        self.task, self.total, self.done = task, total, 0
        self._bar = tqdm(total=total, desc=task, unit=unit, disable=not shown)
        report(task, 0, total)

    def update(self, n: int) -> None:
        self.done = min(self.total, self.done + n)
        self._bar.update(n)
        report(self.task, self.done, self.total)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> TaskBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
