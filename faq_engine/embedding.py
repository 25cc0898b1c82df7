"""The embedder protocol and the helpers every embedder shares."""

from __future__ import annotations

from typing import Callable, Iterable, Protocol, Sequence, runtime_checkable

import numpy as np

from .errors import DimensionMismatchError, InvalidQueryError
from .models import FaqEntry

EPS = 1e-12
DEFAULT_BATCH = 64


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape ``(len(texts), dim)``."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - protocol
        ...


def l2_normalize(vectors: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Row-wise L2 normalisation in float32; all-zero rows stay zero (never NaN)."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return (arr / np.maximum(norms, eps)).astype(np.float32, copy=False)


def embed_one(embedder: Embedder, text: str) -> np.ndarray:
    """Embed a single text; returns a vector of shape ``(dim,)``."""
    return embedder.embed([text])[0]


def check_dim(vectors: np.ndarray, dim: int, what: str) -> None:
    """Raise :class:`DimensionMismatchError` unless ``vectors`` is ``(n, dim)``."""
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise DimensionMismatchError(
            f"{what} have shape {tuple(vectors.shape)}, but the embedder produces {dim}-dimensional vectors"
        )


def validate_query(query: str) -> str:
    """Return ``query`` stripped, or raise :class:`InvalidQueryError` if it is empty."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidQueryError("The question is empty: type a question to search for.")
    return query.strip()


def texts_for(entries: Iterable[FaqEntry], fields: str) -> list[str]:
    """The text that represents each FAQ for embedding: the question, or question + answer."""
    if fields == "question":
        return [e.question for e in entries]
    return [f"{e.question} {e.answer}".strip() for e in entries]


def embed_batched(
    embedder: Embedder,
    texts: Sequence[str],
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Embed ``texts`` in batches, calling ``progress(done, total)`` after each batch.

    Long jobs (a whole FAQ file) go through here so the CLI can show a tqdm bar and
    the app a progress indicator; the result equals ``embedder.embed(texts)``.
    The batch size defaults to the embedder's ``batch_hint`` (an API client wants
    enough texts per call to keep all its requests in flight), else 64.
    """
    batch_size = batch_size or getattr(embedder, "batch_hint", None) or DEFAULT_BATCH
    total = len(texts)
    parts = []
    for start in range(0, total, batch_size):
        parts.append(embedder.embed(list(texts[start : start + batch_size])))
        if progress is not None:
            progress(min(start + batch_size, total), total)
    if not parts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    vectors = np.concatenate(parts).astype(np.float32, copy=False)
    check_dim(vectors, embedder.dim, "Embeddings")
    return vectors
