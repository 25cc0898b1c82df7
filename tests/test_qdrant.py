"""Qdrant as the index, through qdrant-client's embedded mode (the same API as a server or cluster)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from faq_engine.cli.errors import describe as cli_words
from faq_engine.errors import CollectionMismatchError, VectorStoreAuthError, VectorStoreUnavailableError
from faq_engine.evaluation.runner import read_queries
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import FaqSet
from faq_engine.faqs.loader import load_bundled, load_faqs
from faq_engine.jobs import load_qdrant_engine
from faq_engine.retry import RetryPolicy
from faq_engine.search.memory import MemoryEngine
from faq_engine.search.qdrant.engine import QdrantEngine
from faq_engine.search.qdrant.location import QdrantLocation
from faq_engine.search.qdrant.store import QdrantStore
from faq_engine.search.qdrant.sync import sync
from tests.support.cli import run_cli
from tests.support.env import env_settings
from tests.support.fakes import HashEmbedder
from tests.support.qdrant_server import send_json
from tests.support.tutorial import TUTORIAL_QUERY

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"



OPENED: list = []


@pytest.fixture(autouse=True)
def close_clients():
    """Close every embedded Qdrant this test opened (it holds a lock on its folder until then)."""
    yield
    while OPENED:
        OPENED.pop().close()


def store_at(path, collection: str = "faqs", **kwargs) -> QdrantStore:
    location = QdrantLocation.parse(str(path))
    while OPENED:  # embedded Qdrant allows one client per folder: the previous one is done with
        OPENED.pop().close()
    client = location.connect()
    OPENED.append(client)
    return QdrantStore(client, collection, str(location), **kwargs)


@pytest.mark.parametrize("method, fields", [("dense", "question"), ("hybrid", "both"), ("bm25", "both")])
def test_the_cli_indexes_and_searches_as_the_in_memory_search_does(tmp_path, method, fields):
    indexed = run_cli("index", "medicare", "--qdrant", str(tmp_path / "qdrant"), "--fields", fields, "--no-progress")
    assert indexed.returncode == 0, indexed.stderr
    assert "13 FAQ(s) written, 0 deleted" in indexed.stdout
    args = ("search", "I lost my Medicare card, how can I get a new one?", "--method", method, "--json")
    qdrant = json.loads(run_cli(*args, "--qdrant", str(tmp_path / "qdrant")).stdout)
    memory = json.loads(run_cli(*args, "--fields", fields).stdout)
    assert [h["id"] for h in qdrant] == [h["id"] for h in memory]
    for key in ("score", "similarity", "match"):  # fused vectors keep their length: Qdrant scores by dot product
        assert [h[key] for h in qdrant] == pytest.approx([h[key] for h in memory], abs=1e-4), key
    assert [h["confident"] for h in qdrant] == [h["confident"] for h in memory]


def test_re_indexing_sends_only_what_changed_and_deletes_what_is_gone(tmp_path, embedder):
    bundled = load_bundled("medicare", embedder, fields="question")
    store = store_at(tmp_path)
    assert sync(store, bundled).upserted == 13
    assert sync(store, bundled).upserted == 0  # nothing changed, nothing sent
    entries = list(bundled.entries)
    edited = FaqEntry(entries[0].id, "How do I order a new Medicare card online?", entries[0].answer, entries[0].url)
    kept = [edited] + entries[1:12]  # the last FAQ is gone
    changed = FaqSet("medicare", kept, embedder.embed([e.question for e in kept]), embedder.model_id, "question")
    report = sync(store, changed)
    assert (report.upserted, report.deleted, report.unchanged) == (1, 1, 11)
    engine = QdrantEngine(store, embedder, method="dense")
    assert engine.search("order a replacement card on the web", 1)[0].question == edited.question
    assert entries[12].id not in {h.id for h in engine.search(entries[12].question, 13)}
    assert engine.meta.rows == 12


def test_a_collection_of_another_model_is_refused(tmp_path, embedder):
    fake = HashEmbedder("someone/other-model", 384)
    other = FaqSet("x", [FaqEntry("1", "How?", "So.")], fake.embed(["How?"]), fake.model_id, "question")
    sync(store_at(tmp_path), other)
    with pytest.raises(CollectionMismatchError, match="vectors of someone/other-model"):
        QdrantEngine(store_at(tmp_path), embedder)
    with pytest.raises(CollectionMismatchError, match="not question vectors of") as info:
        sync(store_at(tmp_path), load_bundled("medicare", embedder, fields="question"))
    assert "choose another --collection" in cli_words(info.value) and "'faqs'" in cli_words(info.value)
    run = run_cli("search", TUTORIAL_QUERY, "--qdrant", str(tmp_path))
    assert run.returncode == 1 and "in use by another process" in run.stderr and "Traceback" not in run.stderr
    OPENED.pop().close()
    run = run_cli("search", TUTORIAL_QUERY, "--qdrant", str(tmp_path))
    assert run.returncode == 1 and "someone/other-model" in run.stderr and "Traceback" not in run.stderr


def test_a_dead_server_is_retried_then_a_typed_error(tmp_path):
    waits = []
    store = QdrantStore(QdrantLocation.parse("http://127.0.0.1:9").connect(timeout=2), "faqs", "127.0.0.1:9",
                        remote=True, policy=RetryPolicy(max_attempts=3), sleep=waits.append)
    with pytest.raises(VectorStoreUnavailableError, match="gave up after 3 attempts"):
        store.meta()
    assert len(waits) == 2


class RefusingQdrant(BaseHTTPRequestHandler):
    """A server that refuses every request's API key, as Qdrant does with a wrong one."""

    def log_message(self, *args) -> None:
        pass

    def _refuse(self) -> None:
        send_json(self, {"status": {"error": "Must provide an API key or an Authorization bearer token"}}, 401)

    do_GET = do_POST = do_PUT = _refuse


def test_a_refused_api_key_is_a_clear_error_without_the_key():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RefusingQdrant)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        settings = env_settings(qdrant=url, qdrant_api_key="qd-secret-key-1234")
        with pytest.raises(VectorStoreAuthError, match="refused the API key") as info:
            load_qdrant_engine(settings, embedder=HashEmbedder())
        assert "QDRANT_API_KEY" in cli_words(info.value) and "qd-secret-key-1234" not in cli_words(info.value)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(not (EVAL_DIR / "stackfaq" / "queries-dev.jsonl").is_file(), reason="needs ../shared/eval")
@pytest.mark.parametrize("name", ["covidfaq", "stackfaq"])
def test_hybrid_on_qdrant_matches_the_in_memory_hybrid_on_the_dev_sets(tmp_path, embedder, name):
    faqs = load_faqs(EVAL_DIR / name / "faqs.jsonl", embedder, fields="question+answer")
    queries = [q for q in read_queries(str(EVAL_DIR / name / "queries-dev.jsonl")) if q.in_domain]
    sync(store_at(tmp_path), faqs)
    vectors = embedder.embed([q.query for q in queries])
    top1 = {}
    for label, engine in (("memory", MemoryEngine(faqs, embedder, method="hybrid")),
                          ("qdrant", QdrantEngine(store_at(tmp_path), embedder, method="hybrid"))):
        hits = engine.search_batch([q.query for q in queries], 1, vectors=vectors)
        top1[label] = sum(h[0].id in q.relevant for h, q in zip(hits, queries)) / len(queries)
    assert abs(top1["qdrant"] - top1["memory"]) <= 0.01, top1


def test_the_app_searches_qdrant_and_maps_points_sampled_from_it(tmp_path, embedder):
    from faq_engine.ui.demo import build_demo
    from faq_engine.ui.render import map_frame, render

    sync(store_at(tmp_path), load_bundled("medicare", embedder, fields="question"))
    OPENED.pop().close()
    settings = env_settings(qdrant=str(tmp_path), method="dense")
    engine = load_qdrant_engine(settings, embedder=embedder)
    OPENED.append(engine.store.client)
    demo = build_demo(engine, settings)
    handlers = next(fn.fn.__self__ for fn in demo.fns.values() if getattr(fn.fn, "__name__", "") == "show_event")
    hits, view = handlers.search(TUTORIAL_QUERY, 5, None)
    assert [h["id"] for h in hits] == ["8", "7", "3", "9", "10"]
    frame = map_frame(view)
    assert frame["kind"].value_counts().to_dict() == {"FAQ": 8, "nearest FAQs": 5, "your question": 1}
    assert "(Qdrant, 13 questions)" in render(view)[3]
