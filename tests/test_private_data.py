"""Private data stays private: the cache is no authorization, tokens are checked before any request, and one
scrubber knows every secret the process holds."""

from __future__ import annotations

import dataclasses
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from faq_engine.errors import ConfigError, HubAuthError, VectorStoreError, scrub
from faq_engine.faqs.dataset_format import DatasetMeta
from faq_engine.faqs.hub import HubAccess, push_dataset
from faq_engine.faqs.loader import load_bundled, load_faqs
from faq_engine.faqs.writer import write_dataset
from faq_engine.search.memory import MemoryEngine
from faq_engine.search.qdrant.location import QdrantLocation
from faq_engine.search.qdrant.store import QdrantStore
from faq_engine.settings import Settings
from faq_engine.ui.handlers import DemoHandlers
from faq_engine.ui.render import make_corpus
from tests.support.env import env_settings
from tests.support.hub_server import LoopbackHub
from tests.support.qdrant_server import send_json

OWNER = "hf_private_data_owner_token"
NO_PROGRESS = dict(progress=lambda *a, **k: None)


@pytest.fixture
def private_hub(embedder, tmp_path):
    with LoopbackHub({OWNER: "owner"}) as hub:
        bundled = load_bundled("medicare", embedder)
        meta = DatasetMeta(bundled.model_id, embedder.dim, True, bundled.fields, len(bundled), "test")
        write_dataset(tmp_path / "private", bundled.entries, bundled.embeddings, meta, "Owner's private FAQs")
        push_dataset(tmp_path / "private", "owner/secret-faqs", access=HubAccess(OWNER, hub.url), private=True)
        yield hub


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def app(embedder, hub) -> DemoHandlers:
    faqs = load_bundled("medicare", embedder)
    settings = dataclasses.replace(env_settings(), token=OWNER, hub_endpoint=hub.url)
    return DemoHandlers(make_corpus(faqs, MemoryEngine(faqs, embedder), "bundled"), settings)


@pytest.mark.parametrize("outage", [503, 429, "down"])
def test_a_private_dataset_once_loaded_is_never_served_from_the_cache_to_another_visitor(private_hub, embedder,
                                                                                          outage):
    handlers = app(embedder, private_hub)
    key, note, *_ = handlers.load_hub("owner/secret-faqs", OWNER, **NO_PROGRESS)  # in the server's cache now
    assert "Loaded" in note and handlers.corpus(key).size == 13
    if outage == "down":  # connection refused (a fresh port: a kept-alive connection would still be answered)
        handlers.settings = dataclasses.replace(handlers.settings, hub_endpoint=closed_port_url())
    else:
        private_hub.state.outage = outage
    handlers.sessions.drop(key)
    said = handlers.load_hub("owner/secret-faqs", "", **NO_PROGRESS)[1]  # an anonymous visitor
    assert "could not be reached" in said and "cached" not in said and len(handlers.sessions) == 0
    # The command line, for its own user, may still use its cache: the copy is theirs.
    mine = load_faqs("owner/secret-faqs", embedder, hub=HubAccess(OWNER, handlers.settings.hub_endpoint))
    assert len(mine) == 13 and "cached copy" in mine.notes[0]


@pytest.mark.parametrize("token", [OWNER + "\r\nX-Evil: 1", OWNER + "\x00", "hf_é" + OWNER, OWNER + " x"])
def test_a_token_no_header_can_carry_is_refused_before_any_request(private_hub, embedder, token):
    handlers = app(embedder, private_hub)
    handlers.load_hub("owner/secret-faqs", OWNER, **NO_PROGRESS)
    before = len(private_hub.state.requests)
    said = handlers.load_hub("owner/secret-faqs", token, **NO_PROGRESS)[1]
    assert "characters no token has" in said and OWNER not in said
    assert len(private_hub.state.requests) == before and len(handlers.sessions) == 1  # nothing sent, nothing served
    with pytest.raises(HubAuthError, match="characters no token has"):
        HubAccess(token)
    with pytest.raises(ConfigError, match="HF_TOKEN has characters"):
        Settings.from_env({"HF_TOKEN": token})


class EchoingQdrant(BaseHTTPRequestHandler):
    """A Qdrant (or a proxy before it) that echoes the request's headers in its error answers."""

    def log_message(self, *args) -> None:
        pass

    def _echo(self) -> None:
        send_json(self, {"status": {"error": f"bad request; headers were {dict(self.headers)}"}}, 400)

    do_GET = do_POST = do_PUT = _echo


def test_the_qdrant_api_key_never_reaches_a_message(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingQdrant)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    key = "qd-echoed-secret-5678"
    try:
        location = QdrantLocation.parse(f"http://127.0.0.1:{server.server_address[1]}", key)
        store = QdrantStore(location.connect(), "faqs", str(location), remote=True)
        with pytest.raises(VectorStoreError) as info:
            store.meta()
        assert key not in str(info.value) and "***" in str(info.value)
    finally:
        server.shutdown()
        server.server_close()


def test_one_scrubber_removes_every_kind_of_secret():
    text = ("token hf_abcdefghijklmn, Authorization: Bearer s3cr3t-value, api-key: qd-1234abcd, "
            "url https://alice:pa55word@qdrant.example:6333/collections")
    clean = scrub(text)
    for secret in ("hf_abcdefghijklmn", "s3cr3t-value", "qd-1234abcd", "alice", "pa55word"):
        assert secret not in clean
    assert "https://***@qdrant.example:6333/collections" in clean


def test_a_qdrant_collection_is_trusted_on_its_vectors_not_its_metadata(embedder):
    from faq_engine.errors import CollectionMismatchError
    from faq_engine.faqs.entry import FaqEntry
    from faq_engine.faqs.faqset import FaqSet
    from faq_engine.search.qdrant.engine import QdrantEngine
    from faq_engine.search.qdrant.sync import sync
    from tests.support.fakes import HashEmbedder

    impostor = HashEmbedder(embedder.model_id, embedder.dim)  # another model, under the same name and size
    entries = [FaqEntry(str(i), q, "An answer.") for i, q in enumerate(["How do I renew?", "Where is the office?",
                                                                         "What does it cost?"])]
    client = QdrantLocation.parse(":memory:").connect()
    store = QdrantStore(client, "impostor", ":memory:")
    sync(store, FaqSet("x", entries, impostor.embed([e.question for e in entries]), embedder.model_id, "question"))
    with pytest.raises(CollectionMismatchError, match="re-embedded points disagree"):
        QdrantEngine(store, embedder)
    honest = QdrantStore(client, "honest", ":memory:")
    sync(honest, FaqSet("x", entries, embedder.embed([e.question for e in entries]), embedder.model_id, "question"))
    assert QdrantEngine(honest, embedder).search("How do I renew?", 1)[0].id == "0"
