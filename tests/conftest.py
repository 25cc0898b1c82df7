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

import pytest  # noqa: E402

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.embedders.torch_runtime import SentenceTransformersEmbedder  # noqa: E402
from tests.support.env import env_settings  # noqa: E402
from tests.support.hub_server import HUB_TOKEN, OTHER_TOKEN, LoopbackHub  # noqa: E402


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


@pytest.fixture(scope="module")
def hub():
    """A loopback server speaking the Hub's protocol (``HF_ENDPOINT``), with ``HUB_TOKEN`` for the user "user"
    and ``OTHER_TOKEN`` for someone else; one per test module."""
    with LoopbackHub({HUB_TOKEN: "user", OTHER_TOKEN: "other"}) as server:
        yield server
