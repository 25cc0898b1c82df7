"""What a visitor of the public app, or a careless user of the CLI, must not be able to do."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from conftest import TUTORIAL_QUERY, env_settings
from hub_server import LoopbackHub

from faq_engine.errors import DatasetError, HubNotFoundError
from faq_engine.faqs.dataset_format import DatasetMeta, write_dataset
from faq_engine.faqs.hub import HubAccess, push_dataset
from faq_engine.faqs.loader import load_bundled
from faq_engine.faqs.source import Source
from faq_engine.search.engine import SearchEngine
from faq_engine.ui.handlers import DemoHandlers
from faq_engine.ui.render import make_corpus

OWNER_TOKEN = "hf_loopback_space_owner_secret"


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "faq_engine", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


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
    run = run_cli("search", TUTORIAL_QUERY, "--dataset", f"user/x@{bad}", HF_HUB_OFFLINE="1")
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
    settings = dataclasses.replace(env_settings(), token=OWNER_TOKEN, hub_endpoint=hub.url)
    return DemoHandlers(make_corpus(faqs, SearchEngine(faqs, embedder), "bundled"), settings)


def test_a_visitor_cannot_read_the_owners_private_dataset(private_hub, embedder):
    with pytest.raises(HubNotFoundError, match="was not found on the Hub, or it is private"):
        owner_app(embedder, private_hub).load_hub("owner/private-faqs", "", progress=lambda *a, **k: None)


def test_a_visitor_with_their_own_token_can_load_it_for_the_session(private_hub, embedder):
    handlers = owner_app(embedder, private_hub)
    corpus, note, *_ = handlers.load_hub("owner/private-faqs", OWNER_TOKEN, progress=lambda *a, **k: None)
    assert len(corpus.faqs) == 13 and "Loaded" in note
    assert handlers.settings.token == OWNER_TOKEN  # nothing the visitor typed was kept in the settings
