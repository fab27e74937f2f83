"""Build, save and load the index folder (``Settings.index.index_dir``, default ``index/``).

Files, all plain and inspectable (JSON, JSON lines, npz without pickle, FAISS's own format)::

    manifest.json      schema and rag versions, model, corpus files' sha256, every index file's sha256
                       and size, passage count, parser/BM25/dense/fusion parameters, library versions
    passages.jsonl     one Passage record per line, in index (row) order
    outlines.json      per document: its metadata, the parser's outline tree and its warnings
    bm25.npz/.json     term frequencies and vocabulary (``rag.index.bm25``)
    references.json    every passage's citations resolved to the corpus, and who cites each key
                       (``rag.citator.citator.ReferenceIndex``)
    versions.json      passages aligned across drafts and forums, revision records (``rag.citator.versions``)
    vocabulary.json    acronyms and their long forms mined from the passages (``rag.index.vocabulary``)
    dense.faiss        IndexFlatIP of the normalised passage vectors (``rag.index.dense``)
    embed_cache.npz    vectors keyed by sha256(model id + text): what a rebuild need not embed again
    encoder/           the ONNX export of the model (``rag.index.encoders``), checked against torch,
                       and its int8 quantisation (``model-int8.onnx``), checked against the export

The model is the encoder fine-tuned on the corpus's structure (``rag.index.finetune``, kept in
``Settings.index.encoder_dir`` outside this folder); a build trains it first when it is missing. Its name
(with a hash of its recipe) is in the manifest and in every embedding cache key, so vectors of two
encoders never mix, and an index of another encoder is stale.

Building is incremental and atomic:

- nothing changed (corpus files, settings, parser code, index files intact): no-op in well under 3 s;
- a changed document is parsed again; passages of unchanged documents are reused as they are, and
  only texts not in the embedding cache go through the model;
- references, versions and the vocabulary are recomputed from all passages on every build (about
  1.5 s); a change to their code (or to the spelling folding the BM25 tokens use) rebuilds with every
  passage and vector reused;
- everything is written into a temporary folder beside the index, which then takes the index's place
  in one ``renameat2(RENAME_EXCHANGE)`` (two renames where that call is missing). A build that dies
  midway leaves the previous index untouched; readers never see a half-written folder. A lock file
  keeps two builds from running at once.

Loading checks the manifest against the corpus (``IndexStaleError``) and every file against its
checksum (``IndexCorruptError``), so a searcher never answers from the wrong or a damaged index.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import logging
import os
import platform
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

import rag
from rag.citator.citator import REFERENCES_FILE, ReferenceIndex
from rag.citator.versions import VersionIndex
from rag.config import Settings
from rag.corpus import Corpus, load_corpus
from rag.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from rag.index import progress
from rag.index.bm25 import BM25Index, BM25Params
from rag.index.dense import FAISS_FILE, DenseIndex
from rag.index.encoders import (
    Encoder,
    EncoderSpec,
    default_model_dir,
    link_export,
    load_encoder,
    model_fingerprint,
    normalize_rows,
    onnx_file,
    prepare_int8,
    prepare_onnx,
    reusable_export,
    reusable_int8,
)
from rag.index.interim import interim_query_encoder
from rag.index.manifest import MANIFEST_FILE, EncoderInfo, FileEntry, Manifest, read_manifest
from rag.index.multilingual import (
    E5_FILES,
    ML_CACHE_FILE,
    ML_ENCODER_DIR,
    ML_FOLDER,
    multilingual_encoder,
    multilingual_name,
    prepare_multilingual,
)
from rag.index.textindex import FieldWeights, bm25_tokens, dense_texts
from rag.index.timing import PhaseClock, timings_line
from rag.index.vocabulary import VOCABULARY_FILE, Vocabulary, vocabulary_texts
from rag.types import DocumentMeta, OutlineNode, Passage

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
PASSAGES_FILE = "passages.jsonl"
OUTLINES_FILE = "outlines.json"
VERSIONS_FILE = "versions.json"
CACHE_FILE = "embed_cache.npz"
ENCODER_DIR = "encoder"
KEPT_EXPORT_DIR = "rag-onnx"  # the fine-tuned encoder's ONNX export, inside its folder
# The embedding caches (English, multilingual): only builds read them, and a new index folder may be
# seeded with another's (``seed_caches``) so that only new texts are embedded.
CACHE_FILES = (CACHE_FILE, ML_CACHE_FILE)
ML_INDEX_FILE = f"{ML_FOLDER}/{FAISS_FILE}"
# Files the index folder may hold that the build does not make (kept across rebuilds).
_KEEP = ("README.md",)
# Files checked at load time; the embedding cache is only read by builds, which check it themselves.
_CACHE_ENTRIES_MIN = 20_000
_LIBRARIES = ("numpy", "scipy", "faiss-cpu", "onnxruntime", "tokenizers", "torch", "sentence-transformers")
_RAG_DIR = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------------
# Fingerprints


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_fingerprint() -> str:
    """sha256 over the source of the code that decides what passages and tokens are.

    A parser change alters passages without touching the corpus, so it must make a rebuild happen.
    """
    digest = hashlib.sha256()
    files = sorted((_RAG_DIR / "parse").rglob("*.py")) + [
        _RAG_DIR / name for name in ("index/textindex.py", "types.py", "corpus.py")
    ]
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(_RAG_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def derived_fingerprint() -> str:
    """sha256 over the code that makes references.json, versions.json and vocabulary.json from the passages.

    Kept apart from ``code_fingerprint`` so that a change here rebuilds those files (and the BM25
    tokens, which fold spellings with ``rag.index.vocabulary``) without parsing the corpus again.
    """
    digest = hashlib.sha256()
    for name in ("citator/references.py", "citator/citator.py", "citator/versions.py", "index/vocabulary.py"):
        path = _RAG_DIR / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def corpus_entries(corpus: Corpus) -> list[dict[str, Any]]:
    """Each document's metadata with the sha256 of its file: what the index was built from."""
    return [{**meta.to_dict(), "sha256": corpus.sha256(meta)} for meta in corpus.documents]


def encoder_spec(settings: Settings) -> EncoderSpec:
    """The model a build embeds with: the fine-tuned one (``rag.index.finetune``), or the stock one."""
    model_dir, model_name = settings.index.model_dir or default_model_dir(), settings.index.model_name
    if settings.index.encoder == "finetuned":
        from rag.index.finetune import finetuned_name

        model_dir, model_name = settings.index.encoder_dir, finetuned_name(settings)
    return EncoderSpec(
        model_dir=model_dir,
        model_name=model_name,
        backend=settings.index.embed_backend,
        threads=settings.index.embed_threads,
        max_seq_length=settings.index.max_seq_length,
        batch_size=settings.index.embed_batch_size,
    )


def index_params(
    settings: Settings, encoder: Encoder | None = None, multilingual: Encoder | None = None
) -> dict[str, Any]:
    """Every setting that changes what the build writes; a different value forces a rebuild.

    ``encoder``, ``multilingual``: injected encoders (tests); with an injected English encoder and no
    multilingual one the index has no multilingual leg.
    """
    if multilingual is not None:
        ml: dict[str, Any] | None = {"name": multilingual.name, "dim": multilingual.dim, "injected": True}
    elif encoder is None and (name := multilingual_name(settings)) is not None:
        ml = {"name": name}
    else:
        ml = None
    if encoder is not None:
        model: dict[str, Any] = {"name": encoder.name, "dim": encoder.dim, "injected": True}
    else:
        spec = encoder_spec(settings)
        model = {
            "name": spec.model_name,
            "backend": spec.backend,
            "max_seq_length": spec.max_seq_length,
            "source": model_fingerprint(spec.model_dir),
        }
    return {
        "schema": SCHEMA_VERSION,
        "model": model,
        "bm25": BM25Params(
            settings.index.bm25_k1, settings.index.bm25_b, settings.index.bm25_epsilon
        ).to_dict(),
        "fields": {
            "citation": settings.index.bm25_weight_citation,
            "context": settings.index.bm25_weight_context,
            "text": settings.index.bm25_weight_text,
        },
        "dense_context_weight": settings.index.dense_context_weight,
        "code": code_fingerprint(),
        "derived": derived_fingerprint(),
    } | ({"multilingual": ml} if ml is not None else {})


def _library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


# ------------------------------------------------------------------------------------------------
# Embedding cache


def cache_key(model: str, text: str) -> bytes:
    """sha256 of model id and text, hex: the same text embedded by the same model is the same vector."""
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest().encode("ascii")


@dataclass
class EmbeddingCache:
    """Vectors by key; read from and written to ``embed_cache.npz`` (keys as fixed-width bytes)."""

    vectors: dict[bytes, np.ndarray] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, dim: int | None = None) -> EmbeddingCache:
        if not path.is_file():
            return cls()
        try:
            with np.load(path, allow_pickle=False) as z:
                keys, vectors = z["keys"], z["vectors"]
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("ignoring the unreadable embedding cache %s (%s)", path, exc)
            return cls()
        if len(keys) != len(vectors) or (dim is not None and len(vectors) and vectors.shape[1] != dim):
            logger.warning("ignoring the embedding cache %s: its shape does not fit", path)
            return cls()
        return cls(dict(zip(keys.tolist(), vectors, strict=True)))

    def write(self, path: Path, keep_first: Sequence[bytes], limit: int) -> None:
        """Save the entries in ``keep_first`` (the current passages') plus older ones up to ``limit``."""
        keys = list(dict.fromkeys(k for k in keep_first if k in self.vectors))
        chosen = set(keys)
        for key in self.vectors:
            if len(keys) >= limit:
                break
            if key not in chosen:
                keys.append(key)
        dim = self.vectors[keys[0]].shape[0] if keys else 0
        # entries of another model with another dimension cannot share the array: drop them
        keys = [k for k in keys if self.vectors[k].shape[0] == dim]
        vectors = np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
        with path.open("wb") as fh:
            np.savez(fh, keys=np.array(keys, dtype="S64"), vectors=vectors.astype(np.float32))


# ------------------------------------------------------------------------------------------------
# Build


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did; ``summary()`` is the line the CLI prints, ``timings()`` the one after it."""

    index_dir: Path
    status: str  # "built" or "unchanged"
    documents: int
    passages: int
    parsed: int = 0  # documents parsed again
    embedded: int = 0  # texts that went through the model
    cached: int = 0  # texts whose vectors came from the cache
    seconds: float = 0.0
    backend: str | None = None
    warnings: int = 0
    multilingual_embedded: int = 0  # texts the multilingual encoder embedded (the rest from its cache)
    phases: tuple[tuple[str, float], ...] = ()  # (phase, seconds) in the order they ran

    def _multilingual(self) -> str:
        return (
            f"{self.multilingual_embedded} multilingual vectors embedded, "
            if self.multilingual_embedded
            else ""
        )

    def summary(self) -> str:
        if self.status == "unchanged":
            return (
                f"index {self.index_dir} is up to date: {self.passages} passages from {self.documents} "
                f"documents ({self.seconds:.1f} s)"
            )
        return (
            f"built {self.index_dir}: {self.passages} passages from {self.documents} documents "
            f"({self.parsed} parsed), {self.embedded} texts embedded, {self.cached} from cache, "
            f"encoder {self.backend}, {self._multilingual()}{self.warnings} parser warnings, "
            f"{self.seconds:.1f} s"
        )

    def timings(self) -> str:
        """Where the time went, one line: ``build 412.4 s: fine-tuning 301 s, parse 4.1 s, ...``."""
        return timings_line(self.seconds, self.phases)


@contextlib.contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    lock_path = index_dir.parent / f".{index_dir.name}.lock"
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("another build of %s is running; waiting for it", index_dir)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_leftovers(index_dir: Path) -> None:
    """Delete temporary folders of builds that died (we hold the lock, so none is running)."""
    for path in index_dir.parent.glob(f".{index_dir.name}.tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.parent.glob(f".{index_dir.name}.old-*"):
        shutil.rmtree(path, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False if unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_into_place(new: Path, target: Path) -> None:
    """Make ``new`` the folder at ``target``; the old folder is deleted afterwards."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now names the old index
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def verify_files(index_dir: Path, manifest: Manifest, *, skip: Sequence[str] = CACHE_FILES) -> None:
    """Check every file the manifest lists against its size and sha256.

    Raises:
        IndexCorruptError: naming the first file that is missing, truncated or altered.
    """
    for name, entry in manifest.files.items():
        if name in skip:
            continue
        path = index_dir / name
        if not path.is_file():
            raise IndexCorruptError(f"index file {path} is missing")
        if path.stat().st_size != entry.bytes or sha256_file(path) != entry.sha256:
            raise IndexCorruptError(f"index file {path} does not match its checksum in {MANIFEST_FILE}")


def build_index(
    settings: Settings,
    *,
    encoder: Encoder | None = None,
    multilingual: Encoder | None = None,
    force: bool = False,
    show_progress: bool | None = None,
    interim: bool = False,
) -> BuildReport:
    """Parse the corpus, embed and index every passage, and swap the result into ``settings.index.index_dir``.

    Args:
        settings: where the corpus and the index are, and every index parameter.
        encoder: use this encoder instead of the configured model (tests use ``HashEncoder``).
        multilingual: the multilingual leg's encoder instead of the configured one; with an injected
            ``encoder`` and none here, the index has no multilingual leg.
        force: rebuild even if nothing changed (the embedding cache is still used).
        show_progress: progress bar while embedding; None shows it when logging is at INFO.
        interim: an interim index (``rag.index.interim``; needs ``encoder``): its manifest says so,
            and the previous index's embedding caches are carried over as they are, so that the
            full build after it embeds what it would have embedded without it.

    Example:
        >>> from rag.config import get_settings
        >>> print(build_index(get_settings()).summary())  # doctest: +SKIP
        index .../index is up to date: 8123 passages from 5 documents (0.4 s)
    """
    if interim and encoder is None:
        raise ValueError("an interim build needs its encoder (rag.index.interim.interim_encoder)")
    clock = PhaseClock(logger)
    index_dir = settings.index.index_dir
    with _build_lock(index_dir):
        _remove_leftovers(index_dir)
        corpus = load_corpus(settings.index.corpus_dir)
        entries = corpus_entries(corpus)
        if encoder is None:
            _ensure_encoder(settings, clock, show_progress)
        params = index_params(settings, encoder, multilingual)
        old = read_manifest(index_dir)
        if (
            old
            and not force
            and list(old.corpus) == entries
            and old.params == params
            and old.interim == interim
        ):
            unchanged = _unchanged(index_dir, old, clock)
            if unchanged is not None:
                return unchanged
        tmp = index_dir.parent / f".{index_dir.name}.tmp-{os.getpid()}-{int(time.time() * 1000)}"
        tmp.mkdir(parents=True)
        try:
            encoders = _Encoders(encoder, multilingual, interim)
            report = _build_into(tmp, settings, corpus, entries, params, old, encoders, show_progress, clock)
            for name in (*_KEEP, *CACHE_FILES) if interim else _KEEP:
                if (index_dir / name).is_file():
                    shutil.copy2(index_dir / name, tmp / name)
            swap_into_place(tmp, index_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    seconds = time.perf_counter() - clock.started
    report = BuildReport(**{**_report_fields(report), "seconds": seconds, "phases": tuple(clock.phases)})
    logger.info("%s", report.summary())
    logger.info("%s", report.timings())
    return report


def _ensure_encoder(settings: Settings, clock: PhaseClock, show_progress: bool | None) -> None:
    """Train the fine-tuned encoder when missing (a checkout's first build): phase ``fine-tuning``."""
    if settings.index.encoder != "finetuned":
        return
    from rag.index import finetune

    started = time.perf_counter()
    if finetune.train_encoder(settings, show_progress=show_progress)["status"] == "trained":
        clock.add("fine-tuning", time.perf_counter() - started)


def _unchanged(index_dir: Path, old: Manifest, clock: PhaseClock) -> BuildReport | None:
    """The report of a build with nothing to do, or None when an index file is damaged (rebuild)."""
    try:
        verify_files(index_dir, old, skip=())
    except IndexCorruptError as exc:
        logger.warning("rebuilding: %s", exc)
        return None
    return BuildReport(
        index_dir=index_dir,
        status="unchanged",
        documents=len(old.corpus),
        passages=old.passages,
        backend=old.encoder.backend,
        seconds=time.perf_counter() - clock.started,
        phases=tuple(clock.phases),
    )


def _report_fields(report: BuildReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in BuildReport.__slots__}  # type: ignore[attr-defined]


def _previous_documents(index_dir: Path, old: Manifest | None, params: dict[str, Any]) -> dict[str, Any]:
    """Passages and outlines of the previous index per document, if its parser code is this one."""
    if not old or old.code != params["code"] or old.schema != SCHEMA_VERSION:
        return {}
    try:
        rebuilt = (*CACHE_FILES, "dense.faiss", "bm25.npz", "bm25.json", ML_INDEX_FILE)
        verify_files(index_dir, old, skip=rebuilt)
        outlines = json.loads((index_dir / OUTLINES_FILE).read_text(encoding="utf-8"))["documents"]
        passages: dict[str, list[Passage]] = {}
        with (index_dir / PASSAGES_FILE).open(encoding="utf-8") as fh:
            for line in fh:
                p = Passage.from_dict(json.loads(line))
                passages.setdefault(p.doc, []).append(p)
    except (IndexCorruptError, OSError, KeyError, ValueError) as exc:
        logger.info("not reusing the previous index's passages (%s)", exc)
        return {}
    sha = {e["id"]: e for e in old.corpus}
    return {
        doc_id: (passages.get(doc_id, []), outline, sha.get(doc_id))
        for doc_id, outline in outlines.items()
        if doc_id in sha
    }


@dataclass(frozen=True)
class _Parsed:
    """Step 1 of a build: every passage in corpus order, each document's outline entry, and counts."""

    passages: list[Passage]
    outlines: dict[str, Any]
    parsed: int
    warnings: int


@dataclass(frozen=True)
class _Vectors:
    """Step 2 of a build: one normalised row a passage, the model that made them, and cache counts."""

    matrix: np.ndarray
    model_id: str
    backend: str
    dim: int
    embedded: int
    cached: int


def _parse_changed(corpus: Corpus, entries: list[dict[str, Any]], previous: dict[str, Any]) -> _Parsed:
    """Parse the documents that changed since the previous build, and reuse the others' passages."""
    from rag.parse import parse_document

    passages: list[Passage] = []
    outlines: dict[str, Any] = {}
    parsed = warnings = 0
    for meta, entry in zip(corpus.documents, entries, strict=True):
        prev = previous.get(meta.id)
        if prev is not None and prev[2] == entry:
            doc_passages, outline = prev[0], prev[1]
        else:
            doc = parse_document(meta, corpus.text(meta))
            parsed += 1
            doc_passages = list(doc.passages)
            outline = {
                "meta": meta.to_dict(),
                "outline": doc.outline.to_dict(),
                "warnings": list(doc.warnings),
            }
            if meta.kind == "auto":  # an added document: what the reader understood of it
                from rag.parse.structure import StructureReport

                outline["structure"] = StructureReport.of(doc, corpus.text(meta)).counts()
        warnings += len(outline.get("warnings", []))
        passages.extend(doc_passages)
        outlines[meta.id] = outline
    ids = [p.id for p in passages]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise IndexCorruptError(f"passage ids repeat across documents: {', '.join(dupes)}")
    return _Parsed(passages, outlines, parsed, warnings)


@dataclass(frozen=True)
class _Encoders:
    """The encoders a build was handed (tests, the interim index); None: the configured ones."""

    english: Encoder | None
    multilingual: Encoder | None
    interim: bool = False  # the interim index: no embedding cache of its own, ``interim`` in the manifest


@dataclass(frozen=True)
class _MultilingualVectors:
    """Step 2b of a build: the multilingual leg's rows (a passage's own text), and cache counts."""

    matrix: np.ndarray
    info: EncoderInfo
    embedded: int
    cached: int


def _embed_multilingual(
    folder: Path,
    settings: Settings,
    passages: list[Passage],
    encoders: _Encoders,
    show_progress: bool | None,
    clock: PhaseClock,
) -> _MultilingualVectors | None:
    """The multilingual leg's rows, made as the English ones are: normalise(own text vector +
    ``dense_context_weight`` x context vector), from its own cache where possible.

    The context (heading, lead-in) matters more here: on lang-dev it took the leg alone from R@10 0.667
    to 0.822 (MRR 0.506 -> 0.587). None when the index has no multilingual leg
    (``multilingual_model=none``, or a test's injected English encoder without a multilingual one).
    The cache is written into ``folder``, and the ONNX export of the configured encoder
    (``ML_ENCODER_DIR``, linked from the previous index when its weights are the same).
    """
    if encoders.multilingual is not None:
        encoder, backend = encoders.multilingual, "injected"
    elif encoders.english is None and multilingual_name(settings) is not None:
        exported = folder / ML_ENCODER_DIR
        kept = settings.index.multilingual_dir
        started = time.perf_counter()
        reuse = [settings.index.index_dir / ML_ENCODER_DIR, kept]
        if prepare_multilingual(exported, reuse=reuse, keep=kept):
            clock.add("multilingual ONNX export", time.perf_counter() - started)
        encoder, backend = multilingual_encoder(settings, exported), "onnx"
    else:
        return None
    assert encoder is not None
    started = time.perf_counter()
    vectors = _cached_vectors(
        settings,
        passages,
        settings.index.index_dir / ML_CACHE_FILE,
        encoder.name,
        lambda texts: encoder.embed_passages(texts, show_progress=show_progress),
        dim=encoder.dim,
        empty_dim=encoder.dim,
        label="multilingual vectors: ",
    )
    vectors.write(folder / ML_CACHE_FILE)
    clock.add("multilingual vectors", time.perf_counter() - started)
    info = EncoderInfo(name=encoder.name, backend=backend, dim=encoder.dim)
    return _MultilingualVectors(vectors.matrix, info, vectors.embedded, vectors.cached)


@dataclass(frozen=True)
class _CachedVectors:
    """One encoder's rows for the passages (normalised), the cache they came from and went into."""

    matrix: np.ndarray
    cache: EmbeddingCache
    keys: list[bytes]  # the cache keys of the unique texts embedded for these passages, in order
    embedded: int  # texts that went through the model
    cached: int  # texts whose vectors came from the cache

    def write(self, path: Path) -> None:
        """Save the cache: these passages' entries first, older ones up to the limit."""
        self.cache.write(path, self.keys, max(_CACHE_ENTRIES_MIN, 2 * len(self.keys)))


def _cached_vectors(
    settings: Settings,
    passages: list[Passage],
    cache_path: Path,
    model_id: str,
    embed: Callable[[list[str]], np.ndarray],
    *,
    dim: int | None,
    empty_dim: int,
    label: str = "",
) -> _CachedVectors:
    """normalise(own text vector + ``dense_context_weight`` x context vector) for every passage, each
    text embedded once (``embed``, called only for texts the cache at ``cache_path`` lacks).

    ``dim``: the encoder's width, to check the cache against (None: not checked); the rows take the
    vectors' width, ``empty_dim`` when there are no passages.
    """
    texts, contexts = dense_texts(passages)
    unique = list(dict.fromkeys([*texts, *(c for c in contexts if c)]))
    keys = {text: cache_key(model_id, text) for text in unique}
    cache = EmbeddingCache.read(cache_path, dim)
    missing = [t for t in unique if keys[t] not in cache.vectors]
    if missing:
        logger.info(
            "%sembedding %d texts (%d cached) with %s",
            label,
            len(missing),
            len(unique) - len(missing),
            model_id,
        )
        for text, vector in zip(missing, embed(missing), strict=True):
            cache.vectors[keys[text]] = vector
    width = cache.vectors[keys[unique[0]]].shape[0] if unique else empty_dim
    matrix = np.zeros((len(passages), width), dtype=np.float32)
    weight = settings.index.dense_context_weight
    for row, (text, context) in enumerate(zip(texts, contexts, strict=True)):
        matrix[row] = cache.vectors[keys[text]]
        if context and weight:
            matrix[row] += weight * cache.vectors[keys[context]]
    ordered = [keys[t] for t in unique]
    return _CachedVectors(normalize_rows(matrix), cache, ordered, len(missing), len(unique) - len(missing))


def _english_backend(
    folder: Path, settings: Settings, injected: Encoder | None, clock: PhaseClock
) -> tuple[str, str]:
    """The English encoder's backend and model id; an ONNX model not in the previous index nor kept
    beside the fine-tuned encoder is exported (and, for ``onnx-int8``, quantised) into ``folder``
    first (phase ``ONNX export``); a failed quantisation falls back to float32, a failed export to torch.

    The export belongs to the model, not to the corpus: it is kept in the fine-tuned encoder's folder
    (``KEPT_EXPORT_DIR``), so a cold build of another corpus or index folder links it instead of
    exporting again (12 s on two cores, and 4 s to quantise).
    """
    if injected is not None:
        return "injected", injected.name
    spec = encoder_spec(settings)
    backend = spec.backend
    if backend in ("onnx", "onnx-int8"):
        int8 = backend == "onnx-int8"
        kept = spec.model_dir / KEPT_EXPORT_DIR if settings.index.encoder == "finetuned" else None
        reuse = [settings.index.index_dir / ENCODER_DIR, *([kept] if kept else [])]
        source = model_fingerprint(spec.model_dir)
        exporting = not any(
            reusable_export(old, source) and (not int8 or reusable_int8(old, source)) for old in reuse
        )
        if exporting:
            progress.report("ONNX export")
        started = time.perf_counter()
        if not prepare_onnx(spec, folder / ENCODER_DIR, reuse=reuse, keep=kept):
            backend = "torch"
        elif int8 and not prepare_int8(spec, folder / ENCODER_DIR, reuse=reuse, keep=kept):
            backend = "onnx"
        if exporting:
            clock.add("ONNX export", time.perf_counter() - started)
    return backend, spec.name_for(backend)


def _embed(
    folder: Path,
    settings: Settings,
    passages: list[Passage],
    injected: Encoder | None,
    show_progress: bool | None,
    model: tuple[str, str],
) -> tuple[_Vectors, _CachedVectors]:
    """The encoder's own text and context vectors, from the cache where possible.

    ``model``: the backend and model id (``_english_backend``). The encoder is loaded only when some
    text is not in the cache. Returns the vectors and what ``_CachedVectors.write`` saves.
    """
    backend, model_id = model

    def embed(texts: list[str]) -> np.ndarray:
        encoder = injected or load_encoder(encoder_spec(settings), backend, folder / ENCODER_DIR, bulk=True)
        return encoder.embed_passages(texts, show_progress=show_progress)

    cache_path = settings.index.index_dir / CACHE_FILE
    empty_dim = injected.dim if injected else 384
    vectors = _cached_vectors(settings, passages, cache_path, model_id, embed, dim=None, empty_dim=empty_dim)
    out = _Vectors(
        vectors.matrix, model_id, backend, vectors.matrix.shape[1], vectors.embedded, vectors.cached
    )
    return out, vectors


def _manifest(
    folder: Path,
    settings: Settings,
    entries: list[dict[str, Any]],
    params: dict[str, Any],
    vectors: _Vectors,
    derived: _Derived,
    started: float,
    multilingual: EncoderInfo | None = None,
) -> Manifest:
    """What the build made: parameters, encoder, counts, and every file's size and checksum."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return Manifest(
        schema=SCHEMA_VERSION,
        rag_version=rag.__version__,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 2),
        passages=vectors.matrix.shape[0],  # one row a passage
        documents=len(entries),
        corpus=tuple(entries),
        params=params,
        encoder=EncoderInfo(name=vectors.model_id, backend=vectors.backend, dim=vectors.dim),
        fusion={
            "method": settings.retrieval.fusion,
            "rrf_k": settings.retrieval.rrf_k,
            "weights": {"bm25": settings.retrieval.weight_bm25, "dense": settings.retrieval.weight_dense},
            "depth": settings.retrieval.branch_depth,
        },
        libraries=_library_versions(),
        references=derived.references.counts(),
        versions={
            "reports": len(derived.versions.reports),
            "aligned": sum(len(r.aligned) for r in derived.versions.reports),
            "revisions": len(derived.versions.revisions),
        },
        vocabulary={"acronyms": len(derived.vocabulary)},
        multilingual=multilingual,
        files={str(p.relative_to(folder)): FileEntry(p.stat().st_size, sha256_file(p)) for p in files},
    )


def _build_into(
    folder: Path,
    settings: Settings,
    corpus: Corpus,
    entries: list[dict[str, Any]],
    params: dict[str, Any],
    old: Manifest | None,
    encoders: _Encoders,
    show_progress: bool | None,
    clock: PhaseClock,
) -> BuildReport:
    index_dir = settings.index.index_dir
    # 1. passages: parse changed documents, reuse the others
    progress.report("parse")
    with clock.phase("parse"):
        parsed = _parse_changed(corpus, entries, _previous_documents(index_dir, old, params))
    passages = parsed.passages
    # 2. vectors: the encoder's own text and context vectors, from the cache where possible
    model = _english_backend(folder, settings, encoders.english, clock)
    with clock.phase("English vectors"):
        vectors, english = _embed(folder, settings, passages, encoders.english, show_progress, model)
    # 2b. the multilingual leg's vectors of each passage's own text
    ml = _embed_multilingual(folder, settings, passages, encoders, show_progress, clock)

    # 3. indexes
    progress.report("indexes")
    with clock.phase("BM25 and dense indexes"):
        _write_indexes(folder, settings, params, parsed, vectors, ml)
        if not encoders.interim:
            english.write(folder / CACHE_FILE)
    # 4. what cites what, and versions: cheap, so computed from all passages every build
    with clock.phase("citator/versions/vocabulary"):
        derived = _write_derived(folder, passages, corpus)
    # 5. manifest, last: an index folder without one is never taken for complete
    with clock.phase("manifest"):
        ml_info = ml.info if ml is not None else None
        manifest = _manifest(folder, settings, entries, params, vectors, derived, clock.started, ml_info)
        replace(manifest, interim=encoders.interim).write(folder)
    return BuildReport(
        index_dir=index_dir,
        status="built",
        documents=len(entries),
        passages=len(passages),
        parsed=parsed.parsed,
        embedded=vectors.embedded,
        cached=vectors.cached,
        backend=vectors.backend,
        warnings=parsed.warnings,
        multilingual_embedded=ml.embedded if ml is not None else 0,
    )


def _write_indexes(
    folder: Path,
    settings: Settings,
    params: dict[str, Any],
    parsed: _Parsed,
    vectors: _Vectors,
    ml: _MultilingualVectors | None,
) -> None:
    """BM25, the dense indexes, the passages and the outlines, into ``folder``."""
    passages = parsed.passages
    weights = FieldWeights(
        citation=settings.index.bm25_weight_citation,
        context=settings.index.bm25_weight_context,
        text=settings.index.bm25_weight_text,
    )
    bm25 = BM25Index.fit([bm25_tokens(p, weights) for p in passages], BM25Params(**params["bm25"]))
    bm25.save(folder)
    DenseIndex.from_vectors(vectors.matrix).save(folder)
    if ml is not None:
        (folder / ML_FOLDER).mkdir()
        DenseIndex.from_vectors(ml.matrix).save(folder / ML_FOLDER)
    with (folder / PASSAGES_FILE).open("w", encoding="utf-8") as fh:
        for p in passages:
            fh.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
    (folder / OUTLINES_FILE).write_text(
        json.dumps({"documents": parsed.outlines}, ensure_ascii=False), encoding="utf-8"
    )


@dataclass(frozen=True)
class _Derived:
    """Step 4 of a build: what cites what, the versions of texts, the acronyms."""

    references: ReferenceIndex
    versions: VersionIndex
    vocabulary: Vocabulary


def _write_derived(folder: Path, passages: list[Passage], corpus: Corpus) -> _Derived:
    references = ReferenceIndex.build(passages, corpus.documents)
    _write_json(folder / REFERENCES_FILE, references.to_dict())
    versions = VersionIndex.build(passages, corpus.documents)
    _write_json(folder / VERSIONS_FILE, versions.to_dict())
    vocabulary = Vocabulary.build(vocabulary_texts(passages))
    _write_json(folder / VOCABULARY_FILE, vocabulary.to_dict())
    return _Derived(references, versions, vocabulary)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# Load


@dataclass(frozen=True)
class LoadedIndex:
    """Everything a searcher needs, in memory (no file stays open, so a rebuild may replace the folder)."""

    folder: Path
    manifest: Manifest
    passages: tuple[Passage, ...]
    documents: tuple[DocumentMeta, ...]
    outlines: dict[str, OutlineNode]
    bm25: BM25Index
    dense: DenseIndex
    # None for an index built before these files existed (``rag build`` adds them)
    references: ReferenceIndex | None = None
    versions: VersionIndex | None = None
    vocabulary: Vocabulary | None = None
    # per added document, the counts of its structure report (rag.parse.structure)
    structure: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the multilingual leg's vectors (rag.index.multilingual); None: an English-only index
    multilingual: DenseIndex | None = None

    @property
    def backend(self) -> str:
        return self.manifest.encoder.backend


def check_fresh(manifest: Manifest, settings: Settings, corpus: Corpus | None = None) -> None:
    """Raise ``IndexStaleError`` if the index was built from other corpus files or another model."""
    if manifest.schema != SCHEMA_VERSION:
        raise IndexStaleError(
            f"the index has schema {manifest.schema}, this version of rag reads {SCHEMA_VERSION}"
        )
    corpus = corpus or load_corpus(settings.index.corpus_dir)
    built = {e["file"]: e for e in manifest.corpus}
    now = {e["file"]: e for e in corpus_entries(corpus)}
    changed = sorted(f for f in built.keys() | now.keys() if built.get(f) != now.get(f))
    if changed:
        raise IndexStaleError(f"the corpus changed since the index was built: {', '.join(changed)}")
    model = manifest.model
    wanted = encoder_spec(settings).model_name
    if not model.get("injected") and model.get("name") != wanted:
        raise IndexStaleError(f"the index was built with model {model.get('name')}, not {wanted}")
    if manifest.code != code_fingerprint():
        logger.warning("the index was built by other parser code than this one; run `rag build` to update it")


def load_index(settings: Settings, *, verify: bool = True, check_corpus: bool = True) -> LoadedIndex:
    """Load the index at ``settings.index.index_dir`` after checking it against the corpus and its checksums.

    Raises:
        IndexMissingError: there is no index (or no manifest) there.
        IndexStaleError: it was built from other corpus files, another model or another schema.
        IndexCorruptError: a file is missing, truncated or altered.
    """
    folder = settings.index.index_dir
    manifest = read_manifest(folder)
    if manifest is None:
        if (folder / MANIFEST_FILE).is_file():
            raise IndexCorruptError(f"{folder / MANIFEST_FILE} is not readable JSON")
        raise IndexMissingError(f"no index in {folder}")
    if check_corpus:
        check_fresh(manifest, settings)
    if verify:
        verify_files(folder, manifest)
    try:
        with (folder / PASSAGES_FILE).open(encoding="utf-8") as fh:
            passages = tuple(Passage.from_dict(json.loads(line)) for line in fh)
        outline_data = json.loads((folder / OUTLINES_FILE).read_text(encoding="utf-8"))["documents"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"cannot read the passages of {folder}: {exc}") from exc
    if len(passages) != manifest.passages:
        raise IndexCorruptError(
            f"{folder / PASSAGES_FILE} holds {len(passages)} passages, the manifest says {manifest.passages}"
        )
    references, versions, vocabulary = _load_derived(folder, manifest)
    bm25 = BM25Index.load(folder)
    dense = DenseIndex.load(folder)
    multilingual = DenseIndex.load(folder / ML_FOLDER) if manifest.multilingual is not None else None
    sizes = {bm25.num_docs, dense.size} | ({multilingual.size} if multilingual is not None else set())
    if sizes != {len(passages)}:
        raise IndexCorruptError(f"the indexes in {folder} do not match its {len(passages)} passages")
    return LoadedIndex(
        folder=folder,
        manifest=manifest,
        passages=passages,
        documents=tuple(DocumentMeta.from_dict(d["meta"]) for d in outline_data.values()),
        outlines={doc: OutlineNode.from_dict(d["outline"]) for doc, d in outline_data.items()},
        bm25=bm25,
        dense=dense,
        references=references,
        versions=versions,
        vocabulary=vocabulary,
        structure={doc: d["structure"] for doc, d in outline_data.items() if "structure" in d},
        multilingual=multilingual,
    )


def _load_derived(
    folder: Path, manifest: Manifest
) -> tuple[ReferenceIndex | None, VersionIndex | None, Vocabulary | None]:
    """references.json, versions.json and vocabulary.json, where the manifest lists them.

    Raises:
        IndexCorruptError: a listed file cannot be read.
        IndexStaleError: it was written with another schema (``rag build`` updates it).
    """
    listed = manifest.files
    loaded: list[Any] = []
    for name, reader in (
        (REFERENCES_FILE, ReferenceIndex.from_dict),
        (VERSIONS_FILE, VersionIndex.from_dict),
        (VOCABULARY_FILE, Vocabulary.from_dict),
    ):
        if name not in listed:
            logger.info("the index in %s has no %s; run `rag build` to add it", folder, name)
            loaded.append(None)
            continue
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"cannot read {folder / name}: {exc}") from exc
        try:
            loaded.append(reader(data))
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexCorruptError(f"{folder / name} is not valid: {exc}") from exc
    return loaded[0], loaded[1], loaded[2]


def load_multilingual_encoder(settings: Settings, index: LoadedIndex) -> Encoder | None:
    """The multilingual leg's query encoder: the one the index was built with, or None without a leg.

    An index built with a test encoder has its leg only when the caller hands that encoder in.
    """
    info = index.manifest.multilingual
    if info is None or info.backend == "injected":
        return None
    if multilingual_name(settings) != info.name:
        raise IndexStaleError(
            f"the index's multilingual vectors were made by {info.name}, not by "
            f"{multilingual_name(settings) or 'no multilingual encoder (RAG_MULTILINGUAL_MODEL=none)'}"
        )
    return multilingual_encoder(settings, index.folder / ML_ENCODER_DIR)


def seed_caches(source_index: Path, target_index: Path) -> None:
    """Copy another index's embedding caches into a new index folder, so that its build embeds only
    the texts that index lacks (the harness's variant indexes, the test suite's index); its multilingual
    export is linked too, so that the build does not export the model again (if the weights match)."""
    target_index.mkdir(parents=True, exist_ok=True)
    for name in CACHE_FILES:
        if (source_index / name).is_file() and not (target_index / name).exists():
            shutil.copy2(source_index / name, target_index / name)
    exported = source_index / ML_ENCODER_DIR
    if all((exported / name).is_file() for name in E5_FILES) and not (target_index / ML_ENCODER_DIR).exists():
        link_export(exported, target_index / ML_ENCODER_DIR, E5_FILES)


def load_query_encoder(settings: Settings, index: LoadedIndex) -> Encoder:
    """The encoder the index was built with (ONNX from the index folder, or torch; an interim index's
    own, named in its manifest)."""
    if index.manifest.interim:
        return interim_query_encoder(index.manifest)
    backend = index.backend
    if backend == "injected":
        raise IndexStaleError(
            f"the index in {index.folder} was built with a test encoder ({index.manifest.encoder.name})"
        )
    folder = index.folder / ENCODER_DIR
    if backend in ("onnx", "onnx-int8") and not (folder / onnx_file(backend)).is_file():
        raise IndexCorruptError(f"{folder / onnx_file(backend)} is missing")
    return load_encoder(encoder_spec(settings), backend, folder)
