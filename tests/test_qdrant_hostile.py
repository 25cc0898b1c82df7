"""A Qdrant location or collection that is wrong in any way gets words, never a traceback, and a collection an
index run left part way says so."""

from __future__ import annotations

import dataclasses
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from faq_engine.errors import CollectionMismatchError, ConfigError, VectorStoreError
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import build_faqset
from faq_engine.faqs.loader import load_bundled
from faq_engine.search.qdrant.engine import QdrantEngine
from faq_engine.search.qdrant.location import QdrantLocation
from faq_engine.search.qdrant.meta import CollectionMeta
from faq_engine.search.qdrant.store import QdrantStore
from faq_engine.search.qdrant.sync import sync
from faq_engine.ui.demo import build_demo
from tests.support.cli import run_cli
from tests.support.env import env_settings


@pytest.fixture
def store():
    client = QdrantLocation.parse(":memory:").connect()
    yield QdrantStore(client, "faqs", ":memory:")
    client.close()


@pytest.mark.parametrize("url", ["http://[::1", "http://host:notaport", "http://", "https://:6333"])
def test_a_malformed_qdrant_url_is_refused_in_words(url):
    with pytest.raises(ConfigError, match="http\\(s\\)://host:6333"):
        QdrantLocation.parse(url)


def test_a_folder_that_is_no_qdrant_store_is_refused_in_words(tmp_path):
    (tmp_path / "meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(VectorStoreError, match="is not a Qdrant store that can be read"):
        QdrantLocation.parse(str(tmp_path)).connect()
    searched = run_cli("search", "How can Medicare help me?", "--qdrant", str(tmp_path))
    assert searched.returncode != 0 and "Traceback" not in searched.stderr
    assert "is not a Qdrant store" in searched.stderr


@pytest.mark.parametrize("field, value", [("dim", "384"), ("rows", -1), ("fields", "everything"), ("avgdl", None),
                                          ("phrasings", "yes"), ("model_id", 7)])
def test_metadata_of_the_wrong_type_is_refused_in_words(store, embedder, field, value):
    sync(store, load_bundled("medicare", embedder))
    raw = dataclasses.asdict(store.meta())
    store.client.update_collection("faqs", metadata={"faq_engine": {**raw, field: value}})
    with pytest.raises(CollectionMismatchError, match=f"damaged faq-engine metadata \\({field} is"):
        QdrantEngine(store, embedder)


def test_an_empty_collection_answers_nothing_and_the_app_still_starts_and_says_so(store, embedder):
    store.create(CollectionMeta(embedder.model_id, embedder.dim, "both", 5.0, phrasings=True))
    store.set_meta(CollectionMeta(embedder.model_id, embedder.dim, "both", 5.0, 0, "complete", phrasings=True))
    engine = QdrantEngine(store, embedder)
    assert engine.search("How can Medicare help me?") == []
    demo = build_demo(engine, env_settings())  # an empty collection used to stop the app from starting
    about = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "about")
    assert "is empty:** nothing can be found in it" in about.value


class Stop(Exception):
    """The index run is killed here."""


def stop(done: int, total: int) -> None:
    raise Stop


def test_an_index_run_stopped_part_way_is_said_until_one_finishes(store, embedder):
    faqs = load_bundled("medicare", embedder)
    with pytest.raises(Stop):
        sync(store, faqs, progress=stop)  # the first run, killed after its first batch
    assert "not indexed to the end" in " ".join(QdrantEngine(store, embedder).describe().notes)
    sync(store, faqs)
    assert QdrantEngine(store, embedder).describe().notes == ()
    changed = build_faqset("medicare", [*faqs.entries, FaqEntry("new", "Is Medicare free?", "Part A often is.")],
                           embedder, fields=faqs.fields)
    with pytest.raises(Stop):
        sync(store, changed, progress=stop)  # an update, killed
    assert "not indexed to the end" in " ".join(QdrantEngine(store, embedder).describe().notes)


class Flooding(BaseHTTPRequestHandler):
    """A server that answers every request with far more than a Qdrant answer could need."""

    protocol_version = "HTTP/1.1"
    requests = 0

    def log_message(self, *args) -> None:
        pass

    def _flood(self) -> None:
        type(self).requests += 1
        body = b'{"result": {"exists": true}, "status": "ok", "time": 0.0, "pad": "' + b"x" * 100_000 + b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client stopped reading, as it should
            pass

    do_GET = do_POST = do_PUT = _flood


def test_an_answer_past_the_size_cap_is_refused_not_read_whole(embedder):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flooding)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        location = QdrantLocation.parse(f"http://127.0.0.1:{server.server_address[1]}")
        store = QdrantStore(location.connect(max_bytes=10_000), "faqs", str(location), remote=True)
        with pytest.raises(VectorStoreError, match="answered too much .*larger than"):
            store.meta()
        assert Flooding.requests == 1  # not retried: the next answer would be as large
    finally:
        server.shutdown()
        server.server_close()
