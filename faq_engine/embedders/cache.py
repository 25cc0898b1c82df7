"""An on-disk embedding cache, so re-embedding an edited FAQ set only embeds what changed.

Vectors are stored in SQLite under ``(model_id, sha256(text))``: a text embedded
once by a model is never sent to that model again, whichever file it came from.
:class:`CachedEmbedder` wraps any :class:`~faq_engine.embedders.base.Embedder` and
counts how many texts it embedded and how many it reused.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..vectors import check_dim
from .base import Embedder, WrappedEmbedder

CACHE_FILE = "embeddings.sqlite3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL, text_sha256 TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model_id, text_sha256))"""
_CHUNK = 500  # stays under SQLite's limit on query parameters


def text_key(text: str) -> str:
    """The cache key of a text: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by ``(model_id, text hash)`` in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def in_dir(cls, cache_dir: Path) -> EmbeddingCache:
        """The cache file inside ``cache_dir`` (``Settings.cache_dir``)."""
        return cls(Path(cache_dir) / CACHE_FILE)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection guarded by a lock; the timeout lets two processes share the file.
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute(_SCHEMA)
            conn.commit()
            self._conn = conn
        return self._conn

    def get_many(self, model_id: str, keys: Iterable[str], dim: int) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys``; entries of another dimension are ignored."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            conn = self._connection()
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    "SELECT text_sha256, vector FROM embeddings WHERE model_id = ? AND dim = ? "
                    f"AND text_sha256 IN ({marks})",
                    [model_id, dim, *chunk],
                ).fetchall()
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (dim,) and np.isfinite(vector).all():
                        found[key] = vector.copy()
        return found

    def put_many(self, model_id: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store ``(key, vector)`` pairs, replacing older entries."""
        rows = [(model_id, key, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for key, v in items]
        with self._lock:
            conn = self._connection()
            conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)
            conn.commit()

    def close(self) -> None:
        """Close the database connection (it reopens on next use)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


@dataclass(frozen=True)
class CacheStats:
    """How many texts were embedded by the model and how many came from the cache."""

    embedded: int = 0
    reused: int = 0


class CachedEmbedder(WrappedEmbedder):
    """An :class:`Embedder` that only sends texts missing from the cache to ``inner``."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        super().__init__(inner)
        self.cache = cache
        self._lock = threading.Lock()
        self._embedded = 0
        self._reused = 0

    @property
    def stats(self) -> CacheStats:
        """Counts since this wrapper was created."""
        with self._lock:
            return CacheStats(self._embedded, self._reused)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``: cached ones reused, the rest embedded once and stored."""
        texts = list(texts)
        keys = [text_key(t) for t in texts]
        known = self.cache.get_many(self.model_id, keys, self.dim)
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        if missing:
            text_of = dict(zip(keys, texts))
            fresh = np.asarray(self.inner.embed([text_of[k] for k in missing]), dtype=np.float32)
            check_dim(fresh, self.dim, "Embeddings")
            self.cache.put_many(self.model_id, zip(missing, fresh))
            known.update(zip(missing, fresh))
        with self._lock:
            self._embedded += len(missing)
            self._reused += len(texts) - len(missing)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)
