"""The exact cosine ranker, checked against sentence-transformers' semantic_search."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sentence_transformers.util import semantic_search

from faq_engine.errors import DimensionMismatchError
from faq_engine.search.ranking import cosine_scores, top_k, top_k_from_scores


@pytest.mark.parametrize(
    ("n_queries", "n_corpus", "dim", "k"),
    [(1, 1, 3, 1), (3, 7, 5, 3), (5, 13, 384, 5), (2, 101, 16, 100), (4, 50, 8, 50), (7, 1000, 32, 17)],
)
def test_matches_semantic_search_oracle(n_queries, n_corpus, dim, k):
    rng = np.random.default_rng(n_corpus * 31 + k)
    queries = rng.normal(size=(n_queries, dim)).astype(np.float32)
    corpus = rng.normal(size=(n_corpus, dim)).astype(np.float32)
    indices, scores = top_k(queries, corpus, k)
    oracle = semantic_search(
        torch.nn.functional.normalize(torch.from_numpy(queries)),
        torch.nn.functional.normalize(torch.from_numpy(corpus)),
        top_k=k,
    )
    for row, hits in enumerate(oracle):
        assert indices[row].tolist() == [h["corpus_id"] for h in hits]
        np.testing.assert_allclose(scores[row], [h["score"] for h in hits], atol=1e-6)


def test_k_is_clamped_to_corpus_size():
    corpus = np.eye(3, dtype=np.float32)
    indices, scores = top_k(np.array([[1, 0, 0]], dtype=np.float32), corpus, 10)
    assert indices.shape == (1, 3)
    assert indices[0, 0] == 0
    assert top_k(corpus[:1], corpus, 0)[0].shape == (1, 0)


def test_ties_are_broken_by_lower_index():
    # Eight identical FAQ vectors: whatever argpartition picks, the lowest indices win.
    corpus = np.ones((8, 4), dtype=np.float32)
    corpus[2] = [1, 0, 0, 0]
    indices, _ = top_k(np.ones((1, 4), dtype=np.float32), corpus, 3)
    assert indices[0].tolist() == [0, 1, 3]
    scores = np.array([[0.5, 0.9, 0.5, 0.9, 0.5]], dtype=np.float32)
    assert top_k_from_scores(scores, 4)[0][0].tolist() == [1, 3, 0, 2]


def test_zero_vectors_score_zero_not_nan():
    corpus = np.array([[0, 0, 0], [1, 0, 0]], dtype=np.float32)
    scores = cosine_scores(np.zeros((1, 3), dtype=np.float32), corpus)
    assert np.all(np.isfinite(scores)) and np.all(scores == 0)
    indices, values = top_k(np.array([[1, 0, 0]], dtype=np.float32), corpus, 2)
    assert indices[0].tolist() == [1, 0]
    assert values[0].tolist() == [1.0, 0.0]


def test_dimension_mismatch_is_a_clear_error():
    with pytest.raises(DimensionMismatchError, match="dimension 4 .* have 3"):
        top_k(np.ones((1, 4), dtype=np.float32), np.ones((2, 3), dtype=np.float32), 1)
    assert issubclass(DimensionMismatchError, ValueError)


def test_scores_are_float32():
    rng = np.random.default_rng(0)
    _, scores = top_k(rng.normal(size=(2, 8)), rng.normal(size=(5, 8)), 2)
    assert scores.dtype == np.float32
