"""Push and load FAQ datasets with the real huggingface_hub client against a loopback Hub.

The client is pointed at the server with an explicit ``endpoint`` (it reads
``HF_ENDPOINT`` only at import, which happened before this module). The CLI and
offline-mode runs, which need the environment, live in test_hub_cli.py.
"""

from __future__ import annotations

import socket

import numpy as np
import pytest

from faq_engine import __version__
from faq_engine.cli.errors import describe as cli_words
from faq_engine.errors import HubAuthError, HubNotFoundError, HubUnavailableError
from faq_engine.faqs.dataset_format import CARD_FILE, DATA_FILE, DatasetMeta
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.hub import HubAccess, push_dataset
from faq_engine.faqs.loader import load_bundled, load_faqs
from faq_engine.faqs.source import split_revision
from faq_engine.faqs.writer import write_dataset
from tests.support.hub_server import HUB_TOKEN, OTHER_TOKEN

TOKEN = HUB_TOKEN




@pytest.fixture(scope="module")
def bundled(embedder):
    return load_bundled("medicare", embedder, fields="question")  # what push() says the vectors embed


def push(hub, folder, repo_id, entries, vectors, *, private=False, token=TOKEN):
    meta = DatasetMeta("sentence-transformers/all-MiniLM-L6-v2", 384, True, "question", len(entries), __version__)
    write_dataset(folder, entries, vectors, meta, "test", repo_id)
    return push_dataset(folder, repo_id, private=private, access=HubAccess(token, hub.url))


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more: connection refused


def test_push_then_load_round_trip(hub, bundled, embedder, tmp_path):
    result = push(hub, tmp_path / "out", "user/medicare", bundled.entries, bundled.embeddings)
    repo = hub.state.repos[("dataset", "user/medicare")]
    files = repo.commits[repo.branches["main"]]
    assert result.commit == repo.branches["main"] and result.url.endswith("/datasets/user/medicare")
    assert files[DATA_FILE].lfs and not files[CARD_FILE].lfs  # Parquet went through git-LFS
    faqs = load_faqs("user/medicare", embedder, hub=HubAccess(endpoint=hub.url))
    assert faqs.entries == bundled.entries and faqs.notes == ()
    np.testing.assert_allclose(faqs.embeddings, bundled.embeddings, rtol=0, atol=1e-7)


def test_a_revision_pins_the_old_data(hub, bundled, embedder, tmp_path):
    first = push(hub, tmp_path / "v1", "user/revisions", bundled.entries, bundled.embeddings)
    edited = list(bundled.entries)
    edited[0] = FaqEntry(edited[0].id, "How do I replace a lost Medicare card?", edited[0].answer, edited[0].url)
    second = push(hub, tmp_path / "v2", "user/revisions", edited, embedder.embed([e.question for e in edited]))
    assert first.commit != second.commit
    old = load_faqs(f"user/revisions@{first.commit}", embedder, hub=HubAccess(endpoint=hub.url))
    new = load_faqs("user/revisions", embedder, hub=HubAccess(endpoint=hub.url))
    assert old.entries[0] == bundled.entries[0] and new.entries[0] == edited[0]


def test_unknown_revision_and_unknown_repo(hub, bundled, embedder, tmp_path):
    push(hub, tmp_path / "out", "user/known", bundled.entries, bundled.embeddings)
    with pytest.raises(HubNotFoundError, match=r"'user/known' has no revision 'v9'"):
        load_faqs("user/known@v9", embedder, hub=HubAccess(endpoint=hub.url))
    with pytest.raises(HubNotFoundError, match=r"'user/never-pushed' was not found"):
        load_faqs("user/never-pushed", embedder, hub=HubAccess(endpoint=hub.url))


def test_private_repo_needs_a_token(hub, bundled, embedder, tmp_path):
    push(hub, tmp_path / "out", "user/secret", bundled.entries, bundled.embeddings, private=True)
    assert hub.state.repos[("dataset", "user/secret")].private
    with pytest.raises(HubNotFoundError, match="or it is private") as err:
        load_faqs("user/secret", embedder, hub=HubAccess(endpoint=hub.url))
    assert "HF_TOKEN" in cli_words(err.value) and TOKEN not in cli_words(err.value)
    with pytest.raises(HubNotFoundError, match="your token cannot read it"):  # nor can another user's token
        load_faqs("user/secret", embedder, hub=HubAccess(OTHER_TOKEN, hub.url))
    with pytest.raises(HubAuthError, match="refused the token"):
        load_faqs("user/secret", embedder, hub=HubAccess("hf_invalid", hub.url))
    faqs = load_faqs("user/secret", embedder, hub=HubAccess(TOKEN, hub.url))
    assert faqs.entries == bundled.entries


def test_push_needs_a_valid_write_token(hub, bundled, tmp_path):
    with pytest.raises(HubAuthError, match="needs a token with write access") as missing:
        push(hub, tmp_path / "a", "user/nope", bundled.entries, bundled.embeddings, token=None)
    assert "HF_TOKEN" in cli_words(missing.value)
    with pytest.raises(HubAuthError, match="refused the token") as err:
        push(hub, tmp_path / "b", "user/nope", bundled.entries, bundled.embeddings, token="hf_invalid")
    assert "hf_invalid" not in str(err.value)
    with pytest.raises(HubAuthError, match="cannot write"):
        push(hub, tmp_path / "c", "user/nope", bundled.entries, bundled.embeddings, token=OTHER_TOKEN)
    assert ("dataset", "user/nope") not in hub.state.repos


def test_unreachable_hub_serves_the_cached_copy_and_says_so(hub, bundled, embedder, tmp_path):
    push(hub, tmp_path / "out", "user/cached", bundled.entries, bundled.embeddings)
    load_faqs("user/cached", embedder, hub=HubAccess(endpoint=hub.url))  # puts it in the Hugging Face cache
    down = closed_port_url()
    faqs = load_faqs("user/cached", embedder, hub=HubAccess(endpoint=down))
    assert faqs.entries == bundled.entries
    assert any("cached copy" in n and "could not be reached" in n for n in faqs.notes)
    with pytest.raises(HubUnavailableError, match="no copy of it is cached"):
        load_faqs("user/uncached", embedder, hub=HubAccess(endpoint=down))


def test_a_raw_hub_dataset_is_embedded_on_load(hub, embedder, tmp_path):
    from huggingface_hub import HfApi

    api = HfApi(endpoint=hub.url, token=TOKEN)
    api.create_repo("user/raw", repo_type="dataset")
    csv_text = "question,answer\nHow do I get a new card?,Ask online.\nWhat does Part B cover?,Doctor visits.\n"
    api.upload_file(path_or_fileobj=csv_text.encode(), path_in_repo="faqs.csv", repo_id="user/raw", repo_type="dataset")
    faqs = load_faqs("user/raw", embedder, hub=HubAccess(endpoint=hub.url), cache_dir=tmp_path / "cache")
    assert [e.id for e in faqs.entries] == ["0", "1"]
    assert faqs.fields == "both"  # the default for data without stored vectors
    questions = embedder.embed(["How do I get a new card?", "What does Part B cover?"])
    both = embedder.embed(["How do I get a new card? Ask online.", "What does Part B cover? Doctor visits."])
    np.testing.assert_allclose(faqs.embeddings, 0.25 * questions + 0.75 * both, atol=1e-6)


@pytest.mark.parametrize("source, expected", [("user/faqs", ("user/faqs", None)), ("user/faqs@v2", ("user/faqs", "v2")),
                                              ("user/faqs@refs/pr/1", ("user/faqs", "refs/pr/1"))])
def test_split_revision(source, expected):
    assert split_revision(source) == expected


def test_private_flag_on_an_existing_public_repo_is_reported(hub, bundled, tmp_path):
    push(hub, tmp_path / "a", "user/public", bundled.entries, bundled.embeddings)
    result = push(hub, tmp_path / "b", "user/public", bundled.entries, bundled.embeddings, private=True)
    assert not hub.state.repos[("dataset", "user/public")].private
    assert any("is public" in n for n in result.notes)
