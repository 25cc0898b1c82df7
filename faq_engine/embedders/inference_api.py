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

from .._version import __version__
from ..errors import (
    Advice,
    ApiAuthError,
    ApiRequestError,
    ApiResponseError,
    ApiUnavailableError,
    ConfigError,
    TransientError,
    header_safe,
    remember_secret,
    scrub,
)
from ..retry import RetryPolicy, call_with_retries, parse_retry_after
from ..settings import (
    API_BATCH_SIZE,
    API_CONCURRENCY,
    API_CONNECT_TIMEOUT,
    API_READ_TIMEOUT,
    MODEL_DIM,
    MODEL_ID,
    Settings,
    router_url,
)
from ..vectors import l2_normalize
from .api_responses import (
    OTHER_4XX,
    OTHER_5XX,
    STATUS_ERRORS,
    PayloadTooLarge,
    estimated_time,
    parse_vectors,
    safe_url,
    server_detail,
)
from .base import Embedder
from .http_deadline import Answer, DeadlineAdapter, DeadlineExceeded, post_json

log = logging.getLogger(__name__)

ROUTER_HOST = urlsplit(router_url(MODEL_ID)).netloc


class _Cancelled(Exception):
    """Another batch of the same call failed; stop this one."""


def _check_url(url: str | None) -> None:
    parts = urlsplit(url or "")
    try:
        port_ok = parts.port is None or 0 < parts.port
    except ValueError:  # "Port out of range 0-65535", or not a number
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        # The value is not echoed: a token pasted into the wrong variable must not be shown.
        raise ConfigError("The API URL is not an http(s) URL with a valid host and port.", advice=Advice.API_URL)


class InferenceApiEmbedder(Embedder):
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
        dim: int = MODEL_DIM,
        request_size: int = API_BATCH_SIZE,
        concurrency: int = API_CONCURRENCY,
        policy: RetryPolicy | None = None,
        connect_timeout: float = API_CONNECT_TIMEOUT,
        read_timeout: float = API_READ_TIMEOUT,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_url(url)
        if request_size < 1 or concurrency < 1:
            raise ConfigError("The API batch size and concurrency must be at least 1.")
        if token and not header_safe(token):
            raise ConfigError("The token has characters no token has (a space, a line break or a non-ASCII "
                              "character): set it again.", advice=Advice.API_TOKEN)
        remember_secret(token)
        self.url, self.model_id, self.dim = url, model_id, dim
        self.request_size, self.concurrency = request_size, concurrency
        self.policy = policy or RetryPolicy()
        self.timeout = (connect_timeout, read_timeout)
        self._token = token or None
        self._sleep, self._clock = sleep, clock
        self._lock = threading.Lock()
        self._session = requests.Session()
        adapter = DeadlineAdapter(pool_maxsize=max(10, concurrency), max_retries=0)  # retries are ours
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json",
                         "User-Agent": f"faq-engine/{__version__}"}
        if self._token:
            self._headers["Authorization"] = f"Bearer {self._token}"

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> InferenceApiEmbedder:
        """The embedder ``settings`` describe (URL, token, batching, timeouts, retries)."""
        policy = RetryPolicy(max_attempts=settings.api_max_attempts, deadline=settings.api_deadline,
                             max_hint=settings.api_max_wait)
        kwargs = dict(token=settings.token, model_id=settings.model_id, request_size=settings.api_batch_size,
                      concurrency=settings.api_concurrency, policy=policy,
                      connect_timeout=settings.api_connect_timeout, read_timeout=settings.api_read_timeout)
        return cls(settings.resolved_api_url, **{**kwargs, **overrides})

    def __repr__(self) -> str:
        return f"InferenceApiEmbedder(url={safe_url(self.url)!r}, model_id={self.model_id!r})"

    @property
    def batch_size(self) -> int:
        """Texts per :meth:`embed` call that keep every concurrent request busy."""
        return self.request_size * self.concurrency

    @property
    def status(self) -> str:
        """A short description for the UI."""
        host = urlsplit(self.url).hostname or ""
        return "Inference API" if host == ROUTER_HOST else f"Inference endpoint at {host}"

    @property
    def vector_source(self) -> str:
        """The endpoint (without credentials): its vectors are cached apart from the local model's."""
        return safe_url(self.url)

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into L2-normalised float32 vectors ``(n, dim)``, in input order."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        size = self.request_size
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
        except PayloadTooLarge as err:
            if len(batch) == 1:
                raise ApiRequestError(f"{err} A single text is too large: shorten it.") from err
            half = math.ceil(len(batch) / 2)
            with self._lock:
                self.request_size = min(self.request_size, half)
            log.warning("The API refused %d texts in one request (413); sending %d at a time.", len(batch), half)
            try:
                return np.concatenate([self._post_with_retries(batch[:half], cancelled),
                                       self._post_with_retries(batch[half:], cancelled)])
            except PayloadTooLarge as again:
                raise ApiRequestError(f"{again} Even {half} texts per request are too many.",
                                      advice=Advice.API_BATCH_SIZE) from again

    def _post_with_retries(self, batch: list[str], cancelled: threading.Event) -> np.ndarray:
        sleep = self._sleep if self._sleep is not None else cancelled.wait  # wakes early when cancelled
        # The policy's deadline bounds every attempt too: a trickling answer cannot outlast it.
        deadline_at = time.monotonic() + self.policy.deadline
        return call_with_retries(lambda: self._post_once(batch, cancelled, deadline_at), self.policy,
                                 sleep=sleep, clock=self._clock, giving_up=ApiUnavailableError)

    def _post_once(self, batch: list[str], cancelled: threading.Event, deadline_at: float) -> np.ndarray:
        if cancelled.is_set():
            raise _Cancelled()
        url = safe_url(self.url)
        try:
            resp = post_json(self._session, self.url, {"inputs": batch}, headers=self._headers,
                             timeout=self.timeout, deadline=deadline_at - time.monotonic())
        except DeadlineExceeded as err:
            # Not retried: the whole time allowed for this request is used up.
            raise ApiUnavailableError(f"{url} sent {err}: the server is too slow or stalled.",
                                      advice=Advice.USE_LOCAL_EMBEDDER) from err
        except requests.exceptions.SSLError as err:
            raise ApiUnavailableError(f"The TLS connection to {url} failed: check the URL and certificates.") from err
        except requests.exceptions.Timeout as err:
            connect, read = self.timeout
            raise TransientError(
                f"{url} did not answer in time (timeouts: connect {connect:g} s, read {read:g} s)"
            ) from err
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as err:
            raise TransientError(f"Could not connect to {url}: check the URL and your network",
                                 advice=Advice.USE_LOCAL_EMBEDDER) from err
        except requests.exceptions.RequestException as err:
            raise ConfigError(f"Could not send a request to {url}: {type(err).__name__}.") from err
        if resp.status != 200:
            raise self._status_error(resp, url)
        try:
            data = json.loads(resp.content)
        except ValueError as err:
            raise ApiResponseError(
                f"{url} answered 200 but not with JSON: is it a feature-extraction endpoint?"
            ) from err
        return parse_vectors(data, len(batch), self.dim, url, self.model_id)

    def _status_error(self, resp: Answer, url: str) -> Exception:
        """The typed error for a non-200 answer (transient ones are retried)."""
        code, detail = resp.status, server_detail(resp, self._token)
        reason = scrub(resp.reason or "", self._token)
        if self.policy.is_retryable(code):
            hint = parse_retry_after(resp.headers.get("Retry-After"))
            if hint is None and code == 503:
                hint = estimated_time(resp)  # the model is loading
            return TransientError(f"{url} answered {code} {reason}".rstrip() + "." + detail, hint,
                                  advice=Advice.USE_LOCAL_EMBEDDER)
        if code == 401 and not self._token:
            return ApiAuthError(f"{url} answered 401 Unauthorized: it needs a token.{detail}", advice=Advice.API_TOKEN)
        kind, fix, advice = STATUS_ERRORS.get(code, OTHER_4XX if 400 <= code < 500 else OTHER_5XX)
        fix = fix.format(code=code, reason=reason, model_id=self.model_id, router=router_url(self.model_id))
        return kind(f"{url} answered {fix}.{detail}", advice=advice, status=code)
