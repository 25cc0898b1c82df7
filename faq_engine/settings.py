"""Settings: the one place where faq-engine reads environment variables.

Library functions take explicit arguments; only :meth:`Settings.from_env` looks
at ``os.environ`` (or a mapping passed in, which keeps tests hermetic).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from .errors import ConfigError

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDER_CHOICES = ("auto", "local", "api")
LOCAL_RUNTIME_CHOICES = ("onnx", "sentence-transformers")
FIELDS_CHOICES = ("question", "question+answer")
# Embedding the answer too ranks real user questions better (see README, "Retrieval quality");
# `--fields question` is the tutorial's setting.
DEFAULT_FIELDS = "question+answer"
METHOD_CHOICES = ("dense", "bm25", "hybrid")
DEFAULT_METHOD = "hybrid"  # best overall on the dev sets: see faq_engine/hybrid.py
DEFAULT_DATASET = "medicare"


def router_url(model_id: str) -> str:
    """Today's serverless feature-extraction URL for ``model_id``."""
    return f"https://router.huggingface.co/hf-inference/models/{model_id}/pipeline/feature-extraction"


def _default_cache_dir(environ: Mapping[str, str]) -> Path:
    xdg = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "faq-engine"


def _saved_token_path(environ: Mapping[str, str]) -> Path:
    # Mirrors huggingface_hub's constants: HF_TOKEN_PATH, else $HF_HOME/token.
    if environ.get("HF_TOKEN_PATH"):
        return Path(environ["HF_TOKEN_PATH"]).expanduser()
    xdg = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    hf_home = environ.get("HF_HOME") or os.path.join(xdg, "huggingface")
    return Path(hf_home).expanduser() / "token"


def _read_saved_token(environ: Mapping[str, str]) -> str | None:
    try:
        token = _saved_token_path(environ).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return token or None


def _number(environ: Mapping[str, str], name: str, default, cast=float, *,
            valid=lambda v: v > 0, rule: str = "greater than 0"):
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a valid number") from None
    if not valid(value):
        raise ConfigError(f"{name} must be {rule}, got {raw!r}")
    return value


def _choice(environ: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of: {', '.join(choices)}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults that work offline and without a token."""

    embedder: str = "auto"
    model_id: str = MODEL_ID
    api_url: str | None = None
    token: str | None = field(default=None, repr=False)
    dataset: str = DEFAULT_DATASET
    fields: str | None = None  # None: the dataset's own choice, else DEFAULT_FIELDS
    method: str = DEFAULT_METHOD
    cache_dir: Path = field(default_factory=lambda: _default_cache_dir(os.environ))
    api_batch_size: int = 32
    api_max_attempts: int = 5
    api_deadline: float = 120.0
    api_connect_timeout: float = 5.0
    api_read_timeout: float = 60.0
    api_max_wait: float = 30.0  # cap on a server-suggested wait (Retry-After, estimated_time)
    api_concurrency: int = 4  # batches in flight at once
    threshold: float | None = None
    local_runtime: str = "onnx"  # how the local model runs: ONNX Runtime, or sentence-transformers on torch

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from environment variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        token = (env.get("HF_TOKEN") or "").strip() or _read_saved_token(env)
        cache = env.get("FAQ_ENGINE_CACHE_DIR")
        return cls(
            embedder=_choice(env, "FAQ_ENGINE_EMBEDDER", "auto", EMBEDDER_CHOICES),
            model_id=env.get("FAQ_ENGINE_MODEL_ID") or MODEL_ID,
            api_url=env.get("FAQ_ENGINE_API_URL") or None,
            token=token,
            dataset=env.get("FAQ_ENGINE_DATASET") or DEFAULT_DATASET,
            fields=_choice(env, "FAQ_ENGINE_FIELDS", "", ("",) + FIELDS_CHOICES) or None,
            method=_choice(env, "FAQ_ENGINE_METHOD", DEFAULT_METHOD, METHOD_CHOICES),
            cache_dir=Path(cache).expanduser() if cache else _default_cache_dir(env),
            api_batch_size=_number(env, "FAQ_ENGINE_API_BATCH_SIZE", 32, int),
            api_max_attempts=_number(env, "FAQ_ENGINE_API_MAX_ATTEMPTS", 5, int),
            api_deadline=_number(env, "FAQ_ENGINE_API_DEADLINE", 120.0),
            api_connect_timeout=_number(env, "FAQ_ENGINE_API_CONNECT_TIMEOUT", 5.0),
            api_read_timeout=_number(env, "FAQ_ENGINE_API_READ_TIMEOUT", 60.0),
            api_max_wait=_number(env, "FAQ_ENGINE_API_MAX_WAIT", 30.0),
            api_concurrency=_number(env, "FAQ_ENGINE_API_CONCURRENCY", 4, int),
            threshold=_number(env, "FAQ_ENGINE_THRESHOLD", None, valid=lambda v: -1.0 <= v <= 1.0,
                              rule="a cosine similarity between -1 and 1"),
            local_runtime=_choice(env, "FAQ_ENGINE_LOCAL_RUNTIME", "onnx", LOCAL_RUNTIME_CHOICES),
        )

    @property
    def embed_fields(self) -> str:
        """The FAQ text to embed when making new vectors."""
        return self.fields or DEFAULT_FIELDS

    @property
    def resolved_api_url(self) -> str:
        """The URL the API embedder posts to: the configured one or the router's."""
        return self.api_url or router_url(self.model_id)

    def with_overrides(self, **changes) -> "Settings":
        """A copy with the non-``None`` values in ``changes`` applied (for CLI flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
