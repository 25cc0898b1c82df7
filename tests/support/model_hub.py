"""Put the real all-MiniLM-L6-v2 runtime files (from the weights package) on a loopback Hub."""

from __future__ import annotations

from huggingface_hub import CommitOperationAdd, HfApi

from faq_engine.embedders.model_files import HUB_REVISION, RUNTIME_FILES, package_model_dir
from faq_engine.settings import MODEL_ID

from .hub_server import LoopbackHub

OWNER_TOKEN = "hf_loopback_sentence_transformers"  # the model repo's owner on the loopback Hub


def serve_model(hub: LoopbackHub) -> None:
    """Upload the runtime files as ``MODEL_ID`` and make the pinned revision resolve to that commit."""
    hub.state.tokens[OWNER_TOKEN] = MODEL_ID.split("/")[0]
    api = HfApi(endpoint=hub.url, token=OWNER_TOKEN)
    api.create_repo(MODEL_ID, exist_ok=True)
    folder = package_model_dir()
    ops = [CommitOperationAdd(path_in_repo=name, path_or_fileobj=str(folder / name)) for name in RUNTIME_FILES]
    commit = api.create_commit(MODEL_ID, ops, commit_message="all-MiniLM-L6-v2 runtime files").oid
    repo = hub.state.repos[("model", MODEL_ID)]
    repo.commits[HUB_REVISION] = repo.commits[commit]  # the real Hub's commit id names these same files
