"""Small hostile inputs get clear words, never "Something went wrong", and nothing is left behind."""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from faq_engine.embedders.api_responses import parse_vectors
from faq_engine.embedders.cache import EmbeddingCache
from faq_engine.errors import Advice, ApiResponseError, DatasetError, InvalidQueryError
from faq_engine.faqs.dataset_format import DatasetMeta
from faq_engine.faqs.loader import load_bundled, load_faqs, read_source
from faq_engine.faqs.writer import DatasetWriter, write_dataset
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
    meta = DatasetMeta(faqs.model_id, embedder.dim, False, faqs.fields, len(faqs), "test")
    with DatasetWriter(tmp_path, meta, "test") as writer:
        writer.write(faqs.entries, np.asarray(faqs.embeddings))
    assert not abandoned.exists() and not list(tmp_path.glob(".staging-*"))


def test_embedding_into_a_folder_of_another_datasets_shards_leaves_them_alone(tmp_path, embedder):
    theirs = tmp_path / "data" / "train-00000-of-00002.parquet"
    theirs.parent.mkdir()
    pq.write_table(pa.table({"text": ["not ours"]}), theirs)
    faqs = load_bundled("medicare", embedder)
    meta = DatasetMeta(faqs.model_id, embedder.dim, False, faqs.fields, len(faqs), "test")
    with pytest.raises(DatasetError, match="not a faq-engine one") as caught:
        write_dataset(tmp_path, faqs.entries, np.asarray(faqs.embeddings), meta, "test")
    assert caught.value.advice is Advice.OTHER_OUTPUT
    assert pq.read_table(theirs).column("text").to_pylist() == ["not ours"] and len(list(tmp_path.rglob("*"))) == 2
    write_dataset(tmp_path / "ours", faqs.entries, np.asarray(faqs.embeddings), meta, "test")
    write_dataset(tmp_path / "ours", faqs.entries, np.asarray(faqs.embeddings), meta, "test")  # our own: replaced


@pytest.mark.parametrize("names, says", [
    (["train-00000-of-00003.parquet", "train-00002-of-00003.parquet"], "shard 1 is missing"),
    (["train-00000-of-00002.parquet", "train-00001-of-00002.parquet", "train-00000-of-00003.parquet"],
     "of 2 and of 3 shards"),
    (["train-00000-of-00001.parquet", "train-00001-of-00001.parquet"], "2 of the 1"),
])
def test_a_sharded_folder_with_a_missing_or_stray_shard_is_refused(tmp_path, names, says):
    for name in names:
        (tmp_path / "data").mkdir(exist_ok=True)
        pq.write_table(pa.table({"question": ["Q?"], "answer": ["A."]}), tmp_path / "data" / name)
    with pytest.raises(DatasetError, match=says):
        read_source(tmp_path)


def test_a_shard_damaged_past_its_footer_is_named_never_its_folder(tmp_path):
    path = tmp_path / "faqs.parquet"
    pq.write_table(pa.table({"question": [f"Question {i}?" for i in range(2000)], "answer": ["A."] * 2000}), path,
                   compression="snappy", use_dictionary=False)
    data = bytearray(path.read_bytes())
    data[100:4000] = b"\xff" * 3900  # the first data page: the footer still reads
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="faqs.parquet: a Parquet file is damaged") as caught:
        read_source(path)
    assert str(tmp_path) not in str(caught.value)


@pytest.mark.parametrize("question, kind", [(pa.array([["a", "b"]]), "list"), (pa.array([{"x": 1}]), "struct"),
                                            (pa.array([b"\xff\xfe"], pa.binary()), "binary")])
def test_a_text_column_of_another_type_is_refused_in_words(tmp_path, question, kind):
    pq.write_table(pa.table({"question": question, "answer": ["A."]}), tmp_path / "faqs.parquet")
    with pytest.raises(DatasetError, match=f"the 'question' column holds {kind}.* values, not text"):
        read_source(tmp_path / "faqs.parquet")


def test_shards_that_disagree_on_a_columns_type_are_refused_in_words(tmp_path):
    (tmp_path / "data").mkdir()
    for index, value in enumerate([pa.array([1]), pa.array(["x"])]):
        pq.write_table(pa.table({"id": value, "question": [f"Q{index}?"], "answer": ["A."]}),
                       tmp_path / "data" / f"train-0000{index}-of-00002.parquet")
    with pytest.raises(DatasetError, match="disagree on a column's type.*id"):
        read_source(tmp_path)


def test_fused_vectors_of_the_wrong_length_fail_the_spot_check(tmp_path, embedder):
    faqs = load_bundled("medicare", embedder, fields="both")
    meta = DatasetMeta(faqs.model_id, embedder.dim, False, "both", len(faqs), "test")
    write_dataset(tmp_path, faqs.entries, np.asarray(faqs.embeddings) * 100, meta, "test")  # right way, 100x long
    loaded = load_faqs(str(tmp_path), embedder)
    assert any("re-embedded" in note for note in loaded.notes)
    hit = MemoryEngine(loaded, embedder).search("How can Medicare help me?", 1)[0]
    assert hit.similarity <= 1.0 + 1e-6  # never "76.8"


def test_a_damaged_vector_in_the_embedding_cache_is_embedded_again(tmp_path):
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite3")
    cache.put_many("m", [("short", np.ones(4, np.float32)), ("kept", np.ones(4, np.float32))])
    cache.close()
    with sqlite3.connect(tmp_path / "embeddings.sqlite3") as conn:
        conn.execute("UPDATE embeddings SET vector = ? WHERE text_sha256 = 'short'", (b"\x00\x01",))  # 2 bytes
    assert list(EmbeddingCache(tmp_path / "embeddings.sqlite3").get_many("m", ["short", "kept"], 4)) == ["kept"]


def test_a_dataset_name_longer_than_any_file_name_is_refused_in_words():
    searched = run_cli("search", "hello", "--dataset", "a/" + "b" * 5000)
    assert searched.returncode == 1 and "Traceback" not in searched.stderr
    assert "is not a file or folder, a bundled set" in searched.stderr and len(searched.stderr) < 1000
