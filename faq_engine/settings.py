"""Settings: the one place where faq-engine reads environment variables.

Library functions take explicit arguments; only :meth:`Settings.from_env` looks
at ``os.environ`` (or a mapping passed in, which keeps tests hermetic).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal, Mapping, get_args

from .errors import ConfigError, header_safe, remember_secret
from .retry import RetryPolicy

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_DIM = 384  # all-MiniLM-L6-v2's sentence vectors
# Every choice is a typed value; the tuples beside them are what the CLI and the environment accept.
EmbedderChoice = Literal["auto", "local", "api"]
EMBEDDER_CHOICES: tuple[EmbedderChoice, ...] = get_args(EmbedderChoice)
LocalRuntime = Literal["onnx", "sentence-transformers"]
LOCAL_RUNTIME_CHOICES: tuple[LocalRuntime, ...] = get_args(LocalRuntime)
Fields = Literal["question", "question+answer", "both"]
FIELDS_CHOICES: tuple[Fields, ...] = get_args(Fields)
# "both" embeds the question and the question with its answer, and searches a weighted mean of the two
# cosines (faq_engine/faqs/faqset.py): never below the tutorial's `--fields question` on any dev set, and
# better on average (README, "Retrieval quality"; benchmarks/fusion_options.py prints the comparison).
DEFAULT_FIELDS: Fields = "both"
Method = Literal["dense", "bm25", "hybrid"]
METHOD_CHOICES: tuple[Method, ...] = get_args(Method)
DEFAULT_METHOD: Method = "hybrid"  # best overall on the dev sets: see faq_engine/search/hybrid.py
DEFAULT_TOP_K = 5  # FAQs shown for a question, in the CLI, the app and the evaluation's "shown" hits
DEFAULT_DATASET = "medicare"
DEFAULT_COLLECTION = "faqs"
# The Inference API client's defaults (InferenceApiEmbedder takes these too).
API_BATCH_SIZE = 32  # texts per request
API_CONCURRENCY = 4  # requests in flight at once
API_CONNECT_TIMEOUT = 5.0
API_READ_TIMEOUT = 60.0


def router_url(model_id: str) -> str:
    """Today's serverless feature-extraction URL for ``model_id``."""
    return f"https://router.huggingface.co/hf-inference/models/{model_id}/pipeline/feature-extraction"


def _cache_home(environ: Mapping[str, str]) -> str:
    return environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")


def _default_cache_dir(environ: Mapping[str, str]) -> Path:
    return Path(_cache_home(environ)) / "faq-engine"


def _saved_token_path(environ: Mapping[str, str]) -> Path:
    # Mirrors huggingface_hub's constants: HF_TOKEN_PATH, else $HF_HOME/token.
    if environ.get("HF_TOKEN_PATH"):
        return Path(environ["HF_TOKEN_PATH"]).expanduser()
    hf_home = environ.get("HF_HOME") or os.path.join(_cache_home(environ), "huggingface")
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
        # The value is not echoed: a token pasted into the wrong variable must not be shown.
        raise ConfigError(f"{name} is not a valid {'whole number' if cast is int else 'number'}") from None
    if not valid(value):
        raise ConfigError(f"{name} must be {rule}")
    return value


def _choice(environ: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of: {', '.join(choices)}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults that work offline and without a token."""

    embedder: EmbedderChoice = "auto"
    model_id: str = MODEL_ID
    api_url: str | None = None
    token: str | None = field(default=None, repr=False)
    hub_endpoint: str | None = None  # None: huggingface_hub's own (huggingface.co)
    dataset: str = DEFAULT_DATASET
    fields: Fields | None = None  # None: the dataset's own choice, else DEFAULT_FIELDS
    method: Method = DEFAULT_METHOD
    # The dataclass never reads the environment: from_env() passes $XDG_CACHE_HOME's folder.
    cache_dir: Path = field(default_factory=lambda: _default_cache_dir({}))
    api_batch_size: int = API_BATCH_SIZE
    api_max_attempts: int = RetryPolicy.max_attempts
    api_deadline: float = RetryPolicy.deadline
    api_connect_timeout: float = API_CONNECT_TIMEOUT
    api_read_timeout: float = API_READ_TIMEOUT
    api_max_wait: float = RetryPolicy.max_hint  # cap on a server-suggested wait (Retry-After, estimated_time)
    api_concurrency: int = API_CONCURRENCY
    threshold: float | None = None  # the match a hit needs to be confident; None: the calibrated one
    local_runtime: LocalRuntime = "onnx"  # how the local model runs: ONNX Runtime, or sentence-transformers on torch
    qdrant: str | None = None  # a Qdrant URL or folder: search there instead of loading the dataset
    qdrant_collection: str = DEFAULT_COLLECTION
    qdrant_api_key: str | None = field(default=None, repr=False)
    qdrant_deadline: float = 15.0  # seconds one Qdrant call may take, retries included
    log: str | None = None  # the opt-in question log: a folder, or hf://datasets/owner/name; None: no log
    log_days: float = 30.0  # records older than this are deleted
    log_max_mb: float = 100.0  # the log folder's size cap
    log_push_minutes: float = 5.0  # how often a Hub log is uploaded
    search_rate: float = 20.0  # JSON API searches a second per client address (bursts of twice that); 0: no limit
    exact: bool = False  # scan every FAQ's vector even in a large set (else compact codes pick a short list)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from environment variables (an entry point passes ``os.environ``)."""
        env = environ
        default = {f.name: f.default for f in fields(cls)}
        token = (env.get("HF_TOKEN") or "").strip() or _read_saved_token(env)
        qdrant_api_key = (env.get("QDRANT_API_KEY") or "").strip() or None
        for name, secret in (("HF_TOKEN", token), ("QDRANT_API_KEY", qdrant_api_key)):
            if secret is not None and not header_safe(secret):
                raise ConfigError(f"{name} has characters no token has (a space, a line break or a non-ASCII "
                                  "character): set it again.")
            remember_secret(secret)
        cache = env.get("FAQ_ENGINE_CACHE_DIR")
        numbers = {name: _number(env, f"FAQ_ENGINE_{name.upper()}", default[name], type(default[name]))
                   for name in ("api_batch_size", "api_max_attempts", "api_deadline", "api_connect_timeout",
                                "api_read_timeout", "api_max_wait", "api_concurrency", "log_days", "log_max_mb",
                                "log_push_minutes", "qdrant_deadline")}
        return cls(
            embedder=_choice(env, "FAQ_ENGINE_EMBEDDER", default["embedder"], EMBEDDER_CHOICES),
            model_id=env.get("FAQ_ENGINE_MODEL_ID") or default["model_id"],
            api_url=env.get("FAQ_ENGINE_API_URL") or None,
            token=token,
            hub_endpoint=env.get("HF_ENDPOINT") or None,
            dataset=env.get("FAQ_ENGINE_DATASET") or default["dataset"],
            fields=_choice(env, "FAQ_ENGINE_FIELDS", "", ("",) + FIELDS_CHOICES) or None,
            method=_choice(env, "FAQ_ENGINE_METHOD", default["method"], METHOD_CHOICES),
            cache_dir=Path(cache).expanduser() if cache else _default_cache_dir(env),
            threshold=_number(env, "FAQ_ENGINE_THRESHOLD", None, valid=lambda v: 0.0 <= v <= 1.0,
                              rule="a match probability between 0 and 1"),
            local_runtime=_choice(env, "FAQ_ENGINE_LOCAL_RUNTIME", default["local_runtime"], LOCAL_RUNTIME_CHOICES),
            qdrant=env.get("FAQ_ENGINE_QDRANT_URL") or None,
            qdrant_collection=env.get("FAQ_ENGINE_QDRANT_COLLECTION") or default["qdrant_collection"],
            qdrant_api_key=qdrant_api_key,
            log=(env.get("FAQ_ENGINE_LOG") or "").strip() or None,
            exact=_choice(env, "FAQ_ENGINE_EXACT", "0", ("0", "1")) == "1",
            search_rate=_number(env, "FAQ_ENGINE_SEARCH_RATE", default["search_rate"], valid=lambda v: v >= 0,
                                rule="0 (no limit) or more"),
            **numbers,
        )

    @property
    def embed_fields(self) -> Fields:
        """The FAQ text to embed when making new vectors."""
        return self.fields or DEFAULT_FIELDS

    @property
    def resolved_api_url(self) -> str:
        """The URL the API embedder posts to: the configured one or the router's."""
        return self.api_url or router_url(self.model_id)

    def with_overrides(self, **changes) -> Settings:
        """A copy with the non-``None`` values in ``changes`` applied (for CLI flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
