"""A loopback stand-in for the Hugging Face Inference API (feature-extraction).

A real ``ThreadingHTTPServer`` on 127.0.0.1 that answers ``POST {"inputs": [...]}``
with REAL embeddings from the embedder it is given, and can be scripted request
by request to fail the ways the real service does: 503 + ``estimated_time``,
429 + ``Retry-After``, 5xx, a reply too slow for the client's timeout, 401,
token-level (3-D) output, wrong-size vectors, malformed JSON, 413, an answer trickled
one byte at a time (each byte well inside the read timeout), and an error that
echoes the request's ``Authorization`` header in its reason phrase and body.
Used by the tests and by ``benchmarks/bench_api.py``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Sequence

import numpy as np

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
PATH = f"/hf-inference/models/{MODEL_ID}/pipeline/feature-extraction"


@dataclass(frozen=True)
class Reply:
    """One scripted answer. ``body=None`` means "real embeddings", shaped by ``shape``."""

    status: int = 200
    body: object = None
    raw: bytes | None = None
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    shape: str = "sentence"  # sentence | flat (1-D for one text) | tokens (3-D) | wrong_dim
    trickle: float = 0.0  # seconds between bytes of the whole answer, status line included
    echo_auth: bool = False  # put the Authorization header in the reason phrase and the body


def ok(delay: float = 0.0, shape: str = "sentence") -> Reply:
    """Real embeddings (after ``delay`` seconds)."""
    return Reply(delay=delay, shape=shape)


def error(status: int, body: object = None, headers: dict | None = None) -> Reply:
    """An error status with a JSON body (default ``{"error": "..."}``)."""
    return Reply(status, body if body is not None else {"error": f"scripted {status}"}, headers=headers or {})


def loading(estimated_time: float) -> Reply:
    """503 while the model loads, as the serverless API answers it."""
    return error(503, {"error": "Model is currently loading", "estimated_time": estimated_time})


def rate_limited(retry_after: str) -> Reply:
    """429 with a ``Retry-After`` header."""
    return error(429, {"error": "Rate limit reached"}, {"Retry-After": retry_after})


def trickle(interval: float) -> Reply:
    """Real embeddings, sent one byte every ``interval`` seconds (a stalled or hostile server)."""
    return Reply(trickle=interval)


def echo_auth(status: int = 500) -> Reply:
    """An error whose reason phrase and body repeat the request's Authorization header."""
    return Reply(status, echo_auth=True)


def malformed() -> Reply:
    """200 with a body that is not JSON."""
    return Reply(raw=b"<html>upstream hiccup</html>")


@dataclass(frozen=True)
class Seen:
    """What the server received in one request."""

    inputs: list
    authorization: str | None
    client_port: int


class FakeInferenceApi:
    """Start with ``with FakeInferenceApi(embedder.embed) as api: ... api.url ...``.

    ``token``: when set, requests without ``Bearer <token>`` get 401 (checked first,
    as the real service does).  ``delay``: seconds added to every request.
    ``max_inputs``: more inputs than this in one request get 413.
    """

    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray],
        *,
        token: str | None = None,
        delay: float = 0.0,
        max_inputs: int | None = None,
    ) -> None:
        self.embed, self.token, self.delay, self.max_inputs = embed, token, delay, max_inputs
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0  # most requests being answered at the same time
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._embed_lock = threading.Lock()  # one model call at a time; the added delay still overlaps
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------
    def script(self, *replies: Reply) -> FakeInferenceApi:
        """Queue answers for the next requests; afterwards every request gets real embeddings."""
        with self._lock:
            self._script.extend(replies)
        return self

    @property
    def count(self) -> int:
        """Requests received so far."""
        return len(self.seen)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{PATH}"

    def start(self) -> FakeInferenceApi:
        handler = type("Handler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeInferenceApi:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- behaviour ---------------------------------------------------------
    def _next(self, inputs: list, authorization: str | None) -> Reply:
        if self.token is not None and authorization != f"Bearer {self.token}":
            return error(401, {"error": "Invalid credentials in Authorization header"})
        if self.max_inputs is not None and len(inputs) > self.max_inputs:
            return error(413, {"error": "Payload too large"})
        with self._lock:
            return self._script.popleft() if self._script else ok()

    def _body(self, reply: Reply, inputs: Sequence[str]) -> bytes:
        if reply.raw is not None:
            return reply.raw
        if reply.body is not None or reply.status != 200:
            return json.dumps(reply.body).encode()
        with self._embed_lock:
            vectors = np.asarray(self.embed(list(inputs)), dtype=np.float32)
        if reply.shape == "tokens":  # what a model without pooling answers: one vector per token
            data = [[row.tolist(), row.tolist()] for row in vectors]
        elif reply.shape == "wrong_dim":
            data = vectors[:, :128].tolist()
        elif reply.shape == "flat" and len(inputs) == 1:
            data = vectors[0].tolist()
        else:
            data = vectors.tolist()
        return json.dumps(data).encode()


class _Handler(BaseHTTPRequestHandler):
    api: FakeInferenceApi
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is observable

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet test output
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        api = self.api
        length = int(self.headers.get("Content-Length") or 0)
        try:
            inputs = json.loads(self.rfile.read(length) or b"{}").get("inputs", [])
        except ValueError:
            inputs = []
        auth = self.headers.get("Authorization")
        with api._lock:
            api.seen.append(Seen(list(inputs), auth, self.client_address[1]))
            api.in_flight += 1
            api.max_in_flight = max(api.max_in_flight, api.in_flight)
        try:
            self._answer(api, api._next(inputs, auth), inputs)
        finally:
            with api._lock:
                api.in_flight -= 1

    def _answer(self, api: FakeInferenceApi, reply: Reply, inputs: list) -> None:
        if reply.delay or api.delay:
            time.sleep(reply.delay + api.delay)
        if reply.echo_auth:
            return self._echo(reply.status, self.headers.get("Authorization") or "")
        body = api._body(reply, inputs)
        if reply.trickle:
            return self._trickle(reply.status, body, reply.trickle)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def _echo(self, status: int, authorization: str) -> None:
        body = json.dumps({"error": f"bad request from {authorization}"}).encode()
        self.send_response(status, f"Denied {authorization}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, status: int, body: bytes, interval: float, limit: float = 120.0) -> None:
        head = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        started = time.monotonic()
        for byte in head + body:  # bounded: the answer's length, and at most `limit` seconds
            if time.monotonic() - started > limit:
                break
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client cut the connection: what a deadline does
                break
            time.sleep(interval)
        self.close_connection = True
