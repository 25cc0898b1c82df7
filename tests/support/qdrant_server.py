"""Qdrant servers that misbehave, for the deadline tests and benchmarks (a real one cannot run here)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler


def send_json(handler: BaseHTTPRequestHandler, payload, status: int = 200) -> None:
    """Answer ``handler``'s request with ``payload`` as JSON, as a Qdrant server does."""
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class TricklingQdrant(BaseHTTPRequestHandler):
    """Answers 200 at once, then sends its body a byte every 0.2 s: no read ever waits long enough to time out."""

    protocol_version = "HTTP/1.1"
    stop = threading.Event()

    def log_message(self, *args) -> None:
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError:  # the client gave up mid-answer, as it should
            pass

    def _trickle(self) -> None:
        body = b'{"result": {"exists": true}, "status": "ok", "time": 0.0}' + b" " * 400
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:
            if self.stop.is_set():
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client gave up and closed the connection
                return
            time.sleep(0.2)

    do_GET = do_POST = do_PUT = _trickle


class RecordingQdrant(BaseHTTPRequestHandler):
    """Answers what a Qdrant server answers to creating a collection and to a query (no points), and keeps
    every request's method, path and JSON body in :attr:`seen`: what a real server would have been asked."""

    protocol_version = "HTTP/1.1"
    seen: list = []

    def log_message(self, *args) -> None:
        pass

    def _answer(self) -> None:
        from importlib.metadata import version

        size = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(size) or b"null")
        self.seen.append((self.command, self.path.split("?")[0], body))
        if self.path.split("?")[0] == "/":
            result = {"title": "qdrant - vector search engine", "version": version("qdrant-client")}
        elif self.path.split("?")[0].endswith("/points/query"):
            result = {"result": {"points": []}, "status": "ok", "time": 0.0}
        else:
            result = {"result": True, "status": "ok", "time": 0.0}
        send_json(self, result)

    do_GET = do_POST = do_PUT = _answer
