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
from typing import Generic, TypeVar

T = TypeVar("T")
DEFAULT_CAPACITY = 16  # sessions with their own FAQ set at once (each upload is capped in rows)


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
    """A thread-safe, bounded ``session id -> value`` map."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, key: str, value: T) -> None:
        """Hold ``value`` for session ``key``, dropping the least recently used session if full."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

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
