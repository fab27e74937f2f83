"""The status file of a background build: what ``rag serve``'s full build is doing, for ``/healthz``.

It lies beside the index folder (``.index.build-status.json`` next to ``index/``), never inside it: the
folder is swapped whole by every build and its manifest checksums what it holds. The build process
writes it (``StatusWriter``, installed as a ``rag.index.progress`` listener); any server worker reads it
(``read_status``). Each write replaces the file in one rename, so a reader never sees half of one.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

BUILDING, DONE, FAILED = "building", "done", "failed"
_MIN_INTERVAL = 0.5  # seconds between writes of the same task's progress


def status_path(index_dir: Path) -> Path:
    """``.index.build-status.json`` beside ``index_dir``: outside the folder a build swaps."""
    return index_dir.parent / f".{index_dir.name}.build-status.json"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user's answers PermissionError: it exists)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


@dataclass(frozen=True)
class BuildStatus:
    """One look at a background build: its state, the task running and how far it is."""

    state: str  # building, done or failed
    pid: int
    started_at: float  # epoch seconds
    task: str = "starting"  # parse, fine-tuning, ONNX export, embedding, multilingual vectors, indexes
    done: int = 0
    total: int = 0  # 0: not known
    task_started_at: float = 0.0
    updated_at: float = 0.0
    error: str | None = None

    @property
    def running(self) -> bool:
        """Building, and its process is alive (a killed build leaves ``building`` behind)."""
        return self.state == BUILDING and _alive(self.pid)

    def seconds_left(self, now: float | None = None) -> float | None:
        """Time left in the current task at its rate so far; None while nothing is known."""
        if self.total <= 0 or self.done <= 0:
            return None
        elapsed = (time.time() if now is None else now) - self.task_started_at
        return max(0.0, elapsed / self.done * (self.total - self.done))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuildStatus:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


def read_status(index_dir: Path) -> BuildStatus | None:
    """The status of the last background build of ``index_dir``; None if there is none or unreadable."""
    try:
        return BuildStatus.from_dict(json.loads(status_path(index_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_status(index_dir: Path, status: BuildStatus) -> None:
    """Replace the status file in one rename."""
    path = status_path(index_dir)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(status.to_dict()), encoding="utf-8")
    os.replace(tmp, path)


class StatusWriter:
    """A ``rag.index.progress`` listener that keeps the status file of this process's build current.

    A new task is written at once; progress within a task at most every half second.
    """

    def __init__(self, index_dir: Path) -> None:
        now = time.time()
        self.index_dir = index_dir
        self.status = BuildStatus(BUILDING, os.getpid(), now, task_started_at=now, updated_at=now)
        self._written = 0.0
        write_status(index_dir, self.status)

    def __call__(self, task: str, done: int, total: int) -> None:
        now = time.time()
        new_task = task != self.status.task
        started = now if new_task else self.status.task_started_at
        self.status = replace(
            self.status, task=task, done=done, total=total, task_started_at=started, updated_at=now
        )
        if new_task or done == total or now - self._written >= _MIN_INTERVAL:
            self._written = now
            write_status(self.index_dir, self.status)

    def finish(self, error: str | None = None) -> None:
        """The build ended: ``done``, or ``failed`` with why."""
        state = DONE if error is None else FAILED
        self.status = replace(self.status, state=state, error=error, updated_at=time.time())
        write_status(self.index_dir, self.status)
