"""``rag build --background`` as ``rag serve`` runs it, with the hashing encoder for the full index
(tests/api/test_early_serve.py): ``python -m tests.api.background_build CORPUS INDEX [--stall]``.

``--stall`` holds the build when it starts writing the indexes (its temporary folder half written)
until it is stopped, so that a test can interrupt it there.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rag.index import progress
from rag.index.encoders import HashEncoder
from rag.index.store import build_index
from rag_cli.serve import run_background_build
from tests.retrieval_fixtures import settings_for

FULL_DIM = 32


STALLED = "stalled"  # the file beside the index that says the build is held


def _staller(index_dir: Path):  # type: ignore[no-untyped-def]
    def stall(task: str, done: int, total: int) -> None:
        if task == "indexes":
            (index_dir.parent / STALLED).touch()
            time.sleep(600)

    return stall


def full_build(settings):  # type: ignore[no-untyped-def]
    return build_index(settings, encoder=HashEncoder(FULL_DIM), show_progress=False)


def main(argv: list[str]) -> int:
    settings = settings_for(Path(argv[0]), Path(argv[1]))
    if "--stall" in argv:
        progress.add_listener(_staller(settings.index.index_dir))
    run_background_build(settings, build=full_build)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
