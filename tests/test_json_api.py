"""GET /api/search: the search as plain JSON beside the app, with the page's validation, words and hits."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from gradio_client import Client

from faq_engine.faqs.loader import load_bundled
from faq_engine.search.memory import MemoryEngine
from faq_engine.ui.json_api import Allowance, Batcher
from tests.support.app_runner import RunningApp
from tests.support.tutorial import TUTORIAL_QUERY


@pytest.fixture(scope="module")
def app():
    running = RunningApp({"FAQ_ENGINE_SEARCH_RATE": "0"}).wait_ready()  # this module's many searches: no limit
    yield running
    running.stop()


def get(app, **params) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(f"{app.url}/api/search?{urlencode(params)}", timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_the_json_api_answers_what_the_gradio_api_answers_on_the_same_port(app):
    status, hits = get(app, q=TUTORIAL_QUERY, k=3)
    assert status == 200
    assert hits == Client(app.url, verbose=False).predict(TUTORIAL_QUERY, 3, api_name="/search")
    assert get(app, q=TUTORIAL_QUERY)[1] == get(app, q=TUTORIAL_QUERY, k=5)[1]  # k defaults to 5


@pytest.mark.parametrize("params, says", [
    ({"q": "   "}, "The question is empty"),
    ({}, "The question is empty"),
    ({"q": "x" * 20_001}, "at most 20,000"),
    ({"q": TUTORIAL_QUERY, "k": "0"}, "k must be a whole number from 1 to 10"),
    ({"q": TUTORIAL_QUERY, "k": "five"}, "k must be a whole number from 1 to 10"),
    ({"q": TUTORIAL_QUERY, "k": "11"}, "k must be a whole number from 1 to 10"),
])
def test_bad_questions_get_400_and_the_pages_words(app, params, says):
    status, body = get(app, **params)
    assert status == 400 and says in body["error"]


def test_each_client_has_an_allowance_that_refills():
    allowance = Allowance(rate=20.0)  # the default: 20 a second, bursts of 40
    assert all(allowance.take("a", now=100.0) for _ in range(40))  # a burst is fine
    assert not allowance.take("a", now=100.0)  # past it: 429
    assert allowance.take("b", now=100.0)  # another client is not held up
    assert allowance.take("a", now=100.1)  # more after a moment (20 a second)
    assert all(Allowance(rate=0).take("a", now=0.0) for _ in range(1000))  # 0: no limit
    small = Allowance(rate=1.0, burst=1, clients=2)
    small.take("x", now=0.0), small.take("y", now=0.0), small.take("z", now=0.0)
    assert small.take("x", now=0.0)  # forgotten (the least recent of more than 2): a fresh allowance


def test_questions_asked_together_are_embedded_together_and_answered_alike(embedder):
    engine = MemoryEngine(load_bundled("medicare", embedder), embedder)
    batcher = Batcher(engine)
    questions = [f"{TUTORIAL_QUERY} ({i})" for i in range(24)]
    answers: dict[int, list] = {}
    start = threading.Barrier(len(questions))

    def ask(i: int) -> None:
        start.wait()
        answers[i] = batcher.ask(questions[i], 3).result(timeout=60)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(batcher.batches) > 1 and sum(batcher.batches) == len(questions)  # some shared one call
    for i, question in enumerate(questions):
        assert [h.id for h in answers[i]] == [h.id for h in engine.search(question, 3)]


def test_a_client_past_its_allowance_is_told_to_wait():
    slow = RunningApp({"FAQ_ENGINE_SEARCH_RATE": "1"}).wait_ready()  # 1 a second, bursts of 2
    try:
        started = time.monotonic()
        answers = [get(slow, q=TUTORIAL_QUERY, k=1) for _ in range(10)]
        elapsed = time.monotonic() - started
    finally:
        slow.stop()
    refused = [body for status, body in answers if status == 429]
    assert refused and "Too many searches: at most 1 a second" in refused[0]["error"]
    assert 2 <= sum(status == 200 for status, _ in answers) <= 2 + elapsed + 1
