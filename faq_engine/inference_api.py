"""Embedding through the Hugging Face Inference API, an Inference Endpoint or a TEI server.

All three take ``POST {"inputs": [texts]}`` and answer one vector per text, so one
client serves them: a ``requests`` session (connections reused), bounded retries
(:mod:`faq_engine.retry`), connect/read timeouts and one typed error per failure.
The token goes only into the ``Authorization`` header: it is never logged, never
part of an error message and never in ``repr``.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Callable, Sequence
from urllib.parse import urlsplit

import numpy as np
import requests
from requests.adapters import HTTPAdapter

from . import __version__
from .embedding import l2_normalize
from .errors import (
    ApiAuthError, ApiNotFoundError, ApiQuotaError, ApiRequestError, ApiResponseError,
    ApiUnavailableError, ConfigError,
)
from .retry import RetryPolicy, TransientError, call_with_retries, parse_retry_after
from .settings import MODEL_ID, Settings, router_url

log = logging.getLogger(__name__)

DIM = 384
ROUTER_HOST = urlsplit(router_url(MODEL_ID)).netloc
TOKENS_PAGE = "https://huggingface.co/settings/tokens"
LOCAL_HINT = "or use the local model (--embedder local)"


class _PayloadTooLarge(ApiRequestError):
    """413: the body was too big; the batch may be split."""


class _Cancelled(Exception):
    """Another batch of the same call failed; stop this one."""


def safe_url(url: str) -> str:
    """``url`` without credentials, query or fragment: safe to show in messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def _server_detail(resp: requests.Response, token: str | None) -> str:
    """The server's own explanation (short, and scrubbed of the token just in case)."""
    try:
        body = resp.json()
        detail = body.get("error") or body.get("message") if isinstance(body, dict) else None
        detail = detail if isinstance(detail, str) else json.dumps(detail) if detail else None
    except ValueError:
        detail = None
    detail = detail or (resp.text or "").strip() or resp.reason or ""
    detail = " ".join(detail.split())[:200]
    return f" Server said: {_scrub(detail, token)}" if detail else ""


def _estimated_time(resp: requests.Response) -> float | None:
    try:
        value = resp.json().get("estimated_time")
        return float(value) if value is not None else None
    except (ValueError, AttributeError, TypeError):
        return None


def _nesting(data: object) -> int:
    depth = 0
    while isinstance(data, list):
        depth += 1
        data = data[0] if data else None
    return depth


def parse_vectors(data: object, n: int, dim: int, url: str) -> np.ndarray:
    """Check a decoded JSON answer and return it as a float32 ``(n, dim)`` array."""
    depth = _nesting(data)
    if depth == 3:
        raise ApiResponseError(
            f"{url} answered token-level embeddings (one vector per token), not one per sentence: "
            "the model there has no pooling. Serve a sentence-transformers model, or start TEI with "
            "--pooling mean."
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
            f"{url} answered {arr.shape[1]}-dimensional vectors, but {MODEL_ID} makes {dim}: "
            "the URL serves a different model. Point it at the same model as the FAQ embeddings."
        )
    if not np.isfinite(arr).all():
        raise ApiResponseError(f"{url} answered vectors containing NaN or infinity.")
    return arr


class InferenceApiEmbedder:
    """Sentence embeddings from a feature-extraction HTTP endpoint (see module docstring).

    ``sleep`` and ``clock`` drive the waits between retries; tests inject fakes.
    By default a wait ends early when another batch of the same call has failed.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        model_id: str = MODEL_ID,
        dim: int = DIM,
        batch_size: int = 32,
        concurrency: int = 4,
        policy: RetryPolicy | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            # The value is not echoed: a token pasted into the wrong variable must not be shown.
            raise ConfigError("The API URL is not an http(s) URL: check FAQ_ENGINE_API_URL or --api-url.")
        if batch_size < 1 or concurrency < 1:
            raise ConfigError("The API batch size and concurrency must be at least 1.")
        self.url, self.model_id, self.dim = url, model_id, dim
        self.batch_size, self.concurrency = batch_size, concurrency
        self.policy = policy or RetryPolicy()
        self.timeout = (connect_timeout, read_timeout)
        self._token = token or None
        self._sleep, self._clock = sleep, clock
        self._lock = threading.Lock()
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_maxsize=max(10, concurrency), max_retries=0)  # retries are ours
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json",
                         "User-Agent": f"faq-engine/{__version__}"}
        if self._token:
            self._headers["Authorization"] = f"Bearer {self._token}"

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> "InferenceApiEmbedder":
        """The embedder ``settings`` describe (URL, token, batching, timeouts, retries)."""
        policy = RetryPolicy(max_attempts=settings.api_max_attempts, deadline=settings.api_deadline,
                             max_hint=settings.api_max_wait)
        kwargs = dict(token=settings.token, model_id=settings.model_id, batch_size=settings.api_batch_size,
                      concurrency=settings.api_concurrency, policy=policy,
                      connect_timeout=settings.api_connect_timeout, read_timeout=settings.api_read_timeout)
        return cls(settings.resolved_api_url, **{**kwargs, **overrides})

    def __repr__(self) -> str:
        return f"InferenceApiEmbedder(url={safe_url(self.url)!r}, model_id={self.model_id!r})"

    @property
    def batch_hint(self) -> int:
        """Texts per :meth:`embed` call that keep every concurrent request busy."""
        return self.batch_size * self.concurrency

    @property
    def status(self) -> str:
        """A short description for the UI."""
        host = urlsplit(self.url).hostname or ""
        return "Inference API" if host == ROUTER_HOST else f"Inference endpoint at {host}"

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into L2-normalised float32 vectors ``(n, dim)``, in input order."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        size = self.batch_size
        batches = [texts[i : i + size] for i in range(0, len(texts), size)]
        cancelled = threading.Event()
        if len(batches) == 1 or self.concurrency == 1:
            parts = [self._embed_batch(b, cancelled) for b in batches]
        else:
            parts = self._embed_concurrently(batches, cancelled)
        return l2_normalize(np.concatenate(parts))

    def _embed_concurrently(self, batches: list[list[str]], cancelled: threading.Event) -> list[np.ndarray]:
        pool = ThreadPoolExecutor(max_workers=min(self.concurrency, len(batches)), thread_name_prefix="faq-api")
        try:
            futures = [pool.submit(self._embed_batch, b, cancelled) for b in batches]
            wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in futures if f.done() and not f.cancelled() and f.exception() is not None]
            if failed:
                cancelled.set()  # the other batches stop at their next attempt or wait
                raise next((f.exception() for f in failed if not isinstance(f.exception(), _Cancelled)),
                           failed[0].exception())
            return [f.result() for f in futures]
        finally:
            cancelled.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def _embed_batch(self, batch: list[str], cancelled: threading.Event) -> np.ndarray:
        """One batch; on 413 split it in two once and remember the smaller size."""
        try:
            return self._post_with_retries(batch, cancelled)
        except _PayloadTooLarge as err:
            if len(batch) == 1:
                raise ApiRequestError(f"{err} A single text is too large: shorten it.") from err
            half = math.ceil(len(batch) / 2)
            with self._lock:
                self.batch_size = min(self.batch_size, half)
            log.warning("The API refused %d texts in one request (413); sending %d at a time.", len(batch), half)
            try:
                return np.concatenate([self._post_with_retries(batch[:half], cancelled),
                                       self._post_with_retries(batch[half:], cancelled)])
            except _PayloadTooLarge as again:
                raise ApiRequestError(
                    f"{again} Even {half} texts per request are too many: set FAQ_ENGINE_API_BATCH_SIZE lower."
                ) from again

    def _post_with_retries(self, batch: list[str], cancelled: threading.Event) -> np.ndarray:
        sleep = self._sleep if self._sleep is not None else cancelled.wait  # wakes early when cancelled
        return call_with_retries(lambda: self._post_once(batch, cancelled), self.policy,
                                 sleep=sleep, clock=self._clock)

    def _post_once(self, batch: list[str], cancelled: threading.Event) -> np.ndarray:
        if cancelled.is_set():
            raise _Cancelled()
        url = safe_url(self.url)
        try:
            resp = self._session.post(self.url, json={"inputs": batch}, headers=self._headers, timeout=self.timeout)
        except requests.exceptions.SSLError as err:
            raise ApiUnavailableError(f"The TLS connection to {url} failed: check the URL and certificates.") from err
        except requests.exceptions.Timeout as err:
            connect, read = self.timeout
            raise TransientError(
                f"{url} did not answer in time (timeouts: connect {connect:g} s, read {read:g} s)"
            ) from err
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as err:
            raise TransientError(f"Could not connect to {url}: check the URL and your network") from err
        except requests.exceptions.RequestException as err:
            raise ConfigError(f"Could not send a request to {url}: {type(err).__name__}.") from err
        if resp.status_code != 200:
            raise self._status_error(resp, url)
        try:
            data = json.loads(resp.content)
        except ValueError as err:
            raise ApiResponseError(
                f"{url} answered 200 but not with JSON: is it a feature-extraction endpoint?"
            ) from err
        return parse_vectors(data, len(batch), self.dim, url)

    def _status_error(self, resp: requests.Response, url: str) -> Exception:
        """The typed error for a non-200 answer (transient ones are retried)."""
        code, detail = resp.status_code, _server_detail(resp, self._token)
        if self.policy.is_retryable(code):
            hint = parse_retry_after(resp.headers.get("Retry-After"))
            if hint is None and code == 503:
                hint = _estimated_time(resp)  # the model is loading
            return TransientError(f"{url} answered {code} {resp.reason or ''}".rstrip() + "." + detail, hint)
        if code == 401:
            fix = (f"the token is invalid or expired: create one at {TOKENS_PAGE} and set HF_TOKEN"
                   if self._token else "it needs a token: set HF_TOKEN or run `hf auth login`")
            return ApiAuthError(f"{url} answered 401 Unauthorized: {fix}, {LOCAL_HINT}.{detail}")
        if code == 403:
            return ApiAuthError(
                f"{url} answered 403 Forbidden: the token lacks the 'Make calls to Inference Providers' "
                f"permission (or access to this model). Edit it at {TOKENS_PAGE}, {LOCAL_HINT}.{detail}")
        if code == 402:
            return ApiQuotaError(
                f"{url} answered 402 Payment Required: the account's Inference credits are used up. "
                f"Add credits or wait for the monthly reset, {LOCAL_HINT}.{detail}")
        if code == 404:
            return ApiNotFoundError(
                f"{url} answered 404: {self.model_id} is not served there. Check FAQ_ENGINE_MODEL_ID "
                f"and --api-url, {LOCAL_HINT}.{detail}")
        if code == 410:
            return ApiNotFoundError(
                f"{url} answered 410 Gone: this is a retired endpoint. Use today's "
                f"{router_url(self.model_id)} (unset FAQ_ENGINE_API_URL), {LOCAL_HINT}.{detail}")
        if code == 413:
            return _PayloadTooLarge(f"{url} answered 413 Payload Too Large.{detail}")
        if 400 <= code < 500:
            return ApiRequestError(f"{url} rejected the request with {code} {resp.reason or ''}.{detail}")
        return ApiUnavailableError(f"{url} answered {code} {resp.reason or ''}: try again later, {LOCAL_HINT}.{detail}")
