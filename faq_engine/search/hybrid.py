"""Hybrid ranking: the similarity, nudged by keyword (BM25) evidence. Pure numpy.

``score = (1 - w) * similarity + w * bm25 / best_bm25``, row by row, with ``w = BM25_WEIGHT``:
the similarity is the cosine (or, for ``both`` vectors, the weighted mean of two cosines),
and each FAQ's BM25 is divided by the best BM25 any FAQ got for that question, so the keyword
part is between 0 and 1 and a question sharing no word with any FAQ adds nothing. The score
stays on the cosine's scale, needs no statistic of the whole collection (a vector engine such
as Qdrant can compute it from its best hits), and orders the results.

Why (top-1 on the three dev sets; ``benchmarks/fusion_options.py`` prints the comparison):
min-max scaling both scores ties the blend to the single worst FAQ, and reciprocal rank
fusion gives BM25 an equal vote, which costs stackfaq (0.83; BM25 alone gets 0.68); a small
share of BM25 over the FAQ questions adds the rare-keyword signal without overruling the
model, and is best on average among the weights from 0.02 to 0.08 for ``both`` vectors.
"""

from __future__ import annotations

import numpy as np

BM25_WEIGHT = 0.04


def bm25_share(lexical: np.ndarray) -> np.ndarray:
    """Each row's BM25 divided by that row's best (all zeros for a row with no keyword match)."""
    arr = np.atleast_2d(np.asarray(lexical, dtype=np.float32))
    best = arr.max(axis=1, keepdims=True, initial=0.0)  # a set of no FAQs has no best
    return np.divide(arr, best, out=np.zeros_like(arr), where=best > 0)


def blend_scores(similarity: np.ndarray, lexical: np.ndarray, bm25_weight: float = BM25_WEIGHT) -> np.ndarray:
    """The hybrid ranking score: ``(1 - w) * similarity + w * bm25 / best_bm25``, row by row."""
    if not 0.0 <= bm25_weight <= 1.0:
        raise ValueError(f"bm25_weight must be between 0 and 1, got {bm25_weight}")
    return (1.0 - bm25_weight) * np.atleast_2d(np.asarray(similarity, np.float32)) + bm25_weight * bm25_share(lexical)
