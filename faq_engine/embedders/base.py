"""The embedder base class: texts in, one L2-normalised float32 vector per text out.

An embedder has one essential method, :meth:`Embedder.embed`, and declares its
optional capabilities here, once, with defaults (as simonw/llm's ``EmbeddingModel``
does): :attr:`~Embedder.batch_size` (texts per call that use it best) and
:attr:`~Embedder.status` (a short description for people). Wrappers such as the
cache or the fallback derive from :class:`WrappedEmbedder`, which forwards every
capability to the embedder it wraps.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Sequence

import numpy as np

from ..errors import DimensionMismatchError
from ..vectors import check_dim

Progress = Callable[[int, int], None]
DEFAULT_BATCH_SIZE = 64


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors of shape ``(len(texts), dim)``."""

    model_id: str
    dim: int

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` (a list, not a single string) in order; ``(0, dim)`` for none."""

    @property
    def batch_size(self) -> int:
        """How many texts one :meth:`embed` call should get to use this embedder best."""
        return DEFAULT_BATCH_SIZE

    @property
    def status(self) -> str:
        """A short description for the UI and logs (``"local model"``, ``"Inference API"``, ...)."""
        return "local model"

    @property
    def vector_source(self) -> str:
        """Who computes the vectors: ``"local"`` (this machine's model, the reference), or a service's
        address. The embedding cache trusts only local vectors across sources (see :mod:`.cache`)."""
        return "local"

    def characters_read(self, text: str) -> int | None:
        """How many leading characters of ``text`` the model reads, when it cuts the text; ``None`` when
        it reads all of it (or cannot tell)."""
        return None

    def embed_batched(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embed ``texts`` in batches of :attr:`batch_size`, calling ``progress(done, total)`` after each.

        Long jobs (a whole FAQ file) go through here so the CLI can draw a tqdm bar and
        the app a progress indicator; the result equals ``self.embed(texts)``.
        """
        size, total = self.batch_size, len(texts)
        # Longest first, so each batch holds texts of about one length: a model pads a batch to its longest
        # text, and a FAQ set's short questions padded to its long answers cost up to a third more.
        order = sorted(range(total), key=lambda i: len(texts[i]), reverse=True)
        vectors = np.zeros((total, self.dim), dtype=np.float32)
        for start in range(0, total, size):
            rows = order[start : start + size]
            part = np.asarray(self.embed([texts[i] for i in rows]), dtype=np.float32)
            check_dim(part, self.dim, "Embeddings")
            if part.shape[0] != len(rows):
                raise DimensionMismatchError(f"Embeddings: {part.shape[0]} vectors for {len(rows)} texts.")
            vectors[rows] = part
            if progress is not None:
                progress(min(start + size, total), total)
        return vectors


class WrappedEmbedder(Embedder):
    """An embedder built around another: it shares the inner one's vector space and capabilities."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    @property
    def model_id(self) -> str:  # type: ignore[override]
        return self.inner.model_id

    @property
    def dim(self) -> int:  # type: ignore[override]
        return self.inner.dim

    @property
    def batch_size(self) -> int:
        return self.inner.batch_size

    @property
    def status(self) -> str:
        return self.inner.status

    @property
    def vector_source(self) -> str:
        return self.inner.vector_source

    def characters_read(self, text: str) -> int | None:
        return self.inner.characters_read(text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed(texts)
