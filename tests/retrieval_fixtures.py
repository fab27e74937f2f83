"""Helpers for the retrieval tests: a small temporary corpus and settings pointing at it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rag.config import REPO_ROOT, Settings, make_settings

OUTLINE_FILE = "004_375cb176ada057d9.txt"  # the WTPF-26 first draft outline: 7 kB, numbered paragraphs

PLAIN_TEXT = """Digital skills for all

Member States are invited to develop national digital skills strategies, with attention to women and girls.

The Bureau shall publish handbooks on technology transfer and applied research every two years.

Space connectivity through satellites can bridge the digital divide in remote and rural areas.

Cybersecurity capacity building helps least developed countries protect critical infrastructure.
"""


def make_corpus(folder: Path) -> Path:
    """A corpus of two documents: a real small report and a plain text written here."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "corpus" / OUTLINE_FILE, folder / OUTLINE_FILE)
    (folder / "plain.txt").write_text(PLAIN_TEXT, encoding="utf-8")
    meta = json.loads((REPO_ROOT / "corpus" / "documents.json").read_text(encoding="utf-8"))
    outline = next(d for d in meta["documents"] if d["file"] == OUTLINE_FILE)
    docs = [
        outline,
        {
            "id": "plain-notes",
            "file": "plain.txt",
            "title": "Plain notes for tests",
            "short_title": "Plain Notes",
            "event": "TEST-1",
            "date": "2025",
            "kind": "plain",
        },
    ]
    (folder / "documents.json").write_text(json.dumps({"schema": 1, "documents": docs}), encoding="utf-8")
    return folder


def settings_for(corpus: Path, index: Path, **overrides: object) -> Settings:
    return make_settings(corpus_dir=corpus, index_dir=index, **overrides)
