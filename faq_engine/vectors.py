"""Vector maths every layer shares. Pure numpy: no I/O, no model."""

from __future__ import annotations

import numpy as np

from .errors import DimensionMismatchError

EPS = 1e-12


def l2_normalize(vectors: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Row-wise L2 normalisation in float32; all-zero rows stay zero (never NaN)."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return (arr / np.maximum(norms, eps)).astype(np.float32, copy=False)


def check_dim(vectors: np.ndarray, dim: int, what: str) -> None:
    """Raise :class:`DimensionMismatchError` unless ``vectors`` is ``(n, dim)``."""
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise DimensionMismatchError(
            f"{what} have shape {tuple(vectors.shape)}, but the embedder produces {dim}-dimensional vectors"
        )
