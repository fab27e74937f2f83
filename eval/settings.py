"""Where runs and caches go, and settings with a run's overrides: shared by the runner, the pipelines and
the reranker trainer, so that none of them imports another for it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rag.config import REPO_ROOT, Settings, flat_names
from rag.errors import ConfigError

RUNS_DIR = REPO_ROOT / "eval" / "runs"
CACHE_DIR = RUNS_DIR / ".cache"


def settings_with(base: Settings, overrides: Mapping[str, Any], *, ignore: Sequence[str] = ()) -> Settings:
    """``base`` with ``overrides`` applied and validated (unknown keys are an error, not ignored)."""
    fields = set(flat_names())
    unknown = sorted(set(overrides) - fields - set(ignore))
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)}",
            hint=f"settings are: {', '.join(sorted(fields | set(ignore)))}",
        )
    return base.updated(**{k: v for k, v in overrides.items() if k in fields})
