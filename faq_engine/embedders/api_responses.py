"""Reading the Inference API's answers: vectors, server explanations, and which error a status means.

Pure functions and tables, no HTTP: :mod:`.inference_api` sends the requests.
Everything a server says passes through :func:`~faq_engine.errors.scrub` first.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import numpy as np

from ..errors import (
    Advice,
    ApiAuthError,
    ApiNotFoundError,
    ApiQuotaError,
    ApiRequestError,
    ApiResponseError,
    ApiUnavailableError,
    scrub,
)
from ..settings import MODEL_ID
from .http_deadline import Answer

TOKENS_PAGE = "https://huggingface.co/settings/tokens"


class PayloadTooLarge(ApiRequestError):
    """413: the body was too big; the batch may be split."""


def safe_url(url: str) -> str:
    """``url`` without credentials, query or fragment: safe to show in messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _json(answer: Answer) -> object:
    try:
        return json.loads(answer.content)
    except ValueError:  # not JSON, or not UTF-8
        return None


def server_detail(answer: Answer, token: str | None) -> str:
    """The server's own explanation (short, and scrubbed of the token just in case)."""
    body = _json(answer)
    detail = body.get("error") or body.get("message") if isinstance(body, dict) else None
    detail = detail if isinstance(detail, str) else json.dumps(detail) if detail else None
    text = answer.content.decode("utf-8", errors="replace").strip()
    detail = detail or text or answer.reason or ""
    # Scrubbed before it is shortened: a cut token would no longer match.
    detail = " ".join(scrub(detail, token).split())[:200]
    return f" Server said: {detail}" if detail else ""


def estimated_time(answer: Answer) -> float | None:
    """The ``estimated_time`` a loading model's 503 answer suggests waiting, if any."""
    try:
        value = _json(answer).get("estimated_time")
        return float(value) if value is not None else None
    except (ValueError, AttributeError, TypeError):
        return None


def _nesting(data: object) -> int:
    depth = 0
    while isinstance(data, list):
        depth += 1
        data = data[0] if data else None
    return depth


def parse_vectors(data: object, n: int, dim: int, url: str, model_id: str = MODEL_ID) -> np.ndarray:
    """Check a decoded JSON answer and return it as a float32 ``(n, dim)`` array."""
    if data == [] or data == [[]]:
        raise ApiResponseError(f"{url} answered an empty list for {n} text(s): no vectors at all.")
    depth = _nesting(data)
    if depth == 3:
        raise ApiResponseError(
            f"{url} answered token-level embeddings (one vector per token), not one per sentence: "
            "the model there has no pooling.", advice=Advice.API_POOLING
        )
    if depth == 1 and n == 1:
        data = [data]
    elif depth != 2:
        raise ApiResponseError(f"{url} did not answer a list of vectors (got {type(data).__name__}, depth {depth}).")
    try:
        arr = np.asarray(data, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise ApiResponseError(f"{url} answered vectors of unequal length or non-numbers.") from err
    if arr.ndim != 2 or arr.shape[0] != n:
        raise ApiResponseError(f"{url} answered {arr.shape[0]} vectors for {n} texts.")
    if arr.shape[1] != dim:
        raise ApiResponseError(
            f"{url} answered {arr.shape[1]}-dimensional vectors, but {model_id} makes {dim}: "
            "the URL serves a different model. Point it at the same model as the FAQ embeddings."
        )
    if not np.isfinite(arr).all():
        raise ApiResponseError(f"{url} answered vectors containing NaN or infinity.")
    if not np.all(np.abs(arr).max(axis=1) > 0):  # no text embeds to nothing: a broken endpoint
        raise ApiResponseError(f"{url} answered an all-zero vector: it is not embedding the texts.")
    return arr


# Non-retryable statuses: the error type and what the user should do ({code}, {reason}, ... filled in).
STATUS_ERRORS: dict[int, tuple[type[Exception], str, Advice | None]] = {
    401: (ApiAuthError, f"401 Unauthorized: the token is invalid or expired (tokens: {TOKENS_PAGE})",
          Advice.API_TOKEN),
    403: (ApiAuthError, "403 Forbidden: the token lacks the 'Make calls to Inference Providers' permission "
                        f"(or access to this model). Edit it at {TOKENS_PAGE}", Advice.USE_LOCAL_EMBEDDER),
    402: (ApiQuotaError, "402 Payment Required: the account's Inference credits are used up. "
                         "Add credits or wait for the monthly reset", Advice.USE_LOCAL_EMBEDDER),
    404: (ApiNotFoundError, "404: {model_id} is not served there", Advice.API_URL),
    410: (ApiNotFoundError, "410 Gone: this is a retired endpoint; today's is {router}", Advice.API_URL),
    413: (PayloadTooLarge, "413 Payload Too Large", None),
}
OTHER_4XX = (ApiRequestError, "{code} {reason}: the request was rejected", Advice.USE_LOCAL_EMBEDDER)
OTHER_5XX = (ApiUnavailableError, "{code} {reason}: try again later", Advice.USE_LOCAL_EMBEDDER)
