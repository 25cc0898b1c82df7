"""Each visitor's own FAQ set, held only while their session lasts.

A public app must not keep what a visitor uploaded after they leave, nor let many
visitors fill the server's memory: sets live here, keyed by Gradio's session id,
are dropped when the session ends (the app's ``unload`` event) and, past
``capacity`` sessions, the least recently used one is dropped first.
"""

from __future__ import annotations

import ctypes
import gc
import threading
from collections import OrderedDict
from typing import Callable, Generic, TypeVar

T = TypeVar("T")
DEFAULT_CAPACITY = 256  # sessions with their own FAQ set at once; their FAQs are bounded in all as well


def release_memory() -> None:
    """Hand memory just freed back to the operating system.

    glibc keeps freed blocks for reuse (in per-thread arenas, which Gradio's worker threads
    use), so a server that dropped a visitor's FAQ set would otherwise keep its size.
    """
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): its allocator returns memory itself
        pass


class SessionStore(Generic[T]):
    """A thread-safe, bounded ``session id -> value`` map.

    Bounded by ``capacity`` sessions and, with ``weigh``, by a total ``budget`` (the FAQs held, say):
    past either, the least recently used session is dropped, and remembered as dropped, so its
    visitor can be told rather than silently served something else.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY, *, weigh: Callable[[T], int] | None = None,
                 budget: int | None = None) -> None:
        self.capacity, self._weigh, self.budget = capacity, weigh, budget
        self._items: OrderedDict[str, T] = OrderedDict()
        self._dropped: OrderedDict[str, None] = OrderedDict()  # sessions whose value was evicted
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, key: str, value: T) -> None:
        """Hold ``value`` for session ``key``, dropping the least recently used session if full."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            self._dropped.pop(key, None)
            while len(self._items) > 1 and (len(self._items) > self.capacity or self._over_budget()):
                evicted, _ = self._items.popitem(last=False)
                self._dropped[evicted] = None
                while len(self._dropped) > 10 * self.capacity:
                    self._dropped.popitem(last=False)

    def _over_budget(self) -> bool:
        if self._weigh is None or self.budget is None:
            return False
        return sum(self._weigh(v) for v in self._items.values()) > self.budget

    def was_dropped(self, key: str | None) -> bool:
        """Whether session ``key`` had a value that was evicted to make room (not ended, not dropped on purpose)."""
        with self._lock:
            return key is not None and key in self._dropped

    def get(self, key: str | None) -> T | None:
        """The value of session ``key``, or ``None`` (never had one, ended, or dropped)."""
        if key is None:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def drop(self, key: str | None) -> None:
        """Forget session ``key`` (its session ended, or it went back to the default set)."""
        with self._lock:
            self._items.pop(key, None)
