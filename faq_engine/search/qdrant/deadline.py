"""A total deadline on every call to a Qdrant server, which a server trickling its answer cannot stretch.

The client's own timeout counts between two bytes, so an answer sent a byte at a time never
trips it. Each call therefore runs on a worker thread and the caller waits at most the time
left of the call's deadline (retries included); when it runs out, the client is closed (which
drops the trickling connection and frees the worker) and a fresh one takes its place.
Embedded mode runs in-process and is not bounded here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Callable, TypeVar

T = TypeVar("T")

CALL_DEADLINE = 15.0  # seconds for one Qdrant call, every attempt included
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="qdrant-call")


class OutOfTime(Exception):
    """The call did not finish within its deadline (and was abandoned)."""


def within(fn: Callable[[], T], seconds: float, abandon: Callable[[], object]) -> T:
    """``fn()`` if it finishes within ``seconds``; else ``abandon()`` is called and :class:`OutOfTime` raised."""
    future = _POOL.submit(fn)
    try:
        return future.result(timeout=max(0.001, seconds))
    except FutureTimeout:
        abandon()
        raise OutOfTime from None
