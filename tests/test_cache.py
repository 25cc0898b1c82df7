"""The on-disk embedding cache: only new or changed texts reach the model."""

from __future__ import annotations

import hashlib
import sqlite3
import threading

import numpy as np
import pytest

from faq_engine.embedders.cache import CACHE_FILE, CachedEmbedder, EmbeddingCache, text_key
from tests.support.fakes import HashEmbedder

TEXTS = [f"How do I do thing number {i}?" for i in range(13)]


def test_first_run_embeds_everything_second_run_reuses_everything(tmp_path):
    inner = HashEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache.in_dir(tmp_path))
    first = cached.embed(TEXTS)
    assert cached.stats.embedded == 13 and cached.stats.reused == 0
    again = CachedEmbedder(inner, EmbeddingCache.in_dir(tmp_path))  # a new run, same cache dir
    second = again.embed(TEXTS)
    assert again.stats.embedded == 0 and again.stats.reused == 13
    assert len(inner.sent) == 13
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, inner.embed(TEXTS))
    assert (tmp_path / CACHE_FILE).is_file()


def test_an_edited_text_is_the_only_one_sent(tmp_path):
    inner = HashEmbedder()
    CachedEmbedder(inner, EmbeddingCache.in_dir(tmp_path)).embed(TEXTS)
    edited = TEXTS.copy()
    edited[4] = "A reworded question four?"
    inner.calls.clear()
    cached = CachedEmbedder(inner, EmbeddingCache.in_dir(tmp_path))
    vectors = cached.embed(edited)
    assert inner.sent == ["A reworded question four?"]
    assert (cached.stats.embedded, cached.stats.reused) == (1, 12)
    np.testing.assert_array_equal(vectors, HashEmbedder().embed(edited))


def test_the_cache_is_keyed_by_model_id(tmp_path):
    cache = EmbeddingCache.in_dir(tmp_path)
    CachedEmbedder(HashEmbedder("model/a"), cache).embed(TEXTS)
    other = HashEmbedder("model/b")
    cached = CachedEmbedder(other, cache)
    cached.embed(TEXTS)
    assert len(other.sent) == 13 and cached.stats.reused == 0


def test_duplicate_texts_are_sent_once_and_counts_add_up(tmp_path):
    inner = HashEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache.in_dir(tmp_path))
    vectors = cached.embed(["same", "same", "other"])
    assert sorted(inner.sent) == ["other", "same"]
    assert cached.stats.embedded + cached.stats.reused == 3
    np.testing.assert_array_equal(vectors[0], vectors[1])


def test_entries_of_another_dimension_are_ignored(tmp_path):
    cache = EmbeddingCache.in_dir(tmp_path)
    cache.put_many("fake/hash-model", [(text_key("q"), np.ones(4, dtype=np.float32))])
    inner = HashEmbedder(dim=8)
    out = CachedEmbedder(inner, cache).embed(["q"])
    assert inner.sent == ["q"] and out.shape == (1, 8)


def test_concurrent_use_from_threads(tmp_path):
    inner = HashEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache.in_dir(tmp_path))
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = cached.embed(TEXTS[i % 4 : i % 4 + 6])
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i, vectors in results.items():
        np.testing.assert_array_equal(vectors, HashEmbedder().embed(TEXTS[i % 4 : i % 4 + 6]))
    assert cached.stats.embedded + cached.stats.reused == 8 * 6
    assert set(inner.sent) == set(TEXTS[:9])


def test_empty_input(tmp_path):
    out = CachedEmbedder(HashEmbedder(), EmbeddingCache.in_dir(tmp_path)).embed([])
    assert out.shape == (0, 8)


@pytest.mark.parametrize("text", ["", "héllo wörld", "a" * 10_000])
def test_keys_are_sha256_of_utf8(text):
    assert text_key(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- a broken cache never stops the work ----------------------------------------------------------

def test_a_damaged_cache_is_set_aside_and_rebuilt(tmp_path, caplog):
    path = tmp_path / CACHE_FILE
    path.write_bytes(b"this is not a database" * 100)
    fake = HashEmbedder()
    cached = CachedEmbedder(fake, EmbeddingCache(path))
    with caplog.at_level("WARNING"):
        vectors = cached.embed(["a", "b"])
    np.testing.assert_allclose(vectors, fake.embed(["a", "b"]))
    assert "damaged" in caplog.text and list(tmp_path.glob(f"{CACHE_FILE}.damaged-*"))
    again = CachedEmbedder(fake, EmbeddingCache(path))
    again.embed(["a", "b"])
    assert again.stats.reused == 2  # the new cache works


def test_a_locked_cache_turns_itself_off_and_embedding_goes_on(tmp_path, caplog):
    path = tmp_path / CACHE_FILE
    EmbeddingCache(path).put_many("fake/hash-model", [])  # create it
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the timeout
    try:
        cache = EmbeddingCache(path, timeout=0.1)
        with caplog.at_level("WARNING"):
            vectors = CachedEmbedder(HashEmbedder(), cache).embed(["a"])
        assert vectors.shape == (1, 8) and cache.disabled and "is off for this run" in caplog.text
    finally:
        holder.rollback()
        holder.close()


def test_a_cache_folder_that_cannot_be_created_turns_the_cache_off(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = EmbeddingCache.in_dir(blocker / "cache")
    assert CachedEmbedder(HashEmbedder(), cache).embed(["a"]).shape == (1, 8) and cache.disabled
