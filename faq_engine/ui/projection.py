"""A 2-D map of embeddings by principal component analysis. Pure numpy: no I/O, no model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Projection:
    """A fitted linear map from embedding space to the plane of the two main axes.

    ``components`` has shape ``(2, dim)`` (rows are orthonormal, or zero when the
    data has fewer than two directions of variance); ``explained`` is the share of
    the total variance along each axis.
    """

    mean: np.ndarray
    components: np.ndarray
    explained: tuple[float, float]

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """Coordinates of ``vectors`` (shape ``(n, dim)`` or ``(dim,)``) on the map, shape ``(n, 2)``."""
        arr = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
        if arr.shape[1] != self.mean.shape[0]:
            raise ValueError(f"Expected vectors of dimension {self.mean.shape[0]}, got {arr.shape[1]}.")
        return (arr - self.mean) @ self.components.T


def fit_pca(vectors: np.ndarray) -> Projection:
    """Fit a two-axis PCA to the rows of ``vectors``, shape ``(n, dim)``.

    The sign of each axis is fixed (its largest loading is positive), so the same
    data always gives the same picture. Axes the data cannot support (no row, one row,
    or all rows equal) are zero and map everything to 0.
    """
    arr = np.asarray(vectors, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"PCA needs a 2-D array, got shape {tuple(arr.shape)}.")
    if arr.shape[0] == 0:  # an empty FAQ set: a map with nothing on it
        return Projection(np.zeros(arr.shape[1]), np.zeros((2, arr.shape[1])), (0.0, 0.0))
    mean = arr.mean(axis=0)
    centred = arr - mean
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    components = np.zeros((2, arr.shape[1]))
    variance = singular**2
    total = float(variance.sum())
    explained = [0.0, 0.0]
    for i in range(min(2, vt.shape[0])):
        # A direction with (numerically) no variance is noise: leave that axis at zero.
        if total <= 0 or variance[i] <= total * 1e-12:
            continue
        axis = vt[i]
        if axis[np.argmax(np.abs(axis))] < 0:
            axis = -axis
        components[i] = axis
        explained[i] = float(variance[i] / total)
    return Projection(mean, components, (explained[0], explained[1]))
