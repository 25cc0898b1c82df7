"""A FAQ scored by its closest phrasing: its own vector, or any of its alternate phrasings. Pure numpy.

A FAQ's similarity to a question is the best of its own vector's and its alternates' (each a
cosine with the unit question vector). Measured on the dev sets with their labelled questions as
alternates, each question kept out of its own (``benchmarks/alternates.py``), this lifts top-1 more
than adding the best alternate's cosine to the FAQ's score, and keeps the similarity on the scale
``match`` was fitted on.
"""

from __future__ import annotations

import numpy as np


def closest(similarity: np.ndarray, alternate_scores: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """``similarity`` (``(q, n)``, one column a FAQ) raised, in place, to each FAQ's best alternate score.

    ``alternate_scores`` is ``(q, m)``, one column per phrasing, owned by FAQ ``owners[j]`` (ascending).
    """
    if not len(owners):
        return similarity
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    best = np.maximum.reduceat(alternate_scores, starts, axis=1)
    rows = owners[starts]
    similarity[:, rows] = np.maximum(similarity[:, rows], best)
    return similarity
