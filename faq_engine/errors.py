"""One error hierarchy for faq-engine.

Every error derives from :class:`FaqEngineError` and also from the standard
exception type a caller would naturally catch (``ValueError`` for bad input,
``ConnectionError`` for an unreachable service, ...).  Messages are written for
the person who has to fix the problem and never contain a token.
"""

from __future__ import annotations

import re

# What a token looks like: Hugging Face tokens and "Bearer <anything>" in an echoed header.
_TOKEN_PATTERNS = (re.compile(r"\bhf_[A-Za-z0-9]{8,}"), re.compile(r"(?i)(bearer\s+)[^\s'\",;]+"))


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` with every known secret and anything shaped like a token replaced by ``***``.

    Every message that could carry a server's words (reason phrases, bodies, client
    errors) passes through here before it is shortened, logged or shown.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _TOKEN_PATTERNS[0].sub("***", text)
    return _TOKEN_PATTERNS[1].sub(r"\1***", text)


class FaqEngineError(Exception):
    """Base class of every error raised on purpose by faq-engine."""


class ConfigError(FaqEngineError, ValueError):
    """A setting, environment variable or command-line option is invalid."""


class InvalidQueryError(FaqEngineError, ValueError):
    """The search query cannot be answered as given (e.g. it is empty)."""


class DatasetError(FaqEngineError, ValueError):
    """FAQ data is malformed: missing columns, empty questions, duplicate ids, bad vectors."""


class DimensionMismatchError(FaqEngineError, ValueError):
    """Two sets of vectors that must share a dimension do not."""


class ModelLoadError(FaqEngineError, RuntimeError):
    """The local model could not be found or loaded."""


class EmbeddingApiError(FaqEngineError, RuntimeError):
    """Base class of Inference API failures; ``reason`` is the short form for a status line."""

    reason = "the API failed"


class ApiAuthError(EmbeddingApiError, PermissionError):
    """The API refused the token (401/403)."""

    reason = "the API refused the token"


class ApiQuotaError(EmbeddingApiError, PermissionError):
    """The account has used up its credits (402)."""

    reason = "Inference credits used up"


class ApiNotFoundError(EmbeddingApiError, LookupError):
    """The model is not served at that URL (404), or the endpoint is gone (410)."""

    reason = "the model is not served at that URL"


class ApiRequestError(EmbeddingApiError, ValueError):
    """The API rejected the request itself (400, 413, 422, other 4xx)."""

    reason = "the API rejected the request"


class ApiResponseError(EmbeddingApiError, ValueError):
    """The API answered, but not with usable sentence embeddings."""

    reason = "the API's answer was unusable"


class ApiUnavailableError(EmbeddingApiError, ConnectionError):
    """The API could not be reached or kept failing after every retry."""

    reason = "the API is unavailable"


class HubError(FaqEngineError, RuntimeError):
    """Base class of Hugging Face Hub failures."""


class HubNotFoundError(HubError, LookupError):
    """The dataset repo, file or revision does not exist (or is private)."""


class HubAuthError(HubError, PermissionError):
    """The Hub needs a (valid) token for this operation."""


class HubUnavailableError(HubError, ConnectionError):
    """The Hub cannot be reached and no cached copy exists."""


class VectorStoreError(FaqEngineError, RuntimeError):
    """Base class of failures of an external vector engine (Qdrant)."""


class VectorStoreAuthError(VectorStoreError, PermissionError):
    """The engine refused the API key (401/403)."""


class VectorStoreUnavailableError(VectorStoreError, ConnectionError):
    """The engine could not be reached, or kept failing after every retry."""


class CollectionMismatchError(VectorStoreError, ValueError):
    """The collection was built with another model, dimension or embedded text."""
