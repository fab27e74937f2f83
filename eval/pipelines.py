"""The pipelines the harness scores, behind one small protocol, and the named configurations of them.

A pipeline answers ``search(query, k, mode)`` with ranked ``Retrieved`` passages that carry their
source file and spans, which is all the scorer needs. Three kinds exist:

- ``library``: the clause-level index through ``rag.rank.search.Searcher``, optionally with ``Settings``
  overrides (a variant). Query-time overrides (fusion, weights, boosts, pinning) reuse the loaded
  index; index-time overrides (BM25 field weights, dense context weight, BM25 parameters) get their
  own index, built once into the cache folder and reused while nothing changes.
- ``naive``: the tutorial baseline of ``eval/naive.py`` (chunk size and overlap may be overridden).
- ``api``: a running service, through ``POST <url>/search``.

Ablations are named configurations: ``PIPELINES`` holds the standing ones (add a lever's "without"
row there), and ``parse_variant`` turns ``NAME[@BASE]:KEY=VALUE,...`` from the command line into one.

Example:
    >>> parse_variant("rrf30:rrf_k=30,weight_dense=1.5")
    PipelineConfig(name='rrf30', kind='library', overrides={'rrf_k': 30, 'weight_dense': 1.5}, description='clause with rrf_k=30, weight_dense=1.5')
"""  # noqa: E501

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from eval.settings import settings_with
from eval.types import EvalError, Retrieved
from rag.config import Settings
from rag.errors import ConfigError
from rag.types import Passage

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class Pipeline(Protocol):
    """What the harness runs: a name, the passage collection if known, and a search."""

    name: str
    description: str
    # Every passage the pipeline can return (for passage-level qrels and "no passage covers the
    # answer"); None when unknown, as for a remote service.
    passages: Sequence[Passage] | None

    def search(self, query: str, k: int, mode: str) -> list[Retrieved]: ...

    def info(self) -> dict[str, Any]:
        """What to record about the pipeline in ``metrics.json`` (index, settings, size)."""
        ...


class PipelineKind(StrEnum):
    LIBRARY = "library"
    NAIVE = "naive"
    API = "api"

    @classmethod
    def from_str(cls, value: str) -> PipelineKind:
        try:
            return cls(value)
        except ValueError:
            legal = ", ".join(k.value for k in cls)
            raise ConfigError(f"unknown pipeline kind {value!r}; choose one of: {legal}") from None


@dataclass(frozen=True)
class PipelineConfig:
    """A named pipeline: its kind, the settings it overrides, and one line saying what it is."""

    name: str
    kind: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ConfigError(
                f"pipeline name {self.name!r} must be lower-case letters, digits, '.', '-' or '_' "
                "(it names run files)"
            )
        PipelineKind.from_str(self.kind)


# Settings a naive variant may change besides the chunking.
NAIVE_KEYS = ("chunk_size", "chunk_overlap")
# A library variant may name reranker features to leave out ("role_intent,addressee") or train the
# reranker on dev alone ("rerank_train_questions": false): the harness trains such a model
# (eval/train_reranker.py) and the variant uses it.
RERANK_KEYS = ("rerank_without", "rerank_train_questions")

PIPELINES: dict[str, PipelineConfig] = {
    c.name: c
    for c in (
        PipelineConfig(
            "clause",
            "library",
            {},
            "clause-level passages of `rag build` with context, query understanding and RRF (as served)",
        ),
        PipelineConfig(
            "naive",
            "naive",
            # the tutorial pipeline fuses with RRF, whatever the library's default fusion
            {"fusion": "rrf"},
            "RecursiveCharacterTextSplitter 1000/200 chunks, same encoder and BM25, RRF, no query parsing",
        ),
        # Ablations of levers that exist: each is the served pipeline without one of them.
        PipelineConfig(
            "clause-no-phrase", "library", {"phrase_weight": 0.0}, "clause without the exact-wording boost"
        ),
        PipelineConfig(
            "clause-no-refs",
            "library",
            {"max_pinned": 0, "instrument_weight": 0.0},
            "clause without reference pinning and the named-instrument boost",
        ),
        # Issue 8 levers. The reranker is trained on the served first stage; rows that change the first
        # stage switch it off and compare with clause-no-rerank.
        PipelineConfig(
            "clause-no-rerank",
            "library",
            {"rerank": False},
            "clause without the second stage: the fused first stage as ranked (precedents still first)",
        ),
        PipelineConfig(
            "clause-rrf",
            "library",
            {"rerank": False, "fusion": "rrf"},
            "first stage with RRF (k = 60, the former default) instead of the weighted sum; no reranker",
        ),
        PipelineConfig(
            "clause-no-context",
            "library",
            {"dense_context_weight": 0.0, "bm25_weight_context": 0, "rerank": False},
            "first stage without lead-in and headings in either index (its own index); no reranker",
        ),
        PipelineConfig(
            "clause-stock-encoder",
            "library",
            {"encoder": "stock", "rerank": False},
            "first stage with the packaged MiniLM instead of the fine-tuned encoder (its own index); "
            "no reranker",
        ),
        PipelineConfig(
            "clause-no-precedents",
            "library",
            {"precedent_search": False},
            "clause without precedent ordering of draft-like queries (rag/rank/drafts.py)",
        ),
        PipelineConfig(
            "clause-no-spelling",
            "library",
            {"spelling": False},
            "clause without the correction of misspelt query words (rag/query/spelling.py)",
        ),
        PipelineConfig(
            "clause-vocabulary",
            "library",
            {"vocabulary_weight": 0.5, "vocabulary_dense": True},
            "clause with acronym/long-form expansion of queries in BM25 (weight 0.5) and the encoder",
        ),
        PipelineConfig(
            "clause-no-intent",
            "library",
            {"rerank_without": "role_intent,addressee,instrument,doc_intent"},
            "reranker trained without the query-understanding features (role, addressee, instrument, doc)",
        ),
        PipelineConfig(
            "clause-no-draft-rerank",
            "library",
            {"rerank_drafts": False, "rerank_without": "wording,draft_role,draft_addressee"},
            "drafts in precedent order, not reranked; reranker trained without the precedent features",
        ),
        PipelineConfig(
            "clause-no-facts",
            "library",
            {"rerank_without": "numbers,fact_match"},
            "reranker trained without the dates-and-numbers features",
        ),
        # Issue 18: questions in other languages answered by the English pipeline, as before the leg
        PipelineConfig(
            "clause-no-multilingual",
            "library",
            {"multilingual": False},
            "clause without the multilingual leg: questions in other languages go through the English "
            "pipeline (rag/rank/candidates.py)",
        ),
        PipelineConfig(
            "clause-dev-only-reranker",
            "library",
            {"rerank_train_questions": False},
            "reranker trained on the dev questions alone, without eval/gold/train.jsonl",
        ),
    )
}


def parse_variant(spec: str) -> PipelineConfig:
    """``NAME[@BASE]:KEY=VALUE,...`` as a pipeline config (BASE: a name in ``PIPELINES``, default clause).

    Values are read as JSON where they parse (``30``, ``1.5``, ``true``) and as strings otherwise.

    Raises:
        ConfigError: a malformed spec or an unknown base.
    """
    head, sep, body = spec.partition(":")
    if not sep:
        raise ConfigError(
            f"variant {spec!r} has no settings", hint="write NAME[@BASE]:KEY=VALUE,..., e.g. rrf30:rrf_k=30"
        )
    name, _, base_name = head.strip().partition("@")
    base = resolve_pipeline(base_name.strip() or "clause")
    overrides: dict[str, Any] = dict(base.overrides)
    for item in filter(None, (part.strip() for part in body.split(","))):
        key, eq, raw = item.partition("=")
        if not eq or not key.strip():
            raise ConfigError(f"variant {spec!r}: {item!r} is not KEY=VALUE")
        try:
            value: Any = json.loads(raw.strip())
        except ValueError:
            value = raw.strip()
        overrides[key.strip()] = value
    described = ", ".join(f"{k}={v}" for k, v in overrides.items() if base.overrides.get(k) != v)
    return PipelineConfig(name.strip(), base.kind, overrides, f"{base.name} with {described}")


def resolve_pipeline(name: str) -> PipelineConfig:
    """The registered pipeline of this name (``ConfigError`` listing the names otherwise)."""
    try:
        return PIPELINES[name]
    except KeyError:
        raise ConfigError(
            f"unknown pipeline {name!r}; choose one of: {', '.join(PIPELINES)}",
            hint="or define one with --variant NAME[@BASE]:KEY=VALUE,...",
        ) from None


# ------------------------------------------------------------------------------------------------
# Implementations


class LibraryPipeline:
    """The clause-level index through the ``Searcher`` (the library, as the API serves it)."""

    def __init__(self, name: str, searcher: Any, description: str = "") -> None:
        self.name = name
        self.description = description
        self.searcher = searcher
        self.passages: Sequence[Passage] | None = searcher.passages

    def search(self, query: str, k: int, mode: str) -> list[Retrieved]:
        results = self.searcher.search(query, k=k, mode=mode)
        return [Retrieved.from_passage(h.passage, h.score) for h in results.hits]

    def info(self) -> dict[str, Any]:
        manifest = self.searcher.index.manifest
        s = self.searcher.settings
        return {
            "kind": "library",
            "description": self.description,
            "passages": len(self.searcher.passages),
            "index": str(self.searcher.index.folder),
            "built_at": manifest.built_at,
            "code": manifest.code,
            "fusion": {
                "method": s.retrieval.fusion,
                "rrf_k": s.retrieval.rrf_k,
                "bm25": s.retrieval.weight_bm25,
                "dense": s.retrieval.weight_dense,
            },
        }


class NaivePipeline:
    """The tutorial baseline (``eval.naive.NaiveIndex``)."""

    def __init__(self, name: str, index: Any, description: str = "", params: Any = None) -> None:
        self.name = name
        self.description = description
        self.index = index
        self.params = params
        self.passages: Sequence[Passage] | None = index.passages

    def search(self, query: str, k: int, mode: str) -> list[Retrieved]:
        return [Retrieved.from_passage(p, score) for p, score in self.index.search(query, k, mode)]

    def info(self) -> dict[str, Any]:
        return {
            "kind": "naive",
            "description": self.description,
            "passages": len(self.index.passages),
            "chunk_size": getattr(self.params, "chunk_size", None),
            "chunk_overlap": getattr(self.params, "chunk_overlap", None),
        }


class ApiPipeline:
    """A running service, scored through ``POST <url>/search`` with ``{"query", "k", "mode"}``.

    The results must carry ``id``, ``source``, ``start`` and ``end`` (and ``fragments`` for split
    passages), since the harness scores by span.
    """

    def __init__(self, url: str, *, name: str = "api", timeout: float = 30.0, description: str = "") -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.description = description or f"the service at {self.url}"
        self.passages: Sequence[Passage] | None = None

    def search(self, query: str, k: int, mode: str) -> list[Retrieved]:
        body = json.dumps({"query": query, "k": k, "mode": mode}).encode("utf-8")
        request = urllib.request.Request(
            f"{self.url}/search",
            data=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise EvalError(f"POST {self.url}/search answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise EvalError(
                f"cannot reach {self.url}/search ({exc})", hint="start the service or check --api"
            ) from None
        except ValueError as exc:
            raise EvalError(f"POST {self.url}/search did not return JSON ({exc})") from None
        return [self._retrieved(r) for r in _results_of(payload, self.url)]

    def _retrieved(self, r: Mapping[str, Any]) -> Retrieved:
        try:
            fragments = r.get("fragments") or [(r["start"], r["end"])]
            spans = tuple((int(a), int(b)) for a, b in fragments)
            return Retrieved(
                id=str(r["id"]),
                doc=str(r.get("doc") or str(r["id"]).split("/", 1)[0]),
                source=str(r["source"]),
                spans=spans,
                score=float(r.get("score") or 0.0),
                citation=str(r.get("citation") or r["id"]),
                text=str(r.get("text") or ""),
                instrument=r.get("instrument"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EvalError(
                f"a result from {self.url}/search lacks a usable {exc}",
                hint="results need id, source, start and end: the harness scores by span",
            ) from None

    def info(self) -> dict[str, Any]:
        return {"kind": "api", "description": self.description, "url": self.url}


def _results_of(payload: Any, url: str) -> list[Mapping[str, Any]]:
    if isinstance(payload, Mapping):
        for key in ("results", "data"):
            if isinstance(payload.get(key), list):
                return payload[key]
    raise EvalError(f"{url}/search returned no results list", hint='expected {"results": [...]}')


# ------------------------------------------------------------------------------------------------
# Opening configurations


class Resources:
    """What several pipelines share, loaded once: the base searcher (index + encoder) and the corpus."""

    def __init__(self, settings: Settings, cache_dir: Path, *, show_progress: bool | None = None) -> None:
        self.settings = settings
        self.cache_dir = cache_dir
        self.show_progress = show_progress
        self._searcher: Any = None

    def searcher(self) -> Any:
        if self._searcher is None:
            from rag.rank.search import Searcher

            self._searcher = Searcher.load(self.settings)
        return self._searcher

    def encoder(self) -> Any:
        return self.searcher().encoder

    def corpus(self) -> Any:
        from rag.corpus import load_corpus

        return load_corpus(self.settings.index.corpus_dir)


def open_pipeline(config: PipelineConfig, resources: Resources, *, api_url: str | None = None) -> Pipeline:
    """Load what a configuration needs and return its pipeline."""
    kind = PipelineKind.from_str(config.kind)
    if kind is PipelineKind.API:
        url = config.overrides.get("url") or api_url
        if not url:
            raise ConfigError(f"pipeline {config.name} needs a service URL", hint="pass --api URL")
        return ApiPipeline(str(url), name=config.name, description=config.description)
    if kind is PipelineKind.NAIVE:
        from eval.naive import ChunkParams, NaiveIndex

        params = ChunkParams(**{k: int(v) for k, v in config.overrides.items() if k in NAIVE_KEYS})
        settings = settings_with(resources.settings, config.overrides, ignore=NAIVE_KEYS)
        index = NaiveIndex.build(
            resources.corpus(),
            resources.encoder(),
            settings,
            params=params,
            cache_dir=resources.cache_dir,
            show_progress=resources.show_progress,
        )
        return NaivePipeline(config.name, index, config.description, params)
    base = resources.searcher()
    if not config.overrides:
        return LibraryPipeline(config.name, base, config.description)
    return LibraryPipeline(config.name, _variant_searcher(config, resources, base), config.description)


_FALSE = frozenset({"false", "0", "no", "off"})


def _variant_searcher(config: PipelineConfig, resources: Resources, base: Any) -> Any:
    """A searcher with the variant's settings: on the loaded index, or on its own index if it must."""
    from rag.index.store import build_index, index_params, seed_caches
    from rag.rank.search import Searcher

    settings = settings_with(resources.settings, config.overrides, ignore=RERANK_KEYS)
    without = config.overrides.get("rerank_without") or ()
    train_questions = str(config.overrides.get("rerank_train_questions", True)).lower() not in _FALSE
    if without or not train_questions:
        # a reranker trained without some features or training questions: built once, cached beside
        # the variant indexes
        from eval.train_reranker import ablation_model

        names = [n.strip() for n in without.split(",")] if isinstance(without, str) else list(without)
        first = Searcher.from_index(
            base.index, base.encoder, settings_with(settings, {"rerank": False}), base.multilingual
        )
        model = ablation_model(
            settings, names, resources.cache_dir, searcher=first, train_questions=train_questions
        )
        settings = settings_with(settings, {"rerank_model": model})
    if index_params(settings) == index_params(resources.settings):
        return Searcher.from_index(base.index, base.encoder, settings, base.multilingual)
    # The variant changes what is indexed: build its own index once (incremental afterwards),
    # seeded with the main index's embedding cache so that nothing already embedded is embedded again.
    folder = resources.cache_dir / "indexes" / config.name
    settings = settings_with(settings, {"index_dir": folder})
    folder.mkdir(parents=True, exist_ok=True)
    seed_caches(resources.settings.index.index_dir, folder)
    logger.info("variant %s changes the index: building it in %s", config.name, folder)
    build_index(settings, show_progress=resources.show_progress)  # logs its own summary
    if index_params(settings)["model"] != index_params(resources.settings)["model"]:
        return Searcher.load(settings)  # another encoder (model_dir/model_name): queries need its own
    return Searcher.load(settings, encoder=base.encoder)
