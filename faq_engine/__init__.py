"""faq-engine: semantic FAQ search with all-MiniLM-L6-v2.

Ask a question in your own words; get the FAQ entries that mean the same thing,
with their similarity and a calibrated match. ``open_engine(Settings.from_env(os.environ))``
gives the :class:`Engine` the settings name (in memory, or on Qdrant).
"""

from __future__ import annotations

from ._version import __version__
from .embedders.base import Embedder
from .embedders.factory import local_embedder, make_embedder
from .embedders.fallback import FallbackEmbedder
from .embedders.onnx_runtime import OnnxEmbedder
from .embedders.torch_runtime import SentenceTransformersEmbedder
from .errors import (
    Advice,
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
from .jobs import load_engine, open_engine, publish
from .retry import RetryPolicy
from .search.engine import Answer, Engine
from .search.hits import SearchHit
from .search.memory import MemoryEngine
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
    "Engine", "MemoryEngine", "Answer", "open_engine", "load_engine", "publish", "cosine_scores", "top_k",
    "FaqEngineError", "Advice", "ConfigError", "InvalidQueryError", "DatasetError", "DimensionMismatchError",
    "ModelLoadError", "EmbeddingApiError", "ApiAuthError", "ApiQuotaError", "ApiNotFoundError",
    "ApiRequestError", "ApiResponseError", "ApiUnavailableError",
    "HubError", "HubNotFoundError", "HubAuthError", "HubUnavailableError",
]
