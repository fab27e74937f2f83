"""The interim index: what ``rag serve`` answers from seconds after a first start, while the full index
(fine-tuned encoder, multilingual leg) is built in the background and swapped in.

The full build of a fresh clone fine-tunes the encoder and embeds every passage twice: many minutes on
two cores. The interim index is BM25 with the hashing encoder (``HashEncoder``: a bag of hashed words,
no model) on the dense side and no multilingual leg: 6 s to build, no model to load. It is written
by ``build_index(..., interim=True)``; its manifest says ``"interim": true`` and the query side takes
its encoder from the manifest (``interim_query_encoder``), never from the settings.

Chosen by measurement (dev split, clause/hybrid; README "HTTP API"): see ``INTERIM_CHOICE``.
"""

from __future__ import annotations

import re

from rag.errors import IndexStaleError
from rag.index.encoders import Encoder, HashEncoder
from rag.index.manifest import Manifest

INTERIM_DIM = 256  # the hashing encoder's width: wide enough that unrelated words rarely collide
_HASH_NAME = re.compile(r"hash-(\d+)")


def interim_encoder() -> Encoder:
    """The encoder an interim index is built with: instant, deterministic, no model to load."""
    return HashEncoder(dim=INTERIM_DIM)


def interim_query_encoder(manifest: Manifest) -> Encoder:
    """The query encoder of an interim index, as its manifest names it.

    Raises:
        IndexStaleError: the manifest names an encoder this version cannot make (``rag build`` fixes it).
    """
    match = _HASH_NAME.fullmatch(manifest.encoder.name)
    if match is None:
        raise IndexStaleError(
            f"the interim index was built with {manifest.encoder.name}, unknown to this rag"
        )
    return HashEncoder(dim=int(match.group(1)))
