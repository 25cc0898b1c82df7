"""The embedder base class: batching with progress, capabilities forwarded by wrappers; normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from faq_engine.embedders.base import Embedder
from faq_engine.embedders.cache import CachedEmbedder, EmbeddingCache
from faq_engine.embedders.fallback import FallbackEmbedder
from faq_engine.embedders.memo import MemoEmbedder
from faq_engine.errors import DimensionMismatchError
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import build_faqset
from faq_engine.vectors import l2_normalize


class RecordingEmbedder(Embedder):
    model_id = "fake/recording"
    dim = 3

    def __init__(self, batch_hint=None, dim_out=3):
        self.calls: list[int] = []
        self.lengths: list[list[int]] = []  # of the texts in each call
        self._batch_hint = batch_hint
        self._dim_out = dim_out

    @property
    def batch_size(self):
        return self._batch_hint or super().batch_size

    @property
    def status(self):
        return "recording"

    def embed(self, texts):
        self.calls.append(len(texts))
        self.lengths.append([len(t) for t in texts])
        return np.array([[len(t), 1.0, 0.0][: self._dim_out] for t in texts], dtype=np.float32)


def test_batches_follow_the_embedders_hint_and_report_progress():
    seen = []
    embedder = RecordingEmbedder(batch_hint=100)
    texts = [f"text {i}" for i in range(250)]
    vectors = embedder.embed_batched(texts, progress=lambda done, total: seen.append((done, total)))
    assert embedder.calls == [100, 100, 50]
    assert seen == [(100, 250), (200, 250), (250, 250)]
    assert vectors.shape == (250, 3) and vectors.dtype == np.float32
    plain = RecordingEmbedder()
    plain.embed_batched(texts[:130])
    assert plain.calls == [64, 64, 2]  # no hint: 64 per call


def test_empty_input_and_wrong_dimension():
    assert RecordingEmbedder().embed_batched([]).shape == (0, 3)
    with pytest.raises(DimensionMismatchError):
        RecordingEmbedder(dim_out=2).embed_batched(["a"])


def test_wrappers_forward_every_capability(tmp_path):
    inner = RecordingEmbedder(batch_hint=100)
    cache = EmbeddingCache.in_dir(tmp_path)
    for wrapper in (CachedEmbedder(inner, cache), MemoEmbedder(inner), FallbackEmbedder(inner, RecordingEmbedder)):
        assert (wrapper.model_id, wrapper.dim, wrapper.batch_size, wrapper.status) == ("fake/recording", 3, 100,
                                                                                       "recording")
        texts = [f"text {i}" for i in range(150)]
        inner.calls.clear()
        wrapper.embed_batched(texts)
        assert inner.calls == [100, 50]  # the wrapped embedder's batch size, not the default 64
    cache.close()


def test_l2_normalize_keeps_zero_rows_zero():
    out = l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    assert out.dtype == np.float32


def test_progress_of_a_both_set_counts_faqs_not_texts():
    seen = []
    entries = [FaqEntry(str(i), f"Question {i}?", f"Answer {i}.") for i in range(150)]
    build_faqset("set", entries, RecordingEmbedder(batch_hint=100), fields="both",
                 progress=lambda done, total: seen.append((done, total)))
    assert seen == [(50, 150), (100, 150), (150, 150)]  # 300 texts, told as the 150 FAQs they are


def test_batches_hold_texts_of_one_length_and_vectors_come_back_in_the_callers_order():
    texts = ["a" * n for n in (3, 40, 1, 25, 7, 39, 2, 24)]
    embedder = RecordingEmbedder(batch_hint=2)
    vectors = embedder.embed_batched(texts)
    assert embedder.lengths == [[40, 39], [25, 24], [7, 3], [2, 1]]  # little padding in any batch
    assert vectors[:, 0].tolist() == [len(t) for t in texts]  # row i is text i
