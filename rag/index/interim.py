"""The interim index: what ``rag serve`` answers from seconds after a first start, while the full index
(fine-tuned encoder, multilingual leg) is built in the background and swapped in.

The full build of a fresh clone fine-tunes the encoder and embeds every passage twice: many minutes on
two cores. The interim index is BM25 with the hashing encoder (``HashEncoder``: a bag of hashed words,
no model) on the dense side and no multilingual leg: 6 s to build, no model to load. Hybrid search on
it is BM25 alone followed by the reranker (``INTERIM_RETRIEVAL``): the hashing leg only blurred BM25.
It is written by ``build_index(..., interim=True)``; its manifest says ``"interim": true``, and the
query side takes its encoder from the manifest (``interim_query_encoder``), never from the settings.

Chosen by measurement (``INTERIM_RETRIEVAL``; README "First start"): the stock MiniLM instead of the
hashing encoder took 180 s to build from a clean state on the shared 2 cores, beyond the 120 s target.
"""

from __future__ import annotations

import re

from rag.config import Settings
from rag.errors import IndexStaleError
from rag.index.encoders import Encoder, HashEncoder
from rag.index.manifest import Manifest

# How an interim index is searched. Dev split (199 questions, clause pipeline, nDCG@10 / R@10 / MRR@10):
# hybrid with the hashing leg 0.800 / 0.910 / 0.764 with the reranker, 0.773 / 0.884 / 0.736 without;
# BM25 alone in hybrid (dense weight 0) 0.840 / 0.920 / 0.814 with the reranker, 0.805 / 0.905 / 0.773
# without. Test split (198, out of sample for the reranker): 0.770 hashing leg, 0.828 BM25 alone with
# the reranker, 0.808 without. The hashing leg stays for mode=dense.
INTERIM_RETRIEVAL: dict[str, object] = {"weight_dense": 0.0}
INTERIM_DIM = 256  # the hashing encoder's width: wide enough that unrelated words rarely collide
_HASH_NAME = re.compile(r"hash-(\d+)")


def interim_encoder() -> Encoder:
    """The encoder an interim index is built with: instant, deterministic, no model to load."""
    return HashEncoder(dim=INTERIM_DIM)


def interim_settings(settings: Settings) -> Settings:
    """The settings an interim index is searched with: ``INTERIM_RETRIEVAL`` over the given ones."""
    return settings.updated(**INTERIM_RETRIEVAL)


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
