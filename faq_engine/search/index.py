"""The exact in-memory index: every FAQ vector in one contiguous float32 matrix, scored by matrix products.

Vectors are L2-normalised once when added (or taken as they are when trusted), and a batch of
questions is scored one chunk of questions at a time, so temporaries stay bounded however many
FAQs there are. Pure numpy: no I/O.
"""

from __future__ import annotations

import numpy as np

from ..errors import DimensionMismatchError
from ..vectors import l2_normalize
from .ranking import top_k_from_scores

# Scores computed at once, at most (questions x FAQs): 2**24 float32 is 64 MB.
CHUNK_SCORES = 2**24


def _unit_rows(arr: np.ndarray, tolerance: float = 1e-4) -> bool:
    for start in range(0, len(arr), 65_536):
        block = arr[start : start + 65_536]
        if np.any(np.abs(np.einsum("ij,ij->i", block, block) - 1.0) > 2 * tolerance):
            return False
    return True


class ExactIndex:
    """Exact top-k by matrix product over vectors normalised once (never per query), or taken as they are
    when trusted: the score is the dot product with the unit question vector (the cosine for unit rows)."""

    def __init__(self, vectors: np.ndarray | None = None, *, dim: int | None = None, trusted: bool = False) -> None:
        if vectors is None and dim is None:
            raise ValueError("ExactIndex needs vectors or a dimension")
        self.dim = int(dim if vectors is None else np.asarray(vectors).shape[1])
        self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        if vectors is not None:
            self.add(vectors, trusted=trusted)

    def __len__(self) -> int:
        return len(self._matrix)

    @property
    def matrix(self) -> np.ndarray:
        """The vectors as scored, ``(n, dim)`` float32, C-contiguous (read-only use)."""
        return self._matrix

    def add(self, vectors: np.ndarray, *, trusted: bool = False) -> None:
        """Append ``vectors``, normalised unless they are of unit length already (checked) or ``trusted``:
        a validated FAQ set's rows, scored as they are (fused ``both`` rows keep their length on purpose).
        Such rows are taken without a copy: a FAQ set's matrix is shared, not duplicated."""
        arr = np.asarray(vectors, dtype=np.float32)
        self._check(arr, "FAQ vectors")
        arr = np.ascontiguousarray(arr) if trusted or _unit_rows(arr) else l2_normalize(arr)
        self._matrix = arr if not len(self._matrix) else np.concatenate([self._matrix, arr])

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest rows of each query and their scores, best first: two ``(q, k)`` arrays."""
        parts = [top_k_from_scores(scores, k) for _, scores in self.chunks(vectors)]
        if not parts:
            return np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def chunks(self, vectors: np.ndarray):
        """``(start, scores)`` for consecutive chunks of queries, each ``scores`` a bounded ``(c, n)`` array."""
        queries = self._queries(vectors)
        if len(queries) == 1:  # matrix @ vector (BLAS gemv) beats a 1-row matrix product
            yield 0, (self._matrix @ queries[0])[None, :]
            return
        step = max(1, CHUNK_SCORES // max(1, len(self._matrix)))
        for start in range(0, len(queries), step):
            yield start, queries[start : start + step] @ self._matrix.T

    def _queries(self, vectors: np.ndarray) -> np.ndarray:
        queries = l2_normalize(np.atleast_2d(np.asarray(vectors, dtype=np.float32)))
        self._check(queries, "Query vectors")
        return queries

    def _check(self, arr: np.ndarray, what: str) -> None:
        if arr.ndim != 2 or arr.shape[1] != self.dim:
            raise DimensionMismatchError(
                f"{what} have shape {tuple(arr.shape)} but the index holds {self.dim}-dimensional vectors: "
                "they were made by different models; re-embed the FAQs with the query's model."
            )
