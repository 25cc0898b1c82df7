"""``python app.py`` in a subprocess, for the tests that drive the launched app."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120  # seconds; the model loads at start-up
# The tutorial's settings: dense ranking over the questions.
APP_ENV = {"FAQ_ENGINE_METHOD": "dense", "FAQ_ENGINE_FIELDS": "question", "GRADIO_ANALYTICS_ENABLED": "False"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningApp:
    """``python app.py`` in a subprocess; ``url`` is where it listens."""

    def __init__(self, env: dict[str, str], args: tuple[str, ...] = (), python: str = sys.executable,
                 script: tuple[str, ...] = ("app.py",)) -> None:
        self.env = {**os.environ, **APP_ENV, "GRADIO_SERVER_PORT": str(free_port()), "PYTHONUNBUFFERED": "1", **env}
        self.proc = subprocess.Popen([python, *script, *args], cwd=ROOT, env=self.env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output: list[str] = []
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)
            found = re.search(r"Running on local URL:\s*(\S+)", line)
            if found:
                self.url = found.group(1)
                self._ready.set()
        self._ready.set()  # the process ended

    def wait_ready(self, timeout: float = START_TIMEOUT) -> RunningApp:
        if not self._ready.wait(timeout) or not self.url:
            self.stop()
            raise RuntimeError("app.py did not start:\n" + "".join(self.output[-40:]))
        return self

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
