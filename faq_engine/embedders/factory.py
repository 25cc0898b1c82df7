"""Build the embedder that the settings describe: local, Inference API, or the API with a fallback."""

from __future__ import annotations

import threading
from pathlib import Path

from ..settings import MODEL_ID, Settings
from .base import Embedder
from .fallback import FallbackEmbedder
from .onnx_runtime import OnnxEmbedder
from .torch_runtime import SentenceTransformersEmbedder

_LOCAL: dict[tuple[str, Path], Embedder] = {}
_LOCAL_LOCK = threading.Lock()


def local_embedder(settings: Settings) -> Embedder:
    """The process-wide local embedder for ``settings`` (the model is loaded once, lazily).

    ONNX Runtime by default (no torch); sentence-transformers on torch when
    ``settings.local_runtime`` says so.
    """
    key = (settings.local_runtime, Path(settings.cache_dir))
    with _LOCAL_LOCK:
        if key not in _LOCAL:
            if settings.local_runtime == "sentence-transformers":
                _LOCAL[key] = SentenceTransformersEmbedder()
            else:
                _LOCAL[key] = OnnxEmbedder(cache_dir=settings.cache_dir, token=settings.token)
        return _LOCAL[key]


def make_embedder(settings: Settings) -> Embedder:
    """The embedder chosen by ``settings.embedder``: ``local``, ``api`` or ``auto``.

    ``auto`` uses the Inference API when a token (or an explicit API URL) is
    configured, else the local model; if the API then fails after its retries it
    falls back to the local model, with a WARNING and a changed ``status``.
    """
    use_api = settings.embedder == "api" or (settings.embedder == "auto" and (settings.token or settings.api_url))
    if not use_api:
        return local_embedder(settings)
    from .inference_api import InferenceApiEmbedder  # imports requests: only when the API is used

    api = InferenceApiEmbedder.from_settings(settings)
    if settings.embedder == "api" or settings.model_id != MODEL_ID:
        return api  # chosen explicitly, or no local model makes the same vectors
    return FallbackEmbedder(api, lambda: local_embedder(settings))
