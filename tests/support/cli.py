"""``faq-engine`` run as a real subprocess, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys


def run_cli(*args: str, env: dict[str, str] | None = None, code: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m faq_engine ARGS`` (or ``python -c CODE ARGS``) with ``env`` over this environment."""
    argv = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "faq_engine", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
