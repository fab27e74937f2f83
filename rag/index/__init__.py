"""Index: what a passage becomes to be found: BM25 tokens, dense vectors, the store on disk."""
