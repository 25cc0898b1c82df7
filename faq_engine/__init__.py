"""faq-engine: semantic FAQ search with all-MiniLM-L6-v2.

Ask a question in your own words; get the FAQ entries that mean the same thing,
with their cosine similarity scores.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .embedding import Embedder, embed_one, l2_normalize
from .engine import DEFAULT_THRESHOLD, THRESHOLDS, SearchEngine
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
from .fallback import FallbackEmbedder, describe_embedder
from .faqs import FaqSet, build_faqset, load_bundled
from .local import SentenceTransformersEmbedder
from .onnx_runtime import OnnxEmbedder
from .evaluation import LabelledQuery, MethodScores, evaluate
from .hybrid import blend_scores
from .lexical import Bm25Index  # bm25s itself is imported only when an index is built
from .models import FaqEntry, SearchHit
from .ranking import cosine_scores, top_k
from .retry import RetryPolicy
from .settings import Settings
from .cache import CacheStats, CachedEmbedder, EmbeddingCache
from .sources import load_faqs, read_table


def __getattr__(name: str):
    # InferenceApiEmbedder imports requests: load it only when someone asks for it.
    if name == "InferenceApiEmbedder":
        from .inference_api import InferenceApiEmbedder

        return InferenceApiEmbedder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "__version__",
    "Embedder", "embed_one", "l2_normalize",
    "DEFAULT_THRESHOLD", "THRESHOLDS", "SearchEngine",
    "ApiAuthError", "ApiNotFoundError", "ApiQuotaError", "ApiRequestError", "ApiResponseError",
    "ApiUnavailableError", "ConfigError", "DatasetError", "DimensionMismatchError", "EmbeddingApiError",
    "FaqEngineError", "HubAuthError", "HubError", "HubNotFoundError", "HubUnavailableError",
    "InvalidQueryError", "ModelLoadError",
    "load_engine", "local_embedder", "make_embedder",
    "FallbackEmbedder", "describe_embedder", "InferenceApiEmbedder", "RetryPolicy",
    "FaqSet", "build_faqset", "load_bundled",
    "SentenceTransformersEmbedder", "OnnxEmbedder",
    "LabelledQuery", "MethodScores", "evaluate", "blend_scores", "Bm25Index",
    "FaqEntry", "SearchHit",
    "cosine_scores", "top_k",
    "Settings",
    "CacheStats", "CachedEmbedder", "EmbeddingCache", "load_faqs", "read_table",
]
