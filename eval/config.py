"""What one ``rag eval`` scores: the gold split, modes, cut-off and pipelines (``EvalConfig``), and how
the command's arguments become one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.gold_data import LANG_SPLITS
from eval.metrics import metric_names, primary_metric
from eval.pipelines import PIPELINES, PipelineConfig, parse_variant, resolve_pipeline
from eval.settings import CACHE_DIR
from rag.config import Settings, get_settings, make_settings
from rag.errors import ConfigError
from rag.types import Mode

SPLIT_CHOICES = ("dev", "test", "all", "added", *LANG_SPLITS)
# How deep a missed question is searched again to tell a near miss (reranking would fix it) from
# an answer the first stage never finds (the Searcher's own limit).
DIAGNOSE_DEPTH = 100


@dataclass(frozen=True)
class EvalConfig:
    """What to score: gold files and split, modes, cut-off, pipelines, and where a service runs."""

    gold: tuple[Path, ...] | None = None
    split: str = "test"
    modes: tuple[str, ...] = ("bm25", "dense", "hybrid")
    k: int = 10
    pipelines: tuple[PipelineConfig, ...] = (PIPELINES["clause"], PIPELINES["naive"])
    api_url: str | None = None
    settings: Settings | None = None
    cache_dir: Path = CACHE_DIR
    diagnose_depth: int = DIAGNOSE_DEPTH
    show_progress: bool | None = None

    def __post_init__(self) -> None:
        if self.split not in SPLIT_CHOICES:
            raise ConfigError(f"unknown split {self.split!r}; choose one of: {', '.join(SPLIT_CHOICES)}")
        for mode in self.modes:
            Mode.from_str(mode)
        if not self.modes:
            raise ConfigError("no modes to score; choose from: " + ", ".join(Mode.values()))
        if isinstance(self.k, bool) or not 1 <= self.k <= 100:
            raise ConfigError(f"k must be an integer from 1 to 100, not {self.k!r}")
        names = [p.name for p in self.pipelines]
        if len(set(names)) != len(names):
            raise ConfigError(f"pipeline names repeat: {', '.join(names)}")

    @property
    def name(self) -> str:
        """The run's folder name under ``eval/runs/``: split, pipelines, modes (if not all) and k."""
        parts = [self.split, "+".join(p.name for p in self.pipelines)]
        if set(self.modes) != set(Mode.values()):
            parts.append("+".join(self.modes))
        parts.append(f"k{self.k}")
        return "-".join(parts)

    @property
    def metrics(self) -> tuple[str, ...]:
        return metric_names(self.k)

    @property
    def primary(self) -> str:
        return primary_metric(self.k)


def default_pipelines(split: str) -> str:
    """The pipelines scored when ``--pipelines`` is not given: the served one, and on a language split
    the served one without the multilingual leg beside it, so that one run shows what the leg adds."""
    return "clause,clause-no-multilingual" if split in LANG_SPLITS else "clause"


def default_baseline(split: str) -> bool:
    """Whether the naive baseline is scored when neither ``--baseline`` nor ``--no-baseline`` is given:
    on the English splits; not on a language split, where it is one more English-only pipeline."""
    return split not in LANG_SPLITS


def config_from_args(args: Any) -> EvalConfig:
    """An ``EvalConfig`` from the ``rag eval`` arguments (``eval.cli.add_arguments``)."""
    settings = make_settings(index_dir=Path(args.index)) if args.index else get_settings()
    pipelines = args.pipelines if args.pipelines is not None else default_pipelines(args.split)
    names = [n.strip() for n in pipelines.split(",") if n.strip()]
    if args.api and "api" not in names:
        # the service stands in for the library; list both (--pipelines clause,api) to compare them
        names = ["api" if n == "clause" else n for n in names] or ["api"]
    configs: list[PipelineConfig] = []
    for name in names:
        if name == "api":
            configs.append(PipelineConfig("api", "api", {"url": args.api}, f"the service at {args.api}"))
        else:
            configs.append(resolve_pipeline(name))
    configs += [parse_variant(spec) for spec in args.variant or ()]
    baseline = args.baseline if args.baseline is not None else default_baseline(args.split)
    if baseline and not any(c.kind == "naive" for c in configs):
        configs.append(PIPELINES["naive"])
    if not baseline:
        configs = [c for c in configs if c.kind != "naive" or c.name != "naive"]
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    return EvalConfig(
        gold=tuple(Path(p) for p in args.gold) if args.gold else None,
        split=args.split,
        modes=modes,
        k=args.k,
        pipelines=tuple(configs),
        api_url=args.api,
        settings=settings,
        cache_dir=Path(args.cache) if args.cache else CACHE_DIR,
        show_progress=False if getattr(args, "quiet", False) else None,
    )
