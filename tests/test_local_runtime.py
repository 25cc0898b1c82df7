"""The default local runtime (ONNX Runtime, no torch): exact against sentence-transformers, cached, thread-safe."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

from faq_engine.embedders.factory import local_embedder
from faq_engine.embedders.model_files import model_dir
from faq_engine.embedders.onnx_runtime import OnnxEmbedder, cached_graph_path, graph_key
from faq_engine.embedders.quantized import INT8_MODEL_ID, int8_graph_path
from faq_engine.embedders.torch_runtime import SentenceTransformersEmbedder
from faq_engine.errors import ConfigError, ModelLoadError
from faq_engine.faqs.loader import load_bundled
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import Settings
from tests.support.env import env_settings
from tests.support.texts import varied_texts
from tests.support.tutorial import TUTORIAL_IDS, TUTORIAL_QUERY, TUTORIAL_SCORES

TOLERANCE = 1e-5
HEAVY = ("torch", "sentence_transformers", "transformers")


def test_default_local_embedder_is_the_onnx_runtime(embedder):
    assert isinstance(embedder, OnnxEmbedder)
    assert isinstance(local_embedder(env_settings()), OnnxEmbedder)


def test_matches_sentence_transformers_on_varied_texts(embedder, st_embedder):
    texts = varied_texts()
    ours, reference = embedder.embed(texts), st_embedder.embed(texts)
    assert ours.shape == reference.shape == (len(texts), 384) and ours.dtype == np.float32
    worst = np.abs(ours - reference).max(axis=1)
    assert worst.max() <= TOLERANCE, f"text {int(worst.argmax())} differs by {worst.max():.2e}"


def test_truncates_at_256_tokens_like_sentence_transformers(embedder):
    head = "insurance " * 200  # 200 word pieces: past 128, short of 256
    assert not np.allclose(*embedder.embed([head + "apple", head + "banana"]), atol=1e-3)
    past = "insurance " * 300  # the endings fall beyond token 256
    a, b = embedder.embed([past + "apple", past + "banana"])
    np.testing.assert_array_equal(a, b)


def test_results_do_not_depend_on_batch_mates_or_order(embedder):
    texts = varied_texts(60, seed=3)
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.abs(together - alone).max() <= 1e-6
    order = list(reversed(range(len(texts))))
    np.testing.assert_allclose(embedder.embed([texts[i] for i in order]), together[order], atol=1e-6)


def test_empty_input_and_a_bare_string(embedder):
    empty = embedder.embed([])
    assert empty.shape == (0, 384) and empty.dtype == np.float32
    with pytest.raises(TypeError):
        embedder.embed("a single string")


def test_tutorial_table_still_holds(embedder):
    engine = MemoryEngine(load_bundled("medicare", embedder, fields="question"), embedder, method="dense")
    hits = engine.search(TUTORIAL_QUERY, 5)
    assert [h.id for h in hits] == TUTORIAL_IDS
    assert [round(h.score, 4) for h in hits] == TUTORIAL_SCORES


def test_search_in_a_fresh_process_never_imports_torch():
    code = textwrap.dedent(
        f"""
        import sys
        from faq_engine.cli import main
        argv = ["search", {TUTORIAL_QUERY!r}, "--embedder", "local", "--method", "dense", "--fields", "question", "--json"]
        assert main(argv) == 0
        print("loaded:", [m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=os.environ)
    assert result.returncode == 0, result.stderr
    assert "loaded: []" in result.stderr
    hits = json.loads(result.stdout)
    assert [h["id"] for h in hits] == TUTORIAL_IDS
    assert [round(h["score"], 4) for h in hits] == TUTORIAL_SCORES


def test_graph_is_built_once_cached_by_weights_hash_and_reproducible(tmp_path, embedder):
    first, second = tmp_path / "a", tmp_path / "b"
    vectors = OnnxEmbedder(cache_dir=first).embed([TUTORIAL_QUERY])
    OnnxEmbedder(cache_dir=second).embed([TUTORIAL_QUERY])
    path = cached_graph_path(model_dir(), first)
    assert path.parent == first / "onnx" and path.stem == graph_key(model_dir())
    for name in (path.name, path.name + ".data"):  # the graph and its weights, byte for byte
        assert (first / "onnx" / name).read_bytes() == (second / "onnx" / name).read_bytes()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".data"]  # no temp files left
    np.testing.assert_allclose(vectors, embedder.embed([TUTORIAL_QUERY]), atol=1e-6)
    # A later process only loads the cached graph: it never imports the onnx builder.
    code = (f"import sys, pathlib; from faq_engine.embedders.onnx_runtime import OnnxEmbedder; "
            f"OnnxEmbedder(cache_dir=pathlib.Path({str(first)!r})).embed(['x']); print('onnx' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


def test_damaged_cache_is_rebuilt(tmp_path, embedder):
    OnnxEmbedder(cache_dir=tmp_path).embed(["x"])
    path = cached_graph_path(model_dir(), tmp_path)
    path.write_bytes(b"not a graph")
    vectors = OnnxEmbedder(cache_dir=tmp_path).embed([TUTORIAL_QUERY])
    np.testing.assert_allclose(vectors, embedder.embed([TUTORIAL_QUERY]), atol=1e-6)
    assert path.stat().st_size > len(b"not a graph")


def test_unwritable_cache_still_works_in_memory(tmp_path, embedder, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache dir cannot be created under a file")
    with caplog.at_level(logging.WARNING, logger="faq_engine.onnx_runtime"):
        vectors = OnnxEmbedder(cache_dir=blocker).embed([TUTORIAL_QUERY])
    np.testing.assert_allclose(vectors, embedder.embed([TUTORIAL_QUERY]), atol=1e-6)
    assert "Could not cache the ONNX graph" in caplog.text


def test_missing_model_files_raise_model_load_error(tmp_path):
    with pytest.raises(ModelLoadError, match="Could not load the local model"):
        OnnxEmbedder(tmp_path, cache_dir=tmp_path).embed(["x"])


def test_concurrent_first_calls_load_once_and_agree(embedder):
    fresh = OnnxEmbedder(cache_dir=env_settings().cache_dir)
    texts = varied_texts(24, seed=5)
    results: dict[int, np.ndarray] = {}
    sessions = set()
    start = threading.Barrier(6)

    def work(i: int) -> None:
        start.wait()
        results[i] = fresh.embed(texts[i::6] + [TUTORIAL_QUERY])
        sessions.add(id(fresh._load()[0]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sessions) == 1
    for i in range(6):
        np.testing.assert_allclose(results[i], embedder.embed(texts[i::6] + [TUTORIAL_QUERY]), atol=1e-6)


def test_runtime_setting_selects_sentence_transformers():
    assert Settings.from_env({}).local_runtime == "onnx"
    chosen = Settings.from_env({"FAQ_ENGINE_LOCAL_RUNTIME": "Sentence-Transformers"})
    assert chosen.local_runtime == "sentence-transformers"
    assert isinstance(local_embedder(chosen), SentenceTransformersEmbedder)  # constructed lazily: nothing loaded yet
    with pytest.raises(ConfigError, match="FAQ_ENGINE_LOCAL_RUNTIME"):
        Settings.from_env({"FAQ_ENGINE_LOCAL_RUNTIME": "tensorflow"})


def test_the_8_bit_model_measured_by_the_upload_benchmark_is_close_cached_and_never_mixed(tmp_path, embedder):
    int8 = OnnxEmbedder(cache_dir=tmp_path, quantized=True)
    assert int8.model_id == INT8_MODEL_ID != embedder.model_id  # its vectors are told apart everywhere
    texts = varied_texts(40, seed=3)
    agreement = (int8.embed(texts) * embedder.embed(texts)).sum(axis=1)
    assert agreement.min() > 0.95 and agreement.mean() > 0.98  # close, not equal: 8-bit weights
    quantized = int8_graph_path(cached_graph_path(model_dir(), tmp_path))
    assert quantized.is_file() and quantized.stat().st_size < 40e6  # a quarter of the float graph's weights
    again = OnnxEmbedder(cache_dir=tmp_path, quantized=True).embed(texts[:3])  # loaded from that file
    np.testing.assert_allclose(again, int8.embed(texts[:3]), atol=1e-6)
    float_faqs = load_bundled("medicare", embedder, fields="question")
    with pytest.raises(ConfigError, match="embedded with"):
        MemoryEngine(float_faqs, int8)
    own = load_bundled("medicare", int8, fields="question")  # the stored float vectors are not reused
    assert own.model_id == INT8_MODEL_ID and any("re-embedded" in note for note in own.notes)
    assert MemoryEngine(own, int8).search(TUTORIAL_QUERY, 1)[0].id == TUTORIAL_IDS[0]
