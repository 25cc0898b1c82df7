"""The retry policy of network calls, as data, and the loop that applies it.

A :class:`RetryPolicy` says which HTTP statuses are transient, how many attempts
and how much time one request may use, and how long to wait between attempts:
capped exponential backoff, unless the server says how long to wait
(``Retry-After``, or ``estimated_time`` while a model loads), which wins but is
capped too.  The wait function is injectable, so tests run without sleeping.

``tenacity`` is imported inside :func:`call_with_retries`, so importing this
module (and ``faq_engine``) stays cheap.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, TypeVar

from .errors import ConfigError, FaqEngineError, TransientError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Timeout, rate limit, server errors and gateway problems: worth another try.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How one request is retried.

    ``max_attempts`` counts the first try; ``deadline`` (seconds) bounds the time
    from the first attempt to the start of the last one, so no wait is started
    that would end after it.  ``base_delay * 2**(n-1)``, capped at ``max_delay``,
    is the wait after the n-th failure; a server hint replaces it, capped at
    ``max_hint``.
    """

    retry_statuses: frozenset[int] = RETRY_STATUSES
    max_attempts: int = 5
    deadline: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_hint: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigError(f"max_attempts must be at least 1, got {self.max_attempts}")
        for name in ("deadline", "base_delay", "max_delay", "max_hint"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise ConfigError(f"{name} must be a finite number >= 0, got {value!r}")

    def is_retryable(self, status: int) -> bool:
        """Whether an HTTP ``status`` is transient under this policy."""
        return status in self.retry_statuses

    def backoff(self, failures: int) -> float:
        """The wait after ``failures`` failed attempts (1 for the first), without a hint."""
        exponent = min(max(failures - 1, 0), 62)  # 2**62 is already far past any cap
        return min(self.max_delay, self.base_delay * 2.0**exponent)

    def wait(self, failures: int, hint: float | None = None) -> float:
        """The wait after ``failures`` failed attempts; a server ``hint`` wins, capped."""
        if hint is not None and math.isfinite(hint):
            return min(max(hint, 0.0), self.max_hint)
        return self.backoff(failures)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), else ``None``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def call_with_retries(fn: Callable[[], T], policy: RetryPolicy, *, sleep: Callable[[float], object] = time.sleep,
                      clock: Callable[[], float] = time.monotonic,
                      giving_up: type[FaqEngineError]) -> T:
    """Call ``fn`` until it returns, retrying on :class:`TransientError` as ``policy`` says.

    Any other exception propagates at once.  When attempts or the deadline run
    out, raises ``giving_up`` (the service's "unavailable" error) with the last failure's message and advice.
    Only the failure's message is logged, never ``fn``'s arguments.
    """
    import tenacity

    start = clock()

    def wait(state: tenacity.RetryCallState) -> float:
        err = state.outcome.exception() if state.outcome else None
        return policy.wait(state.attempt_number, err.hint if isinstance(err, TransientError) else None)

    def stop(state: tenacity.RetryCallState) -> bool:
        out_of_time = clock() - start + state.upcoming_sleep > policy.deadline
        return state.attempt_number >= policy.max_attempts or out_of_time

    def before_sleep(state: tenacity.RetryCallState) -> None:
        log.info("%s; retrying in %.2f s (attempt %d of %d)", state.outcome.exception(), state.upcoming_sleep,
                 state.attempt_number + 1, policy.max_attempts)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(TransientError),
        wait=wait, stop=stop, sleep=sleep, before_sleep=before_sleep, reraise=False,
    )
    try:
        return retrying(fn)
    except tenacity.RetryError as err:
        last = err.last_attempt.exception()
        attempts = err.last_attempt.attempt_number
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        advice = last.advice if isinstance(last, FaqEngineError) else None
        raise giving_up(f"{last} (gave up after {tries} in {clock() - start:.1f} s)", advice=advice) from last
