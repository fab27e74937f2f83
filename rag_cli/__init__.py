"""The ``rag`` command: the library's commands plus ``serve``, ``eval`` and ``train-reranker`` (api, eval)."""
