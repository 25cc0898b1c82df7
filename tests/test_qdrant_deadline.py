"""Every Qdrant call has a total deadline that a server trickling its answer cannot stretch."""

from __future__ import annotations

import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from faq_engine.errors import VectorStoreUnavailableError
from faq_engine.search.qdrant.location import QdrantLocation
from faq_engine.search.qdrant.store import QdrantStore
from tests.support.env import env_settings
from tests.support.qdrant_server import TricklingQdrant


@pytest.fixture
def trickling():
    server = ThreadingHTTPServer(("127.0.0.1", 0), TricklingQdrant)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    TricklingQdrant.stop.set()
    server.shutdown()
    server.server_close()
    TricklingQdrant.stop.clear()


def test_a_trickling_server_holds_a_call_no_longer_than_its_deadline(trickling):
    location = QdrantLocation.parse(trickling)
    store = QdrantStore(location.connect(), "faqs", str(location), remote=True, deadline=1.5,
                        reconnect=location.connect)
    first = store.client
    started = time.monotonic()
    with pytest.raises(VectorStoreUnavailableError, match="did not answer within 1.5 s when asked to check"):
        store.meta()
    assert time.monotonic() - started < 3.0  # the deadline, not the 80 s the answer would take
    assert store.client is not first  # the stuck client was dropped for a fresh one


def test_the_deadline_is_a_setting(trickling):
    from faq_engine.jobs import qdrant_store

    store = qdrant_store(env_settings(qdrant=trickling, qdrant_deadline=1.0))
    started = time.monotonic()
    with pytest.raises(VectorStoreUnavailableError, match="within 1 s"):
        store.meta()
    assert time.monotonic() - started < 2.5
