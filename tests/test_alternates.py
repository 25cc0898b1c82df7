"""Alternate phrasings of a FAQ: read from the files people write, kept through embed, push and load,
embedded incrementally, and scored by the closest phrasing."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from faq_engine.errors import CollectionMismatchError
from faq_engine.faqs.dataset_format import ALTERNATE_EMBEDDINGS, DATA_FILE
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import build_faqset
from faq_engine.faqs.hub import HubAccess
from faq_engine.faqs.loader import load_faqs, read_source
from faq_engine.faqs.tables import read_rows
from faq_engine.jobs import publish
from faq_engine.search.memory import MemoryEngine
from faq_engine.search.qdrant.engine import QdrantEngine
from faq_engine.search.qdrant.location import QdrantLocation
from faq_engine.search.qdrant.meta import CollectionMeta
from faq_engine.search.qdrant.store import QdrantStore
from faq_engine.search.qdrant.sync import sync
from tests.support.cli import run_cli
from tests.support.fakes import HashEmbedder
from tests.support.files import write_csv
from tests.support.hub_server import HUB_TOKEN

ROWS = [
    {"id": "renew", "question": "How do I renew my passport?", "answer": "Online, with form DS-82.",
     "alternates": ["my passport expired, what now", " my passport expired, what now ", "", "passport ran out"]},
    {"id": "office", "question": "Where is the passport office?", "answer": "Downtown, 5th floor."},
]
WANTED = [["my passport expired, what now", "passport ran out"], []]  # stripped, blanks and repeats dropped


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["jsonl", "json", "csv", "parquet"])
def test_alternates_are_read_from_every_format(tmp_path, kind):
    path = tmp_path / f"faqs.{kind}"
    if kind == "jsonl":
        write_jsonl(path, ROWS)
    elif kind == "json":
        path.write_text(json.dumps(ROWS), encoding="utf-8")
    elif kind == "csv":  # one cell, the phrasings separated by "|"
        write_csv(path, [{**r, "alternates": " | ".join(r.get("alternates", []))} for r in ROWS])
    else:
        pq.write_table(pa.Table.from_pylist([{**r, "alternates": r.get("alternates", [])} for r in ROWS]), path)
    entries = read_source(path).entries
    assert entries.alternates() == WANTED
    assert entries[0] == FaqEntry("renew", ROWS[0]["question"], ROWS[0]["answer"], "", tuple(WANTED[0]))
    assert list(entries)[1].alternates == ()


def test_embed_then_load_keeps_the_phrasings_and_their_vectors(tmp_path):
    fake = HashEmbedder("fake/alternates", 16)
    done = publish(str(write_jsonl(tmp_path / "faqs.jsonl", ROWS)), tmp_path / "out", fake, fields="question",
                   cache_dir=tmp_path / "cache")
    assert done.cache.embedded == 2 + 2  # the two questions and the two phrasings
    stored = pq.read_table(tmp_path / "out" / DATA_FILE)
    assert stored.column("alternates").to_pylist() == WANTED
    assert [len(v) for v in stored.column(ALTERNATE_EMBEDDINGS).to_pylist()] == [2, 0]
    fake.calls.clear()
    faqs = load_faqs(str(tmp_path / "out"), fake)
    assert not set(fake.sent) & set(WANTED[0])  # the stored phrasing vectors are used, not embedded again
    assert faqs.entries.alternates() == WANTED and faqs.alternates.owners.tolist() == [0, 0]
    np.testing.assert_allclose(faqs.alternates.vectors, fake.embed(WANTED[0]), atol=1e-6)


def test_adding_one_phrasing_embeds_one_text(tmp_path):
    fake = HashEmbedder("fake/alternates", 16)
    source = write_jsonl(tmp_path / "faqs.jsonl", ROWS)
    publish(str(source), tmp_path / "out", fake, fields="question", cache_dir=tmp_path / "cache")
    more = [dict(ROWS[0]), {**ROWS[1], "alternates": ["office address"]}]
    again = publish(str(write_jsonl(source, more)), tmp_path / "out", fake, fields="question",
                    cache_dir=tmp_path / "cache")
    assert (again.cache.embedded, again.cache.reused) == (1, 4)


def test_a_dataset_without_alternate_columns_still_loads(tmp_path):
    fake = HashEmbedder("fake/alternates", 16)
    publish(str(write_jsonl(tmp_path / "faqs.jsonl", ROWS[1:])), tmp_path / "out", fake, fields="question",
            cache_dir=tmp_path / "cache")
    data = tmp_path / "out" / DATA_FILE
    table = pq.read_table(data)
    old = table.drop_columns(["alternates", ALTERNATE_EMBEDDINGS]).replace_schema_metadata(table.schema.metadata)
    pq.write_table(old, data)  # as faq-engine 0.1 wrote it
    faqs = load_faqs(str(tmp_path / "out"), fake)
    assert faqs.alternates is None and faqs.entries[0].alternates == () and len(faqs) == 1


def test_a_question_worded_like_an_alternate_finds_its_faq_and_no_faq_comes_twice(embedder):
    entries = [FaqEntry(r["id"], r["question"], r["answer"], "", tuple(r.get("alternates", ()))) for r in ROWS]
    faqs = build_faqset("passports", entries, embedder, fields="both")
    plain = build_faqset("passports", [FaqEntry(e.id, e.question, e.answer) for e in entries], embedder, fields="both")
    for method in ("dense", "hybrid", "bm25"):
        hits = MemoryEngine(faqs, embedder, method=method).search("passport ran out", 5)
        assert len({h.id for h in hits}) == len(hits) == 2
        renew = next(h for h in hits if h.id == "renew")
        assert renew.similarity == pytest.approx(1.0, abs=1e-5)  # its closest phrasing, whatever the order
        if method != "bm25":  # BM25 ranks by the words of the FAQ questions alone
            assert hits[0] == renew
    without = MemoryEngine(plain, embedder, method="dense").search("passport ran out", 1)[0]
    assert without.similarity < 0.9  # the phrasing, not the FAQ's own text, is what matched


def test_alternates_survive_a_push_to_the_hub_and_a_load_from_it(hub, tmp_path):
    fake = HashEmbedder("fake/alternates", 16)
    publish(str(write_jsonl(tmp_path / "faqs.jsonl", ROWS)), tmp_path / "out", fake, fields="question",
            cache_dir=tmp_path / "cache", push_to="user/passports", hub=HubAccess(HUB_TOKEN, hub.url))
    faqs = load_faqs("user/passports", fake, hub=HubAccess(endpoint=hub.url))
    assert faqs.entries.alternates() == WANTED and len(faqs.alternates) == 2


def test_a_collection_made_before_alternates_says_so(embedder):
    faqs = build_faqset("passports", [FaqEntry(r["id"], r["question"], r["answer"], "", tuple(r.get("alternates", ())))
                                      for r in ROWS], embedder, fields="question")
    client = QdrantLocation.parse(":memory:").connect()
    store = QdrantStore(client, "old", ":memory:")
    store.create(CollectionMeta(embedder.model_id, embedder.dim, "question", 5.0))  # no alternates multivector
    with pytest.raises(CollectionMismatchError, match="before FAQs had alternate phrasings"):
        sync(store, faqs)
    fresh = QdrantStore(client, "new", ":memory:")
    sync(fresh, faqs)
    hit = QdrantEngine(fresh, embedder, method="dense").search("passport ran out", 1)[0]
    assert hit.id == "renew" and hit.similarity == pytest.approx(1.0, abs=1e-5)
    assert hit == MemoryEngine(faqs, embedder, method="dense").search("passport ran out", 1)[0]


PROPOSALS = [
    {"faq_id": "office", "question": "office address please", "votes": 3},  # added
    {"faq_id": "nope", "question": "who are you"},  # no such FAQ
    {"faq_id": "office", "question": "Where is the passport office?"},  # the FAQ's own question
    {"faq_id": "renew", "question": "Passport ran out"},  # a phrasing it has, in other case
    {"faq_id": "renew", "question": "passport  lost abroad"},  # added, white space folded
]


def test_alternates_add_grows_a_dataset_folder_embedding_only_the_new_phrasings(tmp_path, embedder):
    source = write_jsonl(tmp_path / "faqs.jsonl", ROWS)
    assert run_cli("embed", str(source), "-o", str(tmp_path / "out"), "--no-progress").returncode == 0
    before = load_faqs(str(tmp_path / "out"), embedder)
    run = run_cli("alternates", "add", str(tmp_path / "out"), str(write_jsonl(tmp_path / "p.jsonl", PROPOSALS)))
    assert run.returncode == 0, run.stderr
    assert "Added 2 phrasing(s) to 2 FAQ(s)" in run.stdout and "embedded 2 new text(s)" in run.stdout
    assert "line 2): no FAQ has the id 'nope'" in run.stderr
    assert "line 3): FAQ 'office' already has" in run.stderr and "line 4): FAQ 'renew' already has" in run.stderr
    after = load_faqs(str(tmp_path / "out"), embedder)
    assert after.entries.alternates() == [WANTED[0] + ["passport lost abroad"], ["office address please"]]
    np.testing.assert_array_equal(after.embeddings, before.embeddings)  # stored vectors kept
    np.testing.assert_allclose(after.alternates.vectors[:2], before.alternates.vectors, atol=1e-6)
    for proposal in (PROPOSALS[0], PROPOSALS[4]):
        hit = MemoryEngine(after, embedder).search(proposal["question"], 1)[0]
        assert hit.id == proposal["faq_id"] and hit.similarity == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_alternates_add_rewrites_a_faq_file_in_its_own_format_keeping_other_columns(tmp_path, kind):
    rows = [{**r, "category": "travel", "alternates": r.get("alternates", [])} for r in ROWS]
    path = tmp_path / f"faqs.{kind}"
    if kind == "jsonl":
        write_jsonl(path, rows)
    elif kind == "csv":
        write_csv(path, [{**r, "alternates": " | ".join(r["alternates"])} for r in rows])
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    run = run_cli("alternates", "add", str(path), str(write_jsonl(tmp_path / "p.jsonl", PROPOSALS)))
    assert run.returncode == 0, run.stderr
    entries = read_source(path).entries
    assert entries.alternates() == [WANTED[0] + ["passport lost abroad"], ["office address please"]]
    assert [e.question for e in entries] == [r["question"] for r in ROWS]
    table = pq.read_table(path) if kind == "parquet" else None
    kept = table.column("category").to_pylist() if table is not None else [r["category"] for r in read_rows(path, kind)]
    assert kept == ["travel", "travel"]


def test_alternates_add_refuses_a_file_that_is_not_proposals(tmp_path):
    source = write_jsonl(tmp_path / "faqs.jsonl", ROWS)
    (tmp_path / "bad.jsonl").write_text('{"faq_id": "renew"}\n', encoding="utf-8")
    run = run_cli("alternates", "add", str(source), str(tmp_path / "bad.jsonl"))
    assert run.returncode == 1 and "bad.jsonl, line 1: expected" in run.stderr and "Traceback" not in run.stderr
    assert read_source(source).entries.alternates() == WANTED  # nothing written
