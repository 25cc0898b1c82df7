"""Exact cosine top-k ranking in numpy. Pure: no I/O, no model."""

from __future__ import annotations

import numpy as np

from ..errors import DimensionMismatchError
from ..vectors import l2_normalize


def cosine_scores(queries: np.ndarray, corpus: np.ndarray) -> np.ndarray:
    """Cosine similarity of every query row with every corpus row, shape ``(q, n)``.

    Rows are normalised with an epsilon, so a zero vector scores 0, never NaN.
    """
    q = l2_normalize(queries)
    c = l2_normalize(corpus)
    if q.shape[1] != c.shape[1]:
        raise DimensionMismatchError(
            f"Query vectors have dimension {q.shape[1]} but the FAQ vectors have {c.shape[1]}: "
            "they were made by different models; re-embed the FAQs with the query's model."
        )
    return q @ c.T


def top_k_from_scores(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` best scores per row, best first.

    Ties are broken by the lower index, and ``k`` is clamped to ``[0, n]``.
    ``argpartition`` finds the k-th best value; every candidate at least as good
    is then sorted, so a tie at the boundary can never drop a lower index.
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float32))
    n_rows, n = scores.shape
    k = max(0, min(int(k), n))
    indices = np.zeros((n_rows, k), dtype=np.int64)
    values = np.zeros((n_rows, k), dtype=np.float32)
    if k == 0:
        return indices, values
    for row in range(n_rows):
        s = scores[row]
        kth = s[np.argpartition(-s, k - 1)[k - 1]] if k < n else s.min()
        candidates = np.flatnonzero(s >= kth)
        order = np.lexsort((candidates, -s[candidates]))[:k]
        indices[row] = candidates[order]
        values[row] = s[indices[row]]
    return indices, values


def top_k(queries: np.ndarray, corpus: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine top-k of each query against the corpus: ``(indices, scores)``, each ``(q, k)``."""
    return top_k_from_scores(cosine_scores(queries, corpus), k)
