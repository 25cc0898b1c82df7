"""Qdrant servers that misbehave, for the deadline tests and benchmarks (a real one cannot run here)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler


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
