"""Settings are read from the environment in one place, with clear errors."""

from __future__ import annotations

import pytest

from faq_engine.errors import ConfigError
from faq_engine.settings import Settings, router_url


def test_defaults_work_offline_without_a_token(tmp_path):
    s = Settings.from_env({"HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf")})
    assert s.embedder == "auto" and s.token is None and s.dataset == "medicare"
    assert s.resolved_api_url == router_url("sentence-transformers/all-MiniLM-L6-v2")
    assert s.resolved_api_url.startswith("https://router.huggingface.co/hf-inference/models/")


def test_token_from_env_else_saved_login(tmp_path):
    (tmp_path / "token").write_text("hf_saved\n")
    assert Settings.from_env({"HF_HOME": str(tmp_path)}).token == "hf_saved"
    assert Settings.from_env({"HF_HOME": str(tmp_path), "HF_TOKEN": "hf_env"}).token == "hf_env"


def test_token_never_in_repr(tmp_path):
    s = Settings.from_env({"HF_HOME": str(tmp_path), "HF_TOKEN": "hf_secret_value"})
    assert "hf_secret_value" not in repr(s)


def test_overrides_and_env(tmp_path):
    env = {"HF_HOME": str(tmp_path), "FAQ_ENGINE_EMBEDDER": "LOCAL", "FAQ_ENGINE_API_URL": "http://127.0.0.1:9/x",
           "FAQ_ENGINE_CACHE_DIR": str(tmp_path / "c"), "FAQ_ENGINE_THRESHOLD": "0.4"}
    s = Settings.from_env(env)
    assert (s.embedder, s.api_url, s.cache_dir, s.threshold) == ("local", "http://127.0.0.1:9/x", tmp_path / "c", 0.4)
    assert s.resolved_api_url == "http://127.0.0.1:9/x"
    assert s.with_overrides(embedder="api", fields=None).embedder == "api"


@pytest.mark.parametrize(
    ("name", "value"),
    [("FAQ_ENGINE_EMBEDDER", "gpu"), ("FAQ_ENGINE_FIELDS", "answer"), ("FAQ_ENGINE_API_BATCH_SIZE", "lots"),
     ("FAQ_ENGINE_API_READ_TIMEOUT", "-1"), ("FAQ_ENGINE_THRESHOLD", "2")],
)
def test_bad_values_name_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"HF_HOME": str(tmp_path), name: value})
