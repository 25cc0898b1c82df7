"""How well ``match`` is calibrated, and the fit behind it. Pure numpy: no I/O.

Expected calibration error (ECE) bins the predicted probabilities into equal-width bins,
and averages ``|mean prediction - accuracy|`` over them, weighted by how many predictions
fall in each. ``fit_logistic`` is the regression ``scripts/fit_calibration.py`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

ECE_BINS = 10


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability diagram: predictions in ``[low, high)`` and how often they were right."""

    low: float
    high: float
    count: int
    mean_match: float | None
    accuracy: float | None


def reliability_bins(predicted: Sequence[float], correct: Sequence[bool],
                     bins: int = ECE_BINS) -> list[ReliabilityBin]:
    """``bins`` equal-width bins over [0, 1] (1.0 falls in the last)."""
    p = np.asarray(predicted, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    index = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        inside = index == b
        n = int(inside.sum())
        out.append(ReliabilityBin(b / bins, (b + 1) / bins, n, float(p[inside].mean()) if n else None,
                                  float(y[inside].mean()) if n else None))
    return out


def expected_calibration_error(predicted: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> float:
    """ECE: the count-weighted mean of ``|mean prediction - accuracy|`` over equal-width bins."""
    found = reliability_bins(predicted, correct, bins)
    total = sum(b.count for b in found)
    if not total:
        raise ValueError("expected_calibration_error needs at least one prediction")
    return sum(b.count * abs(b.mean_match - b.accuracy) for b in found if b.count) / total


def fit_logistic(features: np.ndarray, labels: np.ndarray, *, l2: float = 1e-2, iterations: int = 100,
                 weights: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression, by Newton's method.

    ``features`` is ``(n, f)``, ``labels`` 0/1, ``weights`` how much each row counts (1 each by
    default). The small ridge keeps the fit finite when the classes separate (a ranking method
    that is never wrong on the data).
    """
    x = np.c_[np.asarray(features, dtype=np.float64), np.ones(len(features))]
    y = np.asarray(labels, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    beta = np.zeros(x.shape[1])
    ridge = l2 * np.eye(x.shape[1])
    ridge[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -50, 50)))
        gradient = x.T @ (w * (p - y)) + ridge @ beta
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta[:-1], float(beta[-1])
