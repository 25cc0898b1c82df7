"""An on-disk embedding cache, so re-embedding an edited FAQ set only embeds what changed.

Vectors are stored in SQLite under ``(model_id, sha256(text))``: a text embedded
once by a model is never sent to that model again, whichever file it came from.
:class:`CachedEmbedder` wraps any :class:`~faq_engine.embedders.base.Embedder` and
counts how many texts it embedded and how many it reused.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

import numpy as np

from ..vectors import check_dim
from .base import Embedder, WrappedEmbedder

log = logging.getLogger(__name__)
T = TypeVar("T")

CACHE_FILE = "embeddings.sqlite3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL, text_sha256 TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model_id, text_sha256))"""
_CHUNK = 500  # stays under SQLite's limit on query parameters


def text_key(text: str) -> str:
    """The cache key of a text: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by ``(model_id, text hash)`` in one SQLite file; safe to share between threads.

    A cache must never stop the work it speeds up: a damaged file is set aside (renamed
    ``*.damaged-<time>``) and a new one started; a file that cannot be opened or written
    (read-only, locked by another process for longer than ``timeout`` seconds, a full disk)
    turns the cache off for this process. Either way a WARNING says so once.
    """

    def __init__(self, path: Path, *, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.disabled = False

    @classmethod
    def in_dir(cls, cache_dir: Path) -> EmbeddingCache:
        """The cache file inside ``cache_dir`` (``Settings.cache_dir``)."""
        return cls(Path(cache_dir) / CACHE_FILE)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection guarded by a lock; the timeout lets two processes share the file.
            conn = sqlite3.connect(self.path, timeout=self.timeout, check_same_thread=False)
            try:
                conn.execute(_SCHEMA)
                conn.commit()
            except sqlite3.Error:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _run(self, work: Callable[[sqlite3.Connection], T], empty: T) -> T:
        """``work(connection)`` under the lock; on failure the remedies in the class docstring, then ``empty``."""
        with self._lock:
            for attempt in (1, 2):
                if self.disabled:
                    return empty
                try:
                    return work(self._connection())
                except sqlite3.OperationalError as err:  # locked, read-only, full: not the file's fault
                    self._disable(f"cannot use it ({err})")
                except sqlite3.DatabaseError as err:  # not a database, malformed: set it aside, start anew
                    if attempt == 2 or not self._set_aside(err):
                        self._disable(f"it is damaged ({err})")
                except OSError as err:  # the folder cannot be created
                    self._disable(f"cannot create it ({err.strerror or err})")
            return empty

    def _set_aside(self, err: Exception) -> bool:
        self._close_connection()
        damaged = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
        try:
            os.replace(self.path, damaged)
        except OSError:
            return False
        log.warning("The embedding cache %s is damaged (%s); moved it to %s and started a new one.",
                    self.path, err, damaged.name)
        return True

    def _disable(self, why: str) -> None:
        self._close_connection()
        self.disabled = True
        log.warning("The embedding cache %s is off for this run: %s. Everything is embedded afresh.", self.path, why)

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def get_many(self, model_id: str, keys: Iterable[str], dim: int) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys``; entries of another dimension are ignored."""
        keys = list(dict.fromkeys(keys))

        def read(conn: sqlite3.Connection) -> dict[str, np.ndarray]:
            found: dict[str, np.ndarray] = {}
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    "SELECT text_sha256, vector FROM embeddings WHERE model_id = ? AND dim = ? "
                    f"AND text_sha256 IN ({marks})",
                    [model_id, dim, *chunk],
                ).fetchall()
                for key, blob in rows:
                    if not isinstance(blob, bytes) or len(blob) != 4 * dim:  # damaged: embedded again
                        continue
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if np.isfinite(vector).all():
                        found[key] = vector.copy()
            return found

        return self._run(read, {})

    def put_many(self, model_id: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store ``(key, vector)`` pairs, replacing older entries."""
        rows = [(model_id, key, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for key, v in items]

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)
            conn.commit()

        self._run(write, None)

    def close(self) -> None:
        """Close the database connection (it reopens on next use)."""
        with self._lock:
            self._close_connection()


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
        """Vectors for ``texts``: cached ones reused, the rest embedded once and stored.

        The local model's vectors are the reference and serve every embedder of the same model; a
        service's vectors are stored apart and serve only that service, so an endpoint that turns
        out to serve another model can never change what the local model's searches see.
        """
        texts = list(texts)
        keys = [text_key(t) for t in texts]
        trusted = self.model_id
        own = trusted if self.inner.vector_source == "local" else f"{trusted}@{self.inner.vector_source}"
        known = self.cache.get_many(trusted, keys, self.dim)
        if own != trusted:
            known.update(self.cache.get_many(own, [k for k in keys if k not in known], self.dim))
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        if missing:
            text_of = dict(zip(keys, texts))
            fresh = np.asarray(self.inner.embed([text_of[k] for k in missing]), dtype=np.float32)
            check_dim(fresh, self.dim, "Embeddings")
            self.cache.put_many(own, zip(missing, fresh))
            known.update(zip(missing, fresh))
        with self._lock:
            self._embedded += len(missing)
            self._reused += len(texts) - len(missing)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)
