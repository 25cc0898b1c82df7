"""faq-engine: semantic FAQ search with all-MiniLM-L6-v2.

Ask a question in your own words; get the FAQ entries that mean the same thing,
with their cosine similarity scores.
"""

from __future__ import annotations

from ._version import __version__
from .embedders.base import Embedder
from .embedders.factory import local_embedder, make_embedder
from .embedders.fallback import FallbackEmbedder
from .embedders.onnx_runtime import OnnxEmbedder
from .embedders.torch_runtime import SentenceTransformersEmbedder
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
from .faqs.entry import FaqEntry
from .faqs.faqset import FaqSet
from .faqs.loader import load_faqs
from .faqs.source import Source
from .faqs.tables import read_table
from .pipeline import load_engine, publish
from .retry import RetryPolicy
from .search.engine import SearchEngine
from .search.hits import SearchHit
from .search.ranking import cosine_scores, top_k
from .settings import Settings

# The default local runtime: all-MiniLM-L6-v2 on ONNX Runtime, no torch.
LocalEmbedder = OnnxEmbedder


def __getattr__(name: str):
    # InferenceApiEmbedder imports requests: load it only when someone asks for it.
    if name == "InferenceApiEmbedder":
        from .embedders.inference_api import InferenceApiEmbedder

        return InferenceApiEmbedder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "__version__",
    "Settings",
    "Embedder", "LocalEmbedder", "OnnxEmbedder", "SentenceTransformersEmbedder", "InferenceApiEmbedder",
    "FallbackEmbedder", "RetryPolicy", "local_embedder", "make_embedder",
    "FaqEntry", "FaqSet", "SearchHit", "Source", "load_faqs", "read_table",
    "SearchEngine", "load_engine", "publish", "cosine_scores", "top_k",
    "FaqEngineError", "ConfigError", "InvalidQueryError", "DatasetError", "DimensionMismatchError",
    "ModelLoadError", "EmbeddingApiError", "ApiAuthError", "ApiQuotaError", "ApiNotFoundError",
    "ApiRequestError", "ApiResponseError", "ApiUnavailableError",
    "HubError", "HubNotFoundError", "HubAuthError", "HubUnavailableError",
]
