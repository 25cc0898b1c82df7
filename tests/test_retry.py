"""The retry policy: which failures are retried, how long it waits, when it gives up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from faq_engine.errors import ApiAuthError, ApiUnavailableError, ConfigError, TransientError
from faq_engine.retry import RetryPolicy, call_with_retries, parse_retry_after


class FakeTime:
    """A clock that only moves when something sleeps: deadlines become deterministic."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def failing(*outcomes):
    """A callable that raises/returns ``outcomes`` in turn and counts its calls."""
    calls = []

    def fn():
        calls.append(1)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    fn.calls = calls
    return fn


def test_backoff_doubles_from_base_and_is_capped():
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    waits = [policy.backoff(n) for n in range(1, 7)]
    assert waits[:3] == [0.5, 1.0, 2.0]
    assert waits[3:] == [3.0, 3.0, 3.0]
    assert policy.backoff(10_000) == 3.0  # no overflow however long it ran


def test_server_hint_replaces_backoff_but_is_capped():
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0, max_hint=20.0)
    assert policy.wait(1, hint=7.0) == 7.0
    assert policy.wait(4, hint=0.0) == 0.0
    assert policy.wait(1, hint=3600.0) == 20.0
    assert policy.wait(1, hint=-5.0) == 0.0
    assert policy.wait(2, hint=float("nan")) == policy.backoff(2)
    assert policy.wait(2, hint=None) == policy.backoff(2)


def test_default_policy_retries_only_transient_statuses():
    policy = RetryPolicy()
    for status in (408, 429, 500, 502, 503, 504):
        assert policy.is_retryable(status)
    for status in (400, 401, 402, 403, 404, 410, 413, 422):
        assert not policy.is_retryable(status)


@pytest.mark.parametrize("changes", [{"max_attempts": 0}, {"deadline": -1}, {"max_hint": float("inf")}])
def test_invalid_policy_is_a_config_error(changes):
    with pytest.raises(ConfigError):
        RetryPolicy(**changes)


def test_retry_after_seconds_and_http_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 0.05 ") == 0.05
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now=now) == 0.0
    assert parse_retry_after("-3") == 0.0
    for junk in (None, "", "soon", "nan"):
        assert parse_retry_after(junk) is None


def test_transient_failures_are_retried_with_the_hinted_then_backoff_waits():
    t = FakeTime()
    policy = RetryPolicy(base_delay=0.25, max_attempts=5)
    fn = failing(TransientError("503", hint=4.0), TransientError("boom"), "vectors")
    assert call_with_retries(fn, policy, sleep=t.sleep, clock=t.clock, giving_up=ApiUnavailableError) == "vectors"
    assert len(fn.calls) == 3
    assert t.sleeps == [4.0, policy.backoff(2)]


def test_other_errors_are_not_retried():
    t = FakeTime()
    fn = failing(ApiAuthError("bad token"), "never")
    with pytest.raises(ApiAuthError):
        call_with_retries(fn, RetryPolicy(), sleep=t.sleep, clock=t.clock, giving_up=ApiUnavailableError)
    assert len(fn.calls) == 1 and t.sleeps == []


def test_gives_up_after_max_attempts_with_the_last_reason():
    t = FakeTime()
    fn = failing(*[TransientError(f"failure {i}") for i in range(1, 10)])
    with pytest.raises(ApiUnavailableError) as info:
        call_with_retries(fn, RetryPolicy(max_attempts=3, base_delay=0.1), sleep=t.sleep, clock=t.clock, giving_up=ApiUnavailableError)
    assert len(fn.calls) == 3 and len(t.sleeps) == 2
    assert "failure 3" in str(info.value) and "3 attempts" in str(info.value)
    assert isinstance(info.value.__cause__, TransientError)


def test_never_starts_a_wait_that_would_end_after_the_deadline():
    t = FakeTime()
    policy = RetryPolicy(max_attempts=50, deadline=10.0, base_delay=1.0, max_delay=100.0)
    fn = failing(*[TransientError("still down")] * 50)
    with pytest.raises(ApiUnavailableError):
        call_with_retries(fn, policy, sleep=t.sleep, clock=t.clock, giving_up=ApiUnavailableError)
    assert t.sleeps == [1.0, 2.0, 4.0]  # the next wait (8 s) would end at 15 s > 10 s
    assert len(fn.calls) == 4


def test_retry_logs_say_why_and_when(caplog):
    t = FakeTime()
    fn = failing(TransientError("answered 503, model loading", hint=2.0), "ok")
    with caplog.at_level(logging.DEBUG):
        call_with_retries(fn, RetryPolicy(), sleep=t.sleep, clock=t.clock, giving_up=ApiUnavailableError)
    assert "answered 503, model loading" in caplog.text
    assert "retrying in 2.00 s (attempt 2 of 5)" in caplog.text
