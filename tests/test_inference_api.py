"""The Inference API embedder against a loopback server that computes real embeddings."""

from __future__ import annotations

import json
import logging
import socket
import time
import traceback

import numpy as np
import pytest

from faq_engine.cli.errors import describe as cli_words
from faq_engine.embedders.factory import local_embedder, make_embedder
from faq_engine.embedders.fallback import FallbackEmbedder
from faq_engine.embedders.inference_api import InferenceApiEmbedder
from faq_engine.errors import (
    ApiAuthError,
    ApiNotFoundError,
    ApiQuotaError,
    ApiRequestError,
    ApiResponseError,
    ApiUnavailableError,
    ConfigError,
)
from faq_engine.faqs.faqset import build_faqset
from faq_engine.faqs.loader import load_bundled
from faq_engine.jobs import load_engine
from faq_engine.retry import RetryPolicy
from faq_engine.settings import Settings, router_url
from tests.support.api_server import FakeInferenceApi, echo_auth, error, loading, malformed, ok, rate_limited, trickle
from tests.support.cli import run_cli
from tests.support.env import env_settings
from tests.support.tutorial import TUTORIAL_QUERY

TOKEN = "hf_TESTsecret9f8e7d6c5b4a"
TEXTS = [f"How do I {verb} my Medicare {noun}?" for verb in ("renew", "replace", "change", "cancel", "check")
         for noun in ("card", "plan", "premium", "coverage", "claim", "doctor", "drug list", "appeal")]


@pytest.fixture
def api(embedder):
    with FakeInferenceApi(embedder.embed, token=TOKEN) as server:
        yield server


class Sleeps(list):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(url: str, token: str | None = TOKEN, **kwargs) -> InferenceApiEmbedder:
    kwargs.setdefault("sleep", Sleeps())
    return InferenceApiEmbedder(url, token, **kwargs)


def test_real_vectors_in_input_order_in_batches(api, embedder):
    vectors = client(api.url, request_size=16).embed(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(vectors, embedder.embed(TEXTS), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sizes = sorted(len(s.inputs) for s in api.seen)
    assert sizes == [8, 16, 16]
    assert all(s.authorization == f"Bearer {TOKEN}" for s in api.seen)


def test_at_most_32_texts_per_request_by_default(api):
    client(api.url, concurrency=1).embed(TEXTS)
    assert [len(s.inputs) for s in api.seen] == [32, 8]


def test_one_session_reuses_its_connection(api):
    embedder = client(api.url, concurrency=1)
    for text in TEXTS[:5]:
        embedder.embed([text])
    assert api.count == 5
    assert len({s.client_port for s in api.seen}) == 1


def test_batches_are_in_flight_together_and_results_stay_in_order(embedder):
    with FakeInferenceApi(embedder.embed, delay=0.05) as server:
        vectors = client(server.url, request_size=4, concurrency=4).embed(TEXTS)
        assert server.max_in_flight > 1
    np.testing.assert_allclose(vectors, embedder.embed(TEXTS), atol=1e-5)


def test_no_token_no_authorization_header(embedder):
    with FakeInferenceApi(embedder.embed) as server:  # e.g. a TEI server without auth
        client(server.url, token=None).embed(["hello"])
    assert server.seen[0].authorization is None


def test_a_single_flat_vector_is_accepted(api, embedder):
    api.script(ok(shape="flat"))
    vector = client(api.url).embed(["What is Medicare?"])
    np.testing.assert_allclose(vector, embedder.embed(["What is Medicare?"]), atol=1e-5)


def test_503_and_429_wait_as_the_server_says(api):
    sleeps = Sleeps()
    api.script(loading(7.0), rate_limited("3"), ok())
    client(api.url, sleep=sleeps).embed(["hello"])
    assert api.count == 3
    assert sleeps == [7.0, 3.0]


def test_server_suggested_wait_is_capped(api):
    sleeps = Sleeps()
    api.script(loading(3600.0), ok())
    client(api.url, sleep=sleeps, policy=RetryPolicy(max_hint=20.0)).embed(["hello"])
    assert sleeps == [20.0]


@pytest.mark.parametrize("status", [408, 500, 502, 504])
def test_transient_statuses_are_retried_with_backoff(api, status):
    sleeps = Sleeps()
    policy = RetryPolicy(base_delay=0.3)
    api.script(error(status), ok())
    client(api.url, sleep=sleeps, policy=policy).embed(["hello"])
    assert api.count == 2 and sleeps == [policy.backoff(1)]


@pytest.mark.parametrize(("status", "kind", "advice"), [
    (400, ApiRequestError, "rejected"),
    (401, ApiAuthError, "token is invalid"),
    (402, ApiQuotaError, "credits"),
    (403, ApiAuthError, "Inference Providers"),
    (404, ApiNotFoundError, "not served"),
    (410, ApiNotFoundError, router_url("sentence-transformers/all-MiniLM-L6-v2")),
    (422, ApiRequestError, "rejected"),
])
def test_permanent_failures_are_not_retried_and_say_what_to_do(api, status, kind, advice):
    api.script(error(status))
    with pytest.raises(kind) as info:
        client(api.url).embed(["hello"])
    assert api.count == 1
    assert advice in str(info.value) and str(status) in str(info.value)


def test_missing_token_is_named_as_the_cause(api):
    with pytest.raises(ApiAuthError, match="needs a token") as info:
        client(api.url, token=None).embed(["hello"])
    assert "Set HF_TOKEN" in cli_words(info.value) and "--embedder local" in cli_words(info.value)


def test_gives_up_after_max_attempts(api):
    sleeps = Sleeps()
    api.script(*[error(500)] * 10)
    with pytest.raises(ApiUnavailableError, match="3 attempts"):
        client(api.url, sleep=sleeps, policy=RetryPolicy(max_attempts=3)).embed(["hello"])
    assert api.count == 3 and len(sleeps) == 2


def test_a_slow_answer_times_out_and_is_retried(api, embedder, caplog):
    api.script(ok(delay=1.5), ok())
    with caplog.at_level(logging.INFO):
        vectors = client(api.url, read_timeout=0.3).embed(["hello"])
    assert api.count == 2
    assert "did not answer in time" in caplog.text and "read 0.3 s" in caplog.text
    np.testing.assert_allclose(vectors, embedder.embed(["hello"]), atol=1e-5)


def test_unreachable_server_is_retried_then_unavailable():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps = Sleeps()
    with pytest.raises(ApiUnavailableError, match="Could not connect"):
        client(f"http://127.0.0.1:{port}/embed", sleep=sleeps, policy=RetryPolicy(max_attempts=2)).embed(["x"])
    assert len(sleeps) == 1


@pytest.mark.parametrize(("reply", "explains"), [
    (ok(shape="tokens"), "pooling"),
    (ok(shape="wrong_dim"), "384"),
    (malformed(), "not with JSON"),
    (error(200, {"error": "not vectors"}), "list of vectors"),
])
def test_unusable_answers_raise_a_typed_error_that_explains(api, reply, explains):
    api.script(reply)
    with pytest.raises(ApiResponseError, match=explains):
        client(api.url).embed(["hello", "world"])
    assert api.count == 1


def test_413_splits_the_batch_once_and_remembers(embedder):
    with FakeInferenceApi(embedder.embed, max_inputs=5) as server:
        api_embedder = client(server.url, request_size=8, concurrency=1)
        vectors = api_embedder.embed(TEXTS[:8])
        assert [len(s.inputs) for s in server.seen] == [8, 4, 4]
        api_embedder.embed(TEXTS[:8])
        assert [len(s.inputs) for s in server.seen[3:]] == [4, 4]
    np.testing.assert_allclose(vectors, embedder.embed(TEXTS[:8]), atol=1e-5)


def test_413_twice_asks_for_a_smaller_batch_size(embedder):
    with FakeInferenceApi(embedder.embed, max_inputs=1) as server:
        with pytest.raises(ApiRequestError, match="Even 2 texts per request are too many") as info:
            client(server.url, request_size=4).embed(TEXTS[:4])
    assert "FAQ_ENGINE_API_BATCH_SIZE" in cli_words(info.value)


def test_the_token_never_leaks(api, caplog):
    wrong = "hf_WRONGsecret0123456789"
    api.script(loading(0.0), error(400, {"error": f"bad header: Bearer {TOKEN}"}))
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(ApiRequestError) as echoed:
            client(api.url).embed(["hello"])
        with pytest.raises(ApiAuthError) as refused:
            client(api.url, token=wrong).embed(["hello"])
    for err, secret in ((echoed.value, TOKEN), (refused.value, wrong)):
        shown = "".join(traceback.format_exception(err)) + repr(err)
        assert secret not in shown
    assert "***" in str(echoed.value)  # the server echoed it; we scrubbed it
    assert TOKEN not in caplog.text and wrong not in caplog.text
    assert TOKEN not in repr(client(api.url)) + repr(FallbackEmbedder(client(api.url), lambda: local_embedder(env_settings())))


def test_invalid_url_is_a_config_error_that_does_not_echo_it():
    with pytest.raises(ConfigError, match="not an http") as info:
        InferenceApiEmbedder(TOKEN)  # a token pasted into the URL variable
    assert "FAQ_ENGINE_API_URL" in cli_words(info.value) and TOKEN not in cli_words(info.value)


def test_status_names_the_service():
    assert InferenceApiEmbedder(router_url("sentence-transformers/all-MiniLM-L6-v2")).status == "Inference API"
    assert InferenceApiEmbedder("http://10.0.0.7:8080/embed").status == "Inference endpoint at 10.0.0.7"
    assert local_embedder(env_settings()).status == "local model"


def test_from_settings_uses_every_api_setting():
    settings = env_settings(api_url="http://127.0.0.1:9/embed", token=TOKEN, api_batch_size=7, api_max_attempts=2,
                        api_deadline=9.0, api_connect_timeout=1.5, api_read_timeout=4.0, api_max_wait=2.5,
                        api_concurrency=3)
    e = InferenceApiEmbedder.from_settings(settings)
    assert (e.url, e.request_size, e.concurrency, e.timeout) == ("http://127.0.0.1:9/embed", 7, 3, (1.5, 4.0))
    assert (e.policy.max_attempts, e.policy.deadline, e.policy.max_hint) == (2, 9.0, 2.5)
    assert InferenceApiEmbedder.from_settings(env_settings()).url == router_url(env_settings().model_id)
    env = Settings.from_env({"FAQ_ENGINE_API_MAX_WAIT": "0.05", "FAQ_ENGINE_API_CONCURRENCY": "2"})
    assert (env.api_max_wait, env.api_concurrency) == (0.05, 2)


# -- choosing the embedder, falling back -------------------------------------------------------

def test_make_embedder_follows_the_choice(embedder):
    assert make_embedder(env_settings(embedder="local", token=TOKEN)) is local_embedder(env_settings())
    assert make_embedder(env_settings(embedder="auto", token=None)) is local_embedder(env_settings())
    assert isinstance(make_embedder(env_settings(embedder="api", token=None)), InferenceApiEmbedder)
    auto = make_embedder(env_settings(embedder="auto", token=TOKEN))
    assert isinstance(auto, FallbackEmbedder) and auto.status == "Inference API"
    other_model = make_embedder(env_settings(embedder="auto", token=TOKEN, model_id="BAAI/bge-small-en-v1.5"))
    assert isinstance(other_model, InferenceApiEmbedder)  # no local model makes those vectors


@pytest.mark.parametrize(("failure", "reason"), [(error(500), "unavailable"), (error(401), "refused the token")])
def test_fallback_switches_to_local_for_good_and_says_so(api, embedder, caplog, failure, reason):
    api.script(*[failure] * 3)
    primary = client(api.url, policy=RetryPolicy(max_attempts=3))
    chosen = FallbackEmbedder(primary, lambda: local_embedder(env_settings()))
    with caplog.at_level(logging.WARNING):
        vectors = chosen.embed(["hello"])
    np.testing.assert_allclose(vectors, embedder.embed(["hello"]), atol=1e-6)
    assert chosen.fell_back and chosen.status.startswith("local model (fell back: ")
    assert reason in chosen.status
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("local model" in w and str(failure.status) in w for w in warnings)
    requests_before = api.count
    chosen.embed(["again"])
    assert api.count == requests_before


def test_one_vector_space_embed_with_one_search_with_the_other(api, embedder):
    entries = load_bundled("medicare", embedder).entries
    remote = client(api.url)
    faqs = build_faqset("medicare", entries, remote)
    settings = env_settings(embedder="local", fields="question", method="dense")
    local_hits = load_engine(settings, embedder=embedder).search(TUTORIAL_QUERY)
    from faq_engine.search.memory import MemoryEngine

    remote_hits = MemoryEngine(faqs, embedder, method="dense").search(TUTORIAL_QUERY)
    assert [h.id for h in remote_hits] == [h.id for h in local_hits]
    np.testing.assert_allclose([h.score for h in remote_hits], [h.score for h in local_hits], atol=1e-4)


# -- the command line, as a real subprocess ------------------------------------------------------


def local_top5(embedder):
    hits = load_engine(env_settings(embedder="local"), embedder=embedder).search(TUTORIAL_QUERY, 5)
    return [(h.id, h.score) for h in hits]


def test_cli_api_search_survives_503_and_429(embedder):
    with FakeInferenceApi(embedder.embed, token="x") as server:
        server.script(loading(0.05), rate_limited("0"), ok())
        run = run_cli("search", TUTORIAL_QUERY, "--embedder", "api", "--json",
                      env={"FAQ_ENGINE_API_URL": server.url, "HF_TOKEN": "x"})
        assert run.returncode == 0, run.stderr
        assert server.count == 3
    hits = [(h["id"], h["score"]) for h in json.loads(run.stdout)]
    expected = local_top5(embedder)
    assert [i for i, _ in hits] == [i for i, _ in expected]
    np.testing.assert_allclose([s for _, s in hits], [s for _, s in expected], atol=1e-4)


def test_cli_wrong_token_fails_clearly_without_showing_it(api):
    wrong = "hf_WRONGcliSecret555"
    run = run_cli("-v", "search", TUTORIAL_QUERY, "--embedder", "api", env={"FAQ_ENGINE_API_URL": api.url, "HF_TOKEN": wrong})
    assert run.returncode != 0
    assert "401" in run.stderr and "token is invalid" in run.stderr
    assert wrong not in run.stdout + run.stderr
    assert api.count == 1


def test_cli_auto_falls_back_visibly(api, embedder):
    wrong = "hf_WRONGautoSecret777"
    run = run_cli("search", TUTORIAL_QUERY, "--json", env={"FAQ_ENGINE_API_URL": api.url, "HF_TOKEN": wrong})
    assert run.returncode == 0, run.stderr
    assert "WARNING" in run.stderr and "local model" in run.stderr and "401" in run.stderr
    assert wrong not in run.stdout + run.stderr
    assert [h["id"] for h in json.loads(run.stdout)] == [i for i, _ in local_top5(embedder)]


# -- hostile servers: a trickled answer, an echoed Authorization header --------------------------

ODD_TOKEN = "sk-not-hf-shaped-8c1d2e3f4a5b"  # only the real value can find it: no pattern matches it


def test_a_trickling_server_cannot_stretch_the_deadline(api):
    api.script(trickle(0.05))  # each byte well inside the 60 s read timeout; the whole answer takes minutes
    started = time.monotonic()
    with pytest.raises(ApiUnavailableError, match="too slow or stalled"):
        client(api.url, policy=RetryPolicy(deadline=1.5)).embed(["hello"])
    assert time.monotonic() - started < 4.0


def test_auto_falls_back_from_a_trickling_server(api, embedder):
    api.script(trickle(0.05))
    auto = FallbackEmbedder(client(api.url, policy=RetryPolicy(deadline=1.0)), lambda: embedder)
    np.testing.assert_allclose(auto.embed(["hello"]), embedder.embed(["hello"]), atol=1e-6)
    assert auto.fell_back and "unavailable" in auto.status


def test_an_echoed_authorization_header_is_scrubbed_everywhere(embedder, caplog):
    with FakeInferenceApi(embedder.embed, token=ODD_TOKEN) as server:
        server.script(echo_auth(500), echo_auth(500), echo_auth(400))
        auto = FallbackEmbedder(client(server.url, token=ODD_TOKEN, policy=RetryPolicy(max_attempts=2)),
                                lambda: embedder)
        with caplog.at_level(logging.DEBUG):
            auto.embed(["hello"])  # 500, 500 (retried, logged), then the fallback's warning
            with pytest.raises(ApiRequestError) as refused:
                client(server.url, token=ODD_TOKEN).embed(["hello"])
    assert auto.fell_back and "Denied" in caplog.text and "***" in caplog.text
    assert ODD_TOKEN not in caplog.text
    assert ODD_TOKEN not in "".join(traceback.format_exception(refused.value)) and "***" in str(refused.value)


def test_cli_never_prints_an_echoed_token(embedder):
    with FakeInferenceApi(embedder.embed, token=ODD_TOKEN) as server:
        server.script(echo_auth(401))
        run = run_cli("-v", "search", TUTORIAL_QUERY, env={"FAQ_ENGINE_API_URL": server.url, "HF_TOKEN": ODD_TOKEN})
    assert run.returncode == 0, run.stderr  # auto fell back to the local model
    assert "from Bearer ***" in run.stderr and ODD_TOKEN not in run.stdout + run.stderr
