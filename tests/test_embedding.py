"""Shared embedding helpers: normalisation and batching with progress."""

from __future__ import annotations

import numpy as np
import pytest

from faq_engine.embedding import embed_batched, l2_normalize
from faq_engine.errors import DimensionMismatchError


class RecordingEmbedder:
    model_id = "fake/recording"
    dim = 3

    def __init__(self, batch_hint=None, dim_out=3):
        self.calls: list[int] = []
        self.batch_hint = batch_hint
        self._dim_out = dim_out

    def embed(self, texts):
        self.calls.append(len(texts))
        return np.array([[len(t), 1.0, 0.0][: self._dim_out] for t in texts], dtype=np.float32)


def test_batches_follow_the_embedders_hint_and_report_progress():
    seen = []
    embedder = RecordingEmbedder(batch_hint=100)
    texts = [f"text {i}" for i in range(250)]
    vectors = embed_batched(embedder, texts, progress=lambda done, total: seen.append((done, total)))
    assert embedder.calls == [100, 100, 50]
    assert seen == [(100, 250), (200, 250), (250, 250)]
    assert vectors.shape == (250, 3) and vectors.dtype == np.float32
    plain = RecordingEmbedder()
    embed_batched(plain, texts[:130])
    assert plain.calls == [64, 64, 2]  # no hint: 64 per call


def test_empty_input_and_wrong_dimension():
    assert embed_batched(RecordingEmbedder(), []).shape == (0, 3)
    with pytest.raises(DimensionMismatchError):
        embed_batched(RecordingEmbedder(dim_out=2), ["a"])


def test_l2_normalize_keeps_zero_rows_zero():
    out = l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    assert out.dtype == np.float32
