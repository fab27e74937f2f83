"""The manifest of a built index: what it was built from, with what, and every file's checksum.

``rag build`` writes it last, so a folder without one is never taken for a complete index. It is
read as a frozen :class:`Manifest` rather than a dict, so a reader names the field it wants and a
manifest of the wrong shape is caught once, where it is read (``ManifestError``), not deep in a
``.get()`` chain. The JSON on disk keeps the keys it always had: older indexes still load, and the
build id (a hash of the JSON) is unchanged by reading.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"


class ManifestError(ValueError):
    """The manifest is readable JSON but not of the shape this version of rag writes."""


@dataclass(frozen=True)
class EncoderInfo:
    """The encoder the passages were embedded with (``backend`` is onnx, torch or injected)."""

    name: str
    backend: str
    dim: int


@dataclass(frozen=True)
class FileEntry:
    """One index file's size and sha256, checked on load."""

    bytes: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """A built index's manifest (``manifest.json``)."""

    schema: int
    passages: int
    documents: int
    encoder: EncoderInfo
    files: Mapping[str, FileEntry]
    corpus: tuple[Mapping[str, Any], ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    rag_version: str | None = None
    built_at: str | None = None
    build_seconds: float | None = None
    fusion: Mapping[str, Any] = field(default_factory=dict)
    libraries: Mapping[str, str | None] = field(default_factory=dict)
    references: Mapping[str, Any] = field(default_factory=dict)
    versions: Mapping[str, Any] = field(default_factory=dict)
    vocabulary: Mapping[str, Any] = field(default_factory=dict)
    # the encoder of the multilingual leg (rag.index.multilingual); None: an English-only index
    multilingual: EncoderInfo | None = None
    # an interim index (rag.index.interim): served while the full one is built; written only when true,
    # so a full index's manifest (and build id) is what it always was
    interim: bool = False
    # the JSON as read or written: the build id hashes it, so reading never changes the id
    source: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        """Read the JSON form; raises ``ManifestError`` naming what is missing or malformed."""
        try:
            encoder = data["encoder"]
            return cls(
                schema=int(data["schema"]),
                passages=int(data["passages"]),
                documents=int(data["documents"]),
                encoder=_encoder_info(encoder),
                files={
                    name: FileEntry(int(e["bytes"]), str(e["sha256"])) for name, e in data["files"].items()
                },
                corpus=tuple(data.get("corpus", ())),
                params=dict(data.get("params", {})),
                rag_version=data.get("rag_version"),
                built_at=data.get("built_at"),
                build_seconds=data.get("build_seconds"),
                fusion=dict(data.get("fusion", {})),
                libraries=dict(data.get("libraries", {})),
                references=dict(data.get("references", {})),
                versions=dict(data.get("versions", {})),
                vocabulary=dict(data.get("vocabulary", {})),
                multilingual=_encoder_info(data["multilingual"]) if data.get("multilingual") else None,
                interim=bool(data.get("interim", False)),
                source=dict(data),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ManifestError(f"the manifest lacks or mangles {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``rag build`` writes (key order as it always was; ``multilingual`` when built,
        ``interim`` when true)."""
        data: dict[str, Any] = {
            "schema": self.schema,
            "rag_version": self.rag_version,
            "built_at": self.built_at,
            "build_seconds": self.build_seconds,
            "passages": self.passages,
            "documents": self.documents,
            "corpus": list(self.corpus),
            "params": dict(self.params),
            "encoder": {"name": self.encoder.name, "backend": self.encoder.backend, "dim": self.encoder.dim},
            "fusion": dict(self.fusion),
            "libraries": dict(self.libraries),
            "references": dict(self.references),
            "versions": dict(self.versions),
            "vocabulary": dict(self.vocabulary),
            "files": {name: {"bytes": e.bytes, "sha256": e.sha256} for name, e in self.files.items()},
        }
        if self.multilingual is not None:
            info = self.multilingual
            data["multilingual"] = {"name": info.name, "backend": info.backend, "dim": info.dim}
        if self.interim:
            data["interim"] = True
        return data

    @property
    def build_id(self) -> str:
        """A short fingerprint: changes whenever ``rag build`` writes a new index."""
        data = self.source or self.to_dict()
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def model(self) -> Mapping[str, Any]:
        """The model entry of the build parameters (name, dim, and ``injected`` for a test encoder)."""
        return self.params.get("model", {})

    @property
    def code(self) -> str | None:
        """The fingerprint of the parser code the passages were made by."""
        return self.params.get("code")

    def write(self, folder: Path) -> Manifest:
        """Write ``manifest.json`` into ``folder``; returns the manifest as read back would be."""
        data = self.to_dict()
        (folder / MANIFEST_FILE).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        return Manifest.from_dict(data)


def _encoder_info(data: Mapping[str, Any]) -> EncoderInfo:
    return EncoderInfo(str(data["name"]), str(data["backend"]), int(data["dim"]))


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the index at ``index_dir``, or None if there is none or it is unreadable."""
    try:
        return Manifest.from_dict(json.loads((index_dir / MANIFEST_FILE).read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ManifestError):
        return None
