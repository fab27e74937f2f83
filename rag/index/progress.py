"""Where a long build is, for whoever watches it from outside the process.

The bars of fine-tuning and embedding (tqdm) show progress on a terminal; ``rag serve``'s background
build has none, so the same places also call ``report(task, done, total)``, and the background build
installs a listener that writes it to a status file for ``/healthz`` (``rag.index.build_status``).
Without a listener ``report`` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str, int, int], None]

_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    """Call ``listener(task, done, total)`` on every report of this process (``total`` 0: unknown)."""
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def report(task: str, done: int = 0, total: int = 0) -> None:
    """``task`` has ``done`` of ``total`` units behind it (fine-tuning steps, texts embedded)."""
    for listener in list(_listeners):
        listener(task, done, total)
