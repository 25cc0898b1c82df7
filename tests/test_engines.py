"""One search seam: the in-memory engine and the Qdrant engine answer the same inputs the same way.

The same table of questions and edge cases goes through both engines (Qdrant in its embedded
mode, the same client API as a server) for every ranking method; ids, scores, similarities and
match must agree within 1e-5.
"""

from __future__ import annotations

import numpy as np
import pytest

from faq_engine.errors import InvalidQueryError
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import FaqSet, StoredVectors, build_faqset
from faq_engine.faqs.loader import load_bundled
from faq_engine.search.compact import CompactIndex
from faq_engine.search.engine import Engine
from faq_engine.search.memory import MemoryEngine
from faq_engine.search.qdrant.engine import QdrantEngine
from faq_engine.search.qdrant.location import QdrantLocation
from faq_engine.search.qdrant.store import QdrantStore
from faq_engine.search.qdrant.sync import sync
from faq_engine.settings import METHOD_CHOICES
from tests.support.fakes import HashEmbedder

QUESTIONS = [
    "How can Medicare help me?",
    "I lost my Medicare card, how do I get a new one?",
    "How much does Part B cost each month?",
    "What is TRICARE?",  # a rare keyword
    "tricare tricare tricare",  # a repeated term counts again in both
    "What is the best pizza topping?",  # nothing in the set answers it
    "xyzzy plugh",  # no word the FAQs know: BM25 has nothing to say
    "Medicare",  # one word
    "¿Cómo obtengo una nueva tarjeta de Medicare?",  # another language: its match is capped on both
    "how much is part b",  # an alternate, word for word
    "I misplaced my Medicare card, what now?",  # closer to an alternate than to its FAQ
]
K_VALUES = [1, 5, 13, 50]  # 13 is the whole set; 50 is more than it holds


# Other ways people ask three of the bundled FAQs (a FAQ without any keeps its own vector only).
PHRASINGS = {0: ("what does medicare do for me", "medicare benefits"), 4: ("I misplaced my card",),
             7: ("monthly cost of part b", "part b premium amount", "how much is part b")}


@pytest.fixture(scope="module", params=["plain", "alternates"])
def bundled(request, embedder):
    faqs = load_bundled("medicare", embedder)
    if request.param == "plain":
        return faqs
    entries = [FaqEntry(e.id, e.question, e.answer, e.url, PHRASINGS.get(i, ())) for i, e in enumerate(faqs.entries)]
    return build_faqset(faqs.name, entries, embedder, fields=faqs.fields,
                        stored=StoredVectors(faqs.embeddings, faqs.model_id, faqs.fields))


@pytest.fixture
def qdrant_store(tmp_path, bundled):
    client = QdrantLocation.parse(str(tmp_path / "qdrant")).connect()
    store = QdrantStore(client, "faqs", str(tmp_path / "qdrant"))
    sync(store, bundled)
    yield store
    client.close()


def engines(bundled, embedder, store, method) -> tuple[Engine, Engine]:
    return MemoryEngine(bundled, embedder, method=method), QdrantEngine(store, embedder, method=method)


def row_of(faqs: FaqSet, faq_id: str) -> int:
    return faqs.entries.column("id").index(faq_id)


def assert_same(memory_hits, qdrant_hits) -> None:
    assert [h.id for h in qdrant_hits] == [h.id for h in memory_hits]
    assert [h.rank for h in qdrant_hits] == [h.rank for h in memory_hits]
    for key in ("score", "similarity", "match"):
        got, want = [getattr(h, key) for h in qdrant_hits], [getattr(h, key) for h in memory_hits]
        assert got == pytest.approx(want, abs=1e-5), key
    assert [h.confident for h in qdrant_hits] == [h.confident for h in memory_hits]
    assert [(h.question, h.answer, h.url) for h in qdrant_hits] == [(h.question, h.answer, h.url) for h in memory_hits]


@pytest.mark.parametrize("method", METHOD_CHOICES)
def test_both_engines_give_the_same_hits_for_the_same_questions(bundled, embedder, qdrant_store, method):
    memory, qdrant = engines(bundled, embedder, qdrant_store, method)
    vectors = embedder.embed(QUESTIONS)  # one embedding for both: the engines, not the model, are compared
    for k in K_VALUES:
        memory_lists = memory.search_batch(QUESTIONS, k, vectors=vectors)
        qdrant_lists = qdrant.search_batch(QUESTIONS, k, vectors=vectors)
        for question, m, q in zip(QUESTIONS, memory_lists, qdrant_lists):
            assert len(m) <= min(k, len(bundled)), question
            assert_same(m, q)
        if method != "bm25":
            assert all(len(m) == min(k, len(bundled)) for m in memory_lists)  # every FAQ has a similarity


@pytest.mark.parametrize("method", METHOD_CHOICES)
def test_the_compact_code_scan_agrees_with_the_exact_scan_when_it_scores_every_faq(bundled, embedder, method):
    pytest.importorskip("faiss")
    exact = MemoryEngine(bundled, embedder, method=method, exact=True)
    compact = MemoryEngine(bundled, embedder, method=method, exact=False)
    assert exact.compact is None and compact.compact is not None
    # A margin as wide as the codes and no question too far for its codes: the short list, the whole set here, is
    # scored whole, through the short-list path.
    compact.compact = CompactIndex(compact.index.matrix, margin=embedder.dim, far=embedder.dim + 1)
    vectors = embedder.embed(QUESTIONS)
    for k in K_VALUES:
        for m, c in zip(exact.search_batch(QUESTIONS, k, vectors=vectors), compact.search_batch(QUESTIONS, k,
                                                                                                vectors=vectors)):
            assert_same(m, c)


@pytest.mark.parametrize("method", METHOD_CHOICES)
def test_the_edge_cases_agree(bundled, embedder, qdrant_store, method):
    memory, qdrant = engines(bundled, embedder, qdrant_store, method)
    for engine in (memory, qdrant):
        assert engine.search(QUESTIONS[0], 0) == []  # k = 0 shows nothing, on both
        assert engine.search_batch([], 5) == []
        assert engine.answer(QUESTIONS[0], 0).hits == ()
        for blank in ("", "   ", "\n\t"):
            with pytest.raises(InvalidQueryError, match="empty"):
                engine.search(blank)
    if method == "bm25":  # a question sharing no word with any FAQ is no keyword hit, on both
        assert memory.search("xyzzy plugh") == [] == qdrant.search("xyzzy plugh")


@pytest.mark.parametrize("method", METHOD_CHOICES)
def test_answer_gives_the_hits_of_search_with_their_vectors(bundled, embedder, qdrant_store, method):
    memory, qdrant = engines(bundled, embedder, qdrant_store, method)
    m, q = memory.answer(QUESTIONS[1], 3), qdrant.answer(QUESTIONS[1], 3)
    assert_same(m.hits, q.hits)
    assert_same(memory.search(QUESTIONS[1], 3), m.hits)
    np.testing.assert_allclose(q.vector, m.vector, atol=1e-6)
    rows = [row_of(bundled, h.id) for h in m.hits]
    np.testing.assert_allclose(m.hit_vectors, bundled.embeddings[rows], atol=1e-6)
    np.testing.assert_allclose(q.hit_vectors, m.hit_vectors, atol=1e-6)


def test_ties_go_to_the_faq_that_comes_first_on_both(tmp_path):
    fake = HashEmbedder("fake/ties", 8)
    entries = [FaqEntry("z", "How do I renew?", "Online."), FaqEntry("a", "How do I renew?", "By post."),
               FaqEntry("m", "Where is the office?", "Downtown.")]
    faqs = FaqSet("ties", entries, fake.embed([e.question for e in entries]), fake.model_id, "question")
    client = QdrantLocation.parse(":memory:").connect()
    store = QdrantStore(client, "ties", ":memory:")
    sync(store, faqs)
    for method in METHOD_CHOICES:
        memory, qdrant = MemoryEngine(faqs, fake, method=method), QdrantEngine(store, fake, method=method)
        m, q = memory.search("How do I renew?", 2), qdrant.search("How do I renew?", 2)
        assert [h.id for h in m] == ["z", "a"] == [h.id for h in q], method  # identical FAQs: set order
        assert_same(m, q)
        if method != "bm25":  # the compact scan too
            assert_same(m, MemoryEngine(faqs, fake, method=method, exact=False).search("How do I renew?", 2))


def test_an_empty_collection_answers_nothing_on_both(embedder):
    empty = FaqSet("empty", [], np.zeros((0, embedder.dim), np.float32), embedder.model_id, "question")
    client = QdrantLocation.parse(":memory:").connect()
    store = QdrantStore(client, "empty", ":memory:")
    sync(store, empty)
    for method in METHOD_CHOICES:
        memory, qdrant = MemoryEngine(empty, embedder, method=method), QdrantEngine(store, embedder, method=method)
        assert memory.search(QUESTIONS[0]) == [] == qdrant.search(QUESTIONS[0])
        assert memory.describe().size == 0 == qdrant.describe().size
        assert len(memory.sample(10).ids) == 0 == len(qdrant.sample(10).ids)


def test_describe_and_sample_speak_for_either_engine(bundled, embedder, qdrant_store):
    memory, qdrant = engines(bundled, embedder, qdrant_store, "hybrid")
    m, q = memory.describe(), qdrant.describe()
    assert (m.size, m.fields, m.backend, m.name) == (13, bundled.fields, "memory", "medicare")
    assert (q.size, q.fields, q.backend) == (13, bundled.fields, "Qdrant")
    for engine in (memory, qdrant):
        sample = engine.sample(5)
        assert len(sample.ids) == len(sample.questions) == len(sample.vectors) == 5
        for faq_id, question, vector in zip(sample.ids, sample.questions, sample.vectors):
            row = row_of(bundled, faq_id)
            assert question == bundled.entries[row].question
            np.testing.assert_allclose(vector, bundled.embeddings[row], atol=1e-6)
        assert len(engine.sample(100).ids) == 13
