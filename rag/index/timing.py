"""Where a build's time goes: named phases, each logged as it ends, and one line that sums them up.

A first build fine-tunes the encoder and embeds the corpus for minutes; the phases say which part is
running and, at the end, which one took the time (``BuildReport.timings``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field


@dataclass
class PhaseClock:
    """Seconds per named phase of one build, in the order they ran; ``started`` is the build's start."""

    log: logging.Logger
    started: float = field(default_factory=time.perf_counter)
    phases: list[tuple[str, float]] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.phases.append((name, seconds))
        self.log.info("%s took %.1f s", name, seconds)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block as phase ``name`` (a block that raises is not recorded: the build failed)."""
        started = time.perf_counter()
        yield
        self.add(name, time.perf_counter() - started)


def seconds_text(seconds: float) -> str:
    """``412 s`` from ten seconds up, ``4.1 s`` below: enough digits to compare the phases."""
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"


def timings_line(total: float, phases: Sequence[tuple[str, float]]) -> str:
    """``build 412.4 s: fine-tuning 301 s, parse 4.1 s, ..., other 0.3 s``.

    The total as the summary line gives it (one decimal); ``other`` is what no phase covers (the lock,
    hashing the corpus files, the checks, the swap).
    """
    parts = [f"{name} {seconds_text(seconds)}" for name, seconds in phases]
    other = total - sum(seconds for _, seconds in phases)
    if other >= 0.05:
        parts.append(f"other {seconds_text(other)}")
    return f"build {total:.1f} s: " + (", ".join(parts) or "nothing to do")
