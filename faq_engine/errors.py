"""One error hierarchy for faq-engine.

Every error derives from :class:`FaqEngineError` and also from the standard
exception type a caller would naturally catch (``ValueError`` for bad input,
``ConnectionError`` for an unreachable service, ...).  A message says what went wrong
and never contains a token; it names no command-line flag or environment variable,
because who reads it differs: what the reader can do is the error's :class:`Advice`,
and each front end words it in its own table (``cli/errors.py`` names flags,
``ui/errors.py`` speaks to a visitor of the app). The facts a front end may need to
word it (the missing column, the columns found, the repo id) are the error's fields.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from enum import Enum

# What a secret looks like: Hugging Face tokens, "Bearer <anything>" and "api-key: <anything>" in an echoed
# header, and the credentials of a URL (scheme://user:password@host).
_TOKEN_PATTERNS = (
    (re.compile(r"\bhf_[A-Za-z0-9]{8,}"), "***"),
    (re.compile(r"(?i)(bearer\s+)[^\s'\",;]+"), r"\1***"),
    (re.compile(r"(?i)(api[-_]?key[\"']?\s*[:=]\s*[\"']?)[^\s'\",;}]+"), r"\1***"),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"), r"\1***@"),
)
# Every secret the process has been handed (its own token and API keys, and the tokens visitors typed),
# so that one scrubber removes them all wherever they turn up. Bounded: the oldest is forgotten first.
_KNOWN: OrderedDict[str, None] = OrderedDict()
_KNOWN_LOCK = threading.Lock()
MAX_KNOWN = 256
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no space: what an HTTP header value can carry


def remember_secret(secret: str | None) -> None:
    """Have :func:`scrub` remove ``secret`` from every message from now on."""
    if secret and len(secret) >= 4:
        with _KNOWN_LOCK:
            _KNOWN[secret] = None
            _KNOWN.move_to_end(secret)
            while len(_KNOWN) > MAX_KNOWN:
                _KNOWN.popitem(last=False)


def header_safe(secret: str) -> bool:
    """Whether ``secret`` can be sent in an HTTP header as it is (no space, line break, NUL or non-ASCII)."""
    return bool(_HEADER_SAFE.fullmatch(secret))


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` with every known secret and anything shaped like one replaced by ``***``.

    Every message that could carry a server's words (reason phrases, bodies, client
    errors) passes through here before it is shortened, logged or shown.
    """
    with _KNOWN_LOCK:
        known = list(_KNOWN)
    for secret in sorted({s for s in (*secrets, *known) if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    for pattern, replacement in _TOKEN_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class Advice(str, Enum):
    """What the reader of an error can do about it; each front end words these in its own table."""

    NAME_COLUMNS = "name_columns"  # the question (or another named) column is missing: fields column, found
    CONNECT_HUB = "connect_hub"  # the Hub is needed and cannot be reached, nor a copy found
    HUB_TOKEN = "hub_token"  # the Hub needs a (valid) token: field repo_id
    HUB_WRITE_TOKEN = "hub_write_token"  # a push needs a token with write access
    OTHER_OUTPUT = "other_output"  # the output folder holds something that is not ours
    INSTALL_WEIGHTS = "install_weights"  # the local model's files are missing
    INSTALL_RUNTIME = "install_runtime"  # the local runtime's packages are missing
    USE_LOCAL_EMBEDDER = "use_local_embedder"  # the Inference API failed: the local model is the way round
    API_URL = "api_url"  # the Inference API URL is wrong or retired
    API_TOKEN = "api_token"  # the Inference API needs a (valid) token
    API_BATCH_SIZE = "api_batch_size"  # the Inference API takes fewer texts per request
    API_POOLING = "api_pooling"  # the endpoint returns token vectors: it needs mean pooling
    QDRANT_INDEX_FIRST = "qdrant_index_first"  # the collection does not exist yet: field collection
    QDRANT_OTHER_COLLECTION = "qdrant_other_collection"  # the collection holds something else
    QDRANT_API_KEY = "qdrant_api_key"  # Qdrant refused the API key
    MATCHING_QUERIES = "matching_queries"  # evaluation: the queries name ids the FAQ set lacks


class FaqEngineError(Exception):
    """Base class of every error raised on purpose by faq-engine.

    ``advice`` says what the reader can do (worded by each front end); ``fields`` are the facts
    behind the message, for a front end that words it itself.
    """

    def __init__(self, message: str = "", *, advice: Advice | None = None, **fields: object) -> None:
        super().__init__(message)
        self.advice = advice
        self.fields = fields

    @property
    def message(self) -> str:
        """What went wrong, with no advice."""
        return str(self)


class TransientError(FaqEngineError, ConnectionError):
    """A failure worth retrying (any backend); ``hint`` is the server's suggested wait in seconds, if any."""

    def __init__(self, message: str, hint: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.hint = hint


class BusyError(FaqEngineError, RuntimeError):
    """The work cannot start now: the room for it is taken (another large FAQ set is loading, ...)."""


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
