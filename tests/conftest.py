"""Shared fixtures: the real corpus, parsed once per session."""

from __future__ import annotations

import os
from functools import cache, lru_cache

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
# The harness scores with ranx, whose metrics numba compiles in every process (its typed dicts are not
# cached): 8 s before the first score. The tests score a few questions at a time, for which ranx's plain
# Python is instant, so the suite runs it uncompiled; `rag eval` itself keeps the compiled metrics.
os.environ.setdefault("NUMBA_DISABLE_JIT", "1")

from hypothesis import settings  # noqa: E402

# Property tests draw the same examples on every run (CI must not fail by chance); set
# HYPOTHESIS_PROFILE=explore to draw new ones while working on a parser.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from rag.config import REPO_ROOT  # noqa: E402
from rag.corpus import Corpus, load_corpus  # noqa: E402
from rag.parse import parse_document  # noqa: E402
from rag.types import ParsedDocument  # noqa: E402

CORPUS_DIR = REPO_ROOT / "corpus"


@lru_cache(maxsize=1)
def _corpus() -> Corpus:
    return load_corpus(CORPUS_DIR)


@cache
def parsed_doc(doc_id: str) -> ParsedDocument:
    """Parse one real document once per test session."""
    corpus = _corpus()
    meta = corpus.get(doc_id)
    return parse_document(meta, corpus.text(meta))


def source_text(doc_id: str) -> str:
    corpus = _corpus()
    return corpus.text(corpus.get(doc_id))


def passage(doc_id: str, passage_id: str):  # type: ignore[no-untyped-def]
    """The passage with this id, or a failure listing near misses."""
    doc = parsed_doc(doc_id)
    for p in doc.passages:
        if p.id == passage_id:
            return p
    prefix = passage_id.rsplit("/", 1)[0]
    near = [p.id for p in doc.passages if p.id.startswith(prefix)][:20]
    pytest.fail(f"no passage {passage_id!r}; ids under {prefix!r}: {near}")


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return _corpus()


DOC_IDS = [d.id for d in load_corpus(CORPUS_DIR).documents]


# --- the real corpus with the hashing encoder (no model: the fast lane) ---------------------------

# Wide enough that the hashed bag of words ranks passages sharing a query's words well.
HASH_DIM = 256


def hash_encoder():  # type: ignore[no-untyped-def]
    from rag.index.encoders import HashEncoder

    return HashEncoder(dim=HASH_DIM)


# The multilingual leg's stand-in: another width, so that its vectors can never pass for the English ones.
ML_HASH_DIM = 128


def ml_hash_encoder():  # type: ignore[no-untyped-def]
    from rag.index.encoders import HashEncoder

    return HashEncoder(dim=ML_HASH_DIM)


@pytest.fixture(scope="session")
def hash_index_settings(tmp_path_factory):
    """The seed corpus built once with the hashing encoder into a temporary index folder.

    Real passages, ids, BM25, citator and versions; only the dense vectors stand in for the model's.
    Every test that does not judge the model's retrieval quality runs on this index.
    """
    from rag.config import make_settings
    from rag.index.store import build_index

    settings = make_settings(index_dir=tmp_path_factory.mktemp("hash") / "index")
    build_index(settings, encoder=hash_encoder(), multilingual=ml_hash_encoder(), show_progress=False)
    return settings


@pytest.fixture(scope="session")
def hash_searcher(hash_index_settings):
    from rag.rank.search import Searcher

    return Searcher.load(hash_index_settings, encoder=hash_encoder(), multilingual=ml_hash_encoder())


# --- retrieval fixtures (real model, built once per session; tests using them are slow) ----------


@pytest.fixture(scope="session")
def real_encoder_spec():
    """The configured encoder (the fine-tuned MiniLM, trained once per checkout if missing); not loaded."""
    from rag.config import make_settings
    from rag.index.finetune import ensure_encoder
    from rag.index.store import encoder_spec

    settings = make_settings()
    ensure_encoder(settings)
    return encoder_spec(settings)


@pytest.fixture(scope="session")
def torch_encoder(real_encoder_spec):
    """MiniLM on torch, loaded once per session."""
    return real_encoder_spec.load_torch()


@pytest.fixture(scope="session")
def real_index_settings(tmp_path_factory):
    """The real corpus built once with the real model (ONNX) into a temporary index folder."""
    from rag.config import REPO_ROOT, make_settings
    from rag.index.store import build_index, seed_caches

    settings = make_settings(index_dir=tmp_path_factory.mktemp("real") / "index")
    # a checkout's built index lends its embedding caches: only texts it lacks are embedded again
    seed_caches(REPO_ROOT / "index", settings.index.index_dir)
    build_index(settings, show_progress=False)
    return settings


@pytest.fixture(scope="session")
def real_searcher(real_index_settings):
    from rag.rank.search import Searcher

    return Searcher.load(real_index_settings)


# Tests of what a query finds in the real documents run twice: on the hashing encoder's index in the
# fast lane (the ranking logic: BM25, filters, boosts, pins) and on the real model's index in the
# full suite (the model's quality). The second run is marked slow.
ON_BOTH_INDEXES = ["hash", pytest.param("real", marks=pytest.mark.slow)]


@pytest.fixture(params=ON_BOTH_INDEXES)
def ranked_searcher(request):
    """The searcher over the seed corpus built with the hashing encoder, then with the real model."""
    return request.getfixturevalue(f"{request.param}_searcher")


# The development set of published documents (Word, PDF, HTML, Akoma Ntoso, markdown), read where it
# lies: ../shared/corpus-more from the project root, in CI as here (its README says what each file is).
CORPUS_MORE = REPO_ROOT.parent / "shared" / "corpus-more"


def more_file(name: str):  # type: ignore[no-untyped-def]
    """The path of one development-set document; fails (not skips) when the folder is missing."""
    path = CORPUS_MORE / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the ingestion tests read ../shared/corpus-more beside the project")
    return path


# --- the fast lane: `scripts/test -m "not slow"` loads no model and fine-tunes nothing ------------

# Fixtures that load or build with the real (fine-tuned) encoder: only slow tests may use them.
REAL_MODEL_FIXTURES = frozenset(
    {"real_encoder_spec", "torch_encoder", "real_index_settings", "real_searcher", "real_client"}
)


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Refuse a test that reaches the real model through a fixture without being marked slow."""
    wrong = []
    for item in items:
        used = REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ()))
        if used and item.get_closest_marker("slow") is None:
            wrong.append(f"{item.nodeid} (uses {', '.join(sorted(used))})")
    if wrong:
        raise pytest.UsageError(
            "tests that load the real encoder must be marked @pytest.mark.slow, or use the hashing "
            "encoder (hash_index_settings, hash_searcher, tests/api/small_index.py):\n  " + "\n  ".join(wrong)
        )


@pytest.fixture(autouse=True)
def _no_real_model_in_the_fast_lane(request, monkeypatch):  # type: ignore[no-untyped-def]
    """A test not marked slow fails as soon as it loads the real encoder or starts fine-tuning."""
    if request.node.get_closest_marker("slow") is not None:
        return

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        pytest.fail(
            f"{request.node.nodeid} loads the real encoder or fine-tunes it: mark it @pytest.mark.slow or "
            "build its index with the hashing encoder (hash_index_settings, tests/api/small_index.py)"
        )

    from rag.index import encoders, finetune

    monkeypatch.setattr(encoders.TorchEncoder, "load", refuse)
    monkeypatch.setattr(encoders.OnnxEncoder, "load", refuse)
    monkeypatch.setattr(finetune, "train", refuse)
