"""A FAQ scored by its closest phrasing: its own vector, or any of its alternate phrasings. Pure numpy.

A FAQ's similarity to a question is the best of its own vector's and its alternates' (each a
cosine with the unit question vector). Measured on the dev sets with their labelled questions as
alternates, each question kept out of its own (``benchmarks/alternates.py``), this lifts top-1 more
than adding the best alternate's cosine to the FAQ's score, and keeps the similarity on the scale
``match`` was fitted on.
"""

from __future__ import annotations

import numpy as np


def best_per_owner(alternate_scores: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The FAQs that have phrasings (ascending) and each one's best phrasing score along the last axis.

    ``alternate_scores`` is ``(..., m)``, one column per phrasing, owned by FAQ ``owners[j]`` (ascending).
    """
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    return owners[starts], np.maximum.reduceat(alternate_scores, starts, axis=-1)


def closest(similarity: np.ndarray, alternate_scores: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """``similarity`` (``(q, n)``, one column a FAQ) raised, in place, to each FAQ's best alternate score.

    ``alternate_scores`` is ``(q, m)``, one column per phrasing, owned by FAQ ``owners[j]`` (ascending).
    """
    if not len(owners):
        return similarity
    rows, best = best_per_owner(alternate_scores, owners)
    similarity[:, rows] = np.maximum(similarity[:, rows], best)
    return similarity
