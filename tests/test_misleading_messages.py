"""Messages that say what happened, not something else: no internal address, no megabyte lists, no advice that
repeats itself or points the wrong way."""

from __future__ import annotations

import dataclasses

import pytest

from faq_engine.embedders.api_responses import parse_vectors
from faq_engine.errors import ApiResponseError, DatasetError, VectorStoreUnavailableError
from faq_engine.faqs.headers import Columns, resolve
from faq_engine.faqs.hub import HubAccess, download_dataset
from faq_engine.faqs.loader import load_bundled
from faq_engine.search.memory import MemoryEngine
from faq_engine.ui.errors import describe
from faq_engine.ui.handlers import DemoHandlers
from faq_engine.ui.render import corpus_for
from tests.support.env import env_settings
from tests.support.hub_server import LoopbackHub

NO_PROGRESS = dict(progress=lambda *a, **k: None)


@pytest.fixture(scope="module")
def handlers(embedder):
    return DemoHandlers(corpus_for(MemoryEngine(load_bundled("medicare", embedder), embedder), "bundled"),
                        env_settings())


@pytest.mark.parametrize("answer", [[], [[]]])
def test_an_api_answering_an_empty_list_is_told_so(answer):
    with pytest.raises(ApiResponseError, match="answered an empty list for 1 text"):
        parse_vectors(answer, 1, 384, "http://api")
    with pytest.raises(ApiResponseError, match="answered an empty list for 3 text"):
        parse_vectors(answer, 3, 384, "http://api")


def test_a_file_of_a_million_columns_gets_a_line_not_megabytes():
    found = [f"c{i}" for i in range(1_000_000)]
    with pytest.raises(DatasetError) as caught:
        resolve(found, Columns(), "wide.csv")
    message = str(caught.value)
    assert len(message) < 1000 and "'c0'" in message and "and 999,980 more" in message


def test_the_hub_failing_oddly_is_told_without_its_address(embedder, handlers):
    with LoopbackHub() as hub:
        hub.state.outage = 400  # every request answered 400: neither missing nor unavailable
        with pytest.raises(Exception) as caught:
            download_dataset("owner/faqs", access=HubAccess(None, hub.url))
        assert "HTTP 400" in str(caught.value) and "127.0.0.1" not in str(caught.value)
        visitor = DemoHandlers(handlers.default, dataclasses.replace(handlers.settings, hub_endpoint=hub.url))
        said = visitor.load_hub("owner/faqs", "", **NO_PROGRESS)[1]
        assert "HTTP 400" in said and "127.0.0.1" not in said and hub.url not in said


def test_a_service_behind_the_app_is_never_named_to_a_visitor():
    secret_place = "http://10.0.0.7:6333/collections/faqs"
    for err in (ApiResponseError(f"{secret_place} answered an empty list for 1 text(s): no vectors at all."),
                VectorStoreUnavailableError(f"Qdrant at {secret_place} did not answer.")):
        words = describe(err)
        assert "10.0.0.7" not in words and "try again in a minute" in words


def test_a_malformed_token_is_told_once_what_to_do(handlers):
    said = handlers.load_hub("owner/faqs", "hf_abc\r\ndef", **NO_PROGRESS)[1]
    assert "copy it again" in said and "token box" not in said  # not "paste a token ..." after "copy it again"


def test_the_upload_endpoint_called_without_a_file_says_so(handlers):
    assert "Choose a CSV, JSON, JSONL or Parquet file" in handlers.load_file(None, **NO_PROGRESS)[1]
