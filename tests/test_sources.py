"""Reading raw FAQ files and loading every kind of local source."""

from __future__ import annotations

import csv
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from faq_engine import __version__
from faq_engine.embedders.base import WrappedEmbedder
from faq_engine.errors import DatasetError, DimensionMismatchError
from faq_engine.faqs.dataset_format import DATA_FILE, DatasetMeta, read_card
from faq_engine.faqs.faqset import SPOT_CHECK_ROWS
from faq_engine.faqs.loader import load_bundled, load_faqs
from faq_engine.faqs.tables import read_table
from faq_engine.faqs.writer import write_dataset
from tests.support.fakes import HashEmbedder


@pytest.fixture(scope="module")
def medicare_rows():
    from importlib import resources

    raw = json.loads(resources.files("faq_engine.faqs.data").joinpath("medicare.json").read_text(encoding="utf-8"))
    return raw["faqs"]


def write_rows(path, rows):
    """Write ``rows`` (list of dicts) in the format given by ``path``'s extension."""
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix == ".json":
        path.write_text(json.dumps(rows), encoding="utf-8")
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@pytest.mark.parametrize("ext", [".csv", ".json", ".jsonl", ".parquet"])
def test_every_format_reads_the_same_entries(tmp_path, medicare_rows, ext):
    entries = read_table(write_rows(tmp_path / f"faqs{ext}", medicare_rows))
    assert [(e.id, e.question, e.answer, e.url) for e in entries] == [
        (r["id"], r["question"], r["answer"], r.get("url", "")) for r in medicare_rows
    ]


def test_ids_default_to_the_row_number_and_columns_can_be_renamed(tmp_path):
    rows = [{"Q": "How do I pay?", "A": "Online."}, {"Q": "Where is my card?", "A": "In the mail."}]
    entries = read_table(write_rows(tmp_path / "x.csv", rows), question_column="Q", answer_column="A")
    assert [(e.id, e.question, e.answer) for e in entries] == [("0", "How do I pay?", "Online."),
                                                                ("1", "Where is my card?", "In the mail.")]


def test_missing_question_column_lists_the_columns_found(tmp_path):
    path = write_rows(tmp_path / "x.csv", [{"prompt": "a", "reply": "b"}])
    with pytest.raises(DatasetError, match=r"no question column .*; columns found: 'prompt', 'reply'"):
        read_table(path)


def test_empty_questions_and_duplicate_ids_name_the_rows(tmp_path):
    rows = [{"id": "a", "question": "q1", "answer": "a1"}, {"id": "b", "question": "  ", "answer": "a2"},
            {"id": "c", "question": "q3", "answer": "a3"}]
    with pytest.raises(DatasetError, match=r"Empty question in row\(s\) 2"):
        read_table(write_rows(tmp_path / "empty.jsonl", rows))
    rows = [{"id": "a", "question": "q1", "answer": ""}, {"id": "b", "question": "q2", "answer": ""},
            {"id": "a", "question": "q3", "answer": ""}]
    with pytest.raises(DatasetError, match=r"Duplicate id\(s\) 'a' in row\(s\) 3"):
        read_table(write_rows(tmp_path / "dupes.json", rows))


def test_unknown_extension_says_which_formats_work(tmp_path):
    path = tmp_path / "faqs.xlsx"
    path.write_bytes(b"whatever")
    with pytest.raises(DatasetError, match="CSV.*JSON.*JSONL.*Parquet"):
        read_table(path)


def test_json_that_is_not_a_list_of_objects(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"question": "q"}', encoding="utf-8")
    with pytest.raises(DatasetError, match="list of objects"):
        read_table(path)


def test_a_raw_file_is_embedded_on_load_and_cached(tmp_path, medicare_rows):
    path = write_rows(tmp_path / "faqs.csv", medicare_rows)
    fake = HashEmbedder()
    faqs = load_faqs(path, fake, cache_dir=tmp_path / "cache")
    assert len(faqs) == 13 and len(fake.sent) == 26  # each question, and each question with its answer
    assert faqs.fields == "both"  # the default for raw files
    questions = HashEmbedder().embed([r["question"] for r in medicare_rows])
    both = HashEmbedder().embed([f'{r["question"]} {r["answer"]}' for r in medicare_rows])
    np.testing.assert_allclose(faqs.embeddings, 0.25 * questions + 0.75 * both, atol=1e-6)
    load_faqs(path, fake, cache_dir=tmp_path / "cache")
    assert len(fake.sent) == 26  # the second load embedded nothing


def _write_ours(folder, faqs, model_id=None, vectors=None):
    meta = DatasetMeta(model_id or faqs.model_id, faqs.embeddings.shape[1] if vectors is None else vectors.shape[1],
                       True, faqs.fields, len(faqs), __version__)
    write_dataset(folder, faqs.entries, faqs.embeddings if vectors is None else vectors, meta, "test")
    return folder


class Counting(WrappedEmbedder):
    """The real model, recording every text it is sent."""

    def __init__(self, inner):
        super().__init__(inner)
        self.sent = []

    def embed(self, texts):
        self.sent.extend(texts)
        return self.inner.embed(texts)


def test_our_folder_and_lone_parquet_reuse_stored_vectors(tmp_path, embedder):
    bundled = load_bundled("medicare", embedder, fields="question")
    folder = _write_ours(tmp_path / "ds", bundled)
    meta = read_card(folder / "README.md")
    assert (meta.model_id, meta.dim, meta.rows, meta.fields, meta.normalized) == (embedder.model_id, 384, 13, "question", True)
    for source in (folder, folder / DATA_FILE):  # a lone Parquet file carries the same metadata
        counting = Counting(embedder)
        faqs = load_faqs(source, counting)
        assert len(counting.sent) == SPOT_CHECK_ROWS and faqs.notes == ()  # only the spot check embeds
        assert faqs.entries == bundled.entries
        # Stored bit-exactly; loading re-normalises, which may move the last bit.
        np.testing.assert_allclose(faqs.embeddings, bundled.embeddings, rtol=0, atol=1e-7)


def test_another_models_vectors_are_re_embedded_with_a_note(tmp_path, embedder):
    bundled = load_bundled("medicare", embedder)
    alien = np.random.default_rng(0).normal(size=(13, 16)).astype(np.float32)
    folder = _write_ours(tmp_path / "ds", bundled, model_id="someone/other-model", vectors=alien)
    faqs = load_faqs(folder, embedder)
    assert any("someone/other-model" in n and "re-embedded" in n for n in faqs.notes)
    assert faqs.model_id == embedder.model_id and faqs.embeddings.shape == (13, 384)
    np.testing.assert_allclose(faqs.embeddings, bundled.embeddings, atol=1e-5)


def test_vectors_without_metadata_are_not_trusted(tmp_path, medicare_rows):
    rows = [{**r, "embedding": [0.5] * 8} for r in medicare_rows]
    fake = HashEmbedder()
    faqs = load_faqs(write_rows(tmp_path / "raw.parquet", rows), fake)
    assert len(fake.sent) == 26 and any("do not say which model" in n for n in faqs.notes)


def test_nan_vectors_are_rejected_naming_the_row(tmp_path, embedder):
    bundled = load_bundled("medicare", embedder)
    bad = bundled.embeddings.copy()
    bad[5, 7] = np.nan
    folder = _write_ours(tmp_path / "ds", bundled, vectors=bad)
    with pytest.raises(DatasetError, match=r"row\(s\) 6 contain NaN"):
        load_faqs(folder, embedder)


def test_a_wrong_dimension_for_the_same_model_is_an_error(tmp_path, embedder):
    bundled = load_bundled("medicare", embedder)
    folder = _write_ours(tmp_path / "ds", bundled, vectors=bundled.embeddings[:, :100].copy())
    with pytest.raises(DimensionMismatchError):
        load_faqs(folder, embedder)


def test_missing_local_file_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="not a file or folder"):
        load_faqs(tmp_path / "nope.csv", HashEmbedder())


def test_asking_for_other_embedded_text_re_embeds_with_a_note(tmp_path, embedder):
    bundled = load_bundled("medicare", embedder, fields="question")
    folder = _write_ours(tmp_path / "ds", bundled)  # vectors of the questions only
    faqs = load_faqs(folder, embedder, fields="question+answer")
    assert faqs.fields == "question+answer" and any("re-embedded" in n for n in faqs.notes)
    expected = embedder.embed([f"{e.question} {e.answer}" for e in bundled.entries])
    np.testing.assert_allclose(faqs.embeddings, expected, atol=1e-5)
    assert load_faqs(folder, HashEmbedder(embedder.model_id, 384)).fields == "question"  # None keeps the stored choice


def test_importing_faq_engine_loads_no_hub_or_parquet_library():
    import subprocess
    import sys

    code = ("import sys, faq_engine; from faq_engine.faqs.loader import load_faqs; "
            "print(sorted(m for m in ('huggingface_hub', 'datasets', 'pyarrow', 'yaml', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_a_sharded_dataset_loads_back_the_same_and_a_rewrite_drops_old_shards(tmp_path, embedder):
    from faq_engine.faqs.writer import DatasetWriter

    bundled = load_bundled("medicare", embedder, fields="question")
    meta = DatasetMeta(embedder.model_id, 384, True, "question", len(bundled), __version__)
    with DatasetWriter(tmp_path, meta, "sharded", shard_rows=5) as writer:
        for start in range(0, len(bundled), 4):  # chunks that do not line up with the shards
            writer.write(bundled.entries[start : start + 4], bundled.embeddings[start : start + 4])
    shards = sorted(p.name for p in (tmp_path / "data").iterdir())
    assert shards == ["train-00000-of-00003.parquet", "train-00001-of-00003.parquet", "train-00002-of-00003.parquet"]
    faqs = load_faqs(tmp_path, embedder)
    assert faqs.entries == bundled.entries
    np.testing.assert_allclose(faqs.embeddings, bundled.embeddings, atol=1e-7)
    write_dataset(tmp_path, bundled.entries, bundled.embeddings, meta, "one shard")
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["train-00000-of-00001.parquet"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing staged is left behind
