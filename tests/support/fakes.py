"""Deterministic stand-ins for the model, for tests about everything around it."""

from __future__ import annotations

import hashlib
import threading

import numpy as np

from faq_engine.embedders.base import Embedder
from faq_engine.vectors import l2_normalize


class HashEmbedder(Embedder):
    """Vectors derived from each text's sha256; records every call and every text it is sent."""

    def __init__(self, model_id: str = "fake/hash-model", dim: int = 8) -> None:
        self.model_id, self.dim = model_id, dim
        self.calls: list[list[str]] = []
        self._lock = threading.Lock()

    @property
    def sent(self) -> list[str]:
        """Every text embedded so far, in order."""
        return [text for call in self.calls for text in call]

    def embed(self, texts):
        with self._lock:
            self.calls.append(list(texts))
        digests = [hashlib.sha256(t.encode()).digest() * (1 + self.dim // 32) for t in texts]
        rows = [np.frombuffer(d[: self.dim], dtype=np.uint8) for d in digests]
        return l2_normalize(np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim) - 127.5)
