"""Small indexes for the fault and admin tests: built with the hashing fake encoder in a second.

Two variants of one small corpus (``tests.retrieval_fixtures``: the WTPF-26 first draft outline plus a
plain text) differ in the plain document: its id and its paragraphs. A query about satellites or
skills finds different passages in each, so an answer tells which index gave it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from api.state import Engine
from rag.config import Settings
from rag.index.encoders import HashEncoder
from rag.index.store import BuildReport, build_index, swap_into_place
from tests.api.conftest import rewrite_manifest
from tests.retrieval_fixtures import PLAIN_TEXT, make_corpus, settings_for

HASH_DIM = 32

VARIANT_TEXT = {
    "a": PLAIN_TEXT,
    "b": """Notes of the second build

Satellite operators are encouraged to share orbital data with regulators of developing countries.

Digital skills programmes for older persons should use public libraries and community centres.

Spectrum for emergency communications is coordinated across borders before disasters strike.
""",
}


def encoder() -> HashEncoder:
    return HashEncoder(dim=HASH_DIM)


def make_variant_corpus(folder: Path, variant: str) -> Path:
    """The fixture corpus with the plain document of ``variant`` (id ``plain-<variant>``)."""
    make_corpus(folder)
    (folder / "plain.txt").write_text(VARIANT_TEXT[variant], encoding="utf-8")
    meta = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
    for doc in meta["documents"]:
        if doc["file"] == "plain.txt":
            doc["id"] = f"plain-{variant}"
            doc["title"] = f"Plain notes {variant}"
    (folder / "documents.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def build_variant(root: Path, variant: str, **overrides: object) -> Settings:
    """Corpus ``root/corpus-<variant>`` built into ``root/index-<variant>`` with the hashing encoder."""
    settings = settings_for(
        make_variant_corpus(root / f"corpus-{variant}", variant), root / f"index-{variant}", **overrides
    )
    build_index(settings, encoder=encoder(), show_progress=False)
    return settings


def hash_loader(settings: Settings) -> Engine:
    """``IndexHolder`` loader for indexes built with the hashing encoder."""
    return Engine.load(settings, encoder=encoder())


def install(
    source: Path,
    target: Path,
    *,
    built_at: str,
    damage: Callable[[Path], None] | None = None,
    damaged_file: str = "dense.faiss",
) -> None:
    """Put a copy of the index ``source`` at ``target`` the way ``rag build`` does (folder swap).

    ``built_at`` makes the manifest new, as every real build's is; ``damage`` alters ``damaged_file``
    of the copy before it is swapped in.
    """
    staging = target.with_name(f".{target.name}.tmp-test")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    rewrite_manifest(staging, built_at=built_at)
    if damage is not None:
        damage(staging / damaged_file)
    swap_into_place(staging, target)


def hash_builder(settings: Settings, force: bool) -> BuildReport:
    """``POST /admin/reindex``'s builder for these indexes."""
    return build_index(settings, encoder=encoder(), force=force, show_progress=False)
