"""The hosted-dataset workflow end to end: ``faq-engine embed --push``, then search it by repo id.

The CLI runs in subprocesses with ``HF_ENDPOINT`` pointing at a loopback Hub, so
the real huggingface_hub / datasets clients do every request. Each subprocess
loads the model, so there are only a few of them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from faq_engine.faqs.dataset_format import DATA_FILE
from faq_engine.faqs.hub import HubAccess
from faq_engine.faqs.loader import load_bundled, load_faqs
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import Settings
from tests.support.files import write_csv
from tests.support.hub_server import HUB_TOKEN

TOKEN = HUB_TOKEN
QUERY = "How can Medicare help me?"
COUNTS = re.compile(r"Embedded (\d+) text\(s\) with \S+, reused (\d+) from the cache")




@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("hub-cli")


@pytest.fixture(scope="module")
def env(hub, workdir):
    # HF_HOME (a temp dir) and HF_HUB_DISABLE_XET come from conftest via os.environ.
    return {**os.environ, "HF_ENDPOINT": hub.url, "HF_TOKEN": TOKEN, "FAQ_ENGINE_EMBEDDER": "local",
            "FAQ_ENGINE_CACHE_DIR": str(workdir / "embedding-cache"), "PYTHONUNBUFFERED": "1"}


def run(env, *args, code: str | None = None, **extra) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "faq_engine", *args]
    proc = subprocess.run(argv, env={**env, **extra}, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, f"{argv} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc



@pytest.fixture(scope="module")
def rows(embedder):
    return [{"id": e.id, "question": e.question, "answer": e.answer, "url": e.url}
            for e in load_bundled("medicare", embedder).entries]


@pytest.fixture(scope="module")
def pushed(env, workdir, rows):
    """``faq-engine embed faqs.csv --output out/ --push user/faqs``, run once for the module."""
    src = write_csv(workdir / "faqs.csv", rows)
    return run(env, "embed", str(src), "--output", str(workdir / "out"), "--push", "user/faqs")


def counts(proc) -> tuple[int, int]:
    match = COUNTS.search(proc.stdout)
    assert match, proc.stdout
    return int(match[1]), int(match[2])


def test_embed_push_writes_and_uploads_the_dataset(pushed, hub, workdir):
    assert counts(pushed) == (26, 0)  # each FAQ's question, and its question with the answer
    repo = hub.state.repos[("dataset", "user/faqs")]
    files = repo.commits[repo.branches["main"]]
    assert {DATA_FILE, "README.md"} <= set(files)
    assert files[DATA_FILE].data == (workdir / "out" / DATA_FILE).read_bytes()
    assert f"commit {repo.branches['main']}" in pushed.stdout


def test_search_by_repo_id_matches_the_bundled_set(pushed, env, embedder):
    proc = run(env, "search", QUERY, "--dataset", "user/faqs", "--json", "-k", "13")
    hosted = json.loads(proc.stdout)
    # The CLI ranks with the default method (no --method given): so does the reference.
    bundled = MemoryEngine(load_bundled("medicare", embedder), embedder, method=Settings().method).search(QUERY, 13)
    assert [h["id"] for h in hosted] == [h.id for h in bundled]
    np.testing.assert_allclose([h["score"] for h in hosted], [h.score for h in bundled], rtol=0, atol=1e-6)


def test_plain_datasets_loads_the_pushed_dataset(pushed, env, rows, embedder):
    code = """if True:
        import json, sys
        from datasets import load_dataset
        ds = load_dataset("user/faqs", split="train")
        rows = ds[:]
        print(json.dumps({"ids": rows["id"], "feature": str(ds.features["embedding"]),
                          "embedding": rows["embedding"], "faq_engine": any(m.startswith("faq_engine") for m in sys.modules)}))
    """
    out = json.loads(run(env, code=code).stdout.strip().splitlines()[-1])
    assert out["ids"] == [r["id"] for r in rows] and out["faq_engine"] is False
    assert out["feature"] == "List(Value('float32'), length=384)"
    assert {len(v) for v in out["embedding"]} == {384}
    np.testing.assert_allclose(out["embedding"], load_bundled("medicare", embedder).embeddings, atol=1e-6)


def test_re_embedding_after_an_edit_embeds_one_text(pushed, env, workdir, rows, hub):
    edited = [dict(r) for r in rows]
    edited[3]["question"] = "How do I enroll in Medicare?"
    src = write_csv(workdir / "faqs-edited.csv", edited)
    proc = run(env, "embed", str(src), "--output", str(workdir / "out-edited"), "--push", "user/faqs-edited")
    assert counts(proc) == (2, 24)  # the edited FAQ's two texts
    repo = hub.state.repos[("dataset", "user/faqs-edited")]
    table = pq.read_table(pa.BufferReader(repo.commits[repo.branches["main"]][DATA_FILE].data))
    assert table.column("question").to_pylist()[3] == "How do I enroll in Medicare?"


def test_with_the_api_embedder_only_the_changed_text_is_sent(pushed, env, workdir, rows, embedder):
    from tests.support.api_server import FakeInferenceApi

    edited = [dict(r) for r in rows]
    edited[9]["question"] = "What parts does Medicare have?"
    src = write_csv(workdir / "faqs-api.csv", edited)
    with FakeInferenceApi(embedder.embed) as api:
        proc = run(env, "embed", str(src), "--output", str(workdir / "out-api"), "--no-progress",
                   "--embedder", "api", "--api-url", api.url)
        sent = [text for seen in api.seen for text in seen.inputs]
    # The default embeds the question, and the question with its answer: both changed.
    changed = ["What parts does Medicare have?", f"What parts does Medicare have? {edited[9]['answer']}"]
    assert sorted(sent) == sorted(changed)
    assert counts(proc) == (2, 24)
    faqs = load_faqs(workdir / "out-api", embedder)
    fresh = embedder.embed(changed)
    np.testing.assert_allclose(faqs.embeddings[9], 0.25 * fresh[0] + 0.75 * fresh[1], atol=1e-5)


def test_offline_mode_serves_the_cached_copy_and_says_so(pushed, env, hub, embedder):
    load_faqs("user/faqs", embedder, hub=HubAccess(endpoint=hub.url))  # the first load caches it (same HF_HOME)
    proc = run(env, "search", QUERY, "--dataset", "user/faqs", "--json", HF_HUB_OFFLINE="1")
    assert "cached copy" in proc.stderr and "offline mode is on" in proc.stderr
    bundled = MemoryEngine(load_bundled("medicare", embedder), embedder, method=Settings().method).search(QUERY)
    assert [h["id"] for h in json.loads(proc.stdout)] == [h.id for h in bundled]


def test_a_hub_dataset_id_is_a_valid_embed_input(pushed, env, workdir, rows):
    proc = run(env, "embed", "user/faqs", "--output", str(workdir / "from-hub"), "--no-progress")
    assert counts(proc) == (0, 26)  # same texts, same model: everything comes from the cache
    table = pq.read_table(workdir / "from-hub" / DATA_FILE)
    assert table.column("question").to_pylist() == [r["question"] for r in rows]
