"""What a visitor of the public app, or a careless user of the CLI, must not be able to do."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import gradio as gr
import numpy as np
import pytest
from huggingface_hub import HfApi

from faq_engine.embedders.cache import CachedEmbedder, EmbeddingCache
from faq_engine.embedders.inference_api import InferenceApiEmbedder
from faq_engine.errors import ConfigError, DatasetError, InvalidQueryError
from faq_engine.faqs.dataset_format import DatasetMeta
from faq_engine.faqs.hub import HubAccess, push_dataset
from faq_engine.faqs.limits import ReadLimits
from faq_engine.faqs.loader import load_bundled, load_faqs
from faq_engine.faqs.source import Source
from faq_engine.faqs.writer import write_dataset
from faq_engine.retry import RetryPolicy
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import Settings
from faq_engine.ui.handlers import DemoHandlers
from faq_engine.ui.render import make_corpus
from faq_engine.ui.sessions import SessionStore
from tests.support.api_server import FakeInferenceApi
from tests.support.cli import run_cli
from tests.support.env import env_settings
from tests.support.fakes import HashEmbedder
from tests.support.hub_server import LoopbackHub
from tests.support.tutorial import TUTORIAL_QUERY

OWNER_TOKEN = "hf_loopback_space_owner_secret"



# -- a revision is data, never a path ---------------------------------------------------------------

@pytest.mark.parametrize("revision", ["/etc", "../../..", "..", "main/../../x", "-rf", "a\nb", "x" * 300, "v 1", "é"])
def test_a_revision_is_checked_as_the_hub_checks_it(revision):
    with pytest.raises(DatasetError, match="not a valid revision"):
        Source.hub(f"user/faqs@{revision}")


@pytest.mark.parametrize("text", ["user/x/y", "../etc", "/etc/passwd", "user/" + "x" * 97, "üser/faqs", "user/fäqs",
                                  "user/a--b", "user/a..b", "user/.hidden", "user/"])
def test_a_repo_id_is_checked_as_the_hub_checks_it(text):
    with pytest.raises(DatasetError, match="not a Hub dataset id"):
        Source.hub(text)


def test_good_ids_and_revisions_parse():
    source = Source.hub("user/faqs@refs/pr/1")
    assert (source.kind, source.repo_id, source.revision) == ("hub", "user/faqs", "refs/pr/1")
    assert Source.hub("a/b@" + "0" * 40).revision == "0" * 40


@pytest.mark.parametrize("revision", ["{folder}", "../../..", "../../../../../../{folder_rel}"])
def test_offline_a_revision_never_reads_a_file_or_folder(revision, tmp_path):
    (tmp_path / "secrets.csv").write_text("question,answer\nWhat is the root password?,hunter2\n")
    pointer = tmp_path / "pointer"
    pointer.write_text(str(tmp_path))  # what the offline cache lookup would have followed
    folder_rel = os.path.relpath(pointer, "/").replace(os.sep, "/")
    bad = revision.format(folder=pointer, folder_rel=folder_rel)
    run = run_cli("search", TUTORIAL_QUERY, "--dataset", f"user/x@{bad}", env={"HF_HUB_OFFLINE": "1"})
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "not a valid revision" in run.stderr and "hunter2" not in run.stdout + run.stderr


# -- the app reads Hub datasets as the visitor, never with the server's token ----------------------

@pytest.fixture(scope="module")
def private_hub(embedder, tmp_path_factory):
    with LoopbackHub({OWNER_TOKEN: "owner"}) as hub:
        bundled = load_bundled("medicare", embedder)
        folder = tmp_path_factory.mktemp("private")
        meta = DatasetMeta(bundled.model_id, embedder.dim, True, bundled.fields, len(bundled), "test")
        write_dataset(folder, bundled.entries, bundled.embeddings, meta, "Owner's private FAQs")
        push_dataset(folder, "owner/private-faqs", access=HubAccess(OWNER_TOKEN, hub.url), private=True)
        yield hub


def owner_app(embedder, hub) -> DemoHandlers:
    """The app's handlers as a Space runs them: the owner's token is the server's ``HF_TOKEN``."""
    faqs = load_bundled("medicare", embedder)
    settings = dataclasses.replace(env_settings(), token=OWNER_TOKEN, hub_endpoint=hub.url if hub else None)
    return DemoHandlers(make_corpus(faqs, MemoryEngine(faqs, embedder), "bundled"), settings)


def test_a_visitor_cannot_read_the_owners_private_dataset(private_hub, embedder):
    handlers = owner_app(embedder, private_hub)
    said = handlers.load_hub("owner/private-faqs", "", progress=lambda *a, **k: None)[1]
    assert "was not found on the Hub, or it is private" in said and len(handlers.sessions) == 0


def test_a_visitor_with_their_own_token_can_load_it_for_the_session(private_hub, embedder):
    handlers = owner_app(embedder, private_hub)
    key, note, *_ = handlers.load_hub("owner/private-faqs", OWNER_TOKEN, progress=lambda *a, **k: None)
    assert handlers.corpus(key).size == 13 and "Loaded" in note
    assert handlers.settings.token == OWNER_TOKEN  # nothing the visitor typed was kept in the settings


# -- a visitor's data lives as long as their session, and is bounded ------------------------------

def test_an_upload_is_freed_when_its_session_ends(embedder, tmp_path):
    handlers = owner_app(embedder, None)
    upload = tmp_path / "pets.csv"
    upload.write_text("question,answer\nHow often should I feed my cat?,Twice a day.\n", encoding="utf-8")
    visitor = gr.Request(session_hash="visitor-1")
    key, *_ = handlers.load_file(str(upload), request=visitor, progress=lambda *a, **k: None)
    assert key == "visitor-1" and len(handlers.sessions) == 1
    assert handlers.search_event("feeding my cat", 1, key)[0][0]["question"] == "How often should I feed my cat?"
    handlers.end_session(visitor)
    assert len(handlers.sessions) == 0
    assert handlers.search_event(TUTORIAL_QUERY, 1, key)[0][0]["id"] == "8"  # back to the default set


def test_sessions_with_their_own_data_are_bounded_in_number_and_in_faqs_held():
    store = SessionStore(capacity=2)
    for key in ("a", "b", "c"):
        store.put(key, object())
    assert len(store) == 2 and store.get("a") is None and store.get("c") is not None
    assert store.was_dropped("a") and not store.was_dropped("c") and not store.was_dropped("never")
    sized = SessionStore(capacity=100, weigh=len, budget=10)
    for key in "abcde":  # small sets: all fit
        sized.put(key, [0] * 2)
    assert len(sized) == 5
    sized.put("big", [0] * 8)  # the oldest go until the FAQs held fit the budget again
    assert len(sized) == 2 and sized.get("e") is not None and sized.was_dropped("a") and sized.was_dropped("d")
    sized.put("a", [0])  # a visitor who uploads again is no longer "dropped"
    assert not sized.was_dropped("a")


def test_a_visitor_whose_set_was_unloaded_is_told_so(embedder, tmp_path):
    import faq_engine.ui.handlers as handlers_module

    handlers = owner_app(embedder, None)
    handlers.sessions.budget = 1  # one FAQ held at most: the next visitor's upload unloads the first one's
    upload = tmp_path / "pets.csv"
    upload.write_text("question,answer\nHow often should I feed my cat?,Twice a day.\n", encoding="utf-8")
    first, second = gr.Request(session_hash="first"), gr.Request(session_hash="second")
    key = handlers.load_file(str(upload), request=first, progress=lambda *a, **k: None)[0]
    handlers.load_file(str(upload), request=second, progress=lambda *a, **k: None)
    hits, shown = handlers.search_event(TUTORIAL_QUERY, 1, key)
    assert hits[0]["id"] == "8"  # the default set answers
    message = handlers.show_event(shown)[0]
    assert "Your FAQ set was unloaded" in message and "medicare FAQs" in message
    assert handlers_module.SET_BUDGET == 16 * 20_000


# -- questions are bounded, and a long one is said to be cut ---------------------------------------

def test_a_huge_question_is_refused_at_once(embedder):
    handlers = owner_app(embedder, None)
    with pytest.raises(InvalidQueryError, match="10,000,000 characters long: ask in at most 20,000"):
        handlers.search("why " * 2_500_000, 5, None)


def test_a_long_question_is_answered_and_said_to_be_cut(embedder):
    question = "I would like to understand my options in some detail. " * 40 + TUTORIAL_QUERY
    answer = MemoryEngine(load_bundled("medicare", embedder), embedder).answer(question, 3)
    assert answer.characters_read is not None and 800 < answer.characters_read < len(question) - 500
    assert MemoryEngine(load_bundled("medicare", embedder), embedder).answer(TUTORIAL_QUERY).characters_read is None
    run = run_cli("search", question)
    assert run.returncode == 0 and f"read only its first {answer.characters_read:,} characters" in run.stderr


# -- what a load may fetch and embed is bounded ----------------------------------------------------

@pytest.fixture(scope="module")
def mixed_hub():
    """A dataset repo holding a small FAQ file beside a large unrelated one, and one with too large a FAQ file."""
    with LoopbackHub({OWNER_TOKEN: "owner"}) as hub:
        api = HfApi(endpoint=hub.url, token=OWNER_TOKEN)
        csv = b"question,answer\nHow often should I feed my cat?,Twice a day.\n"
        for repo, files in (("owner/mixed", {"faqs.csv": csv, "weights.bin": b"\0" * 3_000_000}),
                            ("owner/huge", {"faqs.csv": csv + b"Filler?," + b"x" * 2_000_000 + b"\n"})):
            api.create_repo(repo, repo_type="dataset")
            for name, data in files.items():
                api.upload_file(path_or_fileobj=data, path_in_repo=name, repo_id=repo, repo_type="dataset")
        yield hub


def test_only_the_faq_files_of_a_hub_dataset_are_downloaded(mixed_hub):
    faqs = load_faqs("owner/mixed", HashEmbedder(), hub=HubAccess(endpoint=mixed_hub.url, max_bytes=1_000_000))
    assert [e.question for e in faqs.entries] == ["How often should I feed my cat?"]
    fetched = [path for method, path in mixed_hub.state.requests if method == "GET" and "/resolve/" in path]
    assert fetched and not [p for p in fetched if p.endswith("weights.bin")]


def test_a_hub_dataset_over_the_size_cap_is_refused_before_downloading(mixed_hub):
    with pytest.raises(DatasetError, match="at most 1 MB can be loaded here"):
        load_faqs("owner/huge", HashEmbedder(), hub=HubAccess(endpoint=mixed_hub.url, max_bytes=2**20))
    assert not [p for m, p in mixed_hub.state.requests if "/resolve/" in p and "huge" in p]


def test_too_many_rows_are_refused_before_anything_is_embedded(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("question,answer\n" + "".join(f"Question {i}?,Answer {i}.\n" for i in range(3)), encoding="utf-8")
    fake = HashEmbedder()
    with pytest.raises(DatasetError, match="has 3 FAQs; at most 2 can be loaded here"):
        load_faqs(path, fake, limits=ReadLimits(rows=2))
    assert fake.calls == []


# -- nothing lost: datasets are replaced whole, and a foreign README.md is never overwritten -------

KILL_MID_WRITE = """
import os, signal, sys, threading, time
import numpy as np
from faq_engine.faqs.dataset_format import DATA_FILE, DatasetMeta
from faq_engine.faqs.writer import write_dataset
from faq_engine.faqs.entry import FaqEntry
folder = sys.argv[1]
entries = [FaqEntry(str(i), f"Question {i}?", "An answer. " * 20) for i in range(200_000)]
vectors = np.random.default_rng(0).random((len(entries), 384), dtype=np.float32)
meta = DatasetMeta("sentence-transformers/all-MiniLM-L6-v2", 384, True, "question", len(entries), "test")
def watch():
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        staged = [os.path.join(d, n) for d, _, names in os.walk(folder) for n in names if "/." in d + "/" + n]
        if any(os.path.getsize(p) > 0 for p in staged if os.path.exists(p)):
            os.kill(os.getpid(), signal.SIGKILL)  # as a kill -9 or a power cut would, mid-write
        time.sleep(0.001)
threading.Thread(target=watch, daemon=True).start()
write_dataset(folder, entries, vectors, meta, "big")
"""


def test_a_write_killed_midway_leaves_the_previous_dataset_whole(embedder, tmp_path):
    bundled = load_bundled("medicare", embedder)
    meta = DatasetMeta(bundled.model_id, embedder.dim, True, bundled.fields, len(bundled), "test")
    write_dataset(tmp_path, bundled.entries, bundled.embeddings, meta, "Medicare")
    killed = subprocess.run([sys.executable, "-c", KILL_MID_WRITE, str(tmp_path)], capture_output=True, timeout=120)
    assert killed.returncode == -9
    again = load_faqs(tmp_path, embedder)
    assert [e.id for e in again.entries] == [e.id for e in bundled.entries]


def test_a_foreign_readme_is_never_overwritten(tmp_path):
    (tmp_path / "faqs.csv").write_text("question,answer\nHow often should I feed my cat?,Twice a day.\n")
    (tmp_path / "README.md").write_text("# My project\n\nNotes I care about.\n")
    run = run_cli("embed", str(tmp_path / "faqs.csv"), "-o", str(tmp_path), "--no-progress")
    assert run.returncode == 1 and "is not a faq-engine dataset card" in run.stderr
    assert (tmp_path / "README.md").read_text() == "# My project\n\nNotes I care about.\n"


def test_an_output_that_cannot_be_written_is_a_clear_error(tmp_path):
    (tmp_path / "faqs.csv").write_text("question,answer\nHow often should I feed my cat?,Twice a day.\n")
    (tmp_path / "blocked").write_text("a file, not a folder")
    run = run_cli("embed", str(tmp_path / "faqs.csv"), "-o", str(tmp_path / "blocked" / "out"), "--no-progress")
    assert run.returncode == 1 and "Cannot write the dataset to" in run.stderr and "Traceback" not in run.stderr


# -- hostile or broken input: a clear error, never a traceback --------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("quote.csv", 'question,answer\n"How do I x?,Do y.\nWhat is z?,It is z.\n', "unexpected end of data"),
    ("extra.csv", "q,a\nHow do I x?,Do y.,surplus\n", "more fields than the header"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("lines.jsonl", '{"question": "a\u2028b?", "answer": "x"}\n{"question": "c?"\n', "line 2: not valid JSON"),
])
def test_broken_files_say_what_is_wrong(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_faqs(path, HashEmbedder())


def test_a_parquet_embedding_column_of_strings_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"question": ["How?"], "answer": ["So."], "embedding": ["0.1, 0.2"]})
    pq.write_table(table, tmp_path / "faqs.parquet")
    with pytest.raises(DatasetError, match="holds string, not lists of numbers"):
        load_faqs(tmp_path / "faqs.parquet", HashEmbedder())


def test_all_zero_vectors_are_refused(embedder, tmp_path):
    bundled = load_bundled("medicare", embedder)
    vectors = bundled.embeddings.copy()
    vectors[3] = 0.0
    meta = DatasetMeta(bundled.model_id, embedder.dim, True, bundled.fields, len(bundled), "test")
    write_dataset(tmp_path, bundled.entries, vectors, meta, "Medicare")
    with pytest.raises(DatasetError, match=r"row\(s\) 4 are all zeros"):
        load_faqs(tmp_path, embedder)


def test_argv_that_is_not_utf8_is_a_usage_error():
    run = subprocess.run([sys.executable, "-m", "faq_engine", "search", b"caf\xe9 \xff"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2 and "the query argument is not valid UTF-8" in run.stderr
    assert "Traceback" not in run.stderr


def test_an_api_url_with_an_impossible_port_is_a_config_error():
    run = run_cli("search", TUTORIAL_QUERY, "--embedder", "api", "--api-url", "http://127.0.0.1:99999/embed")
    assert run.returncode == 1 and "valid host and port" in run.stderr and "Traceback" not in run.stderr


def test_terminal_escape_codes_in_faq_text_are_not_printed_raw(tmp_path):
    path = tmp_path / "faqs.csv"
    path.write_text('question,answer\n"How do I pay?\x1b[2J\x1b]0;pwned\x07",By card.\n', encoding="utf-8")
    run = run_cli("search", "pay", "--dataset", str(path))
    assert run.returncode == 0, run.stderr
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout and "How do I pay?" in run.stdout


def test_upload_errors_name_the_file_not_the_servers_path(embedder, tmp_path):
    upload = tmp_path / "gradio-temp-8f2e" / "mine.csv"
    upload.parent.mkdir()
    upload.write_text("q,a\nHow?,So.\n", encoding="utf-8")
    said = owner_app(embedder, None).load_file(str(upload), progress=lambda *a, **k: None)[1]
    assert "mine.csv" in said and "gradio-temp-8f2e" not in said


def test_a_secret_pasted_into_a_number_setting_is_not_echoed(tmp_path):
    with pytest.raises(ConfigError, match="FAQ_ENGINE_API_BATCH_SIZE") as info:
        Settings.from_env({"HF_HOME": str(tmp_path), "FAQ_ENGINE_API_BATCH_SIZE": "hf_pastedSecret123456"})
    assert "pastedSecret" not in str(info.value)


# -- vectors from another model are never trusted as the model's own ------------------------------

def other_model(texts):
    """A different 384-dimensional model: same shape as all-MiniLM-L6-v2, another vector space."""
    return HashEmbedder("someone/other-384d-model", 384).embed(texts)


def test_a_card_that_lies_about_the_model_is_caught_and_re_embedded(embedder, tmp_path):
    bundled = load_bundled("medicare", embedder, fields="question")
    meta = DatasetMeta(embedder.model_id, 384, True, "question", len(bundled), "test")  # the lie
    write_dataset(tmp_path, bundled.entries, other_model([e.question for e in bundled.entries]), meta, "liar")
    faqs = load_faqs(tmp_path, embedder)
    assert any("another model made them; re-embedded" in note for note in faqs.notes)
    np.testing.assert_allclose(faqs.embeddings, bundled.embeddings, atol=1e-5)
    assert MemoryEngine(faqs, embedder, method="dense").search(TUTORIAL_QUERY, 1)[0].score > 0.7


def test_an_endpoint_serving_another_model_never_poisons_the_local_cache(embedder, tmp_path):
    with FakeInferenceApi(other_model) as server:
        api = InferenceApiEmbedder(server.url, None, policy=RetryPolicy(max_attempts=1))
        CachedEmbedder(api, EmbeddingCache.in_dir(tmp_path)).embed([TUTORIAL_QUERY])  # cached as the API's
    local = CachedEmbedder(embedder, EmbeddingCache.in_dir(tmp_path))
    np.testing.assert_allclose(local.embed([TUTORIAL_QUERY]), embedder.embed([TUTORIAL_QUERY]), atol=1e-6)
    assert local.stats.embedded == 1  # the API's vector was not taken as the model's


def test_loads_run_beside_searches_and_two_at_a_time(embedder):
    from faq_engine.ui.demo import DEFAULT_CONCURRENCY, build_demo

    bundled = load_bundled("medicare", embedder)
    demo = build_demo(MemoryEngine(bundled, embedder), env_settings())
    events = {fn.api_name: fn for fn in demo.fns.values()}
    loads = [events[name] for name in ("load_hub", "load_file", "use_default")]
    assert {(fn.concurrency_id, fn.concurrency_limit) for fn in loads} == {("load", 2)}
    search = events["search"]  # its own queue: a visitor's long upload never holds another's search
    assert search.concurrency_id != "load" and demo._queue.default_concurrency_limit == DEFAULT_CONCURRENCY
