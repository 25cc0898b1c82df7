"""A total deadline for one HTTP request, which a slow or trickling server cannot stretch.

``requests``' read timeout bounds each wait for bytes, not the request: a server that
sends one byte every few seconds keeps it alive for ever. Here each request's
connection is recorded as it starts, and a watchdog shuts its socket down at the
deadline, which ends any blocked read or write at once. The body is read in chunks,
up to a size limit, so a never-ending answer is cut too.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from typing import Mapping

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_BODY = 64 * 2**20  # bytes; 1,000 vectors of 384 floats as JSON are about 8 MB
_current = threading.local()  # the connections the calling thread's request used


class DeadlineExceeded(Exception):
    """The request was still running at its deadline (or its answer was too large) and was cut off."""


class _Recorded:
    def request(self, *args, **kwargs):
        watched = getattr(_current, "connections", None)
        if watched is not None:
            watched.append(self)
        return super().request(*args, **kwargs)


class _HTTPConnection(_Recorded, HTTPConnection):
    pass


class _HTTPSConnection(_Recorded, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections :func:`post_json` can cut off."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


@dataclass(frozen=True)
class Answer:
    """What the server answered: status, reason phrase, headers and the whole body."""

    status: int
    reason: str
    headers: Mapping[str, str]  # case-insensitive, as requests gives them
    content: bytes


def _cut(connections: list, expired: threading.Event) -> None:
    expired.set()
    for conn in connections:
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # already closed
                pass


def post_json(session: requests.Session, url: str, payload: object, *, headers: dict,
              timeout: tuple[float, float], deadline: float, max_body: int = MAX_BODY) -> Answer:
    """POST ``payload`` as JSON and read the whole answer within ``deadline`` seconds, or raise
    :class:`DeadlineExceeded`. ``requests`` errors other than the cut pass through unchanged."""
    connections: list = []
    expired = threading.Event()
    watchdog = threading.Timer(max(deadline, 0.0), _cut, (connections, expired))
    watchdog.daemon = True
    _current.connections = connections
    watchdog.start()
    try:
        with session.post(url, json=payload, headers=headers, timeout=timeout, stream=True) as resp:
            body = bytearray()
            for chunk in resp.iter_content(1 << 16):
                body += chunk
                if len(body) > max_body:
                    raise DeadlineExceeded(f"an answer larger than {max_body // 2**20} MB")
        # A cut can look like a complete answer (headers ended early, no Content-Length): never trust one.
        if expired.is_set():
            raise DeadlineExceeded(f"no complete answer within {deadline:g} s")
        return Answer(resp.status_code, resp.reason or "", resp.headers, bytes(body))
    except requests.exceptions.RequestException:
        if expired.is_set():
            raise DeadlineExceeded(f"no complete answer within {deadline:g} s") from None
        raise
    finally:
        watchdog.cancel()
        _current.connections = None
