"""An in-memory memo of vectors, so several rankings of the same queries embed each query once."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import Embedder, WrappedEmbedder


class MemoEmbedder(WrappedEmbedder):
    """Remembers each text's vector, so the methods compared share one embedding per query."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``; only texts not seen before reach the inner embedder."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self.inner.embed(missing)))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts]).astype(np.float32, copy=False)
