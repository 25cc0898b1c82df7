"""faq-engine: semantic FAQ search with all-MiniLM-L6-v2.

Ask a question in your own words; get the FAQ entries that mean the same thing,
with their cosine similarity scores.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .embedding import Embedder
from .engine import SearchEngine
from .errors import (
    ApiAuthError,
    ApiNotFoundError,
    ApiQuotaError,
    ApiRequestError,
    ApiResponseError,
    ApiUnavailableError,
    ConfigError,
    DatasetError,
    DimensionMismatchError,
    EmbeddingApiError,
    FaqEngineError,
    HubAuthError,
    HubError,
    HubNotFoundError,
    HubUnavailableError,
    InvalidQueryError,
    ModelLoadError,
)
from .factory import load_engine, local_embedder, make_embedder
from .fallback import FallbackEmbedder
from .faqs import FaqSet
from .local import SentenceTransformersEmbedder
from .models import FaqEntry, SearchHit
from .onnx_runtime import OnnxEmbedder
from .ranking import cosine_scores, top_k
from .retry import RetryPolicy
from .settings import Settings
from .sources import load_faqs, read_table

# The default local runtime: all-MiniLM-L6-v2 on ONNX Runtime, no torch.
LocalEmbedder = OnnxEmbedder


def __getattr__(name: str):
    # InferenceApiEmbedder imports requests: load it only when someone asks for it.
    if name == "InferenceApiEmbedder":
        from .inference_api import InferenceApiEmbedder

        return InferenceApiEmbedder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "__version__",
    "Settings",
    "Embedder", "LocalEmbedder", "OnnxEmbedder", "SentenceTransformersEmbedder", "InferenceApiEmbedder",
    "FallbackEmbedder", "RetryPolicy", "local_embedder", "make_embedder",
    "FaqEntry", "FaqSet", "SearchHit", "load_faqs", "read_table",
    "SearchEngine", "load_engine", "cosine_scores", "top_k",
    "FaqEngineError", "ConfigError", "InvalidQueryError", "DatasetError", "DimensionMismatchError",
    "ModelLoadError", "EmbeddingApiError", "ApiAuthError", "ApiQuotaError", "ApiNotFoundError",
    "ApiRequestError", "ApiResponseError", "ApiUnavailableError",
    "HubError", "HubNotFoundError", "HubAuthError", "HubUnavailableError",
]
