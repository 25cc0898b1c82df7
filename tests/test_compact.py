"""A large FAQ set is searched through compact codes: the same hits and exact scores, from a short list."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer

import numpy as np
import pytest

from faq_engine.cli import main
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import build_faqset
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.compact import COMPACT_FROM, CompactIndex
from faq_engine.search.memory import MemoryEngine
from faq_engine.search.qdrant.location import QdrantLocation
from faq_engine.search.qdrant.meta import CollectionMeta
from faq_engine.search.qdrant.store import QdrantStore
from faq_engine.settings import Settings
from tests.support.qdrant_server import RecordingQdrant

pytest.importorskip("faiss")


def clustered(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    """Unit vectors in 50 clusters around a shared direction, as sentence vectors are."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(50, dim)) + 3.0
    rows = centres[rng.integers(0, 50, n)] + rng.normal(size=(n, dim)) * 1.5
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_the_code_scan_keeps_the_exact_nearest_in_its_short_list():
    matrix = clustered(20_000)
    noise = np.random.default_rng(1).normal(size=(200, 384)).astype(np.float32) * 0.03
    queries = matrix[::100] + noise  # questions near some FAQs, as asked ones are
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    # 5% of the set, every row of it scored; then only codes within the margin of the 10th nearest. No question is
    # taken for far from every FAQ here: these made-up clusters are looser than sentence vectors.
    whole = CompactIndex(matrix, shortlist=1000, margin=384, far=385)
    trimmed = CompactIndex(matrix, shortlist=1000, far=385)
    truth = np.argsort(-(queries @ matrix.T), axis=1)[:, :10]  # the numpy oracle
    for index in (whole, trimmed):
        found = index.candidates(queries, 10)
        recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])
        assert len(found) == 200 and recall >= 0.97
        assert all(len(np.unique(f)) == len(f) and np.all(f >= 0) and np.all(f < len(matrix)) for f in found)
    assert all(len(f) == 1000 for f in whole.candidates(queries, 10))
    rows = trimmed.candidates(queries[:1], 10)[0]
    np.testing.assert_allclose(trimmed.scores(queries[0], rows), matrix[rows] @ queries[0], atol=1e-6)
    with pytest.raises(IndexError):  # never a read past the matrix
        trimmed.scores(queries[0], np.array([len(matrix)]))


def test_only_codes_within_the_margin_of_the_kth_nearest_are_scored():
    matrix = clustered(5_000, seed=2)
    queries = matrix[:20] + np.random.default_rng(3).normal(size=(20, 384)).astype(np.float32) * 0.05
    index = CompactIndex(matrix, shortlist=len(matrix), margin=12, far=385)  # the whole set is the short list
    centre = matrix.mean(axis=0, dtype=np.float64).astype(np.float32)
    # The numpy oracle: a code's Hamming distance is how many coordinates' signs about the mean differ.
    distances = ((queries > centre)[:, None, :] != (matrix > centre)[None, :, :]).sum(axis=2)
    for found, d in zip(index.candidates(queries, 5), distances):
        want = np.flatnonzero(d <= np.sort(d)[4] + 12)
        assert np.array_equal(np.sort(found), want) and len(want) < len(matrix) // 2


def test_a_question_far_from_every_faq_is_scanned_exactly(embedder):
    faqs = load_faqs("medicare", embedder)
    exact = MemoryEngine(faqs, embedder, method="hybrid", exact=True)
    compact = MemoryEngine(faqs, embedder, method="hybrid", exact=False)
    near = embedder.embed(["What is Medicare?"])
    far = np.random.default_rng(4).normal(size=(1, embedder.dim)).astype(np.float32)  # no FAQ points its way
    far /= np.linalg.norm(far)
    assert compact.compact.candidates(near, 1)[0] is not None and compact.compact.candidates(far, 1)[0] is None
    for question, vector in (("What is Medicare?", near), ("zebra quantum violin", far)):
        want, got = (e.search_batch([question], 5, vectors=vector)[0] for e in (exact, compact))
        assert [h.id for h in got] == [h.id for h in want]
        assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-6)


def test_alternates_count_in_a_compact_search_as_in_an_exact_one(embedder):
    entries = list(load_faqs("medicare", embedder).entries)
    owner = entries[5]
    entries[5] = FaqEntry(owner.id, owner.question, owner.answer, owner.url, ("Can I keep my coverage if I retire abroad?",))
    phrasings = build_faqset("alternates", entries, embedder)
    question = "Will my coverage follow me when I retire abroad?"
    want = MemoryEngine(phrasings, embedder, method="dense", exact=True).search(question, 3)
    got = MemoryEngine(phrasings, embedder, method="dense", exact=False).search(question, 3)
    assert got[0].id == owner.id and [h.id for h in got] == [h.id for h in want]
    assert [h.similarity for h in got] == pytest.approx([h.similarity for h in want], abs=1e-6)


def test_a_small_set_is_scanned_exactly_unless_told_and_exact_is_a_setting(embedder, capsys, monkeypatch):
    faqs = load_faqs("medicare", embedder)
    assert len(faqs) < COMPACT_FROM and MemoryEngine(faqs, embedder).compact is None
    assert Settings.from_env({}).exact is False and Settings.from_env({"FAQ_ENGINE_EXACT": "1"}).exact is True
    monkeypatch.setenv("FAQ_ENGINE_EXACT", "yes")
    assert main(["search", "What is Medicare?"]) == 1
    assert "FAQ_ENGINE_EXACT" in capsys.readouterr().err
    monkeypatch.delenv("FAQ_ENGINE_EXACT")
    assert main(["search", "What is Medicare?", "--exact", "-k", "1"]) == 0
    assert "What is Medicare" in capsys.readouterr().out


@pytest.fixture
def recording_qdrant():
    RecordingQdrant.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingQdrant)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_qdrant_server_is_asked_for_binary_codes_and_rescoring_unless_exact(recording_qdrant):
    location = QdrantLocation.parse(recording_qdrant)
    store = QdrantStore(location.connect(), "faqs", str(location), remote=True, deadline=5.0)
    store.create(CollectionMeta("m", 4, "question", 1.0))
    created = [body for method, path, body in RecordingQdrant.seen if method == "PUT" and path == "/collections/faqs"]
    assert created[0]["quantization_config"] == {"binary": {"always_ram": True}}
    for exact in (False, True):
        store.dense(np.ones(4, np.float32) / 2, 5, exact=exact)
        asked = [body for _, path, body in RecordingQdrant.seen if path.endswith("/points/query")][-1]
        assert asked["params"]["exact"] is exact
        assert (asked["params"].get("quantization") or {}).get("rescore") is (None if exact else True)
