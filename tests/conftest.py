"""Shared fixtures. Tests never touch the user's Hugging Face cache or token."""

from __future__ import annotations

import os
import tempfile

# Set before anything imports huggingface_hub/datasets: they read these at import time.
_HF_HOME = tempfile.mkdtemp(prefix="faq-engine-hf-home-")
os.environ["HF_HOME"] = _HF_HOME
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ["HF_UPDATE_DOWNLOAD_COUNTS"] = "0"
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="faq-engine-xdg-cache-")
os.environ["FAQ_ENGINE_CACHE_DIR"] = os.path.join(os.environ["XDG_CACHE_HOME"], "faq-engine")
for _name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "FAQ_ENGINE_API_URL", "FAQ_ENGINE_EMBEDDER",
              "FAQ_ENGINE_DATASET", "FAQ_ENGINE_METHOD", "FAQ_ENGINE_FIELDS", "FAQ_ENGINE_THRESHOLD", "HF_HUB_OFFLINE"):
    os.environ.pop(_name, None)

import dataclasses  # noqa: E402

import pytest  # noqa: E402

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.embedders.torch_runtime import SentenceTransformersEmbedder  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402

TUTORIAL_QUERY = "How can Medicare help me?"
TUTORIAL_IDS = ["8", "7", "3", "9", "10"]
TUTORIAL_SCORES = [0.7565, 0.7419, 0.7253, 0.6736, 0.6505]


def env_settings(**changes) -> Settings:
    """The settings of this test environment (temp caches, no token), with ``changes`` applied."""
    return dataclasses.replace(Settings.from_env(os.environ), **changes)


@pytest.fixture(scope="session")
def embedder():
    """The default local embedder, loaded once for the whole session."""
    e = local_embedder(env_settings())
    e.embed(["warm up"])
    return e


@pytest.fixture(scope="session")
def st_embedder():
    """sentence-transformers on torch: the reference implementation (test oracle)."""
    return SentenceTransformersEmbedder()
