"""The fit behind ``match`` (:mod:`faq_engine.search.match`) and how it scores on a set. Pure numpy: no I/O.

``scripts/fit_calibration.py`` fits on all three dev sets and ships the result;
``benchmarks/match_loso.py`` fits on two and scores the third, each in turn, with the same
:func:`fit`. A set enters the fit whole and with half its FAQs removed (its :class:`Searched`
lists), and every set counts alike, however many questions it has: a calibration is for FAQ
sets, not for the largest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..search.match import CONFIDENT_PRECISION, Calibration, Logistic, features
from ..settings import DEFAULT_TOP_K
from .reliability import expected_calibration_error, fit_logistic

SHOWN = DEFAULT_TOP_K  # the hits shown by default: the ones calibrated
THRESHOLDS = np.round(np.arange(0.5, 1.0, 0.01), 2)  # the thresholds "confident" is chosen from


@dataclass(frozen=True, eq=False)
class Searched:
    """One FAQ set's labelled questions, searched: per question the scores of its first ``SHOWN + 1`` hits (0
    past the end of a short list), how many it has, whether each of the first ``SHOWN`` answers it, and
    whether any FAQ of the set does. ``whole``: the set as it is, not with FAQs removed."""

    scores: np.ndarray  # (q, SHOWN + 1)
    ranked: np.ndarray  # (q,) hits found, at most SHOWN + 1
    right: np.ndarray  # (q, SHOWN) 0/1
    answerable: np.ndarray  # (q,) bool
    whole: bool = True

    def matches(self, calibration: Calibration) -> list[np.ndarray]:
        """Each question's shown hits' match, as the engine computes it."""
        return [calibration.matches(s[:n], exhausted=n <= SHOWN)[:SHOWN] for s, n in zip(self.scores, self.ranked)]

    def best_matches(self, calibration: Calibration) -> np.ndarray:
        """Each question's best hit's match (0 for a question with no hit)."""
        return np.array([m[0] if len(m) else 0.0 for m in self.matches(calibration)])


def fit(sets: Mapping[str, Sequence[Searched]]) -> Calibration:
    """The best-hit and other-hits regressions over every list of every set (each set weighing the same), and
    the threshold :func:`precise_threshold` chooses for them."""
    best, others = _rows(sets, first=True), _rows(sets, first=False)
    calibration = Calibration(_fit_nonnegative(*best), _fit_nonnegative(*others))
    return Calibration(calibration.best, calibration.others, precise_threshold(calibration, sets))


def precise_threshold(calibration: Calibration, sets: Mapping[str, Sequence[Searched]]) -> float:
    """The lowest threshold at which the confident best hits of every whole set are right at least
    :data:`CONFIDENT_PRECISION` of the time (a set with no confident hit passes)."""
    tops = [(s.best_matches(calibration), s.right[:, 0]) for lists in sets.values() for s in lists if s.whole]
    for threshold in THRESHOLDS:
        if all(right[top >= threshold].mean() >= CONFIDENT_PRECISION for top, right in tops
               if (top >= threshold).any()):
            return float(threshold)
    return 1.0


def score(calibration: Calibration, lists: Sequence[Searched]) -> dict[str, float]:
    """How ``calibration`` does on one set: top-1 ECE and ECE over the shown hits of the whole set, its confident
    best hits' precision and their coverage of its answerable questions, and how often a question whose answer
    was removed (in the other lists) still gets a confident best hit."""
    whole = next(s for s in lists if s.whole)
    found = whole.matches(calibration)
    top = whole.best_matches(calibration)
    shown = np.concatenate(found)
    shown_right = np.concatenate([r[: len(m)] for m, r in zip(found, whole.right)])
    confident = top >= calibration.threshold
    removed = [m[0] >= calibration.threshold for s in lists if not s.whole
               for m, gone in zip(s.matches(calibration), whole.answerable & ~s.answerable) if gone and len(m)]
    return {"ece1": expected_calibration_error(top, whole.right[:, 0]),
            "ece5": expected_calibration_error(shown, shown_right),
            "precision": float(whole.right[confident, 0].mean()) if confident.any() else float("nan"),
            "coverage": float((confident & whole.answerable).sum() / max(1, whole.answerable.sum())),
            "removed_confident": float(np.mean(removed)) if removed else float("nan")}


def _rows(sets: Mapping[str, Sequence[Searched]], first: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and weights of the best hits (``first``) or of the other shown hits of every list."""
    x, y, w = [], [], []
    for lists in sets.values():
        xs, ys = [], []
        for s in lists:
            for scores, n, right in zip(s.scores, s.ranked, s.right):
                rows = slice(0, min(1, n)) if first else slice(1, min(SHOWN, n))
                xs.append(features(scores[:n], exhausted=n <= SHOWN)[rows]), ys.append(right[rows])
        xs, ys = np.concatenate(xs), np.concatenate(ys)
        x.append(xs), y.append(ys), w.append(np.full(len(ys), 1.0 / max(1, len(ys))))
    weights = np.concatenate(w)
    return np.concatenate(x), np.concatenate(y), weights / weights.mean()


def _fit_nonnegative(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> Logistic:
    """A logistic regression whose weights are all >= 0 (a better hit never gets a lower match): a feature
    fitted with a negative weight is left out and the rest refitted."""
    keep = np.ones(x.shape[1], dtype=bool)
    while True:
        found, bias = fit_logistic(x[:, keep], y, weights=weights)
        if np.all(found >= 0):
            full = np.zeros(x.shape[1])
            full[keep] = found
            return Logistic(tuple(float(v) for v in full), bias)
        keep[np.flatnonzero(keep)[found < 0]] = False
