"""Small hostile inputs get clear words, never "Something went wrong", and nothing is left behind."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from faq_engine.embedders.api_responses import parse_vectors
from faq_engine.errors import ApiResponseError, InvalidQueryError
from faq_engine.faqs.loader import load_bundled, read_source
from faq_engine.faqs.writer import DatasetWriter
from faq_engine.search.engine import validate_query
from faq_engine.search.memory import MemoryEngine
from faq_engine.ui.handlers import DemoHandlers
from faq_engine.ui.render import corpus_for
from tests.support.cli import run_cli
from tests.support.env import env_settings


@pytest.fixture(scope="module")
def handlers(embedder):
    return DemoHandlers(corpus_for(MemoryEngine(load_bundled("medicare", embedder), embedder), "bundled"),
                        env_settings())


@pytest.mark.parametrize("top_k", [math.nan, math.inf, -math.inf, "5", None, True])
def test_a_top_k_that_is_no_number_is_refused_in_words(handlers, top_k):
    with pytest.raises(InvalidQueryError, match="must be a number from 1 to 10"):
        handlers.search("How can Medicare help me?", top_k, None)


def test_a_lone_surrogate_in_a_question_is_refused_in_words(handlers):
    with pytest.raises(InvalidQueryError, match="not text"):
        validate_query("How can Medicare help me? \ud83d")
    with pytest.raises(InvalidQueryError, match="not text"):
        handlers.search("\udcff", 5, None)


def test_an_all_zero_vector_from_the_api_is_refused():
    with pytest.raises(ApiResponseError, match="all-zero vector"):
        parse_vectors([[0.0] * 4, [0.5] * 4], 2, 4, "http://127.0.0.1:1/embed")


def test_an_empty_qdrant_location_is_an_error_not_memory():
    run = run_cli("search", "How can Medicare help me?", "--qdrant", "")
    assert run.returncode == 1 and "Name a Qdrant location" in run.stderr and "Traceback" not in run.stderr


def test_a_nan_question_is_an_empty_one_never_the_text_nan(tmp_path):
    path = tmp_path / "faqs.parquet"
    pq.write_table(pa.table({"question": pa.array([1.5, float("nan")]), "answer": ["a", "b"]}), path)
    with pytest.raises(Exception, match=r"Empty question in row\(s\) 2"):
        read_source(path)


def test_a_writer_killed_mid_write_leaves_nothing_behind_for_long(tmp_path, embedder):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = tmp_path / f".staging-{dead.stdout.strip()}"  # a process that has exited: its pid is free
    (abandoned / "data").mkdir(parents=True)
    faqs = load_bundled("medicare", embedder)
    from faq_engine.faqs.dataset_format import DatasetMeta

    meta = DatasetMeta(faqs.model_id, embedder.dim, False, faqs.fields, len(faqs), "test")
    with DatasetWriter(tmp_path, meta, "test") as writer:
        writer.write(faqs.entries, np.asarray(faqs.embeddings))
    assert not abandoned.exists() and not list(tmp_path.glob(".staging-*"))
